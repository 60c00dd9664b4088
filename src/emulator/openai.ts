// The OpenAI Videos protocol (docs/providers/openai.md) under any path prefix ("/v1", "/gw/v1", none),
// as a compatible server that serves open models (Wan, Seedance) on it, not OpenAI's retired Sora:
// POST {p}/videos (multipart/form-data as the official SDK sends it, or JSON), GET {p}/videos (a
// cursor page), GET {p}/videos/{id}, GET {p}/videos/{id}/content[?variant=thumbnail|spritesheet],
// POST {p}/videos/{id}/remix, GET {p}/models. Prompt markers beyond the common ones:
// `[moderation_blocked]` fails the job as moderation does, `[expires=S]` makes the content expire S
// seconds after completion (default one hour), `[redirect-content]` answers content with a 302 to a
// /files URL, as a CDN-fronted server does; `[lost-answer]` starts the job but answers 502, as a
// gateway that lost the answer does.
import { randomBytes } from 'crypto';
import type { IncomingHttpHeaders } from 'http';

import { detectImageType, imageSize } from '../core/request/media';
import { serveFile } from './files';
import { isObject, jsonReply, openAiError, openAiUnauthorized, parseJsonBody, type Reply } from './http';
import { decodeSegment, type ProviderRoutes, type RequestContext, type Route } from './routes';
import type { EmulatorState } from './state';
import { FAILURE_MESSAGE, hostileMessage, snapshot, type TaskTiming } from './tasks';

/**
 * The models this server makes, as a gateway that serves open models on these paths would: what each
 * takes is the server's business (the extension enforces no list); it refuses the rest with 400.
 */
export const OPENAI_MODELS: Readonly<Record<string, { maxSeconds: number; sizes: readonly string[] }>> = {
  'wan-2.2': { maxSeconds: 10, sizes: ['1280x720', '720x1280', '832x480', '480x832'] },
  'seedance-1-pro': { maxSeconds: 12, sizes: ['1920x1080', '1080x1920', '1280x720', '720x1280', '1024x1024'] },
};
/** What a create without `model` gets. */
export const SERVER_DEFAULT_MODEL = 'wan-2.2';
const VIDEO_MODELS = Object.keys(OPENAI_MODELS);
/** What GET /models lists: the video models among others, as OpenAI-style lists do. */
const LISTED_MODELS = [...VIDEO_MODELS, 'gpt-4o', 'gpt-image-1', 'whisper-1'];
const DEFAULT_EXPIRES_S = 3600;
export const MODERATION_MESSAGE = 'Your request was blocked by our moderation system.';

/** A file part of a multipart body. */
export interface FilePart {
  filename: string;
  contentType: string;
  data: Buffer;
}

export function isFilePart(v: unknown): v is FilePart {
  return isObject(v) && Buffer.isBuffer(v.data) && typeof v.filename === 'string';
}

/**
 * A multipart/form-data body as fields (text) and file parts by name; undefined when it is not
 * well formed. A repeated name keeps its last value.
 */
export function parseMultipart(raw: Buffer, contentType: string): Record<string, string | FilePart> | undefined {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!boundary) return undefined;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const out: Record<string, string | FilePart> = {};
  let at = raw.indexOf(delimiter);
  if (at < 0) return undefined;
  for (;;) {
    at += delimiter.length;
    if (raw.subarray(at, at + 2).toString() === '--') return out;
    if (raw.subarray(at, at + 2).toString() !== '\r\n') return undefined;
    const headEnd = raw.indexOf('\r\n\r\n', at + 2);
    const next = raw.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headEnd);
    if (headEnd < 0 || next < 0) return undefined;
    const headers = raw.subarray(at + 2, headEnd).toString('utf8');
    const data = raw.subarray(headEnd + 4, next);
    const disposition = /^content-disposition:\s*form-data(.*)$/im.exec(headers)?.[1] ?? '';
    const name = /;\s*name="([^"]*)"/i.exec(disposition)?.[1];
    if (name === undefined) return undefined;
    const filename = /;\s*filename="([^"]*)"/i.exec(disposition)?.[1];
    if (filename !== undefined) {
      const type = /^content-type:\s*(.+)$/im.exec(headers)?.[1].trim() ?? 'application/octet-stream';
      out[name] = { filename, contentType: type, data: Buffer.from(data) };
    } else out[name] = data.toString('utf8');
    at = next + 2;
  }
}

