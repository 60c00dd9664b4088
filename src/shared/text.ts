// The one text shortener: every label, title, tooltip and message field that must fit a width is cut
// here, the same way (whitespace collapsed, cut by characters so no emoji is split, at a word boundary
// when one is near, an ellipsis at the end), and an empty prompt reads as the localized "Untitled video".
import * as l10n from '@vscode/l10n';

export interface ShortenOptions {
  /** Cut at the last space when it is near the end (titles); otherwise exactly at the limit. */
  words?: boolean;
  /** Collapse runs of whitespace, line breaks included, into one space (default true). */
  collapse?: boolean;
}

/** `text` in at most `max` characters (code points), ending in "…" when it was cut. */
export function shorten(text: string | undefined, max: number, options: ShortenOptions = {}): string {
  const { words = false, collapse = true } = options;
  const source = collapse ? (text ?? '').replace(/\s+/g, ' ').trim() : (text ?? '');
  if (source.length <= max) return source;
  const chars = Array.from(source);
  if (chars.length <= max) return source;
  const cut = chars.slice(0, Math.max(0, max - 1)).join('');
  const space = words ? cut.lastIndexOf(' ') : -1;
  const head = space >= max * 0.6 ? cut.slice(0, space) : cut;
  return `${(words ? head.replace(/[\s,;:.\-–—]+$/, '') : head).trimEnd()}…`;
}

/** What a video without a prompt is called, in the display language. */
export function untitled(): string {
  return l10n.t('Untitled video');
}

/** One line of at most `max` characters from a prompt, cut at a word boundary when one is near. */
export function shortTitle(prompt: string | undefined, max = 60): string {
  return shorten(prompt, max, { words: true }) || untitled();
}
