import * as assert from 'assert';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// The in-host suite's mocha loader, in a Node that cannot require() ES modules (as the Node inside
// VS Code's Electron may be): it must load mocha and run a suite file the way the suite's entry does.
const LOADER = path.join(__dirname, '../../integration/loadMocha.js');

const CHILD = `
const { loadMocha } = require(process.argv[1]);
const [esm, suite] = process.argv.slice(2);
let requireEsm = 'works';
try { require(esm); } catch (e) { requireEsm = e.code; }
loadMocha().then((Mocha) => {
  const mocha = new Mocha({ reporter: 'base' });
  mocha.addFile(suite);
  mocha.run((failures) => console.log(JSON.stringify({ requireEsm, failures, titles: mocha.suite.suites.flatMap((s) => s.tests.map((t) => t.title + ': ' + t.state)) })));
}, (e) => console.log(JSON.stringify({ requireEsm, loadError: e.code || e.message })));
`;

describe('the in-host suite loads mocha without require(esm)', () => {
  it('loads mocha with require(esm) turned off and runs a suite with it', async function () {
    this.timeout(30_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aivideo-mocha-'));
    try {
      const esm = path.join(dir, 'esm.mjs');
      const suite = path.join(dir, 'trivial.test.js');
      fs.writeFileSync(esm, 'export const x = 1;\n');
      fs.writeFileSync(
        suite,
        "describe('trivial', () => {\n  it('passes', () => {});\n  it('fails', () => { throw new Error('expected'); });\n});\n",
      );
      const stdout = await new Promise<string>((resolve, reject) =>
        execFile(
          process.execPath,
          ['--no-experimental-require-module', '-e', CHILD, LOADER, esm, suite],
          { timeout: 25_000 },
          (err, out, errOut) => (err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out)),
        ),
      );
      const result = JSON.parse(stdout.trim().split('\n').pop() ?? '');
      assert.deepStrictEqual(result, { requireEsm: 'ERR_REQUIRE_ESM', failures: 1, titles: ['passes: passed', 'fails: failed'] });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
