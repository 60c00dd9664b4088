// JSON over HTTP for provider APIs, sent by axios (its Node adapter): the provider's auth headers
// (bearer by default), no redirects (a redirect must never carry the key to another host), answers
// decompressed and capped at 20 MB, and every failure turned into a ProviderError with a short message.
// In the extension, requests go without axios's own proxy handling (leaveProxiesToHost), so VS Code's
// proxy support applies; elsewhere (tests, the emulator CLI, the bench) axios reads the proxy variables.
//
// What stays hand-written is policy, and what axios cannot give:
// - Whether a failed create can have reached the provider, decided exactly: a request whose body was
//   not fully handed to an established connection never arrived (the connection, DNS, TLS or the
//   upload failed first), nor did one answered with a 4xx; a timeout or a broken connection after
//   the body was sent, or a 5xx, leaves the outcome unknown. axios does not say how far a request
//   got, so `observed` (the `transport` handed to axios) is Node's http(s).request with the
//   connection and "request finished" events watched.
// - The time limits: the limit covers the wait for the answer after the body was sent; while the
//   body is being sent, only a stall (no progress for that long) stops it, so a large upload on a
//   slow line is never cut off for being large. axios's `timeout` runs from the start of the request,
//   so the timers are ours and stop axios through its `signal`.
// - "Sent" is Node's `finish`: the kernel took the last byte, which may be megabytes before the server
//   has it (a body smaller than the socket buffers is "sent" at once, however slow the line). So the
//   wait for the answer is the limit plus the time those buffered bytes can take to drain:
//   min(body, 8 MB) / the upload rate. The rate is what the upload proved: the bytes beyond the 8 MB
//   the buffers can hold certainly left during the handover; when that proves less than 32 KB/s (any
//   body under 8 MB), 32 KB/s (a poor mobile uplink) is assumed. A silent server is then reported
//   late, never a slow line as a lost answer. A reset after `finish` is an unknown outcome: the body
//   may still have been on its way, or it may have arrived whole.
// - Upload progress: the body is handed to axios as a stream of 64 KB chunks that reports each one
//   (and restarts the stall timer). axios's own `onUploadProgress` is throttled to three events a
//   second, too coarse for the stall timer and the progress the tests and the UI expect.
// Header values are checked before axios sees them: axios silently strips characters it cannot
// send (a line break in a key would change the key), and such a request is refused instead.
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import { Readable } from 'stream';
import * as tls from 'tls';
import * as l10n from '@vscode/l10n';
import axios, { AxiosError, isAxiosError, type AxiosResponse } from 'axios';

import { ErrorKind, ProviderError } from '../model/errors';
import { clip, MAX_PROVIDER_WORD, sanitizeText } from './sanitize';

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
  /** How long to wait for the answer once the request can have arrived (drainAllowanceMs), and the longest stall while sending it. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** A create: a lost answer means the task may or may not have started. */
  isCreate?: boolean;
  /** Bytes of the body handed to the connection so far, while it is being sent. */
  onUploadProgress?(sent: number, total: number): void;
  /** Stops the request only while its body is still being sent (it then certainly never arrived). */
  uploadSignal?: AbortSignal;
}

export interface JsonResponse {
  status: number;
  json: unknown;
  headers: Record<string, string>;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
const UPLOAD_CHUNK = 64 * 1024;
const MAX_ANSWER_BYTES = 20 * 1024 * 1024;
/** At most this much of a "sent" body is still in the socket buffers on the way (both ends together). */
const MAX_IN_FLIGHT = 8 * 1024 * 1024;
/** Bytes per second assumed for the upload when the upload itself proves no faster rate (256 kbit/s). */
const SLOWEST_UPLINK = 32 * 1024;

/**
 * How long the bytes of a "sent" body can still take to reach the server: min(body, 8 MB) at the rate
 * the handover proved (what exceeded the buffers left this machine within `handoverMs`), at least
 * SLOWEST_UPLINK. A conservative bound: an allowance too long only makes a silent server's timeout late.
 */
export function drainAllowanceMs(bodyBytes: number, handoverMs: number): number {
  const inFlight = Math.min(bodyBytes, MAX_IN_FLIGHT);
  const proven = handoverMs > 0 ? (bodyBytes - inFlight) / (handoverMs / 1000) : 0;
  return Math.ceil((inFlight / Math.max(SLOWEST_UPLINK, proven)) * 1000);
}

/** The axios instance every provider request goes through: Node adapter, no redirect (a 3xx is answered as it is), every status answered. */
const client = axios.create({
  adapter: 'http',
  maxRedirects: 0,
  maxContentLength: MAX_ANSWER_BYTES,
  decompress: true,
  responseType: 'arraybuffer',
  validateStatus: () => true,
  // Bodies are encoded here (their size and progress are known) and answers parsed here (a bad one is described).
  transformRequest: [(data: unknown) => data],
  transformResponse: [(data: unknown) => data],
});

/** Called by the extension: requests ignore proxy variables, and VS Code's own proxy support applies. */
export function leaveProxiesToHost(): void {
  client.defaults.proxy = false;
}

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
  const res = await send(req, headers, body);
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
        message: l10n.t('{0} sent an answer that is not valid JSON ({1}).', req.providerLabel, describeBody(text, res.headers)),
        mayHaveStarted: req.isCreate,
      });
    }
    return { status: res.status, json, headers: res.headers };
  }
  throw statusError(res.status, parsed ? json : undefined, text, res.headers, req);
}

