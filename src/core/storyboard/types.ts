// The storyboard's types in one place: what a parsed storyboard, its plan, its lockfile and a render
// are, and the host a caller implements to render one. The extension (src/vscode/storyboard/) and the
// command-line tool both drive the same core through `renderStoryboard(input, host, options)`, so
// nothing here knows about VS Code.
import type { GenerateRequest, GenerationMode } from '../model/task';
import type { LineSpan, PromptCatalog, Severity, VideoBlock } from '../request/promptBlocks';

/** One shot: a ```video block with an `id:`. */
export interface Shot {
  id: string;
  /** Position among the storyboard's shots, in file order (the film joins them in this order). */
  index: number;
  /** `after: <id>`: the shot starts on the last frame of that shot's chosen take. */
  after?: string;
  /** The block's request as written (no defaults filled in; for `after`, no image yet). */
  request: GenerateRequest;
  mode: GenerationMode;
  block: VideoBlock;
  /** Where the `id:` value is, for diagnostics and lenses. */
  idSpan: LineSpan;
}

export interface StoryboardProblem {
  severity: Severity;
  message: string;
  span: LineSpan;
  /** The shot the problem belongs to, when it belongs to one. */
  shotId?: string;
}

export interface ParsedStoryboard {
  /** The shots in file order. Blocks without an `id:` are ordinary prompt blocks and are not here. */
  shots: Shot[];
  /** Storyboard problems (ids, `after`) and each shot's own block problems. */
  problems: StoryboardProblem[];
}

/** Why a shot is rendered. */
export type RenderReason = 'new' | 'changed' | 'output-missing' | 'output-modified' | 'upstream';

export interface PlannedShot {
  shot: Shot;
  /** The resolved request's hash; undefined while it waits on an upstream frame that is not known yet. */
  hash?: string;
  /** Up to date: not sent again. Otherwise rendered, for `reason`. */
  upToDate: boolean;
  reason?: RenderReason;
}

export interface StoryboardPlan {
  /** Every shot once, in dependency order (an upstream shot before the shots `after` it; file order otherwise). */
  shots: PlannedShot[];
}

/** A shot as the lockfile records it. Paths are relative to the root, with `/`. */
export interface LockShot {
  hash: string;
  provider: string;
  model: string;
  seed?: number;
  /** The provider's job id. */
  jobId?: string;
  cost?: { amount: number; currency: string };
  output: string;
  sha256: string;
  /** The sha256 of this output's last frame, once a shot `after` it has used it. */
  lastFrameSha256?: string;
}

export interface Lockfile {
  version: 1;
  shots: Record<string, LockShot>;
  film?: { output: string; sha256: string };
}

export interface Quote {
  /** USD; undefined when some price is unknown. */
  amount?: number;
  currency: 'USD';
  /** Some amount depends on a model's default length or resolution. */
  estimate: boolean;
}

export type ShotState = 'rendered' | 'cached' | 'failed' | 'skipped' | 'planned';

export interface ShotResult {
  id: string;
  state: ShotState;
  taskId?: string;
  error?: string;
}

export interface RenderResult {
  quote: Quote;
  shots: ShotResult[];
  /** Absolute path of the film, when it exists and matches the lockfile. */
  output?: string;
}

/** A finished generation: the take the host waited for. */
export interface Take {
  /** Absolute path of the downloaded video. */
  file: string;
  taskId?: string;
  jobId?: string;
  model: string;
  seed?: number;
  cost?: { amount: number; currency: string };
}

/** What a render reports as it goes: one event per change of a shot's state, then the film. */
export type RenderProgress =
  | { kind: 'shot'; id: string; state: 'queued' | 'sending' | 'rendering' | 'rendered' | 'cached' | 'failed' | 'skipped'; error?: string }
  | { kind: 'film'; state: 'stitching' | 'written' | 'cached' };

/** What the caller provides: files, generations, ffmpeg, prices and the budget. */
export interface RenderHost {
  /** Root-relative path (with `/`) of a shot's copy and of the film. */
  shotOutput(shotId: string): string;
  filmOutput(): string;
  /** Absolute path of a root-relative one. */
  absolute(rel: string): string;
  /** The sha256 (hex) of a root-relative file; undefined when it does not exist. */
  sha256(rel: string): Promise<string | undefined>;
  readLock(): Promise<Lockfile | undefined>;
  /** Writes the lockfile's text (the core formats it and writes only a change). */
  writeLock(text: string): Promise<void>;
  /**
   * Sends one create and resolves with the finished, downloaded take; rejects when it fails. Called
   * only while the render is not cancelled: once called, the create is sent and the take is kept.
   */
  generate(shot: Shot, request: GenerateRequest): Promise<Take>;
  /** Copies a take to a root-relative output path (creating folders). */
  copy(file: string, rel: string): Promise<void>;
  /** Extracts the last frame of a root-relative video as a PNG: its absolute path (for `request.image`) and sha256. */
  lastFrame(rel: string): Promise<{ path: string; sha256: string }>;
  /** Joins root-relative clips, in order, into a root-relative film. */
  stitch(clips: string[], rel: string): Promise<void>;
  /** The quote for exactly these requests. */
  quote(requests: GenerateRequest[]): Promise<Quote>;
  /** A refusal (e.g. the daily budget) of a run with this quote, or undefined to go on. */
  checkBudget?(quote: Quote): Promise<string | undefined>;
  progress?(event: RenderProgress): void;
}

export interface StoryboardInput {
  /** The Markdown text (an editor's, unsaved edits included). */
  text: string;
  catalog: PromptCatalog;
}

export interface RenderOptions {
  /** Plan and quote only: nothing is sent or written. */
  dryRun?: boolean;
  /** Stops shots not yet sent; sent ones finish and are kept. */
  signal?: AbortSignal;
  /** Asked once with the plan and its quote before anything is sent (interactive callers); false stops the run. */
  confirm?(plan: StoryboardPlan, quote: Quote): Promise<boolean>;
  /** How many shots render at once (the engine's queue and the provider's limits apply below this). Default 4. */
  concurrency?: number;
}
