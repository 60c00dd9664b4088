// The one rule that tells a person's call of a command from a script's, and which tasks the call is
// about. Every command handler gets its arguments through parseInvocation (commands/context.ts).
// No `vscode` import: plain-Node unit tests check the rule (test/unit/vscode/commands/invocation.test.ts).
//
// Interactive calls may ask (quick pick, input box, modal dialog) before the command's work begins; a
// question after that is a notification the command does not wait for. A call is interactive when:
//   - it has no argument (Command Palette, keybinding, a view's title bar, a `command:` link);
//   - its first argument is a Tasks view item ({kind: 'task' | 'video' | 'group' | 'day', …}),
//     possibly followed by the selection (an array of items);
//   - its first argument is a Uri followed by nothing but the Explorer's selection (Uri[]) or the
//     editor's context ({groupId, …}): the Explorer, editor title and editor context menus;
//   - its last argument is the marker `{ interactive: true }` (an object with that one key). The
//     extension's own clickable things pass it: CodeLenses, tree item clicks, webview buttons and
//     notification buttons. It is stripped before the command sees its arguments.
// Every other call is a script call and never asks: a request or options object (`{}` included)
// anywhere in the arguments, a bare task id string or an array of ids, a Uri followed by a line
// number or options. A script call rejects with the problem instead of showing it.
//
// A CodeLens runs its command with the arguments it was given (`vscode.executeCodeLensProvider` hands
// the same ones to anyone): without the marker a lens click and a script call would look alike,
// which is why every lens of src/vscode/promptFiles/ ends its arguments with INTERACTIVE.
import type { TreeNode } from '../tasks/tasksTree';

/** The marker that makes a call interactive; the extension's lenses, tree item clicks and buttons end their arguments with it. */
export const INTERACTIVE = Object.freeze({ interactive: true as const });
export type Interactive = typeof INTERACTIVE;

/** A Uri as far as this file needs it: a vscode.Uri, or its JSON form. */
export interface UriLike {
  scheme: string;
  path: string;
}

export interface Invocation {
  /** A person is there: the command may ask before its work begins. */
  interactive: boolean;
  /**
   * The tasks the call is about, each once: the selected Tasks view items (else the clicked one),
   * or the id or ids a script passed as the first argument. Commands whose first argument is no task
   * (setApiKey's provider, filterTasks's text, generateFromBlock's document) read `args` instead.
   */
  taskIds: string[];
  /** The Tasks view item the command was run on (a group or a day has no task id of its own). */
  node?: TreeNode;
  /** The resources of an Explorer or editor call: the selection, else the first argument. */
  uris?: UriLike[];
  /** A script's request or options object: the first plain object among the arguments. */
  options?: Record<string, unknown>;
  /** The arguments, without the interactive marker. */
  args: unknown[];
}

const NODE_KINDS: Record<TreeNode['kind'], true> = { day: true, group: true, task: true, video: true };

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export function isInteractiveMarker(x: unknown): x is Interactive {
  return isObject(x) && x.interactive === true && Object.keys(x).length === 1;
}

export function isTreeNode(x: unknown): x is TreeNode {
  return isObject(x) && typeof x.kind === 'string' && Object.hasOwn(NODE_KINDS, x.kind) && !('scheme' in x);
}

/** A vscode.Uri (or its JSON form) by its shape: a scheme and a path. */
export function isUriLike(x: unknown): x is UriLike {
  return isObject(x) && typeof x.scheme === 'string' && typeof x.path === 'string';
}

/** The editor's context that editor title and context menus pass after the Uri. */
function isEditorContext(x: unknown): boolean {
  return isObject(x) && typeof x.groupId === 'number';
}

function isPlainOptions(x: unknown): x is Record<string, unknown> {
  return isObject(x) && !isTreeNode(x) && !isUriLike(x) && !isEditorContext(x);
}

function nodeTaskId(x: unknown): string | undefined {
  return isTreeNode(x) && 'taskId' in x && typeof x.taskId === 'string' ? x.taskId : undefined;
}

const unique = (ids: (string | undefined)[]): string[] => [...new Set(ids.filter((id): id is string => !!id))];

/** How a command was called: interactively or by a script, and about which tasks. */
export function parseInvocation(raw: readonly unknown[]): Invocation {
  const marked = raw.length > 0 && isInteractiveMarker(raw[raw.length - 1]);
  const args = marked ? raw.slice(0, -1) : [...raw];
  // Trailing undefineds are no arguments (a caller passing `undefined` for an optional one).
  let end = args.length;
  while (end > 0 && args[end - 1] === undefined) end--;
  const given = args.slice(0, end);
  const [first, second] = given;
  const options = given.find(isPlainOptions);
  const result: Invocation = { interactive: marked, taskIds: [], args, ...(options ? { options } : {}) };

  if (isTreeNode(first)) {
    const selection = Array.isArray(second) && second.length ? second : [first];
    return { ...result, interactive: true, node: first, taskIds: unique(selection.map(nodeTaskId)) };
  }
  if (isUriLike(first)) {
    const selection = Array.isArray(second) ? second.filter(isUriLike) : [];
    const uris = selection.length ? selection : [first];
    // The UI passes the Uri, then at most the selection or the editor's context.
    const fromMenu = given.slice(1).every((a) => (Array.isArray(a) && a.every(isUriLike)) || isEditorContext(a) || a == null);
    return { ...result, interactive: marked || fromMenu, uris };
  }
  if (typeof first === 'string') return { ...result, taskIds: unique([first]) };
  if (Array.isArray(first) && first.every((x) => typeof x === 'string')) return { ...result, taskIds: unique(first) };
  // No argument at all (or `null`): the Command Palette, a keybinding, a title bar button.
  if (first == null && given.length <= 1) return { ...result, interactive: true };
  return result;
}
