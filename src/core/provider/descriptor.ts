// The provider seam. A provider is one module in src/providers exporting a ProviderDescriptor: the
// client the engine drives (create, poll one or many, normalize) plus the data the UI, settings,
// keys and scripts are drawn from. The registry (src/providers/index.ts) lists them; core never
// imports it and knows no provider by name.
import * as l10n from '@vscode/l10n';

import type { RemoteStatus } from '../../shared/taskStatus';
import { ProviderError } from '../model/errors';
import type { Logger } from '../model/events';
import type { GenerateRequest, GenerationMode, ProviderId, Task, TaskCost, TaskVideo } from '../model/task';
import type { ImageSize } from '../request/media';
import type { CatalogModel } from './catalogTypes';

export interface ProviderContext {
  baseUrl: string;
  apiKey: string;
  /** Values of the descriptor's extra settings (`settings.extra`), by name; empty ones are left out. */
  settings?: Readonly<Record<string, string>>;
  /** How long to wait for an answer once a request is sent, and the longest stall while sending one. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** A create: bytes of its body sent so far, while it is being sent. */
  onUploadProgress?(sent: number, total: number): void;
  /** A create: stops it only while its body is still being sent (it then certainly did not start). */
  uploadSignal?: AbortSignal;
  /** The extension's log, for what a provider did that the user may need to know (never a key). */
  log?: Logger;
}

/** Media after resolution: each entry is an https URL or base64 data (no `data:` prefix). */
export interface ResolvedMedia {
  image?: string;
  images?: string[];
  video?: string;
  /** The last frame (`GenerateRequest.lastFrame`). */
  lastFrame?: string;
  /** MIME types of the local files, for data URIs. */
  imageMime?: string;
  lastFrameMime?: string;
  /** The local image's pixel size, when its header tells. */
  imageSize?: ImageSize;
  imagesMime?: string[];
  videoMime?: string;
}

export interface CreateSpec {
  path: string;
  body: Record<string, unknown>;
  mode: GenerationMode;
  model: string;
  /** Provider routing needed to poll later (HiDream module). */
  route?: string;
}

export interface CreateResult {
  remoteId: string;
  mode: GenerationMode;
  model: string;
  route?: string;
}

/** A job the provider lists whose request is the one an uncertain create sent (Find This Job). */
export interface ListedJob extends CreateResult {
  /** When the provider made it, by the provider's clock: epoch ms (whole seconds where it says no more). */
  createdAt: number;
  /** The provider's own status word, shown to the user choosing between jobs. */
  rawStatus?: string;
}

/** What Find This Job read at the provider. */
export interface ListedJobs {
  /** Every listed job with the same request, whenever it was made, newest first. */
  jobs: ListedJob[];
  /** The provider's clock when it answered (its `Date` header), epoch ms; undefined when it sent none. */
  serverDate?: number;
}

export interface RemoteState {
  status: RemoteStatus;
  rawStatus: string;
  progress?: number;
  error?: string;
  videos: TaskVideo[];
  /** What the job cost, as the provider reported it (carried onto the task). */
  cost?: TaskCost;
}

/** A poll answer per local task id: the state, or why this one task could not be read. */
export type PollResults = Map<string, RemoteState | ProviderError>;

