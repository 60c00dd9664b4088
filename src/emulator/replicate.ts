// Replicate's predictions API (docs/providers/replicate.md), under /replicate/v1: POST
// /models/{owner}/{name}/predictions answers 201 with the prediction; GET /predictions/{id} reports
// starting -> processing (tqdm lines in `logs`) -> succeeded with `output` (a URL, or a list for some
// models); POST /predictions/{id}/cancel cancels a running one; GET /models/{owner}/{name} publishes
// the model's input schema (OpenAPI, enums behind `$ref` as Replicate writes them), including a model
// no bundled catalogue knows (`acme/dreamreel`); GET /account names the key's account. Inputs are
// checked against the schema: a bad one answers 422 with `detail`. One hour (emulator clock) after a
// prediction finishes its output is deleted: the file answers 404 and the prediction `data_removed`.
// Prompt markers beyond the common ones: `[invalid-input]` answers 422, `[throttled]` answers 429 once
// per prompt with the wait only in `detail`, `[aborted]` ends the prediction as aborted.
import { randomBytes } from 'crypto';

import { bearerKey, isMediaRef, isObject, jsonReply, type AuthCheck, type BufferReply, type Reply } from './http';
import { decodeSegment, type ProviderRoutes, type Route } from './routes';
import type { EmulatorState } from './state';
import { FAILURE_MESSAGE, hostileMessage, snapshot, type TaskTiming } from './tasks';

/** Where the emulator serves Replicate: the base URL to configure is the emulator's plus this. */
export const REPLICATE_BASE_PATH = '/replicate/v1';
/** Replicate deletes an API prediction's output this long after it finishes. */
export const REPLICATE_OUTPUT_KEPT_MS = 60 * 60_000;
/** A model only its schema describes (no client catalogue has it). */
export const SCHEMA_ONLY_MODEL = 'acme/dreamreel';

type Prop = Record<string, unknown>;

interface EmulatedModel {
  owner: string;
  name: string;
  description: string;
  /** Input properties, in order; enums given as `enum` become `$ref`s to their own schema, as Replicate writes them. */
  properties: Record<string, Prop>;
  required: string[];
  /** The output is a list of URLs (else one URL). */
  listOutput?: boolean;
}

const uri = (description: string): Prop => ({ type: 'string', format: 'uri', description });
const str = (description: string): Prop => ({ type: 'string', description });

export const REPLICATE_MODELS: readonly EmulatedModel[] = [
  {
    owner: 'kwaivgi',
    name: 'kling-v2.1',
    description: 'Image-to-video, 5 or 10 s, 720p (standard) or 1080p (pro), an end frame in pro mode.',
    properties: {
      prompt: str('Text prompt for video generation'),
      start_image: uri('First frame of the video'),
      end_image: uri('Last frame of the video (pro mode only)'),
      mode: { type: 'string', enum: ['standard', 'pro'], default: 'standard', description: 'Standard is 720p, pro is 1080p' },
      duration: { type: 'integer', enum: [5, 10], default: 5, description: 'Duration of the video in seconds' },
      negative_prompt: str('Things you do not want to see in the video'),
    },
    required: ['prompt', 'start_image'],
  },
  {
    owner: 'wan-video',
    name: 'wan-2.5-i2v',
    description: 'Image-to-video, 5 or 10 s, 480p to 1080p.',
    properties: {
      prompt: str('Text prompt'),
      image: uri('Input image'),
      duration: { type: 'integer', enum: [5, 10], default: 5 },
      resolution: { type: 'string', enum: ['480p', '720p', '1080p'], default: '720p' },
      negative_prompt: str('Negative prompt'),
      enable_prompt_expansion: { type: 'boolean', default: true },
      seed: { type: 'integer', minimum: 0, maximum: 4294967295 },
    },
    required: ['prompt', 'image'],
  },
  {
    owner: 'google',
    name: 'veo-3.1',
    description: 'Text or image to video with a last frame, reference images and sound.',
    properties: {
      prompt: str('Text prompt'),
      aspect_ratio: { type: 'string', enum: ['16:9', '9:16'], default: '16:9' },
      duration: { type: 'integer', enum: [4, 6, 8], default: 8 },
      image: uri('First frame'),
      last_frame: uri('Last frame'),
      reference_images: { type: 'array', items: { type: 'string', format: 'uri' }, default: [] },
      negative_prompt: str('What to leave out'),
      resolution: { type: 'string', enum: ['720p', '1080p'], default: '1080p' },
      generate_audio: { type: 'boolean', default: true },
      seed: { type: 'integer' },
    },
    required: ['prompt'],
  },
  {
    owner: 'minimax',
    name: 'hailuo-02',
    description: 'Text or image to video, 6 or 10 s.',
    properties: {
      prompt: str('Text prompt'),
      duration: { type: 'integer', enum: [6, 10], default: 6 },
      resolution: { type: 'string', enum: ['512p', '768p', '1080p'], default: '1080p' },
      first_frame_image: uri('First frame'),
      last_frame_image: uri('Last frame'),
      prompt_optimizer: { type: 'boolean', default: true },
    },
    required: ['prompt'],
  },
  {
    owner: 'acme',
    name: 'dreamreel',
    description: 'A model no client catalogue knows: every option comes from this schema.',
    properties: {
      prompt: str('What the reel shows'),
      image: uri('An image to start from'),
      motion: { type: 'string', enum: ['calm', 'dynamic', 'wild'], default: 'calm', description: 'How much things move' },
      steps: { type: 'integer', minimum: 1, maximum: 50, default: 25, description: 'Denoising steps' },
      loop: { type: 'boolean', default: false, description: 'Make the reel loop' },
      style_hint: str('A few words of style'),
      duration: { type: 'integer', minimum: 2, maximum: 8, default: 4, description: 'Length in seconds' },
      seed: { type: 'integer', description: 'Random seed' },
    },
    required: ['prompt'],
    listOutput: true,
  },
];

