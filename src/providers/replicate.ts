// Replicate's predictions API (docs/providers/replicate.md): one key reaches the official video models
// of most labs, each named `owner/name`. Create with POST {base}/models/{owner}/{name}/predictions
// ({input}, no `Prefer: wait`), poll GET {base}/predictions/{id} (progress from the tqdm lines in
// `logs`), cancel with POST {base}/predictions/{id}/cancel. Every model publishes its inputs as a JSON
// schema (GET {base}/models/{owner}/{name}): the popular models are bundled here with their inputs
// (a dated snapshot), any other is read from its schema, cached per base URL, drawn as options and
// checked before sending. Outputs are deleted one hour after the prediction finishes: each result
// carries that expiry, and a result that is gone says so.
import * as l10n from '@vscode/l10n';

import { isProviderError, ProviderError } from '../core/model/errors';
import type { GenerateRequest, GenerationMode, TaskVideo } from '../core/model/task';
import { MAX_PROVIDER_WORD, sanitizeText } from '../core/net/sanitize';
import type { CatalogModel } from '../core/provider/catalogTypes';
import type { ModelOptions, ModelOptionsSource, OptionField } from '../core/provider/descriptor';
import { checkInput, inputNamed, inputSchemaOfModel, UNBOUNDED, type InputSchema, type SchemaInput } from '../core/provider/inputSchema';
import { asDataUri, isRemoteUrl } from '../core/request/media';
import { httpUrl, isJsonObject, obj, str } from '../shared/json';
import type { RemoteStatus } from '../shared/taskStatus';
import {
  malformed,
  pollEach,
  providerRequest,
  type CreateSpec,
  type PollResults,
  type ProviderContext,
  type ProviderDescriptor,
  type RemoteState,
  type ResolvedMedia,
} from './clientKit';

const LABEL = 'Replicate';
/** `owner/name`, as Replicate spells models. */
export const REPLICATE_MODEL = /^[A-Za-z0-9][\w.-]{0,63}\/[A-Za-z0-9][\w.-]{0,99}$/;
const DEFAULT_MODEL = 'google/veo-3.1';
/** Replicate deletes an API prediction's output (and input and logs) this long after it finishes. */
export const OUTPUT_KEPT_MS = 60 * 60_000;
/** A model's schema is read again after this long. */
const SCHEMA_MAX_AGE_MS = 24 * 60 * 60_000;
const SCHEMA_TIMEOUT_MS = 10_000;
const ASPECTS = ['16:9', '9:16', '1:1', '4:3', '3:4', '21:9'] as const;

export function replicateStatus(raw: unknown): RemoteStatus {
  switch (raw) {
    case 'starting':
      return 'queued';
    case 'processing':
      return 'running';
    case 'succeeded':
      return 'succeeded';
    case 'failed':
    case 'canceled':
    case 'aborted':
      return 'failed';
    default:
      return 'unknown';
  }
}

// ---- the neutral request onto a model's inputs --------------------------------------------------------

/** What one model takes: its inputs, and (bundled models) a neutral word it takes under another input. */
export interface ModelInputs {
  schema: InputSchema;
  /** Kling's `mode` carries the resolution: "720p" -> "standard", "1080p" -> "pro". */
  resolutionAs?: { input: string; values: Readonly<Record<string, string>> };
}

type NeutralWord = 'duration' | 'resolution' | 'aspectRatio' | 'seed' | 'negativePrompt' | 'audio' | 'image' | 'lastFrame' | 'images';

/** The neutral words and the schema inputs of the same meaning, the first the schema has wins. */
export const NEUTRAL_INPUTS: readonly { word: NeutralWord; inputs: readonly string[] }[] = [
  { word: 'duration', inputs: ['duration'] },
  { word: 'resolution', inputs: ['resolution'] },
  { word: 'aspectRatio', inputs: ['aspect_ratio'] },
  { word: 'seed', inputs: ['seed'] },
  { word: 'negativePrompt', inputs: ['negative_prompt'] },
  { word: 'audio', inputs: ['generate_audio'] },
  { word: 'image', inputs: ['image', 'start_image', 'first_frame_image'] },
  { word: 'lastFrame', inputs: ['end_image', 'last_frame_image', 'last_frame'] },
  { word: 'images', inputs: ['reference_images'] },
];

