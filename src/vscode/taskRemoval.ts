// Remove Task, Clear Finished and Open Videos Folder. Removing a task deletes its downloaded files,
// so the UI asks once before several go; called with ids (scripts, agents) nothing ever asks.
import * as vscode from 'vscode';
import { diskBytes, formatDiskSize, taskFolder } from '../core/taskFiles';
import { isActive, type Task } from '../core/types';
import type { CommandContext } from './commands/context';
import type { TreeNode } from './tasksTree';

function isTreeNode(x: unknown): x is Extract<TreeNode, { taskId: string }> {
  const n = x as { kind?: unknown; taskId?: unknown } | null;
  return !!n && typeof n === 'object' && (n.kind === 'task' || n.kind === 'video') && typeof n.taskId === 'string';
}

/** A task id from an id, a tree node or a task. */
function idOf(x: unknown): string | undefined {
  if (typeof x === 'string') return x;
  if (isTreeNode(x)) return x.taskId;
  return x && typeof x === 'object' && typeof (x as { id?: unknown }).id === 'string' ? (x as { id: string }).id : undefined;
}

async function sizeOf(mediaDir: string, tasks: readonly Task[]): Promise<string> {
  const bytes = (await Promise.all(tasks.map((t) => diskBytes(taskFolder(mediaDir, t.id))))).reduce((a, b) => a + b, 0);
  return bytes > 0 ? ` (${formatDiskSize(bytes)} of videos)` : '';
}

async function confirm(message: string): Promise<boolean> {
  return (await vscode.window.showWarningMessage(message, { modal: true }, 'Remove')) === 'Remove';
}

export function registerTaskRemoval({ engine, mediaRoot, register }: Pick<CommandContext, 'engine' | 'mediaRoot' | 'register'>): void {
  const mediaDir = mediaRoot.fsPath;

  /** `removeTask(taskId)` from scripts; `(node, selectedNodes)` from the tree. */
  const removeTask = async (arg: unknown, all?: unknown): Promise<void> => {
    const list = Array.isArray(all) && all.length ? all : [arg];
    const tasks = [...new Set(list.map(idOf))].map((id) => (id ? engine.getTask(id) : undefined)).filter((t): t is Task => !!t);
    if (!tasks.length) return;
    if (isTreeNode(arg)) {
      // A waiting create was never sent: removing it takes it out of the queue, nothing to bill.
      const running = tasks.filter((t) => isActive(t) && t.status !== 'waiting').length;
      if (tasks.length > 1) {
        const billed = running ? ` ${running} of them ${running === 1 ? 'is' : 'are'} still running at the provider, which may still bill for ${running === 1 ? 'it' : 'them'}.` : '';
        if (!(await confirm(`Remove ${tasks.length} tasks and delete their downloaded videos${await sizeOf(mediaDir, tasks)}?${billed}`))) return;
      } else if (running && !(await confirm('This task is still running at the provider. Remove it from the list anyway? (The provider may still bill for it.)'))) {
        return;
      }
    }
    await engine.remove(tasks.map((t) => t.id));
  };

  /** From the view title (no argument, or the focused node) it asks first when several go; with any other argument it never asks. */
  const clearFinished = async (arg?: unknown): Promise<number> => {
    const finished = engine.getTasks().filter((t) => !isActive(t));
    if (!finished.length) return 0;
    // Any tree node (a task, a day, a group) means the view title or a menu: a person is there.
    const fromUi = arg === undefined || arg === null || (typeof arg === 'object' && 'kind' in arg);
    if (fromUi && finished.length > 1 && !(await confirm(`Clear ${finished.length} finished tasks and delete their downloaded videos${await sizeOf(mediaDir, finished)}?`))) return 0;
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
