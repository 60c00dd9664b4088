// The message protocol between the compare panel (extension host) and the compare webview app.
// Types and dependency-free guards only; each side ignores what fails its guard, except that a take
// failing its own guard is left out and the others are shown (the host fits every take so none should).

import { hasKeys, isId, isListOf, isNonNegative, isOptional, isRecord, isText, validItems } from '../../shared/guards';
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

/** Most parameters a take lists, longest label and prompt; the host cuts to these (compareParams.ts). */
export const MAX_PARAMS = 200;
export const MAX_PARAM_LABEL = 200;
export const MAX_COMPARE_PROMPT = 10_000;

function isParams(x: unknown): x is Params {
  if (!isRecord(x)) return false;
  const entries = Object.entries(x);
  return entries.length <= MAX_PARAMS && entries.every(([k, v]) => isText(k, MAX_PARAM_LABEL) && isText(v));
}

function isCompareItem(x: unknown): x is CompareItem {
  return (
    isRecord(x) &&
    hasKeys(x, ['taskId', 'title', 'prompt', 'videoSrc', 'params'], ['posterSrc', 'fps']) &&
    isId(x.taskId) &&
    isText(x.title) &&
    isText(x.prompt, MAX_COMPARE_PROMPT) &&
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

/**
 * What the webview takes from a host message: undefined when the message itself is malformed (a
 * `show` must hold 2 to 4 takes); otherwise the message with only the takes that pass their guard,
 * and how many were left out. Fewer than two may remain: the webview then says it cannot compare.
 */
export function readCompareHostMessage(x: unknown): { message: CompareHostMessage; dropped: number } | undefined {
  if (!isRecord(x)) return undefined;
  if (x.type === 'unavailable') {
    return hasKeys(x, ['type', 'message']) && isText(x.message)
      ? { message: { type: 'unavailable', message: x.message }, dropped: 0 }
      : undefined;
  }
  if (x.type !== 'show' || !hasKeys(x, ['type', 'items'])) return undefined;
  const items = validItems(x.items, isCompareItem, MAX_COMPARE);
  const sent = Array.isArray(x.items) ? x.items.length : 0;
  return items && sent >= MIN_COMPARE ? { message: { type: 'show', items }, dropped: sent - items.length } : undefined;
}

/** True when the host message passes in full, every take included (what the host must always send). */
export function isCompareHostMessage(x: unknown): x is CompareHostMessage {
  return readCompareHostMessage(x)?.dropped === 0;
}

export function isCompareWebviewMessage(x: unknown): x is CompareWebviewMessage {
  if (!isRecord(x)) return false;
  if (x.type === 'ready') return hasKeys(x, ['type']);
  if (x.type === 'keep') return hasKeys(x, ['type', 'taskId']) && isId(x.taskId);
  return false;
}
