// What differs between the takes shown side by side: each parameter row is marked when its values
// are not all equal, and each prompt word when some other prompt lacks it. Pure, for the compare
// webview and its unit tests.

import { foldText } from '../gallery/model';

/** The parameters of one take, as `label -> value` (display strings). */
export type Params = Record<string, string>;

export interface ParamRow {
  label: string;
  /** `—` when this take has no value for it. */
  value: string;
  differs: boolean;
}

export interface PromptToken {
  text: string;
  /** A word some other prompt lacks (whitespace and punctuation never differ). */
  differs: boolean;
}

export const MISSING = '—';

/** Rows in this order first; the rest follow alphabetically. */
const LEADING = ['Provider', 'Model', 'Seed', 'Negative prompt', 'Aspect ratio', 'Duration', 'Resolution'];

function order(labels: Iterable<string>): string[] {
  const all = [...new Set(labels)];
  const lead = LEADING.filter((l) => all.includes(l));
  const rest = all.filter((l) => !LEADING.includes(l)).sort((a, b) => a.localeCompare(b));
  return [...lead, ...rest];
}

/** One list of rows per take, all with the same labels in the same order. */
export function diffParams(takes: readonly Params[]): ParamRow[][] {
  const labels = order(takes.flatMap((p) => Object.keys(p)));
  const differs = new Map(labels.map((l) => [l, new Set(takes.map((p) => p[l] ?? MISSING)).size > 1]));
  return takes.map((p) => labels.map((label) => ({ label, value: p[label] ?? MISSING, differs: differs.get(label)! })));
}

/** Words and the runs between them, so joining the texts gives back the prompt. */
export function tokenize(prompt: string): string[] {
  return prompt.match(/[\p{L}\p{N}'’_-]+|[^\p{L}\p{N}'’_-]+/gu) ?? [];
}

function isWord(token: string): boolean {
  return /[\p{L}\p{N}]/u.test(token);
}

/** Each prompt split into tokens, a word marked when it is missing from at least one other prompt. */
export function diffPrompts(prompts: readonly string[]): PromptToken[][] {
  const vocab = prompts.map((p) => new Set(tokenize(p).filter(isWord).map(foldText)));
  return prompts.map((p, i) =>
    tokenize(p).map((text) => ({
      text,
      differs: isWord(text) && vocab.some((words, j) => j !== i && !words.has(foldText(text))),
    })),
  );
}
