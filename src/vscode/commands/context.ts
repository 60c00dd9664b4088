// What every command module shares: the extension's parts, registration by COMMAND_IDS (each handler
// gets its call parsed by the one invocation rule, commands/invocation.ts), and turning an error into
// a notification with the way out.
import * as vscode from 'vscode';

import { TaskEngine } from '../../core/engine/engine';
import { errorMessage, isProviderError, remedyFor } from '../../core/model/errors';
import { Logger } from '../../core/model/events';
import type { ModelCatalog } from '../../core/provider/catalog';
import type { ModelListCache } from '../../core/provider/modelList';
import { KeyStore } from '../keys/secretKeys';
import type { MoneyUi } from '../money/moneyUi';
import { showError } from '../notify';
import { TasksTreeProvider, TreeNode } from '../tasks/tasksTree';
import type { CommandArgs } from './commandArgs';
import { CommandId } from './commandIds';
import { executeClick } from './execute';
import { Invocation, parseInvocation } from './invocation';

export interface CommandDeps {
  context: vscode.ExtensionContext;
  engine: TaskEngine;
  keys: KeyStore;
  log: Logger;
  channel: vscode.LogOutputChannel;
  view: vscode.TreeView<TreeNode>;
  tree: TasksTreeProvider;
  mediaRoot: vscode.Uri;
  /** Models as data (capabilities, prices, lifecycle), per provider and base URL. */
  catalog: ModelCatalog;
  /** The models servers list (GET {base}/models), per provider, base URL and key. */
  modelLists: ModelListCache;
  /** Quotes, budgets and the spend ledger. */
  money: MoneyUi;
}

/** A script's arguments as they arrive: their number from CommandArgs, their values unchecked. */
export type Untrusted<T extends unknown[]> = { [I in keyof T]: unknown };

/** A command handler: the parsed call, then the arguments (without the interactive marker). */
export type CommandHandler<K extends CommandId> = (call: Invocation, ...args: Untrusted<CommandArgs[K]>) => unknown;

export interface CommandContext extends CommandDeps {
  register<K extends CommandId>(id: K, fn: CommandHandler<K>): void;
  /** An error notification offering its remedy (set a key, open settings) and the log. */
  explain(e: unknown, provider?: string): Promise<void>;
}

export function commandContext(deps: CommandDeps, subs: vscode.Disposable[]): CommandContext {
  return {
    ...deps,
    register: (id, fn) =>
      subs.push(
        vscode.commands.registerCommand(id, (...raw: unknown[]) => {
          const call = parseInvocation(raw);
          return (fn as (call: Invocation, ...args: unknown[]) => unknown)(call, ...call.args);
        }),
      ),
    async explain(e, provider) {
      const remedy = remedyFor(isProviderError(e) ? e.kind : undefined);
      const setKey = vscode.l10n.t('Set API Key');
      const openSettings = vscode.l10n.t('Open Settings');
      const showLog = vscode.l10n.t('Show Log');
      const actions: string[] = [];
      if (remedy === 'setKey') actions.push(setKey);
      if (remedy === 'checkSettings') actions.push(openSettings);
      actions.push(showLog);
      const choice = await showError(errorMessage(e), ...actions);
      if (choice === setKey) await executeClick('aiVideo.setApiKey', provider);
      else if (choice === openSettings) await vscode.commands.executeCommand('workbench.action.openSettings', 'aiVideo');
      else if (choice === showLog) deps.channel.show(true);
    },
  };
}
