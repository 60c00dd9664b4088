// Provider text is hostile: a gateway can put a `[Fix it](command:…)` link into an error (VS Code
// notifications turn it into a working link), echo the bearer token, or send control characters and
// megabytes of text. Everything a provider says passes through these functions before it is stored,
// shown or logged.
import { shorten } from '../../shared/text';
import { redact } from '../model/errors';
import type { Logger } from '../model/events';

/** Longest provider message kept, in characters (an ellipsis marks the cut). */
export const MAX_PROVIDER_TEXT = 500;
/** Longest status word or model name kept. */
export const MAX_PROVIDER_WORD = 100;
/** Longest result URL accepted (signed CDN links run to a few KB). */
export const MAX_RESULT_URL = 8192;

const ANSI_SEQUENCE = /(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]/g;
/** Line breaks and tabs become spaces. */
const BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]/g;
/** Other C0/C1 controls, DEL, zero-width and bidirectional formatting characters are dropped. */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
/** Stops at `)` so an enclosing markdown link still closes. */
const COMMAND_URI = /\bcommand:[^\s)]*/gi;

/** Anything one of the steps below would change; text without it (most text) is returned as it is. */
const NEEDS_WORK =
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff<\]]|command:|bearer\s|\bsk-|\s\s|^\s|\s$/i;

/**
 * Text is cut to this many times the output cap before anything else runs, so no step ever sees
 * more than a few KB whatever a provider sends (a megabyte of `[` used to stall the host for minutes).
 */
export const SANITIZE_INPUT_FACTOR = 4;

/** Longest provider text read from an answer at all (error messages, failure reasons), in UTF-16 units. */
export const MAX_READ_TEXT = SANITIZE_INPUT_FACTOR * MAX_PROVIDER_TEXT;

/** The first `max` UTF-16 units of `text`, without a lone half of a character at the end. */
export function clip(text: string, max = MAX_READ_TEXT): string {
  if (text.length <= max) return text;
  const end = max > 0 && isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
  return text.slice(0, end);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function cap(text: string, max: number): string {
  return shorten(text, max, { collapse: false });
}

/**
 * Provider text made safe to store and show: no control characters (line breaks become spaces), no
 * key (`secrets`, plus anything shaped like a bearer token or `sk-` key), no markdown or HTML link
 * (the label is kept) and no `command:` URI, at most `max` characters. Linear in `max`, not in the
 * text: the text is cut first.
 */
export function sanitizeText(text: string, secrets: readonly (string | undefined)[] = [], max = MAX_PROVIDER_TEXT): string {
  const limit = Math.max(SANITIZE_INPUT_FACTOR * max, 16);
  const cut = text.length > limit;
  if (!cut && text.length <= max && !NEEDS_WORK.test(text) && !secrets.some((s) => s && s.length >= 4 && text.includes(s))) return text;
  let out = cut ? clip(text, limit) : text;
  out = out.replace(ANSI_SEQUENCE, '').replace(BREAKS, ' ').replace(INVISIBLE, '');
  out = redact(out, ...secrets);
  // A key the cut went through is not whole, so redact missed it: its start goes too.
  if (cut) out = withoutSecretStart(out, secrets);
  out = stripLinks(out)
    .replace(/\s{2,}/g, ' ')
    .trim();
  // What was cut off is marked as cut even when what is left is short.
  return cap(cut ? `${out}…` : out, max);
}

/** `text` without a tail that is the start of one of `secrets`. */
function withoutSecretStart(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    if (!s || s.length < 4) continue;
    for (let k = Math.min(s.length - 1, out.length); k > 0; k--) {
      if (out.endsWith(s.slice(0, k))) {
        out = out.slice(0, out.length - k);
        break;
      }
    }
  }
  return out;
}

/**
 * Markdown links (`[label](target)`, `![label](target)`, nested; the label is kept), HTML tags and
 * `command:` URIs removed. One linear pass does it (`linkPass`); text built so that the pass forms a
 * new link by what it removes (`<[](x)b>`) loses its link characters altogether, so nothing survives,
 * and a `](` that ends no link loses its `]`.
 */
export function stripLinks(text: string): string {
  let once = linkPass(text);
  if (linkPass(once) !== once) once = once.replace(/[[\]<>]/g, '').replace(COMMAND_URI, '');
  // A `](` left without a link (no `)` after it) would close one with a `)` of the message this text is put in.
  return once.replace(DANGLING_LINK, '(');
}

