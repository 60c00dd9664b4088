// HiDream (docs/providers/hidream.md): txt2video, img2video, video_edit under /api-pub/gw/v2/video/<MODULE>/async,
// polled with the batch results endpoint: one request per module per round for all its tasks.
import * as l10n from '@vscode/l10n';

import { isProviderError, ProviderError } from '../core/model/errors';
import { GenerateRequest, Task, TaskVideo } from '../core/model/task';
import type { CatalogModel } from '../core/provider/catalogTypes';
import { bearer } from '../core/provider/descriptor';
import { resolutionOf } from '../core/request/neutral';
import { httpUrl, obj, str } from '../shared/json';
import { combineStatuses, parseProgress, RemoteStatus } from '../shared/taskStatus';
import {
  CreateSpec,
  malformed,
  parseAspectRatio,
  PollResults,
  ProviderContext,
  ProviderDescriptor,
  providerRequest,
  RemoteState,
  sendCreate,
} from './clientKit';

const LABEL = 'HiDream';

export const HIDREAM_MODULES = ['txt2video', 'img2video', 'video_edit'] as const;
export type HidreamModule = (typeof HIDREAM_MODULES)[number];
export const HIDREAM_STYLES = [
  'barbie_doll',
  'ink_wash',
  'van_goph',
  'hayao_miyazaki',
  'cyber_punk',
  'cartoon',
  'anime',
  'vector_art',
  'abstract',
  'watercolor',
] as const;
export const HIDREAM_ASPECTS = ['16:9', '1:1', '9:16'] as const;
export const HIDREAM_RESOLUTIONS = [1024, 2048, 4096] as const;
/**
 * The neutral resolutions (`GenerateRequest.resolution`) HiDream's `resolution_ratio` values stand
 * for. Its documentation gives only the numbers, 1024 being the default: 1024 is its 1K class, 2048
 * its 2K class, 4096 its 4K class.
 */
export const HIDREAM_RESOLUTION_ALIASES: Readonly<Record<string, string>> = {
  '720p': '1024',
  '1k': '1024',
  '1080p': '2048',
  '2k': '2048',
  '2160p': '4096',
  '4k': '4096',
};

/** HiDream's `resolution_ratio` for a resolution: its own number ("2048", 2048) or a neutral name ("1080p"); undefined when none fits. */
export function hidreamResolution(value: string | number): number | undefined {
  const v = String(value).trim().toLowerCase();
  const n = Number(HIDREAM_RESOLUTION_ALIASES[v] ?? v);
  return (HIDREAM_RESOLUTIONS as readonly number[]).includes(n) ? n : undefined;
}

/** HiDream publishes no catalogue: one entry per module (the model a HiDream task records). */
const HIDREAM_CAPABILITIES = {
  resolutions: HIDREAM_RESOLUTIONS.map(String),
  resolutionAliases: HIDREAM_RESOLUTION_ALIASES,
  aspectRatios: HIDREAM_ASPECTS,
  durations: [],
  referenceImages: 0,
  audio: false,
  seed: false,
} as const;
export const HIDREAM_CATALOG: readonly CatalogModel[] = [
  {
    id: 'txt2video',
    label: 'HiDream txt2video',
    modes: ['text-to-video'],
    capabilities: { ...HIDREAM_CAPABILITIES, frames: { first: false, last: false } },
  },
  {
    id: 'img2video',
    label: 'HiDream img2video',
    modes: ['image-to-video'],
    capabilities: { ...HIDREAM_CAPABILITIES, frames: { first: true, last: false } },
  },
  {
    id: 'video_edit',
    label: 'HiDream video_edit',
    modes: ['video-edit'],
    capabilities: {
      durations: [],
      resolutions: [],
      aspectRatios: [],
      frames: { first: false, last: false },
      referenceImages: 0,
      audio: false,
      seed: false,
    },
  },
];

/** Batch queries are chunked to this many ids. */
export const HIDREAM_BATCH_SIZE = 50;
/** An id missing from a batch answer this long after its create means the task does not exist. */
const NOT_LISTED_GRACE_MS = 60_000;

export interface HidreamOptions {
  motionStrength?: number;
  cameraHorizontal?: number;
  cameraVertical?: number;
  cameraDepth?: number;
  resolution?: number | string;
}

const modulePath = (m: string) => `/api-pub/gw/v2/video/${m}/async`;

const HIDREAM_STATUS_WORDS: Record<number, string> = {
  0: 'waiting',
  1: 'done',
  2: 'processing',
  3: 'failed',
  4: 'rejected by content review',
};

