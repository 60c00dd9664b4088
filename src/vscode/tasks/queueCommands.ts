// Commands on creates that are not at the provider (yet, or for sure): a waiting create (held in the
// local queue) can be edited or cancelled before it is sent; an uncertain one (its answer was lost)
// can be looked up at the provider where it lists recent jobs, checked in the account, or marked as
// failed. Script calls (commands/invocation.ts) never ask anything.
import * as vscode from 'vscode';

import { isLostJobChoice, LostJobChoice, WaitingEdit } from '../../core/engine/createQueue';
import type { LostJobCandidate } from '../../core/engine/lostJob';
import { errorMessage } from '../../core/model/errors';
import { Task } from '../../core/model/task';
import { describeValue, fieldsFor, readField, writeField } from '../../core/provider/optionFields';
import { providerLabel, PROVIDERS } from '../../providers';
import { CommandContext } from '../commands/context';
import { executeClick } from '../commands/execute';
import { Invocation } from '../commands/invocation';
import { checkedBaseUrl } from '../config';
import { editField } from '../generate/generateFlow';
import { InputStep, MultiStepInput } from '../generate/multiStepInput';
import { showInfo, showWarning, withProgress } from '../notify';

type Item = vscode.QuickPickItem & { value: string };

/** The prompt and options of a waiting create, edited in a quick pick; undefined when cancelled. */
async function askEdit(task: Task): Promise<WaitingEdit | undefined> {
  const provider = PROVIDERS[task.provider];
  if (!provider) return undefined;
  const req = structuredClone(task.request);
  const fields = fieldsFor(provider, task.mode);
  const title = vscode.l10n.t('Edit before sending: {0}', providerLabel(task.provider));
  const step = { step: 1, totalSteps: 1 };
  const SAVE = '\u0000save';
  const PROMPT = '\u0000prompt';
  let saved = false;
  const menu: InputStep = async (input) => {
    const items: Item[] = [
      { label: `$(check) ${vscode.l10n.t('Save')}`, value: SAVE, description: vscode.l10n.t('sent when the queue allows') },
      { label: `$(edit) ${vscode.l10n.t('Prompt')}`, value: PROMPT, description: req.prompt || vscode.l10n.t('(none)') },
      { label: '', kind: vscode.QuickPickItemKind.Separator, value: '' },
      ...fields.map((f) => ({ label: f.label, description: describeValue(f, readField(req, f)), value: f.key })),
    ];
    const picked = await input.showQuickPick({
      title,
      ...step,
      items,
      placeholder: vscode.l10n.t('Change the prompt or an option, then save'),
    });
    if (picked.value === SAVE) {
      const invalid = provider.validate(req);
      if (invalid) {
        void showWarning(invalid);
        return menu;
      }
      saved = true;
      return;
    }
    if (picked.value === PROMPT) {
      req.prompt = (
        await input.showInputBox({
          title,
          ...step,
          value: req.prompt,
          prompt: vscode.l10n.t('The prompt to send.'),
          validate: (v) => (v.length > 2000 ? vscode.l10n.t('Keep the prompt under 2000 characters.') : undefined),
        })
      ).trim();
      return menu;
    }
    const field = fields.find((f) => f.key === picked.value)!;
    writeField(req, field, await editField(input, field, readField(req, field), step));
    return menu;
  };
  if (!(await MultiStepInput.run(menu)) || !saved) return undefined;
  const { prompt, negativePrompt, aspectRatio, seed, pikaffect, style, options } = req;
  return { prompt, negativePrompt, aspectRatio, seed, pikaffect, style, options };
}

