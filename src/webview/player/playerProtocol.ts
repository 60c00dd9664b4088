// The message protocol between the player panel (extension host) and the player webview app.
// Both sides import this file; it holds types and dependency-free guards only, so it bundles
// into the browser app unchanged. Each side validates what it receives: a message that fails
// its guard is ignored.

import type { PlayerMeta } from '../../shared/format';
import { hasKeys, isId, isIndex, isNonNegative, isOptional, isRecord, isText } from '../../shared/guards';
import type { TaskStatus } from '../../shared/taskStatus';

// ---- Host -> webview -------------------------------------------------------------------------

export interface PlayerVideoSource {
  /** Webview URI (`asWebviewUri`) of the downloaded file. */
  src: string;
  /** Webview URI of a local poster image, when one exists. */
  posterSrc?: string;
}

export type { PlayerMeta } from '../../shared/format';

export interface ShowMessage {
  type: 'show';
  taskId: string;
  videoIndex: number;
  video: PlayerVideoSource;
  meta: PlayerMeta;
}

/** The task has no playable local video (not downloaded, failed, gone...). */
export interface UnavailableMessage {
  type: 'unavailable';
  taskId: string;
  message: string;
}

/** One shot of a film, in the film's order. */
export interface FilmShot {
  id: string;
  /** "Provider · model" as the lockfile records it. */
  model?: string;
  /** Seconds, when the shot's task reported it. */
  duration?: number;
  /** The shot's recorded cost, formatted. */
  cost?: string;
}

/** What the player shows of a storyboard's film. */
export interface FilmMeta {
  /** The storyboard's name. */
  title: string;
  /** Workspace-relative paths of the storyboard and of the film, for display. */
  storyboard: string;
  file: string;
  shots: FilmShot[];
  /** The total of the costs the lockfile recorded, formatted. */
  cost?: string;
  /** Why what is shown may not be the latest (no lockfile, the film not recorded in it…). */
  note?: string;
}

/** A storyboard's film; `film` is the storyboard's URI, the key of the shown film. */
export interface ShowFilmMessage {
  type: 'showFilm';
  film: string;
  video: PlayerVideoSource;
  meta: FilmMeta;
}

/** The storyboard has no playable film (not rendered, the file gone, outside the workspace…). */
export interface FilmUnavailableMessage {
  type: 'filmUnavailable';
  film: string;
  message: string;
}

export type HostToWebview = ShowMessage | UnavailableMessage | ShowFilmMessage | FilmUnavailableMessage;
export type HostMessageType = HostToWebview['type'];

// ---- Webview -> host -------------------------------------------------------------------------

export interface ReadyMessage {
  type: 'ready';
}

/** Playback state, posted on `loadedmetadata`, `play`, `pause`, `ended` and (throttled) `timeupdate`. */
export interface PlaybackMessage {
  type: 'playback';
  taskId: string;
  /** Seconds. */
  currentTime: number;
  /** Seconds; 0 while unknown. */
  duration: number;
  paused: boolean;
  /** `HTMLMediaElement.readyState`, 0-4. */
  readyState: number;
  videoWidth: number;
  videoHeight: number;
}

export interface MediaErrorMessage {
  type: 'mediaError';
  taskId: string;
  message: string;
}

export const PLAYER_ACTIONS = [
  'openExternal',
  'revealInExplorer',
  'openInVideoPreview',
  'copyPrompt',
  'saveToWorkspace',
  'regenerate',
  'selectVideo',
  'continueFromLastFrame',
] as const;
export type PlayerAction = (typeof PLAYER_ACTIONS)[number];

export interface ActionMessage {
  type: 'action';
  action: PlayerAction;
  taskId: string;
  /** Required for `selectVideo`; otherwise the video shown. */
  videoIndex?: number;
}

/** One of the provider's actions listed in `PlayerMeta.taskActions`. */
export interface TaskActionMessage {
  type: 'taskAction';
  action: string;
  taskId: string;
}

/** What a film offers: no Regenerate or Continue, which belong to one task. */
export const FILM_ACTIONS = ['openInVideoPreview', 'openExternal', 'revealInExplorer', 'openStoryboard'] as const;
export type FilmAction = (typeof FILM_ACTIONS)[number];

export interface FilmActionMessage {
  type: 'filmAction';
  action: FilmAction;
  film: string;
}

