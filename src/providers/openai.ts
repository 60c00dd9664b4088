// OpenAI-compatible video servers: the gateways and local servers that speak OpenAI's Videos protocol,
// /v1/videos (docs/providers/openai.md; OpenAI itself shut that API and Sora 2 down on 2026-09-24).
// Create as multipart/form-data as the official SDK sends it, GET /videos/{id}, the result and its thumbnail
// from /videos/{id}/content (with the key), and remix. The base URL includes the version
// (https://host/v1), may carry a path prefix, and has no default: the user names the server. The
// models are the server's; with none chosen no `model` is sent, and the server's default applies.
import * as l10n from '@vscode/l10n';

import { isProviderError, ProviderError } from '../core/model/errors';
import type { GenerateRequest, GenerationMode, Task, TaskVideo } from '../core/model/task';
import { safeId } from '../core/net/sanitize';
import { MODEL_ID_PATTERN, type ProviderAction } from '../core/provider/descriptor';
import type { ImageSize } from '../core/request/media';
import { durationOf } from '../core/request/neutral';
import { num, obj, str } from '../shared/json';
import { parseProgress, RemoteStatus } from '../shared/taskStatus';
import {
  malformed,
  parseVideoModelList,
  pollEach,
  providerRequest,
  serverDate,
  type CreateSpec,
  type PollResults,
  type ProviderContext,
  type ProviderDescriptor,
  type RemoteState,
  type ResolvedMedia,
} from './clientKit';

const LABEL = l10n.t('OpenAI-compatible server');
/** The size an aspect ratio asks for (the automation contract takes `aspectRatio` too). */
const ASPECT_SIZES: Readonly<Record<string, string>> = { '16:9': '1280x720', '9:16': '720x1280' };
/** No model chosen: no `model` field is sent and the server's default applies (the task takes the model it answers with). */
const DEFAULT_MODEL = '';
/** The longest video asked for, in seconds: a bound on typos, not any server's limit. */
export const MAX_SECONDS = 60;
/** A size as `WIDTHxHEIGHT` in pixels, each side 1 to 9999. */
const SIZE_PATTERN = /^[1-9]\d{0,3}x[1-9]\d{0,3}$/;

export interface OpenAiOptions {
  /** Whole seconds, 1 to 60; numbers are accepted and sent as strings. Which lengths a model makes is the server's business. */
  seconds?: string | number;
  /** `WIDTHxHEIGHT`, e.g. "1280x720". */
  size?: string;
  /** The id of a finished video this one remixes (set by the Remix… action). */
  remixOf?: string;
}

const optionsOf = (req: GenerateRequest): OpenAiOptions => (req.options ?? {}) as OpenAiOptions;

/** Seconds as sent: a whole number from 1 to 60, as a string or a number; undefined when it is not one. */
export function secondsOf(raw: unknown): string | undefined {
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  if (!/^[1-9]\d*$/.test(text)) return undefined;
  return Number(text) <= MAX_SECONDS ? text : undefined;
}

/** Whether the size reads as `WIDTHxHEIGHT` within sane bounds. */
export function isSize(raw: unknown): raw is string {
  return typeof raw === 'string' && SIZE_PATTERN.test(raw);
}

function openAiStatus(raw: unknown): RemoteStatus {
  switch (raw) {
    case 'queued':
      return 'queued';
    case 'in_progress':
      return 'running';
    case 'completed':
      return 'succeeded';
    case 'failed':
    case 'cancelled':
      return 'failed';
    default:
      return 'unknown';
  }
}

const isLandscape = (size: string): boolean => {
  const [w, h] = size.split('x').map(Number);
  return w >= h;
};

/** The size asked for: `options.size`, else the one the aspect ratio names; undefined leaves it to the server. */
function requestedSize(req: GenerateRequest): string | undefined {
  return optionsOf(req).size ?? (req.aspectRatio !== undefined ? ASPECT_SIZES[req.aspectRatio] : undefined);
}

/**
 * The protocol wants the reference image to match the size (OpenAI's rule, which compatible servers
 * keep): the video is made at the image's size, with a warning when another size was asked for.
 * Which sizes a model makes is the server's business; it says so when it cannot make this one.
 */
export function fitSize(requested: string | undefined, image: ImageSize): { size: string; warning?: string } {
  const size = `${image.width}x${image.height}`;
  if (requested === undefined || requested === size) return { size };
  return {
    size,
    warning: l10n.t('The image is {0}, so the video is {1}, not {2}: the server needs the image to match the size.', size, size, requested),
  };
}

