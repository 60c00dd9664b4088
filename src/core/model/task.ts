// The normalized task model shared by every provider, the engine and the UI. No `vscode` import here.
import * as l10n from '@vscode/l10n';

import type { TaskStatus } from '../../shared/taskStatus';
import type { ErrorKind } from './errors';

/** A provider's id as the registry (src/providers/index.ts) names it: core knows no provider by name. */
export type ProviderId = string;

export { TASK_STATUSES, type TaskStatus } from '../../shared/taskStatus';

/** What kind of generation a task is. */
export type GenerationMode = 'text-to-video' | 'image-to-video' | 'ingredients' | 'video-edit';
export const GENERATION_MODES: readonly GenerationMode[] = ['text-to-video', 'image-to-video', 'ingredients', 'video-edit'];

/** Who started a create: the Generate flow and menus, a script, a language-model tool, a prompt file, a storyboard, the CLI. */
export const SPENDERS = ['ui', 'script', 'agent', 'promptFile', 'storyboard', 'cli'] as const;
export type Spender = (typeof SPENDERS)[number];

export function isSpender(v: unknown): v is Spender {
  return typeof v === 'string' && (SPENDERS as readonly string[]).includes(v);
}

export function modeLabel(mode: GenerationMode): string {
  switch (mode) {
    case 'text-to-video':
      return l10n.t('Text to video');
    case 'image-to-video':
      return l10n.t('Image to video');
    case 'ingredients':
      return l10n.t('Several images (ingredients)');
    case 'video-edit':
      return l10n.t('Restyle a video');
  }
}

export interface TaskVideo {
  /** Remote result URL (CDN). */
  url: string;
  /** Provider's id of this single video / sub-task, when it has one. */
  id?: string;
  posterUrl?: string;
  thumbnailUrl?: string;
  /** Absolute path of the downloaded poster or thumbnail, when the provider gave one. */
  posterPath?: string;
  /** Watermarked copy (HiDream `video_wm`). */
  watermarkedUrl?: string;
  seed?: number;
  duration?: number;
  width?: number;
  height?: number;
  fps?: number;
  /**
   * `url` (and the poster and thumbnail URLs) are the provider's own API, not a public CDN: the first
   * request for them carries the provider's auth headers, never a redirect hop.
   */
  authenticated?: boolean;
  /** When the provider deletes the result, epoch ms: it can only be downloaded before. */
  expiresAt?: number;
  /** How long the provider keeps a result after the job finished (Replicate: one hour), ms; says why a result is gone. */
  keptForMs?: number;
  /** Absolute path of the downloaded copy, once downloaded. */
  localPath?: string;
  /** Why the download failed, when it did. */
  downloadError?: string;
}

/** A generation request, as the automation contract and the quick-pick flow produce it. */
export interface GenerateRequest {
  provider: ProviderId;
  prompt: string;
  model?: string;
  negativePrompt?: string;
  /** Like "16:9". */
  aspectRatio?: string;
  seed?: number;
  /** Length of the video, in seconds (providers that took `options.seconds` or `options.duration` still read those). */
  duration?: number;
  /** Like "720p" or "1080p"; a provider maps it onto its own values. */
  resolution?: string;
  /** Generate sound with the video. */
  audio?: boolean;
  /** The first frame (image-to-video): file path, `file:` URI or https URL. */
  image?: string;
  /** Reference images ("ingredients"). */
  images?: string[];
  /** The last frame, given like `image`. */
  lastFrame?: string;
  video?: string;
  pikaffect?: string;
  style?: string;
  /** Provider-specific extra options (motion, guidance scale, frame rate, camera, resolution...). */
  options?: Record<string, unknown>;
  /** Set by variants and multi-model sends: the task joins this group (not kept in `Task.request`). */
  groupId?: string;
}

/** Where a task came from: a ```video block of a Markdown file (see core/request/promptBlocks.ts). */
export interface TaskSource {
  /** The file's URI, as a string. */
  uri: string;
  /** The block's hash when the task was made: an edited block has another one. */
  hash: string;
  /** The line of the block's opening fence then, 0-based: where to look when the block has changed. */
  line: number;
}

export interface Task {
  /** Local id, stable for the life of the task. */
  id: string;
  provider: ProviderId;
  /** The provider's task id. */
  remoteId: string;
  mode: GenerationMode;
  status: TaskStatus;
  /** The provider's own status word, for display and logs. */
  rawStatus?: string;
  /** 0-100. */
  progress: number;
  prompt: string;
  model: string;
  /** Epoch milliseconds. */
  createdAt: number;
  updatedAt: number;
  error?: string;
  /** The kind of the last error, to offer the right way out. */
  errorKind?: ErrorKind;
  /** When the task reached succeeded/failed, epoch ms. */
  finishedAt?: number;
  /** A queued create: when it was claimed to be sent, epoch ms (a direct create is sent when it is made). */
  sentAt?: number;
  /** Failed because it ran past the give-up time; "check again" resumes polling. */
  timedOut?: boolean;
  /** The create's answer was lost: the job may or may not have started at the provider. */
  uncertain?: boolean;
  /** Waiting: not to be sent before this time (epoch ms), when a time is known. */
  sendAfter?: number;
  /** Waiting: why it is held, in a few words ("HiDream asked to wait before the next create"). */
  waitReason?: string;
  /**
   * Submitting: the window sending it, to tell a closed window's leftovers (engine/sender.ts): its
   * engine's owner id, its process id, a random id of that process instance, the process's start
   * time where known (clock ticks since boot), and when it began sending (epoch ms).
   */
  sender?: { owner: string; pid: number; instance?: string; started?: number; since?: number };
  videos: TaskVideo[];
  /** The request that created the task, for regenerate and the sidecar (never holds base64 payloads or keys). */
  request: GenerateRequest;
  /** Provider-specific routing data needed to poll (e.g. HiDream module). */
  route?: string;
  /** The provider base URL the task was created at: it is only ever polled there. */
  origin?: string;
  /** Tasks made together (variants, one prompt to several models) share this id. */
  groupId?: string;
  /** The prompt block the task was made from, when it was. */
  source?: TaskSource;
  /** What the task cost: as the provider reported it, or our estimate. */
  cost?: TaskCost;
  /** Who started the create (the spend ledger records it; the agent budget counts it). */
  startedBy?: Spender;
}

export interface TaskCost {
  amount: number;
  currency: 'USD';
  source: 'provider' | 'estimate';
}

/** Not final: waiting to be sent, being sent, or at the provider. */
export function isActive(task: Pick<Task, 'status'>): boolean {
  return task.status === 'waiting' || task.status === 'submitting' || task.status === 'queued' || task.status === 'running';
}
