// The create path against the emulator: a create is recorded before it goes out, sent once, held
// in the local queue when it may not go yet, sent from the queue exactly once (also with two
// windows on one store), and an interrupted create is never left silent.
import * as assert from 'assert';
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import { isLostJobChoice, LostJobChoice } from '../../../../src/core/engine/createQueue';
import { ProviderError } from '../../../../src/core/model/errors';
import { Task } from '../../../../src/core/model/task';
import { RemoteState } from '../../../../src/core/provider/descriptor';
import { TaskStore } from '../../../../src/core/store/taskStore';
import { FIXTURES, pikaRequest, ScriptedProvider, settled, useEngineSuite, waitFor, waitForTask } from '../../../support/engineHarness';

/** A process id that is certainly not running: a child that already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  assert.ok(child.pid);
  return child.pid;
}

/** A process that runs until killed (another window's extension host). */
function liveProcess(): ChildProcess {
  return spawn(process.execPath, ['-e', 'setInterval(() => undefined, 1000)'], { stdio: 'ignore' });
}

function storedTask(over: Partial<Task>): Task {
  const now = Date.now();
  return {
    id: 'left-over',
    provider: 'pika',
    remoteId: '',
    mode: 'text-to-video',
    status: 'submitting',
    progress: 0,
    prompt: 'sent by another window',
    model: '1.5',
    createdAt: now - 5000,
    updatedAt: now - 5000,
    videos: [],
    request: { provider: 'pika', prompt: 'sent by another window' },
    ...over,
  };
}

/** A Find This Job outcome that is a task (not a choice to make). */
function taskFound(found: Task | LostJobChoice | undefined): Task {
  assert.ok(found && !isLostJobChoice(found), JSON.stringify(found));
  return found;
}

/** A scripted provider that can list recent jobs. */
class FindingProvider extends ScriptedProvider {
  /** The job the provider lists, if any. */
  lost: string | undefined;

  constructor(private readonly script: (RemoteState | ProviderError)[]) {
    super('pika', () => script);
  }

  async listLostJobs(_ctx: unknown, task: Task) {
    if (!this.lost) return { jobs: [] };
    this.scripts.set(this.lost, [...this.script]);
    return { jobs: [{ remoteId: this.lost, mode: 'text-to-video' as const, model: 'scripted', createdAt: task.createdAt }] };
  }
}

