// fal's queue API (docs/providers/fal.md), under /fal/queue (the queue host) and /fal/api (the platform
// API, for prices). POST /fal/queue/{endpoint id} checks the input against the endpoint's schema (422
// with pydantic-style `detail` entries naming the field and the permitted values) and answers
// {request_id, status, queue_position, status_url, response_url, cancel_url}. Those URLs use only the
// endpoint's `{owner}/{app}`: a status, result or cancel URL built from the full endpoint id answers
// 404, as fal's does. Status: IN_QUEUE with `queue_position` counting down, IN_PROGRESS with `logs`
// (when `?logs=1`) that carry a percentage, COMPLETED. The result (`{video: {url, content_type,
// file_name, file_size}, seed}`) is a public /files URL; a failed request completes, and its result
// answers an error status with `detail` and the `X-Fal-Error-Type` header. PUT …/cancel stops a
// queued or running request. GET /fal/api/v1/models/pricing?endpoint_id=a,b (1 to 50 ids) gives
// `{prices: [{endpoint_id, unit_price, unit, currency}]}`. Every route wants `Authorization: Key <key>`.
// Prompt markers beyond the common ones: `[queue=N]` (N requests ahead at first, default 2),
// `[status-host=H]` (the create answers status/response/cancel URLs on host H).
import { randomUUID } from 'crypto';
import type { IncomingHttpHeaders } from 'http';

import { isMediaRef, isObject, jsonReply, type AuthCheck, type BufferReply, type Reply } from './http';
import { decodeSegment, type ProviderRoutes, type Route } from './routes';
import type { EmulatorState } from './state';
import { FAILURE_MESSAGE, REJECTED_MESSAGE, snapshot, type TaskTiming } from './tasks';

/** Where the emulator serves fal's queue: `aiVideo.fal.baseUrl` is the emulator's address plus this. */
export const FAL_QUEUE_PATH = '/fal/queue';
/** Where the emulator serves fal's platform API: `aiVideo.fal.apiUrl` is the emulator's address plus this. */
export const FAL_API_PATH = '/fal/api';

type FieldRule =
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'boolean' }
  | { kind: 'integer' }
  | { kind: 'number' }
  | { kind: 'string' }
  | { kind: 'image' };

interface EmulatedEndpoint {
  id: string;
  /** Inputs the endpoint reads (others are ignored, as fal's are); `required` ones must be present. */
  fields: Readonly<Record<string, FieldRule>>;
  required: readonly string[];
}

const ASPECTS_3: FieldRule = { kind: 'enum', values: ['16:9', '9:16', '1:1'] };
const KLING_DURATION: FieldRule = { kind: 'enum', values: ['5', '10'] };
const VEO = {
  duration: { kind: 'enum', values: ['4s', '6s', '8s'] },
  resolution: { kind: 'enum', values: ['720p', '1080p', '4k'] },
  aspect_ratio: { kind: 'enum', values: ['16:9', '9:16'] },
  generate_audio: { kind: 'boolean' },
  seed: { kind: 'integer' },
  negative_prompt: { kind: 'string' },
} as const satisfies Record<string, FieldRule>;

/** The endpoints whose inputs the emulator checks; any other endpoint id takes a prompt and ignores the rest. */
export const FAL_ENDPOINTS: readonly EmulatedEndpoint[] = [
  {
    id: 'fal-ai/kling-video/v2.1/master/text-to-video',
    fields: { duration: KLING_DURATION, aspect_ratio: ASPECTS_3, negative_prompt: { kind: 'string' }, cfg_scale: { kind: 'number' } },
    required: ['prompt'],
  },
  {
    id: 'fal-ai/kling-video/v2.1/pro/image-to-video',
    fields: {
      duration: KLING_DURATION,
      image_url: { kind: 'image' },
      tail_image_url: { kind: 'image' },
      negative_prompt: { kind: 'string' },
      cfg_scale: { kind: 'number' },
    },
    required: ['prompt', 'image_url'],
  },
  { id: 'fal-ai/veo3.1', fields: VEO, required: ['prompt'] },
  {
    id: 'fal-ai/veo3.1/image-to-video',
    fields: { ...VEO, aspect_ratio: { kind: 'enum', values: ['auto', '16:9', '9:16'] }, image_url: { kind: 'image' } },
    required: ['prompt', 'image_url'],
  },
  {
    id: 'fal-ai/veo3.1/first-last-frame-to-video',
    fields: { ...VEO, first_frame_url: { kind: 'image' }, last_frame_url: { kind: 'image' } },
    required: ['prompt', 'first_frame_url', 'last_frame_url'],
  },
  {
    id: 'fal-ai/wan-25-preview/text-to-video',
    fields: {
      duration: KLING_DURATION,
      resolution: { kind: 'enum', values: ['480p', '720p', '1080p'] },
      aspect_ratio: ASPECTS_3,
      negative_prompt: { kind: 'string' },
      seed: { kind: 'integer' },
    },
    required: ['prompt'],
  },
  {
    id: 'fal-ai/minimax/hailuo-02/standard/text-to-video',
    fields: { duration: { kind: 'enum', values: ['6', '10'] }, prompt_optimizer: { kind: 'boolean' } },
    required: ['prompt'],
  },
  {
    id: 'fal-ai/bytedance/seedance/v1/pro/text-to-video',
    fields: {
      duration: { kind: 'enum', values: ['3', '4', '5', '6', '7', '8', '9', '10', '11', '12'] },
      resolution: { kind: 'enum', values: ['480p', '720p', '1080p'] },
      aspect_ratio: { kind: 'enum', values: ['21:9', '16:9', '4:3', '1:1', '3:4', '9:16'] },
      seed: { kind: 'integer' },
      camera_fixed: { kind: 'boolean' },
    },
    required: ['prompt'],
  },
];

