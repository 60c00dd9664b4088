// OpenRouter's asynchronous video API (docs/providers/openrouter.md), under /openrouter/api/v1 so it
// never meets the OpenAI-compatible routes (which take any prefix before /videos):
// POST /videos (JSON) answers 202 {id, polling_url, status: "pending"}; GET /videos/{id} reports
// pending -> in_progress -> completed (no progress field), with `unsigned_urls` and `usage.cost` once
// completed; GET /videos/{id}/content?index=0 serves the video (with the key); GET /videos/models is
// the published catalogue (no key needed), every key the official SDK validates present; GET /key
// describes the key (its credit limit). Errors are OpenRouter's `{error: {code, message, metadata}}`.
// Prompt markers beyond the common ones: `[no-credits]` answers 402, `[cancelled]` / `[expired]` end
// the job in those states, `[cdn-result]` points `unsigned_urls` at a /files URL (off the API),
// `[no-unsigned]` leaves `unsigned_urls` out, `[polling-host=H]` makes `polling_url` absolute on host H.
// A key starting with `nolimit` has no credit limit.
import { randomBytes } from 'crypto';

import { serveFile } from './files';
import { bearerKey, isMediaRef, isObject, jsonReply, type AuthCheck, type BufferReply, type Reply } from './http';
import { decodeSegment, type ProviderRoutes, type Route } from './routes';
import type { EmulatorState } from './state';
import { FAILURE_MESSAGE, hostileMessage, snapshot, type TaskTiming } from './tasks';

/** Where the emulator serves OpenRouter: the base URL to configure is the emulator's plus this. */
export const OPENROUTER_BASE_PATH = '/openrouter/api/v1';

/** One model of the published catalogue, key for key as `GET /videos/models` lists it. */
export interface EmulatedVideoModel {
  id: string;
  canonical_slug: string;
  name: string;
  description: string;
  created: number;
  allowed_passthrough_parameters: string[];
  creativity: number[] | null;
  generate_audio: boolean | null;
  hugging_face_id: string | null;
  pricing_skus: Record<string, string> | null;
  seed: boolean | null;
  supported_aspect_ratios: string[] | null;
  supported_durations: number[] | null;
  supported_frame_images: string[] | null;
  supported_resolutions: string[] | null;
  supported_sizes: string[] | null;
  upscale_factor: { min: number | null; max: number | null } | null;
}

const CREATED = 1_774_224_000; // 2026-03-23

function model(m: Partial<EmulatedVideoModel> & Pick<EmulatedVideoModel, 'id' | 'name' | 'description'>): EmulatedVideoModel {
  return {
    canonical_slug: m.id,
    created: CREATED,
    allowed_passthrough_parameters: [],
    creativity: null,
    generate_audio: null,
    hugging_face_id: null,
    pricing_skus: null,
    seed: null,
    supported_aspect_ratios: null,
    supported_durations: null,
    supported_frame_images: null,
    supported_resolutions: null,
    supported_sizes: null,
    upscale_factor: null,
    ...m,
  };
}

/**
 * The emulator's catalogue: per-resolution per-second prices and first+last frames (Veo), a price per
 * video and a first frame only (Hailuo), reference images and a SKU no client understands (Wan), and a
 * model that publishes almost nothing (Seedance: every list null).
 */
export const OPENROUTER_MODELS: readonly EmulatedVideoModel[] = [
  model({
    id: 'google/veo-3.1',
    name: 'Google: Veo 3.1',
    description: 'Text-to-video and image-to-video with first and last frames, native audio.',
    generate_audio: true,
    seed: true,
    supported_aspect_ratios: ['16:9', '9:16'],
    supported_durations: [4, 6, 8],
    supported_frame_images: ['first_frame', 'last_frame'],
    supported_resolutions: ['720p', '1080p'],
    supported_sizes: ['1280x720', '720x1280', '1920x1080', '1080x1920'],
    pricing_skus: { 'per-video-second': '0.40', 'per-video-second-1080p': '0.60' },
    allowed_passthrough_parameters: ['negative_prompt'],
  }),
  model({
    id: 'minimax/hailuo-02',
    name: 'MiniMax: Hailuo 02',
    description: 'Text-to-video and first-frame image-to-video.',
    generate_audio: false,
    seed: false,
    supported_aspect_ratios: ['16:9'],
    supported_durations: [6, 10],
    supported_frame_images: ['first_frame'],
    supported_resolutions: ['768p', '1080p'],
    pricing_skus: { 'per-video': '0.28', 'per-video-1080p': '0.49' },
  }),
  model({
    id: 'alibaba/wan-2.6',
    name: 'Alibaba: Wan 2.6',
    description: 'Text-to-video, image-to-video and reference-to-video (up to 4 reference images).',
    generate_audio: true,
    seed: true,
    supported_aspect_ratios: ['16:9', '9:16', '1:1'],
    supported_durations: [5, 10, 15],
    supported_frame_images: ['first_frame'],
    supported_resolutions: ['480p', '720p', '1080p'],
    pricing_skus: { 'per-video-second': '0.05', 'per-video-second-1080p': '0.10', 'per-video-second-audio-surcharge': '0.02' },
  }),
  model({
    id: 'bytedance/seedance-1-pro',
    name: 'ByteDance: Seedance 1 Pro',
    description: 'Text-to-video.',
  }),
];