/** The model's answer to GET /models/{owner}/{name}: its latest version's OpenAPI schema, enums behind `$ref`s. */
export function modelDescription(m: EmulatedModel): Record<string, unknown> {
  const schemas: Record<string, unknown> = {};
  const properties: Record<string, unknown> = {};
  Object.entries(m.properties).forEach(([name, prop], i) => {
    const { enum: values, type, ...rest } = prop;
    if (Array.isArray(values)) {
      schemas[name] = { title: name, type, enum: values, description: 'An enumeration.' };
      properties[name] = { ...rest, allOf: [{ $ref: `#/components/schemas/${name}` }], 'x-order': i };
    } else {
      properties[name] = { ...prop, title: name, 'x-order': i };
    }
  });
  schemas.Input = { type: 'object', title: 'Input', required: m.required, properties };
  schemas.Output = m.listOutput ? { type: 'array', items: { type: 'string', format: 'uri' } } : { type: 'string', format: 'uri' };
  return {
    url: `https://replicate.com/${m.owner}/${m.name}`,
    owner: m.owner,
    name: m.name,
    description: m.description,
    visibility: 'public',
    run_count: 1000,
    latest_version: {
      id: `v_${m.owner}_${m.name}`.replace(/[^\w]/g, '_'),
      created_at: '2026-10-01T00:00:00.000Z',
      cog_version: '0.16.0',
      openapi_schema: { openapi: '3.0.2', info: { title: 'Cog', version: '0.1.0' }, components: { schemas } },
    },
  };
}

interface Prediction {
  id: string;
  model: EmulatedModel;
  input: Record<string, unknown>;
  timing: TaskTiming;
  file: string;
  /** Emulator-clock ms when it was cancelled. */
  canceledAt?: number;
  aborted: boolean;
}

type Status = 'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled' | 'aborted';

/** Replicate's error body: `{detail, status, title}`. */
export function replicateError(status: number, detail: string, title = 'Error', extra: Record<string, unknown> = {}): BufferReply {
  return jsonReply(status, { detail, status, title, ...extra });
}

function unauthorized(auth: AuthCheck): BufferReply {
  return replicateError(
    401,
    auth.problem === 'missing' ? 'Authentication credentials were not provided.' : 'Invalid token.',
    'Unauthenticated',
  );
}

/** A tqdm line as a model's logs show it: "45%|████▌     | 9/20 [00:04<00:05,  2.10it/s]". */
function tqdmLine(progress: number): string {
  const steps = 20;
  const done = Math.round((progress / 100) * steps);
  return `${String(progress).padStart(3)}%|${'#'.repeat(Math.round(progress / 10)).padEnd(10)}| ${done}/${steps} [00:0${done % 10}<00:05,  2.10it/s]`;
}

export class ReplicateProvider {
  private readonly predictions = new Map<string, Prediction>();
  private readonly throttled = new Set<string>();

  constructor(private readonly state: EmulatorState) {}