describe('the create path', function () {
  this.timeout(30_000);
  const h = useEngineSuite({ durationMs: 400, clearFaultsAfterEach: true });

  describe('recorded before it goes out', () => {
    it('generate resolves once the provider answered, with the task queued; it was announced and stored as submitting first', async () => {
      const { engine, history } = await h.ws.engine();
      h.emulator.injectFault({ route: 'pika.generate', kind: 'slow', delayMs: 400 });
      const pending = engine.generate(pikaRequest('recorded first'));
      const during = await waitFor(
        'the submitting record on disk',
        () => fs.existsSync(h.ws.journalFile) && h.ws.readStore().tasks.find((t) => t.status === 'submitting'),
      );
      assert.strictEqual(during.remoteId, '');
      assert.ok(during.sender?.owner && during.sender.pid === process.pid);
      const t = await pending;
      assert.strictEqual(t.status, 'queued');
      assert.ok(t.remoteId);
      assert.strictEqual(t.sender, undefined);
      assert.deepStrictEqual(
        history
          .filter((x) => x.id === t.id)
          .map((x) => x.status)
          .slice(0, 2),
        ['submitting', 'queued'],
      );
      assert.strictEqual(h.emulator.counts()['pika.generate'], 1);
    });

    it('a window closed in the middle of a create leaves a visible task: uncertain when the history is next loaded', async () => {
      const first = await h.ws.engine({ ownerId: 'window-1' });
      h.emulator.injectFault({ route: 'pika.generate', kind: 'hang' });
      const pending = first.engine.generate(pikaRequest('window closes mid-create'));
      pending.catch(() => undefined);
      await waitFor(
        'the submitting record on disk',
        () => fs.existsSync(h.ws.journalFile) && h.ws.readStore().tasks.some((t) => t.status === 'submitting'),
      );
      first.engine.dispose();
      const reopened = await h.ws.engine({ ownerId: 'window-1' });
      const [t] = reopened.engine.getTasks();
      assert.strictEqual(t.status, 'failed');
      assert.strictEqual(t.uncertain, true);
      assert.match(
        t.error!,
        /The window that was sending this create closed before the answer came\. .*may or may not have started at Pika; check your account there/,
      );
      await reopened.engine.flush();
      assert.strictEqual(h.ws.readStore().tasks[0].uncertain, true, 'stored');
    });

    it("a submitting record of another window: uncertain once that window's process is gone, left alone while it runs", async () => {
      const open = liveProcess();
      try {
        const store = new TaskStore(h.ws.storeFile);
        await store.save([
          storedTask({ id: 'dead', sender: { owner: 'window-gone', pid: deadPid() } }),
          storedTask({ id: 'alive', sender: { owner: 'window-open', pid: open.pid! } }),
        ]);
        const { engine } = await h.ws.engine({ ownerId: 'window-here' });
        assert.strictEqual(engine.getTask('dead')!.uncertain, true);
        assert.strictEqual(engine.getTask('dead')!.status, 'failed');
        assert.strictEqual(engine.getTask('alive')!.status, 'submitting');
        assert.strictEqual(h.emulator.counts()['pika.generate'], 0, 'neither is sent again');
      } finally {
        open.kill();
      }
    });

    it('a submitting record of an earlier extension host whose process id this one reuses (containers) is not left stuck', async () => {
      const store = new TaskStore(h.ws.storeFile);
      await store.save([storedTask({ id: 'reused', sender: { owner: 'host-before-restart', pid: process.pid } })]);
      const { engine } = await h.ws.engine({ ownerId: 'host-after-restart' });
      const t = engine.getTask('reused')!;
      assert.strictEqual(t.status, 'failed');
      assert.strictEqual(t.uncertain, true);
      assert.strictEqual(h.emulator.counts()['pika.generate'] ?? 0, 0, 'not sent again');
    });

    it('senders are told apart by owner and process instance: another engine of this very process is left alone', async () => {
      const a = await h.ws.engine({ ownerId: 'window-a' });
      h.emulator.injectFault({ route: 'pika.generate', kind: 'hang' });
      const pending = a.engine.generate(pikaRequest('sent by the first engine'));
      pending.catch(() => undefined);
      await waitFor(
        'the submitting record on disk',
        () => fs.existsSync(h.ws.journalFile) && h.ws.readStore().tasks.some((t) => t.status === 'submitting'),
      );
      const sender = h.ws.readStore().tasks[0].sender!;
      assert.strictEqual(sender.owner, 'window-a');
      assert.strictEqual(sender.pid, process.pid);
      assert.ok(sender.instance, 'the record names the process instance');
      const b = await h.ws.engine({ ownerId: 'window-b' });
      assert.strictEqual(b.engine.getTasks()[0].status, 'submitting', 'still being sent by a live engine');
      h.emulator.clearFaults();
      a.engine.dispose();
    });

    it('a sender whose process id now belongs to another process (a different start time) is gone', async function () {
      const open = liveProcess();
      try {
        const store = new TaskStore(h.ws.storeFile);
        await store.save([
          storedTask({ id: 'other-process', sender: { owner: 'host-gone', pid: open.pid!, instance: 'an-old-host', started: 1 } }),
        ]);
        const { engine } = await h.ws.engine({ ownerId: 'window-here' });
        // Only where the system tells a process's start time (Linux); elsewhere the pid is all there is.
        const expected = fs.existsSync(`/proc/${open.pid}/stat`) ? 'failed' : 'submitting';
        assert.strictEqual(engine.getTask('other-process')!.status, expected);
      } finally {
        open.kill();
      }
    });
  });

  describe('a create that cannot be recorded', () => {
    it('is not sent: the caller hears "could not record the create; nothing was sent", and the user is told once', async () => {
      const { engine, log } = await h.ws.engine();
      const warnings: string[] = [];
      engine.onDidWarn((w) => warnings.push(w));
      // The journal cannot be written any more (here: its path is a folder, EISDIR; a full disk or EACCES alike).
      fs.rmSync(h.ws.journalFile, { force: true });
      fs.mkdirSync(h.ws.journalFile);
      for (const prompt of ['not recorded', 'not recorded either']) {
        await assert.rejects(engine.generate(pikaRequest(prompt)), (e: Error) => {
          assert.match(e.message, /could not record the create; nothing was sent/i);
          return true;
        });
      }
      assert.strictEqual(h.emulator.counts()['pika.generate'] ?? 0, 0, 'nothing went out');
      assert.deepStrictEqual(engine.getTasks(), [], 'no task is left');
      assert.strictEqual(warnings.length, 1, `told once: ${JSON.stringify(warnings)}`);
      assert.match(warnings[0], /task history could not be saved/);
      assert.ok(log.lines.filter((l) => l.level === 'error').length >= 2, 'every failure is logged');
      fs.rmdirSync(h.ws.journalFile);
    });
  });

  describe('removed while it is being sent', () => {
    it('is kept: Remove refuses a create being sent, which is then followed like any other', async () => {
      const { engine } = await h.ws.engine();
      h.emulator.injectFault({ route: 'pika.generate', kind: 'slow', delayMs: 400 });
      const pending = engine.generate(pikaRequest('removed while sending'));
      const sending = await waitFor('the submitting task', () => engine.getTasks().find((t) => t.status === 'submitting'));
      const kept = await engine.remove([sending.id]);
      assert.ok(engine.getTask(sending.id), 'still in the list while it is sent');
      assert.deepStrictEqual(kept, [sending.id], 'the engine says which it kept');
      const t = await pending;
      assert.strictEqual(t.status, 'queued');
      assert.strictEqual(engine.getTask(t.id), t, 'the billed job is followed');
      await engine.flush();
      assert.ok(
        h.ws.readStore().tasks.some((x) => x.id === t.id && x.remoteId === t.remoteId),
        'and on disk',
      );
      assert.deepStrictEqual(await engine.remove([t.id]), [], 'once answered, it can be removed');
      assert.strictEqual(engine.getTask(t.id), undefined);
    });

    it('is kept when another window claimed the waiting create first', async () => {
      const { engine } = await h.ws.engine({ settings: { maxConcurrent: { pika: 1 } } });
      const otherWindow = new TaskStore(h.ws.storeFile);
      h.emulator.injectFault({ route: 'pika.generate', kind: 'slow', delayMs: 300 });
      const first = engine.generate(pikaRequest('first'));
      const waiting = await engine.generate(pikaRequest('second'));
      assert.strictEqual(waiting.status, 'waiting');
      // Another window claims it under the store's lock, as its dispatch would.
      await otherWindow.compareAndSet(
        waiting.id,
        (stored) =>
          stored && {
            ...stored,
            status: 'submitting',
            sender: { owner: 'other-window', pid: process.pid },
            updatedAt: stored.updatedAt + 1,
          },
      );
      const kept = await engine.remove([waiting.id]);
      assert.strictEqual(engine.getTask(waiting.id)?.status, 'submitting', 'kept, as the other window sends it');
      assert.deepStrictEqual(kept, [waiting.id]);
      await engine.flush();
      assert.ok(!h.ws.readStore().removed.includes(waiting.id), 'no removal recorded for the other window to adopt');
      await first;
    });
  });

  describe('upload', () => {
    /** A real video (the fixture's header) padded to `mb` megabytes. */
    function bigVideo(mb: number): string {
      const file = path.join(h.ws.dir, 'big.mp4');
      const head = fs.readFileSync(path.join(FIXTURES, 'sample.mp4'));
      fs.writeFileSync(file, Buffer.concat([head, Buffer.alloc(mb * 1_000_000 - head.length)]));
      return file;
    }

    it('a large video on a slow line is not cut off by a short time limit; progress is reported while it is sent', async () => {
      const { engine } = await h.ws.engine({ settings: { requestTimeoutMs: 1000 } });
      h.emulator.injectFault({ route: 'hidream.video_edit.create', kind: 'slowUpload', bytesPerSecond: 8_000_000 });
      const progress: number[] = [];
      let total = 0;
      const started = Date.now();
      const t = await engine.generate(
        { provider: 'hidream', prompt: 'restyle [duration=300]', style: 'anime', video: bigVideo(12) },
        {
          onUploadProgress: (sent, of) => {
            progress.push(sent);
            total = of;
          },
        },
      );
      assert.ok(Date.now() - started > 1500, 'the upload took longer than the time limit');
      assert.strictEqual(t.status, 'queued', t.error);
      assert.ok(total > 16_000_000, 'the base64 body');
      assert.strictEqual(progress[progress.length - 1], total);
      assert.strictEqual(h.emulator.counts()['hidream.video_edit.create'], 1);
      assert.strictEqual((await waitForTask(engine, t.id, settled, 'to finish')).status, 'succeeded');
    });

    it('cancelled while the body is being sent: certainly not started, no task kept', async () => {
      const { engine } = await h.ws.engine();
      h.emulator.injectFault({ route: 'hidream.video_edit.create', kind: 'slowUpload', bytesPerSecond: 4_000_000 });
      const cancel = new AbortController();
      await assert.rejects(
        engine.generate(
          { provider: 'hidream', prompt: '', style: 'anime', video: bigVideo(12) },
          { cancelUpload: cancel.signal, onUploadProgress: (sent) => sent > 2_000_000 && cancel.abort() },
        ),
        (e: ProviderError) => e.kind === 'cancelled' && !e.mayHaveStarted,
      );
      assert.deepStrictEqual(engine.getTasks(), []);
      await engine.flush();
      assert.deepStrictEqual(h.ws.readStore().tasks, []);
    });
  });

  describe('the local queue', () => {
    it('maxConcurrent 1: a second create waits while the first runs, then is sent once', async () => {
      const { engine } = await h.ws.engine({ settings: { maxConcurrent: { hidream: 1 } } });
      const first = await engine.generate({ provider: 'hidream', prompt: 'first [duration=600]' });
      assert.strictEqual(first.status, 'queued');
      const second = await engine.generate({ provider: 'hidream', prompt: 'second [duration=300]' });
      assert.strictEqual(second.status, 'waiting');
      assert.strictEqual(second.sendAfter, undefined, 'no time known: it goes when a slot frees');
      assert.match(second.waitReason!, /1 HiDream task under way, at most 1 at once \(aiVideo\.hidream\.maxConcurrent\)/);
      assert.strictEqual(h.emulator.counts()['hidream.txt2video.create'], 1);
      await waitForTask(engine, first.id, (t) => t.status === 'succeeded', 'the first to finish');
      const done = await waitForTask(engine, second.id, settled, 'the second to be sent and finish');
      assert.strictEqual(done.status, 'succeeded');
      const creates = h.emulator.requests('hidream.txt2video.create');
      assert.strictEqual(creates.length, 2);
      assert.ok(creates[1].at >= h.emulator.taskFinishedAt(first.remoteId)!, 'sent only once the first was done');
      const sentAt = done.sentAt!;
      assert.ok(
        sentAt >= h.emulator.taskFinishedAt(first.remoteId)! && sentAt <= creates[1].at,
        'when it was claimed is kept (for Find This Job)',
      );
      assert.strictEqual(h.ws.readStore().tasks.find((t) => t.id === second.id)?.sentAt, done.sentAt, 'and stored');
    });

    it('a waiting create can be edited (the edit is what gets sent) and cancelled (never sent); removing one withdraws it too', async () => {
      const { engine } = await h.ws.engine();
      h.emulator.injectFault({ route: 'pika.generate', kind: 'status', status: 429, retryAfter: '1' });
      const a = await engine.generate(pikaRequest('original [duration=300]'));
      const b = await engine.generate(pikaRequest('to cancel'));
      const c = await engine.generate(pikaRequest('to remove'));
      assert.deepStrictEqual([a.status, b.status, c.status], ['waiting', 'waiting', 'waiting']);
      await assert.rejects(engine.editWaiting(a.id, { model: '9.9' }), /Pika model must be 1\.5 or 2\.0/);
      await assert.rejects(engine.editWaiting(a.id, { prompt: 5 } as unknown as { prompt: string }), /"prompt" must be a string\./);
      const edited = await engine.editWaiting(a.id, { prompt: 'edited [duration=300]', negativePrompt: 'blur' });
      assert.strictEqual(edited.prompt, 'edited [duration=300]');
      assert.strictEqual(await engine.cancelWaiting(b.id), true);
      await engine.remove([c.id]);
      assert.deepStrictEqual(
        engine.getTasks().map((t) => t.id),
        [a.id],
      );
      const done = await waitForTask(engine, a.id, settled, 'to be sent and finish');
      assert.strictEqual(done.status, 'succeeded');
      const creates = h.emulator.requests('pika.generate');
      assert.strictEqual(creates.length, 2, 'the 429, then the edited create once');
      assert.strictEqual((creates[1].body as { promptText: string }).promptText, 'edited [duration=300]');
      assert.strictEqual(
        (creates[1].body as { options: { parameters: { negativePrompt: string } } }).options.parameters.negativePrompt,
        'blur',
      );
      await assert.rejects(engine.editWaiting(a.id, { prompt: 'too late' }), /no longer waiting/);
      assert.strictEqual(await engine.cancelWaiting(a.id), false);
    });

    it('the queue survives a reload: a create still waiting when the window closed is sent once by the next one', async () => {
      const first = await h.ws.engine({ ownerId: 'window-1' });
      h.emulator.injectFault({ route: 'pika.generate', kind: 'status', status: 429, retryAfter: '1' });
      const t = await first.engine.generate(pikaRequest('outlives its window [duration=300]'));
      assert.strictEqual(t.status, 'waiting');
      first.engine.dispose();
      const next = await h.ws.engine({ ownerId: 'window-2' });
      assert.strictEqual(next.engine.getTask(t.id)?.status, 'waiting');
      const done = await waitForTask(next.engine, t.id, settled, 'to be sent by the new window and finish');
      assert.strictEqual(done.status, 'succeeded');
      assert.strictEqual(h.emulator.counts()['pika.generate'], 2, 'the 429, then the create once');
    });

    it('two windows on one store: a queued create is sent exactly once, by the window that polls', async () => {
      const a = await h.ws.engine({ ownerId: 'window-a' });
      const b = await h.ws.engine({ ownerId: 'window-b' });
      h.emulator.injectFault({ route: 'gateway.create', kind: 'status', status: 429, retryAfter: '1' });
      const t = await b.engine.generate({ provider: 'gateway', model: 'kling-v1', prompt: 'queued once [duration=300]' });
      assert.strictEqual(t.status, 'waiting');
      for (const e of [a.engine, b.engine]) {
        const done = await waitForTask(
          e,
          t.id,
          (x) => settled(x) && x.videos.every((v) => v.localPath),
          'to be sent and finish in both windows',
        );
        assert.strictEqual(done.status, 'succeeded');
      }
      assert.strictEqual(h.emulator.counts()['gateway.create'], 2, 'the 429, then one create');
      assert.strictEqual([a.engine.isPolling, b.engine.isPolling].filter(Boolean).length <= 1, true);
    });

    it('compare-and-set under the store lock: of two windows claiming one waiting create, exactly one wins', async () => {
      const seed = new TaskStore(h.ws.storeFile);
      await seed.save([storedTask({ id: 'w', status: 'waiting' })]);
      for (let round = 0; round < 5; round++) {
        const stores = [new TaskStore(h.ws.storeFile), new TaskStore(h.ws.storeFile)];
        const claims = await Promise.all(
          stores.map((s, i) =>
            s.compareAndSet('w', (stored) =>
              stored?.status === 'waiting' ? { ...stored, status: 'submitting', sender: { owner: `w${i}`, pid: 1 } } : undefined,
            ),
          ),
        );
        assert.strictEqual(
          claims.filter((c) => c && c !== 'removed').length,
          1,
          `round ${round}: ${JSON.stringify(claims.map((c) => typeof c === 'object' && c.sender))}`,
        );
        const winner = claims.find((c) => c && c !== 'removed') as Task;
        const onDisk = h.ws.readStore().tasks[0];
        assert.deepStrictEqual(onDisk.sender, winner.sender);
        await seed.compareAndSet('w', (stored) => stored && { ...stored, status: 'waiting', sender: undefined });
      }
    });
  });

  describe('an uncertain create', () => {
    it('where the provider can list recent jobs, the lost job is found and followed to the end', async () => {
      const provider = new FindingProvider([{ status: 'succeeded', rawStatus: 'done', progress: 100, videos: [] }]);
      provider.create = async () => {
        throw new ProviderError({ kind: 'timeout', message: 'Scripted did not answer in time.', mayHaveStarted: true });
      };
      const { engine } = await h.ws.engine({ providers: { pika: provider } });
      await assert.rejects(engine.generate(pikaRequest('lost')), /did not answer in time/);
      const [t] = engine.getTasks();
      assert.strictEqual(t.uncertain, true);
      assert.strictEqual(engine.canFindLostJob('pika'), true);
      provider.lost = 'remote-lost';
      const found = taskFound(await engine.findLostJob(t.id));
      assert.strictEqual(found.status, 'queued');
      assert.strictEqual(found.remoteId, 'remote-lost');
      assert.strictEqual(found.uncertain, undefined);
      assert.strictEqual((await waitForTask(engine, t.id, (x) => x.status === 'succeeded', 'to be followed')).remoteId, 'remote-lost');
    });

    it('not found at the provider, or checked by the user: it did not start', async () => {
      const provider = new FindingProvider([]);
      provider.create = async () => {
        throw new ProviderError({ kind: 'server', message: 'Scripted had a server error (HTTP 502).', mayHaveStarted: true });
      };
      const { engine } = await h.ws.engine({ providers: { pika: provider } });
      await assert.rejects(engine.generate(pikaRequest('one')));
      await assert.rejects(engine.generate(pikaRequest('two')));
      const [two, one] = engine.getTasks();
      const notFound = taskFound(await engine.findLostJob(one.id));
      assert.strictEqual(notFound.uncertain, undefined);
      assert.match(notFound.error!, /Scripted lists no job for this create: it did not start\./);
      const marked = engine.markFailed(two.id)!;
      assert.strictEqual(marked.uncertain, undefined);
      assert.strictEqual(marked.status, 'failed');
      assert.match(marked.error!, /Marked as failed after checking Scripted/);
    });

    it('a provider that cannot list recent jobs says so', async () => {
      const scripted = new ScriptedProvider('pika', () => []);
      scripted.create = async () => {
        throw new ProviderError({ kind: 'network', message: 'Connection to Scripted failed (ECONNRESET).', mayHaveStarted: true });
      };
      const { engine } = await h.ws.engine({ providers: { pika: scripted } });
      await assert.rejects(engine.generate(pikaRequest('lost')));
      assert.strictEqual(engine.canFindLostJob('pika'), false);
      await assert.rejects(engine.findLostJob(engine.getTasks()[0].id), /Scripted cannot list recent jobs; check your account there\./);
    });
  });
});
