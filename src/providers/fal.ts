// fal's queue API (docs/providers/fal.md): about 280 video endpoints behind one key and one protocol.
// A model is an endpoint id (`fal-ai/kling-video/v2.1/master/text-to-video`); each endpoint takes its
// own input, so the bundled catalogue below says, per endpoint, what it accepts and how the neutral
// request maps onto it (durations as "5" or "4s", first/last frame field names…). Any other endpoint
// id may be typed: the prompt and the request's options go as given. Create with POST {base}/{endpoint
// id}; the status, result and cancel URLs come from the create's answer and name only the endpoint's
// `{owner}/{app}` (kept on the task as `route`), never the full id. Local images go as data: URIs.
// Prices come from GET {apiUrl}/v1/models/pricing (with the key, at most 50 ids a call), fetched as
// this provider's published catalogue: only when fal is used, cached a day, the bundled prices else.
import * as l10n from '@vscode/l10n';

import { isProviderError, ProviderError } from '../core/model/errors';
import type { GenerateRequest, GenerationMode, Task, TaskVideo } from '../core/model/task';
import { joinUrl, requestJson } from '../core/net/http';
import { MAX_PROVIDER_WORD, sanitizeText } from '../core/net/sanitize';
import type { CatalogModel, ModelCapabilities, ModelPrices, PriceRule } from '../core/provider/catalogTypes';
import { isUnder, type CatalogFetchContext } from '../core/provider/descriptor';
import { checkAgainstModel } from '../core/provider/modelCapabilities';
import { asDataUri } from '../core/request/media';
import { durationOf, resolutionOf } from '../core/request/neutral';
import { httpUrl, num, obj, str } from '../shared/json';
import type { RemoteStatus } from '../shared/taskStatus';
import {
  malformed,
  mapLimit,
  NEGATIVE_PROMPT_FIELD,
  parseAspectRatio,
  providerRequest,
  validSeed,
  type CreateSpec,
  type PollResults,
  type ProviderContext,
  type ProviderDescriptor,
  type RemoteState,
  type ResolvedMedia,
} from './clientKit';

const LABEL = 'fal';
const ERROR_TYPE_HEADER = 'X-Fal-Error-Type';
/** An endpoint id: `owner/app` and an optional sub-path, each segment plain. */
const ENDPOINT_ID = /^[A-Za-z0-9][\w.-]*(\/[\w.-]+){1,6}$/;
/** The bundled catalogue's date (docs/providers/fal.md lists its sources). */
export const FAL_CATALOG_AS_OF = '2026-12-06';
/** fal's pricing route takes 1 to 50 endpoint ids a call. */
export const MAX_PRICE_IDS = 50;

/** How the neutral request maps onto one endpoint's input. */
interface InputMapping {
  /** How `duration` is written: "5" (`plain`) or "5s" (`s`); absent: the endpoint takes no duration. */
  duration?: 'plain' | 's';
  /** The field of the first frame (`image`), and of the last frame (`lastFrame`). */
  firstFrame?: string;
  lastFrame?: string;
  /** The frames the endpoint cannot do without. */
  requires?: readonly ('firstFrame' | 'lastFrame')[];
  negativePrompt?: boolean;
  aspectRatio?: boolean;
  seed?: boolean;
  audio?: boolean;
  resolution?: boolean;
}

interface FalEndpoint extends CatalogModel {
  input: InputMapping;
}

const perSecond = (usd: number, resolution?: string): PriceRule => ({ unit: 'second', usd, ...(resolution ? { resolution } : {}) });

/** Veo 3.1's three endpoints (text, image, first + last frame) share all but their frames. */
const VEO31: ModelCapabilities = {
  durations: [4, 6, 8],
  defaultDuration: 8,
  resolutions: ['720p', '1080p', '4k'],
  aspectRatios: ['16:9', '9:16'],
  referenceImages: 0,
  audio: true,
  seed: true,
  typicalRunSeconds: 90,
};
const VEO31_PRICES: ModelPrices = { rules: [perSecond(0.4), perSecond(0.6, '4k')] };
const VEO31_INPUT: InputMapping = { duration: 's', negativePrompt: true, aspectRatio: true, seed: true, audio: true, resolution: true };

