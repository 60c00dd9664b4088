// Downloads a finished result: http(s) only, to a host the network rules allow (addressGuard.ts,
// checked again at every redirect), with the API key only on the first request of a result the
// provider serves itself (never on a redirect hop), streamed with backpressure to a temp file
// that is renamed into place once its first bytes proved it is a video (or image; an MP4's first
// boxes are walked, so a real header in front of a web page is no video) and it arrived whole. A
// size cap, a stall timeout and an overall deadline bound what a server can make it do; transient
// failures are retried within the deadline, a bad file never is. Names from a server
// never escape the target folder. Each GET is httpGet.ts (one connection to the checked addresses,
// `Accept-Encoding: identity`, redirects followed here), not axios: see its header for why.
import { randomBytes } from 'crypto';
import { promises as fs } from 'fs';
import * as path from 'path';
import { setTimeout as sleep } from 'timers/promises';
import * as l10n from '@vscode/l10n';

import { ProviderError } from '../model/errors';
import { detectImageType, detectVideoType } from '../request/media';
import { checkTarget, NetPolicy, Resolver, systemResolver } from './addressGuard';
import { GetResponse, httpGet } from './httpGet';

export interface DownloadOptions extends NetPolicy {
  maxBytes: number;
  /** What the file must be, judged by its first bytes (default 'video'). */
  expect?: 'video' | 'image';
  /** The whole download, every attempt and redirect included (default 10 min). */
  deadlineMs?: number;
  /** Longest wait for an answer or for the next bytes (default 30 s). */
  stallMs?: number;
  /** Attempts in all, for transient failures. */
  attempts?: number;
  retryDelayMs?: number;
  maxRedirects?: number;
  signal?: AbortSignal;
  /** Name resolution (default: the system's); tests pass their own. */
  resolve?: Resolver;
  /** Certificates to trust for https instead of the usual roots (tests). */
  ca?: string;
  /**
   * For a result on the provider's own API: the headers that carry the key, asked for when the first
   * request of an attempt is sent. No redirect hop gets them, not even one to the same origin.
   */
  authHeaders?: () => Promise<Record<string, string>>;
  /** When the provider deletes the result, epoch ms: no download is tried after it. */
  expiresAt?: number;
  /** How long the provider (`by`) keeps results after a job finishes: a result that is gone says when it finished. */
  expiry?: { keptForMs: number; by: string };
  /** The clock `expiresAt` is compared with (default Date.now). */
  now?: () => number;
}

/** What the user's settings (and tests) decide for every download the engine makes. */
export type DownloadSettings = Pick<DownloadOptions, 'allowPrivateHosts' | 'allowInsecureHttp' | 'deadlineMs' | 'stallMs'>;

export interface DownloadResult {
  path: string;
  bytes: number;
  contentType: string;
}

export const DEFAULT_DEADLINE_MS = 10 * 60_000;
export const DEFAULT_STALL_MS = 30_000;
const DEFAULT_REDIRECTS = 5;
/** What is read before anything is written: every signature (WebP needs 12), and room to walk the first MP4 boxes. */
const HEAD_BYTES = 4096;
/** The largest plausible ftyp box: 16 bytes and its compatible brands, four bytes each. */
const MAX_FTYP_BYTES = 1024;
/** Top-level ISO-BMFF box types an MP4 file is made of (after its ftyp), in any order. */
const TOP_LEVEL_BOXES = new Set([
  ...['moov', 'mdat', 'free', 'skip', 'wide', 'uuid', 'styp', 'sidx', 'ssix'],
  ...['moof', 'mfra', 'pdin', 'meta', 'prft', 'emsg', 'meco', 'bloc'],
]);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

