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
}

export interface DownloadResult {
  path: string;
  bytes: number;
  contentType: string;
}

const ACCEPTED_TYPES = /^(video\/|application\/octet-stream|binary\/octet-stream|application\/mp4)/i;

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
    try {
      return await downloadOnce(parsed.toString(), dest, opts);
    } catch (e) {
      last = e;
      if (!(e instanceof ProviderError) || !e.retryable) break;
    }
  }
  throw last;
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
      headers: { Accept: 'video/*, application/octet-stream;q=0.9' },
      decompress: false,
    });
  } catch (e) {
    const code = (e as { code?: string }).code;
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
  if (type && !ACCEPTED_TYPES.test(type)) fail(new ProviderError({ kind: 'malformed', message: `The result is not a video (content type ${type.split(';')[0]}).` }));
  if (Number.isFinite(declared) && declared > opts.maxBytes) {
    fail(new ProviderError({ kind: 'input', message: `The result is ${(declared / 1048576).toFixed(0)} MB, over the ${(opts.maxBytes / 1048576).toFixed(0)} MB download limit.` }));
  }
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      if (bytes > opts.maxBytes) {
        cb(new ProviderError({ kind: 'input', message: `The result is larger than the ${(opts.maxBytes / 1048576).toFixed(0)} MB download limit.` }));
      } else cb(null, chunk);
    },
  });
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
    throw new ProviderError({ kind: 'network', message: `Download failed: ${(e as Error).message}.` });
  }
  return { path: dest, bytes, contentType: type };
}
