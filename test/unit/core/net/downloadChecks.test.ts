// Downloads against the emulator's result markers, through the engine (what the user sees on the
// task) and through downloadToFile with a provider that is not on this machine. Every outgoing
// connection is watched: only 127.0.0.1 is ever reached.
import * as assert from 'assert';
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

import { ProviderError } from '../../../../src/core/model/errors';
import { Task } from '../../../../src/core/model/task';
import { downloadToFile } from '../../../../src/core/net/download';
import { PROVIDERS } from '../../../../src/providers';
import { KEY, pikaRequest, SAMPLE, settled, sleep, tempDir, useEngineSuite, waitForTask } from '../../../support/engineHarness';
import { NetSpy, spyOnConnections } from '../../../support/netSpy';

describe('downloads are checked (emulator)', function () {
  this.timeout(30_000);
  const h = useEngineSuite({ durationMs: 300, clearFaultsAfterEach: true });
  let spy: NetSpy;

  before(() => {
    spy = spyOnConnections();
  });
  after(() => spy.restore());
  beforeEach(() => {
    spy.attempts.length = 0;
  });

  /** Requests for the video (and its redirect hops); the poster fetched after a good video is not counted. */
  const files = () => h.emulator.requests('files').filter((r) => !r.path.endsWith('/poster.jpg'));
  /** Generates, waits until the result is downloaded or its download failed. */
  async function run(
    prompt: string,
    settings: Parameters<typeof h.ws.engine>[0] = {},
  ): Promise<{ done: Task; engine: Awaited<ReturnType<typeof h.ws.engine>>['engine'] }> {
    const { engine } = await h.ws.engine(settings);
    const t = await engine.generate(pikaRequest(`${prompt} [duration=100]`));
    const done = await waitForTask(engine, t.id, settled, 'to settle');
    assert.strictEqual(done.status, 'succeeded');
    return { done, engine };
  }
  /** A failed download: the message, no file kept, and nothing fetches it again by itself. */
  async function failedFinally(done: Task, message: RegExp): Promise<void> {
    assert.strictEqual(done.videos[0].localPath, undefined);
    assert.match(done.videos[0].downloadError ?? '(no error)', message);
    assert.deepStrictEqual(h.ws.mediaFiles(), [], 'no file kept, not even a .part');
    const requests = files().length;
    await sleep(600);
    assert.strictEqual(files().length, requests, 'not retried automatically');
  }

  describe('content', () => {
    it('[gzip-result]: identity is asked for, so the video arrives unencoded and byte for byte', async () => {
      const { done } = await run('gzip if you can [gzip-result]');
      assert.strictEqual(done.videos[0].downloadError, undefined);
      assert.ok(fs.readFileSync(done.videos[0].localPath!).equals(SAMPLE));
    });

    it('[gzip-forced]: a server that gzips anyway -> a clear download error, no file, final', async () => {
      const { done } = await run('gzip anyway [gzip-forced]');
      await failedFinally(done, /The server sent the result gzip-encoded although an unencoded file was asked for\. Nothing was saved\./);
      assert.strictEqual(files().length, 1);
    });

    for (const marker of ['[html-octet]', '[html-untyped]']) {
      it(`${marker}: an expired-link page served as a video -> "not a video", no file, final; Retry Download asks once more`, async () => {
        const { done, engine } = await run(`expired ${marker}`);
        await failedFinally(
          done,
          /The result is not a video: it is a web page \(often an expired link or a sign-in page\)\. Nothing was saved\./,
        );
        assert.strictEqual(files().length, 1);
        engine.ensureDownloads(done);
        await waitForTask(engine, done.id, () => files().length === 2 && !engine.hasScheduledWork, 'the retried download to end');
        assert.match(engine.getTask(done.id)!.videos[0].downloadError!, /not a video/);
        assert.deepStrictEqual(h.ws.mediaFiles(), []);
      });
    }
  });

  describe('time limits', () => {
    it('[trickle]: a server that stops sending -> "stalled" after the stall timeout (retried, within the deadline)', async () => {
      const { done } = await run('slow [trickle=400]', { settings: { downloadAttempts: 2, download: { stallMs: 150 } } });
      await failedFinally(done, /Download stalled \(no data for 150 ms\)\./);
      assert.strictEqual(files().length, 2);
    });

    it('[trickle]: a byte every 10 ms cannot hold the download slot past the deadline, which is final', async () => {
      const started = Date.now();
      const { done } = await run('drip [trickle=10]', { settings: { download: { stallMs: 5000, deadlineMs: 500 } } });
      assert.ok(Date.now() - started < 5000, 'ended by the deadline, not the stall timeout');
      await failedFinally(done, /The download took longer than 500 ms and was stopped\./);
      assert.strictEqual(files().length, 1);
    });
  });

  it('[bad-percent]: a result URL with bad percent-encoding downloads under a safe name', async () => {
    const { done } = await run('odd name [bad-percent]');
    assert.strictEqual(done.videos[0].downloadError, undefined);
    assert.match(done.videos[0].url, /%E0%A4/);
    assert.match(path.basename(done.videos[0].localPath!), /^1-E0_A4.*\.mp4$/);
    assert.ok(fs.readFileSync(done.videos[0].localPath!).equals(SAMPLE));
  });

  describe('redirects', () => {
    it('[redirects=3]: followed, without any Authorization header', async () => {
      const { done } = await run('hops [redirects=3]');
      assert.ok(fs.readFileSync(done.videos[0].localPath!).equals(SAMPLE));
      assert.strictEqual(files().length, 4);
      assert.ok(files().every((r) => !r.hadAuthorizationHeader));
    });

    it('[redirects=9]: capped at 5', async () => {
      const { done } = await run('loop [redirects=9]');
      await failedFinally(done, /redirected more than 5 times/);
      assert.strictEqual(files().length, 6);
    });

    it('[redirect-to=] a private address after two hops: refused before connecting to it', async () => {
      const { done } = await run('metadata [redirects=2] [redirect-to=http://169.254.169.254/latest/meta-data/]');
      await failedFinally(
        done,
        /Refusing to download from 169\.254\.169\.254: it is a private, loopback, link-local or other non-public network address/,
      );
      assert.ok(
        spy.attempts.every((a) => a.host === '127.0.0.1'),
        JSON.stringify(spy.attempts),
      );
    });
  });

  describe('result URLs at private addresses', () => {
    for (const host of ['10.0.0.1', '192.168.1.20', '169.254.169.254', 'fe80::1', '::ffff:10.0.0.1', '0.0.0.0', 'localhost']) {
      it(`[result-host=${host}]: refused before any connection, with the setting to use named`, async () => {
        const { done } = await run(`lan [result-host=${host}]`);
        await failedFinally(
          done,
          /private, loopback, link-local or other non-public network address.*aiVideo\.download\.allowPrivateHosts/,
        );
        assert.strictEqual(files().length, 0);
        assert.ok(
          spy.attempts.every((a) => a.host === '127.0.0.1'),
          JSON.stringify(spy.attempts),
        );
      });
    }

    it('aiVideo.download.allowPrivateHosts lets a listed host through (the connection is then attempted)', async () => {
      const { done } = await run('lan [result-host=10.0.0.1]', {
        settings: { downloadAttempts: 1, download: { allowPrivateHosts: ['10.0.0.1'] } },
      });
      assert.match(done.videos[0].downloadError!, /ECONNREFUSED/, 'stopped by the test, after the rules let it through');
      assert.deepStrictEqual(
        spy.attempts.filter((a) => a.host !== '127.0.0.1'),
        [{ host: '10.0.0.1' }],
      );
    });
  });

  describe('a provider that is not on this machine', () => {
    let dir: string;
    beforeEach(() => {
      dir = tempDir('aivideo-checks-');
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** The result URL of a finished emulated Pika task. */
    async function resultUrl(prompt: string): Promise<string> {
      const ctx = { baseUrl: h.emulator.baseUrl, apiKey: KEY };
      const created = await PROVIDERS.pika!.create(ctx, { provider: 'pika', prompt: `${prompt} [duration=0]` }, {}, randomUUID());
      const task = {
        id: 't',
        provider: 'pika',
        remoteId: created.remoteId,
        mode: created.mode,
        status: 'running',
        progress: 0,
        prompt,
        model: created.model,
        createdAt: 0,
        updatedAt: 0,
        videos: [],
        request: { provider: 'pika', prompt },
      } as Task;
      const state = (await PROVIDERS.pika!.poll(ctx, [task])).get('t');
      assert.ok(state && !(state instanceof ProviderError) && state.videos[0], 'a finished task');
      return state.videos[0].url;
    }
    const elsewhere = { origin: 'https://api.example.com', maxBytes: 1e7, attempts: 1 };
    const rejects = (p: Promise<unknown>, kind: string, message: RegExp) =>
      assert.rejects(p, (e: unknown) => e instanceof ProviderError && e.kind === kind && message.test(e.message));

    it('its result at 127.0.0.1 is refused as private, unless allowed; the refusal opens no connection', async () => {
      const url = await resultUrl('cdn');
      spy.attempts.length = 0;
      await rejects(downloadToFile(url, path.join(dir, 'a.mp4'), { ...elsewhere, allowInsecureHttp: true }), 'config', /private/);
      assert.deepStrictEqual([...spy.attempts], []);
      await downloadToFile(url, path.join(dir, 'b.mp4'), { ...elsewhere, allowPrivateHosts: ['127.0.0.1'] });
      assert.ok(fs.readFileSync(path.join(dir, 'b.mp4')).equals(SAMPLE));
    });

    it('[redirect-to=http://…]: a hop to plain http on another host is refused (the provider is on https)', async () => {
      const url = await resultUrl('downgrade [redirect-to=http://203.0.113.7/v.mp4]');
      spy.attempts.length = 0;
      await rejects(
        downloadToFile(url, path.join(dir, 'r.mp4'), { ...elsewhere, allowPrivateHosts: ['127.0.0.1'] }),
        'config',
        /203\.0\.113\.7 over plain http/,
      );
      assert.deepStrictEqual(
        spy.attempts.map((a) => a.host),
        ['127.0.0.1'],
      );
      assert.deepStrictEqual(fs.readdirSync(dir), []);
    });

    it('plain http results are refused unless the base URL is loopback or allowInsecureHttp is set', async () => {
      const url = await resultUrl('public [result-host=203.0.113.9]');
      spy.attempts.length = 0;
      await rejects(downloadToFile(url, path.join(dir, 'h.mp4'), elsewhere), 'config', /over plain http.*aiVideo\.allowInsecureHttp/);
      assert.deepStrictEqual([...spy.attempts], []);
      await rejects(downloadToFile(url, path.join(dir, 'h.mp4'), { ...elsewhere, allowInsecureHttp: true }), 'network', /ECONNREFUSED/);
      await rejects(downloadToFile(url, path.join(dir, 'h.mp4'), { ...elsewhere, origin: h.emulator.baseUrl }), 'network', /ECONNREFUSED/);
      assert.deepStrictEqual(
        spy.attempts.map((a) => a.host),
        ['203.0.113.9', '203.0.113.9'],
        'allowed twice, and stopped by the test',
      );
    });
  });
});
