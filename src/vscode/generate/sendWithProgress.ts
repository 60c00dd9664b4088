// Sending a create from the UI. While its body is being sent, a cancellable notification shows the
// bytes sent (cancelling then certainly keeps the job from starting, and no task is kept); then a
// plain one until the provider answered. A button that creates acts once per click.
import * as vscode from 'vscode';

import type { GenerateOptions } from '../../core/engine/createQueue';
import { TaskEngine } from '../../core/engine/engine';
import { GenerateRequest, Task } from '../../core/model/task';
import { formatDiskSize } from '../../core/workspace/taskFiles';
import { withProgress } from '../notify';

export async function generateWithProgress(
  engine: TaskEngine,
  req: GenerateRequest,
  label: string,
  opts: Pick<GenerateOptions, 'who' | 'overBudget' | 'source'> = {},
): Promise<Task> {
  const cancel = new AbortController();
  let uploaded = () => {};
  const uploadDone = new Promise<void>((resolve) => (uploaded = resolve));
  let report: (sent: number, total: number) => void = () => {};
  const run = engine.generate(req, {
    who: 'ui',
    ...opts,
    cancelUpload: cancel.signal,
    onUploadProgress: (sent, total) => {
      report(sent, total);
      if (sent >= total) uploaded();
    },
  });
  const answered = run.then(
    () => undefined,
    () => undefined,
  );
  await withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Sending to {0}', label), cancellable: true },
    (progress, token) => {
      token.onCancellationRequested(() => cancel.abort());
      let shown = 0;
      report = (sent, total) => {
        progress.report({
          increment: ((sent - shown) / total) * 100,
          message: vscode.l10n.t('{0} of {1}', formatDiskSize(sent), formatDiskSize(total)),
        });
        shown = sent;
      };
      return Promise.race([uploadDone, answered]);
    },
  );
  return withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t("Sent; waiting for {0}'s answer…", label) },
    () => run,
  );
}

/**
 * While a click's work is under way, further clicks on the same button (a double click, the
 * player's Regenerate pressed twice) join it instead of sending another create. Keyed per button
 * and task; `aiVideo.generate(request)` is never guarded: identical requests are real variants.
 */
export class ClickGuard {
  private readonly running = new Map<string, Promise<unknown>>();

  run<T>(key: string, click: () => Promise<T>): Promise<T> {
    const current = this.running.get(key);
    if (current) return current as Promise<T>;
    const run = click().finally(() => this.running.delete(key));
    this.running.set(key, run);
    return run;
  }
}
