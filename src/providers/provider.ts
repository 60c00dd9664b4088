// The one interface every provider implements: build and send a create, poll one or many tasks,
// normalize what comes back. A new provider is one new file plus its emulator routes.
import { isProviderError, ProviderError } from '../core/errors';
import { joinUrl, requestJson } from '../core/http';
import { RemoteStatus } from '../core/normalize';
import { GenerateRequest, GenerationMode, ProviderId, Task, TaskVideo } from '../core/types';

export interface ProviderContext {
  baseUrl: string;
  apiKey: string;
  /** HiDream's optional `API-User-ID`. */
  userId?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Media after resolution: each entry is an https URL or base64 data (no `data:` prefix). */
export interface ResolvedMedia {
  image?: string;
  images?: string[];
  video?: string;
  /** MIME types of the local files, for data URIs. */
  imageMime?: string;
  imagesMime?: string[];
  videoMime?: string;
}

export interface CreateSpec {
  path: string;
  body: Record<string, unknown>;
  mode: GenerationMode;
  model: string;
  /** Provider routing needed to poll later (HiDream module). */
  route?: string;
}

export interface CreateResult {
  remoteId: string;
  mode: GenerationMode;
  model: string;
  route?: string;
}

export interface RemoteState {
  status: RemoteStatus;
  rawStatus: string;
  progress?: number;
  error?: string;
  videos: TaskVideo[];
}

/** A poll answer per local task id: the state, or why this one task could not be read. */
export type PollResults = Map<string, RemoteState | ProviderError>;

export interface ProviderClient {
  readonly id: ProviderId;
  readonly label: string;
  /** A message when this request cannot be sent to this provider, else undefined. Pure. */
  validate(req: GenerateRequest): string | undefined;
  /** The exact request to send. Pure (given resolved media), so tests can assert the body. */
  buildCreate(req: GenerateRequest, media: ResolvedMedia, requestId: string): CreateSpec;
  create(ctx: ProviderContext, req: GenerateRequest, media: ResolvedMedia, requestId: string): Promise<CreateResult>;
  /** Polls every given task (all of this provider); batching is the provider's business. */
  poll(ctx: ProviderContext, tasks: readonly Task[]): Promise<PollResults>;
  /** A harmless authenticated call; resolves with a plain sentence, rejects with a ProviderError. */
  testConnection(ctx: ProviderContext): Promise<string>;
  /** How many polls of this provider may run at once, and per-minute create limits where published. */
  readonly limits: { concurrentPolls: number; createsPerMinute?: Record<string, number> };
}

/** "16:9" -> {w:16, h:9}; undefined when malformed. */
export function parseAspectRatio(ar: string): { w: number; h: number } | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*[:/x]\s*(\d+(?:\.\d+)?)\s*$/.exec(ar);
  if (!m) return undefined;
  const w = Number(m[1]);
  const h = Number(m[2]);
  if (!(w > 0 && h > 0)) return undefined;
  return { w, h };
}

export function malformed(label: string, what: string): ProviderError {
  return new ProviderError({ kind: 'malformed', message: `${label} sent an unexpected answer: ${what}.` });
}

/** Runs `fn` over items with at most `limit` in flight. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return out;
}

/**
 * Polls tasks one GET each (providers without a batch endpoint), at most `limit` at once; a task
 * whose request or answer fails gets its own ProviderError.
 */
export async function pollEach(
  ctx: ProviderContext,
  tasks: readonly Task[],
  opts: { label: string; limit: number; path(task: Task): string; parse(json: unknown): RemoteState },
): Promise<PollResults> {
  const out: PollResults = new Map();
  await mapLimit(tasks, opts.limit, async (t) => {
    try {
      const res = await requestJson({
        method: 'GET',
        url: joinUrl(ctx.baseUrl, opts.path(t)),
        apiKey: ctx.apiKey,
        providerLabel: opts.label,
        timeoutMs: ctx.timeoutMs,
        signal: ctx.signal,
      });
      out.set(t.id, opts.parse(res.json));
    } catch (e) {
      out.set(t.id, isProviderError(e) ? e : malformed(opts.label, String(e)));
    }
  });
  return out;
}

/** Sends a create as built by `buildCreate`; resolves with the answer's JSON. */
export async function sendCreate(ctx: ProviderContext, spec: CreateSpec, label: string, headers?: Record<string, string>): Promise<unknown> {
  const res = await requestJson({
    method: 'POST',
    url: joinUrl(ctx.baseUrl, spec.path),
    apiKey: ctx.apiKey,
    providerLabel: label,
    body: spec.body,
    headers,
    timeoutMs: ctx.timeoutMs,
    signal: ctx.signal,
    isCreate: true,
  });
  return res.json;
}
