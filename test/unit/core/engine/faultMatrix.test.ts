// One row per fault: each title states the expected outcome, and each row checks that no task is
// lost, the state is right and the message says what happened.
import * as assert from 'assert';
import * as fs from 'fs';

import { TaskEngine } from '../../../../src/core/engine/engine';
import { ErrorKind, remedyFor } from '../../../../src/core/model/errors';
import { isActive, Task } from '../../../../src/core/model/task';
import { startEmulator } from '../../../../src/emulator/server';
import {
  FlakyProxy,
  pikaRequest,
  recordingProviders,
  SAMPLE,
  settled,
  sleep,
  useEngineSuite,
  waitFor,
  waitForTask,
} from '../../../support/engineHarness';

/** Some announced state of the task matched. */
function sawState(history: Task[], id: string, pred: (t: Task) => boolean): Task | undefined {
  return history.find((t) => t.id === id && pred(t));
}

async function waitForState(history: Task[], id: string, pred: (t: Task) => boolean, what: string): Promise<Task> {
  return waitFor(
    () =>
      `task ${id}: ${what} (seen: ${JSON.stringify(history.filter((t) => t.id === id).map((t) => [t.status, t.rawStatus, t.errorKind, t.error]))})`,
    () => sawState(history, id, pred),
  );
}

const finished = (t: Task) => !isActive(t);