const FRAME_INPUTS = new Set(
  NEUTRAL_INPUTS.filter((n) => n.word === 'image' || n.word === 'lastFrame' || n.word === 'images').flatMap((n) => n.inputs),
);

/** The media as they go: data URIs for local files, URLs as they are; before resolution, the request's references stand in. */
function mediaValue(word: 'image' | 'lastFrame' | 'images', req: GenerateRequest, media: ResolvedMedia | undefined): unknown {
  if (word === 'images') {
    if (!req.images?.length) return undefined;
    return media?.images ? media.images.map((v, i) => asDataUri(v, media.imagesMime?.[i])) : req.images;
  }
  const ref = req[word];
  if (ref === undefined) return undefined;
  const resolved = word === 'image' ? media?.image : media?.lastFrame;
  if (resolved !== undefined) return asDataUri(resolved, word === 'image' ? media?.imageMime : media?.lastFrameMime);
  if (media && !isRemoteUrl(ref)) {
    throw new ProviderError({ kind: 'input', message: l10n.t('The image {0} could not be read to send it.', ref) });
  }
  return ref;
}

/** The neutral value in the type the schema input takes (a duration of 5 as "5" where the input is a string enum). */
function coerce(input: SchemaInput, word: NeutralWord, value: unknown): unknown {
  if (input.kind === 'enum') {
    if (input.values.includes(value as string | number)) return value;
    const text = String(value).toLowerCase();
    const same = input.values.find((v) => String(v).toLowerCase() === text);
    if (same !== undefined) return same;
    if (word === 'duration') return input.values.find((v) => String(v).toLowerCase() === `${text}s`) ?? value;
  }
  if ((input.kind === 'string' || (input.kind === 'enum' && typeof input.values[0] === 'string')) && typeof value === 'number') {
    return String(value);
  }
  return value;
}

/**
 * The model's input for this request: the prompt, the neutral words under the schema's inputs of the
 * same meaning, the options by their schema names; or why it cannot be made (a word the schema has no
 * input for, an invalid value, an input given twice, a required one missing). Without `media` the
 * request's media references stand in for them (a check before media are read).
 */
export function mapInput(
  model: string,
  inputs: ModelInputs,
  req: GenerateRequest,
  media?: ResolvedMedia,
): { input: Record<string, unknown> } | { error: string } {
  const { schema } = inputs;
  const names = schema.inputs.map((i) => i.name).join(', ');
  const input: Record<string, unknown> = {};
  if (req.prompt.trim()) {
    if (!inputNamed(schema, 'prompt')) return { error: l10n.t('{0} takes no prompt; its inputs are: {1}.', model, names) };
    input.prompt = req.prompt;
  }
  for (const [key, value] of Object.entries(req.options ?? {})) {
    if (value === undefined || value === null) continue;
    if (key === 'prompt') return { error: l10n.t('Give the prompt as the prompt, not as an option.') };
    input[key] = value;
  }
  for (const { word, inputs: candidates } of NEUTRAL_INPUTS) {
    let value: unknown;
    try {
      value = word === 'image' || word === 'lastFrame' || word === 'images' ? mediaValue(word, req, media) : req[word];
    } catch (e) {
      return { error: isProviderError(e) ? e.message : String(e) };
    }
    if (value === undefined) continue;
    let target = candidates.find((c) => inputNamed(schema, c));
    if (word === 'resolution' && inputs.resolutionAs) {
      target = inputs.resolutionAs.input;
      const mapped = inputs.resolutionAs.values[String(value).toLowerCase()];
      if (mapped === undefined) {
        return { error: l10n.t('{0} takes the resolution {1}.', model, Object.keys(inputs.resolutionAs.values).join(', ')) };
      }
      value = mapped;
    }
    if (!target) return { error: l10n.t('{0} has no input for {1}; its inputs are: {2}.', model, word, names) };
    if (target in input) return { error: l10n.t('{0} is given twice: as {1} and in the options.', target, word) };
    input[target] = coerce(inputNamed(schema, target)!, word, value);
  }
  const bad = checkInput(model, schema, input);
  return bad ? { error: bad } : { input };
}

