// Command handlers: thin glue between VS Code input (palette, Explorer, tree, webview) and the
// engine, in groups: generation, keys, actions on tasks, the gallery and compare panels, and the
// Tasks view.
import * as vscode from 'vscode';

import { Task } from '../../core/model/task';
import { registerGenerateCommands } from '../generate/generateCommands';
import { registerKeyCommands } from '../keys/keyCommands';
import { registerMediaCommands } from '../media/mediaCommands';
import { registerMoneyCommands } from '../money/moneyCommands';
import { GalleryHosts, registerGalleryCommands } from '../panels/panelCommands';
import { PlayerHost } from '../panels/player/playerPanel';
import { registerPromptBlockCommands } from '../promptFiles/promptFileCommands';
import { registerStoryboardCommands, StoryboardRuns } from '../storyboard/storyboardCommands';
import { registerTasksViewCommands } from '../tasks/filterCommands';
import { registerQueueCommands } from '../tasks/queueCommands';
import { registerTaskActionCommands } from '../tasks/taskCommands';
import { commandContext, CommandDeps } from './context';

export type { CommandDeps } from './context';

export interface Commands extends vscode.Disposable, GalleryHosts {
  playerHost: PlayerHost;
  /** Storyboard renders under way (their lenses draw from it). */
  storyboards: StoryboardRuns;
  generateFromArgs(request: unknown): Promise<Task>;
}

export function registerCommands(deps: CommandDeps): Commands {
  const subs: vscode.Disposable[] = [];
  const tasksChanged = new vscode.EventEmitter<void>();
  subs.push(
    tasksChanged,
    deps.engine.onDidChangeTasks(() => tasksChanged.fire()),
  );
  const c = commandContext(deps, subs);
  const keys = registerKeyCommands(c);
  const generate = registerGenerateCommands(c, keys);
  const playerHost = registerTaskActionCommands(c, generate, tasksChanged.event);
  registerQueueCommands(c);
  const hosts = registerGalleryCommands(c);
  registerTasksViewCommands(c);
  registerPromptBlockCommands(c, keys, generate);
  registerMediaCommands(c, generate);
  const storyboards = new StoryboardRuns();
  subs.push(storyboards);
  registerStoryboardCommands(c, storyboards, playerHost);
  registerMoneyCommands(c);
  return {
    playerHost,
    storyboards,
    ...hosts,
    generateFromArgs: generate.generateFromArgs,
    dispose: () => subs.forEach((d) => d.dispose()),
  };
}
