// Provider text is hostile: a gateway can put a `[Fix it](command:…)` link into an error (VS Code
// notifications turn it into a working link), echo the bearer token, or send control characters and
// megabytes of text. Everything a provider says passes through these functions before it is stored,
// shown or logged.
import { redact } from '../model/errors';
import type { Logger } from '../model/events';
import { shorten } from '../../shared/text';

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
const MARKDOWN_LINK = /!?\[([^\]]*)\]\([^)]*\)/g;
const HTML_TAG = /<\/?[a-z][^>]*>/gi;
/** Stops at `)` so an enclosing markdown link still closes and is peeled on the next pass. */
const COMMAND_URI = /\bcommand:[^\s)]*/gi;

/** Anything one of the steps below would change; text without it (most text) is returned as it is. */
const NEEDS_WORK = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff<\]]|command:|bearer\s|\bsk-|\s\s|^\s|\s$/i;

function cap(text: string, max: number): string {
  return shorten(text, max, { collapse: false });
}

/**
 * Provider text made safe to store and show: no control characters (line breaks become spaces), no
 * key (`secrets`, plus anything shaped like a bearer token or `sk-` key), no markdown or HTML link
 * (the label is kept) and no `command:` URI, at most `max` characters.
 */
export function sanitizeText(text: string, secrets: readonly (string | undefined)[] = [], max = MAX_PROVIDER_TEXT): string {
  if (text.length <= max && !NEEDS_WORK.test(text) && !secrets.some((s) => s && s.length >= 4 && text.includes(s))) return text;
  let out = text.replace(ANSI_SEQUENCE, '').replace(BREAKS, ' ').replace(INVISIBLE, '');
  out = redact(out, ...secrets);
  // Links nest (`[[a](command:x)](command:y)`): peel until nothing changes.
  for (let previous = ''; previous !== out; ) {
    previous = out;
    out = out.replace(MARKDOWN_LINK, '$1').replace(HTML_TAG, '').replace(COMMAND_URI, '');
  }
  return cap(out.replace(/\s{2,}/g, ' ').trim(), max);
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
