// The message protocol between the compare panel (extension host) and the compare webview app.
// Types and dependency-free guards only; each side ignores what fails its guard.

import { hasKeys, isId, isListOf, isNonNegative, isOptional, isRecord, isText } from '../../shared/guards';
import type { Params } from './diff';

export const MIN_COMPARE = 2;
export const MAX_COMPARE = 4;

/** One take, side by side with the others. */
export interface CompareItem {
  taskId: string;
  title: string;
  prompt: string;
  /** Webview URI of the downloaded video. */
  videoSrc: string;
  posterSrc?: string;
  /** Frames per second when the provider said; frame steps fall back to 24. */
  fps?: number;
  params: Params;
}

export interface CompareShowMessage {
  type: 'show';
  items: CompareItem[];
}

/** Fewer than two of the takes can be shown (removed, not downloaded…). */
export interface CompareUnavailableMessage {
  type: 'unavailable';
  message: string;
}

export type CompareHostMessage = CompareShowMessage | CompareUnavailableMessage;

export interface CompareReadyMessage {
  type: 'ready';
}

/** "Keep this one": save the take to the workspace. */
export interface CompareKeepMessage {
  type: 'keep';
  taskId: string;
}

export type CompareWebviewMessage = CompareReadyMessage | CompareKeepMessage;

/** What the webview keeps with `setState`, and the panel serializer restores from. */
export interface CompareState {
  taskIds: string[];
}

const MAX_PARAMS = 200;
const MAX_PROMPT = 10_000;

function isParams(x: unknown): x is Params {
  if (!isRecord(x)) return false;
  const entries = Object.entries(x);
  return entries.length <= MAX_PARAMS && entries.every(([k, v]) => isText(k, 200) && isText(v));
}

function isCompareItem(x: unknown): x is CompareItem {
  return (
    isRecord(x) &&
    hasKeys(x, ['taskId', 'title', 'prompt', 'videoSrc', 'params'], ['posterSrc', 'fps']) &&
    isId(x.taskId) &&
    isText(x.title) &&
    isText(x.prompt, MAX_PROMPT) &&
    typeof x.videoSrc === 'string' &&
    x.videoSrc.length > 0 &&
    isOptional(x.posterSrc, (v) => typeof v === 'string' && v.length > 0) &&
    isOptional(x.fps, (v) => isNonNegative(v) && v > 0) &&
    isParams(x.params)
  );
}

export function isCompareState(x: unknown): x is CompareState {
  return isRecord(x) && hasKeys(x, ['taskIds']) && isListOf(x.taskIds, isId, MAX_COMPARE) && x.taskIds.length >= MIN_COMPARE;
}

export function isCompareHostMessage(x: unknown): x is CompareHostMessage {
  if (!isRecord(x)) return false;
  if (x.type === 'unavailable') return hasKeys(x, ['type', 'message']) && isText(x.message);
  return x.type === 'show' && hasKeys(x, ['type', 'items']) && isListOf(x.items, isCompareItem, MAX_COMPARE) && x.items.length >= MIN_COMPARE;
}

export function isCompareWebviewMessage(x: unknown): x is CompareWebviewMessage {
  if (!isRecord(x)) return false;
  if (x.type === 'ready') return hasKeys(x, ['type']);
  if (x.type === 'keep') return hasKeys(x, ['type', 'taskId']) && isId(x.taskId);
  return false;
}
