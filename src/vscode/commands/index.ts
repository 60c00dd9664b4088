// Command handlers: thin glue between VS Code input (palette, Explorer, tree, webview) and the
// engine, in three groups: generation, keys, and actions on tasks.
import * as vscode from 'vscode';
import { Task } from '../../core/types';
import { PlayerHost } from '../playerPanel';
import { CommandDeps, commandContext } from './context';
import { registerGenerateCommands } from './generate';
import { registerKeyCommands } from './keys';
import { registerQueueCommands } from './queue';
import { registerTaskActionCommands } from './taskActions';

export type { CommandDeps } from './context';

export interface Commands extends vscode.Disposable {
  playerHost: PlayerHost;
  generateFromArgs(request: unknown): Promise<Task>;
}

export function registerCommands(deps: CommandDeps): Commands {
  const subs: vscode.Disposable[] = [];
  const tasksChanged = new vscode.EventEmitter<void>();
  subs.push(tasksChanged, deps.engine.onDidChangeTasks(() => tasksChanged.fire()));
  const c = commandContext(deps, subs);
  const keys = registerKeyCommands(c);
  const generate = registerGenerateCommands(c, keys);
  const playerHost = registerTaskActionCommands(c, generate, tasksChanged.event);
  registerQueueCommands(c);
  return {
    playerHost,
    generateFromArgs: generate.generateFromArgs,
    dispose: () => subs.forEach((d) => d.dispose()),
  };
}
