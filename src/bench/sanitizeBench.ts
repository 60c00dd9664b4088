// Hostile provider text at scale: how long the sanitizer takes on 1 MB of text built to make
// regular expressions backtrack or a peel-until-stable loop run once per nesting level (a provider
// error of `[` characters once stalled the extension host for minutes).
import { performance } from 'perf_hooks';

import { sanitizeText } from '../core/net/sanitize';
import { Timing, timing } from './storeBench';

const MB = 1024 * 1024;

/** 1 MB each: the shapes a quadratic link stripper chokes on. */
export const HOSTILE_TEXTS: Readonly<Record<string, () => string>> = {
  brackets: () => '['.repeat(MB),
  linkOpeners: () => '[a]('.repeat(MB / 4),
  angles: () => '<'.repeat(MB),
  openTags: () => '<a'.repeat(MB / 2),
  nestedLinks: () => '['.repeat(MB / 2) + '](x)'.repeat(MB / 8),
  commands: () => '[command:'.repeat(Math.floor(MB / 9)),
  mixed: () => '[<a](command:x [b]('.repeat(Math.floor(MB / 20)),
};

export interface SanitizeFigures {
  bytes: number;
  /** Per shape of text. */
  kinds: Record<string, Timing>;
  /** The slowest shape's median. */
  worstMs: number;
  worstKind: string;
}

export function sanitizeBench(runs = 5): SanitizeFigures {
  const kinds: Record<string, Timing> = {};
  let worstMs = 0;
  let worstKind = '';
  for (const [kind, make] of Object.entries(HOSTILE_TEXTS)) {
    const text = make();
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      sanitizeText(text, ['plain-key-0123456789abcdef']);
      samples.push(performance.now() - start);
    }
    kinds[kind] = timing(samples);
    if (kinds[kind].median >= worstMs) {
      worstMs = kinds[kind].median;
      worstKind = kind;
    }
  }
  return { bytes: MB, kinds, worstMs, worstKind };
}
