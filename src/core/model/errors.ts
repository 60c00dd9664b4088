// One error type for everything that can go wrong talking to a provider, with a short user-facing
// message and the kind of way out. Messages never contain API keys (see `redact`).

export const ERROR_KINDS = [
  'auth', // 401: key missing, rejected or expired
  'payment', // 402: quota / balance
  'forbidden', // 403: no permission for this model or feature
  'notFound', // 404 / task_not_exist
  'badRequest', // 400 / 422: the request itself is wrong
  'conflict', // 409
  'rateLimited', // 429
  'server', // 5xx
  'timeout', // no answer in time
  'network', // connection refused / reset / DNS
  'malformed', // answer is not the JSON we expect
  'business', // provider-level failure code (e.g. HiDream code != 0)
  'config', // our own settings are unusable (bad base URL...)
  'input', // the user's input is unusable (not an image, too large...)
  'cancelled',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export function isErrorKind(x: unknown): x is ErrorKind {
  return typeof x === 'string' && (ERROR_KINDS as readonly string[]).includes(x);
}

export interface ProviderErrorInit {
  kind: ErrorKind;
  message: string;
  status?: number;
  providerCode?: string | number;
  retryAfterMs?: number;
  /** For a create: the request may have reached the provider (answer lost). */
  mayHaveStarted?: boolean;
  /** The provider answered that the requested model does not exist (404 / "model not found"). */
  modelNotFound?: boolean;
}

export class ProviderError extends Error {
  readonly kind: ErrorKind;
  readonly status?: number;
  readonly providerCode?: string | number;
  readonly retryAfterMs?: number;
  readonly mayHaveStarted: boolean;
  readonly modelNotFound: boolean;

  constructor(init: ProviderErrorInit) {
    super(init.message);
    this.name = 'ProviderError';
    this.kind = init.kind;
    this.status = init.status;
    this.providerCode = init.providerCode;
    this.retryAfterMs = init.retryAfterMs;
    this.mayHaveStarted = init.mayHaveStarted ?? false;
    this.modelNotFound = init.modelNotFound ?? false;
  }

  /** The same error told another way (a provider's plainer message, a kind of its own): the rest is kept. */
  with(patch: Partial<ProviderErrorInit>): ProviderError {
    return new ProviderError({
      kind: this.kind,
      message: this.message,
      status: this.status,
      providerCode: this.providerCode,
      retryAfterMs: this.retryAfterMs,
      mayHaveStarted: this.mayHaveStarted,
      modelNotFound: this.modelNotFound,
      ...patch,
    });
  }

  /** Worth asking again later (polls only; creates are never retried blindly). */
  get retryable(): boolean {
    return (
      this.kind === 'rateLimited' ||
      this.kind === 'server' ||
      this.kind === 'timeout' ||
      this.kind === 'network' ||
      this.kind === 'conflict' ||
      this.kind === 'malformed' ||
      (this.kind === 'badRequest' && this.status === 408)
    );
  }
}

export function isProviderError(e: unknown): e is ProviderError {
  return e instanceof ProviderError;
}

/** What the user can do about an error: used for the tree item's action and the notification buttons. */
export type ErrorRemedy = 'setKey' | 'checkAccount' | 'retryLater' | 'checkSettings' | 'fixInput' | 'none';

export function remedyFor(kind: ErrorKind | undefined): ErrorRemedy {
  switch (kind) {
    case 'auth':
      return 'setKey';
    case 'payment':
    case 'forbidden':
      return 'checkAccount';
    case 'rateLimited':
    case 'server':
    case 'timeout':
    case 'network':
    case 'malformed':
    case 'conflict':
      return 'retryLater';
    case 'config':
      return 'checkSettings';
    case 'input':
    case 'badRequest':
      return 'fixInput';
    default:
      return 'none';
  }
}

/** Removes the key (and anything shaped like a bearer token) from text that may be shown or logged. */
export function redact(text: string, ...secrets: (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 4) out = out.split(s).join('***');
  }
  return out.replace(/Bearer\s+[^\s"',]+/gi, 'Bearer ***').replace(/\bsk-[A-Za-z0-9][A-Za-z0-9_-]*/g, 'sk-***');
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
