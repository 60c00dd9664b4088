// HiDream (docs/providers/hidream.md): /api-pub/gw/v2/video/<module>/async, .../results/batch, .../results?task_id=.
import { randomUUID } from 'crypto';

import { isMediaRef, isObject, jsonReply, type Reply } from './http';
import { decodeSegment, type ProviderRoutes } from './routes';
import type { EmulatorState } from './state';
import { snapshot, type Phase, type TaskTiming } from './tasks';

export type HidreamModule = 'txt2video' | 'img2video' | 'video_edit';
export const HIDREAM_MODULES: readonly HidreamModule[] = ['txt2video', 'img2video', 'video_edit'];

/** Envelope `code` values: 0 is success, anything else a failure to show. */
export const HIDREAM_CODES = { ok: 0, invalidParam: 4001, unauthorized: 4010, notFound: 4040, rateLimited: 4290, internal: 5000 } as const;

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
];

/** Published create limits per minute. */
export const HIDREAM_LIMITS: Record<HidreamModule, number> = { txt2video: 10, img2video: 10, video_edit: 2 };
const LIMIT_WINDOW_MS = 60_000;

export interface HidreamEnvelope {
  code: number;
  message: string;
  request_id: string;
  result: unknown;
}

export interface SubTaskResult {
  sub_task_id: string;
  task_status: number;
  task_completion: number;
  video: string;
  video_wm: string;
}

interface SubTask {
  id: string;
  video: string;
  videoWm: string;
}

interface HidreamTask {
  id: string;
  module: HidreamModule;
  timing: TaskTiming;
  subTasks: SubTask[];
}

export function isHidreamModule(m: string): m is HidreamModule {
  return (HIDREAM_MODULES as readonly string[]).includes(m);
}

export function hidreamReply(
  httpStatus: number,
  code: number,
  message: string,
  result: unknown,
  requestId: string = randomUUID(),
  headers: Record<string, string> = {},
): Reply {
  const body: HidreamEnvelope = { code, message, request_id: requestId, result };
  return jsonReply(httpStatus, body, headers);
}

const STATUS_CODES: Record<Phase, number> = { queued: 0, running: 2, succeeded: 1, failed: 3, rejected: 4 };
/** What HiDream reports while running for `[unknown]`. */
const UNKNOWN_STATUS = 7;

function isIntIn(v: unknown, min: number, max: number): boolean {
  return Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
}

/** The first problem of a create body, as a message, or undefined. */
export function validateHidreamCreate(module: HidreamModule, body: unknown): string | undefined {
  if (!isObject(body)) return 'Request body must be a JSON object';
  if ('request_id' in body && (typeof body.request_id !== 'string' || body.request_id === '')) {
    return 'request_id must be a non-empty string';
  }
  if ('notify_url' in body && typeof body.notify_url !== 'string') return 'notify_url must be a string';
  if (module === 'video_edit') {
    if (!isMediaRef(body.video_name)) return 'video_name is required: a video URL or base64';
    const hasPrompt = typeof body.prompt === 'string' && body.prompt.trim() !== '';
    if ('prompt' in body && typeof body.prompt !== 'string') return 'prompt must be a string';
    if ('style' in body && !HIDREAM_STYLES.includes(body.style as string)) return `style must be one of ${HIDREAM_STYLES.join(', ')}`;
    if (!hasPrompt && !('style' in body)) return 'prompt or style is required';
    return undefined;
  }
  if (module === 'txt2video') {
    if (typeof body.prompt !== 'string' || body.prompt.trim() === '') return 'prompt is required';
  } else {
    if (!isMediaRef(body.image)) return 'image is required: an image URL or base64';
    if ('prompt' in body && typeof body.prompt !== 'string') return 'prompt must be a string';
  }
  if ('aspect_ratio' in body && !['16:9', '1:1', '9:16'].includes(body.aspect_ratio as string)) {
    return 'aspect_ratio must be one of 16:9, 1:1, 9:16';
  }
  for (const k of ['camera_move_horizontal', 'camera_move_vertical', 'camera_move_depth']) {
    if (k in body && !isIntIn(body[k], -5, 5)) return `${k} must be an integer from -5 to 5`;
  }
  if ('motion_strength' in body) {
    const v = body.motion_strength;
    if (!(typeof v === 'number' && v >= 0 && v <= 30)) return 'motion_strength must be a number from 0 to 30';
  }
  if ('resolution_ratio' in body && ![1024, 2048, 4096].includes(body.resolution_ratio as number)) {
    return 'resolution_ratio must be 1024, 2048 or 4096';
  }
  return undefined;
}

export class HidreamProvider {
  private readonly tasks = new Map<string, HidreamTask>();
  /** `<module>:<request_id>` -> task id. */
  private readonly byRequestId = new Map<string, string>();
  private readonly recentCreates = new Map<HidreamModule, number[]>();

  constructor(private readonly state: EmulatorState) {}

