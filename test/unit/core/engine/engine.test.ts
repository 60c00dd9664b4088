import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

import { ScaledClock } from '../../../../src/bench/clock';
import { TaskEngine } from '../../../../src/core/engine/engine';
import { ProviderError } from '../../../../src/core/model/errors';
import { Task, TaskVideo } from '../../../../src/core/model/task';
import { resultAuthHeaders } from '../../../../src/core/provider/descriptor';
import { TaskStore } from '../../../../src/core/store/taskStore';
import { validateStoredTask } from '../../../../src/core/store/taskValidation';
import {
  FIXTURES,
  FlakyProxy,
  overlappingCalls,
  pikaRequest,
  recordingProviders,
  running,
  SAMPLE,
  SAMPLE_2,
  ScriptedProvider,
  settled,
  sleep,
  succeededNoVideo,
  useEngineSuite,
  waitFor,
  waitForTask,
} from '../../../support/engineHarness';

describe('task engine', function () {
  this.timeout(30_000);
  const h = useEngineSuite({ durationMs: 600 });

  describe('generate, poll, download', () => {
    it('stores a task before announcing it, polls it to succeeded and downloads the exact fixture bytes, without the key', async () => {
      const { engine } = await h.ws.engine();
      const storedAtFirstEvent: boolean[] = [];
      engine.onDidChangeTasks((changed) => {
        if (storedAtFirstEvent.length) return;
        const onDisk = h.ws.readStore().tasks.map((t) => t.id);
        storedAtFirstEvent.push(changed.every((t) => onDisk.includes(t.id)));
      });
      const t = await engine.generate(pikaRequest('a red fox [duration=600]'));
      assert.ok(t.remoteId);
      assert.deepStrictEqual(storedAtFirstEvent, [true]);
      assert.ok(
        h.ws.readStore().tasks.some((s) => s.id === t.id && s.remoteId === t.remoteId),
        'stored when generate() returns',
      );

      const done = await waitForTask(engine, t.id, settled, 'to finish');
      assert.strictEqual(done.status, 'succeeded');
      assert.strictEqual(done.progress, 100);
      assert.strictEqual(done.error, undefined);
      const file = done.videos[0].localPath!;
      assert.ok(file.startsWith(h.ws.mediaDir + path.sep));
      assert.strictEqual(Buffer.compare(fs.readFileSync(file), SAMPLE), 0);
      await engine.flush();
      const stored = h.ws.readStore().tasks.find((s) => s.id === t.id)!;
      assert.strictEqual(stored.status, 'succeeded');
      assert.strictEqual(stored.videos[0].localPath, file);
      const files = h.emulator.requests('files');
      assert.ok(files.length >= 1);
      assert.ok(
        files.every((r) => r.hadAuthorizationHeader === false),
        'downloads never carry the Authorization header',
      );
      assert.ok(h.emulator.requests('pika.feed').every((r) => r.authorized));
      assert.deepStrictEqual(
        h.ws.mediaFiles().filter((f) => f.endsWith('.part')),
        [],
      );
    });

    it('a task is only polled at the base URL it was created at; a changed setting pauses it, changing back resumes it', async () => {
      let base = h.emulator.baseUrl;
      const { engine } = await h.ws.engine({ baseUrl: () => base });
      const t = await engine.generate(pikaRequest('pinned [duration=1200]'));
      assert.strictEqual(engine.getTask(t.id)!.origin, h.emulator.baseUrl);
      base = 'https://elsewhere.example';
      engine.settingsChanged();
      const paused = await waitForTask(engine, t.id, (x) => x.errorKind === 'config', 'to pause');
      assert.strictEqual(paused.status === 'queued' || paused.status === 'running', true);
      assert.match(paused.error!, /Created at 127\.0\.0\.1:\d+, but the Pika base URL now points to elsewhere\.example/);
      base = h.emulator.baseUrl;
      engine.settingsChanged();
      const done = await waitForTask(engine, t.id, settled, 'to finish after the setting is restored');
      assert.strictEqual(done.status, 'succeeded');
    });

    it('downloads every result of a multi-video task (Pika videos[], HiDream sub-tasks)', async () => {
      const { engine } = await h.ws.engine();
      const pika = await engine.generate(pikaRequest('two of them [subtasks=2] [duration=500]'));
      const hidream = await engine.generate({ provider: 'hidream', prompt: 'three of them [subtasks=3] [duration=500]' });
      for (const id of [pika.id, hidream.id]) {
        const done = await waitForTask(engine, id, settled, 'to finish');
        assert.strictEqual(done.status, 'succeeded', done.error);
        assert.ok(done.videos.length >= 2);
        done.videos.forEach((v, i) =>
          assert.strictEqual(Buffer.compare(fs.readFileSync(v.localPath!), i % 2 === 0 ? SAMPLE : SAMPLE_2), 0),
        );
      }
    });

    it('gateway tasks finish in both answer shapes (flat and envelope)', async () => {
      const { engine } = await h.ws.engine();
      const flat = await engine.generate({ provider: 'gateway', model: 'kling-v1', prompt: 'flat [flat] [duration=500]' });
      const env = await engine.generate({ provider: 'gateway', model: 'viduq1', prompt: 'envelope [envelope] [duration=500]' });
      for (const id of [flat.id, env.id]) {
        const done = await waitForTask(engine, id, settled, 'to finish');
        assert.strictEqual(done.status, 'succeeded', done.error);
        assert.ok(done.videos[0].localPath);
      }
    });

    it('a provider-side failure ends the task with the provider message (Pika error, HiDream content review)', async () => {
      const { engine } = await h.ws.engine();
      const failed = await engine.generate(pikaRequest('doomed [fail] [duration=400]'));
      const rejected = await engine.generate({ provider: 'hidream', prompt: 'doomed [reject] [duration=400]' });
      const f = await waitForTask(engine, failed.id, (t) => !['queued', 'running'].includes(t.status), 'to end');
      assert.strictEqual(f.status, 'failed');
      assert.strictEqual(f.errorKind, 'business');
      assert.match(f.error!, /Emulated generation failure/);
      const r = await waitForTask(engine, rejected.id, (t) => !['queued', 'running'].includes(t.status), 'to end');
      assert.strictEqual(r.status, 'failed');
      assert.match(r.error!, /Rejected by content review/);
      assert.ok(f.finishedAt && r.finishedAt);
    });

    it('refuses invalid input before anything is sent', async () => {
      const { engine } = await h.ws.engine();
      await assert.rejects(
        engine.generate({ provider: 'pika', prompt: 'x', model: '9.9' }),
        (e: Error & { kind?: string }) => e.kind === 'input' && /model must be 1.5 or 2.0/.test(e.message),
      );
      await assert.rejects(engine.generate({ provider: 'nope' as 'pika', prompt: 'x' }), /not supported/);
      assert.strictEqual(h.emulator.counts()['pika.generate'], 0);
      assert.deepStrictEqual(engine.getTasks(), []);
    });

    it('removing a task stops its download', async () => {
      const { engine } = await h.ws.engine();
      const t = await engine.generate(pikaRequest('remove me mid-download [duration=0] [trickle=50]'));
      await waitFor('the download to start', () => h.emulator.requests('files').some((r) => r.path.endsWith('.mp4')));
      assert.ok(engine.hasScheduledWork);
      assert.deepStrictEqual(await engine.remove([t.id]), []);
      await waitFor('the download to stop', () => !engine.hasScheduledWork, 5000);
      assert.deepStrictEqual(h.ws.mediaFiles(), [], 'no file or partial file left');
    });
  });

  describe('results the provider serves itself (TaskVideo.authenticated)', () => {
    const served = (video: TaskVideo) =>
      new ScriptedProvider('pika', () => [{ status: 'succeeded', rawStatus: 'done', progress: 100, videos: [video] }]);

    it('are downloaded with the key from under the base URL the task was created at', async () => {
      const url = `${h.emulator.baseUrl}/files/fixtures/sample.mp4`;
      const { engine } = await h.ws.engine({ providers: { pika: served({ url, authenticated: true, expiresAt: Date.now() + 60_000 }) } });
      const t = await engine.generate(pikaRequest('mine'));
      const done = await waitForTask(engine, t.id, settled, 'to finish');
      assert.strictEqual(Buffer.compare(fs.readFileSync(done.videos[0].localPath!), SAMPLE), 0, done.videos[0].downloadError);
      assert.deepStrictEqual(
        h.emulator.requests('files').map((r) => r.hadAuthorizationHeader),
        [true],
      );
      assert.ok(done.videos[0].authenticated && done.videos[0].expiresAt, 'the flags are kept on the task');
    });

    it('are refused, before any request, off the provider API and past their expiry time', async () => {
      const base = h.emulator.baseUrl;
      const cases: { video: TaskVideo; error: RegExp }[] = [
        {
          video: { url: `http://localhost:${h.emulator.port}/files/fixtures/sample.mp4`, authenticated: true },
          error: /not on the Scripted API \(localhost:\d+\), so it is not fetched with your key/,
        },
        {
          video: { url: `${base}/files/fixtures/sample.mp4`, authenticated: true, expiresAt: Date.UTC(2025, 0, 2, 3, 4) },
          error: /^This result expired at 2025-01-02 03:04 UTC; it can no longer be downloaded\.$/,
        },
      ];
      for (const c of cases) {
        // localhost may be connected to, so only the key rule can refuse the first case.
        const { engine } = await h.ws.engine({
          providers: { pika: served(c.video) },
          settings: { download: { allowPrivateHosts: ['localhost'] } },
        });
        const t = await engine.generate(pikaRequest('refused'));
        const done = await waitForTask(engine, t.id, settled, 'to settle');
        assert.match(done.videos[0].downloadError ?? '', c.error);
      }
      assert.deepStrictEqual(h.emulator.requests('files'), [], 'nothing was asked for');
    });

    it('the flags survive the history file; malformed ones are dropped', () => {
      const videos = [
        { url: 'https://a/1', authenticated: true, expiresAt: 1_800_000_000_000 },
        { url: 'https://a/2', authenticated: 'yes', expiresAt: 'soon' },
      ];
      const stored = { id: 't', provider: 'pika', status: 'succeeded', createdAt: 1, updatedAt: 1, videos };
      assert.deepStrictEqual(validateStoredTask(stored)!.videos, [
        { url: 'https://a/1', authenticated: true, expiresAt: 1_800_000_000_000 },
        { url: 'https://a/2' },
      ]);
    });

    it('the key goes only under the base URL the task was created at, while it is still the base URL', () => {
      const provider = { label: 'Vault', authHeaders: () => ({ 'X-Key': 'k' }) };
      const ctx = { baseUrl: 'https://api.example.com/gw/v1', apiKey: 'k' };
      const task = { origin: 'https://api.example.com/gw/v1' };
      assert.deepStrictEqual(resultAuthHeaders(provider, ctx, task, 'https://api.example.com/gw/v1/videos/v1/content'), { 'X-Key': 'k' });
      assert.deepStrictEqual(
        resultAuthHeaders({ label: 'Plain' }, ctx, {}, 'https://api.example.com/gw/v1/videos/v1/content?variant=thumbnail'),
        { Authorization: 'Bearer k' },
      );
      const refused: [string, typeof task, RegExp][] = [
        [
          'https://api.example.com/gw/v1/videos/v1/content',
          { origin: 'https://api.example.com/v1' },
          /base URL now points to api\.example\.com/,
        ],
        ['https://api.example.com/gw/v10/videos/v1/content', task, /not on the Vault API/],
        ['https://api.example.com/other/videos', task, /not on the Vault API/],
        ['http://api.example.com/gw/v1/videos/v1/content', task, /not on the Vault API/],
        ['https://api.example.com.evil.test/gw/v1/videos', task, /not on the Vault API \(api\.example\.com\.evil\.test\)/],
        ['https://user:pw@api.example.com/gw/v1/videos', task, /not on the Vault API/],
        ['not a url', task, /not on the Vault API \(an invalid URL\)/],
      ];
      for (const [url, t, message] of refused) {
        assert.throws(
          () => resultAuthHeaders(provider, ctx, t, url),
          (e: unknown) => e instanceof ProviderError && e.kind === 'config' && message.test(e.message),
          url,
        );
      }
    });
  });

  describe('HiDream batching', () => {
    it('N active txt2video tasks cost one batch request per poll round, each listing every task due', async () => {
      const { providers, calls } = recordingProviders();
      const { engine } = await h.ws.engine({ providers, settings: { pollIntervalMs: 600 } });
      const n = 4;
      const tasks: Task[] = [];
      for (let i = 0; i < n; i++) tasks.push(await engine.generate({ provider: 'hidream', prompt: `batch ${i} [duration=2000]` }));
      for (const t of tasks) await waitForTask(engine, t.id, settled, 'to finish');
      const rounds = calls.filter((c) => c.provider === 'hidream');
      const batches = h.emulator.requests('hidream.txt2video.batch');
      assert.ok(rounds.length >= 2, `polled over several rounds (${rounds.length})`);
      assert.strictEqual(batches.length, rounds.length, 'one batch request per poll round');
      batches.forEach((b, i) => assert.deepStrictEqual((b.body as { task_id_list: string[] }).task_id_list, rounds[i].remoteIds));
      assert.ok(
        rounds.some((r) => r.remoteIds.length === n),
        `some round asked about all ${n} tasks at once`,
      );
      assert.strictEqual(h.emulator.requests('hidream.txt2video.result').length, 0, 'never the single-task endpoint');
      assert.strictEqual(overlappingCalls(calls, 'hidream'), 0, 'HiDream is polled one request at a time');
    });
  });

  describe('persistence', () => {
    it('a new engine on the same store sees the history and resumes active tasks without duplicates', async () => {
      const first = await h.ws.engine();
      const a = await first.engine.generate(pikaRequest('resume me [duration=1500]'));
      const b = await first.engine.generate({ provider: 'hidream', prompt: 'resume me too [duration=1500]' });
      const failed = await first.engine.generate(pikaRequest('fails fast [fail] [duration=100]'));
      await waitForTask(first.engine, failed.id, (t) => t.status === 'failed', 'to fail');
      await first.engine.flush();
      first.engine.dispose();
      await sleep(50);

      const second = await h.ws.engine();
      assert.deepStrictEqual(
        second.engine
          .getTasks()
          .map((t) => t.id)
          .sort(),
        [a.id, b.id, failed.id].sort(),
      );
      assert.strictEqual(second.engine.getTask(failed.id)!.error, first.engine.getTask(failed.id)!.error);
      for (const id of [a.id, b.id]) {
        const done = await waitForTask(second.engine, id, settled, 'to finish after the restart');
        assert.strictEqual(done.status, 'succeeded', done.error);
        assert.ok(done.videos[0].localPath);
      }
      assert.strictEqual(h.emulator.counts()['pika.generate'], 2, 'nothing created twice');
      assert.strictEqual(h.emulator.counts()['hidream.txt2video.create'], 1);
      await second.engine.flush();
      const stored = h.ws.readStore().tasks;
      assert.strictEqual(stored.length, 3);
      assert.strictEqual(new Set(stored.map((t) => t.id)).size, 3);
    });

    it('progress ticks are coalesced: no write per poll, final states written at once', async () => {
      const scripted = new ScriptedProvider('pika', () => [
        running(10),
        running(20),
        running(30),
        running(40),
        running(50),
        running(60),
        running(70),
        running(80),
        succeededNoVideo,
      ]);
      const store = new TaskStore(h.ws.storeFile);
      let writes = 0;
      const save = store.save.bind(store);
      store.save = (...args) => {
        writes++;
        return save(...args);
      };
      const { engine } = await h.ws.engine({ providers: { pika: scripted }, store, saveDelayMs: 60_000, settings: { pollIntervalMs: 50 } });
      const t = await engine.generate(pikaRequest('ticks'));
      assert.strictEqual(writes, 2, 'written twice on create: before it is sent, and once accepted');
      await waitForTask(engine, t.id, (x) => x.status === 'succeeded', 'to succeed');
      assert.ok(scripted.polls.length >= 9);
      assert.strictEqual(writes, 3, `create + final state only, over ${scripted.polls.length} polls`);
      await engine.flush();
      assert.strictEqual(h.ws.readStore().tasks[0].status, 'succeeded');
    });

    it('coalesced progress reaches the disk within the save delay', async () => {
      const scripted = new ScriptedProvider('pika', () => [running(10), running(42)]);
      const { engine } = await h.ws.engine({ providers: { pika: scripted }, saveDelayMs: 100, settings: { pollIntervalMs: 50 } });
      const t = await engine.generate(pikaRequest('progress'));
      await waitFor('progress 42 on disk', () => h.ws.readStore().tasks.find((s) => s.id === t.id)?.progress === 42);
      assert.strictEqual(engine.getTask(t.id)!.status, 'running');
    });

    it('a corrupt store is moved aside with a clear warning and the engine keeps working', async () => {
      fs.writeFileSync(h.ws.storeFile, '{"version":1,"tasks":[{"id": "trunc');
      const { engine, log } = await h.ws.engine();
      assert.ok(
        log.lines.some((l) => l.level === 'warn' && /unreadable .* moved aside to tasks\.json\.corrupt-\d+/.test(l.message)),
        JSON.stringify(log.lines),
      );
      const aside = fs.readdirSync(h.ws.dir).filter((f) => f.startsWith('tasks.json.corrupt-'));
      assert.strictEqual(aside.length, 1);
      assert.strictEqual(
        fs.readFileSync(path.join(h.ws.dir, aside[0]), 'utf8'),
        '{"version":1,"tasks":[{"id": "trunc',
        'the old content is kept',
      );
      const t = await engine.generate(pikaRequest('after corruption [duration=300]'));
      await waitForTask(engine, t.id, settled, 'to finish');
      await engine.flush();
      assert.strictEqual(h.ws.readStore().tasks.length, 1);
    });

    it('an unreadable store folder does not stop the engine from starting', async () => {
      const store = new TaskStore(path.join(h.ws.dir, 'not-a-dir', 'tasks.json'));
      fs.writeFileSync(path.join(h.ws.dir, 'not-a-dir'), 'a file where a folder should be');
      const { engine, log } = await h.ws.engine({ store, watchStore: false });
      assert.deepStrictEqual(engine.getTasks(), []);
      assert.ok(log.lines.some((l) => l.level === 'warn' && /Could not read the task history/.test(l.message)));
    });
  });

  describe('polling discipline', () => {
    it('no timer and no request while no task is active; the lease is released', async () => {
      const { engine } = await h.ws.engine();
      assert.strictEqual(engine.hasScheduledWork, false, 'idle after init with an empty history');
      const t = await engine.generate(pikaRequest('short [duration=300]'));
      assert.strictEqual(engine.hasScheduledWork, true);
      await waitForTask(engine, t.id, settled, 'to finish');
      await waitFor('the engine to go idle', () => !engine.hasScheduledWork);
      const before = h.emulator.counts();
      await sleep(600);
      assert.deepStrictEqual(h.emulator.counts(), before, 'no request while idle');
      assert.strictEqual(engine.hasScheduledWork, false);
      await waitFor('the lease file to go', () => !fs.existsSync(path.join(h.ws.dir, 'tasks.lease')));
      assert.strictEqual(engine.isPolling, false);
    });

    it('polls never exceed limits.concurrentPolls (Pika 4, HiDream 1), and one provider is never polled twice at once', async () => {
      const { providers, calls } = recordingProviders();
      const proxy = new FlakyProxy(h.emulator.baseUrl, { pika: /^\/pika\/feed\//, hidream: /\/async\/results/ });
      await proxy.up();
      try {
        for (const route of ['pika.feed', 'hidream.txt2video.batch', 'hidream.img2video.batch']) {
          h.emulator.injectFault({ route, kind: 'slow', delayMs: 120, times: Infinity });
        }
        const { engine } = await h.ws.engine({ providers, baseUrl: proxy.baseUrl });
        const tasks = await Promise.all([
          ...Array.from({ length: 9 }, (_, i) => engine.generate(pikaRequest(`many ${i} [duration=800]`))),
          engine.generate({ provider: 'hidream', prompt: 'text [duration=800]' }),
          engine.generate({ provider: 'hidream', prompt: 'image [duration=800]', image: path.join(FIXTURES, 'cat.png') }),
        ]);
        for (const t of tasks) await waitForTask(engine, t.id, settled, 'to finish');
        assert.ok((proxy.maxInFlight.get('pika') ?? 0) <= 4, `at most 4 feed requests at once (saw ${proxy.maxInFlight.get('pika')})`);
        assert.ok((proxy.maxInFlight.get('pika') ?? 0) >= 2, 'several at once');
        assert.strictEqual(proxy.maxInFlight.get('hidream'), 1, 'HiDream: one poll request at a time, across modules');
        assert.ok(h.emulator.counts()['hidream.img2video.batch'] >= 1 && h.emulator.counts()['hidream.txt2video.batch'] >= 1);
        assert.strictEqual(overlappingCalls(calls, 'pika') + overlappingCalls(calls, 'hidream'), 0);
      } finally {
        await proxy.down();
      }
    });

    it('refresh() polls at once, and the engine never throws out of it', async () => {
      const scripted = new ScriptedProvider('pika', () => [running(5), running(50), succeededNoVideo]);
      const { engine } = await h.ws.engine({ providers: { pika: scripted }, settings: { pollIntervalMs: 60_000 } });
      const t = await engine.generate(pikaRequest('slow schedule'));
      await engine.refresh();
      assert.strictEqual(engine.getTask(t.id)!.progress, 5);
      await engine.refresh();
      assert.strictEqual(engine.getTask(t.id)!.progress, 50);
      await engine.refresh();
      assert.strictEqual(engine.getTask(t.id)!.status, 'succeeded');
      assert.strictEqual(scripted.polls.length, 3);
    });
  });

  describe('create limits', () => {
    it('an 11th HiDream txt2video create within a minute waits in the local queue (nothing sent) and is sent once the minute allows', async () => {
      // The engine's clock runs 20x faster, so its one-minute window passes in 3 s.
      const clock = new ScaledClock(20);
      const { engine } = await h.ws.engine({ clock, leaseRenewMs: 4000, settings: { pollIntervalMs: 60_000 } });
      for (let i = 0; i < 10; i++) await engine.generate({ provider: 'hidream', prompt: `quota ${i} [never]` });
      const held = await engine.generate({ provider: 'hidream', prompt: 'one too many [never]' });
      assert.strictEqual(held.status, 'waiting');
      assert.match(held.waitReason!, /HiDream accepts at most 10 txt2video tasks a minute/);
      assert.ok(held.sendAfter! - clock.now() > 50_000 && held.sendAfter! - clock.now() <= 60_000);
      assert.strictEqual(h.emulator.counts()['hidream.txt2video.create'], 10, 'nothing sent for it');
      const edit = await engine.generate({
        provider: 'hidream',
        prompt: 'another module has its own budget [never]',
        image: path.join(FIXTURES, 'cat.png'),
      });
      assert.strictEqual(edit.route, 'img2video');
      assert.strictEqual(edit.status, 'queued');
      const sent = await waitForTask(
        engine,
        held.id,
        (t) => t.status === 'queued' || t.status === 'running',
        'to be sent when the minute allows',
        10_000,
      );
      assert.ok(sent.remoteId);
      assert.strictEqual(h.emulator.counts()['hidream.txt2video.create'], 11);
    });
  });

  describe('two windows on one store', () => {
    it('only the lease holder polls and downloads; the other shows the same updates; the store stays whole', async () => {
      const recA = recordingProviders();
      const recB = recordingProviders();
      const a = await h.ws.engine({ providers: recA.providers, ownerId: 'window-a' });
      const b = await h.ws.engine({ providers: recB.providers, ownerId: 'window-b' });
      const fromA = [
        await a.engine.generate(pikaRequest('from A [duration=900]')),
        await a.engine.generate({ provider: 'hidream', prompt: 'from A [duration=900]' }),
      ];
      const fromB = await b.engine.generate(pikaRequest('from B [duration=900]'));
      const ids = [...fromA.map((t) => t.id), fromB.id];
      for (const e of [a.engine, b.engine]) {
        for (const id of ids) {
          await waitForTask(e, id, (t) => settled(t) && t.videos.every((v) => v.localPath), 'to finish and download in both windows');
        }
      }
      const pollers = [recA.calls.length > 0, recB.calls.length > 0];
      assert.strictEqual(
        pollers.filter(Boolean).length,
        1,
        `exactly one window polled (A: ${recA.calls.length} calls, B: ${recB.calls.length})`,
      );
      // Each task was asked about at most once per round: the per-remote-id poll count equals the rounds that listed it.
      const all = [...recA.calls, ...recB.calls];
      assert.strictEqual(overlappingCalls(all, 'pika') + overlappingCalls(all, 'hidream'), 0);
      const feeds = h.emulator.requests('pika.feed').map((r) => r.path.split('/').pop());
      const pikaRounds = all.filter((c) => c.provider === 'pika').flatMap((c) => c.remoteIds);
      assert.strictEqual(feeds.length, pikaRounds.length, 'one feed request per task per round');
      assert.strictEqual(h.emulator.requests('files').filter((r) => /\.mp4$/.test(r.path)).length, 3, 'each result downloaded once');
      for (const id of ids) assert.strictEqual(a.engine.getTask(id)!.videos[0].localPath, b.engine.getTask(id)!.videos[0].localPath);
      await a.engine.flush();
      await b.engine.flush();
      const stored = h.ws.readStore().tasks;
      assert.deepStrictEqual(stored.map((t) => t.id).sort(), [...ids].sort());
      assert.ok(stored.every((t) => t.status === 'succeeded' && t.videos[0].localPath));
    });

    it('when the polling window closes, the other takes over and finishes the work', async () => {
      const recA = recordingProviders();
      const recB = recordingProviders();
      const a = await h.ws.engine({ providers: recA.providers, ownerId: 'window-a' });
      const t = await a.engine.generate(pikaRequest('outlives its window [duration=1500]'));
      await waitFor('A to poll', () => recA.calls.length > 0);
      const b = await h.ws.engine({ providers: recB.providers, ownerId: 'window-b' });
      await sleep(400);
      assert.strictEqual(recB.calls.length, 0, 'B does not poll while A holds the lease');
      assert.strictEqual(b.engine.getTask(t.id)!.remoteId, t.remoteId, 'B shows the task');
      await a.engine.flush();
      a.engine.dispose();
      const done = await waitForTask(b.engine, t.id, settled, 'to be finished by B');
      assert.strictEqual(done.status, 'succeeded');
      assert.ok(recB.calls.length > 0);
      assert.ok(done.videos[0].localPath);
    });

    it('a window that died without releasing its lease is replaced once the lease goes stale', async () => {
      const seed = await h.ws.engine({ ownerId: 'seed' });
      const t = await seed.engine.generate(pikaRequest('orphaned [duration=300]'));
      await seed.engine.flush();
      seed.engine.dispose();
      await sleep(50);
      const expiresAt = Date.now() + 700;
      fs.writeFileSync(path.join(h.ws.dir, 'tasks.lease'), JSON.stringify({ owner: 'crashed-window', expiresAt, pid: 999999 }));
      const rec = recordingProviders();
      const b = await h.ws.engine({ providers: rec.providers, ownerId: 'window-b' });
      const done = await waitForTask(b.engine, t.id, settled, 'to finish');
      assert.strictEqual(done.status, 'succeeded');
      assert.ok(rec.calls[0].start >= expiresAt, 'no poll before the dead lease expired');
    });

    it('a removal in the other window stops the download under way in the polling window', async () => {
      const a = await h.ws.engine({ ownerId: 'window-a' });
      const b = await h.ws.engine({ ownerId: 'window-b' });
      // One byte every 50 ms: the download would take minutes.
      const t = await a.engine.generate(pikaRequest('stop my download [duration=0] [trickle=50]'));
      await waitFor('the download to start', () => h.emulator.requests('files').some((r) => r.path.endsWith('.mp4')));
      const poller = a.engine.isPolling ? a : b;
      const other = poller === a ? b : a;
      assert.ok(poller.engine.isPolling && poller.engine.hasScheduledWork);
      await waitForTask(other.engine, t.id, () => true, 'to appear in the other window');
      await other.engine.remove([t.id]);
      await waitFor('the polling window to adopt the removal', () => !poller.engine.getTask(t.id));
      await waitFor('the download to stop', () => !poller.engine.hasScheduledWork, 5000);
      assert.deepStrictEqual(h.ws.mediaFiles(), [], 'no file or partial file left');
    });

    it("the polling window honours the other window's removals and check-again", async () => {
      const a = await h.ws.engine({ ownerId: 'window-a', settings: { giveUpMs: 700 } });
      const b = await h.ws.engine({ ownerId: 'window-b', settings: { giveUpMs: 700 } });
      const doomed = await a.engine.generate(pikaRequest('remove me [never]'));
      const slow = await a.engine.generate(pikaRequest('check me again [duration=1400]'));
      await waitForTask(b.engine, doomed.id, () => true, 'to appear in B');
      await b.engine.remove([doomed.id]);
      await waitFor('A to drop the removed task', () => !a.engine.getTask(doomed.id));
      const timedOut = await waitForTask(b.engine, slow.id, (x) => x.timedOut === true, 'to time out (seen in B)');
      assert.strictEqual(timedOut.status, 'failed');
      await waitFor('the task to be finished at the provider', () => h.emulator.taskFinishedAt(slow.remoteId) !== undefined);
      b.engine.checkAgain(slow.id);
      const done = await waitForTask(a.engine, slow.id, (x) => x.status === 'succeeded' && settled(x), 'to be picked up again and finish');
      assert.strictEqual(done.status, 'succeeded', done.error);
      const feedsForDoomed = h.emulator.requests('pika.feed').filter((r) => r.path.endsWith(doomed.remoteId)).length;
      await sleep(400);
      assert.strictEqual(
        h.emulator.requests('pika.feed').filter((r) => r.path.endsWith(doomed.remoteId)).length,
        feedsForDoomed,
        'the removed task is not polled any more',
      );
      await a.engine.flush();
      await b.engine.flush();
      assert.ok(!h.ws.readStore().tasks.some((x) => x.id === doomed.id));
    });
  });

  describe('no unhandled rejections, whatever the dependencies do', () => {
    it('a provider that throws, a store that fails, a listener that throws, a bad result URL: the engine carries on', async () => {
      let mode: 'throw' | 'reject' | 'badUrl' = 'throw';
      const hostile = new ScriptedProvider('pika', () => [running(10)]);
      hostile.poll = (async (_ctx: unknown, tasks: readonly Task[]) => {
        if (mode === 'throw') throw new TypeError('provider bug');
        if (mode === 'reject') return Promise.reject('a bare string');
        return new Map(
          tasks.map((t) => [
            t.id,
            { status: 'succeeded', rawStatus: 'done', progress: 100, videos: [{ url: 'https://bad host/%E0%A4%A.mp4' }] },
          ]),
        );
      }) as ScriptedProvider['poll'];
      const store = new TaskStore(h.ws.storeFile);
      const save = store.save.bind(store);
      let failWrites = false;
      store.save = (...args) => (failWrites ? Promise.reject(new Error('disk full')) : save(...args));
      const { engine, log } = await h.ws.engine({ providers: { pika: hostile }, store, settings: { pollIntervalMs: 50 } });
      const seen: string[] = [];
      engine.onDidChangeTasks(() => {
        throw new Error('listener bug');
      });
      engine.onDidChangeTasks((c) => seen.push(...c.map((t) => t.status)));
      const t = await engine.generate(pikaRequest('hostile'));
      await waitForTask(engine, t.id, (x) => /provider bug/.test(x.error ?? ''), 'to show the provider bug');
      assert.strictEqual(engine.getTask(t.id)!.errorKind, 'malformed');
      mode = 'reject';
      await waitForTask(engine, t.id, (x) => /a bare string/.test(x.error ?? ''), 'to show the rejection');
      failWrites = true;
      mode = 'badUrl';
      const done = await waitForTask(engine, t.id, (x) => x.status === 'succeeded' && settled(x), 'to succeed');
      assert.ok(done.videos[0].downloadError, 'an unusable URL is a download error, not a crash');
      assert.ok(log.lines.some((l) => l.level === 'error' && /Could not save the task history: disk full/.test(l.message)));
      assert.ok(seen.includes('succeeded'), 'the other listener still got every event');
      failWrites = false;
    });
  });

  it('dispose stops everything: no timers, no writes after it', async () => {
    const { engine } = await h.ws.engine();
    await engine.generate(pikaRequest('abandoned [never]'));
    await engine.flush();
    engine.dispose();
    await waitFor('polls in flight to end', () => !engine.hasScheduledWork);
    const count = h.emulator.counts()['pika.feed'];
    await sleep(500);
    assert.strictEqual(h.emulator.counts()['pika.feed'], count);
    assert.ok(engine instanceof TaskEngine);
  });
});
