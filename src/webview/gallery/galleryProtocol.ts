// The message protocol between the gallery panel (extension host) and the gallery webview app.
// Both sides import this file; it holds types and dependency-free guards only. Each side checks
// what it receives: a message that fails its guard is ignored, and in a list of cards a card that
// fails is left out while the others are shown (the host fits every card so that none should).

import { hasKeys, isId, isListOf, isNonNegative, isOptional, isRecord, isText, validItems } from '../../shared/guards';
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

export const GALLERY_ACTIONS = ['play', 'compare', 'saveToWorkspace', 'regenerate', 'remove', 'generate', 'continueFromLastFrame'] as const;
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
/** Longest prompt a card carries; the host cuts a longer one (galleryCards.ts). */
export const MAX_CARD_PROMPT = 10_000;
/** Longest accessible name of a card in an inspection; the webview cuts a longer one. */
export const MAX_CARD_LABEL = 10_000;
/** Longest webview URI of a card's video or poster; the host leaves a longer one out. */
export const MAX_CARD_URI = 8192;
const MAX_STATUS = 32;

const CARD_REQUIRED = ['id', 'prompt', 'provider', 'providerLabel', 'model', 'status', 'progress', 'createdAt', 'videoCount'] as const;
const CARD_OPTIONAL = ['error', 'finishedAt', 'groupId', 'seed', 'duration', 'width', 'height', 'videoSrc', 'posterSrc', 'cost'] as const;

export const isCardUri = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_CARD_URI;

export function isGalleryTask(x: unknown): x is GalleryTask {
  return (
    isRecord(x) &&
    hasKeys(x, CARD_REQUIRED, CARD_OPTIONAL) &&
    isId(x.id) &&
    isText(x.prompt, MAX_CARD_PROMPT) &&
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
    isOptional(x.videoSrc, isCardUri) &&
    isOptional(x.posterSrc, isCardUri) &&
    isOptional(x.cost, (v) => isText(v, 80))
  );
}

/** A checked message, and how many of its cards (or removed ids) failed their guard and were left out. */
export interface ReadMessage<M> {
  message: M;
  dropped: number;
}

/**
 * What the webview takes from a host message: undefined when the message itself is malformed;
 * otherwise the message with only the cards (and removed ids) that pass their guards.
 */
export function readGalleryHostMessage(x: unknown): ReadMessage<GalleryHostMessage> | undefined {
  if (!isRecord(x)) return undefined;
  switch (x.type) {
    case 'state': {
      const tasks = hasKeys(x, ['type', 'tasks']) ? validItems(x.tasks, isGalleryTask, MAX_TASKS) : undefined;
      return tasks && { message: { type: 'state', tasks }, dropped: (x.tasks as unknown[]).length - tasks.length };
    }
    case 'update': {
      if (!hasKeys(x, ['type', 'tasks', 'removed'])) return undefined;
      const tasks = validItems(x.tasks, isGalleryTask, MAX_TASKS);
      const removed = validItems(x.removed, isId, MAX_TASKS);
      if (!tasks || !removed) return undefined;
      const dropped = (x.tasks as unknown[]).length - tasks.length + (x.removed as unknown[]).length - removed.length;
      return { message: { type: 'update', tasks, removed }, dropped };
    }
    case 'inspect':
      return hasKeys(x, ['type', 'requestId']) && isId(x.requestId)
        ? { message: { type: 'inspect', requestId: x.requestId }, dropped: 0 }
        : undefined;
    default:
      return undefined;
  }
}

/** True when the host message passes in full, every card included (what the host must always send). */
export function isGalleryHostMessage(x: unknown): x is GalleryHostMessage {
  return readGalleryHostMessage(x)?.dropped === 0;
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
    isText(x.label, MAX_CARD_LABEL) &&
    typeof x.selected === 'boolean'
  );
}

/**
 * What the host takes from a webview message: undefined when it is malformed. An inspection keeps
 * the cards that pass their guard; an action is refused whole (it never acts on part of a selection).
 */
export function readGalleryWebviewMessage(x: unknown): GalleryWebviewMessage | undefined {
  if (!isRecord(x)) return undefined;
  switch (x.type) {
    case 'ready':
      return hasKeys(x, ['type']) ? { type: 'ready' } : undefined;
    case 'action':
      return hasKeys(x, ['type', 'action', 'taskIds']) &&
        isGalleryAction(x.action) &&
        isListOf(x.taskIds, isId, MAX_SELECTION) &&
        (x.action === 'generate' || x.taskIds.length > 0)
        ? { type: 'action', action: x.action, taskIds: x.taskIds }
        : undefined;
    case 'inspection': {
      if (!hasKeys(x, ['type', 'requestId', 'bootId', 'total', 'matching', 'cards'])) return undefined;
      const { requestId, bootId, total, matching } = x;
      const cards = validItems(x.cards, isInspectedCard, MAX_TASKS);
      const ok = isId(requestId) && isId(bootId) && isNonNegative(total) && isNonNegative(matching) && cards;
      return ok ? { type: 'inspection', requestId, bootId, total, matching, cards } : undefined;
    }
    default:
      return undefined;
  }
}

/** True when the webview message passes in full. */
export function isGalleryWebviewMessage(x: unknown): x is GalleryWebviewMessage {
  const read = readGalleryWebviewMessage(x);
  return !!read && (read.type !== 'inspection' || read.cards.length === (x as { cards: unknown[] }).cards.length);
}
