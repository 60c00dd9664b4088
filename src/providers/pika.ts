// Pika through an API gateway (docs/providers/pika.md): POST /pika/generate, GET /pika/feed/{id}.
import * as l10n from '@vscode/l10n';

import { isProviderError, ProviderError } from '../core/model/errors';
import { GenerateRequest, TaskVideo } from '../core/model/task';
import type { CatalogModel, ModelCapabilities } from '../core/provider/catalogTypes';
import { httpUrl, num, obj, str } from '../shared/json';
import { combineStatuses, parseProgress, RemoteStatus } from '../shared/taskStatus';
import {
  CreateResult,
  CreateSpec,
  malformed,
  NEGATIVE_PROMPT_FIELD,
  OptionField,
  parseAspectRatio,
  pollEach,
  PollResults,
  ProviderDescriptor,
  providerRequest,
  RemoteState,
  SEED_FIELD,
  sendCreate,
  validSeed,
} from './clientKit';

export const PIKA_MODELS = ['1.5', '2.0'] as const;

/** The model Pika uses when a request names none: 2.0 for ingredients (only it takes them), else 1.5. */
function defaultModel(ingredients: boolean): string {
  return ingredients ? '2.0' : '1.5';
}
export const PIKA_ASPECTS = ['16:9', '9:16', '1:1', '4:3', '3:4', '4:5', '21:9'] as const;
/** Seed 002's list, then Pika's own extras (docs/providers/pika.md). */
export const PIKAFFECTS = [
  'Levitate',
  'Decapitate',
  'Eye-pop',
  'Ta-da',
  'Deflate',
  'Crumble',
  'Dissolve',
  'Squish',
  'Inflate',
  'Melt',
  'Crush',
  'Cake-ify',
  'Explode',
  'Peel',
  'Poke',
  'Tear',
] as const;
export const PIKA_CAMERA = {
  zoom: ['in', 'out'],
  pan: ['left', 'right'],
  tilt: ['up', 'down'],
  rotate: ['cw', 'ccw'],
} as const;

export interface PikaOptions {
  motion?: number;
  guidanceScale?: number;
  frameRate?: number;
  camera?: Partial<Record<keyof typeof PIKA_CAMERA, string>>;
  ingredientsMode?: 'precise' | 'creative';
  extend?: boolean;
}

const LABEL = 'Pika';

/** `videos[].status`: "pending" is queued until progress shows, then running. */
function pikaStatus(raw: unknown, progress: number | undefined): RemoteStatus {
  switch (typeof raw === 'string' ? raw.toLowerCase() : raw) {
    case 'queued':
      return 'queued';
    case 'pending':
      return progress !== undefined && progress > 0 ? 'running' : 'queued';
    case 'finished':
      return 'succeeded';
    case 'error':
    case 'failed':
      return 'failed';
    default:
      return 'unknown';
  }
}

const PIKA_OPTIONS: readonly OptionField[] = [
  NEGATIVE_PROMPT_FIELD,
  {
    kind: 'enum',
    key: 'aspectRatio',
    target: 'request',
    price: true,
    label: l10n.t('Aspect ratio'),
    values: PIKA_ASPECTS,
    modes: ['text-to-video', 'ingredients'],
    unsetLabel: l10n.t('default'),
  },
  SEED_FIELD,
  {
    kind: 'enum',
    key: 'pikaffect',
    target: 'request',
    label: l10n.t('Pikaffect'),
    values: PIKAFFECTS,
    valueDescription: l10n.t('adds sound'),
  },
  { kind: 'number', key: 'motion', label: l10n.t('Motion'), min: 0, max: 4, default: 1 },
  { kind: 'number', key: 'guidanceScale', label: l10n.t('Guidance scale'), min: 5, max: 25, default: 12 },
  { kind: 'number', key: 'frameRate', label: l10n.t('Frame rate'), min: 8, max: 24, integer: true, default: 24 },
  ...(Object.keys(PIKA_CAMERA) as (keyof typeof PIKA_CAMERA)[]).map((axis): OptionField => ({
    kind: 'enum',
    key: `camera.${axis}`,
    label: l10n.t('Camera {0}', axis),
    values: PIKA_CAMERA[axis],
  })),
  { kind: 'enum', key: 'ingredientsMode', label: l10n.t('Ingredients mode'), values: ['precise', 'creative'], modes: ['ingredients'] },
];

/** Pika publishes no catalogue: what its create takes (docs/providers/pika.md). No length or resolution is chosen. */
const PIKA_CAPABILITIES: ModelCapabilities = {
  durations: [],
  resolutions: [],
  aspectRatios: PIKA_ASPECTS,
  frames: { first: true, last: false },
  audio: false,
  seed: true,
};
export const PIKA_CATALOG: readonly CatalogModel[] = [
  // Pika publishes no limit on ingredients: the request's own (10 images).
  {
    id: '2.0',
    label: 'Pika 2.0',
    modes: ['text-to-video', 'image-to-video', 'ingredients'],
    capabilities: { ...PIKA_CAPABILITIES, referenceImages: 10 },
  },
  { id: '1.5', label: 'Pika 1.5', modes: ['text-to-video', 'image-to-video'], capabilities: { ...PIKA_CAPABILITIES, referenceImages: 0 } },
];