/** The body's bytes and type: JSON, or multipart/form-data (with its boundary) for a FormData, so its size is known. */
async function encodeBody(body: unknown): Promise<{ body?: Buffer; type?: string }> {
  if (body === undefined) return {};
  if (body instanceof FormData) {
    // The platform's own encoder: the boundary it picks is in the type it reports.
    const encoded = new Response(body);
    return { body: Buffer.from(await encoded.arrayBuffer()), type: encoded.headers.get('content-type') ?? undefined };
  }
  return { body: Buffer.from(JSON.stringify(body)), type: 'application/json' };
}

/** The body as a stream, so progress is known chunk by chunk as the connection takes it. */
function bodyStream(body: Buffer, progress: (sent: number) => void): Readable {
  let offset = 0;
  return new Readable({
    read() {
      if (offset >= body.length) {
        this.push(null);
        return;
      }
      const chunk = body.subarray(offset, offset + UPLOAD_CHUNK);
      offset += chunk.length;
      progress(offset);
      this.push(chunk);
    },
  });
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** How far one request got, as Node's http client reports it to `observed`. */
interface Progress {
  /** The connection is established (for https, after the TLS handshake). */
  connected: boolean;
  /** The whole request, body included, was handed to the connection. */
  flushed: boolean;
}

/**
 * The `transport` axios sends through: Node's http(s).request, with the connection and the end of the
 * request reported, and the answer's arrival. (A request may be "finished" into a socket that never connects.)
 */
function observed(onProgress: (p: Progress) => void, onAnswer: () => void) {
  const p: Progress = { connected: false, flushed: false };
  return {
    request(options: http.RequestOptions, callback: (res: http.IncomingMessage) => void): http.ClientRequest {
      const https_ = /^https:?$/.test(options.protocol ?? '');
      const request = (https_ ? https : http).request(options, (res) => {
        onAnswer();
        callback(res);
      });
      request.once('socket', (socket: net.Socket) => {
        const established = () => {
          p.connected = true;
          onProgress(p);
        };
        // A socket reused from the agent's pool is established already.
        if (!socket.connecting) established();
        else socket.once(socket instanceof tls.TLSSocket ? 'secureConnect' : 'connect', established);
      });
      request.once('finish', () => {
        p.flushed = true;
        onProgress(p);
      });
      return request;
    },
  };
}

/** A header name or value Node would refuse, or axios would quietly alter: the request is not sent. */
function checkHeaders(headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) {
    http.validateHeaderName(name);
    http.validateHeaderValue(name, value);
    // Node accepts any latin-1 text; axios would strip what is not a byte.
    if (/[^\t\x20-\x7e\x80-\xff]/.test(value)) throw Object.assign(new Error('Invalid header value'), { code: 'ERR_INVALID_CHAR' });
  }
}

/**
 * One request through axios, no redirect followed (a redirect must never carry the key elsewhere),
 * the answer decoded and capped. Rejects with a ProviderError.
 */
