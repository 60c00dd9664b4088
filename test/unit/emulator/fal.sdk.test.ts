// The emulator's fal queue driven by the official `@fal-ai/client`: requests exactly as the SDK builds
// them (status, result and cancel on `{owner}/{app}` only), answers as the SDK reads them. The SDK has
// no base-URL option, so `requestMiddleware` rewrites its queue host to the emulator on 127.0.0.1;
// retries are off (and every call is counted at the emulator, so a retry would show).
import * as assert from 'assert';
import { createFalClient, ValidationError } from '@fal-ai/client';

import { FAL_QUEUE_PATH } from '../../../src/emulator/fal';
import { GOOD_KEY, useEmulator } from '../../support/helpers';
import { NetSpy, spyOnConnections } from '../../support/netSpy';

const KLING_T2V = 'fal-ai/kling-video/v2.1/master/text-to-video';
const FAL_QUEUE_HOST = 'https://queue.fal.run';

describe('fal emulator, driven by the official SDK', function () {
  const h = useEmulator({ durationMs: 10_000 });
  let net: NetSpy;
  before(() => {
    net = spyOnConnections();
  });
  after(() => {
    net.restore();
    assert.ok(net.attempts.length > 0, 'the spy saw the SDK connect');
    assert.ok(
      net.attempts.every((a) => a.host === '127.0.0.1'),
      `the SDK connected elsewhere: ${JSON.stringify(net.attempts)}`,
    );
  });

  const client = (credentials = GOOD_KEY) =>
    createFalClient({
      credentials,
      retry: { maxRetries: 0 },
      requestMiddleware: async (request) => {
        assert.ok(request.url.startsWith(`${FAL_QUEUE_HOST}/`), `the SDK asked for ${request.url}`);
        return { ...request, url: `${h.em.baseUrl}${FAL_QUEUE_PATH}${request.url.slice(FAL_QUEUE_HOST.length)}` };
      },
    });

  it('queue.submit, then queue.status over time (queue position, logs), then queue.result', async function () {
    const fal = client();
    const submitted = await fal.queue.submit(KLING_T2V, { input: { prompt: 'a fox in snow', duration: '10', aspect_ratio: '9:16' } });
    assert.strictEqual(submitted.status, 'IN_QUEUE');
    assert.strictEqual(submitted.queue_position, 2);
    assert.strictEqual(submitted.status_url, `${h.em.baseUrl}${FAL_QUEUE_PATH}/fal-ai/kling-video/requests/${submitted.request_id}/status`);
    const sent = h.em.requests('fal.submit')[0];
    assert.strictEqual(sent.path, `${FAL_QUEUE_PATH}/${KLING_T2V}`);
    assert.deepStrictEqual(sent.body, { prompt: 'a fox in snow', duration: '10', aspect_ratio: '9:16' });

    const requestId = submitted.request_id;
    const queued = await fal.queue.status(KLING_T2V, { requestId, logs: true });
    assert.strictEqual(queued.status, 'IN_QUEUE');
    assert.ok('queue_position' in queued && queued.queue_position === 2);
    h.advance(6000);
    const running = await fal.queue.status(KLING_T2V, { requestId, logs: true });
    assert.strictEqual(running.status, 'IN_PROGRESS');
    assert.ok('logs' in running && running.logs.some((l) => /\d+% done/.test(l.message)), JSON.stringify(running));
    h.advance(5000);
    const done = await fal.queue.status(KLING_T2V, { requestId });
    assert.strictEqual(done.status, 'COMPLETED');

    const result = await fal.queue.result(KLING_T2V, { requestId });
    const video = (result.data as { video: { url: string; content_type: string; file_size: number } }).video;
    assert.strictEqual(result.requestId, '');
    assert.strictEqual(video.content_type, 'video/mp4');
    assert.ok(video.file_size > 0);
    const bytes = await fetch(video.url);
    assert.strictEqual(bytes.status, 200);
    assert.strictEqual(Number(bytes.headers.get('content-length')), video.file_size);

    const paths = [...h.em.requests('fal.status'), ...h.em.requests('fal.result')].map((r) => r.path);
    assert.ok(
      paths.every((p) => p.startsWith(`${FAL_QUEUE_PATH}/fal-ai/kling-video/requests/${requestId}`)),
      JSON.stringify(paths),
    );
    assert.deepStrictEqual(h.em.counts()['fal.submit'], 1);
    assert.deepStrictEqual(h.em.counts()['fal.status'], 3);
    assert.deepStrictEqual(h.em.counts()['fal.result'], 1);
    assert.ok(
      h.em
        .requests()
        .filter((r) => r.provider === 'fal')
        .every((r) => r.authorized),
    );
    assert.deepStrictEqual(
      h.em.requests('files').map((r) => r.hadAuthorizationHeader),
      [false],
      'the result is a public link',
    );
  });

  it('queue.cancel stops a queued request; its result then says so', async function () {
    const fal = client();
    const { request_id: requestId } = await fal.queue.submit('fal-ai/veo3.1', { input: { prompt: 'a lighthouse', duration: '4s' } });
    await fal.queue.cancel('fal-ai/veo3.1', { requestId });
    assert.deepStrictEqual(
      h.em.requests('fal.cancel').map((r) => [r.method, r.path]),
      [['PUT', `${FAL_QUEUE_PATH}/fal-ai/veo3.1/requests/${requestId}/cancel`]],
    );
    assert.strictEqual((await fal.queue.status('fal-ai/veo3.1', { requestId })).status, 'COMPLETED');
    await assert.rejects(fal.queue.result('fal-ai/veo3.1', { requestId }), (e: { status?: number }) => e.status === 400);
  });

  it('a wrong input is a ValidationError (422) with fal’s detail entries; it is sent once', async function () {
    const fal = client();
    // The SDK's types refuse a number here; a script without them would send one.
    const input = { prompt: 'a lighthouse', duration: 8 } as unknown as { prompt: string };
    await assert.rejects(fal.queue.submit('fal-ai/veo3.1', { input }), (e: unknown) => {
      assert.ok(e instanceof ValidationError, String(e));
      assert.strictEqual(e.status, 422);
      const entry = (e.body as unknown as { detail: { loc: string[]; msg: string; ctx: { expected: string } }[] }).detail[0];
      assert.deepStrictEqual(entry.loc, ['body', 'duration']);
      assert.strictEqual(entry.ctx.expected, "'4s', '6s' or '8s'");
      return true;
    });
    assert.strictEqual(h.em.counts()['fal.submit'], 1);
  });

  it('a failed request completes, and its result answers the error with X-Fal-Error-Type', async function () {
    const fal = client();
    const { request_id: requestId } = await fal.queue.submit('fal-ai/veo3.1', { input: { prompt: 'doomed [fail]' } });
    h.advance(11_000);
    assert.strictEqual((await fal.queue.status('fal-ai/veo3.1', { requestId })).status, 'COMPLETED');
    await assert.rejects(fal.queue.result('fal-ai/veo3.1', { requestId }), (e: { status?: number; body?: { detail?: string } }) => {
      assert.strictEqual(e.status, 500);
      assert.match(String(e.body?.detail), /Emulated generation failure/);
      return true;
    });
    const res = await fetch(`${h.em.baseUrl}${FAL_QUEUE_PATH}/fal-ai/veo3.1/requests/${requestId}`, {
      headers: { Authorization: `Key ${GOOD_KEY}` },
    });
    assert.strictEqual(res.headers.get('x-fal-error-type'), 'internal_error');
  });

  it('a rejected key is fal’s 401', async function () {
    await assert.rejects(
      client('bad-key-0123456789').queue.submit('fal-ai/veo3.1', { input: { prompt: 'x' } }),
      (e: { status?: number }) => {
        assert.strictEqual(e.status, 401);
        return true;
      },
    );
  });
});