/** A create or remix body: multipart when it says so, else JSON. */
function readBody(raw: Buffer, headers: IncomingHttpHeaders): unknown {
  const type = String(headers['content-type'] ?? '');
  return /^multipart\/form-data/i.test(type) ? (parseMultipart(raw, type) ?? raw.toString('latin1')) : parseJsonBody(raw);
}

interface VideoRecord {
  id: string;
  model: string;
  prompt: string;
  seconds: string;
  size: string;
  timing: TaskTiming;
  remixedFrom: string | null;
  moderation: boolean;
  redirectContent: boolean;
  expiresAfterMs: number;
  files: { video: string; thumbnail: string; spritesheet: string };
}

const VARIANTS = ['video', 'thumbnail', 'spritesheet'] as const;

function invalid(param: string, message: string, code: string | null = 'invalid_value'): Reply {
  return openAiError(400, message, 'invalid_request_error', param, code);
}

function notFound(id: string): Reply {
  return openAiError(404, `Video with id '${id}' not found.`, 'invalid_request_error', 'video_id', 'video_not_found');
}

const seconds = (ms: number): number => Math.floor(ms / 1000);

export class OpenAiProvider {
  private readonly videos = new Map<string, VideoRecord>();

  constructor(private readonly state: EmulatorState) {}

  create(body: unknown): Reply {
    if (!isObject(body)) return invalid('body', 'The request body must be multipart/form-data or a JSON object.', null);
    const prompt = body.prompt;
    if (typeof prompt !== 'string' || prompt.trim() === '') {
      return invalid('prompt', "Missing required parameter: 'prompt'.", 'missing_required_parameter');
    }
    const model = body.model ?? SERVER_DEFAULT_MODEL;
    const made = typeof model === 'string' ? OPENAI_MODELS[model] : undefined;
    if (typeof model !== 'string' || !made) {
      return invalid('model', `Invalid value: '${String(model)}'. Supported values are: ${VIDEO_MODELS.map((m) => `'${m}'`).join(', ')}.`);
    }
    const secs = body.seconds ?? '5';
    if (typeof secs !== 'string' || !/^[1-9]\d*$/.test(secs) || Number(secs) > made.maxSeconds) {
      return invalid('seconds', `Invalid value: '${String(secs)}'. ${model} makes videos of 1 to ${made.maxSeconds} whole seconds.`);
    }
    const size = body.size ?? '1280x720';
    if (typeof size !== 'string' || !made.sizes.includes(size)) {
      return invalid(
        'size',
        `Invalid value: '${String(size)}'. Supported values for ${model} are: ${made.sizes.map((v) => `'${v}'`).join(', ')}.`,
      );
    }
    const problem = this.checkReference(body, size);
    if (problem) return problem;
    const video = this.video(this.start({ model, prompt, seconds: secs, size, remixedFrom: null }));
    if (/\[lost-answer\]/i.test(prompt)) return openAiError(502, 'Bad gateway.', 'server_error', null, null);
    return jsonReply(200, video);
  }

  remix(sourceId: string, body: unknown): Reply {
    const source = this.videos.get(sourceId);
    if (!source) return notFound(sourceId);
    if (snapshot(source.timing, this.state.now()).phase !== 'succeeded') {
      return invalid('video_id', `Video '${sourceId}' is not completed; only completed videos can be remixed.`, 'invalid_video_state');
    }
    const prompt = isObject(body) ? body.prompt : undefined;
    if (typeof prompt !== 'string' || prompt.trim() === '') {
      return invalid('prompt', "Missing required parameter: 'prompt'.", 'missing_required_parameter');
    }
    return jsonReply(
      200,
      this.video(this.start({ model: source.model, prompt, seconds: source.seconds, size: source.size, remixedFrom: source.id })),
    );
  }

  retrieve(id: string): Reply {
    const v = this.videos.get(id);
    return v ? jsonReply(200, this.video(v)) : notFound(id);
  }

