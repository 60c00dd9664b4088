// The generic video gateway (docs/providers/gateway.md): POST /v1/video/generations,
// GET /v1/video/generations/{task_id}, both answer shapes (flat, and {code, data} envelope).
import * as l10n from '@vscode/l10n';

import { ProviderError } from '../core/model/errors';
import { TaskVideo } from '../core/model/task';
import type { CatalogModel } from '../core/provider/catalogTypes';
import { MODEL_ID_PATTERN } from '../core/provider/descriptor';
import { asDataUri } from '../core/request/media';
import { durationOf } from '../core/request/neutral';
import { httpUrl, num, obj, str } from '../shared/json';
import { parseProgress, RemoteStatus } from '../shared/taskStatus';
import {
  CreateSpec,
  malformed,
  NEGATIVE_PROMPT_FIELD,
  parseAspectRatio,
  parseVideoModelList,
  pollEach,
  PollResults,
  ProviderContext,
  ProviderDescriptor,
  providerRequest,
  RemoteState,
  SEED_FIELD,
  sendCreate,
  validSeed,
} from './clientKit';

const LABEL = l10n.t('Video gateway');
const ASPECTS = ['16:9', '9:16', '1:1'] as const;
const SIZES = ['1280x720', '720x1280', '1024x1024', '1920x1080', '960x960'] as const;

/** The models offered before the gateway is asked (the default of `aiVideo.gateway.models`). */
export const GATEWAY_MODEL_IDS = [
  'kling-v2-master',
  'kling-v1',
  'viduq1',
  'jimeng_vgfm_t2v_l20',
  'doubao-seedance-1-0-pro-250528',
  'veo3',
  'MiniMax-Hailuo-02',
] as const;

/**
 * A gateway publishes no capabilities: what its create takes for every model (docs/providers/gateway.md).
 * The length is any whole number of seconds the vendor accepts, so no list of them is known.
 */
export const GATEWAY_CATALOG: readonly CatalogModel[] = GATEWAY_MODEL_IDS.map((id) => ({
  id,
  label: id,
  modes: ['text-to-video', 'image-to-video'],
  capabilities: { resolutions: [], aspectRatios: ASPECTS, frames: { first: true, last: false }, audio: false, seed: true },
}));

/** Both answer shapes: the flat one (lower case) and the new-api envelope (upper case). */
function gatewayStatus(raw: unknown): RemoteStatus {
  if (typeof raw !== 'string') return 'unknown';
  switch (raw) {
    case 'queued':
    case 'NOT_START':
    case 'SUBMITTED':
    case 'QUEUED':
      return 'queued';
    case 'in_progress':
    case 'processing':
    case 'IN_PROGRESS':
      return 'running';
    case 'completed':
    case 'succeeded':
    case 'SUCCESS':
      return 'succeeded';
    case 'failed':
    case 'FAILURE':
      return 'failed';
    default:
      return 'unknown';
  }
}

export interface GatewayOptions {
  duration?: number;
  size?: string;
}

