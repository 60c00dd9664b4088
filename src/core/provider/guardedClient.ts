// The one place provider answers become data the extension keeps: every text a provider client
// returns or throws (status words, error messages, ids, model names, result URLs) passes through
// the sanitizer here, with the key of that request, before the engine stores or anyone shows it.
import * as l10n from '@vscode/l10n';

import { ProviderError } from '../model/errors';
import type { TaskVideo } from '../model/task';
import { MAX_PROVIDER_WORD, safeId, safeUrl, sanitizeText } from '../net/sanitize';
import {
  MODEL_ID_PATTERN,
  type CreateResult,
  type PollResults,
  type ProviderContext,
  type ProviderDescriptor,
  type RemoteState,
} from './descriptor';

/** Cleans an error's message in place (so its class and every field stay as they are). */
function cleanError(e: unknown, ctx: ProviderContext): unknown {
  if (e instanceof Error) e.message = sanitizeText(e.message, [ctx.apiKey]);
  return e;
}

function cleanVideo(v: TaskVideo): TaskVideo | undefined {
  const url = safeUrl(v.url);
  if (!url) return undefined;
  const out: TaskVideo = { ...v, url };
  for (const k of ['posterUrl', 'thumbnailUrl', 'watermarkedUrl'] as const) {
    const other = safeUrl(v[k]);
    if (other) out[k] = other;
    else delete out[k];
  }
  const id = safeId(v.id);
  if (id) out.id = id;
  else delete out.id;
  return out;
}

function cleanState(s: RemoteState, ctx: ProviderContext, label: string): RemoteState {
  const secrets = [ctx.apiKey];
  const videos = s.videos.map(cleanVideo).filter((v): v is TaskVideo => v !== undefined);
  const out: RemoteState = { ...s, rawStatus: sanitizeText(s.rawStatus, secrets, MAX_PROVIDER_WORD), videos };
  if (s.error !== undefined) out.error = sanitizeText(s.error, secrets);
  if (s.status === 'succeeded' && videos.length === 0) {
    out.status = 'failed';
    out.error = `${label} reported success but gave no usable video URL.`;
  }
  return out;
}

function cleanCreate(r: CreateResult, ctx: ProviderContext, label: string): CreateResult {
  const remoteId = safeId(r.remoteId);
  if (!remoteId) {
    // The job was accepted, but an id like that is neither stored nor sent back to the provider.
    throw new ProviderError({
      kind: 'malformed',
      message: l10n.t('{0} accepted the request but sent a task id that is not a plain id.', label),
      mayHaveStarted: true,
    });
  }
  const out: CreateResult = { ...r, remoteId, model: sanitizeText(r.model, [ctx.apiKey], MAX_PROVIDER_WORD) };
  if (r.route !== undefined) {
    const route = safeId(r.route);
    if (route) out.route = route;
    else delete out.route;
  }
  return out;
}

/** `client` with everything it answers sanitized; requests, pure methods and data are passed through unchanged. */
export function guardProvider(client: ProviderDescriptor): ProviderDescriptor {
  const list = client.models?.list;
  return {
    ...client,
    validate: (req) => client.validate(req),
    buildCreate: (req, media, requestId) => client.buildCreate(req, media, requestId),
    ...(client.models && list
      ? { models: { ...client.models, list: async (ctx) => (await list(ctx)).filter((id) => MODEL_ID_PATTERN.test(id)) } }
      : {}),
    async create(ctx, req, media, requestId) {
      let result: CreateResult;
      try {
        result = await client.create(ctx, req, media, requestId);
      } catch (e) {
        throw cleanError(e, ctx);
      }
      return cleanCreate(result, ctx, client.label);
    },
    async poll(ctx, tasks) {
      let results: PollResults;
      try {
        results = await client.poll(ctx, tasks);
      } catch (e) {
        throw cleanError(e, ctx);
      }
      const out: PollResults = new Map();
      for (const [id, r] of results) {
        out.set(id, r instanceof ProviderError ? (cleanError(r, ctx) as ProviderError) : cleanState(r, ctx, client.label));
      }
      return out;
    },
    ...(client.modelOptions
      ? {
          modelOptions: {
            peek: (baseUrl: string, model: string) => client.modelOptions!.peek(baseUrl, model),
            async load(ctx: ProviderContext, model: string) {
              try {
                return await client.modelOptions!.load(ctx, model);
              } catch (e) {
                throw cleanError(e, ctx);
              }
            },
          },
        }
      : {}),
    ...(client.cancel
      ? {
          async cancel(ctx: ProviderContext, task: Parameters<NonNullable<ProviderDescriptor['cancel']>>[1]) {
            try {
              await client.cancel!(ctx, task);
            } catch (e) {
              throw cleanError(e, ctx);
            }
          },
        }
      : {}),
    async testConnection(ctx) {
      try {
        return sanitizeText(await client.testConnection(ctx), [ctx.apiKey]);
      } catch (e) {
        throw cleanError(e, ctx);
      }
    },
  };
}
