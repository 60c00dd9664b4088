// Running the extension's own commands and setting its context keys, typed: a command id must be in
// COMMAND_IDS and its arguments must match CommandArgs; a context key must be in CONTEXT_KEYS.
import * as vscode from 'vscode';

import type { CommandArgs } from './commandArgs';
import type { CommandId } from './commandIds';
import type { ContextKey } from './contextKeys';
import { INTERACTIVE } from './invocation';

/** A script-style call: the command asks nothing (commands/invocation.ts). */
export function executeCommand<K extends CommandId>(id: K, ...args: CommandArgs[K]): Thenable<unknown> {
  return vscode.commands.executeCommand(id, ...args);
}

/**
 * A person's click on something the extension shows (a notification's or a webview's button): the
 * command may ask. Its arguments, then the interactive marker.
 */
export function executeClick<K extends CommandId>(id: K, ...args: Partial<CommandArgs[K]>): Thenable<unknown> {
  return vscode.commands.executeCommand(id, ...args, INTERACTIVE);
}

/** Sets one of the extension's context keys (read by `when` clauses and the walkthrough). */
export function setContext(key: ContextKey, value: unknown): Thenable<unknown> {
  return vscode.commands.executeCommand('setContext', key, value);
}
