// Commands of the gallery, compare and variants features, and the hosts their panels talk to:
// `aiVideo.openGallery`, `aiVideo.compare(ids)`, `aiVideo.generateVariants(request, count)`.
// Script calls (commands/invocation.ts) ask nothing; the gallery's buttons are clicks.
import * as vscode from 'vscode';

import { Task } from '../../core/model/task';
import { PROVIDERS } from '../../providers';
import { shortTitle } from '../../shared/format';
import { MAX_COMPARE, MIN_COMPARE } from '../../webview/compare/compareProtocol';
import type { GalleryAction } from '../../webview/gallery/galleryProtocol';
import { CommandContext } from '../commands/context';
import { executeClick, executeCommand } from '../commands/execute';
import { Invocation } from '../commands/invocation';
import { generateVariants } from '../generate/variants';
import { showInfo, showWarning } from '../notify';
import { isShotTake } from '../storyboard/storyboardCommands';
import { saveToWorkspace } from '../tasks/saveToWorkspace';
import { CompareHost, ComparePanel } from './compare/comparePanel';
import { GalleryHost, GalleryPanel } from './gallery/galleryPanel';

/** The hosts the gallery and compare panels talk to (also given to their serializers). */
export interface GalleryHosts {
  galleryHost: GalleryHost;
  compareHost: CompareHost;
}

function playable(t: Task | undefined): t is Task {
  return !!t && t.status === 'succeeded' && t.videos.some((v) => v.localPath);
}

export function registerGalleryCommands(c: CommandContext): GalleryHosts {
  const { context, engine, log, mediaRoot } = c;

  const openCompare = (ids: string[]) => ComparePanel.show(context.extensionUri, mediaRoot, compareHost, ids);

  const compare = async (call: Invocation): Promise<void> => {
    const group = call.node?.kind === 'group' ? call.node.groupId : undefined;
    const members =
      group !== undefined
        ? engine
            .getTasks()
            .filter((t) => t.groupId === group && playable(t))
            .reverse()
            .slice(0, MAX_COMPARE)
            .map((t) => t.id)
        : undefined;
    // The palette (no argument) asks which videos; anything else names them.
    const given = members ?? (call.interactive && call.args.length === 0 ? undefined : call.taskIds);
    if (given) {
      const problem =
        given.length < MIN_COMPARE || given.length > MAX_COMPARE
          ? vscode.l10n.t('Compare takes {0} to {1} task ids (got {2}).', MIN_COMPARE, MAX_COMPARE, given.length)
          : given.find((id) => !playable(engine.getTask(id)))
            ? vscode.l10n.t('Compare only finished tasks whose video has been downloaded.')
            : undefined;
      // For a person (a selection, a lens, a button) the message is shown; for a script it is thrown.
      if (problem && !call.interactive) throw new Error(problem);
      if (problem) return void showWarning(problem);
      openCompare(given);
      return;
    }
    const items = engine
      .getTasks()
      .filter(playable)
      .map((t) => ({
        label: shortTitle(t.prompt, 70),
        description: `${t.model || t.provider} · ${new Date(t.createdAt).toLocaleString()}`,
        id: t.id,
      }));
    if (items.length < MIN_COMPARE) return void showInfo(vscode.l10n.t('Compare needs at least two finished videos.'));
    const picked = await vscode.window.showQuickPick(items, {
      title: vscode.l10n.t('Compare {0} to {1} videos', MIN_COMPARE, MAX_COMPARE),
      canPickMany: true,
      placeHolder: vscode.l10n.t('Choose the videos to play side by side'),
    });
    if (!picked) return;
    if (picked.length < MIN_COMPARE || picked.length > MAX_COMPARE) {
      void showWarning(vscode.l10n.t('Choose {0} to {1} videos (you chose {2}).', MIN_COMPARE, MAX_COMPARE, picked.length));
      return;
    }
    openCompare(picked.map((p) => p.id));
  };

  const runAction = async (action: GalleryAction, ids: string[]): Promise<unknown> => {
    // The gallery's buttons are clicks; where the gallery has asked already, the command is run as by a script.
    switch (action) {
      case 'play':
        return executeClick('aiVideo.play', ids[0]);
      case 'compare':
        return executeClick('aiVideo.compare', ids);
      case 'generate':
        return executeClick('aiVideo.generate');
      case 'continueFromLastFrame':
        return executeClick('aiVideo.continueFromLastFrame', ids[0]);
      case 'saveToWorkspace':
        for (const id of ids.filter((id) => playable(engine.getTask(id)))) await executeCommand('aiVideo.saveToWorkspace', id);
        return undefined;
      case 'regenerate': {
        if (ids.length === 1) return executeClick('aiVideo.regenerate', ids[0]);
        const pick = await vscode.window.showQuickPick(
          [
            { label: vscode.l10n.t('Same seeds'), same: true },
            { label: vscode.l10n.t('New random seeds'), same: false },
          ],
          { title: vscode.l10n.t('Regenerate {0} videos', ids.length) },
        );
        if (!pick) return undefined;
        for (const id of ids) await executeCommand('aiVideo.regenerate', id, { sameSeed: pick.same });
        return undefined;
      }
      case 'remove': {
        const running = ids.filter((id) => {
          const t = engine.getTask(id);
          return t && (t.status === 'queued' || t.status === 'running');
        }).length;
        const remove = vscode.l10n.t('Remove');
        const ok = await showWarning(
          ids.length === 1
            ? vscode.l10n.t('Remove this task and delete its downloaded video?')
            : vscode.l10n.t('Remove {0} tasks and delete their downloaded videos?', ids.length),
          {
            modal: true,
            detail: running
              ? running === 1
                ? vscode.l10n.t('1 of them is still running at the provider, which may still bill for it.')
                : vscode.l10n.t('{0} of them are still running at the provider, which may still bill for them.', running)
              : undefined,
          },
          remove,
        );
        if (ok !== remove) return undefined;
        return executeCommand('aiVideo.removeTask', ids);
      }
    }
  };

  const tasksChanged: vscode.Event<Task[]> = (listener, thisArg, disposables) => {
    const d = engine.onDidChangeTasks((e) => listener.call(thisArg, e));
    disposables?.push(d);
    return d;
  };
  const galleryHost: GalleryHost = {
    getTasks: () => engine.getTasks(),
    getTask: (id) => engine.getTask(id),
    onDidChangeTasks: tasksChanged,
    runAction,
    log,
  };
  const compareHost: CompareHost = {
    getTask: (id) => engine.getTask(id),
    onDidChangeTasks: tasksChanged,
    keep: async (taskId) => {
      const t = engine.getTask(taskId);
      if (!t) return undefined;
      // A take of a storyboard shot becomes that shot's chosen take as well.
      if (isShotTake(t)) await executeCommand('aiVideo.useThisTake', t.id);
      return saveToWorkspace(
        t,
        Math.max(
          0,
          t.videos.findIndex((v) => v.localPath),
        ),
        log,
      );
    },
    log,
  };

  c.register('aiVideo.openGallery', () => {
    GalleryPanel.show(context.extensionUri, mediaRoot, galleryHost);
  });
  c.register('aiVideo.compare', compare);
  c.register('aiVideo.generateVariants', async (_call, request, count) =>
    (await generateVariants({ engine, providers: PROVIDERS, log, money: c.money, who: 'script' }, request, count)).map((t) =>
      structuredClone(t),
    ),
  );
  return { galleryHost, compareHost };
}