const ACCEPTED_TYPES = {
  video: /^(video\/|application\/octet-stream|binary\/octet-stream|application\/mp4)/i,
  // Raster images only: an SVG poster could carry script.
  image: /^(image\/(jpeg|png|webp)|application\/octet-stream|binary\/octet-stream)/i,
};

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / 1048576).toFixed(1)} MB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KB`;
  return `${n} bytes`;
}

function formatDuration(ms: number): string {
  if (ms >= 60_000) return `${+(ms / 60_000).toFixed(1)} min`;
  return ms >= 1000 ? `${+(ms / 1000).toFixed(1)} s` : `${ms} ms`;
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
  if (!target.startsWith(root)) throw new ProviderError({ kind: 'input', message: l10n.t('Refusing to write outside {0}.', dir) });
  return target;
}

/** The name a result is saved under: the URL's last path segment, decoded when it can be, made safe, with a video extension. */
export function resultFileName(url: string): string {
  let segment = '';
  try {
    segment = new URL(url).pathname.split('/').pop() ?? '';
  } catch {
    // downloadToFile refuses the URL with a clear message.
  }
  let decoded = segment;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    // Bad percent-encoding: the raw text is as good a name.
  }
  const name = safeFileName(decoded, 'video.mp4');
  return /\.(mp4|webm|mov)$/i.test(name) ? name : `${name}.mp4`;
}

/** The message for a result past its expiry time: when its job finished and how long the provider keeps results, where known. */
export function expiredMessage(expiresAt: number, expiry?: DownloadOptions['expiry']): string {
  if (expiry) return goneMessage(expiresAt, expiry);
  return l10n.t(
    'This result expired at {0} UTC; it can no longer be downloaded.',
    new Date(expiresAt).toISOString().replace('T', ' ').slice(0, 16),
  );
}

const utcMinute = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16);

function goneMessage(expiresAt: number, expiry: NonNullable<DownloadOptions['expiry']>): string {
  const hours = expiry.keptForMs / 3_600_000;
  const kept =
    hours === 1
      ? l10n.t('one hour')
      : Number.isInteger(hours)
        ? l10n.t('{0} hours', hours)
        : l10n.t('{0} minutes', Math.round(expiry.keptForMs / 60_000));
  return l10n.t(
    'The video is gone: {0} keeps results for {1} after a job finishes, and this one finished at {2} UTC. It can no longer be downloaded.',
    expiry.by,
    kept,
    utcMinute(expiresAt - expiry.keptForMs),
  );
}

function expired(opts: DownloadOptions): boolean {
  return opts.expiresAt !== undefined && (opts.now ?? Date.now)() >= opts.expiresAt;
}

export async function downloadToFile(url: string, dest: string, opts: DownloadOptions): Promise<DownloadResult> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ProviderError({ kind: 'malformed', message: l10n.t('The result URL is not a valid URL.') });
  }
  if (expired(opts)) throw new ProviderError({ kind: 'notFound', message: expiredMessage(opts.expiresAt!, opts.expiry) });
  const deadlineMs = opts.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const attempts = Math.max(1, opts.attempts ?? 3);
  // One signal for the whole download: the caller's cancel, or the deadline (the abort reason says which).
  const ctrl = new AbortController();
  const deadline = setTimeout(
    () =>
      ctrl.abort(
        new ProviderError({
          kind: 'timeout',
          message: l10n.t('The download took longer than {0} and was stopped.', formatDuration(deadlineMs)),
        }),
      ),
    deadlineMs,
  );
  const cancel = () => ctrl.abort(new ProviderError({ kind: 'cancelled', message: l10n.t('Download cancelled.') }));
  if (opts.signal?.aborted) cancel();
  else opts.signal?.addEventListener('abort', cancel, { once: true });
  try {
    for (let i = 0; ; i++) {
      try {
        if (i > 0) await sleep((opts.retryDelayMs ?? 1000) * 2 ** (i - 1), undefined, { signal: ctrl.signal });
        return await downloadOnce(parsed, dest, opts, ctrl.signal);
      } catch (e) {
        if (ctrl.signal.aborted) throw ctrl.signal.reason;
        if (!isTransient(e) || i + 1 >= attempts) throw e;
      }
    }
  } finally {
    clearTimeout(deadline);
    opts.signal?.removeEventListener('abort', cancel);
  }
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

/** Rejects with the abort reason as soon as `signal` aborts (a DNS lookup cannot be cancelled itself). */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function stalled(stallMs: number): ProviderError {
  return new ProviderError({ kind: 'timeout', message: l10n.t('Download stalled (no data for {0}).', formatDuration(stallMs)) });
}

/** Follows redirects by hand so every hop passes checkTarget before it is connected to. */
async function downloadOnce(start: URL, dest: string, opts: DownloadOptions, signal: AbortSignal): Promise<DownloadResult> {
  const stallMs = opts.stallMs ?? DEFAULT_STALL_MS;
  const maxRedirects = opts.maxRedirects ?? DEFAULT_REDIRECTS;
  let url = start;
  for (let redirects = 0; ; redirects++) {
    const addresses = await abortable(checkTarget(url, opts, opts.resolve ?? systemResolver), signal);
    const auth = redirects === 0 && opts.authHeaders ? await abortable(opts.authHeaders(), signal) : {};
    const res = await httpGet({
      url,
      addresses,
      headers: { Accept: 'video/*, image/*;q=0.8, application/octet-stream;q=0.5', 'Accept-Encoding': 'identity', ...auth },
      signal,
      stallMs,
      onStall: () => stalled(stallMs),
      ca: opts.ca,
    });
    const location = res.headers.location;
    if (!REDIRECT_STATUSES.has(res.status) || !location) return save(res, dest, opts, redirects === 0 && opts.authHeaders !== undefined);
    res.discard();
    if (redirects >= maxRedirects) {
      throw new ProviderError({ kind: 'malformed', message: l10n.t('The result URL redirected more than {0} times.', maxRedirects) });
    }
    try {
      url = new URL(location, url);
    } catch {
      throw new ProviderError({ kind: 'malformed', message: l10n.t('The result URL redirected to an invalid URL.') });
    }
  }
}

/**
 * Why an MP4 head (the first bytes, maybe the whole file) is not an MP4 file, or undefined: the ftyp box
 * must have a size its brands can fill, and each top-level box found after it in the head a sane size
 * and a known type (an expired-link page behind a real MP4 header fails here). Boxes past the head
 * and boxes running past the end are not judged: a cut-short file is told by its length.
 */
function mp4Problem(head: Buffer): string | undefined {
  const ftyp = head.readUInt32BE(0);
  if (ftyp < 16 || ftyp > MAX_FTYP_BYTES || (ftyp - 16) % 4 !== 0) {
    return l10n.t('it has an MP4 header but is not an MP4 file ({0} at byte {1})', l10n.t('a header box of {0} bytes', ftyp), 0);
  }
  for (let at = ftyp; at + 8 <= head.length;) {
    const size = head.readUInt32BE(at);
    const type = head.toString('latin1', at + 4, at + 8);
    // A box of size 1 gives its size in the next 8 bytes; one of size 0 runs to the end of the file.
    const large = size === 1 && at + 16 <= head.length ? Number(head.readBigUInt64BE(at + 8)) : undefined;
    let what: string | undefined;
    if (!TOP_LEVEL_BOXES.has(type)) {
      if (head.toString('latin1', at).trimStart().startsWith('<')) {
        return l10n.t('it has an MP4 header followed by a web page (often an expired link or a sign-in page)');
      }
      what = l10n.t('an unknown box "{0}"', type.replace(/[^A-Za-z0-9]/g, '?'));
    } else if ((size > 1 && size < 8) || (large !== undefined && large < 16)) {
      what = l10n.t('a box of {0} bytes', large ?? size);
    }
    if (what) return l10n.t('it has an MP4 header but is not an MP4 file ({0} at byte {1})', what, at);
    if (size === 0 || (size === 1 && large === undefined)) return undefined;
    at += large ?? size;
  }
  return undefined;
}

/** Why the first bytes are not what was asked for, or undefined when they are. */
function contentProblem(head: Buffer, expect: 'video' | 'image'): ProviderError | undefined {
  const type = expect === 'image' ? detectImageType(head) : detectVideoType(head);
  // MOV and WebM are judged by their signature alone.
  const mp4 = type === 'video/mp4' ? mp4Problem(head) : undefined;
  if (type && !mp4) return undefined;
  const text = head.toString('latin1').trimStart();
  const looks = mp4
    ? mp4
    : text.startsWith('<')
      ? l10n.t('it is a web page (often an expired link or a sign-in page)')
      : text.startsWith('{') || text.startsWith('[')
        ? l10n.t('it is JSON text')
        : head[0] === 0x1f && head[1] === 0x8b
          ? l10n.t('it is gzip-compressed data')
          : expect === 'image'
            ? l10n.t('its content is not PNG, JPEG or WebP')
            : l10n.t('its content is not MP4, MOV or WebM');
  const message =
    expect === 'image'
      ? l10n.t('The result is not an image: {0}. Nothing was saved.', looks)
      : l10n.t('The result is not a video: {0}. Nothing was saved.', looks);
  return new ProviderError({ kind: 'malformed', message });
}

/** Writes all of `chunk` at the file's current end. */
async function writeAll(file: fs.FileHandle, chunk: Buffer): Promise<void> {
  for (let done = 0; done < chunk.length;) done += (await file.write(chunk, done, chunk.length - done)).bytesWritten;
}

async function save(res: GetResponse, dest: string, opts: DownloadOptions, withKey: boolean): Promise<DownloadResult> {
  const { status } = res;
  const expect = opts.expect ?? 'video';
  const type = res.headers['content-type'] ?? '';
  const encoding = (res.headers['content-encoding'] ?? '').trim().toLowerCase();
  const declared = Number(res.headers['content-length'] ?? NaN);
  const fail = (e: ProviderError): never => {
    res.discard();
    throw e;
  };
  if (status === 404 || status === 410) {
    fail(
      new ProviderError({
        kind: 'notFound',
        status,
        message:
          expired(opts) || (opts.expiry && opts.expiresAt !== undefined)
            ? expiredMessage(opts.expiresAt!, opts.expiry)
            : l10n.t('The result file is gone (HTTP {0}); result links expire.', status),
      }),
    );
  }
  if (status >= 500 || status === 429 || status === 408) {
    fail(new ProviderError({ kind: 'server', status, message: l10n.t('Download failed (HTTP {0}).', status) }));
  }
  if ((status === 401 || status === 403) && withKey) {
    fail(new ProviderError({ kind: 'auth', status, message: l10n.t('The provider refused the key for this result (HTTP {0}).', status) }));
  }
  if (status < 200 || status >= 300) {
    fail(new ProviderError({ kind: 'badRequest', status, message: l10n.t('Download refused (HTTP {0}).', status) }));
  }
  if (encoding && encoding !== 'identity') {
    fail(
      new ProviderError({
        kind: 'malformed',
        message: l10n.t(
          'The server sent the result {0}-encoded although an unencoded file was asked for. Nothing was saved.',
          encoding.replace(/[^a-z0-9, -]/g, '').slice(0, 40),
        ),
      }),
    );
  }
  if (type && !ACCEPTED_TYPES[expect].test(type)) {
    const shown = type.split(';')[0];
    fail(
      new ProviderError({
        kind: 'malformed',
        message:
          expect === 'image'
            ? l10n.t('The result is not an image (content type {0}).', shown)
            : l10n.t('The result is not a video (content type {0}).', shown),
      }),
    );
  }
  if (Number.isFinite(declared) && declared > opts.maxBytes) {
    fail(
      new ProviderError({
        kind: 'input',
        message: l10n.t('The result is {0}, over the {1} download limit.', formatBytes(declared), formatBytes(opts.maxBytes)),
      }),
    );
  }
  const tmp = `${dest}.${randomBytes(4).toString('hex')}.part`;
  let file: fs.FileHandle | undefined;
  let bytes = 0;
  // The first bytes, copied, until there are enough to check the signature; undefined once checked.
  let head: Buffer | undefined = Buffer.alloc(0);
  const checkHead = async (): Promise<void> => {
    const problem = head!.length ? contentProblem(head!, expect) : undefined;
    if (problem) throw problem;
    if (head!.length) await writeAll(file!, head!);
    head = undefined;
  };
  try {
    await fs.mkdir(path.dirname(dest), { recursive: true });
    file = await fs.open(tmp, 'w');
    await res.readBody(async (chunk) => {
      bytes += chunk.length;
      if (bytes > opts.maxBytes) {
        throw new ProviderError({
          kind: 'input',
          message: l10n.t('The result is larger than the {0} download limit.', formatBytes(opts.maxBytes)),
        });
      }
      if (head) {
        const take = Math.min(HEAD_BYTES - head.length, chunk.length);
        head = Buffer.concat([head, chunk.subarray(0, take)]);
        if (head.length < HEAD_BYTES) return;
        await checkHead();
        chunk = chunk.subarray(take);
      }
      await writeAll(file!, chunk);
    });
    if (head) await checkHead();
    await file.close();
    file = undefined;
    if (Number.isFinite(declared) && bytes !== declared) {
      throw new ProviderError({ kind: 'network', message: l10n.t('Download was cut short ({0} of {1} bytes).', bytes, declared) });
    }
    if (bytes === 0) throw new ProviderError({ kind: 'malformed', message: l10n.t('The result file is empty.') });
    await fs.rename(tmp, dest);
  } catch (e) {
    res.discard();
    await file?.close().catch(() => undefined);
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    if (e instanceof ProviderError) throw e;
    throw new ProviderError({
      kind: 'input',
      message: l10n.t('Could not save the result ({0}).', (e as NodeJS.ErrnoException).code ?? (e as Error).message),
    });
  }
  return { path: dest, bytes, contentType: type };
}
