// How long a task's label in the Tasks view may be, and how a prompt is cut to it. No `vscode`
// import: the UI suite (test/ui) finds a task's row by this label in plain Node.
import { shorten } from '../../shared/text';

/** The most characters a task row's label shows (the ellipsis included). */
export const TREE_LABEL_MAX = 28;

/** The prompt on one line, cut to `max` characters with an ellipsis; '' for a blank prompt. */
export function clipPrompt(prompt: string, max = TREE_LABEL_MAX): string {
  return shorten(prompt, max);
}