/** Models that take `input_references` (the catalogue has no field for it; the description says so). */
const TAKES_REFERENCES = new Set(['alibaba/wan-2.6']);
const MAX_REFERENCES = 4;
/** The credit limit of a key (USD); what finished jobs cost is taken off it. */
const KEY_LIMIT_USD = 25;

type Status = 'pending' | 'in_progress' | 'completed' | 'failed' | 'cancelled' | 'expired';

interface Job {
  id: string;
  model: EmulatedVideoModel;
  timing: TaskTiming;
  cost: number;
  ending?: 'cancelled' | 'expired';
  unsigned: 'api' | 'cdn' | 'none';
  pollingHost?: string;
  file: string;
  key?: string;
  /** Its cost was taken off the key's credit. */
  charged?: boolean;
}

export function openRouterError(
  status: number,
  message: string,
  metadata: Record<string, unknown> | null = null,
  headers: Record<string, string> = {},
): BufferReply {
  return jsonReply(status, { error: { code: status, message, metadata } }, headers);
}

const invalid = (message: string, metadata: Record<string, unknown> | null = null) => openRouterError(400, message, metadata);

function unauthorized(auth: AuthCheck): BufferReply {
  return openRouterError(401, auth.problem === 'missing' ? 'No auth credentials found' : 'User not found.');
}

/** What the job costs by the model's SKUs: a `-<resolution>` SKU before the generic one; 0 when none applies. */
export function emulatedCost(m: EmulatedVideoModel, duration: number, resolution: string): number {
  const skus = m.pricing_skus ?? {};
  const perSecond = skus[`per-video-second-${resolution}`] ?? skus['per-video-second'];
  if (perSecond !== undefined) return Number((Number(perSecond) * duration).toFixed(4));
  const perVideo = skus[`per-video-${resolution}`] ?? skus['per-video'];
  return perVideo !== undefined ? Number(perVideo) : 0;
}

export class OpenRouterProvider {
  private readonly jobs = new Map<string, Job>();
  /** Credit spent per key (finished jobs), for GET /key. */
  private readonly spent = new Map<string, number>();

  constructor(private readonly state: EmulatorState) {}

