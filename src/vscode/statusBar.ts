// "$(device-camera-video) 2 generating" in the status bar while tasks run; a click focuses the
// Tasks view. Hidden when nothing runs.
import * as vscode from 'vscode';
import type { TaskEngine } from '../core/engine';
import { isActive } from '../core/types';

export interface StatusBar extends vscode.Disposable {
  /** What the item shows, or undefined while it is hidden. */
  readonly shownText: string | undefined;
}

export function registerStatusBar(engine: TaskEngine): StatusBar {
  const item = vscode.window.createStatusBarItem('aiVideo.generating', vscode.StatusBarAlignment.Left, 50);
  item.name = 'AI Video: tasks in progress';
  item.command = { command: 'aiVideo.tasks.focus', title: 'Show the AI Video tasks' };
  let shown = false;
  const update = () => {
    const active = engine.getTasks().filter(isActive).length;
    shown = active > 0;
    if (!active) {
      item.hide();
      return;
    }
    item.text = `$(device-camera-video) ${active} generating`;
    item.tooltip = `${active} video task${active === 1 ? '' : 's'} in progress. Click to show them.`;
    item.accessibilityInformation = { label: `${active} video task${active === 1 ? '' : 's'} generating` };
    item.show();
  };
  update();
  const disposable = vscode.Disposable.from(item, engine.onDidChangeTasks(update));
  return {
    get shownText() {
      return shown ? item.text : undefined;
    },
    dispose: () => disposable.dispose(),
  };
}