/**
 * The bundled catalogue, compiled by hand from each endpoint's page on fal (docs/providers/fal.md,
 * as of FAL_CATALOG_AS_OF). Prices are the published ones for the default settings (Veo 3.1 with
 * sound); the live pricing route replaces them when it can be read. `typicalRunSeconds` is our own
 * estimate, for poll timing only.
 */
export const FAL_ENDPOINTS: readonly FalEndpoint[] = [
  {
    id: 'fal-ai/kling-video/v2.1/master/text-to-video',
    label: 'Kling 2.1 Master (text to video)',
    modes: ['text-to-video'],
    capabilities: {
      durations: [5, 10],
      defaultDuration: 5,
      aspectRatios: ['16:9', '9:16', '1:1'],
      frames: { first: false, last: false },
      referenceImages: 0,
      audio: false,
      seed: false,
      typicalRunSeconds: 240,
    },
    prices: { rules: [perSecond(0.28)] },
    input: { duration: 'plain', negativePrompt: true, aspectRatio: true },
  },
  {
    id: 'fal-ai/kling-video/v2.1/pro/image-to-video',
    label: 'Kling 2.1 Pro (image to video, first + last frame)',
    modes: ['image-to-video'],
    capabilities: {
      durations: [5, 10],
      defaultDuration: 5,
      aspectRatios: [],
      frames: { first: true, last: true },
      referenceImages: 0,
      audio: false,
      seed: false,
      typicalRunSeconds: 180,
    },
    prices: { rules: [perSecond(0.09)] },
    input: { duration: 'plain', firstFrame: 'image_url', lastFrame: 'tail_image_url', requires: ['firstFrame'], negativePrompt: true },
  },
  {
    id: 'fal-ai/veo3.1',
    label: 'Veo 3.1',
    modes: ['text-to-video'],
    capabilities: { ...VEO31, frames: { first: false, last: false } },
    prices: VEO31_PRICES,
    input: VEO31_INPUT,
  },
  {
    id: 'fal-ai/veo3.1/image-to-video',
    label: 'Veo 3.1 (image to video)',
    modes: ['image-to-video'],
    capabilities: { ...VEO31, frames: { first: true, last: false } },
    prices: VEO31_PRICES,
    input: { ...VEO31_INPUT, firstFrame: 'image_url', requires: ['firstFrame'] },
  },
  {
    id: 'fal-ai/veo3.1/first-last-frame-to-video',
    label: 'Veo 3.1 (first + last frame)',
    modes: ['image-to-video'],
    capabilities: { ...VEO31, frames: { first: true, last: true } },
    prices: VEO31_PRICES,
    input: { ...VEO31_INPUT, firstFrame: 'first_frame_url', lastFrame: 'last_frame_url', requires: ['firstFrame', 'lastFrame'] },
  },
  {
    id: 'fal-ai/wan-25-preview/text-to-video',
    label: 'Wan 2.5 Preview (text to video)',
    modes: ['text-to-video'],
    capabilities: {
      durations: [5, 10],
      defaultDuration: 5,
      resolutions: ['480p', '720p', '1080p'],
      aspectRatios: ['16:9', '9:16', '1:1'],
      frames: { first: false, last: false },
      referenceImages: 0,
      seed: true,
      typicalRunSeconds: 150,
    },
    prices: { rules: [perSecond(0.05, '480p'), perSecond(0.1, '720p'), perSecond(0.15, '1080p')] },
    input: { duration: 'plain', negativePrompt: true, aspectRatio: true, seed: true, resolution: true },
  },
  {
    id: 'fal-ai/minimax/hailuo-02/standard/text-to-video',
    label: 'Hailuo 02 Standard (text to video, 768p)',
    modes: ['text-to-video'],
    capabilities: {
      durations: [6, 10],
      defaultDuration: 6,
      resolutions: ['768p'],
      aspectRatios: [],
      frames: { first: false, last: false },
      referenceImages: 0,
      audio: false,
      seed: false,
      typicalRunSeconds: 180,
    },
    prices: { rules: [perSecond(0.045)] },
    input: { duration: 'plain' },
  },
  {
    id: 'fal-ai/bytedance/seedance/v1/pro/text-to-video',
    label: 'Seedance 1.0 Pro (text to video)',
    modes: ['text-to-video'],
    capabilities: {
      durations: [3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
      defaultDuration: 5,
      resolutions: ['480p', '720p', '1080p'],
      aspectRatios: ['21:9', '16:9', '4:3', '1:1', '3:4', '9:16'],
      frames: { first: false, last: false },
      referenceImages: 0,
      audio: false,
      seed: true,
      typicalRunSeconds: 90,
    },
    // Priced by video tokens (resolution × length): not one of the units a price is read from.
    input: { duration: 'plain', aspectRatio: true, seed: true, resolution: true },
  },
];

const ENDPOINTS = new Map(FAL_ENDPOINTS.map((e) => [e.id, e]));

/** The catalogue entry of a bundled endpoint, without its input mapping. */
function catalogModel({ input: _input, ...model }: FalEndpoint): CatalogModel {
  return model;
}

const ASPECTS = ['16:9', '9:16', '1:1'] as const;

function falStatus(raw: unknown): RemoteStatus {
  switch (raw) {
    case 'IN_QUEUE':
      return 'queued';
    case 'IN_PROGRESS':
      return 'running';
    case 'COMPLETED':
      return 'succeeded';
    default:
      return 'unknown';
  }
}

export const fal: ProviderDescriptor = {
  id: 'fal',
  label: LABEL,
  description: l10n.t('Kling, Veo 3.1, Wan, Hailuo, Seedance… on fal, with one key'),
  settings: { baseUrl: 'fal.baseUrl', urls: { apiUrl: 'fal.apiUrl' } },
  modes: ['text-to-video', 'image-to-video'],
  models: { fixed: FAL_ENDPOINTS.map((e) => ({ id: e.id, modes: e.modes })), custom: true },
  catalog: {
    published: (ctx) => fetchPrices(ctx),
    keyed: true,
    bundled: { asOf: FAL_CATALOG_AS_OF, models: FAL_ENDPOINTS.map(catalogModel) },
  },
  options: [
    {
      kind: 'enum',
      key: 'aspectRatio',
      price: true,
      target: 'request',
      modes: ['text-to-video'],
      label: l10n.t('Aspect ratio'),
      values: ASPECTS,
      unsetLabel: l10n.t('model default'),
    },
    NEGATIVE_PROMPT_FIELD,
  ],
  aspectRatios: ASPECTS,
  normalizeStatus: falStatus,
  envKeys: ['FAL_KEY'],
  limits: { concurrentPolls: 4 },
  authHeaders: (ctx) => ({ Authorization: `Key ${ctx.apiKey}` }),

  validate(req) {
    const id = req.model;
    if (!id || !ENDPOINT_ID.test(id) || id.split('/').includes('..')) {
      return l10n.t('Choose a fal endpoint id (e.g. fal-ai/veo3.1).');
    }
    if (!req.prompt.trim()) return l10n.t('fal needs a prompt.');
    if (req.video) return l10n.t('These fal endpoints do not restyle a video file.');
    if (req.pikaffect) return l10n.t('Pikaffects are a Pika feature.');
    if (req.style) return l10n.t('Styles are a HiDream video_edit feature.');
    if (req.images?.length) {
      return l10n.t("Reference images are not mapped for fal endpoints; give them in options under the endpoint's own field.");
    }
    if (req.aspectRatio !== undefined && !parseAspectRatio(req.aspectRatio)) {
      return l10n.t('Aspect ratio "{0}" must look like 16:9.', req.aspectRatio);
    }
    if (!validSeed(req.seed)) return l10n.t('Seed must be a whole number from 0 to 4294967295.');
    if (req.audio !== undefined && typeof req.audio !== 'boolean') return l10n.t('Audio must be true or false.');
    const endpoint = ENDPOINTS.get(id);
    if (!endpoint) return validateTyped(req, id);
    const refused = checkAgainstModel(endpoint, req);
    if (refused) return refused;
    const m = endpoint.input;
    if (req.negativePrompt && !m.negativePrompt) return l10n.t('{0} takes no negative prompt; say it in the prompt.', endpoint.label);
    if (m.requires?.includes('firstFrame') && !req.image) {
      return l10n.t('{0} needs a first frame (an image to start from).', endpoint.label);
    }
    if (m.requires?.includes('lastFrame') && !req.lastFrame) return l10n.t('{0} needs a last frame.', endpoint.label);
    return undefined;
  },

  buildCreate(req, media): CreateSpec {
    const id = req.model ?? '';
    const endpoint = ENDPOINTS.get(id);
    const body: Record<string, unknown> = endpoint ? knownInput(req, media, endpoint) : typedInput(req, media);
    const mode: GenerationMode = media.image || req.image ? 'image-to-video' : 'text-to-video';
    return { path: endpointPath(id), body, mode, model: id };
  },

  async create(ctx, req, media, requestId) {
    const spec = this.buildCreate(req, media, requestId);
    let json: unknown;
    try {
      json = (await providerRequest(this, ctx, { method: 'POST', path: spec.path, body: spec.body, isCreate: true })).json;
    } catch (e) {
      throw explainCreate(e, spec.model);
    }
    const answer = obj(json);
    const id = str(answer?.request_id);
    if (!answer || !id) {
      throw new ProviderError({
        kind: 'malformed',
        message: l10n.t('{0} accepted the request but sent no request id.', LABEL),
        mayHaveStarted: true,
      });
    }
    const { route, warning } = routeOf(answer, ctx.baseUrl, id, spec.model);
    if (warning) ctx.log?.warn(warning);
    return { remoteId: id, mode: spec.mode, model: spec.model, route };
  },

  async poll(ctx, tasks): Promise<PollResults> {
    const out: PollResults = new Map();
    await mapLimit(tasks, this.limits.concurrentPolls, async (t) => {
      try {
        out.set(t.id, await pollOne(this, ctx, t));
      } catch (e) {
        out.set(t.id, isProviderError(e) ? e : malformed(LABEL, String(e)));
      }
    });
    return out;
  },

  async cancel(ctx, task) {
    try {
      await providerRequest(this, ctx, { method: 'PUT', path: `${requestPath(task)}/cancel`, fallbackTimeoutMs: 15_000 });
    } catch (e) {
      if (isProviderError(e) && e.status === 400) {
        throw new ProviderError({
          kind: 'conflict',
          status: 400,
          message: l10n.t('{0}: this request already finished; it cannot be cancelled.', LABEL),
        });
      }
      if (isProviderError(e) && e.status === 404) {
        throw new ProviderError({
          kind: 'notFound',
          status: 404,
          message: l10n.t('{0} does not know this request (any more); nothing was cancelled.', LABEL),
        });
      }
      throw e;
    }
  },

  async testConnection(ctx) {
    const prices = await readPrices({ ...ctx }, [FAL_ENDPOINTS[2].id], 15_000);
    const veo = prices.get(FAL_ENDPOINTS[2].id);
    const rule = veo?.rules[0];
    return rule
      ? l10n.t('{0} accepted the key; {1} costs ${2} a second of video.', LABEL, FAL_ENDPOINTS[2].label, rule.usd.toFixed(2))
      : l10n.t('{0} accepted the key.', LABEL);
  },
};

/** `/{endpoint id}`, each segment encoded. */
function endpointPath(id: string): string {
  return `/${id.split('/').map(encodeURIComponent).join('/')}`;
}

/** The path under the base URL of a task's request: `/{owner}/{app}/requests/{id}`, from the route its create answered. */
function requestPath(task: Pick<Task, 'route' | 'model' | 'remoteId'>): string {
  const app = task.route ? task.route.split(':') : task.model.split('/').slice(0, 2);
  return `/${app.map(encodeURIComponent).join('/')}/requests/${encodeURIComponent(task.remoteId)}`;
}

// ---- the request ------------------------------------------------------------------------------

/** The neutral words a typed endpoint (not in the catalogue) cannot be given: how it takes them is unknown. */
function validateTyped(req: GenerateRequest, id: string): string | undefined {
  if (req.duration !== undefined) {
    return l10n.t(
      'The fal endpoint {0} is not in the catalogue, so how it takes a duration is unknown: give it in options as the endpoint writes it (e.g. "duration": "5").',
      id,
    );
  }
  if (req.lastFrame) {
    return l10n.t("The fal endpoint {0} is not in the catalogue: give the last frame in options under the endpoint's own field.", id);
  }
  return undefined;
}

/** The last frame after media resolution (base64 of a local file, or the URL). */
function lastFrameOf(req: GenerateRequest, media: ResolvedMedia): string | undefined {
  if (media.lastFrame) return asDataUri(media.lastFrame, media.lastFrameMime);
  if (req.lastFrame === undefined) return undefined;
  if (/^https:\/\//i.test(req.lastFrame)) return req.lastFrame;
  throw new ProviderError({ kind: 'input', message: l10n.t('The last frame ({0}) could not be read to send it.', req.lastFrame) });
}

/** The first frame: a local file as a data: URI, an https URL as it is. */
function firstFrameOf(req: GenerateRequest, media: ResolvedMedia): string | undefined {
  if (media.image) return asDataUri(media.image, media.imageMime);
  return req.image && /^https:\/\//i.test(req.image) ? req.image : undefined;
}

/** The request as a catalogued endpoint takes it: options as given, then the neutral words in its own names and forms. */
function knownInput(req: GenerateRequest, media: ResolvedMedia, e: FalEndpoint): Record<string, unknown> {
  const m = e.input;
  const { seconds: _legacy, ...options } = req.options ?? {};
  const body: Record<string, unknown> = { ...options, prompt: req.prompt };
  const duration = durationOf(req);
  if (duration !== undefined && m.duration) body.duration = m.duration === 's' ? `${duration}s` : String(duration);
  const resolution = resolutionOf(req);
  if (resolution !== undefined && m.resolution) body.resolution = resolution;
  if (req.aspectRatio !== undefined && m.aspectRatio) body.aspect_ratio = req.aspectRatio.trim();
  if (req.negativePrompt && m.negativePrompt) body.negative_prompt = req.negativePrompt;
  if (req.seed !== undefined && m.seed) body.seed = req.seed;
  if (req.audio !== undefined && m.audio) body.generate_audio = req.audio;
  const first = firstFrameOf(req, media);
  if (first && m.firstFrame) body[m.firstFrame] = first;
  const last = lastFrameOf(req, media);
  if (last && m.lastFrame) body[m.lastFrame] = last;
  return body;
}

/** A typed endpoint: the prompt and options as given, and the neutral words under fal's usual names. */
function typedInput(req: GenerateRequest, media: ResolvedMedia): Record<string, unknown> {
  const body: Record<string, unknown> = { ...(req.options ?? {}), prompt: req.prompt };
  if (req.resolution !== undefined) body.resolution = req.resolution;
  if (req.aspectRatio !== undefined) body.aspect_ratio = req.aspectRatio.trim();
  if (req.negativePrompt) body.negative_prompt = req.negativePrompt;
  if (req.seed !== undefined) body.seed = req.seed;
  if (req.audio !== undefined) body.generate_audio = req.audio;
  const first = firstFrameOf(req, media);
  if (first) body.image_url = first;
  return body;
}

/** A refused create, said plainly: a 422 names the fields and what they permit; 401/403 are the key. */
function explainCreate(e: unknown, endpointId: string): unknown {
  if (!isProviderError(e)) return e;
  if (e.status === 422) {
    return e.with({
      kind: 'badRequest',
      message: l10n.t('{0} refused the input of {1}; nothing was started. {2}', LABEL, endpointId, e.message),
    });
  }
  if (e.status === 404) {
    return e.with({
      kind: 'notFound',
      modelNotFound: true,
      message: l10n.t('{0} has no endpoint "{1}": it is retired or unknown. ({2})', LABEL, endpointId, e.message),
    });
  }
  return e;
}

/**
 * Where the request's status, result and cancel live: the `{owner}/{app}` path of the answer's
 * `status_url` (kept as the task's route, `:`-joined), when that URL is under the base URL and has
 * fal's shape. Otherwise the endpoint id's first two segments, with a warning: the key is sent only
 * under the base URL, and the full endpoint id never names those routes.
 */
export function routeOf(
  answer: Record<string, unknown>,
  baseUrl: string,
  requestId: string,
  endpointId: string,
): { route: string; warning?: string } {
  const fallback = endpointId.split('/').slice(0, 2).join(':');
  const statusUrl = str(answer.status_url);
  if (!statusUrl) return { route: fallback };
  if (!isUnder(statusUrl, baseUrl)) {
    let host = 'an invalid URL';
    try {
      host = sanitizeText(new URL(statusUrl).host, [], MAX_PROVIDER_WORD);
    } catch {
      // keep the placeholder
    }
    return {
      route: fallback,
      warning: l10n.t('{0} answered a status URL on another host ({1}); it is not followed, and the key is not sent there.', LABEL, host),
    };
  }
  const rest = new URL(statusUrl).pathname.slice(new URL(baseUrl).pathname.replace(/\/+$/, '').length + 1);
  const m = /^((?:[\w.-]+\/){1,2}[\w.-]+)\/requests\/([^/]+)\/status$/.exec(rest);
  if (!m || decodeURIComponent(m[2]) !== requestId) {
    return {
      route: fallback,
      warning: l10n.t('{0} answered a status URL of an unexpected shape; the request is asked about at its app.', LABEL),
    };
  }
  return { route: m[1].split('/').join(':') };
}

// ---- polling ----------------------------------------------------------------------------------

/** One request's state: its status (with queue position or logs), and once COMPLETED, its result. */
async function pollOne(provider: ProviderDescriptor, ctx: ProviderContext, t: Task): Promise<RemoteState> {
  const path = requestPath(t);
  const res = await providerRequest(provider, ctx, { method: 'GET', path: `${path}/status?logs=1` });
  const state = parseFalStatus(res.json);
  if (state.status !== 'succeeded') return state;
  try {
    const result = await providerRequest(provider, ctx, { method: 'GET', path, errorTypeHeader: ERROR_TYPE_HEADER });
    return { ...state, videos: [resultVideo(result.json)] };
  } catch (e) {
    const failed = failedResult(e);
    if (failed) return { ...state, status: 'failed', error: failed };
    throw e;
  }
}

/** A status answer as a task state: IN_QUEUE with its place in line, IN_PROGRESS with a percentage from the logs. */
export function parseFalStatus(json: unknown): RemoteState {
  const s = obj(json);
  if (!s) throw malformed(LABEL, l10n.t('the status is not a JSON object'));
  const status = falStatus(s.status);
  const raw = typeof s.status === 'string' ? s.status : String(s.status);
  const state: RemoteState = { status, rawStatus: raw, videos: [] };
  if (status === 'queued') {
    const position = num(s.queue_position);
    if (position !== undefined && Number.isInteger(position) && position >= 0) state.rawStatus = `${raw}, ${inLine(position + 1)}`;
  }
  if (status === 'running') {
    const progress = progressOf(s.logs);
    if (progress !== undefined) state.progress = progress;
  }
  return state;
}

/** "3rd in line": `place` is 1 for the next request to run. */
export function inLine(place: number): string {
  const tens = place % 100;
  const last = place % 10;
  if (last === 1 && tens !== 11) return l10n.t('{0}st in line', place);
  if (last === 2 && tens !== 12) return l10n.t('{0}nd in line', place);
  if (last === 3 && tens !== 13) return l10n.t('{0}rd in line', place);
  return l10n.t('{0}th in line', place);
}

/** The last percentage the logs mention ("Generating: 45%"), 0–99 (100 is for the finished task). */
export function progressOf(logs: unknown): number | undefined {
  if (!Array.isArray(logs)) return undefined;
  for (let i = logs.length - 1; i >= 0; i--) {
    const message = obj(logs[i])?.message;
    if (typeof message !== 'string') continue;
    const m = /(\d{1,3}(?:\.\d+)?)\s?%/.exec(message.slice(0, 1000));
    if (m && Number(m[1]) <= 100) return Math.min(99, Math.max(0, Math.round(Number(m[1]))));
  }
  return undefined;
}

/** The result's video: a public link, fetched without the key. */
function resultVideo(json: unknown): TaskVideo {
  const video = obj(obj(json)?.video);
  const url = httpUrl(video?.url);
  if (!url) throw malformed(LABEL, l10n.t('the result has no video URL'));
  return { url };
}

/**
 * A completed request whose result answers an error with a `detail` (and `X-Fal-Error-Type`): the
 * reason it failed. A key problem, a rate limit or a bare server error is not the request's outcome:
 * undefined, so it is asked again.
 */
function failedResult(e: unknown): string | undefined {
  if (!isProviderError(e) || e.status === undefined) return undefined;
  if ([401, 403, 404, 408, 429].includes(e.status)) return undefined;
  if (e.status >= 500 && e.providerCode === undefined) return undefined;
  const type = typeof e.providerCode === 'string' ? ` [${e.providerCode}]` : '';
  return l10n.t('{0}: the request completed but failed{1}: {2}', LABEL, type, e.message);
}

// ---- prices -----------------------------------------------------------------------------------

/** The bundled endpoints with the prices fal publishes now (the bundled price where it names none), with the key. */
async function fetchPrices(ctx: CatalogFetchContext): Promise<CatalogModel[]> {
  if (!ctx.apiKey) throw new ProviderError({ kind: 'auth', message: l10n.t('No API key set for {0}.', LABEL) });
  const ids = FAL_ENDPOINTS.map((e) => e.id);
  const live = new Map<string, ModelPrices>();
  for (let i = 0; i < ids.length; i += MAX_PRICE_IDS) {
    for (const [id, p] of await readPrices({ ...ctx, apiKey: ctx.apiKey }, ids.slice(i, i + MAX_PRICE_IDS), ctx.timeoutMs)) live.set(id, p);
  }
  return FAL_ENDPOINTS.map((e) => {
    const model = catalogModel(e);
    const prices = live.get(e.id);
    return prices ? { ...model, prices } : model;
  });
}

/** GET {apiUrl}/v1/models/pricing?endpoint_id=a,b (1 to 50 ids), with the key. */
async function readPrices(
  ctx: Pick<ProviderContext, 'apiKey' | 'settings' | 'signal'>,
  ids: readonly string[],
  timeoutMs: number | undefined,
): Promise<Map<string, ModelPrices>> {
  const apiUrl = ctx.settings?.apiUrl;
  if (!apiUrl) throw new ProviderError({ kind: 'config', message: l10n.t("Set aiVideo.fal.apiUrl to read fal's prices.") });
  const query = new URLSearchParams({ endpoint_id: ids.slice(0, MAX_PRICE_IDS).join(',') });
  const res = await requestJson({
    method: 'GET',
    url: `${joinUrl(apiUrl, '/v1/models/pricing')}?${query.toString()}`,
    apiKey: ctx.apiKey,
    authHeaders: { Authorization: `Key ${ctx.apiKey}` },
    providerLabel: LABEL,
    timeoutMs: timeoutMs ?? 10_000,
    signal: ctx.signal,
  });
  return parsePrices(res.json, ids);
}

/**
 * `{prices: [{endpoint_id, unit_price, unit, currency}]}` (untrusted) as price rules, for the ids asked
 * about: per second of video or per video, in USD. Any other unit or currency makes that endpoint's
 * price unknown, never wrong.
 */
export function parsePrices(json: unknown, ids: readonly string[]): Map<string, ModelPrices> {
  const list = obj(json)?.prices;
  if (!Array.isArray(list)) throw malformed(LABEL, l10n.t('the prices have no list'));
  const out = new Map<string, ModelPrices>();
  for (const entry of list.slice(0, MAX_PRICE_IDS * 2)) {
    const p = obj(entry);
    const id = str(p?.endpoint_id);
    if (!p || !id || !ids.includes(id) || out.has(id)) continue;
    const usd = num(p.unit_price);
    const unit = typeof p.unit === 'string' ? p.unit.trim().toLowerCase() : '';
    const currency = p.currency === undefined ? 'USD' : p.currency;
    const perSecondUnit = /^(video[ _-]?)?seconds?$/.test(unit);
    const perVideoUnit = /^videos?$/.test(unit);
    if (usd === undefined || !(usd >= 0) || currency !== 'USD' || !(perSecondUnit || perVideoUnit)) {
      out.set(id, { rules: [], unknown: [sanitizeText(`${unit || 'no unit'}`, [], MAX_PROVIDER_WORD)] });
      continue;
    }
    out.set(id, { rules: [{ unit: perSecondUnit ? 'second' : 'video', usd }] });
  }
  return out;
}
