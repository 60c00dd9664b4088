// The interface every provider implements (create, poll one or many, normalize), shared by the
// engine and the provider modules. Providers live in src/providers; core never imports them.
import type { ProviderError } from './errors';
import type { RemoteStatus } from './normalize';
import type { GenerateRequest, GenerationMode, ProviderId, Task, TaskVideo } from './types';

export interface ProviderContext {
  baseUrl: string;
  apiKey: string;
  /** HiDream's optional `API-User-ID`. */
  userId?: string;
  /** How long to wait for an answer once a request is sent, and the longest stall while sending one. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** A create: bytes of its body sent so far, while it is being sent. */
  onUploadProgress?(sent: number, total: number): void;
  /** A create: stops it only while its body is still being sent (it then certainly did not start). */
  uploadSignal?: AbortSignal;
}

/** Media after resolution: each entry is an https URL or base64 data (no `data:` prefix). */
export interface ResolvedMedia {
  image?: string;
  images?: string[];
  video?: string;
  /** MIME types of the local files, for data URIs. */
  imageMime?: string;
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

export interface RemoteState {
  status: RemoteStatus;
  rawStatus: string;
  progress?: number;
  error?: string;
  videos: TaskVideo[];
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
   * Where the provider can list recent jobs: finds the job that an uncertain create (`task`, with
   * no provider id) may have started, matched by prompt, model and time; undefined when there is
   * none. The engine then adopts the job and follows it like any other.
   */
  findLostJob?(ctx: ProviderContext, task: Task): Promise<CreateResult | undefined>;
  /** A harmless authenticated call; resolves with a plain sentence, rejects with a ProviderError. */
  testConnection(ctx: ProviderContext): Promise<string>;
  /** How many polls of this provider may run at once, and per-minute create limits where published. */
  readonly limits: { concurrentPolls: number; createsPerMinute?: Record<string, number> };
}
