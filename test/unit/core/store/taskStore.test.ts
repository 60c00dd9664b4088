import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import { Task } from '../../../../src/core/model/task';
import { Lease } from '../../../../src/core/polling/pollingLease';
import { withFileLock, writeFileAtomic } from '../../../../src/core/store/atomicFile';
import { parseJournal } from '../../../../src/core/store/taskJournal';
import { TaskStore } from '../../../../src/core/store/taskStore';
import { validateStoredTask } from '../../../../src/core/store/taskValidation';
import { assertNoUnhandledRejections, sleep, tempDir } from '../../../support/engineHarness';

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

const journalLines = (file: string) => fs.readFileSync(file, 'utf8').split('\n').slice(0, -1);

describe('task store', () => {
  let dir: string;
  let legacy: string;
  let file: string;

  beforeEach(() => {
    dir = tempDir('aivideo-store-');
    legacy = path.join(dir, 'tasks.json');
    file = new TaskStore(legacy).file;
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    assertNoUnhandledRejections();
  });

  const others = () => fs.readdirSync(dir).filter((f) => f !== 'tasks.jsonl');

  it('round-trips tasks and starts empty without a file', async () => {
    const store = new TaskStore(legacy);
    assert.strictEqual(store.file, path.join(dir, 'tasks.jsonl'));
    assert.deepStrictEqual(await store.load(), { tasks: [], removed: [], resumedAt: {} });
    const t = task('a', {
      status: 'succeeded',
      videos: [{ url: 'https://cdn/x.mp4', localPath: '/tmp/x.mp4', seed: 3 }],
      finishedAt: 2000,
      error: 'partly',
    });
    await store.save([t]);
    const loaded = await new TaskStore(legacy).load();
    assert.deepStrictEqual(loaded.tasks, [t]);
    assert.deepStrictEqual(others(), [], 'no temp or lock file left behind');
  });

  it('merges by updatedAt: an older copy never overwrites a newer one', async () => {
    const a = new TaskStore(legacy);
    const b = new TaskStore(legacy);
    await a.save([task('x', { progress: 10, updatedAt: 10 })]);
    const merged = await b.save([task('x', { progress: 60, updatedAt: 20 }), task('y')]);
    assert.deepStrictEqual(
      merged.tasks.map((t) => [t.id, t.progress]),
      [
        ['x', 60],
        ['y', 10],
      ],
    );
    const again = await a.save([task('x', { progress: 30, updatedAt: 15 })]);
    assert.strictEqual(again.tasks.find((t) => t.id === 'x')!.progress, 60, 'the newer copy on disk wins');
    assert.strictEqual((await a.load()).tasks.length, 2, "the other writer's task is kept");
    assert.strictEqual((await new TaskStore(legacy).load()).tasks.find((t) => t.id === 'x')!.progress, 60);
  });

  it('removals stick: a window that still holds the task cannot resurrect it', async () => {
    const a = new TaskStore(legacy);
    const b = new TaskStore(legacy);
    await a.save([task('x'), task('y')]);
    await a.save([task('y')], { removed: ['x'] });
    const merged = await b.save([task('x', { updatedAt: 99_999 }), task('y')]);
    assert.deepStrictEqual(
      merged.tasks.map((t) => t.id),
      ['y'],
    );
    assert.deepStrictEqual(merged.removed, ['x']);
    const loaded = await new TaskStore(legacy).load();
    assert.deepStrictEqual(
      loaded.tasks.map((t) => t.id),
      ['y'],
    );
    assert.deepStrictEqual(loaded.removed, ['x']);
  });

  it('keeps resume times for active tasks only', async () => {
    const store = new TaskStore(legacy);
    await store.save([task('x'), task('done', { status: 'failed' })], { resumedAt: { x: 5000, done: 6000, gone: 7000 } });
    assert.deepStrictEqual((await store.load()).resumedAt, { x: 5000 });
    assert.deepStrictEqual((await new TaskStore(legacy).load()).resumedAt, { x: 5000 });
  });

  it('a save appends only what changed: one line per changed task, nothing when nothing changed', async () => {
    const store = new TaskStore(legacy);
    const tasks = Array.from({ length: 500 }, (_, i) => task(`t${i}`, { createdAt: i }));
    await store.save(tasks);
    const before = fs.statSync(file);
    await store.save(tasks);
    assert.strictEqual(fs.statSync(file).size, before.size, 'an unchanged list writes nothing');
    tasks[250] = { ...tasks[250], progress: 77, updatedAt: 2000 };
    await store.save(tasks, { removed: ['t3'] });
    const after = fs.statSync(file);
    assert.strictEqual(after.ino, before.ino, 'appended, not replaced');
    const added = journalLines(file).slice(-2);
    assert.deepStrictEqual(
      added.map((l) => JSON.parse(l) as unknown),
      [{ removed: 't3', at: (JSON.parse(added[0]) as { at: number }).at }, { task: tasks[250] }],
    );
    assert.strictEqual(after.size - before.size, Buffer.byteLength(`${added.join('\n')}\n`));
    const loaded = await new TaskStore(legacy).load();
    assert.strictEqual(loaded.tasks.length, 499);
    assert.strictEqual(loaded.tasks.find((t) => t.id === 't250')!.progress, 77);
  });

  it('reads only the tail another window appended, not the whole file again', async () => {
    const a = new TaskStore(legacy);
    const b = new TaskStore(legacy);
    await a.save([task('first'), task('second')]);
    await b.load();
    // Damage the first task's line in place (same size, same file): a reader that re-reads the
    // whole file would lose that task; one that reads the tail never looks at it again.
    const text = fs.readFileSync(file, 'utf8');
    const start = text.indexOf('{"task":{"id":"first"');
    assert.ok(start > 0, 'the task is a line of the journal');
    const end = text.indexOf('\n', start);
    fs.writeFileSync(file, text.slice(0, start) + '#'.repeat(end - start) + text.slice(end));
    await a.save([task('first'), task('second'), task('third')]);
    assert.strictEqual(await b.changedOnDisk(), true);
    const seen = await b.load();
    assert.deepStrictEqual(
      seen.tasks.map((t) => t.id),
      ['first', 'second', 'third'],
    );
    assert.strictEqual(seen.warning, undefined);
  });

  it('loads and saves of one store interleaved keep its reading position right', async () => {
    const a = new TaskStore(legacy);
    const b = new TaskStore(legacy);
    const tasks = Array.from({ length: 30 }, (_, i) => task(`t${i}`));
    await a.save(tasks);
    for (let i = 0; i < 30; i++) {
      tasks[i] = { ...tasks[i], progress: 50, updatedAt: 2000 + i };
      await Promise.all([a.save(tasks), a.load(), b.save([task(`b${i}`)]), a.load()]);
    }
    await b.save([task('last')]);
    const seen = await a.load();
    const fresh = await new TaskStore(legacy).load();
    assert.strictEqual(fresh.tasks.length, 61);
    assert.deepStrictEqual(seen.tasks.map((t) => [t.id, t.updatedAt]).sort(), fresh.tasks.map((t) => [t.id, t.updatedAt]).sort());
  });

  it('a reader whose file was replaced under the same inode starts over instead of reading a stale tail', async () => {
    const a = new TaskStore(legacy);
    const b = new TaskStore(legacy);
    await a.save([task('old-1'), task('old-2')]);
    await b.load();
    const ino = fs.statSync(file).ino;
    // Another journal (new generation) written into the same inode, longer than b's offset.
    const other = path.join(dir, 'other.json');
    await new TaskStore(other).save(Array.from({ length: 20 }, (_, i) => task(`new-${i}`)));
    fs.writeFileSync(file, fs.readFileSync(new TaskStore(other).file));
    assert.strictEqual(fs.statSync(file).ino, ino);
    const seen = await b.load();
    assert.deepStrictEqual(
      seen.tasks.map((t) => t.id),
      Array.from({ length: 20 }, (_, i) => `new-${i}`),
    );
  });

  it('a torn last line (a crash mid-append) is ignored, and cut off by the next save', async () => {
    const store = new TaskStore(legacy);
    await store.save([task('x'), task('y')]);
    fs.appendFileSync(file, '{"task":{"id":"z","provider":"pika","sta');
    const loaded = await new TaskStore(legacy).load();
    assert.deepStrictEqual(
      loaded.tasks.map((t) => t.id),
      ['x', 'y'],
    );
    assert.strictEqual(loaded.warning, undefined);
    const other = new TaskStore(legacy);
    await other.load();
    await other.save([task('x'), task('y'), task('w')]);
    const lines = journalLines(file);
    assert.ok(fs.readFileSync(file, 'utf8').endsWith('\n'));
    for (const l of lines) JSON.parse(l);
    assert.deepStrictEqual(
      (await new TaskStore(legacy).load()).tasks.map((t) => t.id),
      ['x', 'y', 'w'],
    );
  });

  it('a damaged line in the middle of the journal is kept, the user is warned once, and the file is backed up before a compaction', async () => {
    const opts = { compactAboveBytes: 8 * 1024 };
    await new TaskStore(legacy, Date.now, opts).save([task('a'), task('b'), task('c')]);
    const [header, a, b, c] = journalLines(file);
    // Task b's only record, damaged in place (a bad sector, a stray edit): no longer JSON.
    const damaged = `${b.slice(0, 30)}\u0000\u0000${b.slice(32)}`;
    fs.writeFileSync(file, `${[header, a, damaged, c].join('\n')}\n`);
    const damagedText = fs.readFileSync(file, 'utf8');

    const store = new TaskStore(legacy, Date.now, opts);
    const first = await store.load();
    assert.deepStrictEqual(
      first.tasks.map((t) => t.id),
      ['a', 'c'],
    );
    assert.match(first.warning ?? '', /1 damaged line/);
    assert.strictEqual((await store.load()).warning, undefined, 'warned once');
    // Enough updates that the journal is compacted, more than once.
    let tasks = first.tasks;
    const headers = new Set([header]);
    for (let i = 1; i <= 120; i++) {
      tasks = tasks.map((t) => ({ ...t, prompt: 'p'.repeat(300), progress: i % 100, updatedAt: 2000 + i }));
      const r = await store.save(tasks);
      assert.strictEqual(r.warning, undefined, 'warned once');
      headers.add(journalLines(file)[0]);
    }
    assert.ok(headers.size > 2, 'compacted');
    assert.ok(journalLines(file).includes(damaged), 'the damaged line outlives the compactions, as it was');
    const backups = others().filter((f) => f.includes('damaged'));
    assert.strictEqual(backups.length, 1, `one backup (${others().join(', ')})`);
    assert.ok(
      fs.readFileSync(path.join(dir, backups[0]), 'utf8').startsWith(damagedText),
      'the backup is the file as it was before the first compaction',
    );
    const reopened = await new TaskStore(legacy, Date.now, opts).load();
    assert.deepStrictEqual(
      reopened.tasks.map((t) => t.id),
      ['a', 'c'],
    );
    assert.match(reopened.warning ?? '', /damaged/, 'a new window is warned too');
  });

  it('compacts a journal that is mostly superseded lines, atomically, and other windows follow', async () => {
    const opts = { compactAboveBytes: 16 * 1024 };
    const a = new TaskStore(legacy, Date.now, opts);
    const b = new TaskStore(legacy, Date.now, opts);
    const tasks = Array.from({ length: 20 }, (_, i) => task(`t${i}`, { prompt: 'p'.repeat(300) }));
    await a.save(tasks);
    await b.load();
    const headers = new Set([journalLines(file)[0]]);
    let peak = 0;
    for (let i = 1; i <= 200; i++) {
      const k = i % tasks.length;
      tasks[k] = { ...tasks[k], progress: i % 100, updatedAt: 1000 + i };
      await a.save(tasks);
      peak = Math.max(peak, fs.statSync(file).size);
      headers.add(journalLines(file)[0]);
    }
    assert.ok(headers.size > 2, `compacted more than once (${headers.size - 1} times)`);
    assert.ok(peak < 64 * 1024, `the journal stays bounded (${peak} bytes)`);
    assert.deepStrictEqual((await b.load()).tasks, tasks);
    assert.deepStrictEqual((await new TaskStore(legacy).load()).tasks, tasks);
    assert.deepStrictEqual(others(), []);
  });

  it('concurrent writers in one process lose nothing (read-merge-write under a lock)', async () => {
    const stores = [new TaskStore(legacy), new TaskStore(legacy), new TaskStore(legacy)];
    await Promise.all(stores.flatMap((s, i) => Array.from({ length: 15 }, (_, j) => s.save([task(`s${i}-t${j}`)]))));
    const loaded = await new TaskStore(legacy).load();
    assert.strictEqual(loaded.tasks.length, 45);
    assert.deepStrictEqual(others(), []);
  });

  it('two processes writing at once lose nothing and never leave a damaged line', async function () {
    this.timeout(20_000);
    const storeModule = path.resolve(__dirname, '../../../../src/core/store/taskStore.js');
    const script = `
      const { TaskStore } = require(${JSON.stringify(storeModule)});
      const store = new TaskStore(process.argv[1]);
      const t = (id) => ({ id, provider: 'pika', remoteId: 'r' + id, mode: 'text-to-video', status: 'running', progress: 0, prompt: id, model: '1.5', createdAt: 1, updatedAt: 1, videos: [], request: { provider: 'pika', prompt: id } });
      (async () => { for (let i = 0; i < 80; i++) await store.save([t('child-' + i)]); })().catch((e) => { console.error(e); process.exit(1); });
    `;
    const child = spawn(process.execPath, ['-e', script, legacy], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
    const store = new TaskStore(legacy);
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
      const complete = fs.readFileSync(file, 'utf8').split('\n').slice(0, -1);
      for (const line of complete) JSON.parse(line);
      reads++;
    }
    assert.strictEqual(await exited, 0, stderr);
    const loaded = await new TaskStore(legacy).load();
    assert.strictEqual(loaded.tasks.length, 160, `all writes kept (${loaded.tasks.length})`);
    assert.ok(reads > 0);
    assert.deepStrictEqual(others(), []);
  });

  it('tells whether another writer changed the file since it last looked (a stat, not a read)', async () => {
    const a = new TaskStore(legacy);
    const b = new TaskStore(legacy);
    assert.strictEqual(await a.changedOnDisk(), true, 'never looked');
    await a.load();
    assert.strictEqual(await a.changedOnDisk(), false);
    await a.save([task('x')]);
    assert.strictEqual(await a.changedOnDisk(), false, 'its own write');
    await b.save([task('y')]);
    assert.strictEqual(await a.changedOnDisk(), true, "the other store's write");
    await a.load();
    assert.strictEqual(await a.changedOnDisk(), false);
    await b.save([task('y', { updatedAt: 2000 })]);
    assert.strictEqual(await a.changedOnDisk(), true, 'an append to the same file');
  });

  it('migrates a version-1 history file on first start, keeping the old file as a backup', async () => {
    const v1 = {
      version: 1,
      tasks: [
        task('a', { status: 'succeeded', finishedAt: 1500 }),
        task('b', { createdAt: 900 }),
        { ...task('future'), status: 'archived' },
      ],
      removed: { gone: 5_000_000_000_000 },
      resumedAt: { b: 1200, a: 1300 },
    };
    const text = JSON.stringify(v1);
    fs.writeFileSync(legacy, text);
    const stores = [new TaskStore(legacy), new TaskStore(legacy)];
    const [first, second] = await Promise.all(stores.map((s) => s.load()));
    for (const r of [first, second, await new TaskStore(legacy).load()]) {
      assert.deepStrictEqual(r.tasks, [v1.tasks[0], v1.tasks[1]]);
      assert.deepStrictEqual(r.removed, ['gone']);
      assert.deepStrictEqual(r.resumedAt, { b: 1200 });
      assert.strictEqual(r.warning, undefined);
    }
    assert.ok(!fs.existsSync(legacy));
    assert.strictEqual(fs.readFileSync(`${legacy}.v1-backup`, 'utf8'), text, 'the version-1 file is kept as it was');
    assert.ok(
      journalLines(file).some((l) => l === JSON.stringify({ task: v1.tasks[2] })),
      'a record this version rejects is migrated as it is',
    );
    assert.deepStrictEqual(others(), ['tasks.json.v1-backup']);
  });

  it('a save before any load migrates the version-1 file too, then appends', async () => {
    fs.writeFileSync(legacy, JSON.stringify({ version: 1, tasks: [task('a')], removed: {}, resumedAt: {} }));
    const merged = await new TaskStore(legacy).save([task('b')]);
    assert.deepStrictEqual(
      merged.tasks.map((t) => t.id),
      ['a', 'b'],
    );
    assert.deepStrictEqual(
      (await new TaskStore(legacy).load()).tasks.map((t) => t.id),
      ['a', 'b'],
    );
  });

  it('keeps records it does not understand as they are, through updates and compactions', async () => {
    const known = task('known', { updatedAt: 10 });
    const withExtras = {
      ...task('extras', { updatedAt: 10 }),
      futureField: { nested: [1, 2] },
      request: { provider: 'pika', prompt: 'p', futureOption: 'x' },
    };
    const invalid = { ...task('invalid'), status: 'archived', queuedFor: 12 };
    const foreign = { note: 'a line of a kind this version does not know', at: 3 };
    const noId = { task: { title: 'no id' } };
    const header = JSON.stringify({ format: 'ai-video-studio/tasks', version: 2, generation: 'g1' });
    const lines = [
      header,
      JSON.stringify({ task: known }),
      JSON.stringify({ task: withExtras }),
      JSON.stringify({ task: invalid }),
      JSON.stringify(foreign),
      JSON.stringify(noId),
    ];
    fs.writeFileSync(file, `${lines.join('\n')}\n`);

    const store = new TaskStore(legacy, Date.now, { compactAboveBytes: 1 });
    const loaded = await store.load();
    assert.deepStrictEqual(
      loaded.tasks.map((t) => t.id),
      ['known', 'extras'],
    );
    const extras = loaded.tasks[1];
    // Updates until the superseded lines outweigh the live ones and a save compacts the journal.
    let after = journalLines(file);
    for (let progress = 11; progress <= 55 && (JSON.parse(after[0]) as { generation: string }).generation === 'g1'; progress++) {
      await store.save([known, { ...extras, progress, updatedAt: progress }]);
      after = journalLines(file);
    }
    assert.notStrictEqual((JSON.parse(after[0]) as { generation: string }).generation, 'g1', 'compacted');
    await store.save([known, { ...extras, progress: 55, updatedAt: 55 }]);
    after = journalLines(file);
    const records = after.slice(1).map((l) => JSON.parse(l) as Record<string, unknown>);
    const updated = records.filter((r) => (r.task as Task | undefined)?.id === 'extras').at(-1)!.task as Record<string, unknown>;
    assert.deepStrictEqual(updated.futureField, { nested: [1, 2] }, 'an unknown field survives an update');
    assert.strictEqual(updated.progress, 55);
    assert.ok(after.includes(JSON.stringify({ task: invalid })), 'an invalid record is written back as it is');
    assert.ok(after.includes(JSON.stringify(foreign)), 'an unknown kind of line is written back as it is');
    assert.ok(after.includes(JSON.stringify(noId)));
    assert.ok(after.includes(JSON.stringify({ task: known })), 'an unchanged record is written back byte for byte');
    assert.deepStrictEqual(
      (await new TaskStore(legacy).load()).tasks.map((t) => [t.id, t.progress]),
      [
        ['known', 10],
        ['extras', 55],
      ],
    );
  });

  it('a newer record of a task this version cannot read wins over an older one it can', async () => {
    const a = new TaskStore(legacy);
    await a.save([task('x', { updatedAt: 10 })]);
    fs.appendFileSync(file, `${JSON.stringify({ task: { ...task('x', { updatedAt: 20 }), status: 'archived' } })}\n`);
    const b = new TaskStore(legacy);
    const merged = await b.save([task('x', { updatedAt: 15, progress: 99 })]);
    assert.deepStrictEqual(merged.tasks, [], 'shown by nobody, overwritten by nobody');
    assert.ok(journalLines(file).at(-1)!.includes('"archived"'));
  });

  it('opens a history of a newer format read-only: tasks load, a clear warning, nothing written or moved', async () => {
    const header = JSON.stringify({ format: 'ai-video-studio/tasks', version: 3, generation: 'g9' });
    const content = `${header}\n${JSON.stringify({ task: task('x') })}\n${JSON.stringify({ task: task('y') })}\n`;
    fs.writeFileSync(file, content);
    const store = new TaskStore(legacy);
    const r = await store.load();
    assert.deepStrictEqual(
      r.tasks.map((t) => t.id),
      ['x', 'y'],
    );
    assert.match(
      r.warning!,
      /written by a newer version of AI Video Studio \(format 3; this one reads 2\)\. It is shown read-only: changes made in this window are not saved\./,
    );
    const saved = await store.save([task('x', { updatedAt: 5000 }), task('z')], { removed: ['y'] });
    assert.strictEqual(saved.warning, undefined, 'the warning is given once');
    assert.deepStrictEqual(
      saved.tasks.map((t) => t.id),
      ['x', 'y'],
    );
    assert.strictEqual(fs.readFileSync(file, 'utf8'), content, 'nothing written');
    assert.deepStrictEqual(others(), [], 'nothing moved aside, no lock taken');

    const other = new TaskStore(legacy);
    const s = await other.save([task('z')]);
    assert.match(s.warning!, /newer version/, 'a save is refused with the warning');
    assert.strictEqual(fs.readFileSync(file, 'utf8'), content);

    fs.appendFileSync(file, `${JSON.stringify({ task: task('w') })}\n`);
    assert.strictEqual(await store.changedOnDisk(), true);
    assert.deepStrictEqual(
      (await store.load()).tasks.map((t) => t.id),
      ['x', 'y', 'w'],
      "the newer window's writes are followed",
    );
  });

  it('opens a version-1-style file of a newer version read-only too, never moving it aside', async () => {
    const content = JSON.stringify({ version: 99, tasks: [task('x')] });
    fs.writeFileSync(legacy, content);
    const store = new TaskStore(legacy);
    const r = await store.load();
    assert.deepStrictEqual(
      r.tasks.map((t) => t.id),
      ['x'],
    );
    assert.match(r.warning!, /newer version .*format 99/);
    await store.save([task('y')]);
    assert.strictEqual(fs.readFileSync(legacy, 'utf8'), content);
    assert.ok(!fs.existsSync(file));
  });

  it('moves a corrupt version-1 file aside with a clear warning, keeping its content, and starts over', async () => {
    fs.writeFileSync(legacy, '{"version":1,"tasks":[{"id":');
    const store = new TaskStore(legacy, () => 1234);
    const r = await store.load();
    assert.deepStrictEqual(r.tasks, []);
    assert.match(
      r.warning!,
      /^The task history file was unreadable \(.+\); it was moved aside to tasks\.json\.corrupt-1234 and a new one started\.$/,
    );
    assert.strictEqual(fs.readFileSync(path.join(dir, 'tasks.json.corrupt-1234'), 'utf8'), '{"version":1,"tasks":[{"id":');
    assert.ok(!fs.existsSync(legacy));
    await store.save([task('x')]);
    assert.strictEqual((await store.load()).tasks.length, 1);
  });

  it('a journal that went corrupt between loads is moved aside by the next save, which still writes everything', async () => {
    const store = new TaskStore(legacy, () => 42);
    await store.save([task('x')]);
    fs.writeFileSync(file, 'garbage');
    const r = await store.save([task('x'), task('y')]);
    assert.match(r.warning!, /moved aside to tasks\.jsonl\.corrupt-42/);
    assert.strictEqual(fs.readFileSync(`${file}.corrupt-42`, 'utf8'), 'garbage');
    assert.deepStrictEqual(
      (await new TaskStore(legacy).load()).tasks.map((t) => t.id),
      ['x', 'y'],
    );
  });

  it('drops malformed fields of a task it shows instead of trusting them', async () => {
    fs.writeFileSync(
      legacy,
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
    const r = await new TaskStore(legacy).load();
    assert.deepStrictEqual(
      r.tasks.map((t) => t.id),
      ['good'],
    );
    assert.strictEqual(r.tasks[0].progress, 100);
    assert.deepStrictEqual(r.tasks[0].videos, [{ url: 'https://cdn/a.mp4' }]);
    assert.deepStrictEqual(r.removed, ['old']);
    assert.strictEqual(validateStoredTask({ ...task('t'), timedOut: 'yes', uncertain: true })!.timedOut, undefined);
    assert.strictEqual(validateStoredTask({ ...task('t'), errorKind: 'exploded' })!.errorKind, undefined);
    assert.strictEqual(validateStoredTask({ ...task('t'), errorKind: 'auth' })!.errorKind, 'auth');
    // The cost: an amount in USD, from the provider or our estimate; anything else is dropped.
    const cost = { amount: 2.4, currency: 'USD', source: 'provider' };
    assert.deepStrictEqual(validateStoredTask({ ...task('t'), cost: { ...cost, extra: 1 } })!.cost, cost);
    for (const bad of [
      { ...cost, amount: -1 },
      { ...cost, amount: '2.4' },
      { ...cost, currency: 'EUR' },
      { ...cost, source: 'guess' },
      'free',
    ]) {
      assert.strictEqual(validateStoredTask({ ...task('t'), cost: bad })!.cost, undefined, JSON.stringify(bad));
    }
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

  it('the engine harness reads the same history the store writes', async () => {
    await new TaskStore(legacy).save([task('x'), task('y')], { removed: ['z'] });
    assert.deepStrictEqual(parseJournal(fs.readFileSync(file, 'utf8')).snapshot(), await new TaskStore(legacy).load());
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
    assert.deepStrictEqual(fs.readdirSync(dir), [], 'no lock, temp or claim file left');
  });

  it('two contenders racing on a stale lock never both win', async function () {
    this.timeout(30_000);
    const lock = path.join(dir, 'x.lock');
    const marker = path.join(dir, 'inside');
    let overlaps = 0;
    const critical = async () => {
      try {
        fs.writeFileSync(marker, '', { flag: 'wx' });
      } catch {
        overlaps++;
        return;
      }
      await sleep(30);
      fs.rmSync(marker);
    };
    for (let round = 0; round < 40; round++) {
      fs.writeFileSync(lock, `dead-owner-${round}`);
      const old = new Date(Date.now() - 60_000);
      fs.utimesSync(lock, old, old);
      await Promise.all([
        withFileLock(lock, critical, { staleMs: 1000, retryMs: 1 }),
        withFileLock(lock, critical, { staleMs: 1000, retryMs: 1 }),
      ]);
      assert.deepStrictEqual(fs.readdirSync(dir), [], `round ${round}: everything cleaned up`);
    }
    assert.strictEqual(overlaps, 0, `${overlaps} of 40 rounds let both contenders in`);
  });

  it('a takeover claim left by a breaker that crashed goes stale and is superseded', async () => {
    const lock = path.join(dir, 'x.lock');
    const old = new Date(Date.now() - 60_000);
    fs.writeFileSync(lock, 'dead-owner');
    fs.writeFileSync(`${lock}.dead-owner.claim-1`, 'dead-breaker');
    for (const f of [lock, `${lock}.dead-owner.claim-1`]) fs.utimesSync(f, old, old);
    const inside = await withFileLock(lock, async () => fs.readdirSync(dir), { staleMs: 1000 });
    assert.deepStrictEqual(inside, ['x.lock'], 'the claims are gone once the lock is taken');
    assert.deepStrictEqual(fs.readdirSync(dir), []);
  });

  it('while another breaker holds a fresh claim on a stale lock, nobody else takes it over', async () => {
    const lock = path.join(dir, 'x.lock');
    const old = new Date(Date.now() - 60_000);
    fs.writeFileSync(lock, 'dead-owner');
    fs.utimesSync(lock, old, old);
    fs.writeFileSync(`${lock}.dead-owner.claim-1`, 'a breaker at work');
    const started = Date.now();
    await withFileLock(lock, async () => undefined, { staleMs: 300, retryMs: 5 });
    assert.ok(Date.now() - started >= 250, 'waited for the claim to go stale');
  });

  it('a lock is only released by its owner', async () => {
    const lock = path.join(dir, 'x.lock');
    await withFileLock(lock, async () => {
      // Taken over meanwhile (this holder hung past the stale time): the lock is now another file.
      fs.writeFileSync(`${lock}.other`, 'someone-else');
      fs.renameSync(`${lock}.other`, lock);
    });
    assert.strictEqual(fs.readFileSync(lock, 'utf8'), 'someone-else');
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