export interface ProviderClient {
  readonly id: ProviderId;
  readonly label: string;
  /** A message when this request cannot be sent to this provider, else undefined. Pure. */
  validate(req: GenerateRequest): string | undefined;
  /** The exact request to send. Pure (given resolved media), so tests can assert the body. */
  buildCreate(req: GenerateRequest, media: ResolvedMedia, requestId: string): CreateSpec;
  create(ctx: ProviderContext, req: GenerateRequest, media: ResolvedMedia, requestId: string): Promise<CreateResult>;
  /** Polls every given task (all of this provider); batching is the provider's business. */
  poll(ctx: ProviderContext, tasks: readonly Task[]): Promise<PollResults>;
  /**
   * Where the provider can list recent jobs: the listed jobs an uncertain create (`task`, with no
   * provider id) may have started, matched by its request (prompt, model, options), with when each
   * was made and the server's clock. The engine keeps those made while the create was out and that
   * no task follows, adopts the one left, or lets the user choose.
   */
  listLostJobs?(ctx: ProviderContext, task: Task): Promise<ListedJobs>;
  /**
   * Where the provider can stop a job it queued or is running: asks it to, once (the engine never
   * retries). Resolves when the provider accepted; rejects with a ProviderError (e.g. the job already
   * finished), and the task is then left as it was.
   */
  cancel?(ctx: ProviderContext, task: Task): Promise<void>;
  /** A harmless authenticated call; resolves with a plain sentence, rejects with a ProviderError. */
  testConnection(ctx: ProviderContext): Promise<string>;
  /** How many polls of this provider may run at once, and per-minute create limits where published. */
  readonly limits: { concurrentPolls: number; createsPerMinute?: Record<string, number> };
  /** Headers that carry the key (and any account header); default `Authorization: Bearer <key>`. */
  authHeaders?(ctx: ProviderContext): Record<string, string>;
  /**
   * False when the provider never reports progress: the engine then predicts a job's end from the time
   * that model's finished jobs took (else its catalogue's typical run time) instead of the progress rate.
   */
  readonly reportsProgress?: boolean;
  /**
   * True when one poll request answers for many tasks (HiDream's batch results endpoint): tasks that
   * fall due soon after a due one ride along in its request. Otherwise each task costs its own request,
   * and asking early only wastes one (a poll aimed just after a predicted end would find the job running).
   */
  readonly batchesPolls?: boolean;
  /**
   * Options one model takes beyond `options`, where the provider publishes them per model (Replicate's
   * input schemas) or its catalogue lists them: `load` reads and caches them per base URL (it may ask
   * the provider), `peek` answers from memory only. Absent, or undefined for a model: `options` is all.
   */
  readonly modelOptions?: ModelOptionsSource;
}

/** What one model takes, as option rows and a check (see `ProviderClient.modelOptions`). */
export interface ModelOptions {
  /** The rows the Generate flow offers and prompt blocks complete for this model, in order. */
  fields: readonly OptionField[];
  /** A message when the request does not fit the model (a value it refuses, with the ones it takes); else undefined. Pure. */
  check(req: GenerateRequest): string | undefined;
}

export interface ModelOptionsSource {
  load(ctx: ProviderContext, model: string): Promise<ModelOptions | undefined>;
  peek(baseUrl: string, model: string): ModelOptions | undefined;
}

/** Top-level GenerateRequest fields an option field may write. */
export type RequestField = 'negativePrompt' | 'aspectRatio' | 'seed' | 'pikaffect' | 'style';

interface OptionFieldBase {
  /** A key of `options` ("camera.zoom" writes `options.camera.zoom`), or a RequestField when `target` is 'request'. */
  key: string;
  /** Where the value goes: `options` (the default) or a top-level request field. */
  target?: 'options' | 'request';
  label: string;
  /** Offered only in these modes (default: every mode of the provider). */
  modes?: readonly GenerationMode[];
  /** What the provider uses when the field is unset, shown as "default (…)". */
  default?: string | number | boolean;
  /** How an unset field reads when it is not a default value: "random", "none (use the prompt)". */
  unsetLabel?: string;
  /** Help shown while the value is typed. */
  prompt?: string;
  /** The value changes what a generation costs (length, size, resolution): confirmations show it, set or not. */
  price?: boolean;
}

export interface NumberField extends OptionFieldBase {
  kind: 'number';
  min: number;
  max: number;
  integer?: boolean;
}

export interface EnumField extends OptionFieldBase {
  kind: 'enum';
  values: readonly (string | number)[];
  /** Shown beside every value (e.g. "adds sound"). */
  valueDescription?: string;
}

