// JSON over HTTP for provider APIs: the provider's auth headers (bearer by default), timeouts, no
// redirects (a redirect must never carry the key to another host), and every failure turned into a
// ProviderError with a short message.
import * as l10n from '@vscode/l10n';
import axios, { AxiosError } from 'axios';
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
  let res;
  const multipart = req.body instanceof FormData;
  try {
    res = await axios.request<string>({
      method: req.method,
      url: req.url,
      data: req.body === undefined || multipart ? req.body : JSON.stringify(req.body),
      headers: {
        Accept: 'application/json',
        // Multipart: the client sets the type with its boundary.
        ...(req.body === undefined || multipart ? {} : { 'Content-Type': 'application/json' }),
        ...req.headers,
        // Last, so no custom header can replace the provider's auth.
        ...(req.authHeaders ?? { Authorization: `Bearer ${req.apiKey}` }),
      },
      timeout: req.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      signal: req.signal,
      responseType: 'text',
      transformResponse: (d: unknown) => d,
      validateStatus: () => true,
      maxRedirects: 0,
      maxContentLength: 20 * 1024 * 1024,
      decompress: true,
    });
  } catch (e) {
    throw transportError(e, req);
  }
  const headers = flattenHeaders(res.headers as Record<string, unknown>);
  const text = typeof res.data === 'string' ? res.data : '';
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
        message: l10n.t('{0} sent an answer that is not valid JSON ({1}).', req.providerLabel, describeBody(text, headers)),
        mayHaveStarted: req.isCreate,
      });
    }
    return { status: res.status, json, headers };
  }
  throw statusError(res.status, parsed ? json : undefined, text, headers, req);
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
  if (axios.isCancel(e) || (e instanceof Error && e.name === 'CanceledError')) {
    return new ProviderError({ kind: 'cancelled', message: l10n.t('{0}: request cancelled.', who) });
  }
  const ax = e as AxiosError;
  const code = ax.code ?? '';
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(ax.message ?? '')) {
    return new ProviderError({
      kind: 'timeout',
      message: l10n.t('{0} did not answer in time.', who),
      mayHaveStarted: req.isCreate,
    });
  }
  if (code === 'ERR_INVALID_URL' || code === 'ERR_BAD_OPTION_VALUE') {
    return new ProviderError({ kind: 'config', message: l10n.t('{0}: the base URL is not a valid URL.', who) });
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
    throw new ProviderError({ kind: 'config', message: l10n.t('"{0}" is not a valid base URL.', baseUrl) });
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new ProviderError({ kind: 'config', message: l10n.t('Base URL must use https (got {0}).', u.protocol) });
  }
  return baseUrl.replace(/\/+$/, '') + path;
}