/** Playback of the shown film: the fields of `PlaybackMessage`, keyed by the film. */
export interface FilmPlaybackMessage extends Omit<PlaybackMessage, 'type' | 'taskId'> {
  type: 'filmPlayback';
  film: string;
}

export interface FilmMediaErrorMessage {
  type: 'filmMediaError';
  film: string;
  message: string;
}

export type WebviewToHost =
  | ReadyMessage
  | PlaybackMessage
  | MediaErrorMessage
  | ActionMessage
  | TaskActionMessage
  | FilmActionMessage
  | FilmPlaybackMessage
  | FilmMediaErrorMessage;
export type WebviewMessageType = WebviewToHost['type'];

/** What the webview keeps with `setState`, and what the panel serializer restores from: a task's video… */
export interface TaskPlayerState {
  taskId: string;
  videoIndex: number;
}

/** …or a storyboard's film (the storyboard's URI). */
export interface FilmPlayerState {
  film: string;
}

export type PlayerState = TaskPlayerState | FilmPlayerState;

// ---- Guards ----------------------------------------------------------------------------------

const TASK_STATUSES: readonly TaskStatus[] = ['waiting', 'submitting', 'queued', 'running', 'succeeded', 'failed'];

export function isPlayerAction(x: unknown): x is PlayerAction {
  return typeof x === 'string' && (PLAYER_ACTIONS as readonly string[]).includes(x);
}

/** A task action id ("remix"); the host checks it is one the task's provider offers. */
function isActionId(x: unknown): x is string {
  return typeof x === 'string' && /^[a-z][A-Za-z]{0,31}$/.test(x);
}

/** Longest film key (a storyboard's URI string). */
export const MAX_FILM_KEY = 4000;
/** Most shots a film message lists. */
export const MAX_FILM_SHOTS = 999;

/** A film key: the storyboard's URI, a `file:` URI (the host only ever shows workspace files). */
export function isFilmKey(x: unknown): x is string {
  return typeof x === 'string' && x.length > 0 && x.length <= MAX_FILM_KEY && x.startsWith('file:');
}

export function isFilmAction(x: unknown): x is FilmAction {
  return typeof x === 'string' && (FILM_ACTIONS as readonly string[]).includes(x);
}

export function isTaskPlayerState(x: unknown): x is TaskPlayerState {
  return isRecord(x) && hasKeys(x, ['taskId', 'videoIndex']) && isId(x.taskId) && isIndex(x.videoIndex);
}

export function isFilmPlayerState(x: unknown): x is FilmPlayerState {
  return isRecord(x) && hasKeys(x, ['film']) && isFilmKey(x.film);
}

export function isPlayerState(x: unknown): x is PlayerState {
  return isTaskPlayerState(x) || isFilmPlayerState(x);
}

const PLAYBACK_FIELDS = ['currentTime', 'duration', 'paused', 'readyState', 'videoWidth', 'videoHeight'] as const;

function isPlaybackState(x: Record<string, unknown>): boolean {
  return (
    isNonNegative(x.currentTime) &&
    isNonNegative(x.duration) &&
    typeof x.paused === 'boolean' &&
    typeof x.readyState === 'number' &&
    Number.isInteger(x.readyState) &&
    x.readyState >= 0 &&
    x.readyState <= 4 &&
    isNonNegative(x.videoWidth) &&
    isNonNegative(x.videoHeight)
  );
}

/** Guard for everything the webview may send; the host ignores what fails it. */
export function isWebviewMessage(x: unknown): x is WebviewToHost {
  if (!isRecord(x)) return false;
  switch (x.type) {
    case 'ready':
      return hasKeys(x, ['type']);
    case 'playback':
      return hasKeys(x, ['type', 'taskId', ...PLAYBACK_FIELDS]) && isId(x.taskId) && isPlaybackState(x);
    case 'filmPlayback':
      return hasKeys(x, ['type', 'film', ...PLAYBACK_FIELDS]) && isFilmKey(x.film) && isPlaybackState(x);
    case 'filmMediaError':
      return hasKeys(x, ['type', 'film', 'message']) && isFilmKey(x.film) && isText(x.message);
    case 'filmAction':
      return hasKeys(x, ['type', 'action', 'film']) && isFilmAction(x.action) && isFilmKey(x.film);
    case 'mediaError':
      return hasKeys(x, ['type', 'taskId', 'message']) && isId(x.taskId) && isText(x.message);
    case 'action':
      return (
        hasKeys(x, ['type', 'action', 'taskId'], ['videoIndex']) &&
        isPlayerAction(x.action) &&
        isId(x.taskId) &&
        (x.action === 'selectVideo' ? isIndex(x.videoIndex) : isOptional(x.videoIndex, isIndex))
      );
    case 'taskAction':
      return hasKeys(x, ['type', 'action', 'taskId']) && isActionId(x.action) && isId(x.taskId);
    default:
      return false;
  }
}