/** The neutral word a schema input stands for, with its row's label. */
const NEUTRAL_ROWS: Readonly<Record<string, { key: string; label: () => string; price?: boolean }>> = {
  duration: { key: 'duration', label: () => l10n.t('Duration (seconds)'), price: true },
  resolution: { key: 'resolution', label: () => l10n.t('Resolution'), price: true },
  aspect_ratio: { key: 'aspectRatio', label: () => l10n.t('Aspect ratio') },
  seed: { key: 'seed', label: () => l10n.t('Seed') },
  negative_prompt: { key: 'negativePrompt', label: () => l10n.t('Negative prompt') },
  generate_audio: { key: 'audio', label: () => l10n.t('Audio') },
};

/**
 * The option rows a model's inputs make: enums as pickers, integers and numbers with their bounds,
 * booleans, text. Inputs of the neutral words write the request's words; any other its own name under
 * `options`. The prompt, the frames and inputs of other shapes get no row.
 */
export function fieldsOfInputs(inputs: ModelInputs): OptionField[] {
  const out: OptionField[] = [];
  for (const input of inputs.schema.inputs) {
    if (input.name === 'prompt' || FRAME_INPUTS.has(input.name) || input.name === inputs.resolutionAs?.input) continue;
    if (input.kind === 'other' || (input.kind === 'string' && input.uri)) continue;
    const neutral = NEUTRAL_ROWS[input.name];
    const base = {
      key: neutral?.key ?? input.name,
      target: neutral ? ('request' as const) : ('options' as const),
      label: neutral ? neutral.label() : input.name,
      ...(input.default !== undefined ? { default: input.default } : { unsetLabel: l10n.t('model default') }),
      ...(neutral?.price ? { price: true } : {}),
    };
    const help = input.label ? { prompt: `${input.name}: ${input.label}` } : {};
    switch (input.kind) {
      case 'enum': {
        // The request's duration and seed are numbers: an enum of "5" / "10" is offered as numbers.
        const numeric = (neutral?.key === 'duration' || neutral?.key === 'seed') && input.values.every((v) => Number.isFinite(Number(v)));
        out.push({ ...base, kind: 'enum', values: numeric ? input.values.map(Number) : input.values });
        break;
      }
      case 'integer':
      case 'number': {
        const min = input.min ?? (neutral?.key === 'seed' ? 0 : -UNBOUNDED);
        const max = input.max ?? (neutral?.key === 'seed' ? 0xffffffff : UNBOUNDED);
        out.push({ ...base, ...help, kind: 'number', min, max, ...(input.kind === 'integer' ? { integer: true } : {}) });
        break;
      }
      case 'boolean':
        out.push({ ...base, kind: 'boolean' });
        break;
      case 'string':
        out.push({ ...base, ...help, kind: 'text', maxLength: Math.min(input.maxLength ?? 2000, 2000) });
        break;
    }
  }
  return out;
}

function modelOptionsOf(model: string, inputs: ModelInputs): ModelOptions {
  return { fields: fieldsOfInputs(inputs), check: (req) => errorOf(mapInput(model, inputs, req)) };
}

function errorOf(r: { input: Record<string, unknown> } | { error: string }): string | undefined {
  return 'error' in r ? r.error : undefined;
}

// ---- the bundled catalogue ---------------------------------------------------------------------------

/** The date the bundled snapshot was compiled. */
const BUNDLED_AS_OF = '2026-12-01';

const text = (name: string, extra: Partial<Extract<SchemaInput, { kind: 'string' }>> = {}): SchemaInput => ({
  name,
  kind: 'string',
  uri: false,
  ...extra,
});
const uri = (name: string, required = false): SchemaInput => ({ name, kind: 'string', uri: true, ...(required ? { required } : {}) });

/**
 * The popular video models with their inputs, compiled by hand from each model's page and API schema
 * on Replicate (docs/providers/replicate.md lists them, with the date). Prices are the ones the model
 * pages publish, per second of output video.
 */
