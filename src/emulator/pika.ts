// Pika through an API gateway (docs/providers/pika.md): POST /pika/generate, GET /pika/feed/{id}.
import { randomBytes, randomUUID } from 'crypto';

import { isMediaRef, isObject, jsonReply, openAiError, openAiUnauthorized, type Reply } from './http';
import { decodeSegment, type ProviderRoutes } from './routes';
import type { EmulatorState } from './state';
import { snapshot, type TaskTiming } from './tasks';

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
];

/** The exact key set of a seed 002 video object, in that example's order (docs/providers/pika.md). */
export interface PikaVideo {
  id: string;
  status: string;
  seed: number;
  resultUrl: string;
  sharingUrl: string;
  videoPoster: string;
  imageThumb: string;
  duration: number;
  error: string;
  progress: number;
}

interface PikaVideoRecord {
  id: string;
  seed: number;
  /** Index into the sample videos. */
  fixtureIndex: number;
  files: { result: string; sharing: string; poster: string; thumb: string };
}

interface PikaTask {
  id: string;
  promptText: string;
  timing: TaskTiming;
  videos: PikaVideoRecord[];
}

function invalid(param: string, message: string): Reply {
  return openAiError(400, message, 'invalid_request_error', param, null);
}

function inRange(v: unknown, min: number, max: number): boolean {
  return typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;
}

/** The first problem of a create body, as a 400, or undefined when it is acceptable. */
export function validatePikaCreate(body: unknown): Reply | undefined {
  if (!isObject(body)) return invalid('body', 'Request body must be a JSON object');
  if (typeof body.promptText !== 'string') return invalid('promptText', 'promptText is required and must be a string');
  if (body.model !== '1.5' && body.model !== '2.0') return invalid('model', 'model must be "1.5" or "2.0"');
  const hasImage = 'image' in body;
  if (hasImage) {
    if (typeof body.image !== 'string' || body.image.trim() === '') {
      return invalid('image', 'image is present but empty: remove the key or give a URL or base64 image');
    }
    if (!isMediaRef(body.image)) return invalid('image', 'image must be an http(s) URL, a data: URI or base64');
  }
  if ('ingredient' in body) {
    if (body.model !== '2.0') return invalid('ingredient', 'ingredient requires model "2.0"');
    if (hasImage) return invalid('image', 'A request with ingredient must not carry image');
    const list = body.ingredient;
    if (!Array.isArray(list) || list.length < 2) return invalid('ingredient', 'ingredient must be an array of at least 2 images');
    for (let i = 0; i < list.length; i++) {
      const entry: unknown = list[i];
      if (typeof entry !== 'string' || entry.trim() === '') return invalid(`ingredient[${i}]`, `ingredient[${i}] is empty`);
      if (!isMediaRef(entry)) return invalid(`ingredient[${i}]`, `ingredient[${i}] must be an http(s) URL, a data: URI or base64`);
    }
  }
  if ('pikaffect' in body && body.pikaffect !== '' && !PIKAFFECTS.includes(body.pikaffect as string)) {
    return invalid('pikaffect', `pikaffect must be "" or one of ${PIKAFFECTS.join(', ')}`);
  }
  if (!('options' in body)) return undefined;
  const options = body.options;
  if (!isObject(options)) return invalid('options', 'options must be an object');
  if ('aspectRatio' in options) {
    if (hasImage) return invalid('options.aspectRatio', 'options.aspectRatio must be removed when an image is given');
    if (!inRange(options.aspectRatio, 0.4, 2.5)) {
      return invalid('options.aspectRatio', 'options.aspectRatio must be a number (width / height) between 0.4 and 2.5');
    }
  }
  if ('frameRate' in options && !(Number.isInteger(options.frameRate) && inRange(options.frameRate, 8, 24))) {
    return invalid('options.frameRate', 'options.frameRate must be an integer between 8 and 24');
  }
  if ('camera' in options && !isObject(options.camera)) return invalid('options.camera', 'options.camera must be an object');
  if ('extend' in options && typeof options.extend !== 'boolean') return invalid('options.extend', 'options.extend must be a boolean');
  if ('ingredients-mode' in options && options['ingredients-mode'] !== 'precise' && options['ingredients-mode'] !== 'creative') {
    return invalid('options.ingredients-mode', 'options["ingredients-mode"] must be "precise" or "creative"');
  }
  if ('parameters' in options) {
    const p = options.parameters;
    if (!isObject(p)) return invalid('options.parameters', 'options.parameters must be an object');
    if ('guidanceScale' in p && !inRange(p.guidanceScale, 5, 25)) {
      return invalid('options.parameters.guidanceScale', 'options.parameters.guidanceScale must be between 5 and 25');
    }
    if ('motion' in p && !inRange(p.motion, 0, 4)) {
      return invalid('options.parameters.motion', 'options.parameters.motion must be between 0 and 4');
    }
    if ('negativePrompt' in p && typeof p.negativePrompt !== 'string') {
      return invalid('options.parameters.negativePrompt', 'options.parameters.negativePrompt must be a string');
    }
  }
  return undefined;
}

