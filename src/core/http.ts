// JSON over HTTP for provider APIs: the provider's auth headers (bearer by default), timeouts, no
// redirects (a redirect must never carry the key to another host), and every failure turned into a
// ProviderError with a short message.
import * as http from 'http';
import * as https from 'https';
import * as zlib from 'zlib';
import { ErrorKind, ProviderError } from './errors';
import { MAX_PROVIDER_WORD, sanitizeText } from './sanitize';

export interface JsonRequest {
  method: 'GET' | 'POST';
  url: string;
  /** Sent as a bearer token unless `authHeaders` is given; always scrubbed from messages. */
  apiKey: string;
  /** The headers that carry the key, in place of `Authorization: Bearer <apiKey>`. */
  authHeaders?: Record<string, string>;
  /** Used in messages: "Pika rejected the key". */
  providerLabel: string;
  /** Sent as JSON; a FormData body is sent as multipart/form-data. */
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** A create: a lost answer means the task may or may not have started. */
  isCreate?: boolean;
}

export interface JsonResponse {
  status: number;
  json: unknown;
  headers: Record<string, string>;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

export async function requestJson(req: JsonRequest): Promise<JsonResponse> {
  const { body, type } = await encodeBody(req.body);
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Accept-Encoding': 'gzip, deflate, br',
    ...(type ? { 'Content-Type': type } : {}),
    ...(body ? { 'Content-Length': String(body.length) } : {}),
    ...req.headers,
    // Last, so no custom header can replace the provider's auth.
    ...(req.authHeaders ?? { Authorization: `Bearer ${req.apiKey}` }),
  };
  let res: RawResponse;
  try {
    res = await send(req, headers, body);
  } catch (e) {
    throw e instanceof ProviderError ? e : transportError(e, req);
  }
  const text = res.text;
  let json: unknown;
  let parsed = false;
  if (text.trim() !== '') {
    try {
      json = JSON.parse(text);
      parsed = true;
    } catch {
      parsed = false;
    }
  }
  if (res.status >= 200 && res.status < 300) {
    if (!parsed) {
      throw new ProviderError({
        kind: 'malformed',
        status: res.status,
        message: `${req.providerLabel} sent an answer that is not valid JSON (${describeBody(text, res.headers)}).`,
        mayHaveStarted: req.isCreate,
      });
    }
    return { status: res.status, json, headers: res.headers };
  }
  throw statusError(res.status, parsed ? json : undefined, text, res.headers, req);
}

/** The body's bytes and type: JSON, or multipart/form-data (with its boundary) for a FormData. */
async function encodeBody(body: unknown): Promise<{ body?: Buffer; type?: string }> {
  if (body === undefined) return {};
  if (body instanceof FormData) {
    // The platform's own encoder: the boundary it picks is in the type it reports.
    const encoded = new Response(body);
    return { body: Buffer.from(await encoded.arrayBuffer()), type: encoded.headers.get('content-type') ?? undefined };
  }
  return { body: Buffer.from(JSON.stringify(body)), type: 'application/json' };
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

const MAX_ANSWER_BYTES = 20 * 1024 * 1024;

/** One request, no redirect followed (a redirect must never carry the key elsewhere), the answer decoded and capped. */
function send(req: JsonRequest, headers: Record<string, string>, body: Buffer | undefined): Promise<RawResponse> {
  const who = req.providerLabel;
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return Promise.reject(new ProviderError({ kind: 'config', message: `${who}: the base URL is not a valid URL.` }));
  }
  if (req.signal?.aborted) return Promise.reject(cancelled(who));
  return new Promise<RawResponse>((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).request(url, { method: req.method, headers });
    let settled = false;
    const done = (e?: unknown, res?: RawResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      if (e === undefined) return resolve(res!);
      request.destroy();
      reject(e);
    };
    const onAbort = () => done(cancelled(who));
    const timer = setTimeout(() => done(new ProviderError({ kind: 'timeout', message: `${who} did not answer in time.`, mayHaveStarted: req.isCreate })), req.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    req.signal?.addEventListener('abort', onAbort, { once: true });
    request.on('error', (e) => done(e));
    request.on('response', (res) => {
      const stream = decoded(res, res.headers['content-encoding']);
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) done(new ProviderError({ kind: 'malformed', message: `${who} sent an answer over ${MAX_ANSWER_BYTES / 1048576} MB.`, mayHaveStarted: req.isCreate }));
        else chunks.push(chunk);
      });
      stream.on('error', (e) => done(e));
      stream.on('end', () => done(undefined, { status: res.statusCode ?? 0, headers: flattenHeaders(res.headers), text: Buffer.concat(chunks).toString('utf8') }));
    });
    request.end(body);
  });
}

/** The body as sent, decompressed when the server compressed it. */
function decoded(res: http.IncomingMessage, encoding: string | undefined): NodeJS.ReadableStream {
  switch ((encoding ?? '').trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return res.pipe(zlib.createGunzip());
    case 'deflate':
      return res.pipe(zlib.createInflate());
    case 'br':
      return res.pipe(zlib.createBrotliDecompress());
    default:
      return res;
  }
}

function cancelled(who: string): ProviderError {
  return new ProviderError({ kind: 'cancelled', message: `${who}: request cancelled.` });
}