export interface TextField extends OptionFieldBase {
  kind: 'text';
  maxLength: number;
  /** What the text must look like: typed text that does not match is refused with `hint`; `example` matches. */
  format?: { pattern: RegExp; example: string; hint: string };
}

export interface BooleanField extends OptionFieldBase {
  kind: 'boolean';
}

/** One option the generate flow offers, as data: the flow draws and checks it; `validate` has the last word. */
export type OptionField = NumberField | EnumField | TextField | BooleanField;

/** A provider id: lower case, as settings keys and environment variable names are made from it. */
export const PROVIDER_ID_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

/** A model id as providers and gateways spell them. */
export const MODEL_ID_PATTERN = /^[\w.:/-]{1,100}$/;

export interface ProviderModels {
  /** Offered first, in this order; `modes` limits a model to those modes. */
  fixed?: readonly { id: string; modes?: readonly GenerationMode[] }[];
  /** A setting under `aiVideo.` (a list of ids, default from the manifest) whose models are offered. */
  setting?: string;
  /** Asks the provider which models it serves; cached per provider, base URL and key. */
  list?(ctx: ProviderContext): Promise<string[]>;
  /** Any model id may be typed. */
  custom?: boolean;
  /** No model may be chosen: the request then names none and the server's default applies. */
  optional?: boolean;
  /**
   * The model the provider uses for a request that names none, by mode (absent: the first fixed model
   * offered for the mode). Storyboards hash it, so a block that leaves the model out and one that names
   * the default are the same shot.
   */
  defaultFor?(mode: GenerationMode): string | undefined;
}

/** What fetching a published catalogue is given: the key and settings only where it is `keyed`. */
export type CatalogFetchContext = Pick<ProviderContext, 'baseUrl' | 'signal' | 'timeoutMs'> &
  Partial<Pick<ProviderContext, 'apiKey' | 'settings'>>;

/** Where a provider's models and their capabilities, prices and lifecycle come from (catalogTypes.ts). */
export interface ProviderCatalogSources {
  /** Fetches what the provider publishes, from the provider's base URL (or its `settings.urls`) only. */
  published?(ctx: CatalogFetchContext): Promise<CatalogModel[]>;
  /**
   * `published` needs the key and the provider's settings (fal's prices are behind the key, at its
   * API URL): it is then given them, and not tried while there is no key.
   */
  keyed?: boolean;
  /** A snapshot compiled by hand from the provider's published docs, used only when the live one cannot be had. */
  bundled?: { asOf: string; models: readonly CatalogModel[] };
  /** The provider's own entries, for providers that publish nothing. */
  own?: readonly CatalogModel[];
}

export interface ProviderSettings {
  /** The setting under `aiVideo.` holding the base URL; its default is the manifest's. */
  baseUrl: string;
  /** More settings the provider reads from `ProviderContext.settings`, name -> setting under `aiVideo.`. */
  extra?: Readonly<Record<string, string>>;
  /**
   * More URLs the key is sent to (fal's prices API), name -> setting under `aiVideo.`: like the base
   * URL, user settings only and checked before use; given in `ProviderContext.settings` by name.
   */
  urls?: Readonly<Record<string, string>>;
}

/** Task actions a provider may offer beyond create and poll; each is the command `aiVideo.<id>`. */
export const TASK_ACTION_IDS = ['remix'] as const;
export type TaskActionId = (typeof TASK_ACTION_IDS)[number];

export interface ProviderAction {
  id: TaskActionId;
  /** Menu and button text, e.g. "Remix…". */
  label: string;
  /** Whether the action is offered on this task (e.g. a finished one). */
  appliesTo(task: Task): boolean;
  /** The text the action asks for (a new prompt), when it needs one. */
  input?: { prompt: string; placeholder?: string; optional?: boolean };
  /** The generation that performs it: submitted like any other, so it becomes a new task. */
  request(task: Task, text: string): GenerateRequest;
}