export function registerQueueCommands(c: CommandContext): void {
  const { engine, log } = c;
  const taskOf = (call: Invocation): Task | undefined => engine.getTask(call.taskIds[0] ?? '');
  const noTask = (call: Invocation) => new Error(vscode.l10n.t('No task {0}.', String(call.args[0])));

  /** `cancelWaiting(taskId)`: resolves with whether it was still waiting (and is now gone, never sent). */
  c.register('aiVideo.cancelWaiting', async (call): Promise<boolean> => {
    const t = taskOf(call);
    const cancelled = t ? await engine.cancelWaiting(t.id) : false;
    if (!cancelled && t && call.interactive) {
      void showInfo(vscode.l10n.t('This create is no longer waiting: it is being sent, or already was.'));
    }
    return cancelled;
  });

  /**
   * `cancelTask(taskId)`: asks the provider to stop a queued or running job (where it can), once;
   * resolves with the task, now failed ("Cancelled"). When the provider refuses, the task is left as
   * it was: a script's call rejects, a person's sees the error (not waited on).
   */
  c.register('aiVideo.cancelTask', async (call): Promise<Task | undefined> => {
    const t = taskOf(call);
    if (!call.interactive) {
      if (!t) throw noTask(call);
      return structuredClone(await engine.cancel(t.id));
    }
    if (!t) return undefined;
    try {
      return structuredClone(await engine.cancel(t.id));
    } catch (e) {
      log.warn(`Cancelling a task failed: ${errorMessage(e)}`);
      void c.explain(e, t.provider);
      return undefined;
    }
  });

  /** `editWaiting(taskId, {prompt?, options?, …})` changes it without asking; from the tree, a quick pick asks. */
  c.register('aiVideo.editWaiting', async (call, _taskId, edit): Promise<Task | undefined> => {
    const t = taskOf(call);
    if (!call.interactive) {
      if (!t) throw noTask(call);
      if (!edit || typeof edit !== 'object' || Array.isArray(edit)) {
        throw new Error(vscode.l10n.t('The edit must be an object such as {"prompt": "…"}.'));
      }
      return structuredClone(await engine.editWaiting(t.id, edit as WaitingEdit));
    }
    if (t?.status !== 'waiting') return undefined;
    const asked = await askEdit(t);
    if (!asked) return undefined;
    try {
      return structuredClone(await engine.editWaiting(t.id, asked));
    } catch (e) {
      void c.explain(e, t.provider);
      return undefined;
    }
  });

  c.register('aiVideo.markFailed', (call) => {
    const t = taskOf(call);
    return t && structuredClone(engine.markFailed(t.id));
  });

  /**
   * `findLostJob(taskId[, remoteId])`: adopts the one job that fits and resolves with the task. When
   * several fit it adopts the one named, else none, and resolves with `{ task, candidates }`. From
   * the tree, several fitting jobs are offered in a quick pick.
   */
  c.register('aiVideo.findLostJob', async (call, _taskId, remoteId): Promise<Task | LostJobChoice | undefined> => {
    const t = taskOf(call);
    if (!t?.uncertain) return undefined;
    if (!call.interactive) {
      const named = typeof remoteId === 'string' ? async () => remoteId : undefined;
      return structuredClone(await engine.findLostJob(t.id, named));
    }
    try {
      // The progress notification lasts while the jobs are listed, not while the user chooses.
      let listed = () => {};
      const listing = new Promise<void>((resolve) => (listed = resolve));
      const title = vscode.l10n.t('Looking for the job at {0}…', providerLabel(t.provider));
      void withProgress({ location: vscode.ProgressLocation.Notification, title }, () => listing);
      let picked: string | undefined;
      const choose = async (candidates: LostJobCandidate[]) => {
        listed();
        return (picked = await pickLostJob(t, candidates));
      };
      const found = await engine.findLostJob(t.id, choose).finally(() => listed());
      if (isLostJobChoice(found)) {
        const gone = vscode.l10n.t('Another task follows the job you chose now, or it is no longer listed; nothing was adopted.');
        if (picked) void showWarning(gone);
        return undefined;
      }
      if (found?.remoteId) void showInfo(vscode.l10n.t('Found it at {0}: the job is followed like any other.', providerLabel(t.provider)));
      return found && structuredClone(found);
    } catch (e) {
      log.warn(`Finding a lost job failed: ${errorMessage(e)}`);
      void c.explain(e, t.provider);
      return undefined;
    }
  });

  /**
   * The provider's site (its base URL's origin), where the account's jobs and billing are: opened
   * for a person; a script gets the address and nothing is opened.
   */
  c.register('aiVideo.checkAccount', async (call): Promise<string | undefined> => {
    const t = taskOf(call);
    const provider = t && PROVIDERS[t.provider];
    if (!provider) return undefined;
    try {
      const site = new URL(checkedBaseUrl(provider)).origin;
      if (call.interactive) await vscode.env.openExternal(vscode.Uri.parse(site));
      return site;
    } catch (e) {
      if (!call.interactive) throw e;
      void c.explain(e, t.provider);
      return undefined;
    }
  });
}

/** Several listed jobs fit an uncertain create: the user picks the one it started; undefined when dismissed. */
async function pickLostJob(t: Task, candidates: LostJobCandidate[]): Promise<string | undefined> {
  const items = candidates.map((c) => ({
    label: c.remoteId,
    description: vscode.l10n.t('made at {0}', new Date(c.createdAt).toLocaleString()),
    detail: [c.model, c.rawStatus].filter(Boolean).join(' · '),
    remoteId: c.remoteId,
  }));
  const title = vscode.l10n.t('Several jobs at {0} match this create. Which one did it start?', providerLabel(t.provider));
  return (await vscode.window.showQuickPick(items, { title, placeHolder: t.prompt, ignoreFocusOut: true }))?.remoteId;
}

/** What to offer for an uncertain task: find the job (where the provider can), check the account, mark it failed, or remove it. */
export async function showUncertain(c: CommandContext, t: Task): Promise<void> {
  const find = vscode.l10n.t('Find This Job');
  const account = vscode.l10n.t('Check Your Account');
  const markFailed = vscode.l10n.t('Mark as Failed');
  const remove = vscode.l10n.t('Remove Task');
  const actions = [...(c.engine.canFindLostJob(t.provider) ? [find] : []), account, markFailed, remove];
  const choice = await showWarning(t.error ?? vscode.l10n.t('The outcome of this create is unknown.'), ...actions);
  if (choice === find) await executeClick('aiVideo.findLostJob', t.id);
  else if (choice === account) await executeClick('aiVideo.checkAccount', t.id);
  else if (choice === markFailed) c.engine.markFailed(t.id);
  else if (choice === remove) await executeClick('aiVideo.removeTask', t.id);
}