/** `task_status` codes. */
function hidreamStatus(raw: unknown): RemoteStatus {
  switch (raw) {
    case 0:
      return 'queued';
    case 2:
      return 'running';
    case 1:
      return 'succeeded';
    case 3:
    case 4:
      return 'failed';
    default:
      return 'unknown';
  }
}

export function hidreamModule(req: Pick<GenerateRequest, 'image' | 'images' | 'video'>): HidreamModule {
  return req.video ? 'video_edit' : req.image ? 'img2video' : 'txt2video';
}

/** The bearer token, plus the optional `API-User-ID` (setting `hidream.userId`). */
function authHeaders(ctx: ProviderContext): Record<string, string> {
  const userId = ctx.settings?.userId;
  return { ...bearer(ctx), ...(userId ? { 'API-User-ID': userId } : {}) };
}

/**
 * Unwraps `{code, message, request_id, result}`: code != 0 is a failure whatever the HTTP status
 * (for a create, a refusal: nothing started). An answer without a code to a create leaves the
 * outcome unknown.
 */
export function unwrapEnvelope(json: unknown, isCreate = false): unknown {
  const o = obj(json);
  if (!o || !('code' in o)) {
    throw new ProviderError({
      kind: 'malformed',
      message: l10n.t('{0} sent an unexpected answer: {1}.', LABEL, l10n.t('the answer has no code')),
      mayHaveStarted: isCreate,
    });
  }
  if (o.code !== 0 && o.code !== '0') {
    throw new ProviderError({
      kind: 'business',
      providerCode: typeof o.code === 'number' || typeof o.code === 'string' ? o.code : undefined,
      message: `${LABEL}: ${str(o.message) ?? l10n.t('error code {0}', String(o.code))}`,
    });
  }
  return o.result;
}

function intIn(v: unknown, min: number, max: number): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

const CAMERA = { min: -5, max: 5, integer: true, default: 0, modes: ['text-to-video', 'image-to-video'] } as const;

