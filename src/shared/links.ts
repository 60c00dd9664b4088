// Text shown in a notification must never become a link. VS Code reads `[label](target)` in a
// notification's message (vs/base/common/linkedText.ts) and runs a `command:` target, with its
// arguments, on a click: a value from a ```video block, a file name or an error that carries such
// text would let one click in a cloned repository type into a terminal or start a paid generate.
// noLinks() breaks that syntax without changing how the text reads; literal() is how a value is
// written into a message. Every notification passes through src/vscode/notify.ts, which applies noLinks.
import { shorten } from './text';

/** U+2060 WORD JOINER: invisible, never a line break, and part of no link syntax. */
const JOINER = '\u2060';
/** Where a link's target begins: `](` (the grammar wants the two adjacent). */
const TARGET_START = /\]\(/g;
/** A `command:` URI, bare or inside a link (any case). */
const COMMAND_SCHEME = /(command):/gi;

/**
 * `text` with no notification link left in it: a word joiner goes between `]` and `(`, and between
 * `command` and `:`, so the text reads the same but no `[label](target)` and no `command:` URI remains.
 * One linear pass per pattern, and nothing it inserts can form a new match.
 */
export function noLinks(text: string): string {
  return text.replace(TARGET_START, `]${JOINER}(`).replace(COMMAND_SCHEME, `$1${JOINER}:`);
}

/** Longest value written into a message; longer ones are cut with an ellipsis. */
export const MAX_LITERAL = 200;

/**
 * A value written into a message, whose template puts it between quotes (each language its own
 * quote marks: `Unknown provider "{0}"`): on one line, shortened, with no link in it.
 */
export function literal(value: string, max = MAX_LITERAL): string {
  return noLinks(shorten(value, max));
}
