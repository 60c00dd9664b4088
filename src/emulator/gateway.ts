// The new-api style video gateway (docs/providers/gateway.md): /v1/video/generations and /v1/models.
import { randomBytes, randomUUID } from 'crypto';

import { isMediaRef, isObject, jsonReply, openAiError, openAiUnauthorized, type Reply } from './http';
import { decodeSegment, type ProviderRoutes } from './routes';
import type { EmulatorState } from './state';
import { snapshot, type TaskTiming } from './tasks';

export const GATEWAY_MODELS: ReadonlyArray<{ id: string; owned_by: string }> = [
  { id: 'kling-v1', owned_by: 'kling' },
  { id: 'kling-v2-master', owned_by: 'kling' },
  { id: 'viduq1', owned_by: 'vidu' },
  { id: 'jimeng_vgfm_t2v_l20', owned_by: 'jimeng' },
  { id: 'doubao-seedance-1-0-pro-250528', owned_by: 'volcengine' },
  { id: 'veo3', owned_by: 'google' },
  { id: 'MiniMax-Hailuo-02', owned_by: 'minimax' },
  { id: 'gpt-4o-mini', owned_by: 'openai' },
  { id: 'text-embedding-3-small', owned_by: 'openai' },
];

/** error.code values of a failed flat task. */
export const GATEWAY_ERROR_CODES = { failed: 500, rejected: 451 } as const;

interface GatewayTask {
  id: string;
  timing: TaskTiming;
  seed: number;
  file: string;
}

function invalid(param: string, message: string): Reply {
  return openAiError(400, message, 'invalid_request_error', param, null);
}

export function validateGatewayCreate(body: unknown): Reply | undefined {
  if (!isObject(body)) return invalid('body', 'Request body must be a JSON object');
  if (typeof body.model !== 'string' || body.model.trim() === '') return invalid('model', 'model is required');
  if (typeof body.prompt !== 'string' || body.prompt.trim() === '') return invalid('prompt', 'prompt is required and must not be blank');
  if ('size' in body && !(typeof body.size === 'string' && /^[1-9]\d*x[1-9]\d*$/.test(body.size))) {
    return invalid('size', 'size must look like "1280x720"');
  }
  if ('duration' in body && !(Number.isInteger(body.duration) && (body.duration as number) > 0)) {
    return invalid('duration', 'duration must be a positive integer number of seconds');
  }
  if ('image' in body && !isMediaRef(body.image)) return invalid('image', 'image must be an http(s) URL, a data: URI or base64');
  if ('images' in body) {
    if (!Array.isArray(body.images)) return invalid('images', 'images must be an array of strings');
    const bad = body.images.findIndex((i: unknown) => !isMediaRef(i));
    if (bad >= 0) return invalid(`images[${bad}]`, `images[${bad}] must be an http(s) URL, a data: URI or base64`);
  }
  if ('metadata' in body && !isObject(body.metadata)) return invalid('metadata', 'metadata must be an object');
  return undefined;
}

const seconds = (ms: number | undefined): number => (ms === undefined ? 0 : Math.floor(ms / 1000));

export class GatewayProvider {
  private readonly tasks = new Map<string, GatewayTask>();

  constructor(private readonly state: EmulatorState) {}

  create(body: unknown): Reply {
    const problem = validateGatewayCreate(body);
    if (problem) return problem;
    const { prompt, metadata } = body as { prompt: string; metadata?: Record<string, unknown> };
    const id = `task_${randomUUID().replace(/-/g, '')}`;
    const timing = this.state.startTask(id, prompt);
    const requestedSeed = metadata?.seed;
    const seed = Number.isInteger(requestedSeed) ? (requestedSeed as number) : randomBytes(4).readUInt32BE(0);
    const file = `gateway/${id}/video.mp4`;
    this.state.files.set(file, { fixture: this.state.videoFor(0), timing, isResult: true });
    this.tasks.set(id, { id, timing, seed, file });
    const which = this.state.options.gatewayCreateId;
    return jsonReply(200, {
      ...(which !== 'id' ? { task_id: id } : {}),
      ...(which !== 'task_id' ? { id } : {}),
      status: 'queued',
      progress: 0,
    });
  }

