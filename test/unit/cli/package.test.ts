// `npm run package:cli` makes a tarball of the CLI alone: installed with `npm install --offline` into
// an empty folder (no registry, no other package), its `ai-video-studio` bin renders a two-shot
// storyboard against the emulator with Node alone.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { EXIT } from '../../../src/cli/args';
import { startEmulator, type Emulator } from '../../../src/emulator/server';
import { cliEnv, cliWorkspace, runProcess, type CliWorkspace } from '../../support/cliRun';
import { ROOT } from '../../support/paths';

const npm = (args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) =>
  execFileSync('npm', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' });

describe('cli: the npm tarball (npm run package:cli)', function () {
  this.timeout(120_000);
  let em: Emulator;
  let ws: CliWorkspace;
  let dir: string;
  let tarball: string;
  /** The `ai-video-studio` the installed package links. */
  let bin: string;

  before(async () => {
    em = await startEmulator({ durationMs: 300 });
    ws = cliWorkspace();
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'aivideo-cli-install-')));
    tarball = npm(['run', '--silent', 'package:cli'], ROOT).trim().split('\n').pop()!;
    // Installed offline into an empty folder, with an empty npm cache: nothing can come from a registry.
    const env = { ...process.env, npm_config_cache: path.join(dir, 'npm-cache'), npm_config_update_notifier: 'false' };
    npm(['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], dir, env);
    bin = path.join(dir, 'node_modules', '.bin', 'ai-video-studio');
  });
  after(async () => {
    await em.close();
    ws.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('holds one bundled file and a package.json with the bin and no dependencies, and installs alone', function () {
    assert.ok(fs.existsSync(tarball), tarball);
    const listing = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n').sort();
    assert.deepStrictEqual(listing, ['package/LICENSE', 'package/README.md', 'package/cli.js', 'package/package.json']);
    const pkg = JSON.parse(execFileSync('tar', ['xzOf', tarball, 'package/package.json'], { encoding: 'utf8' })) as Record<string, unknown>;
    assert.deepStrictEqual(pkg.bin, { 'ai-video-studio': 'cli.js' });
    assert.strictEqual(pkg.dependencies, undefined);
    assert.ok(fs.existsSync(bin), 'the bin is linked');
    const installed = fs.readdirSync(path.join(dir, 'node_modules')).filter((f) => !f.startsWith('.'));
    assert.deepStrictEqual(installed, ['ai-video-studio-cli'], 'nothing else was installed');
  });

  it('the installed bin renders a two-shot storyboard against the emulator', async function () {
    const r = await runProcess(bin, ['render', ws.file, '--yes', '--json'], cliEnv(em.baseUrl, ws), ws.root);
    assert.strictEqual(r.code, EXIT.ok, r.stderr);
    const result = JSON.parse(r.stdout) as { shots: { id: string; state: string }[]; output: string };
    assert.deepStrictEqual(
      result.shots.map((s) => `${s.id}:${s.state}`),
      ['opening:rendered', 'drift:rendered'],
    );
    assert.strictEqual(result.output, ws.film);
    assert.ok(fs.statSync(ws.film).size > 0);
    assert.ok(fs.existsSync(ws.lockfile));
    assert.strictEqual(em.counts()['pika.generate'], 2);
  });
});
