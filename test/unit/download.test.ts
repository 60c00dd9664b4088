import * as assert from 'assert';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import { downloadToFile, insideFolder, removeStalePartials, safeFileName } from '../../src/core/download';
import { ProviderError } from '../../src/core/errors';
import { assertNoUnhandledRejections, SAMPLE, tempDir } from './engineHarness';

interface Hit {
  path: string;
  authorization?: string;
}

/** A CDN stand-in with one route per behaviour. */
async function startCdn(): Promise<{ url: (p: string) => string; hits: Hit[]; close: () => Promise<void> }> {
  const hits: Hit[] = [];
  let flaky = 0;
  const server = http.createServer((req, res) => {
    const p = (req.url ?? '/').split('?')[0];
    hits.push({ path: p, authorization: req.headers.authorization });
    const stream = (total: number, type = 'video/mp4', declare = false) => {
      res.writeHead(200, { 'Content-Type': type, ...(declare ? { 'Content-Length': String(total) } : {}) });
      const chunk = Buffer.alloc(64 * 1024, 1);
      let sent = 0;
      const write = () => {
        while (sent < total) {
          const part = chunk.subarray(0, Math.min(chunk.length, total - sent));
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
      res.write(Buffer.alloc(1000));
      // ...and nothing more.
    } else if (p === '/short.mp4') {
      res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': String(SAMPLE.length) });
      res.write(SAMPLE.subarray(0, 100));
      setTimeout(() => res.destroy(), 20);
    } else if (p === '/empty.mp4') {
      res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': '0' });
      res.end();
    } else if (p === '/redirect') {
      res.writeHead(302, { Location: '/ok.mp4' });
      res.end();
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (p) => `http://127.0.0.1:${port}${p}`,
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

  before(async () => {
    cdn = await startCdn();
  });
  after(async () => {
    await cdn.close();
  });
  beforeEach(() => {
    dir = tempDir('aivideo-download-');
    cdn.hits.length = 0;
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    assertNoUnhandledRejections();
  });

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
    const r = await downloadToFile(cdn.url('/ok.mp4'), dest, { maxBytes: 10 * 1024 * 1024 });
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
      const r = await downloadToFile(cdn.url(`/stream/${size}`), dest, { maxBytes: size });
      assert.strictEqual(r.bytes, size);
    } finally {
      clearInterval(sampler);
    }
    assert.strictEqual(fs.statSync(dest).size, size);
    assert.ok(peak < size / 2, `memory grew by ${(peak / 1048576).toFixed(0)} MB for a ${size / 1048576} MB file`);
  });

  it('over the cap without a Content-Length: stopped mid-stream, no partial file left', async () => {
    const dest = path.join(dir, 'capped.mp4');
    await rejectsWith(downloadToFile(cdn.url(`/stream/${5 * 1024 * 1024}`), dest, { maxBytes: 1024 * 1024 }), 'input', /larger than the 1 MB download limit/);
    assert.deepStrictEqual(leftovers(), []);
    assert.strictEqual(cdn.hits.length, 1, 'not retried');
  });

  it('text/html is refused as not a video, and not retried', async () => {
    await rejectsWith(downloadToFile(cdn.url('/html'), path.join(dir, 'x.mp4'), { maxBytes: 1e6 }), 'malformed', /not a video \(content type text\/html\)/);
    assert.strictEqual(cdn.hits.length, 1);
    assert.deepStrictEqual(leftovers(), []);
  });

  it('only http(s) URLs are fetched', async () => {
    for (const url of ['file:///etc/passwd', 'ftp://example.com/x.mp4', 'javascript:alert(1)', 'not a url']) {
      await assert.rejects(downloadToFile(url, path.join(dir, 'x.mp4'), { maxBytes: 1e6 }), (e: unknown) => e instanceof ProviderError && e.kind === 'malformed');
    }
    assert.deepStrictEqual(leftovers(), []);
  });

  it('transient failures (503) are retried; a 404 is not', async () => {
    const dest = path.join(dir, 'flaky.mp4');
    const r = await downloadToFile(cdn.url('/flaky.mp4'), dest, { maxBytes: 1e7, attempts: 3, retryDelayMs: 10 });
    assert.strictEqual(r.bytes, SAMPLE.length);
    assert.strictEqual(cdn.hits.length, 3);
    cdn.hits.length = 0;
    await rejectsWith(downloadToFile(cdn.url('/gone.mp4'), path.join(dir, 'gone.mp4'), { maxBytes: 1e7, attempts: 3, retryDelayMs: 10 }), 'notFound', /gone \(HTTP 404\)/);
    assert.strictEqual(cdn.hits.length, 1);
  });

  it('a transfer cut short is retried and never leaves a .part file', async () => {
    await rejectsWith(downloadToFile(cdn.url('/short.mp4'), path.join(dir, 'short.mp4'), { maxBytes: 1e7, attempts: 2, retryDelayMs: 10 }), 'network', /Download (was cut short|failed)/);
    assert.strictEqual(cdn.hits.length, 2);
    assert.deepStrictEqual(leftovers(), []);
  });

  it('a stalled transfer times out (and is retried)', async () => {
    await rejectsWith(downloadToFile(cdn.url('/stall.mp4'), path.join(dir, 'stall.mp4'), { maxBytes: 1e7, attempts: 2, retryDelayMs: 10, timeoutMs: 300 }), 'timeout', /stalled|timeout|did not/i);
    assert.strictEqual(cdn.hits.length, 2);
    assert.deepStrictEqual(leftovers(), []);
  });

  it('an empty file is refused', async () => {
    await rejectsWith(downloadToFile(cdn.url('/empty.mp4'), path.join(dir, 'e.mp4'), { maxBytes: 1e7 }), 'malformed', /empty/);
    assert.deepStrictEqual(leftovers(), []);
  });

  it('follows a redirect, still without credentials', async () => {
    const dest = path.join(dir, 'r.mp4');
    await downloadToFile(cdn.url('/redirect'), dest, { maxBytes: 1e7 });
    assert.strictEqual(Buffer.compare(fs.readFileSync(dest), SAMPLE), 0);
    assert.deepStrictEqual(cdn.hits.map((h) => h.path), ['/redirect', '/ok.mp4']);
    assert.ok(cdn.hits.every((h) => h.authorization === undefined));
  });

  it('cancelling stops the transfer and removes the partial file', async () => {
    const ctrl = new AbortController();
    const p = downloadToFile(cdn.url(`/stall.mp4`), path.join(dir, 'c.mp4'), { maxBytes: 1e7, signal: ctrl.signal, timeoutMs: 10_000 });
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
});