  model(owner: string, name: string): EmulatedModel | undefined {
    return REPLICATE_MODELS.find((m) => m.owner === owner && m.name === name);
  }

  describeModel(owner: string, name: string): Reply {
    const m = this.model(owner, name);
    return m ? jsonReply(200, modelDescription(m)) : replicateError(404, 'The requested resource could not be found.', 'Not found');
  }

  create(owner: string, name: string, body: unknown): Reply {
    const m = this.model(owner, name);
    if (!m) return replicateError(404, 'The requested resource could not be found.', 'Not found');
    if (!isObject(body) || !isObject(body.input)) return replicateError(400, 'The request body must be {"input": {...}}.', 'Bad request');
    const input = body.input;
    const prompt = typeof input.prompt === 'string' ? input.prompt : '';
    if (/\[throttled\]/i.test(prompt) && !this.throttled.has(prompt)) {
      this.throttled.add(prompt);
      return replicateError(429, 'Request was throttled. Your rate limit resets in ~2s.', 'Request was throttled');
    }
    const problems = this.check(m, input);
    if (/\[invalid-input\]/i.test(prompt)) {
      problems.push({ field: 'input.prompt', description: 'prompt contains words this model refuses' });
    }
    if (problems.length) {
      return replicateError(422, problems.map((p) => `- ${p.field}: ${p.description}\n`).join(''), 'Input validation failed', {
        invalid_fields: problems.map((p) => ({ type: 'invalid', ...p })),
      });
    }
    const id = randomBytes(13).toString('hex').slice(0, 26);
    const timing = this.state.startTask(id, prompt);
    const p: Prediction = { id, model: m, input, timing, file: `replicate/${id}/output.mp4`, aborted: /\[aborted\]/i.test(prompt) };
    this.state.files.set(p.file, {
      fixture: this.state.videoFor(this.predictions.size),
      timing,
      isResult: true,
      keptMs: REPLICATE_OUTPUT_KEPT_MS,
    });
    this.predictions.set(id, p);
    return jsonReply(201, this.describe(p));
  }

  get(id: string): Reply {
    const p = this.predictions.get(id);
    return p ? jsonReply(200, this.describe(p)) : replicateError(404, 'The requested resource could not be found.', 'Not found');
  }

  cancel(id: string): Reply {
    const p = this.predictions.get(id);
    if (!p) return replicateError(404, 'The requested resource could not be found.', 'Not found');
    const status = this.status(p);
    if (status === 'starting' || status === 'processing') p.canceledAt = this.state.now();
    return jsonReply(200, this.describe(p));
  }

  account(key: string | undefined): Reply {
    return jsonReply(200, {
      type: 'user',
      username: 'emulated',
      name: 'Emulated account',
      github_url: null,
      key_hint: (key ?? '').slice(0, 2),
    });
  }

  /** The input against the model's schema, as Replicate's validation words it. */
  private check(m: EmulatedModel, input: Record<string, unknown>): { field: string; description: string }[] {
    const out: { field: string; description: string }[] = [];
    for (const r of m.required) if (input[r] === undefined) out.push({ field: `input.${r}`, description: `${r} is required` });
    for (const [k, v] of Object.entries(input)) {
      const prop = m.properties[k];
      if (!prop) continue; // Replicate ignores inputs the model does not have.
      const field = `input.${k}`;
      if (Array.isArray(prop.enum) && !prop.enum.includes(v)) {
        out.push({ field, description: `${k} must be one of the following: ${prop.enum.map((e) => JSON.stringify(e)).join(', ')}` });
      } else if (prop.type === 'integer' && !Number.isInteger(v)) {
        out.push({ field, description: `Invalid type. Expected: integer, given: ${typeof v}` });
      } else if (prop.type === 'boolean' && typeof v !== 'boolean') {
        out.push({ field, description: `Invalid type. Expected: boolean, given: ${typeof v}` });
      } else if (prop.type === 'string' && typeof v !== 'string') {
        out.push({ field, description: `Invalid type. Expected: string, given: ${typeof v}` });
      } else if (typeof prop.minimum === 'number' && (v as number) < prop.minimum) {
        out.push({ field, description: `Must be greater than or equal to ${prop.minimum}` });
      } else if (typeof prop.maximum === 'number' && (v as number) > prop.maximum) {
        out.push({ field, description: `Must be less than or equal to ${prop.maximum}` });
      } else if (prop.format === 'uri' && !isImageRef(v)) {
        out.push({ field, description: "Does not match format 'uri'" });
      }
    }
    return out;
  }

