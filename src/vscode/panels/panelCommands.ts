// Commands of the gallery, compare and variants features, and the hosts their panels talk to:
// `aiVideo.openGallery`, `aiVideo.compare(ids)`, `aiVideo.generateVariants(request, count)`.
// Called with arguments, none of them asks anything.
import * as vscode from 'vscode';
import { Task } from '../../core/model/task';
import { PROVIDERS } from '../../providers';
import { MAX_COMPARE, MIN_COMPARE } from '../../webview/compare/compareProtocol';
import { shortTitle } from '../../shared/format';
import type { GalleryAction } from '../../webview/gallery/galleryProtocol';
import { CompareHost, ComparePanel } from './compare/comparePanel';
import { GalleryHost, GalleryPanel } from './gallery/galleryPanel';
import { saveToWorkspace } from '../tasks/saveToWorkspace';
import { generateVariants } from '../generate/variants';
import { CommandContext } from '../commands/context';

/** The hosts the gallery and compare panels talk to (also given to their serializers). */
export interface GalleryHosts {
  galleryHost: GalleryHost;
  compareHost: CompareHost;
}

function playable(t: Task | undefined): t is Task {
  return !!t && t.status === 'succeeded' && t.videos.some((v) => v.localPath);
}

/** Task ids from `aiVideo.compare`'s arguments: an id array, or the tree's (clicked, selected) pair; '' where one is no id. */
function idsFromArgs(arg: unknown, all: unknown): string[] | undefined {
  if (arg === undefined) return undefined;
  const list: unknown[] = Array.isArray(arg) ? arg : Array.isArray(all) && all.length ? all : [arg];
  const idOf = (x: unknown) => (typeof x === 'string' ? x : x && typeof x === 'object' && typeof (x as { taskId?: unknown }).taskId === 'string' ? (x as { taskId: string }).taskId : '');
  return [...new Set(list.map(idOf))];
}

export function registerGalleryCommands(c: CommandContext): GalleryHosts {
  const { context, engine, log, mediaRoot } = c;

  const openCompare = (ids: string[]) => ComparePanel.show(context.extensionUri, mediaRoot, compareHost, ids);

  const compare = async (arg?: unknown, all?: unknown): Promise<void> => {
    const group = arg && typeof arg === 'object' && (arg as { kind?: unknown }).kind === 'group' ? (arg as { groupId: string }).groupId : undefined;
    const members = group !== undefined ? engine.getTasks().filter((t) => t.groupId === group && playable(t)).reverse().slice(0, MAX_COMPARE).map((t) => t.id) : undefined;
    const given = members ?? idsFromArgs(arg, all);
    if (given) {
      const problem =
        given.length < MIN_COMPARE || given.length > MAX_COMPARE
          ? vscode.l10n.t('Compare takes {0} to {1} task ids (got {2}).', MIN_COMPARE, MAX_COMPARE, given.length)
          : given.find((id) => !playable(engine.getTask(id)))
            ? vscode.l10n.t('Compare only finished tasks whose video has been downloaded.')
            : undefined;
      // From the tree (a selection) the message is shown; from code (an id array) it is thrown.
      if (problem && Array.isArray(arg)) throw new Error(problem);
      if (problem) return void vscode.window.showWarningMessage(problem);
      openCompare(given);
      return;
    }
    const items = engine
      .getTasks()
      .filter(playable)
      .map((t) => ({ label: shortTitle(t.prompt, 70), description: `${t.model || t.provider} · ${new Date(t.createdAt).toLocaleString()}`, id: t.id }));
    if (items.length < MIN_COMPARE) return void vscode.window.showInformationMessage(vscode.l10n.t('Compare needs at least two finished videos.'));
    const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Compare {0} to {1} videos', MIN_COMPARE, MAX_COMPARE), canPickMany: true, placeHolder: vscode.l10n.t('Choose the videos to play side by side') });
    if (!picked) return;
    if (picked.length < MIN_COMPARE || picked.length > MAX_COMPARE) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Choose {0} to {1} videos (you chose {2}).', MIN_COMPARE, MAX_COMPARE, picked.length));
      return;
    }
    openCompare(picked.map((p) => p.id));
  };

  const runAction = async (action: GalleryAction, ids: string[]): Promise<unknown> => {
    const exec = (command: string, ...args: unknown[]) => vscode.commands.executeCommand(command, ...args);
    switch (action) {
      case 'play':
        return exec('aiVideo.play', ids[0]);
      case 'compare':
        return exec('aiVideo.compare', ids);
      case 'generate':
        return exec('aiVideo.generate');
      case 'saveToWorkspace':
        for (const id of ids.filter((id) => playable(engine.getTask(id)))) await exec('aiVideo.saveToWorkspace', id);
        return undefined;
      case 'regenerate': {
        if (ids.length === 1) return exec('aiVideo.regenerate', ids[0]);
        const pick = await vscode.window.showQuickPick(
          [
            { label: vscode.l10n.t('Same seeds'), same: true },
            { label: vscode.l10n.t('New random seeds'), same: false },
          ],
          { title: vscode.l10n.t('Regenerate {0} videos', ids.length) },
        );
        if (!pick) return undefined;
        for (const id of ids) await exec('aiVideo.regenerate', id, { sameSeed: pick.same });
        return undefined;
      }
      case 'remove': {
        const running = ids.filter((id) => {
          const t = engine.getTask(id);
          return t && (t.status === 'queued' || t.status === 'running');
        }).length;
        const remove = vscode.l10n.t('Remove');
        const ok = await vscode.window.showWarningMessage(
          ids.length === 1 ? vscode.l10n.t('Remove this task and delete its downloaded video?') : vscode.l10n.t('Remove {0} tasks and delete their downloaded videos?', ids.length),
          { modal: true, detail: running ? running === 1 ? vscode.l10n.t('1 of them is still running at the provider, which may still bill for it.') : vscode.l10n.t('{0} of them are still running at the provider, which may still bill for them.', running) : undefined },
          remove,
        );
        if (ok !== remove) return undefined;
        return exec('aiVideo.removeTask', ids[0], ids);
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
      return saveToWorkspace(t, Math.max(0, t.videos.findIndex((v) => v.localPath)), log);
    },
    log,
  };

  c.register('aiVideo.openGallery', () => {
    GalleryPanel.show(context.extensionUri, mediaRoot, galleryHost);
  });
  c.register('aiVideo.compare', compare);
  c.register('aiVideo.generateVariants', async (request: unknown, count: unknown) =>
    (await generateVariants({ engine, providers: PROVIDERS, log }, request, count)).map((t) => structuredClone(t)),
  );
  return { galleryHost, compareHost };
}
