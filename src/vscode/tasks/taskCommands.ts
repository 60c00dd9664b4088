// Commands on tasks (tree items, the player, scripts): play, check again, retry download, save,
// copy, remove (taskRemoval.ts), show error, and the actions providers offer beyond create and poll (remix…).
import * as vscode from 'vscode';

import { remedyFor } from '../../core/model/errors';
import { Task } from '../../core/model/task';
import { actionsFor, TASK_ACTION_IDS, TaskActionId } from '../../core/provider/descriptor';
import { providerLabel, PROVIDERS } from '../../providers';
import { taskActionCommand } from '../commands/commandIds';
import { CommandContext } from '../commands/context';
import { executeClick } from '../commands/execute';
import { INTERACTIVE, Invocation, parseInvocation } from '../commands/invocation';
import { GenerateCommands } from '../generate/generateCommands';
import * as notify from '../notify';
import { PlayerHost, PlayerPanel } from '../panels/player/playerPanel';
import { loadFilm } from '../storyboard/film';
import { showUncertain } from './queueCommands';
import { saveToWorkspace } from './saveToWorkspace';
import { registerTaskRemoval } from './taskRemoval';

export function registerTaskActionCommands(c: CommandContext, generate: GenerateCommands, tasksChanged: vscode.Event<void>): PlayerHost {
  const { engine, log } = c;
  const taskOf = (call: Invocation): Task | undefined => engine.getTask(call.taskIds[0] ?? '');

  const play = async (call: Invocation, _taskId?: unknown, index?: unknown): Promise<void> => {
    const task = taskOf(call);
    if (!task) {
      void notify.showWarning(vscode.l10n.t('Choose a finished task to play.'));
      return;
    }
    const node = call.node;
    const videoIndex = typeof index === 'number' ? index : node?.kind === 'video' ? node.index : 0;
    if (task.status !== 'succeeded') {
      void notify.showInfo(
        task.status === 'failed'
          ? vscode.l10n.t('This task failed: {0}', task.error ?? vscode.l10n.t('no details'))
          : vscode.l10n.t('This video is not ready yet.'),
      );
      return;
    }
    PlayerPanel.show(c.context.extensionUri, c.mediaRoot, playerHost, task.id, videoIndex);
  };

  /**
   * A provider's task action. A script call passes the text (a script or agent) and gets errors
   * thrown; an interactive one is asked for the text the action needs and sees errors.
   */
  const runTaskAction = async (id: TaskActionId, call: Invocation, text?: unknown): Promise<Task | undefined> => {
    const task = taskOf(call);
    const provider = task && PROVIDERS[task.provider];
    const action = task && actionsFor(provider, task).find((a) => a.id === id);
    if (!call.interactive) {
      if (!task) throw new Error(vscode.l10n.t('No task {0}.', String(call.args[0])));
      if (!action) throw new Error(vscode.l10n.t('{0} offers no {1} for this task.', providerLabel(task.provider), id));
      if (typeof text !== 'string' && action.input && !action.input.optional) {
        throw new Error(vscode.l10n.t('Pass the text for {0} as the second argument.', id));
      }
      return structuredClone(await engine.generate(action.request(task, typeof text === 'string' ? text.trim() : '')));
    }
    if (!task || !action) {
      void notify.showWarning(
        task ? vscode.l10n.t('{0} offers no {1} for this task.', providerLabel(task.provider), id) : vscode.l10n.t('Choose a task first.'),
      );
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
      // A click on the player's button: Regenerate may ask for the seed.
      if (action === 'regenerate') return executeClick('aiVideo.regenerate', taskId);
      if (action === 'continueFromLastFrame') return executeClick('aiVideo.continueFromLastFrame', taskId);
      return saveToWorkspace(t, videoIndex, log).then(undefined, (e) => void c.explain(e));
    },
    runTaskAction: (id, taskId) => runTaskAction(id, parseInvocation([taskId, INTERACTIVE])),
    // A shot's duration when the task that made it is still in the list and reported one.
    loadFilm: (key) =>
      loadFilm(key, (shot) => {
        const task = shot.jobId ? engine.getTasks().find((t) => t.provider === shot.provider && t.remoteId === shot.jobId) : undefined;
        return task?.videos.find((v) => v.localPath)?.duration;
      }),
    log,
  };

  c.register('aiVideo.refresh', () => engine.refresh());
  c.register('aiVideo.play', play);
  c.register('aiVideo.showLog', () => c.channel.show());
  c.register('aiVideo.checkAgain', (call) => {
    const id = call.taskIds[0];
    if (id) engine.checkAgain(id);
  });
  c.register('aiVideo.retryDownload', (call) => {
    // The engine retries failed downloads itself; the adapter never edits a task.
    const t = taskOf(call);
    if (t) engine.ensureDownloads(t);
  });
  c.register('aiVideo.saveToWorkspace', async (call, _taskId, index) => {
    const t = taskOf(call);
    if (!t) return undefined;
    try {
      return await saveToWorkspace(t, typeof index === 'number' ? index : 0, log);
    } catch (e) {
      void c.explain(e);
      return undefined;
    }
  });
  registerTaskRemoval(c);
  c.register('aiVideo.copyPrompt', async (call) => {
    const t = taskOf(call);
    if (t) await vscode.env.clipboard.writeText(t.prompt);
  });
  /** The error with its ways out (set a key, check again, regenerate, the log), as one notification. */
  const showError = async (t: Task, error: string): Promise<void> => {
    const remedy = remedyFor(t.errorKind);
    const setKey = vscode.l10n.t('Set API Key');
    const checkAgain = vscode.l10n.t('Check Again');
    const regenerate = vscode.l10n.t('Regenerate');
    const showLog = vscode.l10n.t('Show Log');
    const actions = [...(remedy === 'setKey' ? [setKey] : []), ...(t.timedOut ? [checkAgain] : []), regenerate, showLog];
    const choice = await notify.showError(error, ...actions);
    if (choice === setKey) await executeClick('aiVideo.setApiKey', t.provider);
    else if (choice === checkAgain) engine.checkAgain(t.id);
    else if (choice === regenerate) await executeClick('aiVideo.regenerate', t.id);
    else if (choice === showLog) c.channel.show(true);
  };
  // The notification is the question, asked before anything is done; a script's call does not wait for the answer.
  c.register('aiVideo.showTaskError', async (call) => {
    const t = taskOf(call);
    if (!t || !t.error) return;
    const answered = (t.uncertain ? showUncertain(c, t) : showError(t, t.error)).then(undefined, (e) => void c.explain(e));
    if (call.interactive) await answered;
  });
  for (const id of TASK_ACTION_IDS) c.register(taskActionCommand(id), (call, _taskId, text) => runTaskAction(id, call, text));
  return playerHost;
}
