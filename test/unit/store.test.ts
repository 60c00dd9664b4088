import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomic, withFileLock } from '../../src/core/atomicFile';
import { Lease } from '../../src/core/lease';
import { TaskStore } from '../../src/core/store';
import { validateStoredTask } from '../../src/core/taskValidation';
import { Task } from '../../src/core/types';
import { assertNoUnhandledRejections, sleep, tempDir } from './engineHarness';

function task(id: string, patch: Partial<Task> = {}): Task {
  return {
    id,
    provider: 'pika',
    remoteId: `r-${id}`,
    mode: 'text-to-video',
    status: 'running',
    progress: 10,
    prompt: `prompt ${id}`,
    model: '1.5',
    createdAt: 1000,
    updatedAt: 1000,
    videos: [],
    request: { provider: 'pika', prompt: `prompt ${id}` },
    ...patch,
  };
}

describe('task store', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = tempDir('aivideo-store-');
    file = path.join(dir, 'tasks.json');
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    assertNoUnhandledRejections();
  });

  const others = () => fs.readdirSync(dir).filter((f) => f !== 'tasks.json');

  it('round-trips tasks and starts empty without a file', async () => {
    const store = new TaskStore(file);
    assert.deepStrictEqual(await store.load(), { tasks: [], removed: [], resumedAt: {} });
    const t = task('a', { status: 'succeeded', videos: [{ url: 'https://cdn/x.mp4', localPath: '/tmp/x.mp4', seed: 3 }], finishedAt: 2000, error: 'partly' });
    await store.save([t]);
    const loaded = await new TaskStore(file).load();
    assert.deepStrictEqual(loaded.tasks, [t]);
    assert.deepStrictEqual(others(), [], 'no temp or lock file left behind');
  });

  it('merges by updatedAt: an older copy never overwrites a newer one', async () => {
    const a = new TaskStore(file);
    const b = new TaskStore(file);
    await a.save([task('x', { progress: 10, updatedAt: 10 })]);
    const merged = await b.save([task('x', { progress: 60, updatedAt: 20 }), task('y')]);
    assert.deepStrictEqual(merged.tasks.map((t) => [t.id, t.progress]), [['x', 60], ['y', 10]]);
    const again = await a.save([task('x', { progress: 30, updatedAt: 15 })]);
    assert.strictEqual(again.tasks.find((t) => t.id === 'x')!.progress, 60, 'the newer copy on disk wins');
    assert.strictEqual((await a.load()).tasks.length, 2, "the other writer's task is kept");
  });

  it('removals stick: a window that still holds the task cannot resurrect it', async () => {
    const a = new TaskStore(file);
    const b = new TaskStore(file);
    await a.save([task('x'), task('y')]);
    await a.save([task('y')], { removed: ['x'] });
    const merged = await b.save([task('x', { updatedAt: 99_999 }), task('y')]);
    assert.deepStrictEqual(merged.tasks.map((t) => t.id), ['y']);
    assert.deepStrictEqual(merged.removed, ['x']);
    const loaded = await new TaskStore(file).load();
    assert.deepStrictEqual(loaded.tasks.map((t) => t.id), ['y']);
    assert.deepStrictEqual(loaded.removed, ['x']);
  });

  it('keeps resume times for active tasks only', async () => {
    const store = new TaskStore(file);
    await store.save([task('x'), task('done', { status: 'failed' })], { resumedAt: { x: 5000, done: 6000, gone: 7000 } });
    assert.deepStrictEqual((await store.load()).resumedAt, { x: 5000 });
  });

  it('concurrent writers in one process lose nothing (read-merge-write under a lock)', async () => {
    const stores = [new TaskStore(file), new TaskStore(file), new TaskStore(file)];
    await Promise.all(stores.flatMap((s, i) => Array.from({ length: 15 }, (_, j) => s.save([task(`s${i}-t${j}`)]))));
    const loaded = await new TaskStore(file).load();
    assert.strictEqual(loaded.tasks.length, 45);
    assert.deepStrictEqual(others(), []);
  });

  it('two processes writing at once lose nothing and never leave a half-written file', async function () {
    this.timeout(20_000);
    const storeModule = path.resolve(__dirname, '../../src/core/store.js');
    const script = `
      const { TaskStore } = require(${JSON.stringify(storeModule)});
      const store = new TaskStore(process.argv[1]);
      const t = (id) => ({ id, provider: 'pika', remoteId: 'r' + id, mode: 'text-to-video', status: 'running', progress: 0, prompt: id, model: '1.5', createdAt: 1, updatedAt: 1, videos: [], request: { provider: 'pika', prompt: id } });
      (async () => { for (let i = 0; i < 80; i++) await store.save([t('child-' + i)]); })().catch((e) => { console.error(e); process.exit(1); });
    `;
    const child = spawn(process.execPath, ['-e', script, file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
    const store = new TaskStore(file);
    let reads = 0;
    // Start writing once the child has begun, so the two really overlap.
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (fs.existsSync(file)) {
          clearInterval(poll);
          resolve();
        }
      }, 2);
    });
    for (let i = 0; i < 80; i++) {
      await store.save([task(`parent-${i}`)]);
      if (fs.existsSync(file)) {
        JSON.parse(fs.readFileSync(file, 'utf8'));
        reads++;
      }
    }
    assert.strictEqual(await exited, 0, stderr);
    const loaded = await new TaskStore(file).load();
    assert.strictEqual(loaded.tasks.length, 160, `all writes kept (${loaded.tasks.length})`);
    assert.ok(reads > 0);
    assert.deepStrictEqual(others(), []);
  });

  it('tells whether another writer replaced the file since it last looked (a stat, not a read)', async () => {
    const a = new TaskStore(file);
    const b = new TaskStore(file);
    assert.strictEqual(await a.changedOnDisk(), true, 'never looked');
    await a.load();
    assert.strictEqual(await a.changedOnDisk(), false);
    await a.save([task('x')]);
    assert.strictEqual(await a.changedOnDisk(), false, 'its own write');
    await b.save([task('y')]);
    assert.strictEqual(await a.changedOnDisk(), true, "the other store's write");
    await a.load();
    assert.strictEqual(await a.changedOnDisk(), false);
  });

  it('moves a corrupt file aside with a clear warning, keeping its content, and starts over', async () => {
    fs.writeFileSync(file, '{"version":1,"tasks":[{"id":');
    const store = new TaskStore(file, () => 1234);
    const r = await store.load();
    assert.deepStrictEqual(r.tasks, []);
    assert.match(r.warning!, /^The task history file was unreadable \(.+\); it was moved aside to tasks\.json\.corrupt-1234 and a new one started\.$/);
    assert.strictEqual(fs.readFileSync(path.join(dir, 'tasks.json.corrupt-1234'), 'utf8'), '{"version":1,"tasks":[{"id":');
    assert.ok(!fs.existsSync(file));
    await store.save([task('x')]);
    assert.strictEqual((await store.load()).tasks.length, 1);
  });

  it('a file that went corrupt between loads is moved aside by the next save, which still writes', async () => {
    const store = new TaskStore(file, () => 42);
    await store.save([task('x')]);
    fs.writeFileSync(file, 'garbage');
    const r = await store.save([task('x'), task('y')]);
    assert.match(r.warning!, /moved aside to tasks\.json\.corrupt-42/);
    assert.deepStrictEqual((await store.load()).tasks.map((t) => t.id), ['x', 'y']);
  });

  it('refuses files of a newer version (moved aside, not misread)', async () => {
    fs.writeFileSync(file, JSON.stringify({ version: 99, tasks: [] }));
    const r = await new TaskStore(file).load();
    assert.match(r.warning!, /unsupported version 99/);
  });

  it('drops malformed entries field by field instead of trusting them', async () => {
    fs.writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        tasks: [
          task('good', { progress: 250, videos: [{ url: 'https://cdn/a.mp4', seed: 'x' } as never, { nope: 1 } as never] }),
          { ...task('bad-provider'), provider: '../Evil provider' },
          { ...task('bad-status'), status: 'exploded' },
          { id: 'no-times', provider: 'pika', status: 'running' },
          'not an object',
        ],
        removed: { old: 5, junk: 'x' },
      }),
    );
    const r = await new TaskStore(file).load();
    assert.deepStrictEqual(r.tasks.map((t) => t.id), ['good']);
    assert.strictEqual(r.tasks[0].progress, 100);
    assert.deepStrictEqual(r.tasks[0].videos, [{ url: 'https://cdn/a.mp4' }]);
    assert.deepStrictEqual(r.removed, ['old']);
    assert.strictEqual(validateStoredTask({ ...task('t'), timedOut: 'yes', uncertain: true })!.timedOut, undefined);
    assert.strictEqual(validateStoredTask({ ...task('t'), errorKind: 'exploded' })!.errorKind, undefined);
    assert.strictEqual(validateStoredTask({ ...task('t'), errorKind: 'auth' })!.errorKind, 'auth');
    // A provider this build does not register is kept (and not polled), not dropped.
    assert.strictEqual(validateStoredTask({ ...task('t'), provider: 'retired' })!.provider, 'retired');
  });

  it('an unwritable location rejects the save and leaves no temp file', async () => {
    fs.writeFileSync(path.join(dir, 'blocker'), 'a file, not a folder');
    const store = new TaskStore(path.join(dir, 'blocker', 'tasks.json'));
    await assert.rejects(store.save([task('x')]));
    await store.flush();
    assert.deepStrictEqual(fs.readdirSync(dir), ['blocker']);
  });
});

