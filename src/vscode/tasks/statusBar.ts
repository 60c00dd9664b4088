// "$(device-camera-video) 2 generating" in the status bar while tasks run; a click focuses the
// Tasks view. Hidden when nothing runs.
import * as vscode from 'vscode';

import type { TaskEngine } from '../../core/engine/engine';
import { isActive } from '../../core/model/task';

export interface StatusBar extends vscode.Disposable {
  /** What the item shows, or undefined while it is hidden. */
  readonly shownText: string | undefined;
}

export function registerStatusBar(engine: TaskEngine): StatusBar {
  const item = vscode.window.createStatusBarItem('aiVideo.generating', vscode.StatusBarAlignment.Left, 50);
  item.name = vscode.l10n.t('AI Video: tasks in progress');
  item.command = { command: 'aiVideo.tasks.focus', title: vscode.l10n.t('Show the AI Video tasks') };
  let shown = false;
  const update = () => {
    const active = engine.getTasks().filter(isActive).length;
    shown = active > 0;
    if (!active) {
      item.hide();
      return;
    }
    item.text = `$(device-camera-video) ${vscode.l10n.t('{0} generating', active)}`;
    item.tooltip =
      active === 1
        ? vscode.l10n.t('1 video task in progress. Click to show it.')
        : vscode.l10n.t('{0} video tasks in progress. Click to show them.', active);
    item.accessibilityInformation = {
      label: active === 1 ? vscode.l10n.t('1 video task generating') : vscode.l10n.t('{0} video tasks generating', active),
    };
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
