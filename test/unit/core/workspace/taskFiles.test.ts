// Files on disk: removing a task deletes what it downloaded, folders left by older versions are swept
// once, and the disk use is measured for the Tasks view.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

import type { Task } from '../../../../src/core/model/task';
import {
  deleteTaskFiles,
  formatDiskSize,
  MediaUsage,
  ORPHAN_SWEEP_MARKER,
  sweepOrphansOnce,
  taskFolder,
} from '../../../../src/core/workspace/taskFiles';
import { pikaRequest, settled, sleep, tempDir, useEngineSuite, waitForTask } from '../../../support/engineHarness';

const HOUR = 60 * 60_000;

function storedTask(id: string, extra: Partial<Task> = {}): Task {
  return {
    id,
    provider: 'pika',
    remoteId: `r-${id}`,
    mode: 'text-to-video',
    status: 'succeeded',
    progress: 100,
    prompt: 'p',
    model: '1.5',
    createdAt: 1,
    updatedAt: 1,
    videos: [],
    request: { provider: 'pika', prompt: 'p' },
    ...extra,
  };
}

/** A folder with one file of `bytes`, last changed `ageMs` ago. */
function folderWithFile(dir: string, bytes: number, ageMs = 2 * HOUR): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, '1-video.mp4'), Buffer.alloc(bytes, 1));
  const t = new Date(Date.now() - ageMs);
  fs.utimesSync(dir, t, t);
}

describe('task files on disk', function () {
  this.timeout(30_000);
  const suite = useEngineSuite({ durationMs: 200, clearFaultsAfterEach: true });

  it("Remove deletes the task's downloaded files; other tasks keep theirs", async () => {
    const { engine } = await suite.ws.engine();
    const a = await engine.generate(pikaRequest('remove me'));
    const b = await engine.generate(pikaRequest('keep me'));
    await waitForTask(engine, a.id, settled, 'to download');
    const kept = await waitForTask(engine, b.id, settled, 'to download');
    const usage = new MediaUsage(suite.ws.mediaDir);
    // The video and the poster downloaded beside it.
    const keptBytes = fs.statSync(kept.videos[0].localPath!).size + fs.statSync(kept.videos[0].posterPath!).size;
    assert.ok((await usage.update([])) > keptBytes);
    await engine.remove([a.id]);
    assert.strictEqual(fs.existsSync(taskFolder(suite.ws.mediaDir, a.id)), false, "the removed task's folder is gone");
    assert.ok(fs.existsSync(kept.videos[0].localPath!), 'the other task keeps its video');
    assert.strictEqual(await usage.update([a.id]), keptBytes, 'the disk use drops by what was deleted');
  });

  it('Clear Finished deletes the files of every finished task', async () => {
    const { engine } = await suite.ws.engine();
    for (const p of ['one', 'two']) await waitForTask(engine, (await engine.generate(pikaRequest(p))).id, settled, 'to download');
    assert.strictEqual(suite.ws.mediaFiles().length, 4, 'two videos and their posters');
    assert.strictEqual(await engine.clearFinished(), 2);
    assert.deepStrictEqual(suite.ws.mediaFiles(), []);
  });

  it('a task removed while its result downloads leaves no file behind', async () => {
    const { engine } = await suite.ws.engine();
    suite.emulator.injectFault({ route: 'files', kind: 'slow', delayMs: 400 });
    const t = await engine.generate(pikaRequest('removed mid-download'));
    await waitForTask(engine, t.id, (x) => x.status === 'succeeded', 'to succeed');
    await engine.remove([t.id]);
    await sleep(800);
    await engine.settle();
    assert.deepStrictEqual(suite.ws.mediaFiles(), []);
  });

  it('folders no task owns (left by older versions) are swept once at start; owned and recent ones stay', async () => {
    const media = suite.ws.mediaDir;
    const first = await suite.ws.engine();
    const owned = await waitForTask(first.engine, (await first.engine.generate(pikaRequest('owned'))).id, settled, 'to download');
    folderWithFile(path.join(media, 'removed-long-ago'), 10);
    folderWithFile(path.join(media, 'another-window-just-now'), 10, 1000);
    const { log } = await suite.ws.engine();
    assert.deepStrictEqual(
      fs.readdirSync(media).sort(),
      [ORPHAN_SWEEP_MARKER, 'another-window-just-now', path.basename(taskFolder(media, owned.id))].sort(),
    );
    assert.ok(log.lines.some((l) => /Deleted 1 downloaded result folder/.test(l.message)));
    // Once: an orphan appearing later stays.
    folderWithFile(path.join(media, 'later'), 10);
    await suite.ws.engine();
    assert.ok(fs.existsSync(path.join(media, 'later')));
  });

  it('no sweep against a history that could not be read', async () => {
    fs.mkdirSync(path.dirname(suite.ws.storeFile), { recursive: true });
    fs.writeFileSync(suite.ws.storeFile, '{ not json');
    folderWithFile(path.join(suite.ws.mediaDir, 'precious'), 10);
    const { engine } = await suite.ws.engine();
    assert.strictEqual(engine.getTasks().length, 0);
    assert.ok(fs.existsSync(path.join(suite.ws.mediaDir, 'precious')));
    assert.strictEqual(fs.existsSync(path.join(suite.ws.mediaDir, ORPHAN_SWEEP_MARKER)), false);
  });
});