/** A request whose size is the fitted one (an aspect ratio gives way to it). */
function withSize(req: GenerateRequest, size: string): GenerateRequest {
  const { aspectRatio: _dropped, ...rest } = req;
  return { ...rest, options: { ...req.options, size } };
}

const IMAGE_NAMES: Readonly<Record<string, string>> = {
  'image/png': 'reference.png',
  'image/jpeg': 'reference.jpg',
  'image/webp': 'reference.webp',
};

/** Every field as the SDK encodes it: strings as they are, a Blob as a file part, an object as `key[name]` fields. */
export function toFormData(body: Record<string, unknown>): FormData {
  const form = new FormData();
  for (const [key, value] of Object.entries(body)) {
    if (value instanceof Blob) form.append(key, value, IMAGE_NAMES[value.type] ?? 'reference');
    else if (value && typeof value === 'object') for (const [name, v] of Object.entries(value)) form.append(`${key}[${name}]`, String(v));
    else if (value !== undefined) form.append(key, String(value));
  }
  return form;
}

const videoPath = (id: string) => `/videos/${encodeURIComponent(id)}`;

const REMIX: ProviderAction = {
  id: 'remix',
  label: l10n.t('Remix…'),
  appliesTo: (t) => t.status === 'succeeded' && t.remoteId !== '',
  input: {
    prompt: l10n.t('What should change? The new prompt for this video.'),
    placeholder: l10n.t('The same scene at night, in falling snow'),
  },
  request: (t, text) => ({ provider: t.provider, prompt: text, ...(t.model ? { model: t.model } : {}), options: { remixOf: t.remoteId } }),
};

/**
 * A remix refused because the server has no remix route (404 or 405, not the protocol's
 * `video_not_found` for an unknown source video): said plainly; anything else as it came.
 */
export function remixError(e: unknown, baseUrl: string): unknown {
  if (!isProviderError(e) || (e.status !== 404 && e.status !== 405) || e.providerCode === 'video_not_found') return e;
  return new ProviderError({
    kind: 'badRequest',
    status: e.status,
    message: l10n.t('This server ({0}) does not support remix (HTTP {1}).', new URL(baseUrl).host, e.status),
  });
}

