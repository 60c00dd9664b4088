// Controls of the Tasks view around its tree provider: the `aiVideo.tasks.groupBy` setting, the
// prompt filter's display (set by `aiVideo.filterTasks` / `aiVideo.clearTaskFilter`, shown in
// TreeView.message and the `aiVideo.tasksFiltered` context key), and pausing the running clocks
// while it is hidden.
import * as vscode from 'vscode';

import type { TaskEngine } from '../../core/engine/engine';
import { setContext } from '../commands/execute';
import { tasksGroupBy } from '../config';
import { TasksTreeProvider, TreeNode } from './tasksTree';

/** Shows the active prompt filter in TreeView.message and the `aiVideo.tasksFiltered` context key. */
export function showTaskFilter(engine: TaskEngine, tree: TasksTreeProvider, view: vscode.TreeView<TreeNode>): void {
  const text = tree.filter;
  void setContext('aiVideo.tasksFiltered', !!text);
  if (!text) {
    view.message = undefined;
    return;
  }
  const shown = tree.matchingTasks().length;
  const total = engine.getTasks().length;
  view.message = vscode.l10n.t(
    'Filtered by "{0}": {1} of {2} tasks. Clear the filter with the filter button in the title bar.',
    text,
    shown,
    total,
  );
}

/** The filter itself is set by the commands (filterCommands.ts). */
export function registerTreeControls(engine: TaskEngine, tree: TasksTreeProvider, view: vscode.TreeView<TreeNode>): vscode.Disposable {
  tree.setGroupBy(tasksGroupBy());
  tree.setVisible(view.visible);
  return vscode.Disposable.from(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('aiVideo.tasks.groupBy')) tree.setGroupBy(tasksGroupBy());
    }),
    view.onDidChangeVisibility((e) => tree.setVisible(e.visible)),
    engine.onDidChangeTasks(() => {
      if (tree.filter) showTaskFilter(engine, tree, view);
    }),
  );
}
