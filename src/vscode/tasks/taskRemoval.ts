// Remove Task, Clear Finished and Open Videos Folder. Removing a task deletes its downloaded files,
// so an interactive call asks once before several go; a script call (ids, `{}`) never asks. A create
// being sent is never removed (its job would be forgotten, and billed): a warning says so.
import * as vscode from 'vscode';

import { isActive, type Task } from '../../core/model/task';
import { diskBytes, formatDiskSize, taskFolder } from '../../core/workspace/taskFiles';
import type { CommandContext } from '../commands/context';
import type { Invocation } from '../commands/invocation';
import { showWarning } from '../notify';

async function sizeOf(mediaDir: string, tasks: readonly Task[]): Promise<string> {
  const bytes = (await Promise.all(tasks.map((t) => diskBytes(taskFolder(mediaDir, t.id))))).reduce((a, b) => a + b, 0);
  return bytes > 0 ? vscode.l10n.t(' ({0} of videos)', formatDiskSize(bytes)) : '';
}

async function confirm(message: string): Promise<boolean> {
  const remove = vscode.l10n.t('Remove');
  return (await showWarning(message, { modal: true }, remove)) === remove;
}

export function registerTaskRemoval({ engine, mediaRoot, register }: Pick<CommandContext, 'engine' | 'mediaRoot' | 'register'>): void {
  const mediaDir = mediaRoot.fsPath;

  /** `removeTask(taskId | taskIds)` from scripts; `(node, selectedNodes)` from the tree, or a click on a notification. */
  const removeTask = async (call: Invocation): Promise<void> => {
    const tasks = call.taskIds.map((id) => engine.getTask(id)).filter((t): t is Task => !!t);
    if (!tasks.length) return;
    // A create being sent is not removed (the engine keeps it): nothing to ask about it.
    const removable = tasks.filter((t) => t.status !== 'submitting');
    if (call.interactive && removable.length) {
      // A waiting create was never sent: removing it takes it out of the queue, nothing to bill.
      const running = removable.filter((t) => isActive(t) && t.status !== 'waiting').length;
      if (removable.length > 1) {
        const billed = running
          ? ' ' +
            (running === 1
              ? vscode.l10n.t('1 of them is still running at the provider, which may still bill for it.')
              : vscode.l10n.t('{0} of them are still running at the provider, which may still bill for them.', running))
          : '';
        if (
          !(await confirm(
            vscode.l10n.t('Remove {0} tasks and delete their downloaded videos{1}?', removable.length, await sizeOf(mediaDir, removable)) +
              billed,
          ))
        ) {
          return;
        }
      } else if (
        running &&
        !(await confirm(
          vscode.l10n.t(
            'This task is still running at the provider. Remove it from the list anyway? (The provider may still bill for it.)',
          ),
        ))
      ) {
        return;
      }
    }
    // The engine also keeps a waiting create another window claimed meanwhile.
    const kept = tasks.length - removable.length + (removable.length ? (await engine.remove(removable.map((t) => t.id))).length : 0);
    if (kept) {
      // Said, not asked: removing it now would forget a job the provider may start and bill.
      void showWarning(
        kept === 1
          ? vscode.l10n.t(
              'This create is still being sent, so it was not removed: the provider may start it, and bill for it. Remove it once the provider has answered.',
            )
          : vscode.l10n.t(
              '{0} creates are still being sent, so they were not removed: the provider may start them, and bill for them. Remove them once the provider has answered.',
              kept,
            ),
      );
    }
  };

  /** From the view title or a menu it asks first when several go; a script's `clearFinished({})` never asks. */
  const clearFinished = async (call: Invocation): Promise<number> => {
    const finished = engine.getTasks().filter((t) => !isActive(t));
    if (!finished.length) return 0;
    if (call.interactive && finished.length > 1) {
      const size = await sizeOf(mediaDir, finished);
      if (!(await confirm(vscode.l10n.t('Clear {0} finished tasks and delete their downloaded videos{1}?', finished.length, size)))) {
        return 0;
      }
    }
    return engine.clearFinished();
  };

  const openVideosFolder = async (): Promise<vscode.Uri> => {
    await vscode.workspace.fs.createDirectory(mediaRoot);
    // Only a desktop window on this machine can show a folder of this machine's disk in the OS.
    if (vscode.env.uiKind === vscode.UIKind.Desktop && !vscode.env.remoteName) await vscode.env.openExternal(mediaRoot);
    else await vscode.commands.executeCommand('vscode.openFolder', mediaRoot, { forceNewWindow: true });
    return mediaRoot;
  };

  register('aiVideo.removeTask', removeTask);
  register('aiVideo.clearFinished', clearFinished);
  register('aiVideo.openVideosFolder', openVideosFolder);
}
