// The Tasks view's description shows how much disk the downloaded videos take ("1.2 GB"),
// re-measured (only the folders of changed tasks) a moment after tasks change.
import * as vscode from 'vscode';

import type { TaskEngine } from '../../core/engine/engine';
import { formatDiskSize, MediaUsage } from '../../core/workspace/taskFiles';

const DEBOUNCE_MS = 500;

export function showDiskUsage(view: vscode.TreeView<unknown>, engine: TaskEngine, mediaDir: string): vscode.Disposable {
  const usage = new MediaUsage(mediaDir);
  const pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> = Promise.resolve();
  let disposed = false;

  const measure = () => {
    timer = undefined;
    const ids = [...pending];
    pending.clear();
    running = running
      .then(() => usage.update(ids))
      .then((bytes) => {
        if (!disposed) view.description = bytes > 0 ? formatDiskSize(bytes) : undefined;
      })
      .catch(() => undefined);
  };
  const soon = () => {
    timer ??= setTimeout(measure, DEBOUNCE_MS);
  };

  soon();
  const sub = engine.onDidChangeTasks((changed) => {
    for (const t of changed) pending.add(t.id);
    soon();
  });
  return {
    dispose: () => {
      disposed = true;
      if (timer) clearTimeout(timer);
      sub.dispose();
    },
  };
}