const BUNDLED_ENTRIES: readonly { model: CatalogModel; inputs: ModelInputs }[] = [
  {
    model: {
      id: 'kwaivgi/kling-v2.1',
      label: 'Kling v2.1',
      modes: ['image-to-video'],
      capabilities: {
        durations: [5, 10],
        defaultDuration: 5,
        resolutions: ['720p', '1080p'],
        aspectRatios: [],
        frames: { first: true, last: true },
        referenceImages: 0,
        audio: false,
        seed: false,
        typicalRunSeconds: 240,
      },
      prices: {
        rules: [
          { unit: 'second', usd: 0.05, resolution: '720p' },
          { unit: 'second', usd: 0.09, resolution: '1080p' },
        ],
      },
    },
    inputs: {
      schema: {
        inputs: [
          text('prompt', { required: true }),
          uri('start_image', true),
          uri('end_image'),
          { name: 'mode', kind: 'enum', values: ['standard', 'pro'], default: 'standard' },
          { name: 'duration', kind: 'enum', values: [5, 10], default: 5 },
          text('negative_prompt'),
        ],
      },
      resolutionAs: { input: 'mode', values: { '720p': 'standard', '1080p': 'pro' } },
    },
  },
  {
    model: {
      id: 'wan-video/wan-2.5-i2v',
      label: 'Wan 2.5 (image to video)',
      modes: ['image-to-video'],
      capabilities: {
        durations: [5, 10],
        defaultDuration: 5,
        resolutions: ['480p', '720p', '1080p'],
        aspectRatios: [],
        frames: { first: true, last: false },
        referenceImages: 0,
        audio: false,
        seed: true,
        typicalRunSeconds: 150,
      },
      prices: {
        rules: [
          { unit: 'second', usd: 0.05, resolution: '480p' },
          { unit: 'second', usd: 0.1, resolution: '720p' },
          { unit: 'second', usd: 0.15, resolution: '1080p' },
        ],
      },
    },
    inputs: {
      schema: {
        inputs: [
          text('prompt', { required: true }),
          uri('image', true),
          { name: 'duration', kind: 'enum', values: [5, 10], default: 5 },
          { name: 'resolution', kind: 'enum', values: ['480p', '720p', '1080p'], default: '720p' },
          text('negative_prompt'),
          { name: 'enable_prompt_expansion', kind: 'boolean', default: true },
          { name: 'seed', kind: 'integer', min: 0, max: 0xffffffff },
        ],
      },
    },
  },
  {
    model: {
      id: 'google/veo-3.1',
      label: 'Google Veo 3.1',
      modes: ['text-to-video', 'image-to-video', 'ingredients'],
      capabilities: {
        durations: [4, 6, 8],
        defaultDuration: 8,
        resolutions: ['720p', '1080p'],
        aspectRatios: ['16:9', '9:16'],
        frames: { first: true, last: true },
        referenceImages: 3,
        audio: true,
        seed: true,
        typicalRunSeconds: 90,
      },
      // With sound, as generated by default; the page lists $0.20/s without it.
      prices: { rules: [{ unit: 'second', usd: 0.4 }] },
    },
    inputs: {
      schema: {
        inputs: [
          text('prompt', { required: true }),
          { name: 'aspect_ratio', kind: 'enum', values: ['16:9', '9:16'], default: '16:9' },
          { name: 'duration', kind: 'enum', values: [4, 6, 8], default: 8 },
          uri('image'),
          uri('last_frame'),
          { name: 'reference_images', kind: 'other', array: true },
          text('negative_prompt'),
          { name: 'resolution', kind: 'enum', values: ['720p', '1080p'], default: '1080p' },
          { name: 'generate_audio', kind: 'boolean', default: true },
          { name: 'seed', kind: 'integer', min: 0, max: 0xffffffff },
        ],
      },
    },
  },
  {
    model: {
      id: 'minimax/hailuo-02',
      label: 'MiniMax Hailuo 02',
      modes: ['text-to-video', 'image-to-video'],
      capabilities: {
        durations: [6, 10],
        defaultDuration: 6,
        resolutions: ['512p', '768p', '1080p'],
        aspectRatios: [],
        frames: { first: true, last: true },
        referenceImages: 0,
        audio: false,
        seed: false,
        typicalRunSeconds: 200,
      },
      prices: {
        rules: [
          { unit: 'second', usd: 0.017, resolution: '512p' },
          { unit: 'second', usd: 0.045, resolution: '768p' },
          { unit: 'second', usd: 0.08, resolution: '1080p' },
        ],
      },
    },
    inputs: {
      schema: {
        inputs: [
          text('prompt', { required: true }),
          { name: 'duration', kind: 'enum', values: [6, 10], default: 6 },
          { name: 'resolution', kind: 'enum', values: ['512p', '768p', '1080p'], default: '1080p' },
          uri('first_frame_image'),
          uri('last_frame_image'),
          { name: 'prompt_optimizer', kind: 'boolean', default: true },
        ],
      },
    },
  },
];

