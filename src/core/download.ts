// Downloads a finished video: http(s) only, never with the API key, streamed to a temp file and
// renamed into place (so a half-written file is never seen), with a size cap, a content-type check
// and retries for transient failures. Names from a server never escape the target folder.
import axios from 'axios';
import { createWriteStream, promises as fs } from 'fs';
import * as path from 'path';
import { randomBytes } from 'crypto';
import { pipeline } from 'stream/promises';
import { Transform } from 'stream';
import { ProviderError } from './errors';

export interface DownloadOptions {
  maxBytes: number;
  timeoutMs?: number;
  /** Attempts in all, for transient failures. */
  attempts?: number;
  retryDelayMs?: number;
  signal?: AbortSignal;
  /** What the file must be (default 'video'); 'image' is for posters and thumbnails. */
  kind?: 'video' | 'image';
}

export interface DownloadResult {
  path: string;
  bytes: number;
  contentType: string;
}

const ACCEPTED_TYPES = /^(video\/|application\/octet-stream|binary\/octet-stream|application\/mp4)/i;
/** Raster images only: an SVG poster could carry script. */
const IMAGE_TYPES = /^(image\/(jpeg|png|webp|gif|avif)|application\/octet-stream|binary\/octet-stream)/i;

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / 1048576).toFixed(1)} MB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KB`;
  return `${n} bytes`;
}

/** A file name safe on every OS: no separators, no dots at the ends, bounded length. */
export function safeFileName(name: string, fallback = 'video.mp4'): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[.\s_]+/, '')
    .replace(/[.\s]+$/, '')
    .slice(0, 100);
  return cleaned && cleaned !== '.' && cleaned !== '..' ? cleaned : fallback;
}

/** `dir/name` after checking it stays inside `dir`. */
export function insideFolder(dir: string, name: string): string {
  const target = path.resolve(dir, name);
  const root = path.resolve(dir) + path.sep;
  if (!target.startsWith(root)) throw new ProviderError({ kind: 'input', message: `Refusing to write outside ${dir}.` });
  return target;
}

export async function downloadToFile(url: string, dest: string, opts: DownloadOptions): Promise<DownloadResult> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ProviderError({ kind: 'malformed', message: 'The result URL is not a valid URL.' });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new ProviderError({ kind: 'malformed', message: `Refusing to download a ${parsed.protocol} URL; only http(s) results are fetched.` });
  }
  const attempts = Math.max(1, opts.attempts ?? 3);
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, (opts.retryDelayMs ?? 1000) * 2 ** (i - 1)));
    if (opts.signal?.aborted) throw new ProviderError({ kind: 'cancelled', message: 'Download cancelled.' });
    try {
      return await downloadOnce(parsed.toString(), dest, opts);
    } catch (e) {
      last = e;
      if (!isTransient(e)) break;
    }
  }
  throw last;
}

/** Worth another attempt: the connection or the server failed, not the file itself. */
function isTransient(e: unknown): boolean {
  return e instanceof ProviderError && (e.kind === 'network' || e.kind === 'timeout' || e.kind === 'server');
}

/** Removes `.part` files under `dir` (one level of task folders) not written to for `olderThanMs`: left by a crash. */
export async function removeStalePartials(dir: string, olderThanMs: number, now = Date.now()): Promise<number> {
  let removed = 0;
  const folders = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const folder of folders) {
    if (!folder.isDirectory()) continue;
    const sub = path.join(dir, folder.name);
    for (const name of await fs.readdir(sub).catch(() => [] as string[])) {
      if (!name.endsWith('.part')) continue;
      const file = path.join(sub, name);
      const st = await fs.stat(file).catch(() => undefined);
      if (st && now - st.mtimeMs > olderThanMs) {
        await fs.rm(file, { force: true }).catch(() => undefined);
        removed++;
      }
    }
  }
  return removed;
}

async function downloadOnce(url: string, dest: string, opts: DownloadOptions): Promise<DownloadResult> {
  await fs.mkdir(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.${randomBytes(4).toString('hex')}.part`;
  let res;
  try {
    res = await axios.get(url, {
      responseType: 'stream',
      timeout: opts.timeoutMs ?? 60_000,
      signal: opts.signal,
      validateStatus: () => true,
      maxRedirects: 5,
      // No Authorization header, ever: result URLs are CDNs, not the provider.
      headers: { Accept: opts.kind === 'image' ? 'image/*' : 'video/*, application/octet-stream;q=0.9' },
      decompress: false,
    });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_CANCELED') throw new ProviderError({ kind: 'cancelled', message: 'Download cancelled.' });
    throw new ProviderError({
      kind: code === 'ECONNABORTED' || code === 'ETIMEDOUT' ? 'timeout' : 'network',
      message: `Download failed (${code ?? 'network error'}).`,
    });
  }
  const stream = res.data as NodeJS.ReadableStream & { destroy(): void };
  const type = String(res.headers['content-type'] ?? '');
  const declared = Number(res.headers['content-length'] ?? NaN);
  const fail = (e: ProviderError): never => {
    stream.destroy();
    throw e;
  };
  if (res.status === 404 || res.status === 410) fail(new ProviderError({ kind: 'notFound', status: res.status, message: `The result file is gone (HTTP ${res.status}); result links expire.` }));
  if (res.status >= 500 || res.status === 429 || res.status === 408) fail(new ProviderError({ kind: 'server', status: res.status, message: `Download failed (HTTP ${res.status}).` }));
  if (res.status < 200 || res.status >= 300) fail(new ProviderError({ kind: 'badRequest', status: res.status, message: `Download refused (HTTP ${res.status}).` }));
  const image = opts.kind === 'image';
  if (type && !(image ? IMAGE_TYPES : ACCEPTED_TYPES).test(type)) {
    fail(new ProviderError({ kind: 'malformed', message: `The result is not ${image ? 'an image' : 'a video'} (content type ${type.split(';')[0]}).` }));
  }
  if (Number.isFinite(declared) && declared > opts.maxBytes) {
    fail(new ProviderError({ kind: 'input', message: `The result is ${formatBytes(declared)}, over the ${formatBytes(opts.maxBytes)} download limit.` }));
  }
  let bytes = 0;
  const stallMs = opts.timeoutMs ?? 60_000;
  let lastDataAt = Date.now();
  const stalled = () => new ProviderError({ kind: 'timeout', message: `Download stalled (no data for ${Math.round(stallMs / 1000)} s).` });
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      if (bytes > opts.maxBytes) {
        cb(new ProviderError({ kind: 'input', message: `The result is larger than the ${formatBytes(opts.maxBytes)} download limit.` }));
        return;
      }
      lastDataAt = Date.now();
      stall.refresh();
      cb(null, chunk);
    },
  });
  // No byte for `stallMs`: give up on this attempt (a transient failure, so it is retried).
  const stall = setTimeout(() => counter.destroy(stalled()), stallMs);
  try {
    await pipeline(stream, counter, createWriteStream(tmp));
    if (Number.isFinite(declared) && bytes !== declared) {
      throw new ProviderError({ kind: 'network', message: `Download was cut short (${bytes} of ${declared} bytes).` });
    }
    if (bytes === 0) throw new ProviderError({ kind: 'malformed', message: 'The result file is empty.' });
    await fs.rename(tmp, dest);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    if (e instanceof ProviderError) throw e;
    if (opts.signal?.aborted) throw new ProviderError({ kind: 'cancelled', message: 'Download cancelled.' });
    // The HTTP client's own idle timeout may cut the stream first.
    if (Date.now() - lastDataAt >= stallMs * 0.9) throw stalled();
    throw new ProviderError({ kind: 'network', message: `Download failed: ${(e as Error).message}.` });
  } finally {
    clearTimeout(stall);
  }
  return { path: dest, bytes, contentType: type };
}
