// Helpers shared by provider modules (poll-each, create sender, aspect parsing). The interface
// itself lives in core/provider.ts.
import { isProviderError, ProviderError } from '../core/errors';
import { joinUrl, requestJson } from '../core/http';
import type { CreateSpec, PollResults, ProviderContext, RemoteState } from '../core/provider';
import type { Task } from '../core/types';

export type { CreateResult, CreateSpec, PollResults, ProviderClient, ProviderContext, RemoteState, ResolvedMedia } from '../core/provider';

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

/** Sends a create as built by `buildCreate`, once (a create is never retried); resolves with the answer's JSON. */
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
    onUploadProgress: ctx.onUploadProgress,
    uploadSignal: ctx.uploadSignal,
  });
  return res.json;
}