  list(query: URLSearchParams): Reply {
    const limit = query.has('limit') ? Number(query.get('limit')) : 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return invalid('limit', 'limit must be an integer from 1 to 100.');
    const order = query.get('order') ?? 'desc';
    if (order !== 'asc' && order !== 'desc') return invalid('order', "order must be 'asc' or 'desc'.");
    const all = [...this.videos.values()];
    if (order === 'desc') all.reverse();
    const after = query.get('after');
    const start = after ? all.findIndex((v) => v.id === after) + 1 : 0;
    if (after && start === 0) return notFound(after);
    const page = all.slice(start, start + limit).map((v) => this.video(v));
    return jsonReply(200, {
      object: 'list',
      data: page,
      first_id: page[0]?.id ?? null,
      last_id: page.at(-1)?.id ?? null,
      has_more: start + limit < all.length,
    });
  }

  /** Renders the video's generated clip, or its still for the thumbnail (when clips are generated), before its content is served. */
  prepareContent(id: string, variant: string | null): Promise<void> {
    const v = this.videos.get(id);
    if (!v) return Promise.resolve();
    const which = variant ?? 'video';
    if (which === 'video') return this.state.prepareFile(v.files.video);
    return which === 'thumbnail' ? this.state.prepareFile(v.files.thumbnail) : Promise.resolve();
  }

  content(id: string, variant: string | null, headers: IncomingHttpHeaders): Reply {
    const v = this.videos.get(id);
    if (!v) return notFound(id);
    const which = variant ?? 'video';
    if (!(VARIANTS as readonly string[]).includes(which)) {
      return invalid('variant', `Invalid value: '${which}'. Supported values are: 'video', 'thumbnail', and 'spritesheet'.`);
    }
    const snap = snapshot(v.timing, this.state.now());
    if (snap.phase !== 'succeeded') {
      return invalid('video_id', `Video '${id}' is not completed; its content is not available.`, 'invalid_video_state');
    }
    if (this.state.now() >= snap.finishedAt! + v.expiresAfterMs) {
      return openAiError(
        404,
        `The content of video '${id}' has expired and can no longer be downloaded.`,
        'invalid_request_error',
        'video_id',
        'video_expired',
      );
    }
    const file = v.files[which as (typeof VARIANTS)[number]];
    if (v.redirectContent) return { kind: 'buffer', status: 302, headers: { Location: `/files/${file}` }, body: Buffer.alloc(0) };
    return serveFile(this.state, file, headers);
  }

  models(): Reply {
    const created = seconds(this.state.now());
    return jsonReply(200, { object: 'list', data: LISTED_MODELS.map((id) => ({ id, object: 'model', created, owned_by: 'system' })) });
  }

  /** input_reference: an image file part whose size is the video's, or `input_reference[image_url]`. */
  private checkReference(body: Record<string, unknown>, size: string): Reply | undefined {
    const ref = body.input_reference;
    const url = body['input_reference[image_url]'];
    if (ref === undefined && url === undefined) return undefined;
    if (url !== undefined) {
      return typeof url === 'string' && /^(https?:\/\/|data:image\/)/i.test(url)
        ? undefined
        : invalid('input_reference', 'input_reference.image_url must be an http(s) URL or an image data URL.');
    }
    if (!isFilePart(ref)) return invalid('input_reference', 'input_reference must be an image file.');
    if (!detectImageType(ref.data)) {
      return invalid('input_reference', 'input_reference must be a PNG, JPEG or WebP image.', 'invalid_image');
    }
    const pixels = imageSize(ref.data);
    if (!pixels || `${pixels.width}x${pixels.height}` !== size) {
      return invalid(
        'input_reference',
        `Inpaint image must match the requested width and height (${size}); it is ${pixels ? `${pixels.width}x${pixels.height}` : 'of unknown size'}.`,
        'invalid_image_dimensions',
      );
    }
    return undefined;
  }

  private start(v: Pick<VideoRecord, 'model' | 'prompt' | 'seconds' | 'size' | 'remixedFrom'>): VideoRecord {
    const id = `video_${randomBytes(16).toString('hex')}`;
    const moderation = /\[moderation_blocked\]/i.test(v.prompt);
    // The common markers decide the outcome: moderation is the content rejection.
    const timing = this.state.startTask(id, v.prompt, moderation ? '[reject]' : undefined);
    const expires = /\[expires=(\d+)\]/i.exec(v.prompt);
    const dir = `openai/${id}`;
    const record: VideoRecord = {
      ...v,
      id,
      timing,
      moderation: moderation || timing.markers.reject,
      redirectContent: /\[redirect-content\]/i.test(v.prompt),
      expiresAfterMs: (expires ? Number(expires[1]) : DEFAULT_EXPIRES_S) * 1000,
      files: { video: `${dir}/video.mp4`, thumbnail: `${dir}/thumbnail.jpg`, spritesheet: `${dir}/spritesheet.jpg` },
    };
    this.state.files.set(record.files.video, { fixture: this.state.videoFor(0), timing, isResult: true });
    this.state.files.set(record.files.thumbnail, {
      fixture: this.state.fixtures.thumbnail,
      timing,
      isResult: false,
      stillOf: this.state.videoFor(0),
    });
    this.state.files.set(record.files.spritesheet, { fixture: this.state.fixtures.poster, timing, isResult: false });
    this.videos.set(id, record);
    return record;
  }