const BUNDLED = new Map(BUNDLED_ENTRIES.map((e) => [e.model.id, e]));

/** The bundled snapshot's models (catalogue data). */
export function bundledModels(): CatalogModel[] {
  return BUNDLED_ENTRIES.map((e) => e.model);
}

/** The bundled inputs of a model, for tests and the emulator's fidelity. */
export function bundledInputs(model: string): ModelInputs | undefined {
  return BUNDLED.get(model)?.inputs;
}

// ---- schemas of models not in the bundled catalogue -------------------------------------------------

interface CachedSchema {
  at: number;
  inputs?: ModelInputs;
  pending?: Promise<ModelInputs>;
}

/** Schemas read from `GET {base}/models/{owner}/{name}`, per base URL; failures are not kept. */
export class SchemaCache {
  private readonly entries = new Map<string, CachedSchema>();

  constructor(private readonly now: () => number = Date.now) {}

  peek(baseUrl: string, model: string): ModelInputs | undefined {
    return this.entries.get(cacheKey(baseUrl, model))?.inputs;
  }

  get(ctx: ProviderContext, model: string): Promise<ModelInputs> {
    const key = cacheKey(ctx.baseUrl, model);
    const cur = this.entries.get(key);
    if (cur?.inputs && this.now() - cur.at < SCHEMA_MAX_AGE_MS) return Promise.resolve(cur.inputs);
    if (cur?.pending) return cur.pending;
    const pending = fetchModelInputs(ctx, model).then(
      (inputs) => {
        this.entries.set(key, { at: this.now(), inputs });
        return inputs;
      },
      (e: unknown) => {
        if (cur?.inputs) this.entries.set(key, cur);
        else this.entries.delete(key);
        throw e;
      },
    );
    this.entries.set(key, { ...(cur ?? { at: 0 }), pending });
    return pending;
  }

  clear(): void {
    this.entries.clear();
  }
}

function cacheKey(baseUrl: string, model: string): string {
  return `${baseUrl}\n${model}`;
}

const modelPath = (model: string) =>
  `/models/${model
    .split('/')
    .map((p) => encodeURIComponent(p))
    .join('/')}`;

/** Reads and checks a model's published input schema (untrusted JSON). */
export async function fetchModelInputs(ctx: ProviderContext, model: string): Promise<ModelInputs> {
  let json: unknown;
  try {
    json = (
      await providerRequest(replicate, { ...ctx, timeoutMs: ctx.timeoutMs ?? SCHEMA_TIMEOUT_MS }, { method: 'GET', path: modelPath(model) })
    ).json;
  } catch (e) {
    throw explain(e, model);
  }
  const schema = inputSchemaOfModel(json);
  if (!schema || schema.inputs.length === 0) {
    throw malformed(LABEL, l10n.t('the model {0} publishes no input schema', model));
  }
  return { schema };
}

export const schemaCache = new SchemaCache();

/** The inputs of a model: bundled, else its schema (read once per base URL and day). */
async function inputsOf(ctx: ProviderContext, model: string): Promise<ModelInputs> {
  return BUNDLED.get(model)?.inputs ?? (await schemaCache.get(ctx, model));
}

const replicateModelOptions: ModelOptionsSource = {
  async load(ctx, model) {
    if (!REPLICATE_MODEL.test(model)) return undefined;
    return modelOptionsOf(model, await inputsOf(ctx, model));
  },
  peek(baseUrl, model) {
    const inputs = BUNDLED.get(model)?.inputs ?? schemaCache.peek(baseUrl, model);
    return inputs && modelOptionsOf(model, inputs);
  },
};

// ---- the provider ------------------------------------------------------------------------------------