describe('fault matrix', function () {
  this.timeout(30_000);
  const h = useEngineSuite({ durationMs: 500, clearFaultsAfterEach: true });

  /** Generates, lets the fault hit, and checks the task went through `during` and ended succeeded with its file. */
  async function recovers(engine: TaskEngine, history: Task[], prompt: string, during: (t: Task) => boolean, what: string): Promise<Task> {
    const t = await engine.generate(pikaRequest(prompt));
    const seen = await waitForState(history, t.id, (s) => isActive(s) && during(s), what);
    assert.ok(isActive(seen), 'the task stayed active during the fault');
    const done = await waitForTask(engine, t.id, settled, 'to finish');
    assert.strictEqual(done.status, 'succeeded', done.error);
    assert.strictEqual(done.error, undefined, 'the error is cleared once it recovered');
    assert.strictEqual(Buffer.compare(fs.readFileSync(done.videos[0].localPath!), SAMPLE), 0);
    assert.strictEqual(engine.getTasks().length, 1, 'no task lost, none added');
    return done;
  }

  describe('poll faults', () => {
    it('429 with Retry-After: 1 -> every poll of the provider waits at least 1 s, then both tasks succeed', async () => {
      const { engine, history } = await h.ws.engine();
      h.emulator.injectFault({ route: 'pika.feed', kind: 'status', status: 429, retryAfter: '1' });
      const tasks = [
        await engine.generate(pikaRequest('first [duration=300]')),
        await engine.generate(pikaRequest('second [duration=300]')),
      ];
      const limited = await waitFor('a rate-limited state', () => history.find((s) => s.errorKind === 'rateLimited'));
      assert.ok(isActive(limited));
      assert.match(limited.error!, /Pika is rate limiting requests \(HTTP 429\).*Retrying in 1 s\./);
      for (const t of tasks) {
        const done = await waitForTask(engine, t.id, settled, 'to finish');
        assert.strictEqual(done.status, 'succeeded');
        assert.strictEqual(done.error, undefined);
      }
      // The 429 answered the first feed request; only the other request of that same round may
      // have been sent less than Retry-After later.
      const feeds = h.emulator.requests('pika.feed');
      const early = feeds.slice(1).filter((r) => r.at - feeds[0].at < 1000);
      assert.ok(early.length <= 1, `${early.length} feed requests within Retry-After`);
      assert.ok(feeds.length >= 3);
    });

    it('429 with retry-after-ms: 700 -> the next poll waits at least 700 ms, then the task succeeds', async () => {
      const { engine, history } = await h.ws.engine();
      h.emulator.injectFault({ route: 'pika.feed', kind: 'status', status: 429, retryAfterMs: 700 });
      await recovers(engine, history, 'rate limited [duration=300]', (s) => s.errorKind === 'rateLimited', 'rate-limited state');
      const feeds = h.emulator.requests('pika.feed');
      assert.ok(feeds.length >= 2);
      assert.ok(feeds[1].at - feeds[0].at >= 700, `waited ${feeds[1].at - feeds[0].at} ms`);
    });

    for (const status of [500, 502, 503]) {
      it(`HTTP ${status} -> stays active with "server error (HTTP ${status})", retried, then succeeds`, async () => {
        const { engine, history } = await h.ws.engine();
        h.emulator.injectFault({ route: 'pika.feed', kind: 'status', status, times: 2 });
        await recovers(
          engine,
          history,
          `server trouble [duration=300]`,
          (s) => s.errorKind === 'server' && new RegExp(`server error \\(HTTP ${status}\\).*Retrying in`).test(s.error!),
          'server error',
        );
        assert.strictEqual(remedyFor('server'), 'retryLater');
      });
    }

    it('an answer slower than the request timeout -> "did not answer in time", retried, then succeeds', async () => {
      const { engine, history } = await h.ws.engine({ settings: { requestTimeoutMs: 300 } });
      h.emulator.injectFault({ route: 'pika.feed', kind: 'slow', delayMs: 1200 });
      await recovers(
        engine,
        history,
        'slow answer [duration=300]',
        (s) => s.errorKind === 'timeout' && /did not answer in time/.test(s.error!),
        'timeout',
      );
    });

    it('a poll that hangs forever -> times out, retried, then succeeds', async () => {
      const { engine, history } = await h.ws.engine({ settings: { requestTimeoutMs: 300 } });
      h.emulator.injectFault({ route: 'pika.feed', kind: 'hang' });
      await recovers(engine, history, 'hang [duration=300]', (s) => s.errorKind === 'timeout', 'timeout');
    });

    it('connection reset -> "connection failed", retried, then succeeds', async () => {
      const { engine, history } = await h.ws.engine();
      h.emulator.injectFault({ route: 'pika.feed', kind: 'reset' });
      await recovers(
        engine,
        history,
        'reset [duration=300]',
        (s) => s.errorKind === 'network' && /Connection to Pika failed/.test(s.error!),
        'network error',
      );
    });

    it('truncated JSON -> "not valid JSON", retried, then succeeds', async () => {
      const { engine, history } = await h.ws.engine();
      h.emulator.injectFault({ route: 'pika.feed', kind: 'truncated' });
      await recovers(
        engine,
        history,
        'truncated [duration=300]',
        (s) => s.errorKind === 'malformed' && /not valid JSON/.test(s.error!),
        'malformed',
      );
    });

    it('HTML instead of JSON -> "not valid JSON (text/html ...)", retried, then succeeds', async () => {
      const { engine, history } = await h.ws.engine();
      h.emulator.injectFault({ route: 'pika.feed', kind: 'malformed' });
      await recovers(
        engine,
        history,
        'html [duration=300]',
        (s) => s.errorKind === 'malformed' && /not valid JSON \(text\/html/.test(s.error!),
        'malformed',
      );
    });

    it('an unknown status word -> keeps polling (raw word shown), then finishes', async () => {
      const { engine, history } = await h.ws.engine();
      const t = await engine.generate(pikaRequest('mystery [unknown] [duration=900]'));
      await waitForState(history, t.id, (s) => isActive(s) && s.rawStatus === 'mystery' && !s.error, 'the raw status "mystery"');
      const done = await waitForTask(engine, t.id, settled, 'to finish');
      assert.strictEqual(done.status, 'succeeded');
    });

    it('an unknown status forever -> failed after maxUnknownPolls with "kept reporting an unknown status"', async () => {
      const { engine } = await h.ws.engine({ settings: { maxUnknownPolls: 3 } });
      const t = await engine.generate(pikaRequest('mystery forever [unknown] [never] [duration=100]'));
      const done = await waitForTask(engine, t.id, finished, 'to stop');
      assert.strictEqual(done.status, 'failed');
      assert.match(done.error!, /Pika kept reporting an unknown status \("mystery"\) 4 times; stopped checking/);
      const polls = h.emulator.requests('pika.feed').length;
      assert.ok(polls >= 4 && polls <= 5, `about maxUnknownPolls + 1 polls (${polls})`);
      await sleep(400);
      assert.strictEqual(h.emulator.requests('pika.feed').length, polls, 'no polling after giving up');
    });

    it('a task that never finishes -> give-up: failed, timedOut, message; checkAgain resumes (and gives up again)', async () => {
      const { engine } = await h.ws.engine({ settings: { giveUpMs: 800 } });
      const t = await engine.generate(pikaRequest('forever [never]'));
      const out = await waitForTask(engine, t.id, finished, 'to time out');
      assert.strictEqual(out.status, 'failed');
      assert.strictEqual(out.timedOut, true);
      assert.strictEqual(out.errorKind, 'timeout');
      assert.match(out.error!, /^No result after 800 ms; stopped checking\. Use "Check Again" to resume\./);
      assert.ok(out.finishedAt! - out.createdAt >= 800);
      await engine.flush();
      assert.strictEqual(h.ws.readStore().tasks[0].timedOut, true);
      const polls = h.emulator.requests('pika.feed').length;
      engine.checkAgain(t.id);
      assert.strictEqual(engine.getTask(t.id)!.status, 'running');
      assert.strictEqual(engine.getTask(t.id)!.timedOut, undefined);
      const again = await waitForTask(engine, t.id, finished, 'to time out again');
      assert.ok(h.emulator.requests('pika.feed').length > polls, 'polled again after Check Again');
      assert.strictEqual(again.timedOut, true);
      assert.ok(again.finishedAt! - out.finishedAt! >= 800, 'the give-up clock restarted');
    });

    it('a task that finishes after the give-up -> checkAgain resumes it and it succeeds with its file', async () => {
      const { engine } = await h.ws.engine({ settings: { giveUpMs: 700 } });
      const t = await engine.generate(pikaRequest('late [duration=1500]'));
      const out = await waitForTask(engine, t.id, finished, 'to time out');
      assert.strictEqual(out.timedOut, true);
      await waitFor('the provider to finish it', () => h.emulator.taskFinishedAt(t.remoteId) !== undefined);
      engine.checkAgain(t.id);
      const done = await waitForTask(engine, t.id, (x) => x.status === 'succeeded' && settled(x), 'to succeed');
      assert.ok(done.videos[0].localPath);
      assert.strictEqual(done.timedOut, undefined);
    });

    it('401 -> stays active with "rejected the API key ... Set a new key", no request until keyChanged, then succeeds', async () => {
      const { engine, history } = await h.ws.engine();
      h.emulator.injectFault({ route: 'pika.feed', kind: 'status', status: 401, times: Infinity });
      const t = await engine.generate(pikaRequest('key trouble [duration=300]'));
      const seen = await waitForState(history, t.id, (s) => s.errorKind === 'auth', 'auth error');
      assert.match(seen.error!, /Pika rejected the API key \(HTTP 401\).*Set a new key\..*paused until the key changes/);
      assert.strictEqual(remedyFor('auth'), 'setKey');
      const polls = h.emulator.requests('pika.feed').length;
      await sleep(700);
      assert.strictEqual(h.emulator.requests('pika.feed').length, polls, 'paused: no poll while the key is rejected');
      assert.ok(isActive(engine.getTask(t.id)!));
      h.emulator.clearFaults();
      engine.keyChanged('pika');
      const done = await waitForTask(engine, t.id, settled, 'to finish after the key changed');
      assert.strictEqual(done.status, 'succeeded');
    });

    it('no key at all -> stays active with "No API key set ... paused until a key is set", then succeeds once one is', async () => {
      const { engine, history, keys } = await h.ws.engine();
      const t = await engine.generate(pikaRequest('keyless [duration=300]'));
      delete keys.pika;
      const seen = await waitForState(history, t.id, (s) => s.errorKind === 'auth', 'missing key');
      assert.match(seen.error!, /No API key set for pika\. Checking is paused until a key is set\./);
      assert.strictEqual(h.emulator.requests('pika.feed').length, 0);
      keys.pika = 'sk-new-key-0123456789';
      engine.keyChanged('pika');
      assert.strictEqual((await waitForTask(engine, t.id, settled, 'to finish')).status, 'succeeded');
    });

    it('every HTTP error class on a poll -> a kind with a way out and a short message; only 400/404 end the task', async () => {
      const { engine } = await h.ws.engine({ settings: { pollIntervalMs: 60_000 } });
      const table: [number, ErrorKind, RegExp, boolean][] = [
        [400, 'badRequest', /refused the request \(HTTP 400\)/, true],
        [401, 'auth', /rejected the API key \(HTTP 401\)/, false],
        [402, 'payment', /quota or balance exhausted \(HTTP 402\)/, false],
        [403, 'forbidden', /not permitted \(HTTP 403\)/, false],
        [404, 'notFound', /not found \(HTTP 404\)/, true],
        [408, 'timeout', /timed out \(HTTP 408\)/, false],
        [409, 'conflict', /conflict \(HTTP 409\)/, false],
        [429, 'rateLimited', /rate limiting requests \(HTTP 429\)/, false],
        [500, 'server', /server error \(HTTP 500\)/, false],
        [504, 'server', /server error \(HTTP 504\)/, false],
      ];
      for (const [status, kind, message, final] of table) {
        const t = await engine.generate({ provider: 'gateway', model: 'kling-v1', prompt: `status ${status} [never]` });
        h.emulator.injectFault({ route: 'gateway.get', kind: 'status', status });
        await engine.refresh();
        const got = engine.getTask(t.id)!;
        assert.strictEqual(got.errorKind, kind, `HTTP ${status}`);
        assert.match(got.error!, message);
        assert.ok(got.error!.length < 300, 'short');
        // A task that ended has "Regenerate"; one still running needs the remedy for its error.
        if (!final) assert.notStrictEqual(remedyFor(kind), 'none', `HTTP ${status} has a way out`);
        assert.strictEqual(!isActive(got), final, `HTTP ${status} ${final ? 'ends' : 'keeps'} the task`);
        await engine.remove([t.id]);
        engine.keyChanged('gateway');
      }
    });
  });

  describe('download faults', () => {
    it('a result URL that 404s -> task succeeded, video.downloadError set, no local file', async () => {
      const { engine } = await h.ws.engine();
      const t = await engine.generate(pikaRequest('gone [result-404] [duration=300]'));
      const done = await waitForTask(engine, t.id, settled, 'to settle');
      assert.strictEqual(done.status, 'succeeded');
      assert.strictEqual(done.videos[0].localPath, undefined);
      assert.match(done.videos[0].downloadError!, /The result file is gone \(HTTP 404\); result links expire\./);
      assert.deepStrictEqual(h.ws.mediaFiles(), []);
      assert.strictEqual(h.emulator.requests('files').length, 1, 'a 404 is not retried');
    });

    it('a result larger than the cap -> refused with the sizes, no partial file', async () => {
      const { engine } = await h.ws.engine({ settings: { maxDownloadBytes: 1024 * 1024 } });
      const t = await engine.generate(pikaRequest('huge [big=3000000] [duration=300]'));
      const done = await waitForTask(engine, t.id, settled, 'to settle');
      assert.strictEqual(done.status, 'succeeded');
      assert.match(done.videos[0].downloadError!, /The result is 2\.9 MB, over the 1 MB download limit\./);
      assert.deepStrictEqual(h.ws.mediaFiles(), []);
    });

    it('a result served as text/html -> refused as "not a video", no file, not retried', async () => {
      const { engine } = await h.ws.engine();
      const t = await engine.generate(pikaRequest('login page [html-result] [duration=300]'));
      const done = await waitForTask(engine, t.id, settled, 'to settle');
      assert.match(done.videos[0].downloadError!, /not a video \(content type text\/html\)/);
      assert.deepStrictEqual(h.ws.mediaFiles(), []);
      assert.strictEqual(h.emulator.requests('files').length, 1);
    });

    it('a download cut short -> retried, then the complete file is in place', async () => {
      const { engine } = await h.ws.engine();
      h.emulator.injectFault({ route: 'files', kind: 'truncated' });
      const t = await engine.generate(pikaRequest('cut short [duration=300]'));
      const done = await waitForTask(engine, t.id, settled, 'to settle');
      assert.strictEqual(done.videos[0].downloadError, undefined);
      assert.strictEqual(Buffer.compare(fs.readFileSync(done.videos[0].localPath!), SAMPLE), 0);
      // Two tries of the video; the poster fetched after it is not counted.
      assert.strictEqual(h.emulator.requests('files').filter((r) => !r.path.endsWith('/poster.jpg')).length, 2);
      assert.deepStrictEqual(
        h.ws.mediaFiles().filter((f) => f.endsWith('.part')),
        [],
      );
    });

    it('retry download after a failure -> ensureDownloads fetches it and clears the error', async () => {
      const { engine } = await h.ws.engine({ settings: { downloadAttempts: 1 } });
      h.emulator.injectFault({ route: 'files', kind: 'status', status: 503 });
      const t = await engine.generate(pikaRequest('retry me [duration=300]'));
      const failed = await waitForTask(engine, t.id, settled, 'to settle');
      assert.match(failed.videos[0].downloadError!, /HTTP 503/);
      engine.ensureDownloads(failed);
      const done = await waitForTask(engine, t.id, (x) => !!x.videos[0].localPath, 'to download');
      assert.strictEqual(done.videos[0].downloadError, undefined);
    });
  });

  describe('create faults', () => {
    it('create answer lost to a connection reset -> failed entry, uncertain, stored, not retried', async () => {
      const { engine } = await h.ws.engine();
      h.emulator.injectFault({ route: 'pika.generate', kind: 'reset' });
      await assert.rejects(engine.generate(pikaRequest('lost')), (e: Error & { kind?: string }) => e.kind === 'network');
      const [entry] = engine.getTasks();
      assert.strictEqual(entry.status, 'failed');
      assert.strictEqual(entry.uncertain, true);
      assert.match(entry.error!, /may or may not have started at Pika; check your account there before generating again\./);
      assert.strictEqual(h.emulator.counts()['pika.generate'], 1, 'never retried blindly');
      await engine.flush();
      assert.strictEqual(h.ws.readStore().tasks[0].uncertain, true);
      assert.strictEqual(engine.hasScheduledWork, false, 'nothing to poll');
    });

    it('create answer lost to a timeout -> uncertain entry (the job did start), not retried', async () => {
      const { engine } = await h.ws.engine({ settings: { requestTimeoutMs: 300 } });
      h.emulator.injectFault({ route: 'gateway.create', kind: 'slow', delayMs: 800 });
      await assert.rejects(
        engine.generate({ provider: 'gateway', model: 'kling-v1', prompt: 'slow create' }),
        (e: Error & { kind?: string }) => e.kind === 'timeout',
      );
      const [entry] = engine.getTasks();
      assert.strictEqual(entry.uncertain, true);
      assert.match(
        entry.error!,
        /did not answer in time\. The create request got no usable answer, so the job may or may not have started/,
      );
      assert.strictEqual(h.emulator.counts()['gateway.create'], 1);
    });

    it('HTTP 500 on create -> uncertain entry, not retried', async () => {
      const { engine } = await h.ws.engine();
      h.emulator.injectFault({ route: 'pika.generate', kind: 'status', status: 500 });
      await assert.rejects(engine.generate(pikaRequest('server error')), /server error \(HTTP 500\)/);
      assert.strictEqual(engine.getTasks()[0].uncertain, true);
      assert.strictEqual(h.emulator.counts()['pika.generate'], 1);
    });

    it('HTTP 502 on a HiDream create -> exactly one POST (never resent), uncertain entry', async () => {
      const { engine } = await h.ws.engine();
      h.emulator.injectFault({ route: 'hidream.txt2video.create', kind: 'status', status: 502 });
      await assert.rejects(engine.generate({ provider: 'hidream', prompt: 'billed once at most' }), /server error \(HTTP 502\)/);
      await engine.settle();
      assert.strictEqual(h.emulator.counts()['hidream.txt2video.create'], 1);
      const [entry] = engine.getTasks();
      assert.strictEqual(entry.uncertain, true);
      assert.strictEqual(entry.status, 'failed');
    });

    it('HiDream create reset after the body was sent -> exactly one POST, uncertain entry', async () => {
      const { engine } = await h.ws.engine();
      h.emulator.injectFault({ route: 'hidream.txt2video.create', kind: 'reset' });
      await assert.rejects(
        engine.generate({ provider: 'hidream', prompt: 'reset' }),
        (e: Error & { kind?: string }) => e.kind === 'network',
      );
      await engine.settle();
      assert.strictEqual(h.emulator.counts()['hidream.txt2video.create'], 1);
      assert.strictEqual(engine.getTasks()[0].uncertain, true);
    });

    it('429 with Retry-After on create -> waiting (not sent), then sent once when allowed; a create meanwhile waits behind it', async () => {
      const { engine, history } = await h.ws.engine();
      h.emulator.injectFault({ route: 'hidream.txt2video.create', kind: 'status', status: 429, retryAfter: '1' });
      const started = Date.now();
      const t = await engine.generate({ provider: 'hidream', prompt: 'too fast [duration=300]' });
      assert.strictEqual(t.status, 'waiting', 'resolves with the create held in the local queue');
      assert.ok(t.sendAfter! >= started + 900 && t.sendAfter! <= Date.now() + 1000, `sendAfter ${t.sendAfter! - started} ms`);
      assert.match(t.waitReason!, /HiDream answered 429/);
      assert.strictEqual(t.uncertain, undefined);
      const next = await engine.generate({ provider: 'hidream', prompt: 'next [duration=300]' });
      assert.strictEqual(next.status, 'waiting', 'inside the Retry-After window');
      assert.strictEqual(h.emulator.counts()['hidream.txt2video.create'], 1, 'only the first was sent');
      await engine.flush();
      assert.deepStrictEqual(
        h.ws.readStore().tasks.map((x) => x.status),
        ['waiting', 'waiting'],
        'the queue is stored',
      );
      for (const x of [t, next]) {
        const done = await waitForTask(engine, x.id, settled, 'to be sent and finish');
        assert.strictEqual(done.status, 'succeeded', done.error);
      }
      const creates = h.emulator.requests('hidream.txt2video.create');
      assert.strictEqual(creates.length, 3, 'the 429, then each create once');
      assert.ok(creates[1].at - creates[0].at >= 900, 'not before the Retry-After');
      assert.deepStrictEqual(
        creates
          .slice(1)
          .map((c) => (c.body as { prompt: string }).prompt)
          .sort(),
        ['next [duration=300]', 'too fast [duration=300]'],
      );
      const claims = history.filter((x) => x.status === 'submitting').map((x) => x.id);
      assert.deepStrictEqual([...new Set(claims)], [t.id, next.id], 'each marked submitting before it was sent, oldest first');
    });
  });

  describe('network faults', () => {
    it('network down, then back -> tasks stay active with backoff ("Cannot reach"), then finish', async () => {
      const proxy = new FlakyProxy(h.emulator.baseUrl);
      await proxy.up();
      try {
        const rec = recordingProviders();
        const { engine, history } = await h.ws.engine({ providers: rec.providers, baseUrl: proxy.baseUrl });
        const t = await engine.generate(pikaRequest('offline for a while [duration=1500]'));
        await waitForState(history, t.id, (s) => s.status === 'running', 'running');
        await proxy.down();
        const from = rec.calls.length;
        await waitForState(
          history,
          t.id,
          (s) => s.errorKind === 'network' && /Cannot reach Pika \(ECONNREFUSED\).*Retrying in/.test(s.error!),
          'network error',
        );
        await sleep(1500);
        const attempts = rec.calls.length - from;
        // Without backoff that is 10 polls at 150 ms; with it 150+300+600+... ms apart.
        assert.ok(attempts >= 2 && attempts <= 5, `backed off: ${attempts} attempts in 1.5 s`);
        assert.ok(isActive(engine.getTask(t.id)!), 'still active while offline');
        await proxy.up();
        const done = await waitForTask(engine, t.id, settled, 'to finish once the network is back');
        assert.strictEqual(done.status, 'succeeded');
        assert.ok(done.videos[0].localPath);
      } finally {
        await proxy.down();
      }
    });

    it('emulator closed, then restarted on the same port -> polling resumes by itself; the restarted emulator forgot the task: failed "task does not exist"', async () => {
      let local = await startEmulator({ port: 0, durationMs: 500 });
      const port = local.port;
      try {
        const { engine, history } = await h.ws.engine({ baseUrl: local.baseUrl });
        const t = await engine.generate(pikaRequest('forgotten [duration=3000]'));
        await waitForState(history, t.id, (s) => s.status === 'running', 'running');
        await local.close();
        await waitForState(history, t.id, (s) => s.errorKind === 'network', 'network error');
        local = await startEmulator({ port, durationMs: 500 });
        const done = await waitForTask(engine, t.id, finished, 'to end');
        assert.strictEqual(done.status, 'failed');
        assert.strictEqual(done.errorKind, 'notFound');
        assert.match(done.error!, /Pika: task does not exist/);
        const fresh = await engine.generate(pikaRequest('after the restart [duration=300]'));
        assert.strictEqual((await waitForTask(engine, fresh.id, settled, 'to finish')).status, 'succeeded');
        assert.strictEqual(engine.getTasks().length, 2);
      } finally {
        await local.close();
      }
    });
  });
});
