// Public types of the provider emulator. Re-exported by server.ts, which is the module other code imports.

export interface EmulatorOptions {
  /** Default 0 = any free port. The emulator always binds 127.0.0.1. */
  port?: number;
  /** Create -> final state, default 6000. */
  durationMs?: number;
  /** Share of the duration spent queued, default 0.2. */
  queuedFraction?: number;
  /** Default 'flat' (seed 001 form); 'envelope' = new-api `{code:"success", data}` (docs/providers/gateway.md). */
  gatewayShape?: 'flat' | 'envelope';
  /** Which id field the gateway create answer carries, default 'both'. */
  gatewayCreateId?: 'task_id' | 'id' | 'both';
  /** Enforce HiDream's published create limits (10 a minute per module, 2 for video_edit), default false. */
  hidreamLimits?: boolean;
  /** Injectable clock in ms, default Date.now: tasks' times, `created_at` and every answer's `Date` header (a skewed server clock). */
  now?: () => number;
  /** Default: test/fixtures of the repository that holds this file. */
  fixturesDir?: string;
  /**
   * Result videos: 'generated' renders a distinct clip per prompt with ffmpeg (clips.ts; the fixtures when
   * ffmpeg is missing), 'fixtures' (the default here; the CLI and the demo generate) serves sample.mp4 / sample-2.mp4.
   */
  clips?: 'generated' | 'fixtures';
  log?: (line: string) => void;
}

/** `<provider>.<route>` (e.g. `pika.feed`, `hidream.txt2video.batch`), or `files`: see each provider's routes. */
export type RouteKey = string;

/** What a request does: benchmarks count status requests apart from creates and downloads. */
export type RouteKind = 'create' | 'status' | 'files' | 'other';

/**
 * `reset` drops the connection once the whole request was read, `resetUpload` while its body is
 * still arriving; `slowUpload` reads the body at `bytesPerSecond` (a slow uplink), then answers.
 */
export type FaultKind = 'status' | 'reset' | 'resetUpload' | 'slowUpload' | 'slow' | 'hang' | 'truncated' | 'malformed' | 'hostile';
export const FAULT_KINDS: readonly FaultKind[] = [
  'status',
  'reset',
  'resetUpload',
  'slowUpload',
  'slow',
  'hang',
  'truncated',
  'malformed',
  'hostile',
];

export interface Fault {
  route: RouteKey;
  kind: FaultKind;
  /**
   * For 'status' (429, 500, 502, 503, 401, 402, 403...): answered with an OpenAI-style error body.
   * For 'hostile' (default 400): the error body carries the hostile message, in the route's own
   * shape (HiDream's envelope, else OpenAI-style).
   */
  status?: number;
  /** Retry-After header value (seconds or HTTP date). */
  retryAfter?: string;
  /** retry-after-ms header value. */
  retryAfterMs?: number;
  /** For 'slow': answer normally after this delay (real time). */
  delayMs?: number;
  /** For 'slowUpload': how fast the body is read. */
  bytesPerSecond?: number;
  /** How many matching requests it affects, default 1; Infinity allowed. */
  times?: number;
}

export interface RecordedRequest {
  route: RouteKey;
  kind: RouteKind;
  /** The provider whose API the route belongs to (none for files). */
  provider?: string;
  /** For status requests: the provider task ids asked about. */
  ids?: string[];
  method: string;
  path: string;
  /** The Content-Type the request was sent with, when it had one. */
  contentType?: string;
  /** The body of a POST as its route reads it: parsed JSON (the raw text when it is not JSON), or what the route's own parser makes of it. */
  body?: unknown;
  authorized: boolean;
  hadAuthorizationHeader: boolean;
  /** Emulator clock, ms. */
  at: number;
}

export interface Emulator {
  /** http://127.0.0.1:PORT, the same base for every provider. */
  readonly baseUrl: string;
  readonly port: number;
  setOptions(partial: Partial<EmulatorOptions>): void;
  /** Requests per route key since start or the last reset (faulted ones count too). */
  counts(): Record<RouteKey, number>;
  requests(route?: RouteKey): RecordedRequest[];
  resetCounts(): void;
  injectFault(fault: Fault): void;
  clearFaults(): void;
  /** Emulator-clock ms at which the task reached its final state; undefined while it has not. */
  taskFinishedAt(remoteId: string): number | undefined;
  close(): Promise<void>;
}