/**
 * What the pricing route answers. Hailuo is priced per video here (the bundled snapshot has it per
 * second), so a test can tell the live price from the bundled one; Seedance's unit is one no client
 * should read as a video price.
 */
export const FAL_PRICES: Readonly<Record<string, { unit_price: number; unit: string }>> = {
  'fal-ai/kling-video/v2.1/master/text-to-video': { unit_price: 0.28, unit: 'second' },
  'fal-ai/kling-video/v2.1/pro/image-to-video': { unit_price: 0.09, unit: 'second' },
  'fal-ai/veo3.1': { unit_price: 0.4, unit: 'second' },
  'fal-ai/veo3.1/image-to-video': { unit_price: 0.4, unit: 'second' },
  'fal-ai/veo3.1/first-last-frame-to-video': { unit_price: 0.4, unit: 'second' },
  'fal-ai/wan-25-preview/text-to-video': { unit_price: 0.1, unit: 'second' },
  'fal-ai/minimax/hailuo-02/standard/text-to-video': { unit_price: 0.27, unit: 'video' },
  'fal-ai/bytedance/seedance/v1/pro/text-to-video': { unit_price: 2.5, unit: '1m tokens' },
};

const MAX_PRICE_IDS = 50;

interface Job {
  id: string;
  endpointId: string;
  /** `{owner}/{app}`: the only path the status, result and cancel routes take. */
  app: string;
  timing: TaskTiming;
  file: string;
  queueAhead: number;
  statusHost?: string;
  cancelled?: boolean;
}

export function falError(status: number, detail: unknown, headers: Record<string, string> = {}): BufferReply {
  return jsonReply(status, { detail }, headers);
}

function unauthorized(auth: AuthCheck): BufferReply {
  return falError(401, auth.problem === 'missing' ? 'No authentication credentials were provided.' : 'Invalid API key.');
}

/** A pydantic-style validation entry, as fal's 422 lists them. */
function invalidField(field: string, msg: string, type: string, input: unknown, ctx?: Record<string, unknown>) {
  return { loc: ['body', field], msg, type, input, ...(ctx ? { ctx } : {}) };
}

function expectedText(values: readonly string[]): string {
  const quoted = values.map((v) => `'${v}'`);
  return quoted.length < 2 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
}

/** The input's problems for this endpoint, fal's way: one entry per field. */
export function checkFalInput(endpoint: EmulatedEndpoint | undefined, input: Record<string, unknown>): unknown[] {
  const problems: unknown[] = [];
  if (typeof input.prompt !== 'string' || input.prompt.trim() === '') {
    problems.push(invalidField('prompt', 'Field required', 'missing', input.prompt));
  }
  if (!endpoint) return problems;
  for (const name of endpoint.required) {
    if (name !== 'prompt' && input[name] === undefined) problems.push(invalidField(name, 'Field required', 'missing', undefined));
  }
  for (const [name, rule] of Object.entries(endpoint.fields)) {
    const v = input[name];
    if (v === undefined) continue;
    switch (rule.kind) {
      case 'enum':
        if (typeof v !== 'string' || !rule.values.includes(v)) {
          const expected = expectedText(rule.values);
          problems.push(invalidField(name, `Input should be ${expected}`, 'literal_error', v, { expected }));
        }
        break;
      case 'boolean':
        if (typeof v !== 'boolean') problems.push(invalidField(name, 'Input should be a valid boolean', 'bool_type', v));
        break;
      case 'integer':
        if (!Number.isInteger(v)) problems.push(invalidField(name, 'Input should be a valid integer', 'int_type', v));
        break;
      case 'number':
        if (typeof v !== 'number') problems.push(invalidField(name, 'Input should be a valid number', 'float_type', v));
        break;
      case 'string':
        if (typeof v !== 'string') problems.push(invalidField(name, 'Input should be a valid string', 'string_type', v));
        break;
      case 'image':
        if (!isImageRef(v)) problems.push(invalidField(name, 'Input should be a valid URL or data URI of an image', 'url_parsing', '…'));
        break;
    }
  }
  return problems;
}