export function statusError(
  status: number,
  json: unknown,
  text: string,
  headers: Record<string, string>,
  req: Pick<JsonRequest, 'providerLabel' | 'apiKey' | 'isCreate'>,
): ProviderError {
  const { message: serverMessage, code } = extractServerError(json);
  const detail = serverMessage ? sanitizeText(serverMessage, [req.apiKey], 300) : describeBody(text, headers);
  const who = req.providerLabel;
  let kind: ErrorKind;
  let message: string;
  if (code === 'task_not_exist') {
    kind = 'notFound';
    message = `${who}: task does not exist (${detail}).`;
  } else if (status === 401) {
    kind = 'auth';
    message = `${who} rejected the API key (HTTP 401): ${detail}. Set a new key.`;
  } else if (status === 402) {
    kind = 'payment';
    message = `${who}: quota or balance exhausted (HTTP 402): ${detail}.`;
  } else if (status === 403) {
    kind = 'forbidden';
    message = `${who}: not permitted (HTTP 403): ${detail}. Check your plan or the model's access.`;
  } else if (status === 404) {
    kind = 'notFound';
    message = `${who}: not found (HTTP 404): ${detail}.`;
  } else if (status === 408) {
    kind = 'timeout';
    message = `${who} timed out (HTTP 408).`;
  } else if (status === 409) {
    kind = 'conflict';
    message = `${who}: conflict (HTTP 409): ${detail}.`;
  } else if (status === 429) {
    kind = 'rateLimited';
    message = `${who} is rate limiting requests (HTTP 429)${detail ? `: ${detail}` : ''}.`;
  } else if (status >= 500) {
    kind = 'server';
    message = `${who} had a server error (HTTP ${status}): ${detail}.`;
  } else if (status >= 400) {
    kind = 'badRequest';
    message = `${who} refused the request (HTTP ${status}): ${detail}.`;
  } else {
    kind = 'malformed';
    message = `${who} answered with unexpected HTTP ${status}.`;
  }
  return new ProviderError({
    kind,
    status,
    message,
    providerCode: code,
    retryAfterMs: parseRetryAfter(headers),
    // A 5xx on a create may still have started the job at the provider.
    mayHaveStarted: req.isCreate && (kind === 'server' || kind === 'timeout'),
  });
}

function extractServerError(json: unknown): { message?: string; code?: string | number } {
  if (!json || typeof json !== 'object') return {};
  const o = json as Record<string, unknown>;
  const err = o.error;
  if (err && typeof err === 'object') {
    const e = err as Record<string, unknown>;
    return {
      message: typeof e.message === 'string' ? e.message : undefined,
      code: typeof e.code === 'string' || typeof e.code === 'number' ? e.code : undefined,
    };
  }
  if (typeof err === 'string') return { message: err };
  return {
    message: typeof o.message === 'string' ? o.message : typeof o.msg === 'string' ? o.msg : undefined,
    code: typeof o.code === 'string' || typeof o.code === 'number' ? o.code : undefined,
  };
}

function describeBody(text: string, headers: Record<string, string>): string {
  const type = sanitizeText(headers['content-type']?.split(';')[0] ?? 'no content type', [], MAX_PROVIDER_WORD);
  if (text.trim() === '') return 'empty body';
  return `${type}, ${text.length} bytes`;
}

function transportError(e: unknown, req: JsonRequest): ProviderError {
  const who = req.providerLabel;
  const code = (e as NodeJS.ErrnoException).code ?? '';
  if (code === 'ETIMEDOUT') return new ProviderError({ kind: 'timeout', message: `${who} did not answer in time.`, mayHaveStarted: req.isCreate });
  if (code === 'ERR_INVALID_URL' || code === 'ERR_INVALID_HTTP_TOKEN' || code === 'ERR_INVALID_CHAR' || code === 'ERR_INVALID_PROTOCOL') {
    return new ProviderError({ kind: 'config', message: `${who}: the base URL or a header is not valid (${code}).` });
  }
  if (code.startsWith('Z_') || code.startsWith('ERR__')) {
    return new ProviderError({ kind: 'malformed', message: `${who} sent a compressed answer that could not be read.`, mayHaveStarted: req.isCreate });
  }
  // Refused or unresolvable: the request never reached the provider.
  const neverSent = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ENETUNREACH';
  return new ProviderError({
    kind: 'network',
    message: neverSent
      ? `Cannot reach ${who} (${code}). Check the network or the base URL.`
      : `Connection to ${who} failed (${code || 'network error'}).`,
    mayHaveStarted: req.isCreate && !neverSent,
  });
}

function flattenHeaders(h: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) {
    if (v === undefined || v === null) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}

/** `retry-after-ms`, then `Retry-After` as seconds or an HTTP date. Capped at one hour. */
export function parseRetryAfter(headers: Record<string, string>, now = Date.now()): number | undefined {
  const cap = 3600_000;
  const ms = headers['retry-after-ms'];
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.min(cap, Math.round(Number(ms)));
  const ra = headers['retry-after'];
  if (ra === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(ra.trim())) return Math.min(cap, Math.round(Number(ra) * 1000));
  const date = Date.parse(ra);
  if (!Number.isNaN(date)) return Math.min(cap, Math.max(0, date - now));
  return undefined;
}

/** Joins a base URL and a path, refusing anything but http(s). */
export function joinUrl(baseUrl: string, path: string): string {
  let u: URL;
  try {
    u = new URL(baseUrl);
  } catch {
    throw new ProviderError({ kind: 'config', message: `"${baseUrl}" is not a valid base URL.` });
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new ProviderError({ kind: 'config', message: `Base URL must use https (got ${u.protocol}).` });
  }
  return baseUrl.replace(/\/+$/, '') + path;
}