  create(body: unknown, key: string | undefined): Reply {
    if (!isObject(body)) return invalid('The request body must be a JSON object.');
    if (typeof body.model !== 'string' || body.model === '') return invalid('model is required.');
    const m = OPENROUTER_MODELS.find((x) => x.id === body.model);
    if (!m) return openRouterError(404, `Model ${body.model} not found or does not generate video.`, { model: body.model });
    const prompt = body.prompt;
    if (typeof prompt !== 'string' || prompt.trim() === '') return invalid('prompt is required.');
    const problem = this.check(m, body);
    if (problem) return problem;
    if (/\[no-credits\]/i.test(prompt)) {
      return openRouterError(
        402,
        'Insufficient credits. This account never purchased credits or its balance is too low for this request.',
        { required: 1 },
      );
    }
    const duration = typeof body.duration === 'number' ? body.duration : (m.supported_durations?.[0] ?? 5);
    const resolution = typeof body.resolution === 'string' ? body.resolution : (m.supported_resolutions?.[0] ?? '720p');
    const id = `vgen_${randomBytes(12).toString('hex')}`;
    const timing = this.state.startTask(id, prompt);
    const host = /\[polling-host=([^\s\]]+)\]/i.exec(prompt)?.[1];
    const job: Job = {
      id,
      model: m,
      timing,
      cost: emulatedCost(m, duration, resolution),
      ending: /\[cancelled\]/i.test(prompt) ? 'cancelled' : /\[expired\]/i.test(prompt) ? 'expired' : undefined,
      unsigned: /\[cdn-result\]/i.test(prompt) ? 'cdn' : /\[no-unsigned\]/i.test(prompt) ? 'none' : 'api',
      ...(host ? { pollingHost: host } : {}),
      file: `openrouter/${id}/video.mp4`,
      key,
    };
    this.state.files.set(job.file, { fixture: this.state.videoFor(this.jobs.size), timing, isResult: true });
    this.jobs.set(id, job);
    return jsonReply(202, { id, polling_url: this.pollingUrl(job), status: 'pending' });
  }

  retrieve(id: string): Reply {
    const job = this.jobs.get(id);
    return job ? jsonReply(200, this.describe(job)) : openRouterError(404, `Video generation ${id} not found.`);
  }

  /** Renders the job's generated clip (when clips are generated) before its content is served. */
  prepareContent(id: string): Promise<void> {
    const job = this.jobs.get(id);
    return job ? this.state.prepareFile(job.file) : Promise.resolve();
  }

  content(id: string, index: string | null, headers: Parameters<typeof serveFile>[2]): Reply {
    const job = this.jobs.get(id);
    if (!job) return openRouterError(404, `Video generation ${id} not found.`);
    if (index !== null && index !== '0') return invalid(`index ${index} is out of range: this job has 1 video.`);
    if (this.status(job) !== 'completed') return openRouterError(409, `Video generation ${id} is not completed.`);
    return serveFile(this.state, job.file, headers);
  }

  models(): Reply {
    return jsonReply(200, { data: OPENROUTER_MODELS });
  }

  key(headers: Parameters<typeof bearerKey>[0]): Reply {
    const key = bearerKey(headers) ?? '';
    const unlimited = key.toLowerCase().startsWith('nolimit');
    // What this key's finished jobs cost.
    for (const job of this.jobs.values()) if (job.key === key && this.status(job) === 'completed') this.spend(job);
    const usage = this.spent.get(key) ?? 0;
    return jsonReply(200, {
      data: {
        label: `sk-or-v1-${key.slice(0, 3)}...`,
        limit: unlimited ? null : KEY_LIMIT_USD,
        limit_remaining: unlimited ? null : Number((KEY_LIMIT_USD - usage).toFixed(4)),
        limit_reset: null,
        usage,
        usage_daily: usage,
        usage_weekly: usage,
        usage_monthly: usage,
        byok_usage: 0,
        byok_usage_daily: 0,
        byok_usage_weekly: 0,
        byok_usage_monthly: 0,
        include_byok_in_limit: false,
        is_free_tier: false,
        is_management_key: false,
        is_provisioning_key: false,
        allowed_data_regions: ['global'],
        creator_user_id: null,
        organization_id: null,
        workspace_id: null,
        free_model_daily_requests: { limit: 50, remaining: 50, used: 0 },
        rate_limit: { interval: '10s', note: 'Emulated.', requests: 100 },
      },
    });
  }

  /** The model's limits on each field, OpenRouter's way: 400 with the provider's message. */
  private check(m: EmulatedVideoModel, b: Record<string, unknown>): Reply | undefined {
    if (b.duration !== undefined) {
      if (!Number.isInteger(b.duration)) return invalid('duration must be an integer number of seconds.');
      if (m.supported_durations && !m.supported_durations.includes(b.duration as number)) {
        return invalid(
          `duration ${String(b.duration)} is not supported by ${m.id}; supported durations: ${m.supported_durations.join(', ')}.`,
        );
      }
    }
    const listed = (field: string, value: unknown, list: string[] | null): Reply | undefined => {
      if (value === undefined) return undefined;
      if (typeof value !== 'string') return invalid(`${field} must be a string.`);
      return list && !list.includes(value)
        ? invalid(`${field} ${value} is not supported by ${m.id}; supported: ${list.join(', ')}.`)
        : undefined;
    };
    const bad =
      listed('resolution', b.resolution, m.supported_resolutions) ?? listed('aspect_ratio', b.aspect_ratio, m.supported_aspect_ratios);
    if (bad) return bad;
    if (b.generate_audio !== undefined && typeof b.generate_audio !== 'boolean') return invalid('generate_audio must be a boolean.');
    if (b.generate_audio === true && m.generate_audio === false) return invalid(`${m.id} does not generate audio.`);
    if (b.seed !== undefined && !Number.isInteger(b.seed)) return invalid('seed must be an integer.');
    if (b.seed !== undefined && m.seed === false) return invalid(`${m.id} does not take a seed.`);
    if (b.frame_images !== undefined) {
      if (!Array.isArray(b.frame_images)) return invalid('frame_images must be an array.');
      const seen = new Set<string>();
      for (const f of b.frame_images) {
        if (!isObject(f) || f.type !== 'image_url' || !isObject(f.image_url) || !isImageRef(f.image_url.url)) {
          return invalid(
            'Each frame_images entry must be {type: "image_url", image_url: {url}, frame_type} with an https URL or an image data URI.',
          );
        }
        if (f.frame_type !== 'first_frame' && f.frame_type !== 'last_frame') {
          return invalid('frame_type must be first_frame or last_frame.');
        }
        if (seen.has(f.frame_type)) return invalid(`frame_images has two ${f.frame_type} entries.`);
        seen.add(f.frame_type);
        if (m.supported_frame_images && !m.supported_frame_images.includes(f.frame_type)) {
          return invalid(`${m.id} does not take a ${f.frame_type} image.`);
        }
      }
    }
    if (b.input_references !== undefined) {
      if (!Array.isArray(b.input_references)) return invalid('input_references must be an array.');
      if (!TAKES_REFERENCES.has(m.id)) return invalid(`${m.id} does not take reference images.`);
      if (b.input_references.length > MAX_REFERENCES) return invalid(`${m.id} takes at most ${MAX_REFERENCES} reference images.`);
      for (const r of b.input_references) {
        if (!isObject(r) || r.type !== 'image_url' || !isObject(r.image_url) || !isImageRef(r.image_url.url)) {
          return invalid(
            'Each input_references entry must be {type: "image_url", image_url: {url}} with an https URL or an image data URI.',
          );
        }
      }
    }
    return undefined;
  }

  private spend(job: Job): void {
    if (job.charged || job.key === undefined) return;
    job.charged = true;
    this.spent.set(job.key, (this.spent.get(job.key) ?? 0) + job.cost);
  }

  private pollingUrl(job: Job): string {
    const path = `${OPENROUTER_BASE_PATH}/videos/${job.id}`;
    return job.pollingHost ? `http://${job.pollingHost}${path}` : path;
  }

  private status(job: Job): Status {
    const phase = snapshot(job.timing, this.state.now()).phase;
    if (phase === 'queued') return 'pending';
    if (phase === 'running') return 'in_progress';
    if (phase === 'succeeded') return job.ending ?? 'completed';
    return 'failed';
  }

  /** The job as GET /videos/{id} answers it: no progress field; URLs and the cost once completed. */
  private describe(job: Job): Record<string, unknown> {
    const status = this.status(job);
    const out: Record<string, unknown> = { id: job.id, generation_id: `gen-${job.id}`, polling_url: this.pollingUrl(job), status };
    if (status === 'failed') out.error = job.timing.markers.hostile ? hostileMessage(job.timing.authKey) : FAILURE_MESSAGE;
    if (status === 'cancelled') out.error = 'The generation was cancelled.';
    if (status === 'expired') out.error = 'The generation expired before it completed.';
    if (status === 'completed') {
      this.spend(job);
      const api = `${this.state.baseUrl}${OPENROUTER_BASE_PATH}/videos/${job.id}/content?index=0`;
      if (job.unsigned === 'api') out.unsigned_urls = [api];
      if (job.unsigned === 'cdn') out.unsigned_urls = [this.state.fileUrl(job.file)];
      out.usage = { cost: job.cost, is_byok: false };
    }
    return out;
  }
}