/** An http(s) URL or a base64 image data URI. */
function isImageRef(v: unknown): boolean {
  return typeof v === 'string' && isMediaRef(v) && (/^https?:\/\//i.test(v) || /^data:image\/[\w.+-]+;base64,/i.test(v));
}

/** The `Key <key>` fal wants; a bearer token is not one. */
function hasFalKey(headers: IncomingHttpHeaders): boolean {
  return /^Key\s+\S/i.test((headers.authorization ?? '').trim());
}

export class FalQueue {
  private readonly jobs = new Map<string, Job>();

  constructor(private readonly state: EmulatorState) {}

  submit(endpointId: string, body: unknown): Reply {
    if (!isObject(body)) return falError(422, [invalidField('body', 'Input should be a valid dictionary', 'dict_type', body)]);
    const segments = endpointId.split('/');
    if (segments.length < 2 || segments.some((s) => !/^[\w.-]+$/.test(s))) return falError(404, `Application '${endpointId}' not found`);
    const endpoint = FAL_ENDPOINTS.find((e) => e.id === endpointId);
    const problems = checkFalInput(endpoint, body);
    if (problems.length) return falError(422, problems);
    const prompt = String(body.prompt);
    const id = randomUUID();
    const timing = this.state.startTask(id, prompt);
    const job: Job = {
      id,
      endpointId,
      app: segments.slice(0, 2).join('/'),
      timing,
      file: `fal/${id}/output.mp4`,
      queueAhead: Number(/\[queue=(\d{1,3})\]/i.exec(prompt)?.[1] ?? 2),
      ...(/\[status-host=([^\s\]]+)\]/i.exec(prompt) ? { statusHost: /\[status-host=([^\s\]]+)\]/i.exec(prompt)![1] } : {}),
    };
    this.state.files.set(job.file, { fixture: this.state.videoFor(this.jobs.size), timing, isResult: true });
    this.jobs.set(id, job);
    return jsonReply(200, { request_id: id, status: 'IN_QUEUE', queue_position: job.queueAhead, ...this.urls(job) });
  }

  /** The job a status/result/cancel path names, or fal's 404 when the path is not `{owner}/{app}` of its endpoint. */
  private find(appPath: string, id: string): Job | Reply {
    const job = this.jobs.get(id);
    if (appPath.split('/').length !== 2 || !job || job.app !== appPath) return falError(404, 'Not Found');
    return job;
  }

  status(appPath: string, id: string, withLogs: boolean): Reply {
    const job = this.find(appPath, id);
    if (!('endpointId' in job)) return job;
    const snap = snapshot(job.timing, this.state.now());
    const urls = { response_url: this.urls(job).response_url };
    if (job.cancelled || (snap.phase !== 'queued' && snap.phase !== 'running')) {
      const inference = Math.max(0, ((snap.finishedAt ?? this.state.now()) - (snap.startedAt ?? job.timing.createdAt)) / 1000);
      return jsonReply(200, {
        status: 'COMPLETED',
        request_id: id,
        ...urls,
        logs: withLogs ? [] : null,
        metrics: { inference_time: inference },
      });
    }
    if (snap.phase === 'queued') {
      const position = Math.max(0, Math.ceil(job.queueAhead * (1 - snap.queuedElapsed)));
      return jsonReply(202, { status: 'IN_QUEUE', request_id: id, queue_position: position, ...urls });
    }
    const logs = withLogs
      ? [
          { message: 'Starting generation', level: 'INFO', source: 'user', timestamp: new Date(snap.startedAt ?? 0).toISOString() },
          {
            message: `Generating video: ${snap.progress}% done`,
            level: 'INFO',
            source: 'user',
            timestamp: new Date(this.state.now()).toISOString(),
          },
        ]
      : null;
    return jsonReply(202, { status: 'IN_PROGRESS', request_id: id, ...urls, logs });
  }

  result(appPath: string, id: string): Reply {
    const job = this.find(appPath, id);
    if (!('endpointId' in job)) return job;
    if (job.cancelled) return falError(400, 'Request was cancelled.', { 'X-Fal-Error-Type': 'request_cancelled' });
    const snap = snapshot(job.timing, this.state.now());
    if (snap.phase === 'queued' || snap.phase === 'running') return falError(400, 'Request is still in progress.');
    if (snap.phase === 'rejected') {
      return falError(422, [{ loc: ['body', 'prompt'], msg: REJECTED_MESSAGE, type: 'content_policy_violation', input: '…' }], {
        'X-Fal-Error-Type': 'content_policy_violation',
      });
    }
    if (snap.phase !== 'succeeded') return falError(500, snap.error ?? FAILURE_MESSAGE, { 'X-Fal-Error-Type': 'internal_error' });
    const entry = this.state.files.get(job.file)!;
    return jsonReply(200, {
      video: {
        url: this.state.fileUrl(job.file),
        content_type: 'video/mp4',
        file_name: 'output.mp4',
        file_size: entry.fixture.bytes.length,
      },
      seed: 42,
    });
  }

  cancel(appPath: string, id: string): Reply {
    const job = this.find(appPath, id);
    if (!('endpointId' in job)) return jsonReply(404, { status: 'NOT_FOUND' });
    const phase = snapshot(job.timing, this.state.now()).phase;
    if (job.cancelled || (phase !== 'queued' && phase !== 'running')) return jsonReply(400, { status: 'ALREADY_COMPLETED' });
    job.cancelled = true;
    return jsonReply(202, { status: 'CANCELLATION_REQUESTED' });
  }

  pricing(query: URLSearchParams): Reply {
    const ids = query
      .getAll('endpoint_id')
      .flatMap((v) => v.split(','))
      .map((s) => s.trim())
      .filter(Boolean);
    if (ids.length < 1 || ids.length > MAX_PRICE_IDS) {
      return falError(422, [invalidField('endpoint_id', `Provide 1 to ${MAX_PRICE_IDS} endpoint ids`, 'value_error', ids.length)]);
    }
    const prices = ids.filter((id) => FAL_PRICES[id]).map((id) => ({ endpoint_id: id, ...FAL_PRICES[id], currency: 'USD' }));
    return jsonReply(200, { prices, next_cursor: null, has_more: false });
  }

  private urls(job: Job): { status_url: string; response_url: string; cancel_url: string } {
    const base = job.statusHost ? `http://${job.statusHost}${FAL_QUEUE_PATH}` : `${this.state.baseUrl}${FAL_QUEUE_PATH}`;
    const request = `${base}/${job.app}/requests/${job.id}`;
    return { status_url: `${request}/status`, response_url: request, cancel_url: `${request}/cancel` };
  }
}