describe('task file helpers', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('aivideo-files-');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('deleting a task never follows a stored path out of its file: folders and places outside stay', async () => {
    const outside = path.join(dir, 'outside.mp4');
    fs.writeFileSync(outside, 'x');
    folderWithFile(path.join(dir, 'media', 'other-task'), 5);
    const t = storedTask('t1', {
      videos: [
        { url: 'https://x', localPath: path.join(dir, 'media', 'other-task') },
        { url: 'https://y', localPath: outside },
      ],
    });
    await deleteTaskFiles(path.join(dir, 'media'), [t]);
    assert.ok(fs.existsSync(outside));
    assert.ok(fs.existsSync(path.join(dir, 'media', 'other-task', '1-video.mp4')));
  });

  it('the sweep keeps the folder a stored result lies in, whatever its name', async () => {
    const media = path.join(dir, 'media');
    folderWithFile(path.join(media, 'legacy'), 10);
    folderWithFile(path.join(media, 'orphan'), 10);
    const t = storedTask('t1', { videos: [{ url: 'https://x/v.mp4', localPath: path.join(media, 'legacy', '1-video.mp4') }] });
    assert.deepStrictEqual(await sweepOrphansOnce(media, [t]), ['orphan']);
    assert.ok(fs.existsSync(path.join(media, 'legacy', '1-video.mp4')));
  });

  it('the sweep does nothing without a media folder and writes its marker only after a sweep', async () => {
    assert.deepStrictEqual(await sweepOrphansOnce(path.join(dir, 'missing'), []), []);
    assert.strictEqual(fs.existsSync(path.join(dir, 'missing')), false);
  });

  it('measures the media folder once, then only the folders of changed tasks', async () => {
    const media = path.join(dir, 'media');
    folderWithFile(taskFolder(media, 'a'), 1000);
    folderWithFile(taskFolder(media, 'b'), 500);
    const usage = new MediaUsage(media);
    assert.strictEqual(await usage.update([]), 1500);
    fs.rmSync(taskFolder(media, 'a'), { recursive: true });
    folderWithFile(taskFolder(media, 'c'), 250);
    assert.strictEqual(await usage.update(['a']), 500, 'c is not measured until it changes');
    assert.strictEqual(await usage.update(['c']), 750);
  });

  it('formats sizes for the view', () => {
    assert.deepStrictEqual([0, 900, 2048, 12.3 * 1024 ** 2, 1.24 * 1024 ** 3, 340 * 1024 ** 2].map(formatDiskSize), [
      '0 B',
      '900 B',
      '2 KB',
      '12 MB',
      '1.2 GB',
      '340 MB',
    ]);
  });
});
