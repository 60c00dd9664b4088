// Controls of the Tasks view around its tree provider: the `aiVideo.tasks.groupBy` setting, the
// prompt filter (`aiVideo.filterTasks`, `aiVideo.clearTaskFilter`, shown in TreeView.message and
// the `aiVideo.tasksFiltered` context key), and pausing the running clocks while it is hidden.
import * as vscode from 'vscode';
import type { TaskEngine } from '../core/engine';
import { GroupBy, TasksTreeProvider, TreeNode } from './tasksTree';

function groupBySetting(): GroupBy {
  return vscode.workspace.getConfiguration('aiVideo').get<string>('tasks.groupBy') === 'none' ? 'none' : 'day';
}

export function registerTreeControls(engine: TaskEngine, tree: TasksTreeProvider, view: vscode.TreeView<TreeNode>): vscode.Disposable {
  const showFilter = () => {
    const text = tree.filter;
    void vscode.commands.executeCommand('setContext', 'aiVideo.tasksFiltered', !!text);
    if (!text) {
      view.message = undefined;
      return;
    }
    const shown = tree.matchingTasks().length;
    const total = engine.getTasks().length;
    view.message = `Filtered by "${text}": ${shown} of ${total} tasks. Clear the filter with the filter button in the title bar.`;
  };
  const setFilter = (text: string) => {
    tree.setFilter(text);
    showFilter();
  };
  tree.setGroupBy(groupBySetting());
  tree.setVisible(view.visible);
  return vscode.Disposable.from(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('aiVideo.tasks.groupBy')) tree.setGroupBy(groupBySetting());
    }),
    view.onDidChangeVisibility((e) => tree.setVisible(e.visible)),
    engine.onDidChangeTasks(() => {
      if (tree.filter) showFilter();
    }),
    // With a text argument it sets the filter without asking.
    vscode.commands.registerCommand('aiVideo.filterTasks', async (text?: unknown) => {
      if (typeof text === 'string') return setFilter(text);
      const entered = await vscode.window.showInputBox({
        title: 'Filter tasks by prompt',
        value: tree.filter,
        prompt: 'Words the prompt must contain (any case). Leave empty to show every task.',
        placeHolder: 'boat sunset',
      });
      if (entered !== undefined) setFilter(entered);
    }),
    vscode.commands.registerCommand('aiVideo.clearTaskFilter', () => setFilter('')),
  );
}
