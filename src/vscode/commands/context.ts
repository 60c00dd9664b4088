// What every command module shares: the extension's parts, registration by COMMAND_IDS, and turning
// an error into a notification with the way out.
import * as vscode from 'vscode';
import { TaskEngine } from '../../core/engine/engine';
import { errorMessage, isProviderError, remedyFor } from '../../core/model/errors';
import { Logger } from '../../core/model/events';
import { CommandId } from './commandIds';
import { KeyStore } from '../keys/secretKeys';
import { TasksTreeProvider, TreeNode } from '../tasks/tasksTree';

export interface CommandDeps {
  context: vscode.ExtensionContext;
  engine: TaskEngine;
  keys: KeyStore;
  log: Logger;
  channel: vscode.LogOutputChannel;
  view: vscode.TreeView<TreeNode>;
  tree: TasksTreeProvider;
  mediaRoot: vscode.Uri;
}

export interface CommandContext extends CommandDeps {
  register(id: CommandId, fn: (...args: never[]) => unknown): void;
  /** An error notification offering its remedy (set a key, open settings) and the log. */
  explain(e: unknown, provider?: string): Promise<void>;
}

export function commandContext(deps: CommandDeps, subs: vscode.Disposable[]): CommandContext {
  return {
    ...deps,
    register: (id, fn) => subs.push(vscode.commands.registerCommand(id, fn as (...args: unknown[]) => unknown)),
    async explain(e, provider) {
      const remedy = remedyFor(isProviderError(e) ? e.kind : undefined);
      const setKey = vscode.l10n.t('Set API Key');
      const openSettings = vscode.l10n.t('Open Settings');
      const showLog = vscode.l10n.t('Show Log');
      const actions: string[] = [];
      if (remedy === 'setKey') actions.push(setKey);
      if (remedy === 'checkSettings') actions.push(openSettings);
      actions.push(showLog);
      const choice = await vscode.window.showErrorMessage(errorMessage(e), ...actions);
      if (choice === setKey) await vscode.commands.executeCommand('aiVideo.setApiKey', provider);
      else if (choice === openSettings) await vscode.commands.executeCommand('workbench.action.openSettings', 'aiVideo');
      else if (choice === showLog) deps.channel.show(true);
    },
  };
}

/** A task id from whatever a command was invoked with: an id, a tree node, or a list of them. */
export function taskIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg && typeof arg === 'object' && typeof (arg as { taskId?: unknown }).taskId === 'string') return (arg as { taskId: string }).taskId;
  if (arg && typeof arg === 'object' && typeof (arg as { id?: unknown }).id === 'string') return (arg as { id: string }).id;
  return undefined;
}