export const replicate: ProviderDescriptor = {
  id: 'replicate',
  label: LABEL,
  description: l10n.t('Kling, Wan, Veo, Hailuo… and any video model on Replicate, with one key'),
  settings: { baseUrl: 'replicate.baseUrl' },
  modes: ['text-to-video', 'image-to-video', 'ingredients'],
  models: { fixed: bundledModels().map((m) => ({ id: m.id, modes: m.modes })), custom: true },
  catalog: { bundled: { asOf: BUNDLED_AS_OF, models: bundledModels() } },
  // Every row comes from the model: its bundled inputs or its published schema (modelOptions).
  options: [],
  modelOptions: replicateModelOptions,
  aspectRatios: ASPECTS,
  normalizeStatus: replicateStatus,
  envKeys: ['REPLICATE_API_TOKEN'],
  limits: { concurrentPolls: 4 },

  validate(req) {
    if (!req.model || !REPLICATE_MODEL.test(req.model)) {
      return l10n.t('Choose a Replicate model as owner/name (e.g. {0}).', DEFAULT_MODEL);
    }
    if (req.video) return l10n.t('Replicate video models here do not restyle a video file.');
    if (req.pikaffect) return l10n.t('Pikaffects are a Pika feature.');
    if (req.style) return l10n.t('Styles are a HiDream video_edit feature.');
    if (req.options !== undefined && !isJsonObject(req.options)) return l10n.t('Options must be an object.');
    // A bundled model is checked here; any other against its schema before sending (modelOptions).
    const bundled = BUNDLED.get(req.model);
    return bundled ? errorOf(mapInput(req.model, bundled.inputs, req)) : undefined;
  },

  buildCreate(req, media): CreateSpec {
    const model = req.model ?? DEFAULT_MODEL;
    const inputs = BUNDLED.get(model)?.inputs;
    const mapped = inputs ? mapInput(model, inputs, req, media) : undefined;
    if (mapped && 'error' in mapped) throw new ProviderError({ kind: 'input', message: mapped.error });
    return { path: `${modelPath(model)}/predictions`, body: { input: mapped?.input ?? looseInput(req, media) }, mode: modeOf(req), model };
  },

  async create(ctx, req, media) {
    const model = req.model ?? DEFAULT_MODEL;
    const mapped = mapInput(model, await inputsOf(ctx, model), req, media);
    if ('error' in mapped) throw new ProviderError({ kind: 'input', message: mapped.error });
    const path = `${modelPath(model)}/predictions`;
    let json: unknown;
    try {
      json = (await providerRequest(this, ctx, { method: 'POST', path, body: { input: mapped.input }, isCreate: true })).json;
    } catch (e) {
      throw explain(e, model);
    }
    const id = str(obj(json)?.id);
    if (!id) {
      throw new ProviderError({
        kind: 'malformed',
        message: l10n.t('{0} accepted the request but sent no prediction id.', LABEL),
        mayHaveStarted: true,
      });
    }
    return { remoteId: id, mode: modeOf(req), model };
  },

  poll(ctx, tasks): Promise<PollResults> {
    const now = Date.now();
    return pollEach(this, ctx, tasks, { path: (t) => predictionPath(t.remoteId), parse: (json) => parsePrediction(json, now) });
  },

  /** POST {base}/predictions/{id}/cancel, once; a prediction that already finished answers as it is, and is refused. */
  async cancel(ctx, task) {
    const res = await providerRequest(this, ctx, { method: 'POST', path: `${predictionPath(task.remoteId)}/cancel` });
    const status = obj(res.json)?.status;
    if (status !== 'canceled' && status !== 'starting' && status !== 'processing' && status !== undefined) {
      throw new ProviderError({
        kind: 'conflict',
        message: l10n.t(
          '{0} did not cancel the prediction: it is already {1}.',
          LABEL,
          sanitizeText(String(status), [ctx.apiKey], MAX_PROVIDER_WORD),
        ),
      });
    }
  },

  async testConnection(ctx) {
    const res = await providerRequest(this, ctx, { method: 'GET', path: '/account', fallbackTimeoutMs: 15_000 });
    const user = str(obj(res.json)?.username);
    return user
      ? l10n.t('{0} accepted the key (account {1}).', LABEL, sanitizeText(user, [ctx.apiKey], MAX_PROVIDER_WORD))
      : l10n.t('{0} accepted the key.', LABEL);
  },
};

const predictionPath = (id: string) => `/predictions/${encodeURIComponent(id)}`;

function modeOf(req: GenerateRequest): GenerationMode {
  return req.images?.length ? 'ingredients' : req.image ? 'image-to-video' : 'text-to-video';
}