export function pikaOptions(req: GenerateRequest): PikaOptions {
  return (req.options ?? {}) as PikaOptions;
}

function inRange(v: unknown, min: number, max: number, integer = false): boolean {
  return typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max && (!integer || Number.isInteger(v));
}

export const pika: ProviderDescriptor = {
  id: 'pika',
  label: LABEL,
  description: l10n.t('Pika 1.5 / 2.0: text, image, ingredients, Pikaffects'),
  settings: { baseUrl: 'pika.baseUrl' },
  modes: ['text-to-video', 'image-to-video', 'ingredients'],
  models: {
    fixed: [{ id: '2.0' }, { id: '1.5', modes: ['text-to-video', 'image-to-video'] }],
    // Offered first, 2.0 is not what Pika makes when no model is named: 1.5, except for ingredients.
    defaultFor: (mode) => defaultModel(mode === 'ingredients'),
  },
  catalog: { own: PIKA_CATALOG },
  options: PIKA_OPTIONS,
  aspectRatios: PIKA_ASPECTS,
  normalizeStatus: pikaStatus,
  limits: { concurrentPolls: 4 },

  validate(req) {
    const o = pikaOptions(req);
    const model = req.model ?? defaultModel(!!req.images);
    if (!(PIKA_MODELS as readonly string[]).includes(model)) return l10n.t('Pika model must be 1.5 or 2.0 (got "{0}").', model);
    if (req.video) return l10n.t('Pika does not restyle videos; use HiDream (video_edit) for that.');
    if (req.style) return l10n.t('Pika has no styles; use a Pikaffect or HiDream video_edit styles.');
    if (req.image && req.images) return l10n.t('Give either one image or several images (ingredients), not both.');
    if (req.images) {
      if (req.images.length < 2) return l10n.t('Pika ingredients need at least 2 images.');
      if (model !== '2.0') return l10n.t('Pika ingredients (several images) need model 2.0.');
    }
    if (!req.prompt.trim() && !req.image && !req.images && !req.pikaffect) return l10n.t('Enter a prompt.');
    if (req.pikaffect && !(PIKAFFECTS as readonly string[]).includes(req.pikaffect)) {
      return l10n.t('Unknown Pikaffect "{0}". Choose one of: {1}.', req.pikaffect, PIKAFFECTS.join(', '));
    }
    if (req.aspectRatio !== undefined) {
      if (req.image) return l10n.t('Pika takes the aspect ratio from the image; remove aspectRatio for image-to-video.');
      const ar = parseAspectRatio(req.aspectRatio);
      if (!ar || ar.w / ar.h < 0.4 || ar.w / ar.h > 2.5) {
        return l10n.t('Aspect ratio "{0}" must look like 16:9 and lie between 2:5 and 5:2.', req.aspectRatio);
      }
    }
    if (!validSeed(req.seed)) return l10n.t('Seed must be a whole number from 0 to 4294967295.');
    if (req.duration !== undefined) return l10n.t('{0} does not take a duration.', LABEL);
    if (req.resolution !== undefined) return l10n.t('{0} does not take a resolution.', LABEL);
    if (req.lastFrame) return l10n.t('{0} does not take a last frame.', LABEL);
    if (req.audio) return l10n.t('Pika does not generate sound on request; a Pikaffect adds it.');
    if (o.motion !== undefined && !inRange(o.motion, 0, 4)) return l10n.t('Motion must be between 0 and 4.');
    if (o.guidanceScale !== undefined && !inRange(o.guidanceScale, 5, 25)) return l10n.t('Guidance scale must be between 5 and 25.');
    if (o.frameRate !== undefined && !inRange(o.frameRate, 8, 24, true)) return l10n.t('Frame rate must be a whole number from 8 to 24.');
    if (o.ingredientsMode !== undefined && o.ingredientsMode !== 'precise' && o.ingredientsMode !== 'creative') {
      return l10n.t('Ingredients mode must be precise or creative.');
    }
    if (o.camera) {
      for (const [k, v] of Object.entries(o.camera)) {
        const allowed = (PIKA_CAMERA as Record<string, readonly string[]>)[k];
        if (!allowed) return l10n.t('Unknown camera move "{0}".', k);
        if (v !== undefined && !allowed.includes(v)) return l10n.t('Camera {0} must be one of {1}.', k, allowed.join(', '));
      }
    }
    return undefined;
  },

  buildCreate(req, media): CreateSpec {
    const o = pikaOptions(req);
    const ingredients = media.images && media.images.length > 0;
    const model = req.model ?? defaultModel(!!ingredients);
    const parameters: Record<string, unknown> = {
      guidanceScale: o.guidanceScale ?? 12,
      motion: o.motion ?? 1,
      negativePrompt: req.negativePrompt ?? '',
    };
    if (req.seed !== undefined) parameters.seed = req.seed;
    const camera: Record<string, string> = {};
    for (const [k, v] of Object.entries(o.camera ?? {})) if (v) camera[k] = v;
    const options: Record<string, unknown> = {};
    if (!media.image) {
      const ar = req.aspectRatio ? parseAspectRatio(req.aspectRatio) : undefined;
      options.aspectRatio = ar ? ar.w / ar.h : 16 / 9;
    }
    options.frameRate = o.frameRate ?? 24;
    options.camera = camera;
    options.parameters = parameters;
    options.extend = o.extend ?? false;
    if (ingredients) options['ingredients-mode'] = o.ingredientsMode ?? 'precise';
    const body: Record<string, unknown> = {
      pikaffect: req.pikaffect ?? '',
      promptText: req.prompt,
      model,
      options,
    };
    if (ingredients) body.ingredient = media.images;
    else if (media.image) body.image = media.image;
    return {
      path: '/pika/generate',
      body,
      model,
      mode: ingredients ? 'ingredients' : media.image ? 'image-to-video' : 'text-to-video',
    };
  },

  async create(ctx, req, media, requestId): Promise<CreateResult> {
    const spec = this.buildCreate(req, media, requestId);
    const id = str(obj(await sendCreate(this, ctx, spec))?.id);
    if (!id) {
      throw new ProviderError({
        kind: 'malformed',
        message: l10n.t('{0} accepted the request but sent no task id.', LABEL),
        mayHaveStarted: true,
      });
    }
    return { remoteId: id, mode: spec.mode, model: spec.model };
  },

  poll(ctx, tasks): Promise<PollResults> {
    return pollEach(this, ctx, tasks, { path: (t) => `/pika/feed/${encodeURIComponent(t.remoteId)}`, parse: parsePikaFeed });
  },

  async testConnection(ctx) {
    // Pika has no cheap authenticated read; a feed lookup of an id that cannot exist proves the key.
    try {
      await providerRequest(this, ctx, {
        method: 'GET',
        path: '/pika/feed/00000000-0000-0000-0000-000000000000',
        fallbackTimeoutMs: 15_000,
      });
    } catch (e) {
      if (isProviderError(e) && (e.kind === 'notFound' || e.kind === 'badRequest')) {
        return l10n.t('Pika at {0} accepted the key.', new URL(ctx.baseUrl).host);
      }
      throw e;
    }
    return l10n.t('Pika at {0} accepted the key.', new URL(ctx.baseUrl).host);
  },
};