async function send(req: JsonRequest, headers: Record<string, string>, body: Buffer | undefined): Promise<RawResponse> {
  const who = req.providerLabel;
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    throw new ProviderError({ kind: 'config', message: l10n.t('{0}: the base URL is not a valid URL.', who) });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ProviderError({ kind: 'config', message: l10n.t('{0}: the base URL is not a valid URL.', who) });
  }
  try {
    checkHeaders(headers);
  } catch (e) {
    throw transportError(e, req, false);
  }
  if (req.signal?.aborted) throw new ProviderError({ kind: 'cancelled', message: l10n.t('{0}: request cancelled.', who) });
  const limitMs = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // Sent: the whole body was handed to a connection that is established.
  let bodySent = false;
  /** Why we stopped the request; axios then rejects with a cancellation, and this is what is thrown. */
  let stopped: ProviderError | undefined;
  const stop = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const end = (e: ProviderError) => {
    if (stopped) return;
    stopped = e;
    clearTimeout(timer);
    stop.abort();
  };
  /** (Re)starts the timer that ends the request with `error`. */
  const stopAfter = (error: () => ProviderError, ms = limitMs) => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => end(error()), ms);
  };
  const stalled = () =>
    new ProviderError({ kind: 'timeout', message: l10n.t('{0} did not take the request in time; it was not sent.', who) });
  const noAnswer = () =>
    new ProviderError({ kind: 'timeout', message: l10n.t('{0} did not answer in time.', who), mayHaveStarted: req.isCreate });
  const onCancel = () =>
    end(
      new ProviderError({
        kind: 'cancelled',
        message: l10n.t('{0}: request cancelled.', who),
        mayHaveStarted: req.isCreate === true && bodySent,
      }),
    );
  const onUploadCancel = () => {
    if (!bodySent) {
      end(
        new ProviderError({
          kind: 'cancelled',
          message: l10n.t('{0}: cancelled while the request was being sent; it did not arrive, so nothing was started.', who),
        }),
      );
    }
  };
  // When the connection was established: the body can only start to drain from then on.
  let connectedAt: number | undefined;
  const transport = observed(
    (p) => {
      if (p.connected) connectedAt ??= Date.now();
      if (!p.connected || !p.flushed || bodySent) return;
      bodySent = true;
      // The answer can only come once the body drained from the buffers to the server.
      stopAfter(noAnswer, limitMs + drainAllowanceMs(body?.length ?? 0, Date.now() - (connectedAt ?? Date.now())));
    },
    () => {
      // Answered before the body was all sent: what is left is the wait for the answer.
      if (!bodySent) stopAfter(noAnswer);
    },
  );
  req.signal?.addEventListener('abort', onCancel, { once: true });
  req.uploadSignal?.addEventListener('abort', onUploadCancel);
  stopAfter(stalled);
  if (req.uploadSignal?.aborted) onUploadCancel();
  const data = body
    ? bodyStream(body, (n) => {
        if (stopped) return;
        stopAfter(stalled);
        req.onUploadProgress?.(n, body.length);
      })
    : undefined;
  let res: AxiosResponse<Buffer>;
  try {
    if (stopped) throw stopped;
    res = await client.request<Buffer>({ url: url.href, method: req.method, headers, data, transport, signal: stop.signal });
  } catch (e) {
    throw stopped ?? (e instanceof ProviderError ? e : transportError(e, req, bodySent));
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener('abort', onCancel);
    req.uploadSignal?.removeEventListener('abort', onUploadCancel);
  }
  if (stopped) throw stopped;
  return { status: res.status, headers: flattenHeaders(res.headers), text: Buffer.from(res.data ?? []).toString('utf8') };
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
    message = l10n.t('{0}: task does not exist ({1}).', who, detail);
  } else if (status === 401) {
    kind = 'auth';
    message = l10n.t('{0} rejected the API key (HTTP 401): {1}. Set a new key.', who, detail);
  } else if (status === 402) {
    kind = 'payment';
    message = l10n.t('{0}: quota or balance exhausted (HTTP 402): {1}.', who, detail);
  } else if (status === 403) {
    kind = 'forbidden';
    message = l10n.t("{0}: not permitted (HTTP 403): {1}. Check your plan or the model's access.", who, detail);
  } else if (status === 404) {
    kind = 'notFound';
    message = l10n.t('{0}: not found (HTTP 404): {1}.', who, detail);
  } else if (status === 408) {
    kind = 'timeout';
    message = l10n.t('{0} timed out (HTTP 408).', who);
  } else if (status === 409) {
    kind = 'conflict';
    message = l10n.t('{0}: conflict (HTTP 409): {1}.', who, detail);
  } else if (status === 429) {
    kind = 'rateLimited';
    message = detail
      ? l10n.t('{0} is rate limiting requests (HTTP 429): {1}.', who, detail)
      : l10n.t('{0} is rate limiting requests (HTTP 429).', who);
  } else if (status >= 500) {
    kind = 'server';
    message = l10n.t('{0} had a server error (HTTP {1}): {2}.', who, status, detail);
  } else if (status >= 400) {
    kind = 'badRequest';
    message = l10n.t('{0} refused the request (HTTP {1}): {2}.', who, status, detail);
  } else {
    kind = 'malformed';
    message = l10n.t('{0} answered with unexpected HTTP {1}.', who, status);
  }
  return new ProviderError({
    kind,
    status,
    message,
    providerCode: code,
    retryAfterMs: parseRetryAfter(headers),
    // A 4xx (429 and 408 included) refused the request; after a 5xx the job may still have started.
    mayHaveStarted: req.isCreate === true && status >= 500,
  });
}