/** For a model whose schema is not at hand (pure callers): the neutral words under their first input names. */
function looseInput(req: GenerateRequest, media: ResolvedMedia): Record<string, unknown> {
  const input: Record<string, unknown> = { ...(req.prompt.trim() ? { prompt: req.prompt } : {}), ...(req.options ?? {}) };
  for (const { word, inputs } of NEUTRAL_INPUTS) {
    let value: unknown;
    try {
      value = word === 'image' || word === 'lastFrame' || word === 'images' ? mediaValue(word, req, media) : req[word];
    } catch {
      value = undefined;
    }
    if (value !== undefined) input[inputs[0]] = value;
  }
  return input;
}

/**
 * A failed request as the user should read it: a model Replicate does not know is marked for the
 * catalogue; a 429 whose wait is only in its `detail` ("resets in ~30s") waits that long.
 */
function explain(e: unknown, model: string): unknown {
  if (!isProviderError(e)) return e;
  if (e.status === 404) {
    return e.with({
      kind: 'notFound',
      modelNotFound: true,
      message: l10n.t('Replicate has no model "{0}": it is retired or unknown. ({1})', model, e.message),
    });
  }
  if (e.status === 429 && e.retryAfterMs === undefined) {
    const wait = waitInDetail(e.message);
    if (wait !== undefined) return e.with({ retryAfterMs: wait });
  }
  return e;
}

/** "Your rate limit resets in ~30s." -> 30 000 ms; undefined when the text names no wait. */
export function waitInDetail(text: string): number | undefined {
  const m = /(?:in|after)\s*~?\s*(\d{1,5}(?:\.\d+)?)\s*(ms|s|sec|secs|seconds?|m|min|minutes?)\b/i.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2].toLowerCase();
  const ms = unit === 'ms' ? n : unit.startsWith('m') ? n * 60_000 : n * 1000;
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, 10 * 60_000) : undefined;
}

// ---- predictions ---------------------------------------------------------------------------------------

/** The last tqdm percentage in the logs ("45%|####5     | 9/20"), 0-100; undefined when there is none. */
export function progressOfLogs(logs: unknown): number | undefined {
  if (typeof logs !== 'string' || logs === '') return undefined;
  const tail = logs.slice(-8192);
  let last: number | undefined;
  for (const m of tail.matchAll(/(\d{1,3})%\|/g)) {
    const n = Number(m[1]);
    if (n >= 0 && n <= 100) last = n;
  }
  return last;
}

function timeOf(v: unknown): number | undefined {
  const at = typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isFinite(at) ? at : undefined;
}

function utc(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 16);
}

/** Why the output of a prediction that finished at `finishedAt` is gone. */
export function outputGoneMessage(finishedAt: number | undefined): string {
  return finishedAt !== undefined
    ? l10n.t(
        'The video is gone: Replicate keeps outputs for one hour after a prediction finishes, and this one finished at {0} UTC.',
        utc(finishedAt),
      )
    : l10n.t('The video is gone: Replicate keeps outputs for one hour after a prediction finishes.');
}

/** A prediction as a task state: progress from its logs, its output URLs with their expiry once succeeded. */
export function parsePrediction(json: unknown, now: number = Date.now()): RemoteState {
  const p = obj(json);
  if (!p) throw malformed(LABEL, l10n.t('the prediction is not a JSON object'));
  const status = replicateStatus(p.status);
  const state: RemoteState = { status, rawStatus: typeof p.status === 'string' ? p.status : String(p.status), videos: [] };
  const progress = progressOfLogs(p.logs);
  if (progress !== undefined && status === 'running') state.progress = Math.min(99, progress);
  if (status === 'failed') {
    state.error =
      p.status === 'canceled'
        ? l10n.t('Cancelled')
        : p.status === 'aborted'
          ? (str(p.error) ?? l10n.t('{0} aborted the prediction before it started.', LABEL))
          : (str(p.error) ?? l10n.t('{0} reported the prediction failed.', LABEL));
  }
  if (status !== 'succeeded') return state;
  const finishedAt = timeOf(p.completed_at);
  const expiresAt = (finishedAt ?? now) + OUTPUT_KEPT_MS;
  const urls = (Array.isArray(p.output) ? p.output : [p.output]).map((u) => httpUrl(u)).filter((u): u is string => !!u);
  if (urls.length === 0 && (p.data_removed === true || expiresAt <= now)) {
    return { ...state, status: 'failed', error: outputGoneMessage(finishedAt) };
  }
  state.videos = urls.slice(0, 8).map((url): TaskVideo => ({ url, expiresAt, keptForMs: OUTPUT_KEPT_MS }));
  return state;
}
