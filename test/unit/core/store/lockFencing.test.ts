// The store's lock when its holder stalls: a live holder keeps its lock (it is refreshed), a holder
// whose lock was taken over writes nothing (every write is fenced), and of two claims on one task
// that both reached the journal, only the first in journal order counts.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

import { Task } from '../../../../src/core/model/task';
import { withFileLock } from '../../../../src/core/store/atomicFile';
import { TaskStore } from '../../../../src/core/store/taskStore';
import { assertNoUnhandledRejections, sleep, tempDir, waitFor } from '../../../support/engineHarness';

function waiting(id: string, updatedAt = 1000): Task {
  return {
    id,
    provider: 'pika',
    remoteId: '',
    mode: 'text-to-video',
    status: 'waiting',
    progress: 0,
    prompt: `prompt ${id}`,
    model: '1.5',
    createdAt: 1000,
    updatedAt,
    videos: [],
    request: { provider: 'pika', prompt: `prompt ${id}` },
  };
}

/** What another process does when it breaks a lock it judged stale: its own lock file replaces ours. */
function takeOver(lockFile: string): void {
  fs.writeFileSync(`${lockFile}.other`, 'someone-else');
  fs.renameSync(`${lockFile}.other`, lockFile);
}

describe('store lock fencing', () => {
  let dir: string;
  let legacy: string;
  let file: string;

  beforeEach(() => {
    dir = tempDir('aivideo-fence-');
    legacy = path.join(dir, 'tasks.json');
    file = new TaskStore(legacy).file;
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    assertNoUnhandledRejections();
  });

  it('a holder busy past the stale time keeps its lock: it is refreshed while held, so no contender breaks in', async function () {
    this.timeout(20_000);
    const lock = path.join(dir, 'x.lock');
    const opts = { staleMs: 600, retryMs: 5 };
    let inside = 0;
    let overlaps = 0;
    const critical = (ms: number) => async () => {
      if (inside++) overlaps++;
      await sleep(ms);
      inside--;
    };
    const holder = withFileLock(lock, critical(2500), opts);
    await waitFor('the holder to take the lock', () => fs.existsSync(lock));
    const contender = withFileLock(lock, critical(1), opts);
    await Promise.all([holder, contender]);
    assert.strictEqual(overlaps, 0, 'the contender broke the lock of a live holder');
    assert.deepStrictEqual(fs.readdirSync(dir), []);
  });

  it('a write whose lock was taken over meanwhile is not made (fenced), and the caller hears so', async () => {
    const store = new TaskStore(legacy);
    await store.save([waiting('w')]);
    const before = fs.readFileSync(file, 'utf8');
    await assert.rejects(
      store.compareAndSet('w', (stored) => {
        // The holder stalled past the stale time; another window broke the lock.
        takeOver(store.lockFile);
        return { ...stored!, status: 'submitting', sender: { owner: 'stalled', pid: 1 } };
      }),
      /lock/i,
    );
    assert.strictEqual(fs.readFileSync(file, 'utf8'), before, 'nothing was appended');
    fs.rmSync(store.lockFile);
    assert.strictEqual((await store.load()).tasks[0].status, 'waiting');
  });

  it('claims are decided by journal order: a claim that lands after another claim on the same task loses, and the history agrees', async () => {
    await new TaskStore(legacy).save([waiting('w')]);
    const store = new TaskStore(legacy);
    const theirs = JSON.stringify({ task: { ...waiting('w', 1001), status: 'submitting', sender: { owner: 'cut-in', pid: 1 } } });
    const result = await store.compareAndSet('w', (stored) => {
      // A writer that did not hold the lock appended its claim between our read and our write.
      fs.appendFileSync(file, `${theirs}\n`);
      return { ...stored!, status: 'submitting', sender: { owner: 'mine', pid: 1 } };
    });
    assert.strictEqual(result, undefined, 'ours came second: not ours to send');
    assert.strictEqual((await new TaskStore(legacy).load()).tasks[0].sender?.owner, 'cut-in', 'a fresh reader sees the first claim');
    assert.strictEqual((await store.load()).tasks[0].sender?.owner, 'cut-in', 'the loser sees it too');
  });

  it('the first claim in journal order wins even when a later one was based on the same version', async () => {
    await new TaskStore(legacy).save([waiting('w')]);
    const a = new TaskStore(legacy);
    const b = new TaskStore(legacy);
    await Promise.all([a.load(), b.load()]);
    const claim = (owner: string) => (stored: Task | undefined) =>
      stored?.status === 'waiting' ? { ...stored, status: 'submitting' as const, sender: { owner, pid: 1 } } : undefined;
    const first = await a.compareAndSet('w', claim('a'));
    const second = await b.compareAndSet('w', claim('b'));
    assert.strictEqual(typeof first === 'object' && first.sender?.owner, 'a');
    assert.strictEqual(second, undefined);
    assert.strictEqual((await new TaskStore(legacy).load()).tasks[0].sender?.owner, 'a');
  });
});