describe('atomic file primitives', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir('aivideo-atomic-')));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('readers never see a partly written file', async () => {
    const file = path.join(dir, 'f.json');
    const big = (n: number) => JSON.stringify({ n, pad: 'x'.repeat(200_000) });
    await writeFileAtomic(file, big(0));
    let stop = false;
    let reads = 0;
    const reader = (async () => {
      while (!stop) {
        JSON.parse(fs.readFileSync(file, 'utf8'));
        reads++;
        await new Promise((r) => setImmediate(r));
      }
    })();
    for (let i = 1; i < 30; i++) await writeFileAtomic(file, big(i));
    stop = true;
    await reader;
    assert.ok(reads > 0);
    assert.deepStrictEqual(fs.readdirSync(dir), ['f.json']);
  });

  it('a lock serializes critical sections and a stale lock is broken', async () => {
    const lock = path.join(dir, 'x.lock');
    let inside = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 5 }, () =>
        withFileLock(lock, async () => {
          inside++;
          peak = Math.max(peak, inside);
          await sleep(5);
          inside--;
        }),
      ),
    );
    assert.strictEqual(peak, 1);
    fs.writeFileSync(lock, '');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lock, old, old);
    assert.strictEqual(await withFileLock(lock, async () => 'got it', { staleMs: 1000 }), 'got it');
    assert.ok(!fs.existsSync(lock));
  });
});