  /** The Video object, key for key as the SDK's type declares it. */
  private video(v: VideoRecord): Record<string, unknown> {
    const snap = snapshot(v.timing, this.state.now());
    const final = snap.phase !== 'queued' && snap.phase !== 'running';
    const status =
      snap.phase === 'queued'
        ? 'queued'
        : snap.phase === 'running'
          ? snap.unknownStatus
            ? 'preprocessing'
            : 'in_progress'
          : snap.phase === 'succeeded'
            ? 'completed'
            : 'failed';
    let error: { code: string; message: string } | null = null;
    if (status === 'failed') {
      error = v.moderation
        ? { code: 'moderation_blocked', message: MODERATION_MESSAGE }
        : v.timing.markers.hostile
          ? { code: 'internal_error', message: hostileMessage(v.timing.authKey) }
          : { code: 'video_generation_failed', message: FAILURE_MESSAGE };
    }
    return {
      id: v.id,
      object: 'video',
      model: v.model,
      status,
      progress: snap.progress,
      created_at: seconds(v.timing.createdAt),
      completed_at: final ? seconds(snap.finishedAt!) : null,
      expires_at: status === 'completed' ? seconds(snap.finishedAt! + v.expiresAfterMs) : null,
      error,
      prompt: v.prompt,
      remixed_from_video_id: v.remixedFrom,
      seconds: v.seconds,
      size: v.size,
    };
  }
}

/** `{prefix}/videos…` and `{prefix}/models`, for any prefix but the emulator's own folders. */
const VIDEOS = /^((?:\/[^/]+)*?)\/videos(?:\/([^/]+)(\/content|\/remix)?)?$/;
const MODELS = /^((?:\/[^/]+)*?)\/models$/;

export const openaiRoutes: ProviderRoutes = {
  provider: 'openai',
  summary: '{prefix}/videos, /videos/{id}, /videos/{id}/content, /videos/{id}/remix, /models',
  keys: ['openai.create', 'openai.list', 'openai.retrieve', 'openai.content', 'openai.remix', 'openai.models'],
  mount(state) {
    const api = new OpenAiProvider(state);
    return {
      unauthorized: openAiUnauthorized,
      error: (status, message) => openAiError(status, message, 'invalid_request_error'),
      match(path, method): Route | undefined {
        if (/^\/(files|__emulator)(\/|$)/.test(path)) return undefined;
        if (MODELS.test(path)) return { key: 'openai.models', kind: 'other', methods: ['GET'], handle: () => api.models() };
        const m = VIDEOS.exec(path);
        if (!m) return undefined;
        if (!m[2]) {
          return method === 'GET'
            ? { key: 'openai.list', kind: 'other', methods: ['GET'], handle: (c) => api.list(c.query) }
            : { key: 'openai.create', kind: 'create', methods: ['POST'], parseBody: readBody, handle: (c) => api.create(c.body) };
        }
        const id = decodeSegment(m[2]);
        if (m[3] === '/content') {
          return {
            key: 'openai.content',
            kind: 'files',
            methods: ['GET'],
            prepare: (c: RequestContext) => api.prepareContent(id, c.query.get('variant')),
            handle: (c: RequestContext) => api.content(id, c.query.get('variant'), c.headers),
          };
        }
        if (m[3] === '/remix') {
          return { key: 'openai.remix', kind: 'create', methods: ['POST'], parseBody: readBody, handle: (c) => api.remix(id, c.body) };
        }
        return { key: 'openai.retrieve', kind: 'status', methods: ['GET'], handle: () => api.retrieve(id), ids: () => [id] };
      },
    };
  },
};