  get(id: string): Reply {
    const task = this.tasks.get(id);
    const shape = task?.timing.markers.gatewayShape ?? this.state.options.gatewayShape;
    if (!task) {
      return shape === 'envelope'
        ? jsonReply(400, { code: 'task_not_exist', message: 'task_not_exist' })
        : openAiError(404, `Task ${id} does not exist`, 'invalid_request_error', 'task_id', 'task_not_exist');
    }
    return shape === 'envelope' ? this.envelope(task) : this.flat(task);
  }

  models(): Reply {
    return jsonReply(200, { object: 'list', data: GATEWAY_MODELS.map((m) => ({ id: m.id, object: 'model', owned_by: m.owned_by })) });
  }

  private flat(task: GatewayTask): Reply {
    const snap = snapshot(task.timing, this.state.now());
    const status =
      snap.phase === 'queued'
        ? 'queued'
        : snap.phase === 'running'
          ? snap.unknownStatus
            ? 'mystery'
            : 'in_progress'
          : snap.phase === 'succeeded'
            ? 'completed'
            : 'failed';
    const info = this.state.videoFor(0).info;
    return jsonReply(200, {
      task_id: task.id,
      status,
      progress: snap.progress,
      ...(status === 'completed' ? { url: this.state.fileUrl(task.file) } : {}),
      format: 'mp4',
      metadata: { duration: info.duration, fps: info.fps, width: info.width, height: info.height, seed: task.seed },
      ...(status === 'failed'
        ? {
            error: {
              code: snap.phase === 'rejected' ? GATEWAY_ERROR_CODES.rejected : GATEWAY_ERROR_CODES.failed,
              message: snap.error ?? '',
            },
          }
        : {}),
    });
  }

  private envelope(task: GatewayTask): Reply {
    const snap = snapshot(task.timing, this.state.now());
    const status =
      snap.phase === 'queued'
        ? snap.queuedElapsed < 0.5
          ? 'SUBMITTED'
          : 'QUEUED'
        : snap.phase === 'running'
          ? snap.unknownStatus
            ? 'UNKNOWN'
            : 'IN_PROGRESS'
          : snap.phase === 'succeeded'
            ? 'SUCCESS'
            : 'FAILURE';
    const resultUrl = status === 'SUCCESS' ? this.state.fileUrl(task.file) : status === 'FAILURE' ? (snap.error ?? '') : '';
    return jsonReply(200, {
      code: 'success',
      message: '',
      data: {
        task_id: task.id,
        action: 'generate',
        status,
        progress: `${snap.progress}%`,
        result_url: resultUrl,
        fail_reason: status === 'FAILURE' ? (snap.error ?? '') : '',
        submit_time: seconds(task.timing.createdAt),
        start_time: seconds(snap.startedAt),
        finish_time: seconds(snap.finishedAt),
      },
    });
  }
}

export const gatewayRoutes: ProviderRoutes = {
  provider: 'gateway',
  summary: 'POST /v1/video/generations, GET /v1/video/generations/{task_id}, GET /v1/models',
  keys: ['gateway.create', 'gateway.get', 'gateway.models'],
  mount(state) {
    const gateway = new GatewayProvider(state);
    return {
      unauthorized: openAiUnauthorized,
      error: (status, message) => openAiError(status, message, 'invalid_request_error'),
      match(path) {
        if (path === '/v1/video/generations') {
          return { key: 'gateway.create', kind: 'create', methods: ['POST'], handle: (c) => gateway.create(c.body) };
        }
        if (path === '/v1/models') return { key: 'gateway.models', kind: 'other', methods: ['GET'], handle: () => gateway.models() };
        const task = /^\/v1\/video\/generations\/([^/]+)$/.exec(path);
        if (!task) return undefined;
        const id = decodeSegment(task[1]);
        return { key: 'gateway.get', kind: 'status', methods: ['GET'], handle: () => gateway.get(id), ids: () => [id] };
      },
    };
  },
};
