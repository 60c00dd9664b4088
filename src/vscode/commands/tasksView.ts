// Commands of the Tasks view itself: the prompt filter (`aiVideo.filterTasks`, `aiVideo.clearTaskFilter`).
import * as vscode from 'vscode';
import { showTaskFilter } from '../treeControls';
import { CommandContext } from './context';

export function registerTasksViewCommands(c: CommandContext): void {
  const setFilter = (text: string) => {
    c.tree.setFilter(text);
    showTaskFilter(c.engine, c.tree, c.view);
  };
  // With a text argument it sets the filter without asking.
  c.register('aiVideo.filterTasks', async (text?: unknown) => {
    if (typeof text === 'string') return setFilter(text);
    const entered = await vscode.window.showInputBox({
      title: 'Filter tasks by prompt',
      value: c.tree.filter,
      prompt: 'Words the prompt must contain (any case). Leave empty to show every task.',
      placeHolder: 'boat sunset',
    });
    if (entered !== undefined) setFilter(entered);
  });
  c.register('aiVideo.clearTaskFilter', () => setFilter(''));
}