export const openai: ProviderDescriptor = {
  id: 'openai',
  label: LABEL,
  description: l10n.t('OpenAI-compatible video server (/v1/videos): text or image to video, remix'),
  settings: { baseUrl: 'openai.baseUrl' },
  modes: ['text-to-video', 'image-to-video'],
  // No model of its own: the ones the server lists, any typed id, or none (the server's default).
  models: { list: listOpenAiModels, custom: true, optional: true },
  options: [
    {
      kind: 'number',
      key: 'seconds',
      price: true,
      label: l10n.t('Seconds'),
      min: 1,
      max: MAX_SECONDS,
      integer: true,
      unsetLabel: l10n.t("the server's default"),
      prompt: l10n.t(
        "Seconds: a whole number from 1 to {0}; which lengths a model makes is up to the server. Leave empty for the server's default.",
        MAX_SECONDS,
      ),
    },
    {
      kind: 'text',
      key: 'size',
      price: true,
      label: l10n.t('Size'),
      maxLength: 9,
      format: { pattern: SIZE_PATTERN, example: '1280x720', hint: l10n.t('Size must be WIDTHxHEIGHT in pixels, e.g. 1280x720.') },
      unsetLabel: l10n.t("the server's default"),
      prompt: l10n.t(
        "Size as WIDTHxHEIGHT, e.g. 1280x720; which sizes a model makes is up to the server. Leave empty for the server's default.",
      ),
    },
  ],
  aspectRatios: Object.keys(ASPECT_SIZES),
  normalizeStatus: openAiStatus,
  actions: [REMIX],
  envKeys: ['OPENAI_API_KEY'],
  limits: { concurrentPolls: 4 },

  validate(req) {
    const o = optionsOf(req);
    if (req.model !== undefined && !MODEL_ID_PATTERN.test(req.model)) {
      return l10n.t('Choose a model id the server serves (e.g. wan-2.2), or none for its default.');
    }
    if (!req.prompt.trim()) return l10n.t('A /v1/videos server needs a prompt.');
    if (req.images) return l10n.t('A /v1/videos server takes one reference image, not several.');
    if (req.video) return l10n.t('A /v1/videos server does not restyle a video file; use Remix… on a finished task of this provider.');
    if (req.pikaffect) return l10n.t('Pikaffects are a Pika feature.');
    if (req.style) return l10n.t('Styles are a HiDream video_edit feature.');
    if (req.seed !== undefined) return l10n.t('The /v1/videos protocol takes no seed.');
    if (req.negativePrompt) return l10n.t('The /v1/videos protocol takes no negative prompt; say it in the prompt.');
    const seconds = durationOf(req);
    if (seconds !== undefined && secondsOf(seconds) === undefined) {
      return l10n.t('Seconds must be a whole number from 1 to {0}.', MAX_SECONDS);
    }
    if (req.lastFrame) return l10n.t('{0} does not take a last frame.', LABEL);
    if (req.audio) return l10n.t('{0} does not generate sound.', LABEL);
    if (o.size !== undefined && !isSize(o.size)) return l10n.t('Size must be WIDTHxHEIGHT in pixels, e.g. 1280x720.');
    if (req.aspectRatio !== undefined) {
      const size = ASPECT_SIZES[req.aspectRatio];
      if (!size) return l10n.t('Aspect ratio must be 16:9 or 9:16 (or choose a size).');
      if (o.size !== undefined && isLandscape(o.size) !== isLandscape(size)) {
        return l10n.t('Aspect ratio {0} and size {1} disagree; give one of them.', req.aspectRatio, o.size);
      }
    }
    if (o.remixOf !== undefined) {
      if (typeof o.remixOf !== 'string' || !safeId(o.remixOf)) return l10n.t('remixOf must be the id of a finished video on this server.');
      if (req.image || seconds !== undefined || o.size !== undefined || req.aspectRatio !== undefined) {
        return l10n.t("A remix keeps the source video's length and size and takes no image: give only a prompt.");
      }
    }
    return undefined;
  },

  fitToImage(req, image) {
    const { size, warning } = fitSize(requestedSize(req), image);
    return { req: withSize(req, size), ...(warning ? { warning } : {}) };
  },

  buildCreate(req, media): CreateSpec {
    const o = optionsOf(req);
    // No model chosen: no `model` field, so the server's default applies.
    const model = req.model ?? DEFAULT_MODEL;
    if (o.remixOf !== undefined) return { path: `${videoPath(o.remixOf)}/remix`, body: { prompt: req.prompt }, mode: 'video-edit', model };
    const size = media.imageSize ? fitSize(requestedSize(req), media.imageSize).size : requestedSize(req);
    const body: Record<string, unknown> = { prompt: req.prompt };
    if (model) body.model = model;
    const seconds = secondsOf(durationOf(req));
    if (seconds !== undefined) body.seconds = seconds;
    if (size) body.size = size;
    if (media.image) body.input_reference = referenceOf(media);
    return { path: '/videos', body, mode: media.image ? 'image-to-video' : 'text-to-video', model };
  },

  async create(ctx, req, media, requestId) {
    const spec = this.buildCreate(req, media, requestId);
    const remix = optionsOf(req).remixOf !== undefined;
    if (!remix && media.imageSize) {
      const { warning } = fitSize(requestedSize(req), media.imageSize);
      if (warning) ctx.log?.warn(warning);
    }
    // The SDK sends a create as multipart and a remix (no file in it) as JSON.
    const res = await providerRequest(this, ctx, {
      method: 'POST',
      path: spec.path,
      body: remix ? spec.body : toFormData(spec.body),
      isCreate: true,
    }).catch((e: unknown) => {
      throw remix ? remixError(e, ctx.baseUrl) : e;
    });
    const answer = obj(res.json);
    const id = str(answer?.id);
    if (!id) {
      throw new ProviderError({
        kind: 'malformed',
        message: l10n.t('{0} accepted the request but sent no video id.', LABEL),
        mayHaveStarted: true,
      });
    }
    return { remoteId: id, mode: spec.mode, model: str(answer?.model) ?? spec.model };
  },

  async listLostJobs(ctx, task) {
    const res = await providerRequest(this, ctx, {
      method: 'GET',
      path: `/videos?limit=${LOST_JOB_PAGE}&order=desc`,
      fallbackTimeoutMs: 15_000,
    });
    const data = obj(res.json)?.data;
    if (!Array.isArray(data)) throw malformed(LABEL, l10n.t('the list of videos has no data array'));
    const o = optionsOf(task.request);
    const mode: GenerationMode = o.remixOf !== undefined ? 'video-edit' : task.request.image ? 'image-to-video' : 'text-to-video';
    const model = task.request.model ?? DEFAULT_MODEL;
    const jobs = lostJobsIn(data, task).map(({ id, at, status }) => ({
      remoteId: id,
      createdAt: at,
      mode,
      model,
      ...(status && { rawStatus: status }),
    }));
    return { jobs, serverDate: serverDate(res) };
  },

  poll(ctx, tasks): Promise<PollResults> {
    return pollEach(this, ctx, tasks, { path: (t) => videoPath(t.remoteId), parse: (json, t) => parseVideo(json, ctx.baseUrl, t) });
  },

  async testConnection(ctx) {
    const host = new URL(ctx.baseUrl).host;
    try {
      const models = await listOpenAiModels(ctx);
      return models.length === 1
        ? l10n.t('{0} at {1} accepted the key (1 video model listed).', LABEL, host)
        : l10n.t('{0} at {1} accepted the key ({2} video models listed).', LABEL, host, models.length);
    } catch (e) {
      // A server that lists no models may still serve videos: its list of them proves the key.
      if (!isProviderError(e) || e.kind !== 'notFound') throw e;
      await providerRequest(this, ctx, { method: 'GET', path: '/videos?limit=1', fallbackTimeoutMs: 15_000 });
      return l10n.t('{0} at {1} accepted the key.', LABEL, host);
    }
  },
};

