// Context keys that tick off the "Get started" walkthrough's steps by themselves (the others
// complete on the command they run; see contributes.walkthroughs).
import * as vscode from 'vscode';
import { TaskEngine } from '../core/engine';
import { PROVIDER_IDS } from '../core/types';
import { KeyStore } from './keys';

export const WALKTHROUGH_CONTEXT = {
  keySet: 'aiVideo.walkthrough.keySet',
  generated: 'aiVideo.walkthrough.generated',
  promptFileUsed: 'aiVideo.walkthrough.promptFileUsed',
} as const;

export function trackWalkthrough(engine: TaskEngine, keys: KeyStore): vscode.Disposable {
  const set = (key: string, value: boolean) => void vscode.commands.executeCommand('setContext', key, value);
  const checkKeys = async () => set(WALKTHROUGH_CONTEXT.keySet, (await Promise.all(PROVIDER_IDS.map((p) => keys.has(p)))).some(Boolean));
  const checkTasks = () => {
    const tasks = engine.getTasks();
    set(WALKTHROUGH_CONTEXT.generated, tasks.length > 0);
    set(WALKTHROUGH_CONTEXT.promptFileUsed, tasks.some((t) => t.source));
  };
  void checkKeys();
  checkTasks();
  return vscode.Disposable.from(keys.onDidChange(() => void checkKeys()), engine.onDidChangeTasks(checkTasks));
}