function extractServerError(json: unknown): { message?: string; code?: string | number } {
  if (!json || typeof json !== 'object') return {};
  // Read at most a few KB of a server's message, however long it is: it is cut again when shown.
  const text = (v: unknown) => (typeof v === 'string' ? clip(v) : undefined);
  const o = json as Record<string, unknown>;
  const err = o.error;
  if (err && typeof err === 'object') {
    const e = err as Record<string, unknown>;
    return {
      message: text(e.message),
      code: typeof e.code === 'string' || typeof e.code === 'number' ? e.code : undefined,
    };
  }
  if (typeof err === 'string') return { message: clip(err) };
  return {
    // `detail`: Replicate's (and FastAPI's) error text.
    message: text(o.message) ?? text(o.msg) ?? text(o.detail),
    code: typeof o.code === 'string' || typeof o.code === 'number' ? o.code : undefined,
  };
}

function describeBody(text: string, headers: Record<string, string>): string {
  const type = sanitizeText(headers['content-type']?.split(';')[0] ?? 'no content type', [], MAX_PROVIDER_WORD);
  if (text.trim() === '') return 'empty body';
  return `${type}, ${text.length} bytes`;
}

/** Connection failures that happen before anything is sent: the provider never saw the request. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

function transportError(e: unknown, req: JsonRequest, bodySent: boolean): ProviderError {
  const who = req.providerLabel;
  // After the body was sent, any failure leaves a create's outcome unknown; before, it never arrived.
  const mayHaveStarted = req.isCreate === true && bodySent;
  // axios passes Node's code on (ECONNREFUSED, Z_DATA_ERROR…); its own failures keep their cause.
  const cause = isAxiosError(e) ? (e.cause as NodeJS.ErrnoException | undefined) : undefined;
  if (isAxiosError(e) && e.code === AxiosError.ERR_BAD_RESPONSE && /maxContentLength/.test(e.message)) {
    return new ProviderError({
      kind: 'malformed',
      message: l10n.t('{0} sent an answer over {1} MB.', who, MAX_ANSWER_BYTES / 1048576),
      mayHaveStarted: req.isCreate,
    });
  }
  const code = cause?.code ?? (e as NodeJS.ErrnoException).code ?? '';
  if (code === 'ETIMEDOUT') {
    return new ProviderError({ kind: 'timeout', message: l10n.t('{0} did not answer in time.', who), mayHaveStarted });
  }
  if (code === 'ERR_INVALID_URL' || code === 'ERR_INVALID_PROTOCOL') {
    return new ProviderError({ kind: 'config', message: l10n.t('{0}: the base URL is not a valid URL.', who) });
  }
  if (code === 'ERR_INVALID_CHAR' || code === 'ERR_INVALID_HTTP_TOKEN' || code === 'ERR_HTTP_INVALID_HEADER_VALUE') {
    return new ProviderError({ kind: 'config', message: l10n.t('{0}: a request header contains characters that cannot be sent.', who) });
  }
  if (code.startsWith('Z_') || code.startsWith('ERR__')) {
    return new ProviderError({
      kind: 'malformed',
      message: l10n.t('{0} sent a compressed answer that could not be read.', who),
      mayHaveStarted: req.isCreate,
    });
  }
  if (!bodySent && /CERT|SSL|TLS|SELF_SIGNED/.test(code)) {
    return new ProviderError({
      kind: 'network',
      message: l10n.t("{0}'s TLS certificate was not accepted ({1}); nothing was sent.", who, code),
    });
  }
  return new ProviderError({
    kind: 'network',
    message: UNREACHABLE.has(code)
      ? l10n.t('Cannot reach {0} ({1}). Check the network or the base URL.', who, code)
      : l10n.t('Connection to {0} failed ({1}).', who, code || 'network error'),
    mayHaveStarted,
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
    throw new ProviderError({ kind: 'config', message: l10n.t('"{0}" is not a valid base URL.', baseUrl) });
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new ProviderError({ kind: 'config', message: l10n.t('Base URL must use https (got {0}).', u.protocol) });
  }
  return baseUrl.replace(/\/+$/, '') + path;
}
