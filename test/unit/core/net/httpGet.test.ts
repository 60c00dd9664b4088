import * as assert from 'assert';
import * as fs from 'fs';
import * as https from 'https';
import * as net from 'net';
import type { AddressInfo } from 'net';
import * as path from 'path';

import { ProviderError } from '../../../../src/core/model/errors';
import { downloadToFile } from '../../../../src/core/net/download';
import { GetResponse, httpGet } from '../../../../src/core/net/httpGet';
import { assertNoUnhandledRejections, SAMPLE, tempDir } from '../../../support/engineHarness';
import { NetSpy, spyOnConnections } from '../../../support/netSpy';
import { selfSignedCert } from '../../../support/selfSignedCert';

type Responder = (socket: net.Socket) => void;

/** A TCP server that answers each request path with raw bytes, written as the test says. */
async function startRawServer(routes: Record<string, Responder>): Promise<{ port: number; heads: string[]; close(): Promise<void> }> {
  const heads: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let got = '';
    socket.on('data', function onData(d: Buffer) {
      got += d.toString('latin1');
      const end = got.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      const head = got.slice(0, end);
      heads.push(head);
      const route = routes[head.split(' ')[1]];
      if (route) route(socket);
      else socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    heads,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Writes the pieces one by one, a few ms apart, then closes unless told not to. */
function trickled(pieces: (string | Buffer)[], end = true): Responder {
  return (socket) => {
    const next = (i: number) => {
      if (socket.destroyed) return;
      if (i >= pieces.length) {
        if (end) socket.end();
        return;
      }
      socket.write(pieces[i]);
      setTimeout(() => next(i + 1), 2);
    };
    next(0);
  };
}

const BODY = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz'.repeat(40));
const PATTERN = Buffer.alloc(3 * 1024 * 1024 + 77);
for (let i = 0; i < PATTERN.length; i++) PATTERN[i] = (i * 31 + (i >> 9)) & 0xff;

function chunked(body: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < body.length; i += size) {
    const part = body.subarray(i, i + size);
    out.push(Buffer.from(`${part.length.toString(16)};ext=1\r\n`), part, Buffer.from('\r\n'));
  }
  out.push(Buffer.from('0\r\nX-Trailer: yes\r\n\r\n'));
  return out;
}

describe('httpGet: one GET read through a few reused buffers', function () {
  this.timeout(20_000);
  let server: Awaited<ReturnType<typeof startRawServer>>;
  let spy: NetSpy;

  before(async () => {
    spy = spyOnConnections();
    server = await startRawServer({
      '/chunked': trickled(['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', ...chunked(BODY, 100)]),
      '/bytewise': trickled(
        [...Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${BODY.length}\r\nX-A: 1\r\nX-A: 2\r\n\r\n`)]
          .map((b) => Buffer.from([b]))
          .concat([BODY]),
      ),
      '/early-hints': trickled([
        'HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n',
        `HTTP/1.1 200 OK\r\nContent-Length: ${BODY.length}\r\n\r\n`,
        BODY,
      ]),
      '/until-close': trickled(['HTTP/1.0 200 OK\r\n\r\n', BODY.subarray(0, 500), BODY.subarray(500)]),
      '/cut-length': trickled([`HTTP/1.1 200 OK\r\nContent-Length: ${BODY.length}\r\n\r\n`, BODY.subarray(0, 100)]),
      '/cut-chunked': trickled(['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', ...chunked(BODY, 100).slice(0, 6)]),
      '/bad-chunk': trickled(['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n']),
      '/gzip-te': trickled(['HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n']),
      '/two-lengths': trickled(['HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!']),
      '/not-http': trickled(['SSH-2.0-OpenSSH_9.6\r\n\r\n']),
      '/huge-head': trickled(['HTTP/1.1 200 OK\r\n', ...Array.from({ length: 100 }, () => `X-Pad: ${'a'.repeat(1000)}\r\n`)], false),
      '/silent': () => undefined,
      '/big': (socket) => {
        socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${PATTERN.length}\r\n\r\n`);
        socket.end(PATTERN);
      },
    });
  });
  after(async () => {
    spy.restore();
    await server.close();
  });
  afterEach(() => assertNoUnhandledRejections());

  const get = (p: string, stallMs = 2000): Promise<GetResponse> =>
    httpGet({
      url: new URL(`http://127.0.0.1:${server.port}${p}`),
      addresses: [{ address: '127.0.0.1', family: 4 }],
      headers: { 'Accept-Encoding': 'identity' },
      signal: new AbortController().signal,
      stallMs,
      onStall: () => new ProviderError({ kind: 'timeout', message: 'stalled' }),
    });
  /** The body, copied slice by slice (slices are only valid during the sink call). */
  const body = async (res: GetResponse): Promise<Buffer> => {
    const parts: Buffer[] = [];
    await res.readBody((c) => void parts.push(Buffer.from(c)));
    return Buffer.concat(parts);
  };
  const failsWith = (p: Promise<unknown>, kind: string, message: RegExp) =>
    assert.rejects(p, (e: unknown) => e instanceof ProviderError && e.kind === kind && message.test(e.message));

  it('sends a plain GET: Host, identity encoding, Connection: close, nothing else of ours', async () => {
    const res = await get('/bytewise');
    await body(res);
    const head = server.heads.at(-1)!;
    assert.match(head, new RegExp(`^GET /bytewise HTTP/1\\.1\\r\\nHost: 127\\.0\\.0\\.1:${server.port}\\r\\n`));
    assert.match(head, /\r\nAccept-Encoding: identity\r\n/);
    assert.match(head, /\r\nConnection: close$/);
    assert.doesNotMatch(head, /authorization/i);
  });

  it('decodes a chunked body with extensions and trailers, arriving in small pieces', async () => {
    const res = await get('/chunked');
    assert.strictEqual(res.status, 200);
    assert.deepStrictEqual(await body(res), BODY);
  });

  it('reads a head that arrives one byte at a time; repeated headers are joined', async () => {
    const res = await get('/bytewise');
    assert.strictEqual(res.headers['x-a'], '1, 2');
    assert.strictEqual(res.headers['content-length'], String(BODY.length));
    assert.deepStrictEqual(await body(res), BODY);
  });

  it('skips an informational 103 answer, and reads a body delimited by the connection closing', async () => {
    const hinted = await get('/early-hints');
    assert.strictEqual(hinted.status, 200);
    assert.deepStrictEqual(await body(hinted), BODY);
    assert.deepStrictEqual(await body(await get('/until-close')), BODY);
  });

  it('a body cut short (by length or by a missing last chunk) is a network error', async () => {
    await failsWith(body(await get('/cut-length')), 'network', /cut short \(\d+ bytes missing\)/);
    await failsWith(body(await get('/cut-chunked')), 'network', /chunked body did not end/);
  });

  it('malformed answers are refused: bad chunk size, unknown transfer coding, two lengths, not HTTP, a huge head', async () => {
    await failsWith(body(await get('/bad-chunk')), 'malformed', /malformed chunked body/);
    await failsWith(get('/gzip-te'), 'malformed', /transfer encoding this client does not accept \(gzip, chunked\)/);
    await failsWith(get('/two-lengths'), 'malformed', /invalid Content-Length/);
    await failsWith(get('/not-http'), 'malformed', /did not answer in HTTP/);
    await failsWith(get('/huge-head'), 'malformed', /too large a header/);
  });

  it('no answer within stallMs: the stall error', async () => {
    await failsWith(get('/silent', 150), 'timeout', /stalled/);
  });

  it('backpressure: reading waits for a slow consumer, and every slice is intact while it waits', async () => {
    const res = await get('/big');
    const parts: Buffer[] = [];
    let calls = 0;
    await res.readBody(async (c) => {
      calls++;
      const before = Buffer.from(c);
      await new Promise((r) => setImmediate(r));
      // The slice must not have been overwritten by a later read while the consumer was busy.
      assert.deepStrictEqual(c, before);
      parts.push(before);
    });
    assert.ok(calls > 10, `${calls} slices`);
    assert.ok(Buffer.concat(parts).equals(PATTERN), 'the body arrived intact');
  });

  describe('over https', () => {
    let tlsServer: https.Server;
    let port = 0;
    let cert = '';
    let dir: string;

    before(async () => {
      const pair = selfSignedCert();
      cert = pair.cert;
      tlsServer = https.createServer({ key: pair.key, cert: pair.cert }, (req, res) => {
        if (req.url === '/ok.mp4') {
          res.writeHead(200, { 'Content-Type': 'video/mp4' });
          res.end(SAMPLE);
        } else if (req.url === '/big') {
          res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
          res.end(PATTERN);
        } else if (req.url === '/to-http') {
          res.writeHead(302, { Location: 'http://203.0.113.7/v.mp4' });
          res.end();
        } else {
          res.writeHead(404);
          res.end();
        }
      });
      await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', () => r()));
      port = (tlsServer.address() as AddressInfo).port;
    });
    after(async () => {
      tlsServer.closeAllConnections();
      await new Promise((r) => tlsServer.close(r));
    });
    beforeEach(() => {
      dir = tempDir('aivideo-https-');
      spy.attempts.length = 0;
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const policy = { origin: 'https://api.example.com', allowPrivateHosts: ['127.0.0.1', 'localhost'], maxBytes: 1e7, attempts: 1 };
    const localhostResolver = async () => [{ address: '127.0.0.1', family: 4 }];

    it('downloads over TLS, checking the certificate against the host name', async () => {
      const dest = path.join(dir, 'ok.mp4');
      await downloadToFile(`https://localhost:${port}/ok.mp4`, dest, { ...policy, ca: cert, resolve: localhostResolver });
      assert.ok(fs.readFileSync(dest).equals(SAMPLE));
      await assert.rejects(
        downloadToFile(`https://127.0.0.1:${port}/ok.mp4`, path.join(dir, 'untrusted.mp4'), policy),
        (e: unknown) => e instanceof ProviderError && e.kind === 'network' && /SELF_SIGNED|CERT/i.test(e.message),
      );
      assert.deepStrictEqual(fs.readdirSync(dir), ['ok.mp4']);
    });

    it('backpressure over TLS (which may deliver reads after a pause): every slice stays intact', async () => {
      const res = await httpGet({
        url: new URL(`https://localhost:${port}/big`),
        addresses: [{ address: '127.0.0.1', family: 4 }],
        headers: {},
        signal: new AbortController().signal,
        stallMs: 5000,
        onStall: () => new ProviderError({ kind: 'timeout', message: 'stalled' }),
        ca: cert,
      });
      const parts: Buffer[] = [];
      await res.readBody(async (c) => {
        const before = Buffer.from(c);
        await new Promise((r) => setTimeout(r, 1));
        assert.deepStrictEqual(c, before);
        parts.push(before);
      });
      assert.ok(Buffer.concat(parts).equals(PATTERN), 'the body arrived intact');
    });

    it('a redirect from https to plain http is refused before connecting to it', async () => {
      await assert.rejects(
        downloadToFile(`https://127.0.0.1:${port}/to-http`, path.join(dir, 'r.mp4'), { ...policy, ca: cert }),
        (e: unknown) => e instanceof ProviderError && e.kind === 'config' && /203\.0\.113\.7 over plain http/.test(e.message),
      );
      assert.deepStrictEqual(
        spy.attempts.map((a) => a.host),
        ['127.0.0.1'],
      );
    });
  });
});