  private status(p: Prediction): Status {
    const snap = snapshot(p.timing, this.state.now());
    if (p.canceledAt !== undefined) return 'canceled';
    if (snap.phase === 'queued') return 'starting';
    if (snap.phase === 'running') return 'processing';
    if (snap.phase === 'succeeded') return p.aborted ? 'aborted' : 'succeeded';
    return 'failed';
  }

  private describe(p: Prediction): Record<string, unknown> {
    const now = this.state.now();
    const snap = snapshot(p.timing, now);
    const status = this.status(p);
    const finishedAt = status === 'canceled' ? p.canceledAt : snap.finishedAt;
    const removed = finishedAt !== undefined && now >= finishedAt + REPLICATE_OUTPUT_KEPT_MS;
    const base = `${this.state.baseUrl}${REPLICATE_BASE_PATH}/predictions/${p.id}`;
    const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
    const logs =
      status === 'starting'
        ? ''
        : status === 'processing'
          ? [0, Math.floor(snap.progress / 2), snap.progress].map(tqdmLine).join('\r')
          : [0, 50, 100].map(tqdmLine).join('\r');
    const out: Record<string, unknown> = {
      id: p.id,
      model: `${p.model.owner}/${p.model.name}`,
      version: 'hidden',
      input: removed ? {} : p.input,
      logs: removed ? '' : logs,
      output: null,
      data_removed: removed,
      error: null,
      status,
      source: 'api',
      created_at: iso(p.timing.createdAt),
      started_at: status === 'starting' ? null : iso(snap.startedAt ?? p.timing.createdAt),
      completed_at: iso(finishedAt),
      urls: { get: base, cancel: `${base}/cancel`, stream: null, web: `https://replicate.com/p/${p.id}` },
      metrics: finishedAt !== undefined ? { predict_time: Math.max(0, (finishedAt - p.timing.createdAt) / 1000) } : {},
    };
    if (status === 'failed') out.error = p.timing.markers.hostile ? hostileMessage(p.timing.authKey) : (snap.error ?? FAILURE_MESSAGE);
    if (status === 'aborted') out.error = 'The prediction was aborted before it started.';
    if (status === 'succeeded' && !removed) {
      const url = this.state.fileUrl(p.file);
      out.output = p.model.listOutput ? [url] : url;
    }
    return out;
  }
}

/** An https (or, on this machine, http) URL, or a base64 data URI. */
function isImageRef(v: unknown): boolean {
  return typeof v === 'string' && isMediaRef(v) && (/^https?:\/\//i.test(v) || /^data:[\w.+-]+\/[\w.+-]+;base64,/i.test(v));
}

const PATH = /^\/replicate\/v1\/(?:(account)|models\/([^/]+)\/([^/]+)(\/predictions)?|predictions\/([^/]+)(\/cancel)?)$/;

export const replicateRoutes: ProviderRoutes = {
  provider: 'replicate',
  basePath: REPLICATE_BASE_PATH,
  summary: '/models/{owner}/{name}/predictions, /predictions/{id}, /predictions/{id}/cancel, /models/{owner}/{name}, /account',
  keys: ['replicate.create', 'replicate.get', 'replicate.cancel', 'replicate.model', 'replicate.account'],
  mount(state) {
    const api = new ReplicateProvider(state);
    return {
      unauthorized,
      error: (status, message) => replicateError(status, message),
      match(path): Route | Reply | undefined {
        if (!path.startsWith('/replicate/')) return undefined;
        const m = PATH.exec(path);
        if (!m) return replicateError(404, `No route for ${path}`, 'Not found');
        if (m[1]) return { key: 'replicate.account', kind: 'other', methods: ['GET'], handle: (c) => api.account(bearerKey(c.headers)) };
        if (m[2] && m[3]) {
          const owner = decodeSegment(m[2]);
          const name = decodeSegment(m[3]);
          if (m[4]) {
            return { key: 'replicate.create', kind: 'create', methods: ['POST'], handle: (c) => api.create(owner, name, c.body) };
          }
          return { key: 'replicate.model', kind: 'other', methods: ['GET'], handle: () => api.describeModel(owner, name) };
        }
        const id = decodeSegment(m[5]);
        if (m[6]) return { key: 'replicate.cancel', kind: 'other', methods: ['POST'], handle: () => api.cancel(id), ids: () => [id] };
        return { key: 'replicate.get', kind: 'status', methods: ['GET'], handle: () => api.get(id), ids: () => [id] };
      },
    };
  },
};
