// Commands of the Tasks view itself: the prompt filter (`aiVideo.filterTasks`, `aiVideo.clearTaskFilter`).
import * as vscode from 'vscode';

import { CommandContext } from '../commands/context';
import { showTaskFilter } from './treeControls';

export function registerTasksViewCommands(c: CommandContext): void {
  const setFilter = (text: string) => {
    c.tree.setFilter(text);
    showTaskFilter(c.engine, c.tree, c.view);
  };
  // A script passes the text and is never asked.
  c.register('aiVideo.filterTasks', async (call, text) => {
    if (typeof text === 'string') return setFilter(text);
    if (!call.interactive) throw new Error(vscode.l10n.t('Pass the words to filter by as a string.'));
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
