// Helpers shared by provider modules (requests with the provider's auth, poll-each, create sender,
// aspect parsing). The interface and the descriptor live in core/provider/descriptor.ts.
import * as l10n from '@vscode/l10n';

import { isProviderError, ProviderError } from '../core/model/errors';
import type { Task } from '../core/model/task';
import { joinUrl, JsonResponse, requestJson } from '../core/net/http';
import {
  authHeadersFor,
  MODEL_ID_PATTERN,
  type CreateSpec,
  type OptionField,
  type PollResults,
  type ProviderContext,
  type ProviderDescriptor,
  type RemoteState,
} from '../core/provider/descriptor';
import { obj, str } from '../shared/json';

export type {
  CreateResult,
  CreateSpec,
  ListedJob,
  ListedJobs,
  OptionField,
  PollResults,
  ProviderClient,
  ProviderContext,
  ProviderDescriptor,
  RemoteState,
  ResolvedMedia,
} from '../core/provider/descriptor';

/** The seed, for providers that take one. */
export const SEED_FIELD: OptionField = {
  kind: 'number',
  key: 'seed',
  target: 'request',
  label: l10n.t('Seed'),
  min: 0,
  max: 0xffffffff,
  integer: true,
  unsetLabel: l10n.t('random'),
  prompt: l10n.t('A whole number to reproduce a result; leave empty for random.'),
};

/** The negative prompt, for providers that take one. */
export const NEGATIVE_PROMPT_FIELD: OptionField = {
  kind: 'text',
  key: 'negativePrompt',
  target: 'request',
  label: l10n.t('Negative prompt'),
  maxLength: 2000,
  prompt: l10n.t('What should not appear (optional).'),
};

export function validSeed(seed: number | undefined): boolean {
  return seed === undefined || (Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff);
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

/** Ids from a `GET /models` list (OpenAI's shape) that look like video models. */
const VIDEO_MODEL_HINT = /(kling|vidu|jimeng|seedance|veo|hailuo|wan|sora|video|pika|runway|luma|pixverse|hunyuan|cogvideo)/i;

/** The well-formed video model ids of an OpenAI-style `{data: [{id}]}` model list, each once. */
export function parseVideoModelList(json: unknown): string[] {
  const data = obj(json)?.data;
  if (!Array.isArray(data)) return [];
  const ids = data.map((m) => str(obj(m)?.id)).filter((x): x is string => !!x && MODEL_ID_PATTERN.test(x));
  return [...new Set(ids.filter((id) => VIDEO_MODEL_HINT.test(id)))];
}

export function malformed(label: string, what: string): ProviderError {
  return new ProviderError({ kind: 'malformed', message: l10n.t('{0} sent an unexpected answer: {1}.', label, what) });
}

/** The server's clock when it answered, from its `Date` header (epoch ms, whole seconds); undefined without a valid one. */
export function serverDate(res: Pick<JsonResponse, 'headers'>): number | undefined {
  const raw = res.headers.date;
  const at = raw === undefined ? NaN : Date.parse(raw);
  return Number.isFinite(at) ? at : undefined;
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

/** One request to a provider at `ctx.baseUrl + path`, with its label in messages and its auth headers. */
export function providerRequest(
  provider: Pick<ProviderDescriptor, 'label' | 'authHeaders'>,
  ctx: ProviderContext,
  r: {
    method: 'GET' | 'POST' | 'PUT';
    path: string;
    body?: unknown;
    isCreate?: boolean;
    fallbackTimeoutMs?: number;
    errorTypeHeader?: string;
  },
): Promise<JsonResponse> {
  return requestJson({
    method: r.method,
    url: joinUrl(ctx.baseUrl, r.path),
    apiKey: ctx.apiKey,
    authHeaders: authHeadersFor(provider, ctx),
    providerLabel: provider.label,
    body: r.body,
    timeoutMs: ctx.timeoutMs ?? r.fallbackTimeoutMs,
    signal: ctx.signal,
    isCreate: r.isCreate,
    onUploadProgress: ctx.onUploadProgress,
    uploadSignal: ctx.uploadSignal,
    errorTypeHeader: r.errorTypeHeader,
  });
}

/**
 * Polls tasks one GET each (providers without a batch endpoint), at most `limits.concurrentPolls`
 * at once; a task whose request or answer fails gets its own ProviderError.
 */
export async function pollEach(
  provider: Pick<ProviderDescriptor, 'label' | 'authHeaders' | 'limits'>,
  ctx: ProviderContext,
  tasks: readonly Task[],
  opts: { path(task: Task): string; parse(json: unknown, task: Task): RemoteState },
): Promise<PollResults> {
  const out: PollResults = new Map();
  await mapLimit(tasks, provider.limits.concurrentPolls, async (t) => {
    try {
      const res = await providerRequest(provider, ctx, { method: 'GET', path: opts.path(t) });
      out.set(t.id, opts.parse(res.json, t));
    } catch (e) {
      out.set(t.id, isProviderError(e) ? e : malformed(provider.label, String(e)));
    }
  });
  return out;
}

/** Sends a create as built by `buildCreate`, once (a create is never retried); resolves with the answer's JSON. */
export async function sendCreate(
  provider: Pick<ProviderDescriptor, 'label' | 'authHeaders'>,
  ctx: ProviderContext,
  spec: CreateSpec,
): Promise<unknown> {
  return (await providerRequest(provider, ctx, { method: 'POST', path: spec.path, body: spec.body, isCreate: true })).json;
}
