import * as assert from 'assert';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import * as zlib from 'zlib';

import { ProviderError } from '../../../../src/core/model/errors';
import { isPrivateAddress } from '../../../../src/core/net/addressGuard';
import {
  DownloadOptions,
  downloadToFile,
  insideFolder,
  removeStalePartials,
  resultFileName,
  safeFileName,
} from '../../../../src/core/net/download';
import { assertNoUnhandledRejections, FIXTURES, SAMPLE, tempDir } from '../../../support/engineHarness';
import { NetSpy, spyOnConnections } from '../../../support/netSpy';

interface Hit {
  path: string;
  authorization?: string;
  acceptEncoding?: string;
}

const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name));
const HTML = '<!DOCTYPE html><html><body>This link has expired</body></html>';
/** The smallest WebM head: the EBML magic, then anything. */
const WEBM = Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), Buffer.alloc(60, 7)]);

/** The top-level boxes of an MP4 file, by type. */
function boxes(file: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (let at = 0; at + 8 <= file.length;) {
    const size = file.readUInt32BE(at);
    out.set(file.toString('latin1', at + 4, at + 8), file.subarray(at, at + size));
    at += size;
  }
  return out;
}
const SAMPLE_BOXES = boxes(SAMPLE);
/** An MP4 box of this type around `body`. */
const box = (type: string, body: Buffer) => {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.length);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, body]);
};
/** ffmpeg without faststart: the media data first, the index (moov) at the end. */
const MDAT_FIRST = Buffer.concat(['ftyp', 'mdat', 'free', 'moov'].map((t) => SAMPLE_BOXES.get(t)!));
/** A real MP4 header, then an expired-link page. */
const MP4_THEN_HTML = Buffer.concat([SAMPLE_BOXES.get('ftyp')!, Buffer.from(HTML.repeat(80))]);
/** A real header, a real moov, then binary data that is no box. */
const MP4_THEN_GARBAGE = Buffer.concat([
  SAMPLE_BOXES.get('ftyp')!,
  SAMPLE_BOXES.get('moov')!,
  Buffer.from([0, 0, 0, 9, 0xde, 0xad, 0xbe, 0xef]),
  Buffer.alloc(5000, 3),
]);
/** An ftyp box whose size cannot be one (compatible brands come in fours). */
const BAD_FTYP = (() => {
  const b = Buffer.from(SAMPLE);
  b.writeUInt32BE(31, 0);
  return b;
})();
/** A header box whose size leaves no room for a brand. */
const SHORT_FTYP = Buffer.concat([box('ftyp', Buffer.from('isom')), SAMPLE.subarray(32)]);

