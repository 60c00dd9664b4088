// Small HTTP vocabulary shared by the provider handlers: replies, error bodies, auth, input checks.
import type { IncomingHttpHeaders } from 'http';
import type { Readable } from 'stream';

export interface BufferReply {
  kind: 'buffer';
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** A body produced on demand (files): `length` bytes, streamed from `open()`. */
export interface StreamReply {
  kind: 'stream';
  status: number;
  headers: Record<string, string>;
  length: number;
  open: () => Readable;
}

export type Reply = BufferReply | StreamReply;

export const JSON_TYPE = 'application/json; charset=utf-8';

export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): BufferReply {
  return { kind: 'buffer', status, headers: { 'Content-Type': JSON_TYPE, ...headers }, body: Buffer.from(JSON.stringify(value)) };
}

export function textReply(
  status: number,
  text: string,
  contentType = 'text/plain; charset=utf-8',
  headers: Record<string, string> = {},
): BufferReply {
  return { kind: 'buffer', status, headers: { 'Content-Type': contentType, ...headers }, body: Buffer.from(text) };
}

export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export function openAiError(
  status: number,
  message: string,
  type: string,
  param: string | null = null,
  code: string | null = null,
  headers: Record<string, string> = {},
): BufferReply {
  const body: OpenAiErrorBody = { error: { message, type, param, code } };
  return jsonReply(status, body, headers);
}

/** The OpenAI-style error a given HTTP status usually carries. */
export function openAiErrorForStatus(status: number, headers: Record<string, string> = {}): BufferReply {
  const known: Record<number, [string, string, string | null]> = {
    400: ['Bad request (emulated fault)', 'invalid_request_error', null],
    401: ['Incorrect API key provided (emulated fault)', 'authentication_error', 'invalid_api_key'],
    402: ['Insufficient balance: top up your account (emulated fault)', 'insufficient_quota', 'insufficient_quota'],
    403: ['Forbidden: this key may not use this model (emulated fault)', 'permission_error', 'forbidden'],
    404: ['Not found (emulated fault)', 'invalid_request_error', 'not_found'],
    408: ['Request timed out (emulated fault)', 'timeout_error', 'timeout'],
    409: ['Conflict (emulated fault)', 'invalid_request_error', 'conflict'],
    429: ['Rate limit reached, slow down (emulated fault)', 'rate_limit_error', 'rate_limit_exceeded'],
  };
  const [message, type, code] =
    known[status] ??
    (status >= 500
      ? [`Upstream error ${status} (emulated fault)`, 'server_error', 'upstream_error']
      : [`Error ${status} (emulated fault)`, 'invalid_request_error', null]);
  return openAiError(status, message, type, null, code, headers);
}

export interface AuthCheck {
  authorized: boolean;
  hadAuthorizationHeader: boolean;
  /** Why it is not authorized: no usable key, or a rejected one. */
  problem?: 'missing' | 'invalid';
}

/** The key of `Authorization: Bearer <key>`, or undefined. */
export function bearerKey(headers: IncomingHttpHeaders): string | undefined {
  // fal sends its key as `Key <key>` (its routes refuse a bearer token themselves).
  const m = /^(?:Bearer|Key)\s+(.*)$/i.exec((headers.authorization ?? '').trim());
  return m && m[1].trim() ? m[1].trim() : undefined;
}

/** `Authorization: Bearer <key>`; missing/empty, another scheme, or a key starting with `bad` is refused. */
export function checkAuth(headers: IncomingHttpHeaders): AuthCheck {
  const hadAuthorizationHeader = headers.authorization !== undefined;
  const key = bearerKey(headers);
  if (!key) return { authorized: false, hadAuthorizationHeader, problem: 'missing' };
  if (key.toLowerCase().startsWith('bad')) return { authorized: false, hadAuthorizationHeader, problem: 'invalid' };
  return { authorized: true, hadAuthorizationHeader };
}

/** The 401 of OpenAI-style APIs (Pika's and the video gateway's too). */
export function openAiUnauthorized(auth: AuthCheck): BufferReply {
  return auth.problem === 'missing'
    ? openAiError(
        401,
        "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.",
        'invalid_request_error',
        null,
        'invalid_api_key',
      )
    : openAiError(401, 'Incorrect API key provided.', 'authentication_error', null, 'invalid_api_key');
}

/** Parsed JSON, the raw text when it is not JSON, undefined when empty. */
export function parseJsonBody(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export { isJsonObject as isObject } from '../shared/json';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

function decodesAsBase64(text: string): boolean {
  const s = text.replace(/\s+/g, '');
  if (!s) return false;
  if (BASE64.test(s)) return s.replace(/=+$/, '').length % 4 !== 1 && Buffer.from(s, 'base64').length > 0;
  if (BASE64URL.test(s)) return s.replace(/=+$/, '').length % 4 !== 1 && Buffer.from(s, 'base64url').length > 0;
  return false;
}

/** An http(s) URL, a base64 `data:` URI, or raw base64 that decodes to something. */
export function isMediaRef(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  const s = v.trim();
  if (!s) return false;
  if (/^https?:\/\//i.test(s)) {
    try {
      const u = new URL(s);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname.length > 0;
    } catch {
      return false;
    }
  }
  const data = /^data:([^,]*),(.*)$/is.exec(s);
  if (data) return /;base64$/i.test(data[1]) && decodesAsBase64(data[2]);
  return decodesAsBase64(s);
}

/** The HTTP date (RFC 7231) of an epoch ms. */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}
