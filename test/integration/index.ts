// Entry of the in-host test suite (the `extensionTestsPath` contract shared by code-server, see
// scripts/run-host-tests.js, and desktop VS Code via @vscode/test-electron): runs every
// `*.test.js` next to this file (recursively) with mocha inside the real extension host.
import * as fs from 'fs';
import * as path from 'path';

import { loadMocha } from './loadMocha';

function findTests(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) return findTests(p);
      return entry.isFile() && entry.name.endsWith('.test.js') ? [p] : [];
    })
    .sort();
}

export async function run(): Promise<void> {
  const grep = process.env.AIVIDEO_TEST_GREP;
  // The runner's second session (after a restart) runs only the tests tagged @resume; the first
  // session runs everything else.
  const resume = process.env.AIVIDEO_TEST_PHASE === 'resume';
  const Mocha = await loadMocha();
  const mocha = new Mocha({
    ui: 'bdd',
    timeout: 60000,
    color: false,
    reporter: 'spec',
  });
  if (resume) mocha.grep('@resume');
  else if (grep) mocha.grep(grep);
  else mocha.grep('@resume').invert();
  const files = findTests(__dirname);
  if (files.length === 0) throw new Error(`no *.test.js files found under ${__dirname}`);
  for (const file of files) mocha.addFile(file);
  if (grep) console.log(`Running integration tests matching "${grep}"`);

  const stats = await new Promise<{ passes: number; failures: number; pending: number }>((resolve, reject) => {
    try {
      const runner = mocha.run(() => {
        const s = runner.stats ?? { passes: 0, failures: runner.failures, pending: 0 };
        resolve({ passes: s.passes, failures: s.failures, pending: s.pending });
      });
    } catch (err) {
      // A test file failed to load (syntax error, throwing at top level, missing module).
      reject(err);
    }
  });

  const summary = `${stats.passes} passed, ${stats.failures} failed` + (stats.pending > 0 ? `, ${stats.pending} skipped` : '');
  console.log(summary);
  if (stats.failures > 0) throw new Error(`${stats.failures} tests failed`);
}