/** An https (or, on this machine, http) URL, or a base64 image data URI. */
function isImageRef(v: unknown): boolean {
  return typeof v === 'string' && isMediaRef(v) && (/^https?:\/\//i.test(v) || /^data:image\/[\w.+-]+;base64,/i.test(v));
}

const PATH = /^\/openrouter\/api\/v1\/(?:(key)|videos\/models|videos(?:\/([^/]+)(\/content)?)?)$/;

export const openrouterRoutes: ProviderRoutes = {
  provider: 'openrouter',
  basePath: OPENROUTER_BASE_PATH,
  summary: '/videos, /videos/{id}, /videos/{id}/content, /videos/models (no key), /key',
  keys: ['openrouter.create', 'openrouter.retrieve', 'openrouter.content', 'openrouter.models', 'openrouter.key'],
  mount(state) {
    const api = new OpenRouterProvider(state);
    return {
      unauthorized,
      error: (status, message) => openRouterError(status, message),
      match(path): Route | Reply | undefined {
        if (!path.startsWith('/openrouter/')) return undefined;
        const m = PATH.exec(path);
        if (!m) return openRouterError(404, `No route for ${path}`);
        if (m[1]) return { key: 'openrouter.key', kind: 'other', methods: ['GET'], handle: (c) => api.key(c.headers) };
        if (path.endsWith('/videos/models')) {
          return { key: 'openrouter.models', kind: 'other', methods: ['GET'], public: true, handle: () => api.models() };
        }
        if (!m[2]) {
          return { key: 'openrouter.create', kind: 'create', methods: ['POST'], handle: (c) => api.create(c.body, bearerKey(c.headers)) };
        }
        const id = decodeSegment(m[2]);
        if (m[3]) {
          return {
            key: 'openrouter.content',
            kind: 'files',
            methods: ['GET'],
            prepare: () => api.prepareContent(id),
            handle: (c) => api.content(id, c.query.get('index'), c.headers),
          };
        }
        return { key: 'openrouter.retrieve', kind: 'status', methods: ['GET'], handle: () => api.retrieve(id), ids: () => [id] };
      },
    };
  },
};
