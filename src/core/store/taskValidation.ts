// Validation of tasks read back from disk (or from another window): anything malformed is dropped
// field by field rather than trusted, and provider text is sanitized again (a history written by an
// older version may hold it raw).
import { isJsonObject } from '../../shared/json';
import { isErrorKind } from '../model/errors';
import {
  GenerateRequest,
  GENERATION_MODES,
  GenerationMode,
  isSpender,
  ProviderId,
  Task,
  TASK_STATUSES,
  TaskCost,
  TaskSource,
  TaskStatus,
  TaskVideo,
} from '../model/task';
import { MAX_PROVIDER_WORD, safeId, sanitizeText } from '../net/sanitize';
import { PROVIDER_ID_PATTERN } from '../provider/descriptor';

const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function optStr(v: unknown): string | undefined {
  return isStr(v) ? v : undefined;
}
/** Stored errors carry the extension's own explanation after the provider's text (polling/transitions.ts MAX_TASK_ERROR). */
const MAX_STORED_ERROR = 600;

function optText(v: unknown, max: number): string | undefined {
  return isStr(v) ? sanitizeText(v, [], max) : undefined;
}
function optNum(v: unknown): number | undefined {
  return isNum(v) ? v : undefined;
}

function video(v: unknown): TaskVideo | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  if (!isStr(o.url)) return undefined;
  const out: TaskVideo = { url: o.url };
  for (const k of ['posterUrl', 'thumbnailUrl', 'posterPath', 'watermarkedUrl', 'localPath'] as const) {
    const s = optStr(o[k]);
    if (s !== undefined) out[k] = s;
  }
  const id = safeId(o.id);
  if (id !== undefined) out.id = id;
  const downloadError = optText(o.downloadError, MAX_STORED_ERROR);
  if (downloadError !== undefined) out.downloadError = downloadError;
  for (const k of ['seed', 'duration', 'width', 'height', 'fps', 'expiresAt', 'keptForMs'] as const) {
    const n = optNum(o[k]);
    if (n !== undefined) out[k] = n;
  }
  if (o.authenticated === true) out.authenticated = true;
  return out;
}

function request(v: unknown, provider: ProviderId, prompt: string): GenerateRequest {
  const o = v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  const r: GenerateRequest = { provider, prompt: isStr(o.prompt) ? o.prompt : prompt };
  for (const k of ['model', 'negativePrompt', 'aspectRatio', 'image', 'lastFrame', 'video', 'pikaffect', 'style', 'resolution'] as const) {
    const s = optStr(o[k]);
    if (s !== undefined) r[k] = s;
  }
  if (isNum(o.seed)) r.seed = o.seed;
  if (isNum(o.duration)) r.duration = o.duration;
  if (typeof o.audio === 'boolean') r.audio = o.audio;
  if (Array.isArray(o.images) && o.images.every(isStr)) r.images = o.images;
  if (isJsonObject(o.options)) r.options = o.options;
  return r;
}

function cost(v: unknown): TaskCost | undefined {
  if (!isJsonObject(v)) return undefined;
  if (!isNum(v.amount) || v.amount < 0 || v.currency !== 'USD' || (v.source !== 'provider' && v.source !== 'estimate')) return undefined;
  return { amount: v.amount, currency: 'USD', source: v.source };
}

function sender(v: unknown): Task['sender'] {
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  if (!isStr(o.owner) || !isNum(o.pid)) return undefined;
  return {
    owner: o.owner,
    pid: o.pid,
    ...(isStr(o.instance) && { instance: o.instance }),
    ...(isNum(o.started) && { started: o.started }),
    ...(isNum(o.since) && { since: o.since }),
  };
}

function source(v: unknown): TaskSource | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  if (!isStr(o.uri) || !isStr(o.hash) || !isNum(o.line) || !Number.isInteger(o.line) || o.line < 0) return undefined;
  return { uri: o.uri, hash: o.hash, line: o.line };
}

export function validateStoredTask(v: unknown): Task | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  // A task of a provider this build lacks is kept (and not polled), not dropped.
  if (!isStr(o.id) || !isStr(o.provider) || !PROVIDER_ID_PATTERN.test(o.provider)) return undefined;
  if (!isStr(o.status) || !TASK_STATUSES.includes(o.status as TaskStatus)) return undefined;
  if (!isNum(o.createdAt) || !isNum(o.updatedAt)) return undefined;
  const provider = o.provider as ProviderId;
  const prompt = isStr(o.prompt) ? o.prompt : '';
  const task: Task = {
    id: o.id,
    provider,
    remoteId: safeId(o.remoteId) ?? '',
    mode: GENERATION_MODES.includes(o.mode as GenerationMode) ? (o.mode as GenerationMode) : 'text-to-video',
    status: o.status as TaskStatus,
    progress: isNum(o.progress) ? Math.max(0, Math.min(100, o.progress)) : 0,
    prompt,
    model: optText(o.model, MAX_PROVIDER_WORD) ?? '',
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
    videos: Array.isArray(o.videos) ? o.videos.map(video).filter((x): x is TaskVideo => !!x) : [],
    request: request(o.request, provider, prompt),
  };
  const extras = {
    rawStatus: optText(o.rawStatus, MAX_PROVIDER_WORD),
    error: optText(o.error, MAX_STORED_ERROR),
    errorKind: isErrorKind(o.errorKind) ? o.errorKind : undefined,
    route: optStr(o.route),
    origin: optStr(o.origin),
    groupId: safeId(o.groupId),
    finishedAt: optNum(o.finishedAt),
    sentAt: optNum(o.sentAt),
    timedOut: o.timedOut === true ? true : undefined,
    uncertain: o.uncertain === true ? true : undefined,
    sendAfter: optNum(o.sendAfter),
    waitReason: optText(o.waitReason, MAX_STORED_ERROR),
    sender: sender(o.sender),
    source: source(o.source),
    cost: cost(o.cost),
    startedBy: isSpender(o.startedBy) ? o.startedBy : undefined,
  };
  // for…in, not Object.entries: no arrays allocated for each task of a history load.
  for (const k in extras) {
    const val = extras[k as keyof typeof extras];
    if (val !== undefined) (task as unknown as Record<string, unknown>)[k] = val;
  }
  return task;
}