const REQUEST_PATH = /^\/fal\/queue\/(.+)\/requests\/([^/]+)(?:\/(status|cancel))?$/;

export const falRoutes: ProviderRoutes = {
  provider: 'fal',
  basePath: FAL_QUEUE_PATH,
  urls: { apiUrl: FAL_API_PATH },
  summary: '/fal/queue/{endpoint id}, …/{owner}/{app}/requests/{id}[/status|/cancel], /fal/api/v1/models/pricing',
  keys: ['fal.submit', 'fal.status', 'fal.result', 'fal.cancel', 'fal.pricing'],
  mount(state) {
    const queue = new FalQueue(state);
    /** fal wants `Key <key>`: a request without one gets fal's 401 whatever else it carries. */
    const keyed =
      (handle: Route['handle']): Route['handle'] =>
      (c) =>
        hasFalKey(c.headers) ? handle(c) : unauthorized({ authorized: false, hadAuthorizationHeader: true, problem: 'invalid' });
    return {
      unauthorized,
      error: (status, message) => falError(status, message),
      match(path): Route | Reply | undefined {
        if (path === `${FAL_API_PATH}/v1/models/pricing`) {
          return { key: 'fal.pricing', kind: 'other', methods: ['GET'], handle: keyed((c) => queue.pricing(c.query)) };
        }
        if (!path.startsWith(`${FAL_QUEUE_PATH}/`)) return path.startsWith('/fal/') ? falError(404, 'Not Found') : undefined;
        const m = REQUEST_PATH.exec(path);
        if (m) {
          const app = m[1].split('/').map(decodeSegment).join('/');
          const id = decodeSegment(m[2]);
          if (m[3] === 'status') {
            return {
              key: 'fal.status',
              kind: 'status',
              methods: ['GET'],
              ids: () => [id],
              handle: keyed((c) => queue.status(app, id, c.query.get('logs') === '1')),
            };
          }
          if (m[3] === 'cancel') return { key: 'fal.cancel', kind: 'other', methods: ['PUT'], handle: keyed(() => queue.cancel(app, id)) };
          return { key: 'fal.result', kind: 'status', methods: ['GET'], ids: () => [id], handle: keyed(() => queue.result(app, id)) };
        }
        const endpointId = path
          .slice(FAL_QUEUE_PATH.length + 1)
          .split('/')
          .map(decodeSegment)
          .join('/');
        return { key: 'fal.submit', kind: 'create', methods: ['POST'], handle: keyed((c) => queue.submit(endpointId, c.body)) };
      },
    };
  },
};
