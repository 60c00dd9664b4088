// Commands of the Tasks view itself: the prompt filter (`aiVideo.filterTasks`, `aiVideo.clearTaskFilter`).
import * as vscode from 'vscode';
import { showTaskFilter } from './treeControls';
import { CommandContext } from '../commands/context';

export function registerTasksViewCommands(c: CommandContext): void {
  const setFilter = (text: string) => {
    c.tree.setFilter(text);
    showTaskFilter(c.engine, c.tree, c.view);
  };
  // With a text argument it sets the filter without asking.
  c.register('aiVideo.filterTasks', async (text?: unknown) => {
    if (typeof text === 'string') return setFilter(text);
    const entered = await vscode.window.showInputBox({
      title: vscode.l10n.t('Filter tasks by prompt'),
      value: c.tree.filter,
      prompt: vscode.l10n.t('Words the prompt must contain (any case). Leave empty to show every task.'),
      placeHolder: vscode.l10n.t('boat sunset'),
    });
    if (entered !== undefined) setFilter(entered);
  });
  c.register('aiVideo.clearTaskFilter', () => setFilter(''));
}
