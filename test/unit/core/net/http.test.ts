import * as assert from 'assert';
import * as zlib from 'zlib';

import { ErrorKind, ProviderError, redact, remedyFor } from '../../../../src/core/model/errors';
import { drainAllowanceMs, joinUrl, parseRetryAfter, requestJson, statusError, type JsonRequest } from '../../../../src/core/net/http';
import { MAX_PROVIDER_TEXT } from '../../../../src/core/net/sanitize';
import { closedPort, GOOD_KEY, meterRegex, rejectsWith, sendJson, startStub, useEmulator } from '../../../support/helpers';

describe('requestJson against the emulator', function () {
  const h = useEmulator();
  /** A distinctive key: it must never show up in an error message. */
  const SECRET_KEY = 'sk-zebra-SECRET-7f3a9c21d4e8b6';

  const get = (extra: Partial<JsonRequest> = {}): Promise<unknown> =>
    requestJson({
      method: 'GET',
      url: `${h.em.baseUrl}/v1/models`,
      apiKey: SECRET_KEY,
      providerLabel: 'Video gateway',
      timeoutMs: 5_000,
      ...extra,
    });
  const create = (extra: Partial<JsonRequest> = {}): Promise<unknown> =>
    requestJson({
      method: 'POST',
      url: `${h.em.baseUrl}/pika/generate`,
      apiKey: SECRET_KEY,
      providerLabel: 'Pika',
      body: { promptText: 'a cat', model: '1.5' },
      timeoutMs: 5_000,
      isCreate: true,
      ...extra,
    });

  it('sends the bearer key and the JSON body, and returns status, parsed JSON and lower-cased headers', async function () {
    const res = await requestJson({
      method: 'POST',
      url: `${h.em.baseUrl}/pika/generate`,
      apiKey: GOOD_KEY,
      providerLabel: 'Pika',
      body: { promptText: 'a cat', model: '1.5' },
    });
    assert.strictEqual(res.status, 200);
    const id = (res.json as { id: string }).id;
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.match(res.headers['content-type'], /^application\/json/);
    const [recorded] = h.em.requests('pika.generate');
    assert.deepStrictEqual(recorded.body, { promptText: 'a cat', model: '1.5' });
    assert.strictEqual(recorded.authorized, true);
    assert.strictEqual(recorded.hadAuthorizationHeader, true);
  });

  it('401 from a rejected key: kind auth, not retryable, and the message never contains the key', async function () {
    const badKey = 'bad-zebra-SECRET-7f3a9c21d4e8b6';
    const err = await rejectsWith(get({ apiKey: badKey }), 'auth');
    assert.strictEqual(err.status, 401);
    assert.strictEqual(err.retryable, false);
    assert.ok(!err.message.includes(badKey), err.message);
    assert.ok(!err.message.includes('SECRET'), err.message);
    assert.match(err.message, /Video gateway rejected the API key \(HTTP 401\)/);
    assert.match(err.message, /Incorrect API key provided/);
    assert.strictEqual(remedyFor(err.kind), 'setKey');
  });

  it('401 injected as a fault: kind auth without the key in the message', async function () {
    h.em.injectFault({ route: 'gateway.models', kind: 'status', status: 401 });
    const err = await rejectsWith(get(), 'auth');
    assert.ok(!err.message.includes(SECRET_KEY), err.message);
    assert.strictEqual(err.providerCode, 'invalid_api_key');
  });

  const statusCases: Array<{ status: number; kind: ErrorKind; text: RegExp; retryable: boolean }> = [
    { status: 402, kind: 'payment', text: /quota or balance exhausted \(HTTP 402\): Insufficient balance/, retryable: false },
    { status: 403, kind: 'forbidden', text: /not permitted \(HTTP 403\): Forbidden/, retryable: false },
    { status: 404, kind: 'notFound', text: /not found \(HTTP 404\)/, retryable: false },
    { status: 400, kind: 'badRequest', text: /refused the request \(HTTP 400\): Bad request/, retryable: false },
    { status: 408, kind: 'timeout', text: /timed out \(HTTP 408\)/, retryable: true },
    { status: 409, kind: 'conflict', text: /conflict \(HTTP 409\)/, retryable: true },
    { status: 500, kind: 'server', text: /server error \(HTTP 500\): Upstream error 500/, retryable: true },
    { status: 502, kind: 'server', text: /server error \(HTTP 502\)/, retryable: true },
    { status: 503, kind: 'server', text: /server error \(HTTP 503\)/, retryable: true },
  ];
  for (const c of statusCases) {
    it(`HTTP ${c.status} -> kind ${c.kind}${c.retryable ? ' (retryable)' : ''}`, async function () {
      h.em.injectFault({ route: 'gateway.models', kind: 'status', status: c.status });
      const err = await rejectsWith(get(), c.kind);
      assert.strictEqual(err.status, c.status);
      assert.strictEqual(err.retryable, c.retryable);
      assert.match(err.message, c.text);
      assert.ok(err.message.startsWith('Video gateway'), err.message);
      assert.strictEqual(err.mayHaveStarted, false);
      assert.strictEqual(h.em.counts()['gateway.models'], 1, 'requestJson itself never retries');
    });
  }

  it('429 with Retry-After in seconds: rateLimited with retryAfterMs', async function () {
    h.em.injectFault({ route: 'gateway.models', kind: 'status', status: 429, retryAfter: '7' });
    const err = await rejectsWith(get(), 'rateLimited');
    assert.strictEqual(err.status, 429);
    assert.strictEqual(err.retryAfterMs, 7_000);
    assert.strictEqual(err.retryable, true);
    assert.match(err.message, /rate limiting requests \(HTTP 429\): Rate limit reached/);
  });

  it('429 with retry-after-ms: retryAfterMs taken from it', async function () {
    h.em.injectFault({ route: 'gateway.models', kind: 'status', status: 429, retryAfterMs: 1500 });
    const err = await rejectsWith(get(), 'rateLimited');
    assert.strictEqual(err.retryAfterMs, 1500);
  });

  it('429 without any retry header: retryAfterMs undefined', async function () {
    h.em.injectFault({ route: 'gateway.models', kind: 'status', status: 429 });
    const err = await rejectsWith(get(), 'rateLimited');
    assert.strictEqual(err.retryAfterMs, undefined);
  });

  it('a 5xx on a create may have started the job; a 4xx on a create has not', async function () {
    h.em.injectFault({ route: 'pika.generate', kind: 'status', status: 502 });
    const e5 = await rejectsWith(create(), 'server');
    assert.strictEqual(e5.mayHaveStarted, true);
    h.em.injectFault({ route: 'pika.generate', kind: 'status', status: 403 });
    const e4 = await rejectsWith(create(), 'forbidden');
    assert.strictEqual(e4.mayHaveStarted, false);
  });

  it('an HTML body with HTTP 200 is malformed (and describes what came back)', async function () {
    h.em.injectFault({ route: 'gateway.models', kind: 'malformed' });
    const err = await rejectsWith(get(), 'malformed');
    assert.strictEqual(err.status, 200);
    assert.match(err.message, /not valid JSON \(text\/html, \d+ bytes\)/);
    assert.strictEqual(err.retryable, true);
  });

  it('truncated JSON is malformed', async function () {
    h.em.injectFault({ route: 'gateway.models', kind: 'truncated' });
    const err = await rejectsWith(get(), 'malformed');
    assert.match(err.message, /not valid JSON \(application\/json/);
  });

  it('a malformed answer to a create may have started the job', async function () {
    h.em.injectFault({ route: 'pika.generate', kind: 'malformed' });
    const err = await rejectsWith(create(), 'malformed');
    assert.strictEqual(err.mayHaveStarted, true);
  });

  it('a connection reset is a network error; on a create it may have started the job', async function () {
    h.em.injectFault({ route: 'gateway.models', kind: 'reset' });
    const poll = await rejectsWith(get(), 'network');
    assert.strictEqual(poll.mayHaveStarted, false);
    assert.strictEqual(poll.retryable, true);
    assert.match(poll.message, /Connection to Video gateway failed/);

    h.em.injectFault({ route: 'pika.generate', kind: 'reset' });
    const c = await rejectsWith(create(), 'network');
    assert.strictEqual(c.mayHaveStarted, true);
  });

  it('an answer slower than timeoutMs is a timeout; on a create it may have started the job', async function () {
    h.em.injectFault({ route: 'gateway.models', kind: 'slow', delayMs: 3_000 });
    const started = Date.now();
    const poll = await rejectsWith(get({ timeoutMs: 150 }), 'timeout');
    assert.ok(Date.now() - started < 2_000, 'gave up at the timeout, not when the answer came');
    assert.strictEqual(poll.mayHaveStarted, false);
    assert.strictEqual(poll.retryable, true);
    assert.match(poll.message, /Video gateway did not answer in time/);

    h.em.injectFault({ route: 'pika.generate', kind: 'hang' });
    const c = await rejectsWith(create({ timeoutMs: 150 }), 'timeout');
    assert.strictEqual(c.mayHaveStarted, true);
  });

  it('an answer just inside timeoutMs succeeds', async function () {
    h.em.injectFault({ route: 'gateway.models', kind: 'slow', delayMs: 50 });
    const res = await requestJson({
      method: 'GET',
      url: `${h.em.baseUrl}/v1/models`,
      apiKey: GOOD_KEY,
      providerLabel: 'Video gateway',
      timeoutMs: 3_000,
    });
    assert.strictEqual(res.status, 200);
  });

  it('an aborted signal is a cancellation', async function () {
    h.em.injectFault({ route: 'gateway.models', kind: 'hang' });
    const ac = new AbortController();
    const p = get({ signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    const err = await rejectsWith(p, 'cancelled');
    assert.strictEqual(err.retryable, false);
  });
});

describe('requestJson transport edge cases', function () {
  it('a refused connection is a network error that never started a create', async function () {
    const port = await closedPort();
    const err = await rejectsWith(
      requestJson({
        method: 'POST',
        url: `http://127.0.0.1:${port}/pika/generate`,
        apiKey: GOOD_KEY,
        providerLabel: 'Pika',
        body: {},
        isCreate: true,
      }),
      'network',
    );
    assert.strictEqual(err.mayHaveStarted, false);
    assert.match(err.message, /Cannot reach Pika \(ECONNREFUSED\)/);
  });

  it('does not follow redirects, so the key never travels to another host', async function () {
    const other = await startStub((_req, res) => sendJson(res, 200, { ok: true }));
    const redirecting = await startStub((_req, res) => {
      res.writeHead(302, { Location: `${other.baseUrl}/steal` });
      res.end();
    });
    try {
      const err = await rejectsWith(
        requestJson({ method: 'GET', url: `${redirecting.baseUrl}/v1/models`, apiKey: GOOD_KEY, providerLabel: 'Video gateway' }),
        'malformed',
      );
      assert.match(err.message, /unexpected HTTP 302/);
      assert.strictEqual(redirecting.requests.length, 1);
      assert.strictEqual(other.requests.length, 0);
    } finally {
      await other.close();
      await redirecting.close();
    }
  });

  it('an empty 200 body is malformed', async function () {
    const stub = await startStub((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end();
    });
    try {
      const err = await rejectsWith(
        requestJson({ method: 'GET', url: `${stub.baseUrl}/x`, apiKey: GOOD_KEY, providerLabel: 'P' }),
        'malformed',
      );
      assert.match(err.message, /empty body/);
    } finally {
      await stub.close();
    }
  });

  it('a server error message that echoes the key is redacted', async function () {
    const key = 'sk-echoedKEY-abcdef123456';
    const stub = await startStub((req, res) =>
      sendJson(res, 401, {
        error: { message: `Invalid token ${req.headers.authorization ?? ''} for key ${key}`, type: 'auth', param: null, code: null },
      }),
    );
    try {
      const err = await rejectsWith(requestJson({ method: 'GET', url: `${stub.baseUrl}/x`, apiKey: key, providerLabel: 'P' }), 'auth');
      assert.ok(!err.message.includes(key), err.message);
      assert.ok(!err.message.includes('echoedKEY'), err.message);
      assert.match(err.message, /Bearer \*\*\*/);
    } finally {
      await stub.close();
    }
  });
});

describe('requestJson: answers as they arrive', function () {
  it('a gzip, deflate or brotli answer is decoded; one that does not decode is malformed', async function () {
    const json = Buffer.from(JSON.stringify({ ok: 'yes' }));
    const bodies: Record<string, Buffer> = {
      gzip: zlib.gzipSync(json),
      deflate: zlib.deflateSync(json),
      br: zlib.brotliCompressSync(json),
      bogus: Buffer.from('not gzip'),
    };
    const stub = await startStub((req, res) => {
      const encoding = req.url.slice(1);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': encoding === 'bogus' ? 'gzip' : encoding });
      res.end(bodies[encoding]);
    });
    try {
      for (const encoding of ['gzip', 'deflate', 'br']) {
        const res = await requestJson({ method: 'GET', url: `${stub.baseUrl}/${encoding}`, apiKey: GOOD_KEY, providerLabel: 'P' });
        assert.deepStrictEqual(res.json, { ok: 'yes' }, encoding);
      }
      assert.match(stub.requests[0].headers['accept-encoding'] ?? '', /gzip/);
      await rejectsWith(requestJson({ method: 'GET', url: `${stub.baseUrl}/bogus`, apiKey: GOOD_KEY, providerLabel: 'P' }), 'malformed');
    } finally {
      await stub.close();
    }
  });

  it('an answer over 20 MB is refused while it arrives', async function () {
    const stub = await startStub((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let sent = 0;
      const write = (): void => {
        while (sent < 64 && !res.destroyed) {
          sent++;
          if (!res.write(chunk)) return void res.once('drain', write);
        }
        res.end();
      };
      write();
    });
    try {
      const err = await rejectsWith(
        requestJson({ method: 'GET', url: `${stub.baseUrl}/big`, apiKey: GOOD_KEY, providerLabel: 'P' }),
        'malformed',
      );
      assert.match(err.message, /over 20 MB/);
    } finally {
      await stub.close();
    }
  });

  it('a header that cannot be sent is a config error before anything is sent', async function () {
    const stub = await startStub((_req, res) => sendJson(res, 200, { ok: true }));
    try {
      await rejectsWith(requestJson({ method: 'GET', url: `${stub.baseUrl}/x`, apiKey: 'k\r\nX-Evil: 1', providerLabel: 'P' }), 'config');
      assert.strictEqual(stub.requests.length, 0);
    } finally {
      await stub.close();
    }
  });
});

describe("requestJson: the provider's auth and multipart bodies", function () {
  it('sends the given auth headers instead of the bearer default, after custom headers so none can replace them', async function () {
    const stub = await startStub((_req, res) => sendJson(res, 200, { ok: true }));
    try {
      await requestJson({
        method: 'GET',
        url: `${stub.baseUrl}/x`,
        apiKey: GOOD_KEY,
        authHeaders: { 'X-Api-Key': GOOD_KEY },
        headers: { 'x-api-key': 'spoofed', Authorization: 'Bearer spoofed' },
        providerLabel: 'P',
      });
      const { headers } = stub.requests[0];
      assert.strictEqual(headers['x-api-key'], GOOD_KEY);
      assert.strictEqual(headers.authorization, 'Bearer spoofed', 'no bearer of the key is added when the provider chose its own auth');
    } finally {
      await stub.close();
    }
  });

  it('sends a FormData body as multipart/form-data with its boundary, file parts included', async function () {
    const stub = await startStub((_req, res) => sendJson(res, 200, { id: 'v1' }));
    try {
      const form = new FormData();
      form.append('prompt', 'a red fox');
      form.append('seconds', '4');
      form.append('input_reference', new Blob([Buffer.from('PNGDATA')], { type: 'image/png' }), 'ref.png');
      const res = await requestJson({
        method: 'POST',
        url: `${stub.baseUrl}/videos`,
        apiKey: GOOD_KEY,
        providerLabel: 'P',
        body: form,
        isCreate: true,
      });
      assert.deepStrictEqual(res.json, { id: 'v1' });
      const { headers, body } = stub.requests[0];
      const boundary = /^multipart\/form-data; boundary=(.+)$/.exec(headers['content-type'] ?? '')?.[1];
      assert.ok(boundary, `content type ${headers['content-type']}`);
      assert.strictEqual(headers.authorization, `Bearer ${GOOD_KEY}`);
      assert.match(body, /name="prompt"\r\n\r\na red fox\r\n/);
      assert.match(body, /name="seconds"\r\n\r\n4\r\n/);
      assert.match(body, /name="input_reference"; filename="ref.png"\r\nContent-Type: image\/png\r\n\r\nPNGDATA\r\n/);
      assert.ok(body.trimEnd().endsWith(`--${boundary}--`));
    } finally {
      await stub.close();
    }
  });
});

describe('statusError', function () {
  const req = { providerLabel: 'Video gateway', apiKey: 'sk-abcdefghijkl', isCreate: false };

  it('reads a few KB of a megabyte-long server message, in every shape of error answer', function () {
    const huge = '['.repeat(1024 * 1024);
    const budget = 4 * MAX_PROVIDER_TEXT;
    for (const json of [{ error: { message: huge } }, { error: huge }, { message: huge }, { msg: huge }]) {
      const { result, longest } = meterRegex(() => statusError(500, json, '', {}, req), budget);
      assert.ok(longest <= budget, `a regular expression ran over ${longest} characters`);
      assert.match(result.message, /^Video gateway had a server error \(HTTP 500\): \[+…\.$/);
    }
  });

  it('400 with code task_not_exist (new-api) means the task does not exist', function () {
    const e = statusError(400, { code: 'task_not_exist', message: 'task_not_exist' }, '', {}, req);
    assert.strictEqual(e.kind, 'notFound');
    assert.strictEqual(e.providerCode, 'task_not_exist');
    assert.match(e.message, /task does not exist/);
  });

  it('404 with an OpenAI-style error (seed 001, docs/providers/gateway.md) is notFound with the server message', function () {
    const e = statusError(
      404,
      { error: { message: 'Task x does not exist', type: 'invalid_request_error', param: 'task_id', code: null } },
      '',
      {},
      req,
    );
    assert.strictEqual(e.kind, 'notFound');
    assert.match(e.message, /Task x does not exist/);
  });

  it('HiDream-style {code, message} bodies give the message and numeric code', function () {
    const e = statusError(401, { code: 4010, message: 'Token expired', request_id: 'r', result: null }, '', {}, req);
    assert.strictEqual(e.kind, 'auth');
    assert.strictEqual(e.providerCode, 4010);
    assert.match(e.message, /Token expired/);
  });

  it('a non-JSON error body is described by type and size', function () {
    const e = statusError(503, undefined, '<html>down</html>', { 'content-type': 'text/html; charset=utf-8' }, req);
    assert.strictEqual(e.kind, 'server');
    assert.match(e.message, /text\/html, 17 bytes/);
  });

  it('422 is a bad request; very long server messages are cut', function () {
    const e = statusError(422, { error: { message: 'x'.repeat(1000) } }, '', {}, req);
    assert.strictEqual(e.kind, 'badRequest');
    assert.ok(e.message.length < 400, `message length ${e.message.length}`);
  });
});

describe('drainAllowanceMs: how long a sent body can still be on its way', function () {
  it('a body the buffers took at once proves no rate: the slow 32 KB/s uplink is assumed', function () {
    assert.strictEqual(drainAllowanceMs(0, 0), 0);
    assert.strictEqual(drainAllowanceMs(2 * 1024 * 1024, 5), 64_000, "the issue's 2 MB image: 64 s");
    assert.strictEqual(drainAllowanceMs(1024, 0), 32);
  });

  it('at most 8 MB is on its way, at the rate the bytes beyond it proved', function () {
    const MB = 1024 * 1024;
    // 24 MB handed over in 2 s: at least 16 MB left in 2 s (8 MB/s), so the 8 MB left take 1 s.
    assert.strictEqual(drainAllowanceMs(24 * MB, 2000), 1000);
    // Just over 8 MB proves little: the slow uplink is assumed, capped at 8 MB.
    assert.strictEqual(drainAllowanceMs(8 * MB + 1, 60_000), 256_000);
  });
});

describe('parseRetryAfter', function () {
  const now = Date.UTC(2025, 0, 1, 12, 0, 0);

  it('reads seconds', function () {
    assert.strictEqual(parseRetryAfter({ 'retry-after': '3' }, now), 3000);
    assert.strictEqual(parseRetryAfter({ 'retry-after': '1.5' }, now), 1500);
  });

  it('reads an HTTP date relative to now', function () {
    const date = new Date(now + 45_000).toUTCString();
    assert.strictEqual(parseRetryAfter({ 'retry-after': date }, now), 45_000);
  });

  it('a date in the past means retry now', function () {
    assert.strictEqual(parseRetryAfter({ 'retry-after': new Date(now - 10_000).toUTCString() }, now), 0);
  });

  it('prefers retry-after-ms', function () {
    assert.strictEqual(parseRetryAfter({ 'retry-after-ms': '250', 'retry-after': '9' }, now), 250);
  });

  it('caps at one hour', function () {
    assert.strictEqual(parseRetryAfter({ 'retry-after': '86400' }, now), 3_600_000);
    assert.strictEqual(parseRetryAfter({ 'retry-after': new Date(now + 86_400_000).toUTCString() }, now), 3_600_000);
  });

  it('ignores absent or unreadable values', function () {
    assert.strictEqual(parseRetryAfter({}, now), undefined);
    assert.strictEqual(parseRetryAfter({ 'retry-after': 'soon' }, now), undefined);
    assert.strictEqual(parseRetryAfter({ 'retry-after-ms': 'later' }, now), undefined);
  });
});

describe('redact', function () {
  it('removes the given secrets', function () {
    assert.strictEqual(redact('key=my-secret-token!', 'my-secret-token'), 'key=***!');
  });

  it('removes bearer tokens and sk- keys even when not given', function () {
    assert.strictEqual(redact('Authorization: Bearer abc.def-123 sent'), 'Authorization: Bearer *** sent');
    assert.strictEqual(redact('bad key sk-ABCDEFGH12345 here'), 'bad key sk-*** here');
  });

  it('leaves text without secrets alone and ignores very short or missing secrets', function () {
    assert.strictEqual(redact('rate limited, try again', 'abc', undefined), 'rate limited, try again');
  });
});

describe('joinUrl and ProviderError', function () {
  it('joins a base with or without trailing slashes', function () {
    assert.strictEqual(joinUrl('https://api.gpt.ge/', '/pika/generate'), 'https://api.gpt.ge/pika/generate');
    assert.strictEqual(joinUrl('https://api.gpt.ge//', '/v1/models'), 'https://api.gpt.ge/v1/models');
    assert.strictEqual(joinUrl('http://127.0.0.1:8080', '/x'), 'http://127.0.0.1:8080/x');
  });

  it('refuses invalid and non-http base URLs as config errors', function () {
    for (const bad of ['not a url', 'ftp://example.com', 'file:///etc']) {
      assert.throws(
        () => joinUrl(bad, '/x'),
        (e: unknown) => e instanceof ProviderError && e.kind === 'config',
        bad,
      );
    }
  });

  it('defaults mayHaveStarted to false', function () {
    assert.strictEqual(new ProviderError({ kind: 'server', message: 'x' }).mayHaveStarted, false);
  });
});