/** Longest label of a provider's action button; the host cuts a longer one (playerPage.ts). */
export const MAX_ACTION_LABEL = 100;

const META_REQUIRED = [
  'title',
  'provider',
  'providerLabel',
  'model',
  'prompt',
  'createdAt',
  'remoteId',
  'videoCount',
  'status',
  'taskActions',
] as const;
const META_OPTIONAL = ['negativePrompt', 'seed', 'duration', 'width', 'height', 'fps', 'cost'] as const;

function isMeta(x: unknown): x is PlayerMeta {
  if (!isRecord(x) || !hasKeys(x, META_REQUIRED, META_OPTIONAL)) return false;
  return (
    isText(x.title) &&
    isText(x.provider) &&
    isText(x.providerLabel) &&
    isText(x.model) &&
    typeof x.prompt === 'string' &&
    isOptional(x.negativePrompt, (v) => typeof v === 'string') &&
    isOptional(x.seed, (v) => typeof v === 'number' && Number.isFinite(v)) &&
    isOptional(x.duration, isNonNegative) &&
    isOptional(x.width, isNonNegative) &&
    isOptional(x.height, isNonNegative) &&
    isOptional(x.fps, isNonNegative) &&
    isOptional(x.cost, (v) => isText(v, 80)) &&
    isNonNegative(x.createdAt) &&
    isText(x.remoteId) &&
    isIndex(x.videoCount) &&
    TASK_STATUSES.includes(x.status as TaskStatus) &&
    Array.isArray(x.taskActions) &&
    x.taskActions.every((a) => isRecord(a) && hasKeys(a, ['id', 'label']) && isActionId(a.id) && isText(a.label, MAX_ACTION_LABEL))
  );
}

function isFilmShot(x: unknown): x is FilmShot {
  return (
    isRecord(x) &&
    hasKeys(x, ['id'], ['model', 'duration', 'cost']) &&
    isId(x.id) &&
    isOptional(x.model, (v) => isText(v, 600)) &&
    isOptional(x.duration, isNonNegative) &&
    isOptional(x.cost, (v) => isText(v, 80))
  );
}

function isFilmMeta(x: unknown): x is FilmMeta {
  return (
    isRecord(x) &&
    hasKeys(x, ['title', 'storyboard', 'file', 'shots'], ['cost', 'note']) &&
    isText(x.title) &&
    isText(x.storyboard) &&
    isText(x.file) &&
    Array.isArray(x.shots) &&
    x.shots.length <= MAX_FILM_SHOTS &&
    x.shots.every(isFilmShot) &&
    isOptional(x.cost, (v) => isText(v, 80)) &&
    isOptional(x.note, (v) => isText(v))
  );
}

function isVideoSource(x: unknown): x is PlayerVideoSource {
  return (
    isRecord(x) &&
    hasKeys(x, ['src'], ['posterSrc']) &&
    typeof x.src === 'string' &&
    x.src.length > 0 &&
    isOptional(x.posterSrc, (v) => typeof v === 'string' && v.length > 0)
  );
}

/** Guard for everything the host may send; the webview ignores what fails it. */
export function isHostMessage(x: unknown): x is HostToWebview {
  if (!isRecord(x)) return false;
  switch (x.type) {
    case 'show':
      return (
        hasKeys(x, ['type', 'taskId', 'videoIndex', 'video', 'meta']) &&
        isId(x.taskId) &&
        isIndex(x.videoIndex) &&
        isVideoSource(x.video) &&
        isMeta(x.meta)
      );
    case 'unavailable':
      return hasKeys(x, ['type', 'taskId', 'message']) && isId(x.taskId) && isText(x.message);
    case 'showFilm':
      return hasKeys(x, ['type', 'film', 'video', 'meta']) && isFilmKey(x.film) && isVideoSource(x.video) && isFilmMeta(x.meta);
    case 'filmUnavailable':
      return hasKeys(x, ['type', 'film', 'message']) && isFilmKey(x.film) && isText(x.message);
    default:
      return false;
  }
}