export interface ProviderDescriptor extends ProviderClient {
  /** One line for pickers: what the provider offers. */
  readonly description: string;
  readonly settings: ProviderSettings;
  readonly modes: readonly GenerationMode[];
  /** Absent: the provider picks the model itself (no model step). */
  readonly models?: ProviderModels;
  /** Models as data: capabilities, prices, lifecycle (absent: nothing is known beyond the model ids). */
  readonly catalog?: ProviderCatalogSources;
  readonly options: readonly OptionField[];
  /** Aspect ratios the provider accepts ("16:9"), for pickers and checks. */
  readonly aspectRatios: readonly string[];
  /**
   * Fits a request to its image where the provider needs them to agree (an output size the image
   * must match); `warning` when they cannot agree. Pure. The generate flow applies it once the image
   * is known and shows the warning before sending; a provider applies it itself on create.
   */
  fitToImage?(req: GenerateRequest, image: ImageSize): { req: GenerateRequest; warning?: string };
  /** The provider's status word or code as a task status; progress settles ambiguous words. */
  normalizeStatus(raw: unknown, progress?: number): RemoteStatus;
  readonly actions?: readonly ProviderAction[];
  /** Environment variables read for the key when secret storage has none, after `AIVIDEO_<ID>_API_KEY`. */
  readonly envKeys?: readonly string[];
}

export function bearer(ctx: Pick<ProviderContext, 'apiKey'>): Record<string, string> {
  return { Authorization: `Bearer ${ctx.apiKey}` };
}

/** The headers that authenticate a request to this provider. */
export function authHeadersFor(provider: Pick<ProviderClient, 'authHeaders'>, ctx: ProviderContext): Record<string, string> {
  return provider.authHeaders ? provider.authHeaders(ctx) : bearer(ctx);
}

/**
 * The headers for the first request of a result the provider serves itself (`TaskVideo.authenticated`):
 * only for a URL under the base URL the task was created at, while that is still the provider's base
 * URL. Anything else is refused before a request is made.
 */
export function resultAuthHeaders(
  provider: Pick<ProviderClient, 'authHeaders' | 'label'>,
  ctx: ProviderContext,
  task: Pick<Task, 'origin'>,
  url: string,
): Record<string, string> {
  if (task.origin !== undefined && task.origin !== ctx.baseUrl) {
    throw new ProviderError({
      kind: 'config',
      message: l10n.t(
        'This result is fetched with your {0} key from where the task was created ({1}), but the base URL now points to {2}. Set the base URL back to download it.',
        provider.label,
        hostOf(task.origin),
        hostOf(ctx.baseUrl),
      ),
    });
  }
  if (!isUnder(url, ctx.baseUrl)) {
    throw new ProviderError({
      kind: 'config',
      message: l10n.t('The result is not on the {0} API ({1}), so it is not fetched with your key.', provider.label, hostOf(url)),
    });
  }
  return authHeadersFor(provider, ctx);
}

/** Same origin, and the path is inside the base URL's path. */
export function isUnder(url: string, baseUrl: string): boolean {
  try {
    const u = new URL(url);
    const base = new URL(baseUrl);
    return u.origin === base.origin && !u.username && !u.password && u.pathname.startsWith(`${base.pathname.replace(/\/+$/, '')}/`);
  } catch {
    return false;
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'an invalid URL';
  }
}

/** Settings that decide where a key is sent: every provider's base URL and other URLs, and the plain-http switch (user settings only). */
export function keyRoutingSettings(providers: readonly Pick<ProviderDescriptor, 'settings'>[]): string[] {
  return [
    ...providers.map((p) => p.settings.baseUrl),
    ...providers.flatMap((p) => Object.values(p.settings.urls ?? {})),
    'allowInsecureHttp',
  ];
}

/** The actions this provider offers on this task. */
export function actionsFor(provider: Pick<ProviderDescriptor, 'actions'> | undefined, task: Task): ProviderAction[] {
  return (provider?.actions ?? []).filter((a) => a.appliesTo(task));
}