export const hidream: ProviderDescriptor = {
  id: 'hidream',
  label: LABEL,
  description: l10n.t('HiDream: text, image, video restyle'),
  settings: { baseUrl: 'hidream.baseUrl', extra: { userId: 'hidream.userId' } },
  modes: ['text-to-video', 'image-to-video', 'video-edit'],
  catalog: { own: HIDREAM_CATALOG },
  options: [
    {
      kind: 'enum',
      key: 'aspectRatio',
      target: 'request',
      price: true,
      label: l10n.t('Aspect ratio'),
      values: HIDREAM_ASPECTS,
      modes: ['text-to-video', 'image-to-video'],
      unsetLabel: l10n.t('default'),
    },
    {
      kind: 'enum',
      key: 'style',
      target: 'request',
      label: l10n.t('Style'),
      values: HIDREAM_STYLES,
      modes: ['video-edit'],
      unsetLabel: l10n.t('none (use the prompt)'),
    },
    {
      kind: 'number',
      key: 'motionStrength',
      label: l10n.t('Motion strength'),
      min: 0,
      max: 30,
      integer: true,
      default: 9,
      modes: CAMERA.modes,
    },
    { kind: 'number', key: 'cameraHorizontal', label: l10n.t('Camera horizontal move'), ...CAMERA },
    { kind: 'number', key: 'cameraVertical', label: l10n.t('Camera vertical move'), ...CAMERA },
    { kind: 'number', key: 'cameraDepth', label: l10n.t('Camera depth move'), ...CAMERA },
    { kind: 'enum', key: 'resolution', price: true, label: l10n.t('Resolution'), values: HIDREAM_RESOLUTIONS, modes: CAMERA.modes },
  ],
  aspectRatios: HIDREAM_ASPECTS,
  authHeaders,
  normalizeStatus: hidreamStatus,
  limits: { concurrentPolls: 1, createsPerMinute: { txt2video: 10, img2video: 10, video_edit: 2 } },
  batchesPolls: true,

  validate(req) {
    const o = (req.options ?? {}) as HidreamOptions;
    if (req.images) return l10n.t('HiDream takes one image; use Pika 2.0 ingredients for several.');
    if (req.pikaffect) return l10n.t('Pikaffects are a Pika feature.');
    if (req.seed !== undefined) return l10n.t('HiDream does not take a seed.');
    if (req.negativePrompt) return l10n.t('HiDream does not take a negative prompt.');
    if (req.video && req.image) return l10n.t('Give either an image (animate) or a video (restyle), not both.');
    const module = hidreamModule(req);
    if (module === 'txt2video' && !req.prompt.trim()) return l10n.t('HiDream text-to-video needs a prompt.');
    if (module === 'video_edit') {
      if (!req.prompt.trim() && !req.style) return l10n.t('Restyling a video needs a style or a prompt.');
      if (req.style && !(HIDREAM_STYLES as readonly string[]).includes(req.style)) {
        return l10n.t('Unknown style "{0}". Choose one of: {1}.', req.style, HIDREAM_STYLES.join(', '));
      }
      if (req.aspectRatio) return l10n.t("Restyling keeps the video's own aspect ratio.");
    } else if (req.style) return l10n.t('Styles apply to restyling a video (video_edit).');
    if (req.aspectRatio !== undefined && !(HIDREAM_ASPECTS as readonly string[]).includes(req.aspectRatio)) {
      return l10n.t('HiDream aspect ratio must be one of {0}.', HIDREAM_ASPECTS.join(', '));
    }
    if (req.aspectRatio !== undefined && !parseAspectRatio(req.aspectRatio)) return l10n.t('Aspect ratio must look like 16:9.');
    for (const k of ['cameraHorizontal', 'cameraVertical', 'cameraDepth'] as const) {
      if (o[k] !== undefined && !intIn(o[k], -5, 5)) return l10n.t('Camera moves are whole numbers from -5 to 5.');
    }
    if (o.motionStrength !== undefined && !intIn(o.motionStrength, 0, 30)) {
      return l10n.t('Motion strength must be a whole number from 0 to 30.');
    }
    if (req.resolution === undefined && o.resolution !== undefined) {
      const legacy = resolutionOf(req);
      if (legacy === undefined || hidreamResolution(legacy) === undefined) return l10n.t('Resolution must be 1024, 2048 or 4096.');
    }
    if (req.resolution !== undefined && hidreamResolution(req.resolution) === undefined) {
      return l10n.t('HiDream takes the resolution 720p, 1080p or 4k (its 1024, 2048 or 4096).');
    }
    if (req.duration !== undefined) return l10n.t('{0} does not take a duration.', LABEL);
    if (req.lastFrame) return l10n.t('{0} does not take a last frame.', LABEL);
    if (req.audio) return l10n.t('{0} does not generate sound.', LABEL);
    return undefined;
  },

  buildCreate(req, media, requestId): CreateSpec {
    const o = (req.options ?? {}) as HidreamOptions;
    const module = hidreamModule(req);
    const body: Record<string, unknown> = {};
    if (module === 'video_edit') {
      body.video_name = media.video;
      if (req.style) body.style = req.style;
      if (req.prompt) body.prompt = req.prompt;
    } else {
      if (module === 'img2video') body.image = media.image;
      if (req.prompt || module === 'txt2video') body.prompt = req.prompt;
      if (req.aspectRatio) body.aspect_ratio = req.aspectRatio;
      if (o.cameraHorizontal !== undefined) body.camera_move_horizontal = o.cameraHorizontal;
      if (o.cameraVertical !== undefined) body.camera_move_vertical = o.cameraVertical;
      if (o.cameraDepth !== undefined) body.camera_move_depth = o.cameraDepth;
      if (o.motionStrength !== undefined) body.motion_strength = o.motionStrength;
      const resolution = resolutionOf(req);
      if (resolution !== undefined) body.resolution_ratio = hidreamResolution(resolution) ?? Number(resolution);
    }
    body.request_id = requestId;
    return {
      path: modulePath(module),
      body,
      model: module,
      route: module,
      mode: module === 'video_edit' ? 'video-edit' : module === 'img2video' ? 'image-to-video' : 'text-to-video',
    };
  },

  async create(ctx, req, media, requestId) {
    const spec = this.buildCreate(req, media, requestId);
    const answer = await sendCreate(this, ctx, spec);
    const result = obj(unwrapEnvelope(answer, true));
    const id = str(result?.task_id);
    if (!id) {
      throw new ProviderError({
        kind: 'malformed',
        message: l10n.t('{0} accepted the request but sent no task id.', LABEL),
        mayHaveStarted: true,
      });
    }
    return { remoteId: id, mode: spec.mode, model: spec.model, route: spec.route };
  },

  async poll(ctx, tasks): Promise<PollResults> {
    const out: PollResults = new Map();
    const byModule = new Map<string, Task[]>();
    for (const t of tasks) {
      const m = t.route && (HIDREAM_MODULES as readonly string[]).includes(t.route) ? t.route : hidreamModule(t.request);
      byModule.set(m, [...(byModule.get(m) ?? []), t]);
    }
    for (const [module, list] of byModule) {
      for (let i = 0; i < list.length; i += HIDREAM_BATCH_SIZE) {
        const chunk = list.slice(i, i + HIDREAM_BATCH_SIZE);
        try {
          const res = await providerRequest(this, ctx, {
            method: 'POST',
            path: `${modulePath(module)}/results/batch`,
            body: { task_id_list: chunk.map((t) => t.remoteId) },
          });
          const states = parseHidreamBatch(res.json);
          for (const t of chunk) {
            const s = states.get(t.remoteId);
            if (s) out.set(t.id, s);
            else if (states.notListed.has(t.remoteId) && Date.now() - t.createdAt > NOT_LISTED_GRACE_MS) {
              out.set(
                t.id,
                new ProviderError({
                  kind: 'notFound',
                  message: l10n.t('{0} does not know task {1} (no results for it).', LABEL, t.remoteId),
                }),
              );
            } else if (states.notListed.has(t.remoteId)) {
              out.set(t.id, { status: 'unknown', rawStatus: 'not listed yet', videos: [] });
            } else {
              out.set(t.id, malformed(LABEL, l10n.t('the batch answer left out task {0}', t.remoteId)));
            }
          }
        } catch (e) {
          const err = isProviderError(e) ? e : malformed(LABEL, String(e));
          for (const t of chunk) out.set(t.id, err);
        }
      }
    }
    return out;
  },

  async testConnection(ctx) {
    // A batch query for an id that cannot exist is harmless and needs a valid token.
    const res = await providerRequest(this, ctx, {
      method: 'POST',
      path: `${modulePath('txt2video')}/results/batch`,
      body: { task_id_list: ['00000000-0000-0000-0000-000000000000'] },
      fallbackTimeoutMs: 15_000,
    });
    unwrapEnvelope(res.json);
    return l10n.t('HiDream at {0} accepted the token.', new URL(ctx.baseUrl).host);
  },
};