describe('polling lease', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = tempDir('aivideo-lease-');
    file = path.join(dir, 'tasks.lease');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const lease = (owner: string, now?: () => number) => new Lease({ file, owner, renewMs: 1000, now });

  it('one holder at a time; the holder renews; release frees it at once', async () => {
    const a = lease('a');
    const b = lease('b');
    assert.strictEqual(await a.acquire(), true);
    const first = await a.current();
    assert.strictEqual(first!.owner, 'a');
    assert.ok(first!.expiresAt > Date.now() + 2000, 'valid for three renew periods');
    assert.strictEqual(await b.acquire(), false);
    await sleep(10);
    assert.strictEqual(await a.acquire(), true, 'renewed');
    assert.ok((await a.current())!.expiresAt > first!.expiresAt);
    await b.release();
    assert.strictEqual((await a.current())!.owner, 'a', "releasing someone else's lease does nothing");
    await a.release();
    assert.ok(!fs.existsSync(file));
    assert.strictEqual(await b.acquire(), true);
    assert.deepStrictEqual(fs.readdirSync(dir), ['tasks.lease']);
  });

  it('a lease not renewed for three periods is taken over; the old holder then stands down', async () => {
    let clock = 1_000_000;
    const a = lease('a', () => clock);
    const b = lease('b', () => clock);
    assert.strictEqual(await a.acquire(), true);
    clock += 2999;
    assert.strictEqual(await b.acquire(), false);
    clock += 2;
    assert.strictEqual(await b.acquire(), true);
    assert.strictEqual(await a.acquire(), false, 'a sees b holds it now');
    assert.strictEqual(a.isHeld, false);
  });

  it('many windows racing for a free or abandoned lease: exactly one wins', async () => {
    for (const abandoned of [false, true]) {
      if (abandoned) fs.writeFileSync(file, JSON.stringify({ owner: 'dead', expiresAt: Date.now() - 1, pid: 1 }));
      else fs.rmSync(file, { force: true });
      const racers = Array.from({ length: 8 }, (_, i) => lease(`w${i}`));
      const won = await Promise.all(racers.map((l) => l.acquire()));
      assert.strictEqual(won.filter(Boolean).length, 1, `${abandoned ? 'abandoned' : 'free'} lease: ${won}`);
      const holder = racers[won.indexOf(true)];
      assert.strictEqual((await holder.current())!.owner, holder.owner);
      assert.deepStrictEqual(fs.readdirSync(dir), ['tasks.lease'], 'no temp files left');
    }
  });

  it('an unreadable lease file is respected while fresh and replaced once stale', async () => {
    fs.writeFileSync(file, 'garbage');
    assert.strictEqual(await lease('a').acquire(), false);
    const old = new Date(Date.now() - 10_000);
    fs.utimesSync(file, old, old);
    assert.strictEqual(await lease('a').acquire(), true);
  });
});
