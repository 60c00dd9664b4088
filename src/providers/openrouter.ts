// OpenRouter's asynchronous video API (docs/providers/openrouter.md): one key reaches Veo, Wan, Kling,
// Hailuo, Seedance and more. Create with POST {base}/videos (JSON), poll GET {base}/videos/{id} (no
// progress is reported: the engine predicts the end from the model's run times), the result from
// `unsigned_urls[0]` or GET {base}/videos/{id}/content?index=0 (with the key, first request only), the
// actual cost from `usage.cost`. The models, what they take and what they cost are published at
// GET {base}/videos/models (no key): parsed here into the catalogue's data, a dated snapshot beside it.
import * as l10n from '@vscode/l10n';

import { isProviderError, ProviderError } from '../core/model/errors';
import type { GenerateRequest, GenerationMode, Task, TaskCost, TaskVideo } from '../core/model/task';
import { requestJson } from '../core/net/http';
import { MAX_PROVIDER_WORD, sanitizeText } from '../core/net/sanitize';
import type { CatalogModel, ModelCapabilities, ModelPrices, PriceRule } from '../core/provider/catalogTypes';
import { isUnder, MODEL_ID_PATTERN } from '../core/provider/descriptor';
import { asDataUri } from '../core/request/media';
import { httpUrl, num, obj, str } from '../shared/json';
import type { RemoteStatus } from '../shared/taskStatus';
import {
  malformed,
  parseAspectRatio,
  pollEach,
  providerRequest,
  SEED_FIELD,
  validSeed,
  type CreateSpec,
  type PollResults,
  type ProviderContext,
  type ProviderDescriptor,
  type RemoteState,
  type ResolvedMedia,
} from './clientKit';

const LABEL = 'OpenRouter';
const ASPECTS = ['16:9', '9:16', '1:1', '4:3', '3:4', '3:2', '2:3', '21:9', '9:21'] as const;
/** A resolution as OpenRouter names them: "720p", "1080p", "2K", "4K". */
const RESOLUTION = /^(\d{3,4}p|\d{1,2}K)$/i;
const DEFAULT_MODEL = 'google/veo-3.1';

function openRouterStatus(raw: unknown): RemoteStatus {
  switch (raw) {
    case 'pending':
      return 'queued';
    case 'in_progress':
      return 'running';
    case 'completed':
      return 'succeeded';
    case 'failed':
    case 'cancelled':
    case 'expired':
      return 'failed';
    default:
      return 'unknown';
  }
}

const videoPath = (id: string) => `/videos/${encodeURIComponent(id)}`;

