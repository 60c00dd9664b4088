// The one way the extension shows a notification, a modal message or a progress notification. Their
// text can hold a block value, a file name or an error, and VS Code turns `[label](command:…)` in a
// notification into a link that runs the command: every message, detail and progress title passes
// through noLinks (shared/links.ts) here. No other file calls vscode.window's message or progress
// functions (test/unit/vscode/notify.test.ts checks the sources), so a new notification cannot forget.
import * as vscode from 'vscode';

import { noLinks } from '../shared/links';

type Level = 'error' | 'warning' | 'info';

function show(level: Level, message: string, rest: (string | vscode.MessageOptions)[]): Thenable<string | undefined> {
  const [first, ...items] = rest;
  const args: (string | vscode.MessageOptions)[] =
    typeof first === 'object' ? [{ ...first, ...(first.detail !== undefined ? { detail: noLinks(first.detail) } : {}) }, ...items] : rest;
  const text = noLinks(message);
  const w = vscode.window;
  // The button labels are the extension's own words and come back as the answer: they stay as they are.
  if (level === 'error') return w.showErrorMessage(text, ...(args as string[]));
  if (level === 'warning') return w.showWarningMessage(text, ...(args as string[]));
  return w.showInformationMessage(text, ...(args as string[]));
}

/** An error notification (or, with `{ modal: true }`, a dialog); resolves to the button chosen. */
export function showError(message: string, ...items: string[]): Thenable<string | undefined>;
export function showError(message: string, options: vscode.MessageOptions, ...items: string[]): Thenable<string | undefined>;
export function showError(message: string, ...rest: (string | vscode.MessageOptions)[]): Thenable<string | undefined> {
  return show('error', message, rest);
}

/** A warning notification (or, with `{ modal: true }`, a dialog); resolves to the button chosen. */
export function showWarning(message: string, ...items: string[]): Thenable<string | undefined>;
export function showWarning(message: string, options: vscode.MessageOptions, ...items: string[]): Thenable<string | undefined>;
export function showWarning(message: string, ...rest: (string | vscode.MessageOptions)[]): Thenable<string | undefined> {
  return show('warning', message, rest);
}

/** An information notification (or, with `{ modal: true }`, a dialog); resolves to the button chosen. */
export function showInfo(message: string, ...items: string[]): Thenable<string | undefined>;
export function showInfo(message: string, options: vscode.MessageOptions, ...items: string[]): Thenable<string | undefined>;
export function showInfo(message: string, ...rest: (string | vscode.MessageOptions)[]): Thenable<string | undefined> {
  return show('info', message, rest);
}

/** vscode.window.withProgress with its title, and every message reported, made link-free. */
export function withProgress<R>(
  options: vscode.ProgressOptions,
  task: (progress: vscode.Progress<{ message?: string; increment?: number }>, token: vscode.CancellationToken) => Thenable<R>,
): Thenable<R> {
  const title = options.title === undefined ? {} : { title: noLinks(options.title) };
  return vscode.window.withProgress({ ...options, ...title }, (progress, token) =>
    task({ report: (v) => progress.report(v.message === undefined ? v : { ...v, message: noLinks(v.message) }) }, token),
  );
}