  create(module: HidreamModule, body: unknown): Reply {
    const problem = validateHidreamCreate(module, body);
    if (problem) return hidreamReply(200, HIDREAM_CODES.invalidParam, problem, null);
    const b = body as { request_id?: string; prompt?: string; style?: string };
    const requestId = b.request_id ?? randomUUID();
    const idemKey = b.request_id !== undefined ? `${module}:${b.request_id}` : undefined;
    const existing = idemKey !== undefined ? this.byRequestId.get(idemKey) : undefined;
    if (existing) return hidreamReply(200, HIDREAM_CODES.ok, 'Success', { task_id: existing }, requestId);

    const limited = this.overLimit(module);
    if (limited !== undefined) {
      return hidreamReply(
        429,
        HIDREAM_CODES.rateLimited,
        `Too many ${module} tasks: at most ${HIDREAM_LIMITS[module]} a minute`,
        null,
        requestId,
        {
          'Retry-After': String(limited),
        },
      );
    }

    const id = randomUUID();
    const timing = this.state.startTask(id, b.prompt, b.style);
    const subTasks: SubTask[] = [];
    for (let i = 0; i < timing.markers.subtasks; i++) {
      const subId = randomUUID();
      const sub = { id: subId, video: `hidream/${subId}.mp4`, videoWm: `hidream/${subId}_wm.mp4` };
      const fixture = this.state.videoFor(i);
      this.state.files.set(sub.video, { fixture, timing, isResult: true });
      this.state.files.set(sub.videoWm, { fixture, timing, isResult: true });
      subTasks.push(sub);
    }
    this.tasks.set(id, { id, module, timing, subTasks });
    if (idemKey !== undefined) this.byRequestId.set(idemKey, id);
    return hidreamReply(200, HIDREAM_CODES.ok, 'Success', { task_id: id }, requestId);
  }

  batch(module: HidreamModule, body: unknown): Reply {
    if (!isObject(body) || !Array.isArray(body.task_id_list) || !body.task_id_list.every((t: unknown) => typeof t === 'string')) {
      return hidreamReply(200, HIDREAM_CODES.invalidParam, 'task_id_list is required: a list of task ids', null);
    }
    const result = (body.task_id_list as string[]).map((id) => this.result(module, id));
    return hidreamReply(200, HIDREAM_CODES.ok, '请求成功', result);
  }

  single(module: HidreamModule, taskId: string | null): Reply {
    if (!taskId) return hidreamReply(200, HIDREAM_CODES.invalidParam, 'task_id is required', null);
    return hidreamReply(200, HIDREAM_CODES.ok, '请求成功', this.result(module, taskId));
  }

  private result(module: HidreamModule, taskId: string): { task_id: string; sub_task_results: SubTaskResult[] } {
    const task = this.tasks.get(taskId);
    if (!task || task.module !== module) return { task_id: taskId, sub_task_results: [] };
    const snap = snapshot(task.timing, this.state.now());
    const status = snap.phase === 'running' && snap.unknownStatus ? UNKNOWN_STATUS : STATUS_CODES[snap.phase];
    const done = snap.phase === 'succeeded';
    return {
      task_id: task.id,
      sub_task_results: task.subTasks.map((s) => ({
        sub_task_id: s.id,
        task_status: status,
        task_completion: Math.round(snap.progress) / 100,
        video: done ? this.state.fileUrl(s.video) : '',
        video_wm: done ? this.state.fileUrl(s.videoWm) : '',
      })),
    };
  }

  /** Seconds to wait when a create now would pass the module's limit, else undefined (and the create is counted). */
  private overLimit(module: HidreamModule): number | undefined {
    if (!this.state.options.hidreamLimits) return undefined;
    const now = this.state.now();
    const recent = (this.recentCreates.get(module) ?? []).filter((t) => now - t < LIMIT_WINDOW_MS);
    this.recentCreates.set(module, recent);
    if (recent.length >= HIDREAM_LIMITS[module]) return Math.max(1, Math.ceil((recent[0] + LIMIT_WINDOW_MS - now) / 1000));
    recent.push(now);
    return undefined;
  }
}

export const hidreamRoutes: ProviderRoutes = {
  provider: 'hidream',
  summary: '/api-pub/gw/v2/video/{txt2video|img2video|video_edit}/async',
  keys: HIDREAM_MODULES.flatMap((m) => [`hidream.${m}.create`, `hidream.${m}.batch`, `hidream.${m}.result`]),
  mount(state) {
    const hidream = new HidreamProvider(state);
    return {
      unauthorized: () => hidreamReply(401, HIDREAM_CODES.unauthorized, 'Token is missing, invalid or expired: set a new token', null),
      error: (status, message) => hidreamReply(status, HIDREAM_CODES.invalidParam, message, null),
      match(path) {
        const m = /^\/api-pub\/gw\/v2\/video\/([^/]+)\/async(\/results(\/batch)?)?$/.exec(path);
        if (!m) return undefined;
        const module = decodeSegment(m[1]);
        if (!isHidreamModule(module)) return hidreamReply(404, HIDREAM_CODES.notFound, `Unknown module: ${module}`, null);
        if (m[3]) {
          return {
            key: `hidream.${module}.batch`,
            kind: 'status',
            methods: ['POST'],
            handle: (c) => hidream.batch(module, c.body),
            ids: (c) => {
              const list = isObject(c.body) ? c.body.task_id_list : undefined;
              return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : [];
            },
          };
        }
        if (m[2]) {
          return {
            key: `hidream.${module}.result`,
            kind: 'status',
            methods: ['GET'],
            handle: (c) => hidream.single(module, c.query.get('task_id')),
            ids: (c) => [c.query.get('task_id') ?? ''],
          };
        }
        return { key: `hidream.${module}.create`, kind: 'create', methods: ['POST'], handle: (c) => hidream.create(module, c.body) };
      },
    };
  },
};
