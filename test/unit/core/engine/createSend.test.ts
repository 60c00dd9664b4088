// Sending a create once: whether a failed create can have reached the provider is decided exactly
// (never sent / uncertain), the time limit covers the wait for the answer and not the upload, and
// the upload reports progress and can be cancelled while the body is still being sent.
import * as assert from 'assert';
import * as net from 'net';

import { ErrorKind } from '../../../../src/core/model/errors';
import { requestJson, type JsonRequest } from '../../../../src/core/net/http';
import { GOOD_KEY, rejectsWith, useEmulator } from '../../../support/helpers';

describe('sending a create', function () {
  this.timeout(30_000);
  const h = useEmulator();

  /** A Pika create whose body carries `padMB` megabytes of filler (the emulator ignores it). */
  const create = (extra: Partial<JsonRequest> = {}, padMB = 0) =>
    requestJson({
      method: 'POST',
      url: `${h.em.baseUrl}/pika/generate`,
      apiKey: GOOD_KEY,
      providerLabel: 'Pika',
      body: { promptText: 'a cat', model: '1.5', ...(padMB ? { pad: 'a'.repeat(padMB * 1_000_000) } : {}) },
      timeoutMs: 5_000,
      isCreate: true,
      ...extra,
    });

  it('every 4xx, 429 and 408 included, never started a create; a 5xx may have', async function () {
    const cases: [number, ErrorKind, boolean][] = [
      [400, 'badRequest', false],
      [408, 'timeout', false],
      [409, 'conflict', false],
      [422, 'badRequest', false],
      [429, 'rateLimited', false],
      [500, 'server', true],
      [502, 'server', true],
      [503, 'server', true],
    ];
    for (const [status, kind, uncertain] of cases) {
      h.em.injectFault({ route: 'pika.generate', kind: 'status', status });
      const e = await rejectsWith(create(), kind);
      assert.strictEqual(e.mayHaveStarted, uncertain, `HTTP ${status}`);
    }
    assert.strictEqual(h.em.counts()['pika.generate'], cases.length, 'each sent once');
  });

  it('a connection dropped while the body is still being sent: never started', async function () {
    h.em.injectFault({ route: 'pika.generate', kind: 'resetUpload' });
    const e = await rejectsWith(create({}, 16), 'network');
    assert.strictEqual(e.mayHaveStarted, false);
  });

  it('a connection dropped after the whole body was sent: uncertain', async function () {
    h.em.injectFault({ route: 'pika.generate', kind: 'reset' });
    const e = await rejectsWith(create(), 'network');
    assert.strictEqual(e.mayHaveStarted, true);
  });

  it('no answer within the time limit after the body was sent: uncertain', async function () {
    h.em.injectFault({ route: 'pika.generate', kind: 'hang' });
    const e = await rejectsWith(create({ timeoutMs: 200 }), 'timeout');
    assert.strictEqual(e.mayHaveStarted, true);
    assert.match(e.message, /Pika did not answer in time\./);
  });

  it('an upload slower than the time limit is not cut off: the limit counts from the end of the upload; progress is reported in bytes', async function () {
    h.em.injectFault({ route: 'pika.generate', kind: 'slowUpload', bytesPerSecond: 8_000_000 });
    const progress: [number, number][] = [];
    const started = Date.now();
    const res = await create({ timeoutMs: 1500, onUploadProgress: (sent, total) => progress.push([sent, total]) }, 24);
    assert.strictEqual(res.status, 200);
    assert.ok(Date.now() - started > 2000, `the upload took ${Date.now() - started} ms, longer than the 1.5 s limit`);
    const total = progress[0][1];
    assert.ok(total > 24_000_000);
    assert.ok(progress.length > 100, `${progress.length} progress reports`);
    assert.ok(
      progress.every(([, t], i) => t === total && (i === 0 || progress[i - 1][0] < progress[i][0])),
      'bytes sent only grow',
    );
    assert.strictEqual(progress[progress.length - 1][0], total);
  });

  it('a body the socket buffers take at once, read slowly by the server, is not cut off by a short time limit', async function () {
    // The 2 MB image on a 64 KB/s uplink, scaled down: 192 KB read at 64 KB/s takes the
    // server about 3 s, and the whole body is handed to the connection long before that.
    h.em.injectFault({ route: 'pika.generate', kind: 'slowUpload', bytesPerSecond: 64_000 });
    let handedOver = 0;
    let serverHadIt = 0;
    const res = await create({
      timeoutMs: 500,
      body: { promptText: 'a cat', model: '1.5', pad: 'a'.repeat(192_000) },
      onUploadProgress: (sent, total) => {
        if (sent === total) {
          handedOver++;
          serverHadIt = h.em.counts()['pika.generate'] ?? 0;
        }
      },
    });
    assert.strictEqual(res.status, 200);
    assert.strictEqual(handedOver, 1);
    assert.strictEqual(serverHadIt, 0, 'the body was all handed over before the server had read it');
    assert.strictEqual(h.em.counts()['pika.generate'], 1, 'sent once');
  });

  it('an upload that stalls for the time limit is stopped, and never started a create', async function () {
    h.em.injectFault({ route: 'pika.generate', kind: 'slowUpload', bytesPerSecond: 1000 });
    const e = await rejectsWith(create({ timeoutMs: 300 }, 16), 'timeout');
    assert.strictEqual(e.mayHaveStarted, false);
    assert.match(e.message, /Pika did not take the request in time; it was not sent\./);
  });

  it('cancelled while the body is being sent: cancelled, never started; a cancel after the body was sent changes nothing', async function () {
    h.em.injectFault({ route: 'pika.generate', kind: 'slowUpload', bytesPerSecond: 4_000_000 });
    const cancel = new AbortController();
    const e = await rejectsWith(
      create({ uploadSignal: cancel.signal, onUploadProgress: (sent) => sent > 2_000_000 && cancel.abort() }, 16),
      'cancelled',
    );
    assert.strictEqual(e.mayHaveStarted, false);
    assert.match(e.message, /did not arrive, so nothing was started/);

    h.em.injectFault({ route: 'pika.generate', kind: 'slow', delayMs: 300 });
    const late = new AbortController();
    const sent = create({ uploadSignal: late.signal });
    setTimeout(() => late.abort(), 100);
    assert.strictEqual((await sent).status, 200, 'the create went on: it may already be running');
  });

  it('a failed TLS handshake never started a create', async function () {
    // A plain TCP server that answers the TLS hello with text: nothing can be sent over it.
    const server = net.createServer((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const e = await rejectsWith(create({ url: `https://127.0.0.1:${port}/pika/generate` }), 'network');
      assert.strictEqual(e.mayHaveStarted, false);
    } finally {
      server.close();
    }
  });

  it('a header that cannot be sent never started a create', async function () {
    const e = await rejectsWith(create({ headers: { 'API User ID': 'x' } }), 'config');
    assert.strictEqual(e.mayHaveStarted, false);
    assert.strictEqual(h.em.counts()['pika.generate'] ?? 0, 0);
  });
});