export const gateway: ProviderDescriptor = {
  id: 'gateway',
  label: LABEL,
  description: l10n.t('Kling, Vidu, Jimeng, Seedance, Veo, Hailuo… behind /v1/video/generations'),
  settings: { baseUrl: 'gateway.baseUrl' },
  modes: ['text-to-video', 'image-to-video'],
  models: { setting: 'gateway.models', list: listGatewayModels, custom: true },
  catalog: { own: GATEWAY_CATALOG },
  options: [
    NEGATIVE_PROMPT_FIELD,
    {
      kind: 'enum',
      key: 'aspectRatio',
      target: 'request',
      price: true,
      label: l10n.t('Aspect ratio'),
      values: ASPECTS,
      modes: ['text-to-video'],
      unsetLabel: l10n.t('default'),
    },
    SEED_FIELD,
    {
      kind: 'number',
      key: 'duration',
      price: true,
      label: l10n.t('Duration (seconds)'),
      min: 1,
      max: 60,
      integer: true,
      unsetLabel: l10n.t('model default'),
    },
    { kind: 'enum', key: 'size', price: true, label: l10n.t('Size'), values: SIZES },
  ],
  aspectRatios: ASPECTS,
  normalizeStatus: gatewayStatus,
  limits: { concurrentPolls: 4 },

  validate(req) {
    const o = (req.options ?? {}) as GatewayOptions;
    if (!req.model || !MODEL_ID_PATTERN.test(req.model)) return l10n.t('Choose a gateway model id (e.g. kling-v1).');
    if (!req.prompt.trim()) return l10n.t('The gateway needs a prompt.');
    if (req.video) return l10n.t('The gateway does not restyle videos; use HiDream (video_edit) for that.');
    if (req.pikaffect) return l10n.t('Pikaffects are a Pika feature.');
    if (req.style) return l10n.t('Styles are a HiDream video_edit feature.');
    if (req.image && req.images) return l10n.t('Give either one image or several, not both.');
    if (req.aspectRatio !== undefined && !parseAspectRatio(req.aspectRatio)) {
      return l10n.t('Aspect ratio "{0}" must look like 16:9.', req.aspectRatio);
    }
    if (!validSeed(req.seed)) return l10n.t('Seed must be a whole number from 0 to 4294967295.');
    const duration = durationOf(req);
    if (duration !== undefined && !(Number.isInteger(duration) && duration >= 1 && duration <= 60)) {
      return l10n.t('Duration must be a whole number of seconds from 1 to 60.');
    }
    if (req.resolution !== undefined) return l10n.t('The gateway takes a size (like 1280x720) rather than a resolution.');
    if (req.lastFrame) return l10n.t('{0} does not take a last frame.', LABEL);
    if (req.audio) return l10n.t('{0} does not generate sound.', LABEL);
    if (o.size !== undefined && !/^\d{2,5}x\d{2,5}$/.test(o.size)) return l10n.t('Size must look like 1280x720.');
    return undefined;
  },

  buildCreate(req, media): CreateSpec {
    const o = (req.options ?? {}) as GatewayOptions;
    const body: Record<string, unknown> = { model: req.model, prompt: req.prompt };
    if (media.image) body.image = asDataUri(media.image, media.imageMime);
    if (media.images) body.images = media.images.map((v, i) => asDataUri(v, media.imagesMime?.[i]));
    if (o.size) body.size = o.size;
    const duration = durationOf(req);
    if (duration !== undefined) body.duration = duration;
    const metadata: Record<string, unknown> = {};
    if (req.seed !== undefined) metadata.seed = req.seed;
    if (req.negativePrompt) metadata.negative_prompt = req.negativePrompt;
    if (req.aspectRatio) metadata.aspect_ratio = req.aspectRatio;
    if (Object.keys(metadata).length) body.metadata = metadata;
    return {
      path: '/v1/video/generations',
      body,
      model: req.model ?? '',
      mode: media.image || media.images ? 'image-to-video' : 'text-to-video',
    };
  },

  async create(ctx, req, media, requestId) {
    const spec = this.buildCreate(req, media, requestId);
    const id = parseGatewayCreate(await sendCreate(this, ctx, spec));
    return { remoteId: id, mode: spec.mode, model: spec.model };
  },

  poll(ctx, tasks): Promise<PollResults> {
    return pollEach(this, ctx, tasks, { path: (t) => `/v1/video/generations/${encodeURIComponent(t.remoteId)}`, parse: parseGatewayTask });
  },

  async testConnection(ctx) {
    const models = await listGatewayModels(ctx);
    const host = new URL(ctx.baseUrl).host;
    return models.length === 1
      ? l10n.t('The gateway at {0} accepted the key (1 video model listed).', host)
      : l10n.t('The gateway at {0} accepted the key ({1} video models listed).', host, models.length);
  },
};

/** The video models `GET /v1/models` lists. */
export async function listGatewayModels(ctx: ProviderContext): Promise<string[]> {
  return parseVideoModelList((await providerRequest(gateway, ctx, { method: 'GET', path: '/v1/models', fallbackTimeoutMs: 15_000 })).json);
}

