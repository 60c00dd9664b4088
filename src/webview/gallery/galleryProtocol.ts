// The message protocol between the gallery panel (extension host) and the gallery webview app.
// Both sides import this file; it holds types and dependency-free guards only. Each side checks
// what it receives: a message that fails its guard is ignored.

import { hasKeys, isId, isListOf, isNonNegative, isOptional, isRecord, isText } from '../../shared/guards';
import type { GalleryTask } from './model';

// ---- Host -> webview -------------------------------------------------------------------------

/** Every task, replacing what the webview had (first load, or after many changes). */
export interface StateMessage {
  type: 'state';
  tasks: GalleryTask[];
}

/** Tasks that changed or were added, and ids that were removed; the rest is unchanged. */
export interface UpdateMessage {
  type: 'update';
  tasks: GalleryTask[];
  removed: string[];
}

/** Asks the webview what it shows (tests and tools); answered with an `inspection`. */
export interface InspectMessage {
  type: 'inspect';
  requestId: string;
}

export type GalleryHostMessage = StateMessage | UpdateMessage | InspectMessage;

// ---- Webview -> host -------------------------------------------------------------------------

export interface GalleryReadyMessage {
  type: 'ready';
}

export const GALLERY_ACTIONS = ['play', 'compare', 'saveToWorkspace', 'regenerate', 'remove', 'generate'] as const;
export type GalleryAction = (typeof GALLERY_ACTIONS)[number];

export interface GalleryActionMessage {
  type: 'action';
  action: GalleryAction;
  /** Empty only for `generate`. */
  taskIds: string[];
}

/** One card as rendered in the DOM. */
export interface InspectedCard {
  id: string;
  status: string;
  /** The card's accessible name. */
  label: string;
  selected: boolean;
}

export interface InspectionMessage {
  type: 'inspection';
  requestId: string;
  /** Random per page load: unchanged between two inspections means the page was not reloaded. */
  bootId: string;
  /** Tasks the webview knows, and how many pass the current filters. */
  total: number;
  matching: number;
  cards: InspectedCard[];
}

export type GalleryWebviewMessage = GalleryReadyMessage | GalleryActionMessage | InspectionMessage;

// ---- Guards ----------------------------------------------------------------------------------

/** Far above any real history; bounds lists coming from the other side. */
const MAX_TASKS = 100_000;
const MAX_SELECTION = 10_000;
const MAX_PROMPT = 10_000;
const MAX_STATUS = 32;

const CARD_REQUIRED = ['id', 'prompt', 'provider', 'providerLabel', 'model', 'status', 'progress', 'createdAt', 'videoCount'] as const;
const CARD_OPTIONAL = ['error', 'finishedAt', 'groupId', 'seed', 'duration', 'width', 'height', 'videoSrc', 'posterSrc'] as const;

const isUri = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= 8192;

export function isGalleryTask(x: unknown): x is GalleryTask {
  return (
    isRecord(x) &&
    hasKeys(x, CARD_REQUIRED, CARD_OPTIONAL) &&
    isId(x.id) &&
    isText(x.prompt, MAX_PROMPT) &&
    isText(x.provider) &&
    isText(x.providerLabel) &&
    isText(x.model) &&
    isId(x.status) &&
    (x.status as string).length <= MAX_STATUS &&
    isNonNegative(x.progress) &&
    (x.progress as number) <= 100 &&
    isNonNegative(x.createdAt) &&
    isNonNegative(x.videoCount) &&
    isOptional(x.error, (v) => isText(v)) &&
    isOptional(x.finishedAt, isNonNegative) &&
    isOptional(x.groupId, isId) &&
    isOptional(x.seed, (v) => typeof v === 'number' && Number.isFinite(v)) &&
    isOptional(x.duration, isNonNegative) &&
    isOptional(x.width, isNonNegative) &&
    isOptional(x.height, isNonNegative) &&
    isOptional(x.videoSrc, isUri) &&
    isOptional(x.posterSrc, isUri)
  );
}

export function isGalleryHostMessage(x: unknown): x is GalleryHostMessage {
  if (!isRecord(x)) return false;
  switch (x.type) {
    case 'state':
      return hasKeys(x, ['type', 'tasks']) && isListOf(x.tasks, isGalleryTask, MAX_TASKS);
    case 'update':
      return hasKeys(x, ['type', 'tasks', 'removed']) && isListOf(x.tasks, isGalleryTask, MAX_TASKS) && isListOf(x.removed, isId, MAX_TASKS);
    case 'inspect':
      return hasKeys(x, ['type', 'requestId']) && isId(x.requestId);
    default:
      return false;
  }
}

export function isGalleryAction(x: unknown): x is GalleryAction {
  return typeof x === 'string' && (GALLERY_ACTIONS as readonly string[]).includes(x);
}

function isInspectedCard(x: unknown): x is InspectedCard {
  return (
    isRecord(x) &&
    hasKeys(x, ['id', 'status', 'label', 'selected']) &&
    isId(x.id) &&
    isId(x.status) &&
    isText(x.label, MAX_PROMPT) &&
    typeof x.selected === 'boolean'
  );
}

export function isGalleryWebviewMessage(x: unknown): x is GalleryWebviewMessage {
  if (!isRecord(x)) return false;
  switch (x.type) {
    case 'ready':
      return hasKeys(x, ['type']);
    case 'action':
      return (
        hasKeys(x, ['type', 'action', 'taskIds']) &&
        isGalleryAction(x.action) &&
        isListOf(x.taskIds, isId, MAX_SELECTION) &&
        (x.action === 'generate' || (x.taskIds as string[]).length > 0)
      );
    case 'inspection':
      return (
        hasKeys(x, ['type', 'requestId', 'bootId', 'total', 'matching', 'cards']) &&
        isId(x.requestId) &&
        isId(x.bootId) &&
        isNonNegative(x.total) &&
        isNonNegative(x.matching) &&
        isListOf(x.cards, isInspectedCard, MAX_TASKS)
      );
    default:
      return false;
  }
}
