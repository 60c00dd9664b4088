// The CLI against the emulator: a two-shot storyboard renders (2 creates, a film, a lockfile) and
// re-renders nothing; a dry run and a run without --yes send nothing; --budget, a missing key and a
// missing ffmpeg refuse before anything is sent, naming the reason; bad arguments exit 2; --json
// puts only the result object on stdout of the real bundle.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

import { EXIT } from '../../../src/cli/args';
import { startEmulator, type Emulator } from '../../../src/emulator/server';
import { cliEnv, cliWorkspace, runInProcess, runProcess, type CliWorkspace } from '../../support/cliRun';
import { ROOT } from '../../support/paths';

const CLI = path.join(ROOT, 'dist', 'cli.js');

describe('cli: render against the emulator', function () {
  this.timeout(60_000);
  let em: Emulator;
  let ws: CliWorkspace;
  const creates = () => em.counts()['pika.generate'] ?? 0;

  before(async () => {
    em = await startEmulator({ durationMs: 300, clips: 'generated' });
  });
  after(async () => {
    await em.close();
  });
  beforeEach(() => {
    em.resetCounts();
    ws = cliWorkspace();
  });
  afterEach(() => ws.dispose());

  it('renders a two-shot storyboard: 2 creates, the shots, the film and the lockfile; again: 0 creates, exit 0', async function () {
    const first = await runInProcess(['render', 'boards/film.md', '--yes'], cliEnv(em.baseUrl, ws), ws.root);
    assert.strictEqual(first.code, EXIT.ok, first.stderr);
    assert.strictEqual(creates(), 2);
    assert.strictEqual(first.stdout, '', 'without --json nothing goes to stdout');
    assert.match(first.stderr, /^ {2}opening +rendered/m);
    assert.match(first.stderr, /^ {2}drift +rendered/m);
    assert.match(first.stderr, /^ {2}film +written +generated-videos\/film\.mp4$/m);
    for (const f of [
      ws.film,
      path.join(ws.root, 'generated-videos', 'film', 'opening.mp4'),
      path.join(ws.root, 'generated-videos', 'film', 'drift.mp4'),
    ]) {
      assert.ok(fs.statSync(f).size > 0, f);
    }
    // The second shot started on the first one's last frame: its create carried an image.
    const [opening, drift] = em.requests('pika.generate').map((r) => r.body as Record<string, unknown>);
    assert.strictEqual(opening.image, undefined);
    assert.strictEqual(typeof drift.image, 'string');
    assert.ok(Buffer.from(String(drift.image), 'base64').subarray(1, 4).toString() === 'PNG', 'the last frame, as a PNG');
    const lockText = fs.readFileSync(ws.lockfile, 'utf8');
    const lock = JSON.parse(lockText) as {
      shots: Record<string, { output: string; provider: string; sha256: string }>;
      film: { output: string; sha256: string };
    };
    assert.notStrictEqual(lock.shots.opening.sha256, lock.shots.drift.sha256, 'two distinct takes');
    assert.deepStrictEqual(Object.keys(lock.shots).sort(), ['drift', 'opening']);
    assert.strictEqual(lock.shots.drift.output, 'generated-videos/film/drift.mp4', 'paths in the lockfile are relative to the root');
    assert.strictEqual(lock.film.output, 'generated-videos/film.mp4');
    const filmStat = fs.statSync(ws.film);

    const again = await runInProcess(['render', 'boards/film.md', '--yes'], cliEnv(em.baseUrl, ws), ws.root);
    assert.strictEqual(again.code, EXIT.ok, again.stderr);
    assert.strictEqual(creates(), 2, 'an unchanged storyboard sends nothing');
    assert.match(again.stderr, /^ {2}opening +cached/m);
    assert.match(again.stderr, /^ {2}film +cached/m);
    assert.strictEqual(fs.readFileSync(ws.lockfile, 'utf8'), lockText, 'and rewrites nothing');
    assert.strictEqual(fs.statSync(ws.film).mtimeMs, filmStat.mtimeMs);
    // The task history and downloads are under the state folder, not in the workspace.
    assert.ok(fs.readdirSync(path.join(ws.state, 'ai-video-studio')).some((f) => f.startsWith('tasks')));
  });

  it('a dry run, and a run without --yes, plan and quote and send nothing', async function () {
    for (const argv of [
      ['render', ws.file, '--dry-run', '--json'],
      ['render', ws.file, '--json'],
      ['quote', ws.file, '--json'],
    ]) {
      const r = await runInProcess(argv, cliEnv(em.baseUrl, ws, { AIVIDEO_PRICES: '{"pika":{"perVideo":0.25}}' }), path.dirname(ws.file));
      assert.strictEqual(r.code, EXIT.ok, `${argv.join(' ')}: ${r.stderr}`);
      const result = JSON.parse(r.stdout) as { quote: { amount: number }; shots: { id: string; state: string }[]; output?: string };
      assert.deepStrictEqual(
        result.shots.map((s) => `${s.id}:${s.state}`),
        ['opening:planned', 'drift:planned'],
      );
      assert.strictEqual(result.quote.amount, 0.5);
      assert.strictEqual(result.output, undefined);
      assert.match(r.stderr, /^ {2}opening +planned +\$0\.25/m);
    }
    assert.strictEqual(creates(), 0);
    assert.ok(!fs.existsSync(ws.lockfile), 'a dry run writes nothing');
    assert.ok(!fs.existsSync(path.join(ws.root, 'generated-videos')));
  });

  it('--budget refuses a run quoted over it before sending anything, naming "budget"', async function () {
    const env = cliEnv(em.baseUrl, ws, { AIVIDEO_PRICES: '{"pika":{"perVideo":0.5}}' });
    const r = await runInProcess(['render', ws.file, '--yes', '--budget', '0.75', '--json'], env, ws.root);
    assert.strictEqual(r.code, EXIT.refused);
    assert.match(r.stderr, /budget/);
    assert.match(r.stderr, /\$1\.00/);
    assert.strictEqual(JSON.parse(r.stdout).refused, 'budget');
    assert.strictEqual(creates(), 0);
    assert.ok(!fs.existsSync(ws.lockfile));
    const ok = await runInProcess(['render', ws.file, '--yes', '--budget', '1'], env, ws.root);
    assert.strictEqual(ok.code, EXIT.ok, ok.stderr);
    assert.strictEqual(creates(), 2);
    // Each charge went into the CLI's own ledger, as the CLI's.
    const ledger = fs
      .readFileSync(path.join(ws.state, 'ai-video-studio', 'ledger.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { who: string; amount: number; provider: string });
    assert.deepStrictEqual(
      ledger.map((l) => `${l.who}:${l.provider}:${l.amount}`),
      ['cli:pika:0.5', 'cli:pika:0.5'],
    );
  });

  it('a missing key refuses before anything is sent, naming "key" and the variables to set', async function () {
    const r = await runInProcess(['render', ws.file, '--yes'], cliEnv(em.baseUrl, ws, { AIVIDEO_PIKA_API_KEY: undefined }), ws.root);
    assert.strictEqual(r.code, EXIT.refused);
    assert.match(r.stderr, /\(key\)/);
    assert.match(r.stderr, /AIVIDEO_PIKA_API_KEY/);
    assert.strictEqual(creates(), 0);
  });

  it('a missing ffmpeg refuses before anything is sent, naming "ffmpeg" and AIVIDEO_FFMPEG_PATH', async function () {
    const env = cliEnv(em.baseUrl, ws, { AIVIDEO_FFMPEG_PATH: path.join(ws.root, 'no-such-ffmpeg') });
    const r = await runInProcess(['render', ws.file, '--yes'], env, ws.root);
    assert.strictEqual(r.code, EXIT.refused);
    assert.match(r.stderr, /\(ffmpeg\)/);
    assert.match(r.stderr, /AIVIDEO_FFMPEG_PATH/);
    assert.match(r.stderr, /apt-get install ffmpeg/);
    assert.strictEqual(creates(), 0);
    // With no ffmpeg on the PATH either.
    const bare = await runInProcess(
      ['render', ws.file, '--yes'],
      cliEnv(em.baseUrl, ws, { PATH: path.join(ws.root, 'empty-bin') }),
      ws.root,
    );
    assert.strictEqual(bare.code, EXIT.refused);
    assert.match(bare.stderr, /\(ffmpeg\)/);
    assert.strictEqual(creates(), 0);
  });

  it('a failed shot exits non-zero, skips the shot after it and writes no film', async function () {
    fs.writeFileSync(ws.file, fs.readFileSync(ws.file, 'utf8').replace('A paper boat on a rainy street', 'A paper boat [fail]'));
    const r = await runInProcess(['render', ws.file, '--yes', '--json'], cliEnv(em.baseUrl, ws), ws.root);
    assert.strictEqual(r.code, EXIT.failed, r.stderr);
    const result = JSON.parse(r.stdout) as { shots: { id: string; state: string }[]; output?: string };
    assert.deepStrictEqual(
      result.shots.map((s) => `${s.id}:${s.state}`),
      ['opening:failed', 'drift:skipped'],
    );
    assert.strictEqual(result.output, undefined);
    assert.match(r.stderr, /^ {2}opening +failed +\S/m);
    assert.ok(!fs.existsSync(ws.film));
  });

  it('a storyboard with errors exits 1 naming the file and the line, and sends nothing', async function () {
    fs.writeFileSync(ws.file, fs.readFileSync(ws.file, 'utf8').replace('after: opening', 'after: nowhere'));
    const r = await runInProcess(['render', 'boards/film.md', '--yes', '--json'], cliEnv(em.baseUrl, ws), ws.root);
    assert.strictEqual(r.code, EXIT.failed);
    assert.match(r.stderr, /^boards\/film\.md: Line 12: .*nowhere/m);
    assert.match(JSON.parse(r.stdout).error, /nowhere/);
    assert.strictEqual(creates(), 0);
  });

  it('quote prints the quote alone on stdout', async function () {
    const env = cliEnv(em.baseUrl, ws, { AIVIDEO_PRICES: '{"pika":{"perVideo":0.25}}' });
    const r = await runInProcess(['quote', ws.file], env, ws.root);
    assert.strictEqual(r.code, EXIT.ok, r.stderr);
    assert.strictEqual(r.stdout, '$0.50\n');
    const unknown = await runInProcess(['quote', ws.file], cliEnv(em.baseUrl, ws), ws.root);
    assert.strictEqual(unknown.stdout, 'price unknown\n');
    assert.strictEqual(creates(), 0);
  });

  it('stopped (Ctrl-C) once the first shot was sent: that shot finishes and is kept, the next is not sent, exit 1', async function () {
    const abort = new AbortController();
    const run = runInProcess(['render', ws.file, '--yes', '--json'], cliEnv(em.baseUrl, ws), ws.root, abort.signal);
    while (creates() < 1) await new Promise((r) => setTimeout(r, 10));
    abort.abort();
    const r = await run;
    assert.strictEqual(r.code, EXIT.failed, r.stderr);
    const result = JSON.parse(r.stdout) as { shots: { id: string; state: string }[]; output?: string };
    assert.deepStrictEqual(
      result.shots.map((s) => `${s.id}:${s.state}`),
      ['opening:rendered', 'drift:skipped'],
    );
    assert.strictEqual(creates(), 1);
    assert.ok(fs.existsSync(path.join(ws.root, 'generated-videos', 'film', 'opening.mp4')));
    assert.ok(fs.existsSync(ws.lockfile), 'the kept shot is in the lockfile');
  });

  describe('the bundle, dist/cli.js, as a process', function () {
    it('bad arguments exit 2 with a message on stderr and nothing on stdout', async function () {
      for (const argv of [[], ['render'], ['render', ws.file, '--budget', 'lots'], ['paint', ws.file], ['render', ws.file, '--colour']]) {
        const r = await runProcess(process.execPath, [CLI, ...argv], cliEnv(em.baseUrl, ws), ws.root);
        assert.strictEqual(r.code, EXIT.usage, argv.join(' '));
        assert.match(r.stderr, /^ai-video-studio: .+\n.*--help/, argv.join(' '));
        assert.strictEqual(r.stdout, '');
      }
      const help = await runProcess(process.execPath, [CLI, '--help'], cliEnv(em.baseUrl, ws), ws.root);
      assert.strictEqual(help.code, EXIT.ok);
      assert.match(help.stdout, /ai-video-studio render <file\.md>/);
    });

    it('--json prints only the result object on stdout, progress on stderr, with the film’s absolute path', async function () {
      const r = await runProcess(process.execPath, [CLI, 'render', ws.file, '--yes', '--json'], cliEnv(em.baseUrl, ws), ws.root);
      assert.strictEqual(r.code, EXIT.ok, r.stderr);
      const lines = r.stdout.split('\n').filter(Boolean);
      assert.strictEqual(lines.length, 1, `stdout: ${r.stdout}`);
      const result = JSON.parse(lines[0]) as { quote: { currency: string }; shots: { state: string }[]; output: string };
      assert.deepStrictEqual(Object.keys(result).sort(), ['output', 'quote', 'shots']);
      assert.strictEqual(result.output, ws.film);
      assert.ok(path.isAbsolute(result.output));
      assert.deepStrictEqual(
        result.shots.map((s) => s.state),
        ['rendered', 'rendered'],
      );
      assert.match(r.stderr, /^ {2}drift +rendered/m);
      assert.strictEqual(creates(), 2);
    });
  });
});
