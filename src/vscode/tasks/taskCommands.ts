// Commands on tasks (tree items, the player, scripts): play, check again, retry download, save,
// copy, remove (taskRemoval.ts), show error, and the actions providers offer beyond create and poll (remix…).
import * as vscode from 'vscode';
import { remedyFor } from '../../core/model/errors';
import { actionsFor, TASK_ACTION_IDS, TaskActionId } from '../../core/provider/descriptor';
import { Task } from '../../core/model/task';
import { PROVIDERS, providerLabel } from '../../providers';
import { taskActionCommand } from '../commands/commandIds';
import { PlayerHost, PlayerPanel } from '../panels/player/playerPanel';
import { saveToWorkspace } from './saveToWorkspace';
import { registerTaskRemoval } from './taskRemoval';
import { TreeNode } from './tasksTree';
import { CommandContext, taskIdOf } from '../commands/context';
import { showUncertain } from './queueCommands';
import { GenerateCommands } from '../generate/generateCommands';

export function registerTaskActionCommands(c: CommandContext, generate: GenerateCommands, tasksChanged: vscode.Event<void>): PlayerHost {
  const { engine, log } = c;
  const taskOf = (arg: unknown): Task | undefined => engine.getTask(taskIdOf(arg) ?? '');

  const play = async (arg?: unknown, index?: unknown): Promise<void> => {
    const node = arg as TreeNode | undefined;
    const task = taskOf(arg);
    if (!task) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Choose a finished task to play.'));
      return;
    }
    const videoIndex = typeof index === 'number' ? index : node && typeof node === 'object' && node.kind === 'video' ? node.index : 0;
    if (task.status !== 'succeeded') {
      void vscode.window.showInformationMessage(task.status === 'failed' ? vscode.l10n.t('This task failed: {0}', task.error ?? vscode.l10n.t('no details')) : vscode.l10n.t('This video is not ready yet.'));
      return;
    }
    PlayerPanel.show(c.context.extensionUri, c.mediaRoot, playerHost, task.id, videoIndex);
  };

  /**
   * A provider's task action. With `text` (a script or agent) it asks nothing and rejects on errors;
   * otherwise it asks for the text the action needs and shows errors.
   */
  const runTaskAction = async (id: TaskActionId, arg: unknown, text?: unknown): Promise<Task | undefined> => {
    const task = taskOf(arg);
    const provider = task && PROVIDERS[task.provider];
    const action = task && actionsFor(provider, task).find((a) => a.id === id);
    if (typeof text === 'string') {
      if (!task) throw new Error(vscode.l10n.t('No task {0}.', String(taskIdOf(arg))));
      if (!action) throw new Error(vscode.l10n.t('{0} offers no {1} for this task.', providerLabel(task.provider), id));
      return structuredClone(await engine.generate(action.request(task, text.trim())));
    }
    if (!task || !action) {
      void vscode.window.showWarningMessage(task ? vscode.l10n.t('{0} offers no {1} for this task.', providerLabel(task.provider), id) : vscode.l10n.t('Choose a task first.'));
      return undefined;
    }
    let input = '';
    if (action.input) {
      const entered = await vscode.window.showInputBox({
        title: `${action.label.replace(/…$/, '')}: ${task.prompt.slice(0, 40)}`,
        prompt: action.input.prompt,
        placeHolder: action.input.placeholder,
        ignoreFocusOut: true,
        validateInput: (v) => (!action.input?.optional && !v.trim() ? vscode.l10n.t('Enter a prompt.') : undefined),
      });
      if (entered === undefined) return undefined;
      input = entered.trim();
    }
    return generate.submitInteractive(action.request(task, input));
  };

  const playerHost: PlayerHost = {
    getTask: (id) => engine.getTask(id),
    onDidChangeTasks: tasksChanged,
    runAction: (action, taskId, videoIndex) => {
      const t = engine.getTask(taskId);
      if (!t) return;
      if (action === 'regenerate') return vscode.commands.executeCommand('aiVideo.regenerate', taskId);
      return saveToWorkspace(t, videoIndex, log).then(undefined, (e) => c.explain(e));
    },
    runTaskAction: (id, taskId) => runTaskAction(id, taskId),
    log,
  };

  c.register('aiVideo.refresh', () => engine.refresh());
  c.register('aiVideo.play', play);
  c.register('aiVideo.showLog', () => c.channel.show());
  c.register('aiVideo.checkAgain', (arg: unknown) => {
    const id = taskIdOf(arg);
    if (id) engine.checkAgain(id);
  });
  c.register('aiVideo.retryDownload', (arg: unknown) => {
    // The engine retries failed downloads itself; the adapter never edits a task.
    const t = taskOf(arg);
    if (t) engine.ensureDownloads(t);
  });
  c.register('aiVideo.saveToWorkspace', async (arg: unknown, index?: number) => {
    const t = taskOf(arg);
    if (!t) return undefined;
    try {
      return await saveToWorkspace(t, typeof index === 'number' ? index : 0, log);
    } catch (e) {
      void c.explain(e);
      return undefined;
    }
  });
  registerTaskRemoval(c);
  c.register('aiVideo.copyPrompt', async (arg: unknown) => {
    const t = taskOf(arg);
    if (t) await vscode.env.clipboard.writeText(t.prompt);
  });
  c.register('aiVideo.showTaskError', async (arg: unknown) => {
    const t = taskOf(arg);
    if (!t || !t.error) return;
    if (t.uncertain) return showUncertain(c, t);
    const remedy = remedyFor(t.errorKind);
    const setKey = vscode.l10n.t('Set API Key');
    const checkAgain = vscode.l10n.t('Check Again');
    const regenerate = vscode.l10n.t('Regenerate');
    const showLog = vscode.l10n.t('Show Log');
    const actions = [...(remedy === 'setKey' ? [setKey] : []), ...(t.timedOut ? [checkAgain] : []), regenerate, showLog];
    const choice = await vscode.window.showErrorMessage(t.error, ...actions);
    if (choice === setKey) await vscode.commands.executeCommand('aiVideo.setApiKey', t.provider);
    else if (choice === checkAgain) engine.checkAgain(t.id);
    else if (choice === regenerate) await vscode.commands.executeCommand('aiVideo.regenerate', t.id);
    else if (choice === showLog) c.channel.show(true);
  });
  for (const id of TASK_ACTION_IDS) c.register(taskActionCommand(id), (arg: unknown, text?: unknown) => runTaskAction(id, arg, text));
  return playerHost;
}