type BatchStates = Map<string, RemoteState> & { notListed: Set<string> };

/** Parses a batch answer into states by HiDream task id; ids with empty sub_task_results go to `notListed`. */
export function parseHidreamBatch(json: unknown): BatchStates {
  const result = unwrapEnvelope(json);
  if (!Array.isArray(result)) throw malformed(LABEL, l10n.t('the batch result is not a list'));
  const out = new Map<string, RemoteState>() as BatchStates;
  out.notListed = new Set();
  for (const item of result) {
    const o = obj(item);
    const id = str(o?.task_id);
    if (!o || !id) continue;
    const subs = Array.isArray(o.sub_task_results) ? o.sub_task_results : [];
    if (subs.length === 0) {
      out.notListed.add(id);
      continue;
    }
    out.set(id, parseHidreamTask(subs));
  }
  return out;
}

/** Parses the single-result endpoint's `result` object. */
export function parseHidreamSingle(json: unknown): RemoteState | undefined {
  const o = obj(unwrapEnvelope(json));
  const subs = Array.isArray(o?.sub_task_results) ? o!.sub_task_results : [];
  return subs.length ? parseHidreamTask(subs) : undefined;
}

function parseHidreamTask(subs: unknown[]): RemoteState {
  const statuses: RemoteStatus[] = [];
  const raws: string[] = [];
  const videos: TaskVideo[] = [];
  let progressSum = 0;
  let failed = 0;
  let rejected = 0;
  for (const s of subs) {
    const o = obj(s) ?? {};
    const st = hidreamStatus(o.task_status);
    statuses.push(st);
    raws.push(HIDREAM_STATUS_WORDS[o.task_status as number] ?? `status ${String(o.task_status)}`);
    progressSum += st === 'succeeded' ? 100 : (parseProgress(o.task_completion, true) ?? 0);
    if (o.task_status === 3) failed++;
    if (o.task_status === 4) rejected++;
    const url = httpUrl(o.video);
    if (st === 'succeeded' && url) videos.push({ url, id: str(o.sub_task_id), watermarkedUrl: httpUrl(o.video_wm) });
  }
  let status = combineStatuses(statuses);
  const errors: string[] = [];
  if (rejected) {
    errors.push(
      rejected === subs.length
        ? l10n.t('Rejected by content review')
        : l10n.t('{0} of {1} videos rejected by content review', rejected, subs.length),
    );
  }
  if (failed) {
    errors.push(
      failed === subs.length
        ? l10n.t('Generation failed at {0}', LABEL)
        : l10n.t('{0} of {1} videos failed at {2}', failed, subs.length, LABEL),
    );
  }
  if (status === 'succeeded' && videos.length === 0) {
    status = 'failed';
    errors.push(l10n.t('{0} reported success but gave no valid video URL', LABEL));
  }
  return {
    status,
    rawStatus: [...new Set(raws)].join(', '),
    progress: Math.round(progressSum / subs.length),
    error: errors.length ? `${errors.join('; ')}.` : undefined,
    videos,
  };
}