/** File-name stem the way Pika's CDN names results: the prompt with every non-alphanumeric as `_`. */
export function pikaSlug(prompt: string): string {
  return Array.from(prompt.slice(0, 60))
    .map((c) => (/[A-Za-z0-9]/.test(c) ? c : '_'))
    .join('');
}

export class PikaProvider {
  private readonly tasks = new Map<string, PikaTask>();

  constructor(private readonly state: EmulatorState) {}

  generate(body: unknown): Reply {
    const problem = validatePikaCreate(body);
    if (problem) return problem;
    const { promptText } = body as { promptText: string };
    const id = randomUUID();
    const timing = this.state.startTask(id, promptText);
    const slug = pikaSlug(promptText);
    const videos: PikaVideoRecord[] = [];
    for (let i = 0; i < timing.markers.subtasks; i++) {
      const videoId = i === 0 ? id : randomUUID();
      const seed = randomBytes(4).readUInt32BE(0);
      const dir = `pika/${videoId}`;
      const files = {
        result: `${dir}/${slug}_seed${seed}.mp4`,
        sharing: `${dir}/${slug}_seed${seed}_share.mp4`,
        poster: `${dir}/poster.jpg`,
        thumb: `${dir}/thumbnail.jpg`,
      };
      const video = this.state.videoFor(i);
      this.state.files.set(files.result, { fixture: video, timing, isResult: true });
      this.state.files.set(files.sharing, { fixture: video, timing, isResult: true });
      this.state.files.set(files.poster, { fixture: this.state.fixtures.poster, timing, isResult: false, stillOf: video });
      this.state.files.set(files.thumb, { fixture: this.state.fixtures.thumbnail, timing, isResult: false, stillOf: video });
      videos.push({ id: videoId, seed, fixtureIndex: i, files });
    }
    this.tasks.set(id, { id, promptText, timing, videos });
    return jsonReply(200, { id });
  }

  feed(id: string): Reply {
    const task = this.tasks.get(id);
    if (!task) return openAiError(404, `Task ${id} not found`, 'invalid_request_error', 'id', 'task_not_exist');
    const snap = snapshot(task.timing, this.state.now());
    const status =
      snap.phase === 'queued'
        ? 'queued'
        : snap.phase === 'running'
          ? snap.unknownStatus
            ? 'mystery'
            : 'pending'
          : snap.phase === 'succeeded'
            ? 'finished'
            : 'error';
    const done = snap.phase === 'succeeded';
    const url = (rel: string): string => (done ? this.state.fileUrl(rel) : '');
    const videos: PikaVideo[] = task.videos.map((v) => ({
      id: v.id,
      status,
      seed: v.seed,
      resultUrl: url(v.files.result),
      sharingUrl: url(v.files.sharing),
      videoPoster: url(v.files.poster),
      imageThumb: url(v.files.thumb),
      duration: Math.round(this.state.videoFor(v.fixtureIndex).info.duration),
      error: snap.error ?? '',
      progress: snap.progress,
    }));
    return jsonReply(200, { id: task.id, promptText: task.promptText, videos });
  }
}

export const pikaRoutes: ProviderRoutes = {
  provider: 'pika',
  summary: 'POST /pika/generate, GET /pika/feed/{id}',
  keys: ['pika.generate', 'pika.feed'],
  mount(state) {
    const pika = new PikaProvider(state);
    return {
      unauthorized: openAiUnauthorized,
      error: (status, message) => openAiError(status, message, 'invalid_request_error'),
      match(path) {
        if (path === '/pika/generate') {
          return { key: 'pika.generate', kind: 'create', methods: ['POST'], handle: (c) => pika.generate(c.body) };
        }
        const feed = /^\/pika\/feed\/([^/]+)$/.exec(path);
        if (!feed) return undefined;
        const id = decodeSegment(feed[1]);
        return { key: 'pika.feed', kind: 'status', methods: ['GET'], handle: () => pika.feed(id), ids: () => [id] };
      },
    };
  },
};