/** The last frame after media resolution (base64 of a local file, or the URL), read defensively. */
function lastFrameOf(req: GenerateRequest, media: ResolvedMedia): string | undefined {
  const resolved = media as { lastFrame?: string; lastFrameMime?: string };
  if (resolved.lastFrame) return asDataUri(resolved.lastFrame, resolved.lastFrameMime);
  if (req.lastFrame === undefined) return undefined;
  if (/^https:\/\//i.test(req.lastFrame)) return req.lastFrame;
  throw new ProviderError({ kind: 'input', message: l10n.t('The last frame ({0}) could not be read to send it.', req.lastFrame) });
}

export const openrouter: ProviderDescriptor = {
  id: 'openrouter',
  label: LABEL,
  description: l10n.t('Veo, Wan, Kling, Hailuo, Seedance… with one OpenRouter key'),
  settings: { baseUrl: 'openrouter.baseUrl' },
  modes: ['text-to-video', 'image-to-video', 'ingredients'],
  models: { fixed: [{ id: DEFAULT_MODEL, modes: ['text-to-video', 'image-to-video'] }, { id: 'alibaba/wan-2.6' }], custom: true },
  catalog: {
    published: (ctx) => fetchVideoModels(ctx),
    bundled: { asOf: '2026-12-01', models: bundledModels() },
  },
  options: [
    {
      kind: 'enum',
      key: 'aspectRatio',
      price: true,
      target: 'request',
      label: l10n.t('Aspect ratio'),
      values: ASPECTS,
      unsetLabel: l10n.t('model default'),
    },
    SEED_FIELD,
  ],
  aspectRatios: ASPECTS,
  normalizeStatus: openRouterStatus,
  envKeys: ['OPENROUTER_API_KEY'],
  limits: { concurrentPolls: 4 },
  reportsProgress: false,

  validate(req) {
    if (!req.model || !MODEL_ID_PATTERN.test(req.model)) return l10n.t('Choose an OpenRouter model id (e.g. google/veo-3.1).');
    if (!req.prompt.trim()) return l10n.t('OpenRouter needs a prompt.');
    if (req.video) return l10n.t('OpenRouter does not restyle a video file.');
    if (req.pikaffect) return l10n.t('Pikaffects are a Pika feature.');
    if (req.style) return l10n.t('Styles are a HiDream video_edit feature.');
    if (req.negativePrompt) return l10n.t("OpenRouter's video API takes no negative prompt; say it in the prompt.");
    if (req.aspectRatio !== undefined && !parseAspectRatio(req.aspectRatio)) {
      return l10n.t('Aspect ratio "{0}" must look like 16:9.', req.aspectRatio);
    }
    if (!validSeed(req.seed)) return l10n.t('Seed must be a whole number from 0 to 4294967295.');
    if (req.duration !== undefined && !(Number.isInteger(req.duration) && req.duration >= 1 && req.duration <= 600)) {
      return l10n.t('Duration must be a whole number of seconds.');
    }
    if (req.resolution !== undefined && !RESOLUTION.test(req.resolution)) {
      return l10n.t('Resolution "{0}" must look like 720p, 1080p or 4K.', req.resolution);
    }
    if (req.audio !== undefined && typeof req.audio !== 'boolean') return l10n.t('Audio must be true or false.');
    return undefined;
  },

  buildCreate(req, media): CreateSpec {
    const model = req.model ?? DEFAULT_MODEL;
    const body: Record<string, unknown> = { model, prompt: req.prompt };
    if (req.duration !== undefined) body.duration = Math.round(req.duration);
    if (req.resolution !== undefined) body.resolution = req.resolution;
    if (req.aspectRatio !== undefined) body.aspect_ratio = req.aspectRatio;
    if (req.audio !== undefined) body.generate_audio = req.audio;
    if (req.seed !== undefined) body.seed = req.seed;
    const frames: Record<string, unknown>[] = [];
    const frame = (url: string, frameType: 'first_frame' | 'last_frame') =>
      frames.push({ type: 'image_url', image_url: { url }, frame_type: frameType });
    if (media.image) frame(asDataUri(media.image, media.imageMime), 'first_frame');
    const last = lastFrameOf(req, media);
    if (last) frame(last, 'last_frame');
    if (frames.length) body.frame_images = frames;
    if (media.images?.length) {
      body.input_references = media.images.map((v, i) => ({ type: 'image_url', image_url: { url: asDataUri(v, media.imagesMime?.[i]) } }));
    }
    const mode: GenerationMode = media.images?.length ? 'ingredients' : frames.length ? 'image-to-video' : 'text-to-video';
    return { path: '/videos', body, mode, model };
  },

  async create(ctx, req, media, requestId) {
    const spec = this.buildCreate(req, media, requestId);
    let json: unknown;
    try {
      json = (await providerRequest(this, ctx, { method: 'POST', path: spec.path, body: spec.body, isCreate: true })).json;
    } catch (e) {
      throw explain(e, spec.model);
    }
    const answer = obj(json);
    const id = str(answer?.id);
    if (!id) {
      throw new ProviderError({
        kind: 'malformed',
        message: l10n.t('{0} accepted the request but sent no job id.', LABEL),
        mayHaveStarted: true,
      });
    }
    const polling = pollingUrlProblem(answer?.polling_url, ctx.baseUrl);
    if (polling) ctx.log?.warn(polling);
    return { remoteId: id, mode: spec.mode, model: spec.model };
  },

  poll(ctx, tasks): Promise<PollResults> {
    return pollEach(this, ctx, tasks, { path: (t) => videoPath(t.remoteId), parse: (json, t) => parseVideoJob(json, ctx.baseUrl, t) });
  },

  async testConnection(ctx) {
    const res = await providerRequest(this, ctx, { method: 'GET', path: '/key', fallbackTimeoutMs: 15_000 });
    const data = obj(obj(res.json)?.data);
    if (!data) throw malformed(LABEL, l10n.t('the key description has no data'));
    const remaining = num(data.limit_remaining);
    if (data.limit !== null && data.limit !== undefined && remaining !== undefined) {
      return l10n.t('{0} accepted the key; ${1} of credit left on it.', LABEL, remaining.toFixed(2));
    }
    return l10n.t('{0} accepted the key (it has no credit limit of its own).', LABEL);
  },
};

/**
 * The credit left on the key, where it has a limit (`GET /key`: `limit`, `limit_remaining`, USD);
 * undefined when the key has no limit of its own. Asked only when the spending panel opens.
 */
export async function openRouterCredit(ctx: ProviderContext): Promise<{ limit: number; remaining: number } | undefined> {
  const res = await providerRequest(openrouter, ctx, { method: 'GET', path: '/key', fallbackTimeoutMs: 15_000 });
  const data = obj(obj(res.json)?.data);
  if (!data) throw malformed(LABEL, l10n.t('the key description has no data'));
  const limit = num(data.limit);
  const remaining = num(data.limit_remaining);
  return limit !== undefined && remaining !== undefined && limit >= 0 ? { limit, remaining: Math.max(0, remaining) } : undefined;
}

/** The message a failed create shows: out of credits said plainly, an unknown model marked for the catalogue. */
function explain(e: unknown, model: string): unknown {
  if (!isProviderError(e)) return e;
  if (e.status === 402) {
    return e.with({
      kind: 'payment',
      message: l10n.t('Your OpenRouter account is out of credits: add credits, then generate again. ({0})', e.message),
    });
  }
  if (e.status === 404) {
    return e.with({
      kind: 'notFound',
      modelNotFound: true,
      message: l10n.t('OpenRouter has no video model "{0}": it is retired or unknown. ({1})', model, e.message),
    });
  }
  return e;
}

/** Why a `polling_url` is not followed: the job is always polled at {base}/videos/{id}, and the key goes nowhere else. */
export function pollingUrlProblem(pollingUrl: unknown, baseUrl: string): string | undefined {
  if (pollingUrl === undefined || pollingUrl === null) return undefined;
  if (typeof pollingUrl !== 'string') return l10n.t('{0} sent a polling_url that is not text; the job is polled at the base URL.', LABEL);
  let url: URL;
  try {
    url = new URL(pollingUrl, baseUrl);
  } catch {
    return l10n.t('{0} sent a polling_url that is not a URL; the job is polled at the base URL.', LABEL);
  }
  if (url.origin !== new URL(baseUrl).origin) {
    return l10n.t(
      '{0} sent a polling_url on another host ({1}); it is not followed, and the key is not sent there.',
      LABEL,
      sanitizeText(url.host, [], MAX_PROVIDER_WORD),
    );
  }
  return undefined;
}

/** A job as a task state: no progress field; the result and the actual cost once completed. */
export function parseVideoJob(json: unknown, baseUrl: string, task: Pick<Task, 'remoteId'>): RemoteState {
  const v = obj(json);
  if (!v) throw malformed(LABEL, l10n.t('the job is not a JSON object'));
  const status = openRouterStatus(v.status);
  const state: RemoteState = { status, rawStatus: typeof v.status === 'string' ? v.status : String(v.status), videos: [] };
  const cost = costOf(v.usage);
  if (cost) state.cost = cost;
  if (status === 'failed') {
    state.error =
      str(v.error) ??
      (v.status === 'cancelled'
        ? l10n.t('{0}: the generation was cancelled.', LABEL)
        : v.status === 'expired'
          ? l10n.t('{0}: the generation expired before it finished.', LABEL)
          : l10n.t('{0} reported the generation failed.', LABEL));
  }
  if (status === 'succeeded') state.videos.push(resultOf(v, baseUrl, task.remoteId));
  return state;
}

/** `unsigned_urls[0]`: on the API it is fetched with the key (first request only), elsewhere without; else the content route. */
function resultOf(v: Record<string, unknown>, baseUrl: string, id: string): TaskVideo {
  const content = `${baseUrl.replace(/\/+$/, '')}${videoPath(id)}/content?index=0`;
  const first = Array.isArray(v.unsigned_urls) ? httpUrl(v.unsigned_urls[0]) : undefined;
  if (!first) return { url: content, authenticated: true };
  return isUnder(first, baseUrl) ? { url: first, authenticated: true } : { url: first };
}

function costOf(usage: unknown): TaskCost | undefined {
  const amount = obj(usage)?.cost;
  return typeof amount === 'number' && Number.isFinite(amount) && amount >= 0 ? { amount, currency: 'USD', source: 'provider' } : undefined;
}

// ---- the catalogue ---------------------------------------------------------------------------------

/** GET {base}/videos/models, without the key: the published models as catalogue data. */
export async function fetchVideoModels(ctx: Pick<ProviderContext, 'baseUrl' | 'signal' | 'timeoutMs'>): Promise<CatalogModel[]> {
  const res = await requestJson({
    method: 'GET',
    url: `${ctx.baseUrl.replace(/\/+$/, '')}/videos/models`,
    apiKey: '',
    authHeaders: {},
    providerLabel: LABEL,
    timeoutMs: ctx.timeoutMs ?? 10_000,
    signal: ctx.signal,
  });
  return parseVideoModels(res.json);
}

const MAX_MODELS = 500;

/** The published catalogue (untrusted JSON): well-formed entries become models, anything else is dropped. */
export function parseVideoModels(json: unknown): CatalogModel[] {
  const data = obj(json)?.data;
  if (!Array.isArray(data)) throw malformed(LABEL, l10n.t('the list of video models has no data array'));
  const known = new Map(bundledModels().map((m) => [m.id, m]));
  const out: CatalogModel[] = [];
  const seen = new Set<string>();
  for (const entry of data.slice(0, MAX_MODELS)) {
    const m = parseVideoModel(entry, known);
    if (m && !seen.has(m.id)) {
      seen.add(m.id);
      out.push(m);
    }
  }
  return out;
}

function parseVideoModel(entry: unknown, known: ReadonlyMap<string, CatalogModel>): CatalogModel | undefined {
  const e = obj(entry);
  const id = str(e?.id);
  if (!e || !id || !MODEL_ID_PATTERN.test(id)) return undefined;
  const name = str(e.name);
  const description = typeof e.description === 'string' ? e.description : '';
  const bundledModel = known.get(id);
  const bundled = bundledModel?.capabilities;
  const capabilities: ModelCapabilities = {};
  const durations = listOf(e.supported_durations, (d): d is number => typeof d === 'number' && Number.isInteger(d) && d > 0 && d <= 600);
  if (durations) capabilities.durations = [...new Set(durations)].sort((a, b) => a - b);
  const resolutions = listOf(e.supported_resolutions, (r): r is string => typeof r === 'string' && RESOLUTION.test(r));
  if (resolutions) capabilities.resolutions = [...new Set(resolutions)];
  const aspects = listOf(e.supported_aspect_ratios, (a): a is string => typeof a === 'string' && /^\d{1,2}:\d{1,2}$/.test(a));
  if (aspects) capabilities.aspectRatios = [...new Set(aspects)];
  const frames = listOf(e.supported_frame_images, (f): f is string => typeof f === 'string');
  if (frames) capabilities.frames = { first: frames.includes('first_frame'), last: frames.includes('last_frame') };
  if (typeof e.generate_audio === 'boolean') capabilities.audio = e.generate_audio;
  if (typeof e.seed === 'boolean') capabilities.seed = e.seed;
  // Not published: references (the docs send you to the description, or what the snapshot knows) and
  // run times (our estimate, from the snapshot).
  const takesReferences = bundledModel ? bundledModel.modes.includes('ingredients') : /\breference/i.test(description);
  const references = takesReferences ? bundled?.referenceImages : 0;
  if (references !== undefined) capabilities.referenceImages = references;
  if (bundled?.typicalRunSeconds !== undefined) capabilities.typicalRunSeconds = bundled.typicalRunSeconds;
  const modes: GenerationMode[] = ['text-to-video'];
  if (capabilities.frames?.first) modes.push('image-to-video');
  if (takesReferences) modes.push('ingredients');
  const model: CatalogModel = { id, label: name ? sanitizeText(name, [], MAX_PROVIDER_WORD) : id, modes, capabilities };
  const prices = parsePricingSkus(e.pricing_skus, capabilities.resolutions);
  if (prices) model.prices = prices;
  return model;
}

/** The list, when it is one, with the well-formed items; undefined (unknown) for null, absent or not a list. */
function listOf<T>(v: unknown, ok: (x: unknown) => x is T): T[] | undefined {
  return Array.isArray(v) ? v.filter(ok) : undefined;
}

/**
 * `pricing_skus` (USD strings) as price rules: `per-video-second[-<res>]` per second of video,
 * `per-video[-<res>]` per video; a `-<res>` rule replaces the generic one for that resolution. Any
 * other SKU, a value that is not a price, or both units in one model (their sum or choice is not
 * published) goes into `unknown`: the price is then unknown, never wrong.
 */
export function parsePricingSkus(skus: unknown, resolutions?: readonly string[]): ModelPrices | undefined {
  const o = obj(skus);
  if (!o) return undefined;
  const rules: PriceRule[] = [];
  const unknown: string[] = [];
  for (const [sku, value] of Object.entries(o)) {
    const name = sanitizeText(sku, [], MAX_PROVIDER_WORD);
    const usd = typeof value === 'string' && /^\d{1,6}(\.\d{1,10})?$/.test(value.trim()) ? Number(value) : undefined;
    const m = /^per-video-second(?:-(.+))?$/.exec(sku) ?? /^per-video(?:-(.+))?$/.exec(sku);
    const unit: PriceRule['unit'] = sku.startsWith('per-video-second') ? 'second' : 'video';
    const resolution = m?.[1];
    const resolutionOk = resolution === undefined || resolutions?.includes(resolution) || RESOLUTION.test(resolution);
    if (!m || !resolutionOk || usd === undefined) {
      unknown.push(name);
      continue;
    }
    rules.push({ unit, usd, ...(resolution !== undefined ? { resolution } : {}) });
  }
  if (new Set(rules.map((r) => r.unit)).size > 1) {
    unknown.push(
      ...Object.keys(o)
        .filter((k) => k.startsWith('per-video'))
        .map((k) => sanitizeText(k, [], MAX_PROVIDER_WORD)),
    );
    return { rules: [], unknown: [...new Set(unknown)] };
  }
  return { rules, ...(unknown.length ? { unknown } : {}) };
}

/**
 * The snapshot used only when the live catalogue cannot be had, compiled by hand from OpenRouter's
 * published docs (docs/providers/openrouter.md lists the sources). Prices are left out: the docs
 * show them only as examples, and a stale price would be wrong where an absent one is only unknown.
 * `typicalRunSeconds` is our own estimate ("30 s to a few minutes"), for poll timing only.
 */
function bundledModels(): CatalogModel[] {
  const t2v: GenerationMode[] = ['text-to-video', 'image-to-video'];
  return [
    {
      id: 'google/veo-3.1',
      label: 'Google: Veo 3.1',
      modes: t2v,
      capabilities: {
        durations: [4, 6, 8],
        resolutions: ['720p', '1080p'],
        aspectRatios: ['16:9', '9:16'],
        frames: { first: true, last: true },
        referenceImages: 0,
        audio: true,
        seed: true,
        typicalRunSeconds: 90,
      },
    },
    {
      id: 'alibaba/wan-2.6',
      label: 'Alibaba: Wan 2.6',
      modes: [...t2v, 'ingredients'],
      capabilities: { resolutions: ['720p', '1080p'], frames: { first: true, last: false }, audio: true, typicalRunSeconds: 120 },
    },
    {
      id: 'kwaivgi/kling-v3.0-std',
      label: 'Kling 3.0 Standard',
      modes: t2v,
      capabilities: { frames: { first: true, last: true }, typicalRunSeconds: 120 },
    },
    {
      id: 'minimax/hailuo-2.3',
      label: 'MiniMax: Hailuo 2.3',
      modes: t2v,
      capabilities: { frames: { first: true, last: false }, referenceImages: 0, typicalRunSeconds: 120 },
    },
    {
      id: 'bytedance/seedance-2.0-fast',
      label: 'ByteDance: Seedance 2.0 Fast',
      modes: [...t2v, 'ingredients'],
      capabilities: { frames: { first: true, last: true }, typicalRunSeconds: 60 },
    },
  ];
}