const DANGLING_LINK = /\]+\(/g;

const WORD_CHAR = /[A-Za-z0-9_]/;
const SPACE = /\s/;

function isTagStart(text: string, i: number): boolean {
  const a = text.charCodeAt(i + 1) | 0x20;
  if (a >= 0x61 && a <= 0x7a) return true;
  const b = text.charCodeAt(i + 2) | 0x20;
  return text[i + 1] === '/' && b >= 0x61 && b <= 0x7a;
}

function isCommandAt(text: string, i: number): boolean {
  return (
    (text[i] === 'c' || text[i] === 'C') && text.slice(i, i + 8).toLowerCase() === 'command:' && !(i > 0 && WORD_CHAR.test(text[i - 1]))
  );
}

/**
 * One left-to-right pass, each character looked at a bounded number of times. Emitted characters
 * go to `out`; an open `[` is remembered on a stack; a `]` is a link's end only when the next
 * character kept is `(` and a `)` follows, so tags and command URIs removed in between are
 * transparent. The next `>` and `)` are found with pointers that only move forward.
 */
function linkPass(text: string): string {
  const n = text.length;
  const out: string[] = [];
  /** Open brackets: where the `[` (and a `!` just before it) stand in `out`. */
  const opens: { at: number; bang: number }[] = [];
  /** Where in `out` a `]` stands that a following `(` would make a link's end; -1 when none. */
  let closing = -1;
  let nextGt = -1;
  let nextParen = -1;
  const emit = (c: string) => {
    if (closing >= 0) {
      // A `]` not followed by `(`: no link can end at it, nor at any `]` after an earlier `[` still open.
      closing = -1;
      opens.length = 0;
    }
    out.push(c);
  };
  for (let i = 0; i < n; i++) {
    const c = text[i];
    if (c === '<' && isTagStart(text, i)) {
      if (nextGt < i && nextGt !== n) nextGt = text.indexOf('>', i);
      if (nextGt < 0) nextGt = n;
      if (nextGt < n) {
        i = nextGt;
        continue;
      }
    } else if (isCommandAt(text, i)) {
      let j = i + 8;
      while (j < n && text[j] !== ')' && !SPACE.test(text[j])) j++;
      i = j - 1;
      continue;
    } else if (c === '(' && closing >= 0) {
      if (nextParen < i && nextParen !== n) nextParen = text.indexOf(')', i);
      if (nextParen < 0) nextParen = n;
      if (nextParen < n) {
        const open = opens.pop()!;
        out[open.at] = '';
        if (open.bang >= 0) out[open.bang] = '';
        out[closing] = '';
        closing = -1;
        i = nextParen;
        continue;
      }
    } else if (c === '[') {
      emit(c);
      const bang = out.length >= 2 && out[out.length - 2] === '!' ? out.length - 2 : -1;
      opens.push({ at: out.length - 1, bang });
      continue;
    } else if (c === ']' && opens.length && closing < 0) {
      out.push(c);
      closing = out.length - 1;
      continue;
    }
    emit(c);
  }
  return out.join('');
}

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._:@+=-]{0,127}$/;

/** A provider's id when it is plain (letters, digits, `._:@+=-`, at most 128 characters), else undefined. */
export function safeId(id: unknown): string | undefined {
  return typeof id === 'string' && SAFE_ID.test(id) ? id : undefined;
}

/** An http(s) URL of sensible length, else undefined. */
export function safeUrl(url: unknown): string | undefined {
  if (typeof url !== 'string' || url.length > MAX_RESULT_URL) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}

/** Text shown literally in markdown (a tooltip): every ASCII punctuation mark escaped, so nothing becomes a link, icon or HTML. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[!-/:-@[-`{-~]/g, '\\$&');
}

/** A logger that removes the real keys (asked for at every line: keys change) and token shapes. */
export function redactingLogger(sink: Logger, knownSecrets: () => readonly string[]): Logger {
  const clean = (m: string) => redact(m, ...knownSecrets());
  return {
    trace: (m) => sink.trace(clean(m)),
    info: (m) => sink.info(clean(m)),
    warn: (m) => sink.warn(clean(m)),
    error: (m) => sink.error(clean(m)),
  };
}