/** How many of the newest videos "Find This Job" looks through. */
const LOST_JOB_PAGE = 50;

/**
 * The listed videos an uncertain create may have started: the same prompt, model, length, size and
 * remix source, newest first, with when each was made (epoch ms by the server's clock). Which of
 * them were made while the create was out, and which no task follows, the engine decides.
 */
export function lostJobsIn(list: unknown[], task: Pick<Task, 'request'>): { id: string; at: number; status?: string }[] {
  const o = optionsOf(task.request);
  const seconds = durationOf(task.request);
  const model = task.request.model ?? DEFAULT_MODEL;
  const size = requestedSize(task.request);
  const out: { id: string; at: number; status?: string }[] = [];
  for (const item of list) {
    const v = obj(item);
    const id = safeId(v?.id);
    const at = num(v?.created_at);
    if (!v || !id || at === undefined) continue;
    if (v.prompt !== task.request.prompt || (model !== DEFAULT_MODEL && v.model !== model)) continue;
    if (seconds !== undefined && v.seconds !== String(seconds)) continue;
    if (size !== undefined && o.remixOf === undefined && !task.request.image && v.size !== size) continue;
    if ((v.remixed_from_video_id ?? null) !== (o.remixOf ?? null)) continue;
    const status = str(v.status);
    out.push({ id, at: at * 1000, ...(status && safeId(status) ? { status } : {}) });
  }
  return out.sort((a, b) => b.at - a.at);
}

/** The input_reference part: the local image as a file, a URL as `input_reference[image_url]`. */
function referenceOf(media: ResolvedMedia): Blob | { image_url: string } {
  if (media.imageMime === undefined) return { image_url: media.image! };
  return new Blob([Buffer.from(media.image!, 'base64')], { type: media.imageMime });
}

/** The video models `GET {base}/models` lists. */
export async function listOpenAiModels(ctx: ProviderContext): Promise<string[]> {
  return parseVideoModelList((await providerRequest(openai, ctx, { method: 'GET', path: '/models', fallbackTimeoutMs: 15_000 })).json);
}

/** A Video object as a task state; result URLs are built from the id the task was created with. */
export function parseVideo(json: unknown, baseUrl: string, task: Pick<Task, 'remoteId'>): RemoteState {
  const v = obj(json);
  if (!v) throw malformed(LABEL, l10n.t('the video is not a JSON object'));
  const status = openAiStatus(v.status);
  const state: RemoteState = {
    status,
    rawStatus: typeof v.status === 'string' ? v.status : String(v.status),
    progress: parseProgress(v.progress),
    videos: [],
  };
  if (status === 'failed') {
    const err = obj(v.error);
    const code = str(err?.code);
    const failure = str(err?.message) ?? l10n.t('{0} reported the generation failed.', LABEL);
    state.error = code ? `${failure} (${code})` : failure;
  }
  if (status === 'succeeded') state.videos.push(resultOf(v, baseUrl, task.remoteId));
  return state;
}

function resultOf(v: Record<string, unknown>, baseUrl: string, id: string): TaskVideo {
  const content = `${baseUrl.replace(/\/+$/, '')}${videoPath(id)}/content`;
  const video: TaskVideo = { url: content, id, posterUrl: `${content}?variant=thumbnail`, authenticated: true };
  const expires = num(v.expires_at);
  if (expires !== undefined) video.expiresAt = expires * 1000;
  const seconds = Number(v.seconds);
  if (Number.isFinite(seconds) && seconds > 0) video.duration = seconds;
  const size = typeof v.size === 'string' ? /^(\d+)x(\d+)$/.exec(v.size) : null;
  if (size) {
    video.width = Number(size[1]);
    video.height = Number(size[2]);
  }
  return video;
}