/** The create answer: `task_id ?? id`, possibly inside a `{code, data}` envelope. */
export function parseGatewayCreate(json: unknown): string {
  const root = obj(json);
  const data = obj(root?.data) ?? root;
  const id = str(data?.task_id) ?? str(data?.id) ?? (typeof data?.task_id === 'number' ? String(data.task_id) : undefined);
  if (!id) {
    throw new ProviderError({
      kind: 'malformed',
      message: l10n.t('{0} accepted the request but sent no task id.', LABEL),
      mayHaveStarted: true,
    });
  }
  return id;
}

/** Parses either answer shape of GET /v1/video/generations/{id}. */
export function parseGatewayTask(json: unknown): RemoteState {
  const root = obj(json);
  if (!root) throw malformed(LABEL, l10n.t('the task is not a JSON object'));
  // Envelope: {code: "success", message, data: {...}}
  if ('data' in root && obj(root.data) && ('code' in root || !('status' in root))) {
    if (root.code !== undefined && root.code !== 'success' && root.code !== 0 && root.code !== 200) {
      const message = str(root.message) ?? String(root.code);
      if (root.code === 'task_not_exist') {
        throw new ProviderError({
          kind: 'notFound',
          message: l10n.t('{0}: task does not exist ({1}).', LABEL, message),
          providerCode: 'task_not_exist',
        });
      }
      throw new ProviderError({ kind: 'business', message: `${LABEL}: ${message}`, providerCode: String(root.code) });
    }
    return parseEnvelopeData(obj(root.data)!);
  }
  if (root.code === 'task_not_exist') {
    throw new ProviderError({
      kind: 'notFound',
      message: l10n.t('{0}: task does not exist ({1}).', LABEL, str(root.message) ?? 'task_not_exist'),
      providerCode: 'task_not_exist',
    });
  }
  return parseFlat(root);
}

function parseFlat(o: Record<string, unknown>): RemoteState {
  const raw = typeof o.status === 'string' ? o.status : String(o.status);
  const status = gatewayStatus(o.status);
  const meta = obj(o.metadata) ?? {};
  const err = obj(o.error);
  const videos: TaskVideo[] = [];
  const url = httpUrl(o.url) ?? httpUrl(o.video_url) ?? httpUrl(o.result_url);
  if (status === 'succeeded' && url) {
    videos.push({
      url,
      seed: num(meta.seed),
      duration: num(meta.duration),
      width: num(meta.width),
      height: num(meta.height),
      fps: num(meta.fps),
    });
  }
  const state: RemoteState = { status, rawStatus: raw, progress: parseProgress(o.progress), videos };
  if (status === 'failed') state.error = str(err?.message) ?? str(o.fail_reason) ?? l10n.t('{0} reported the generation failed.', LABEL);
  return fixMissingResult(state);
}

function parseEnvelopeData(d: Record<string, unknown>): RemoteState {
  const raw = typeof d.status === 'string' ? d.status : String(d.status);
  const status = gatewayStatus(d.status);
  const videos: TaskVideo[] = [];
  // result_url is a video only on SUCCESS; on FAILURE it may hold the failure text.
  const url = status === 'succeeded' ? (httpUrl(d.result_url) ?? httpUrl(obj(d.data)?.url)) : undefined;
  if (url) videos.push({ url });
  const state: RemoteState = { status, rawStatus: raw, progress: parseProgress(d.progress), videos };
  if (status === 'failed') {
    state.error =
      str(d.fail_reason) ?? (httpUrl(d.result_url) ? undefined : str(d.result_url)) ?? l10n.t('{0} reported the generation failed.', LABEL);
  }
  return fixMissingResult(state);
}

function fixMissingResult(s: RemoteState): RemoteState {
  if (s.status === 'succeeded' && s.videos.length === 0) {
    return { ...s, status: 'failed', error: l10n.t('{0} reported success but gave no valid video URL.', LABEL) };
  }
  return s;
}