/** A CDN stand-in with one route per behaviour. */
async function startCdn(): Promise<{ url: (p: string) => string; base: string; hits: Hit[]; close: () => Promise<void> }> {
  const hits: Hit[] = [];
  let flaky = 0;
  let apiFlaky = 0;
  const server = http.createServer((req, res) => {
    const p = (req.url ?? '/').split('?')[0];
    hits.push({ path: p, authorization: req.headers.authorization, acceptEncoding: req.headers['accept-encoding'] });
    const send = (body: Buffer | string, headers: Record<string, string>) => {
      res.writeHead(200, headers);
      res.end(body);
    };
    const stream = (total: number, type = 'video/mp4', declare = false) => {
      res.writeHead(200, { 'Content-Type': type, ...(declare ? { 'Content-Length': String(total) } : {}) });
      // A real MP4 head (its ftyp box, then an mdat box holding the rest), then filler.
      const chunk = Buffer.alloc(64 * 1024, 1);
      const filler = Buffer.alloc(64 * 1024, 1);
      SAMPLE.copy(chunk, 0, 0, 32);
      chunk.writeUInt32BE(total - 32, 32);
      chunk.write('mdat', 36, 'latin1');
      let sent = 0;
      const write = () => {
        while (sent < total) {
          const part = (sent === 0 ? chunk : filler).subarray(0, Math.min(chunk.length, total - sent));
          sent += part.length;
          if (!res.write(part)) return void res.once('drain', write);
        }
        res.end();
      };
      write();
    };
    if (p === '/ok.mp4') {
      res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': String(SAMPLE.length) });
      res.end(SAMPLE);
    } else if (p.startsWith('/stream/')) stream(Number(p.split('/')[2]));
    else if (p === '/html') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<html>sign in</html>');
    } else if (p === '/flaky.mp4') {
      if (flaky++ < 2) {
        res.writeHead(503, { 'Content-Type': 'text/plain' });
        res.end('busy');
      } else {
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
        res.end(SAMPLE);
      }
    } else if (p === '/gone.mp4') {
      res.writeHead(404);
      res.end();
    } else if (p === '/stall.mp4') {
      res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': '1000000' });
      res.write(SAMPLE.subarray(0, 1000));
      // ...and nothing more.
    } else if (p === '/short.mp4') {
      res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': String(SAMPLE.length) });
      res.write(SAMPLE.subarray(0, 100));
      setTimeout(() => res.destroy(), 20);
    } else if (p === '/empty.mp4') {
      res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': '0' });
      res.end();
    } else if (p === '/api/private.mp4' || p === '/api/private-redirect') {
      // A result on the provider's own API: the key is required, and the second one redirects to the CDN on the same origin.
      if (req.headers.authorization !== 'Bearer k-0123456789') {
        res.writeHead(401, { 'Content-Type': 'application/json' });
        res.end('{"error":{"message":"Missing key","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}');
      } else if (p === '/api/private-redirect') {
        res.writeHead(302, { Location: '/ok.mp4' });
        res.end();
      } else send(SAMPLE, { 'Content-Type': 'video/mp4' });
    } else if (p === '/api/flaky.mp4') {
      if (apiFlaky++ % 3 < 2) {
        res.writeHead(503, { 'Content-Type': 'text/plain' });
        res.end('busy');
      } else send(SAMPLE, { 'Content-Type': 'video/mp4' });
    } else if (p === '/redirect') {
      res.writeHead(302, { Location: '/ok.mp4' });
      res.end();
    } else if (p.startsWith('/to/')) {
      // /to/<url-encoded target>: a redirect anywhere.
      res.writeHead(302, { Location: decodeURIComponent(p.slice(4)) });
      res.end();
    } else if (p === '/loop') {
      res.writeHead(302, { Location: '/loop' });
      res.end();
    } else if (p === '/gzip.mp4') send(zlib.gzipSync(SAMPLE), { 'Content-Type': 'video/mp4', 'Content-Encoding': 'gzip' });
    else if (p === '/html-octet') send(HTML, { 'Content-Type': 'application/octet-stream' });
    else if (p === '/html-untyped') send(HTML, {});
    else if (p === '/json-octet') send('{"error":"expired"}', { 'Content-Type': 'binary/octet-stream' });
    else if (p === '/tiny') send('ftyp', { 'Content-Type': 'video/mp4' });
    else if (p === '/untyped.mp4') send(SAMPLE, {});
    else if (p === '/sample-2.mp4') send(fixture('sample-2.mp4'), { 'Content-Type': 'video/mp4' });
    else if (p === '/mdat-first.mp4') send(MDAT_FIRST, { 'Content-Type': 'video/mp4' });
    else if (p === '/mp4-then-html') send(MP4_THEN_HTML, { 'Content-Type': 'video/mp4' });
    else if (p === '/mp4-then-garbage') send(MP4_THEN_GARBAGE, { 'Content-Type': 'video/mp4' });
    else if (p === '/bad-ftyp.mp4') send(BAD_FTYP, { 'Content-Type': 'video/mp4' });
    else if (p === '/short-ftyp.mp4') send(SHORT_FTYP, { 'Content-Type': 'video/mp4' });
    else if (p === '/clip.webm') send(WEBM, { 'Content-Type': 'video/webm' });
    else if (p === '/poster.jpg') send(fixture('poster.jpg'), { 'Content-Type': 'image/jpeg' });
    else if (p === '/cat.png') send(fixture('cat.png'), { 'Content-Type': 'image/png' });
    else if (p === '/bird.webp') send(fixture('bird.webp'), {});
    else if (p.startsWith('/trickle/')) {
      // A byte every N ms, forever.
      res.writeHead(200, { 'Content-Type': 'video/mp4' });
      let sent = 0;
      const timer = setInterval(() => res.write(SAMPLE.subarray(sent, ++sent)), Number(p.split('/')[2]));
      res.on('close', () => clearInterval(timer));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (p) => `http://127.0.0.1:${port}${p}`,
    base: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('downloads', function () {
  this.timeout(30_000);
  let cdn: Awaited<ReturnType<typeof startCdn>>;
  let dir: string;
  let net: NetSpy;

  before(async () => {
    cdn = await startCdn();
    net = spyOnConnections();
  });
  after(async () => {
    net.restore();
    await cdn.close();
  });
  beforeEach(() => {
    dir = tempDir('aivideo-download-');
    cdn.hits.length = 0;
    net.attempts.length = 0;
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    assertNoUnhandledRejections();
  });

  /** The CDN stand-in plays the provider's own host, so 127.0.0.1 is allowed. */
  const opts = (o: Partial<DownloadOptions> = {}): DownloadOptions => ({ origin: cdn.base, maxBytes: 1e7, ...o });
  const leftovers = () => fs.readdirSync(dir, { recursive: true, encoding: 'utf8' });
  const rejectsWith = async (p: Promise<unknown>, kind: string, message: RegExp) =>
    assert.rejects(p, (e: unknown) => {
      assert.ok(e instanceof ProviderError, String(e));
      assert.strictEqual(e.kind, kind, e.message);
      assert.match(e.message, message);
      return true;
    });

  it('writes the exact bytes, atomically, and never sends an Authorization header', async () => {
    const dest = path.join(dir, 'task', '1-ok.mp4');
    const r = await downloadToFile(cdn.url('/ok.mp4'), dest, opts({ maxBytes: 10 * 1024 * 1024 }));
    assert.strictEqual(r.bytes, SAMPLE.length);
    assert.strictEqual(r.contentType, 'video/mp4');
    assert.strictEqual(Buffer.compare(fs.readFileSync(dest), SAMPLE), 0);
    assert.deepStrictEqual(leftovers().sort(), ['task', path.join('task', '1-ok.mp4')].sort());
    assert.ok(cdn.hits.every((h) => h.authorization === undefined));
  });

  it('streams: memory stays flat while a file far larger than it is downloaded', async () => {
    const size = 160 * 1024 * 1024;
    const dest = path.join(dir, 'big.mp4');
    const base = process.memoryUsage();
    let peak = 0;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peak = Math.max(peak, m.heapUsed + m.arrayBuffers - base.heapUsed - base.arrayBuffers);
    }, 5);
    try {
      const r = await downloadToFile(cdn.url(`/stream/${size}`), dest, opts({ maxBytes: size }));
      assert.strictEqual(r.bytes, size);
    } finally {
      clearInterval(sampler);
    }
    assert.strictEqual(fs.statSync(dest).size, size);
    assert.ok(peak < size / 2, `memory grew by ${(peak / 1048576).toFixed(0)} MB for a ${size / 1048576} MB file`);
  });

  it('over the cap without a Content-Length: stopped mid-stream, no partial file left', async () => {
    const dest = path.join(dir, 'capped.mp4');
    await rejectsWith(
      downloadToFile(cdn.url(`/stream/${5 * 1024 * 1024}`), dest, opts({ maxBytes: 1024 * 1024 })),
      'input',
      /larger than the 1 MB download limit/,
    );
    assert.deepStrictEqual(leftovers(), []);
    assert.strictEqual(cdn.hits.length, 1, 'not retried');
  });

  it('text/html is refused as not a video, and not retried', async () => {
    await rejectsWith(
      downloadToFile(cdn.url('/html'), path.join(dir, 'x.mp4'), opts({ maxBytes: 1e6 })),
      'malformed',
      /not a video \(content type text\/html\)/,
    );
    assert.strictEqual(cdn.hits.length, 1);
    assert.deepStrictEqual(leftovers(), []);
  });

  it('only http(s) URLs are fetched', async () => {
    for (const url of ['file:///etc/passwd', 'ftp://example.com/x.mp4', 'javascript:alert(1)', 'not a url']) {
      await assert.rejects(
        downloadToFile(url, path.join(dir, 'x.mp4'), opts({ maxBytes: 1e6 })),
        (e: unknown) => e instanceof ProviderError && e.kind === 'malformed',
      );
    }
    assert.deepStrictEqual(leftovers(), []);
  });

  it('transient failures (503) are retried; a 404 is not', async () => {
    const dest = path.join(dir, 'flaky.mp4');
    const r = await downloadToFile(cdn.url('/flaky.mp4'), dest, opts({ maxBytes: 1e7, attempts: 3, retryDelayMs: 10 }));
    assert.strictEqual(r.bytes, SAMPLE.length);
    assert.strictEqual(cdn.hits.length, 3);
    cdn.hits.length = 0;
    await rejectsWith(
      downloadToFile(cdn.url('/gone.mp4'), path.join(dir, 'gone.mp4'), opts({ maxBytes: 1e7, attempts: 3, retryDelayMs: 10 })),
      'notFound',
      /gone \(HTTP 404\)/,
    );
    assert.strictEqual(cdn.hits.length, 1);
  });

  it('a transfer cut short is retried and never leaves a .part file', async () => {
    await rejectsWith(
      downloadToFile(cdn.url('/short.mp4'), path.join(dir, 'short.mp4'), opts({ maxBytes: 1e7, attempts: 2, retryDelayMs: 10 })),
      'network',
      /Download (was cut short|failed)/,
    );
    assert.strictEqual(cdn.hits.length, 2);
    assert.deepStrictEqual(leftovers(), []);
  });

  it('a stalled transfer times out (and is retried)', async () => {
    await rejectsWith(
      downloadToFile(
        cdn.url('/stall.mp4'),
        path.join(dir, 'stall.mp4'),
        opts({ maxBytes: 1e7, attempts: 2, retryDelayMs: 10, stallMs: 300 }),
      ),
      'timeout',
      /stalled|timeout|did not/i,
    );
    assert.strictEqual(cdn.hits.length, 2);
    assert.deepStrictEqual(leftovers(), []);
  });

  it('an empty file is refused', async () => {
    await rejectsWith(downloadToFile(cdn.url('/empty.mp4'), path.join(dir, 'e.mp4'), opts({ maxBytes: 1e7 })), 'malformed', /empty/);
    assert.deepStrictEqual(leftovers(), []);
  });

  it('follows a redirect, still without credentials', async () => {
    const dest = path.join(dir, 'r.mp4');
    await downloadToFile(cdn.url('/redirect'), dest, opts({ maxBytes: 1e7 }));
    assert.strictEqual(Buffer.compare(fs.readFileSync(dest), SAMPLE), 0);
    assert.deepStrictEqual(
      cdn.hits.map((h) => h.path),
      ['/redirect', '/ok.mp4'],
    );
    assert.ok(cdn.hits.every((h) => h.authorization === undefined));
  });

  describe('results on the provider API (with the key)', () => {
    const key = async () => ({ Authorization: 'Bearer k-0123456789' });

    it('the key goes with the first request only: not to a redirect hop, even on the same origin', async () => {
      const dest = path.join(dir, 'p.mp4');
      await downloadToFile(cdn.url('/api/private-redirect'), dest, opts({ authHeaders: key }));
      assert.strictEqual(Buffer.compare(fs.readFileSync(dest), SAMPLE), 0);
      assert.deepStrictEqual(
        cdn.hits.map((h) => [h.path, h.authorization]),
        [
          ['/api/private-redirect', 'Bearer k-0123456789'],
          ['/ok.mp4', undefined],
        ],
      );
    });

    it('every attempt asks for the headers again and sends them on its first request', async () => {
      let asked = 0;
      await downloadToFile(
        cdn.url('/api/flaky.mp4'),
        path.join(dir, 'f.mp4'),
        opts({ authHeaders: () => (asked++, key()), retryDelayMs: 10 }),
      );
      assert.strictEqual(asked, 3);
      assert.deepStrictEqual(
        cdn.hits.map((h) => h.authorization),
        ['Bearer k-0123456789', 'Bearer k-0123456789', 'Bearer k-0123456789'],
      );
    });

    it('a refused key is an auth error, not retried; headers that cannot be given stop the download before it connects', async () => {
      await rejectsWith(
        downloadToFile(
          cdn.url('/api/private.mp4'),
          path.join(dir, 'a.mp4'),
          opts({ authHeaders: async () => ({ Authorization: 'Bearer wrong' }) }),
        ),
        'auth',
        /refused the key.*HTTP 401/,
      );
      assert.strictEqual(cdn.hits.length, 1);
      const refused = new ProviderError({ kind: 'config', message: 'The base URL changed.' });
      await rejectsWith(
        downloadToFile(cdn.url('/api/private.mp4'), path.join(dir, 'b.mp4'), opts({ authHeaders: () => Promise.reject(refused) })),
        'config',
        /base URL changed/,
      );
      assert.strictEqual(cdn.hits.length, 1);
      await rejectsWith(
        downloadToFile(
          cdn.url('/api/private.mp4'),
          path.join(dir, 'c.mp4'),
          opts({ authHeaders: async () => ({ Authorization: 'Bearer x\r\nX-Injected: 1' }) }),
        ),
        'input',
        /line break/,
      );
      assert.strictEqual(cdn.hits.length, 1);
      assert.deepStrictEqual(leftovers(), []);
    });

    it('without them the result is refused with HTTP 401 as any refused download', async () => {
      await rejectsWith(downloadToFile(cdn.url('/api/private.mp4'), path.join(dir, 'n.mp4'), opts()), 'badRequest', /HTTP 401/);
    });
  });

  describe('expiry', () => {
    const expiresAt = Date.UTC(2025, 0, 2, 3, 4, 5);

    it('a result past its expiry time is not asked for: the message says when it expired', async () => {
      await rejectsWith(
        downloadToFile(cdn.url('/ok.mp4'), path.join(dir, 'x.mp4'), opts({ expiresAt, now: () => expiresAt })),
        'notFound',
        /^This result expired at 2025-01-02 03:04 UTC; it can no longer be downloaded\.$/,
      );
      assert.deepStrictEqual(cdn.hits, []);
      assert.deepStrictEqual(net.attempts, []);
    });

    it('a 404 once the expiry time has passed says the result expired; before it, that the file is gone', async () => {
      let now = expiresAt - 1;
      const late = opts({ expiresAt, now: () => now++ });
      await rejectsWith(downloadToFile(cdn.url('/gone.mp4'), path.join(dir, 'g.mp4'), late), 'notFound', /expired at 2025-01-02 03:04 UTC/);
      await rejectsWith(
        downloadToFile(cdn.url('/gone.mp4'), path.join(dir, 'g.mp4'), opts({ expiresAt, now: () => expiresAt - 1000 })),
        'notFound',
        /gone \(HTTP 404\)/,
      );
    });

    it('before its expiry time a result downloads as usual', async () => {
      await downloadToFile(cdn.url('/ok.mp4'), path.join(dir, 'ok.mp4'), opts({ expiresAt: Date.now() + 60_000 }));
      assert.strictEqual(cdn.hits.length, 1);
    });
  });

  it('cancelling stops the transfer and removes the partial file', async () => {
    const ctrl = new AbortController();
    const p = downloadToFile(cdn.url(`/stall.mp4`), path.join(dir, 'c.mp4'), opts({ maxBytes: 1e7, signal: ctrl.signal, stallMs: 10_000 }));
    setTimeout(() => ctrl.abort(), 100);
    await assert.rejects(p, (e: unknown) => e instanceof ProviderError && e.kind === 'cancelled');
    assert.deepStrictEqual(leftovers(), []);
  });

  it('file names are sanitized and cannot leave the target folder', () => {
    assert.strictEqual(safeFileName('../../etc/passwd'), 'passwd');
    assert.strictEqual(safeFileName('..\\..\\win.ini'), 'win.ini');
    assert.strictEqual(safeFileName('..'), 'video.mp4');
    assert.strictEqual(safeFileName(''), 'video.mp4');
    assert.strictEqual(safeFileName('a b?:*<>|.mp4'), 'a_b_.mp4');
    assert.strictEqual(safeFileName('.hidden.mp4'), 'hidden.mp4');
    assert.strictEqual(safeFileName('苹果蒸发.mp4'), 'mp4');
    assert.ok(safeFileName('x'.repeat(500) + '.mp4').length <= 100);
    assert.strictEqual(insideFolder(dir, 'ok.mp4'), path.join(dir, 'ok.mp4'));
    assert.throws(() => insideFolder(dir, '../escape.mp4'), /outside/);
    assert.throws(() => insideFolder(dir, '/etc/passwd'), /outside/);
  });

  it('removeStalePartials clears .part files a crash left behind, and only old ones', async () => {
    const task = path.join(dir, 'task-1');
    fs.mkdirSync(task);
    fs.writeFileSync(path.join(task, 'old.mp4.ab12.part'), 'x');
    fs.writeFileSync(path.join(task, 'fresh.mp4.cd34.part'), 'x');
    fs.writeFileSync(path.join(task, 'done.mp4'), 'x');
    const hourAgo = new Date(Date.now() - 3600_000);
    fs.utimesSync(path.join(task, 'old.mp4.ab12.part'), hourAgo, hourAgo);
    assert.strictEqual(await removeStalePartials(dir, 10 * 60_000), 1);
    assert.deepStrictEqual(fs.readdirSync(task).sort(), ['done.mp4', 'fresh.mp4.cd34.part']);
    assert.strictEqual(await removeStalePartials(path.join(dir, 'missing'), 0), 0);
  });
  describe('content', () => {
    it('asks for Accept-Encoding: identity; a gzip-encoded answer anyway is refused, nothing saved, not retried', async () => {
      await rejectsWith(
        downloadToFile(cdn.url('/gzip.mp4'), path.join(dir, 'g.mp4'), opts({ attempts: 3, retryDelayMs: 10 })),
        'malformed',
        /sent the result gzip-encoded.*Nothing was saved/,
      );
      assert.deepStrictEqual(
        cdn.hits.map((h) => h.acceptEncoding),
        ['identity'],
      );
      assert.deepStrictEqual(leftovers(), []);
    });

    for (const [route, what] of [
      ['/html-octet', 'an HTML page served as application/octet-stream'],
      ['/html-untyped', 'an HTML page with no content type'],
    ] as const) {
      it(`${what} is not a video: refused by its first bytes, nothing saved, not retried`, async () => {
        await rejectsWith(
          downloadToFile(cdn.url(route), path.join(dir, 'x.mp4'), opts({ attempts: 3, retryDelayMs: 10 })),
          'malformed',
          /not a video: it is a web page \(often an expired link/,
        );
        assert.strictEqual(cdn.hits.length, 1);
        assert.deepStrictEqual(leftovers(), []);
      });
    }

    it('JSON as octet-stream and a body too short to be a video are refused', async () => {
      await rejectsWith(
        downloadToFile(cdn.url('/json-octet'), path.join(dir, 'j.mp4'), opts()),
        'malformed',
        /not a video: it is JSON text/,
      );
      await rejectsWith(
        downloadToFile(cdn.url('/tiny'), path.join(dir, 't.mp4'), opts()),
        'malformed',
        /not a video: its content is not MP4, MOV or WebM/,
      );
      assert.deepStrictEqual(leftovers(), []);
    });

    it('real videos pass whatever their content type: MP4 with none, WebM (EBML)', async () => {
      await downloadToFile(cdn.url('/untyped.mp4'), path.join(dir, 'u.mp4'), opts());
      await downloadToFile(cdn.url('/clip.webm'), path.join(dir, 'c.webm'), opts());
      assert.strictEqual(Buffer.compare(fs.readFileSync(path.join(dir, 'u.mp4')), SAMPLE), 0);
      assert.strictEqual(Buffer.compare(fs.readFileSync(path.join(dir, 'c.webm')), WEBM), 0);
    });

    it('an MP4 header followed by a web page is refused by its box structure, nothing saved, not retried', async () => {
      await rejectsWith(
        downloadToFile(cdn.url('/mp4-then-html'), path.join(dir, 'h.mp4'), opts({ attempts: 3, retryDelayMs: 10 })),
        'malformed',
        /The result is not a video: it has an MP4 header followed by a web page \(often an expired link or a sign-in page\)\./,
      );
      assert.strictEqual(cdn.hits.length, 1);
      assert.deepStrictEqual(leftovers(), []);
    });

    it('an MP4 whose boxes are not sane is refused: a bad header size, or no known box where one must start', async () => {
      const notMp4 = /The result is not a video: it has an MP4 header but is not an MP4 file \(.+ at byte \d+\)\. Nothing was saved\./;
      await rejectsWith(downloadToFile(cdn.url('/mp4-then-garbage'), path.join(dir, 'g.mp4'), opts()), 'malformed', notMp4);
      await rejectsWith(downloadToFile(cdn.url('/bad-ftyp.mp4'), path.join(dir, 'b.mp4'), opts()), 'malformed', notMp4);
      await rejectsWith(downloadToFile(cdn.url('/short-ftyp.mp4'), path.join(dir, 's.mp4'), opts()), 'malformed', notMp4);
      assert.deepStrictEqual(leftovers(), []);
    });

    it('real MP4 files pass: both samples, and one whose media data (mdat) comes before its index (moov)', async () => {
      for (const [route, bytes] of [
        ['/ok.mp4', SAMPLE],
        ['/sample-2.mp4', fixture('sample-2.mp4')],
        ['/mdat-first.mp4', MDAT_FIRST],
      ] as const) {
        const dest = path.join(dir, route.slice(1));
        await downloadToFile(cdn.url(route), dest, opts());
        assert.strictEqual(Buffer.compare(fs.readFileSync(dest), bytes), 0, route);
      }
    });

    it('posters and thumbnails: JPEG, PNG and WebP pass as images; a video or a page does not', async () => {
      for (const name of ['poster.jpg', 'cat.png', 'bird.webp']) {
        await downloadToFile(cdn.url(`/${name}`), path.join(dir, name), opts({ expect: 'image' }));
        assert.strictEqual(Buffer.compare(fs.readFileSync(path.join(dir, name)), fixture(name)), 0, name);
      }
      await rejectsWith(
        downloadToFile(cdn.url('/untyped.mp4'), path.join(dir, 'v.jpg'), opts({ expect: 'image' })),
        'malformed',
        /not an image: its content is not PNG, JPEG or WebP/,
      );
      await rejectsWith(
        downloadToFile(cdn.url('/html-octet'), path.join(dir, 'h.jpg'), opts({ expect: 'image' })),
        'malformed',
        /not an image: it is a web page/,
      );
    });
  });

  describe('time limits', () => {
    it('no byte for stallMs: the attempt is stalled (and retried within the deadline)', async () => {
      const started = Date.now();
      await rejectsWith(
        downloadToFile(cdn.url('/trickle/1000'), path.join(dir, 's.mp4'), opts({ stallMs: 150, attempts: 2, retryDelayMs: 10 })),
        'timeout',
        /stalled \(no data for 150 ms\)/,
      );
      assert.strictEqual(cdn.hits.length, 2);
      assert.ok(Date.now() - started < 2000);
      assert.deepStrictEqual(leftovers(), []);
    });

    it('a byte every 20 ms never stalls but cannot hold the download past its deadline, which is final', async () => {
      const started = Date.now();
      await rejectsWith(
        downloadToFile(
          cdn.url('/trickle/20'),
          path.join(dir, 'd.mp4'),
          opts({ stallMs: 1000, deadlineMs: 400, attempts: 3, retryDelayMs: 10 }),
        ),
        'timeout',
        /took longer than 400 ms and was stopped/,
      );
      const took = Date.now() - started;
      assert.ok(took >= 380 && took < 1500, `stopped after ${took} ms`);
      assert.strictEqual(cdn.hits.length, 1, 'the deadline is not retried');
      assert.deepStrictEqual(leftovers(), []);
    });
  });

  describe('where a download may connect', () => {
    const noResolve = () => Promise.reject(new Error('no name may be resolved here'));

    it('private, loopback, link-local, CGNAT and unspecified addresses are refused before any connection', async () => {
      const urls = [
        'http://10.0.0.1/x',
        'http://172.16.5.4/x',
        'http://192.168.1.1/x',
        'http://100.64.0.1/x',
        'http://127.0.0.1:1/x',
        'http://2130706433/x',
        'http://169.254.169.254/latest/meta-data/',
        'http://0.0.0.0/x',
        'http://[::1]/x',
        'http://[::]/x',
        'http://[fe80::1]/x',
        'http://[fc00::1]/x',
        'http://[fd12:3456::1]/x',
        'http://[::ffff:10.0.0.1]/x',
        'http://[::ffff:127.0.0.1]/x',
        'http://[::ffff:169.254.169.254]/x',
        'http://localhost:1/x',
        'http://media.localhost/x',
        'https://10.0.0.1/x',
      ];
      for (const url of urls) {
        await rejectsWith(
          downloadToFile(
            url,
            path.join(dir, 'p.mp4'),
            opts({ origin: 'https://api.example.com', allowInsecureHttp: true, resolve: noResolve }),
          ),
          'config',
          /private, loopback, link-local or other non-public network address.*aiVideo\.download\.allowPrivateHosts/,
        );
      }
      assert.deepStrictEqual([...net.attempts], [], 'no connection was attempted');
      assert.deepStrictEqual(leftovers(), []);
    });

    it('IPv6 forms that reach IPv4 or local networks, multicast, broadcast, reserved: refused before any connection', async () => {
      const literals = [
        '[::10.0.0.1]', // IPv4-compatible IPv6
        '[::8.8.8.8]',
        '[::a9fe:a9fe]',
        '[64:ff9b::a9fe:a9fe]', // NAT64, well-known prefix (169.254.169.254)
        '[64:ff9b::808:808]',
        '[64:ff9b:1::a00:1]', // NAT64, local-use prefix
        '[2002:a9fe:a9fe::1]', // 6to4 of 169.254.169.254
        '[2002:c0a8:101::]', // 6to4 of 192.168.1.1
        '[2002:7f00:1::1]', // 6to4 of 127.0.0.1
        '[2001::a9fe:a9fe]', // Teredo
        '[fec0::1]', // site-local
        '[ff02::1]', // multicast
        '[ff0e::fb]',
        '[100::1]', // discard-only
        '224.0.0.1', // multicast
        '239.255.255.250',
        '255.255.255.255', // broadcast
        '240.0.0.1', // reserved
        '198.18.0.1', // benchmarking
        '198.19.255.254',
        '192.0.0.170', // IETF protocol assignments
        '192.0.0.8',
        '192.88.99.1', // 6to4 relay anycast
      ];
      for (const host of literals) {
        await rejectsWith(
          downloadToFile(
            `http://${host}/x`,
            path.join(dir, 'p.mp4'),
            opts({ origin: 'https://api.example.com', allowInsecureHttp: true, resolve: noResolve }),
          ),
          'config',
          /non-public network address.*aiVideo\.download\.allowPrivateHosts/,
        );
      }
      // The same addresses in a DNS answer.
      const answers = ['64:ff9b::a9fe:a9fe', '::7f00:1', '2002:a00:1::1', 'fec0::1', 'ff02::1', '198.18.0.1', '255.255.255.255'];
      for (const address of answers) {
        const resolve = async () => [{ address, family: address.includes(':') ? 6 : 4 }];
        const dest = path.join(dir, 'n.mp4');
        const refusedAt = downloadToFile('https://cdn.invalid/v.mp4', dest, opts({ origin: 'https://api.example.com', resolve }));
        await rejectsWith(refusedAt, 'config', /non-public network address/);
      }
      assert.deepStrictEqual([...net.attempts], [], 'no connection was attempted');
      assert.deepStrictEqual(leftovers(), []);
    });

    it('6to4 is judged by its embedded IPv4 address; other global unicast IPv6 passes', () => {
      const pub = ['2002:808:808::1', '2002:cb00:7107::', '2a00:1450:4001::200e', '2001:4860:4860::8888', '198.17.255.255', '198.20.0.1'];
      for (const ip of [...pub, '192.0.1.1', '223.255.255.255']) {
        assert.ok(!isPrivateAddress(ip), ip);
      }
    });

    it('public addresses are not private; IPv4-mapped forms are judged by their IPv4 address', () => {
      for (const ip of ['8.8.8.8', '172.32.0.1', '100.128.0.1', '192.169.0.1', '2606:4700::1111', '::ffff:8.8.8.8']) {
        assert.ok(!isPrivateAddress(ip), ip);
      }
      for (const ip of ['172.31.255.255', '100.127.0.1', 'fe80::abcd', 'febf::1', '::ffff:192.168.0.1']) {
        assert.ok(isPrivateAddress(ip), ip);
      }
    });

    it('a host name is resolved first: one private address among its answers refuses it, unconnected', async () => {
      const asked: string[] = [];
      const resolve = async (host: string) => {
        asked.push(host);
        return [
          { address: '203.0.113.10', family: 4 },
          { address: '10.1.2.3', family: 4 },
        ];
      };
      await rejectsWith(
        downloadToFile('https://cdn.invalid/v.mp4', path.join(dir, 'n.mp4'), opts({ origin: 'https://api.example.com', resolve })),
        'config',
        /its address 10\.1\.2\.3 is a private/,
      );
      assert.deepStrictEqual(asked, ['cdn.invalid']);
      assert.deepStrictEqual([...net.attempts], []);
    });

    it('the connection goes to the address that was checked: DNS is asked once, a changed answer is never used', async () => {
      const answers = [[{ address: '127.0.0.1', family: 4 }], [{ address: '169.254.169.254', family: 4 }]];
      let asked = 0;
      const resolve = async () => answers[Math.min(asked++, 1)];
      const port = new URL(cdn.base).port;
      const dest = path.join(dir, 'pinned.mp4');
      await downloadToFile(
        `http://media.invalid:${port}/ok.mp4`,
        dest,
        opts({ origin: 'https://api.example.com', allowPrivateHosts: ['media.invalid'], allowInsecureHttp: true, resolve }),
      );
      assert.strictEqual(asked, 1);
      assert.deepStrictEqual(net.attempts, [{ host: 'media.invalid', addresses: ['127.0.0.1'] }]);
      assert.strictEqual(Buffer.compare(fs.readFileSync(dest), SAMPLE), 0);
    });

    it("the provider's own host and hosts in allowPrivateHosts may be private", async () => {
      await downloadToFile(cdn.url('/ok.mp4'), path.join(dir, 'a.mp4'), opts({ origin: `http://127.0.0.1:9/api` }));
      await downloadToFile(
        cdn.url('/ok.mp4'),
        path.join(dir, 'b.mp4'),
        opts({ origin: 'https://api.example.com', allowPrivateHosts: ['127.0.0.1'] }),
      );
      await rejectsWith(
        downloadToFile(
          cdn.url('/ok.mp4'),
          path.join(dir, 'c.mp4'),
          opts({ origin: 'https://api.example.com', allowPrivateHosts: ['127.0.0.2'] }),
        ),
        'config',
        /private/,
      );
      await rejectsWith(downloadToFile(cdn.url('/ok.mp4'), path.join(dir, 'd.mp4'), opts({ origin: undefined })), 'config', /private/);
      assert.deepStrictEqual(
        net.attempts.map((a) => a.host),
        ['127.0.0.1', '127.0.0.1'],
      );
    });

    it('plain http is refused unless the base URL is on this machine or allowInsecureHttp is set', async () => {
      const url = 'http://203.0.113.7/v.mp4';
      await rejectsWith(
        downloadToFile(url, path.join(dir, 'h.mp4'), opts({ origin: 'https://api.example.com' })),
        'config',
        /over plain http.*aiVideo\.allowInsecureHttp/,
      );
      assert.deepStrictEqual([...net.attempts], [], 'refused before connecting');
      // Allowed: then the connection is attempted (and stopped by the test's spy).
      await rejectsWith(
        downloadToFile(url, path.join(dir, 'h.mp4'), opts({ origin: 'https://api.example.com', allowInsecureHttp: true, attempts: 1 })),
        'network',
        /ECONNREFUSED/,
      );
      await rejectsWith(
        downloadToFile(url, path.join(dir, 'h.mp4'), opts({ origin: 'http://localhost:8080', attempts: 1 })),
        'network',
        /ECONNREFUSED/,
      );
      assert.deepStrictEqual(
        net.attempts.map((a) => a.host),
        ['203.0.113.7', '203.0.113.7'],
      );
    });
  });

  describe('redirects', () => {
    const to = (target: string) => cdn.url(`/to/${encodeURIComponent(target)}`);

    it('every hop is checked before it is connected to: a redirect to a private address is refused', async () => {
      await rejectsWith(
        downloadToFile(to('http://169.254.169.254/latest/meta-data/'), path.join(dir, 'r.mp4'), opts()),
        'config',
        /169\.254\.169\.254.*private/,
      );
      await rejectsWith(downloadToFile(to('http://[::ffff:10.0.0.1]/x'), path.join(dir, 'r.mp4'), opts()), 'config', /private/);
      assert.deepStrictEqual(
        net.attempts.map((a) => a.host),
        ['127.0.0.1', '127.0.0.1'],
      );
      assert.deepStrictEqual(leftovers(), []);
    });

    it('a redirect to plain http (from a provider on https) is refused, and so is one to another scheme', async () => {
      const policy = { origin: 'https://api.example.com', allowPrivateHosts: ['127.0.0.1'] };
      await rejectsWith(
        downloadToFile(to('http://203.0.113.7/v.mp4'), path.join(dir, 'r.mp4'), opts(policy)),
        'config',
        /203\.0\.113\.7 over plain http/,
      );
      await rejectsWith(downloadToFile(to('file:///etc/passwd'), path.join(dir, 'r.mp4'), opts(policy)), 'malformed', /file: URL/);
      assert.deepStrictEqual(
        net.attempts.map((a) => a.host),
        ['127.0.0.1', '127.0.0.1'],
      );
    });

    it('redirects are capped', async () => {
      await rejectsWith(
        downloadToFile(cdn.url('/loop'), path.join(dir, 'l.mp4'), opts({ attempts: 3 })),
        'malformed',
        /redirected more than 5 times/,
      );
      assert.strictEqual(cdn.hits.length, 6, 'the first request and 5 redirects, not retried');
    });
  });

  it('a result URL with bad percent-encoding gets a file name and does not throw', () => {
    assert.strictEqual(resultFileName('https://cdn.example/v/%E0%A4clip.mp4'), 'E0_A4clip.mp4');
    assert.strictEqual(resultFileName('https://cdn.example/v/%zz'), 'zz.mp4');
    assert.strictEqual(resultFileName('https://cdn.example/v/caf%C3%A9.webm?sig=1'), 'caf_.webm');
    assert.strictEqual(resultFileName('https://cdn.example/'), 'video.mp4');
    assert.strictEqual(resultFileName('not a url'), 'video.mp4');
  });
});
