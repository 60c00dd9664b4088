// Dependency-free runtime checks shared by the webview message protocols (player, gallery,
// compare). Each side validates what it receives with these before trusting any field.

import { isJsonObject } from './json';
import { shorten } from './text';

export type Fields = Record<string, unknown>;

/** Longest id the guards accept; ids are never cut (the other side sends them back), so a longer one is left out. */
export const MAX_ID_LENGTH = 256;
/** Longest text field the guards accept; the host cuts longer text with fitText before posting. */
export const MAX_MESSAGE_LENGTH = 4000;
/** Far above any real count; bounds indexes coming from the other side. */
export const MAX_VIDEO_INDEX = 999;

export const isRecord: (x: unknown) => x is Fields = isJsonObject;

/** Every key is known and every required key is present. */
export function hasKeys(o: Fields, required: readonly string[], optional: readonly string[] = []): boolean {
  const keys = Object.keys(o);
  return required.every((k) => keys.includes(k)) && keys.every((k) => required.includes(k) || optional.includes(k));
}

export function isId(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_ID_LENGTH;
}

export function isText(v: unknown, max = MAX_MESSAGE_LENGTH): v is string {
  return typeof v === 'string' && v.length <= max;
}

export function isNonNegative(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

export function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_VIDEO_INDEX;
}

export function isOptional(v: unknown, check: (v: unknown) => boolean): boolean {
  return v === undefined || check(v);
}

/** An array of at most `max` elements that all pass `check`. */
export function isListOf<T>(v: unknown, check: (x: unknown) => x is T, max: number): v is T[] {
  return Array.isArray(v) && v.length <= max && v.every((x) => check(x));
}

/**
 * The elements of `v` that pass `check`, when `v` is an array of at most `max` elements; undefined
 * otherwise. For lists of independent items (cards, takes): one bad item is left out, not the list.
 */
export function validItems<T>(v: unknown, check: (x: unknown) => x is T, max: number): T[] | undefined {
  return Array.isArray(v) && v.length <= max ? v.filter((x): x is T => check(x)) : undefined;
}

/** `text` cut to what the guards accept, so a long message never makes the webview drop a view. */
export function fitText(text: string, max = MAX_MESSAGE_LENGTH): string {
  return shorten(text, max, { collapse: false });
}