/** Parses `GET /pika/feed/{id}` (docs/providers/pika.md). Throws ProviderError('malformed'). */
export function parsePikaFeed(json: unknown): RemoteState {
  const root = obj(json);
  if (!root) throw malformed(LABEL, l10n.t('the feed is not a JSON object'));
  if (!Array.isArray(root.videos)) throw malformed(LABEL, l10n.t('the feed has no videos list'));
  const statuses: RemoteStatus[] = [];
  const raws: string[] = [];
  const errors: string[] = [];
  const progresses: number[] = [];
  const videos: TaskVideo[] = [];
  for (const item of root.videos) {
    const v = obj(item);
    if (!v) continue;
    const progress = parseProgress(v.progress);
    const status = pikaStatus(v.status, progress);
    statuses.push(status);
    raws.push(typeof v.status === 'string' ? v.status : String(v.status));
    if (status === 'succeeded') progresses.push(100);
    else if (progress !== undefined) progresses.push(progress);
    const err = str(v.error);
    if (status === 'failed') errors.push(err ?? l10n.t('Pika reported an error without a message.'));
    const url = httpUrl(v.resultUrl);
    if (status === 'succeeded' && url) {
      videos.push({
        url,
        id: str(v.id),
        posterUrl: httpUrl(v.videoPoster),
        thumbnailUrl: httpUrl(v.imageThumb),
        seed: num(v.seed),
        duration: num(v.duration),
      });
    }
  }
  if (statuses.length === 0) return { status: 'queued', rawStatus: 'no videos yet', progress: 0, videos: [] };
  let status = combineStatuses(statuses);
  let error = errors.length ? errors.join('; ') : undefined;
  if (status === 'succeeded' && videos.length === 0) {
    status = 'failed';
    error = l10n.t('Pika reported the video finished but gave no valid result URL.');
  }
  const progress = progresses.length ? Math.round(progresses.reduce((a, b) => a + b, 0) / statuses.length) : undefined;
  return { status, rawStatus: [...new Set(raws)].join(', '), progress, error, videos };
}
