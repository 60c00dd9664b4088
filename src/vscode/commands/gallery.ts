// Commands of the gallery, compare and variants features, and the hosts their panels talk to:
// `aiVideo.openGallery`, `aiVideo.compare(ids)`, `aiVideo.generateVariants(request, count)`.
// Called with arguments, none of them asks anything.
import * as vscode from 'vscode';
import { Task } from '../../core/types';
import { PROVIDERS } from '../../providers';
import { MAX_COMPARE, MIN_COMPARE } from '../../webview/compare/protocol';
import { shortTitle } from '../../webview/format';
import type { GalleryAction } from '../../webview/gallery/protocol';
import { CompareHost, ComparePanel } from '../comparePanel';
import { GalleryHost, GalleryPanel } from '../galleryPanel';
import { saveToWorkspace } from '../saveToWorkspace';
import { generateVariants } from '../variants';
import { CommandContext } from './context';

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
          ? `Compare takes ${MIN_COMPARE} to ${MAX_COMPARE} task ids (got ${given.length}).`
          : given.find((id) => !playable(engine.getTask(id)))
            ? 'Compare only finished tasks whose video has been downloaded.'
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
    if (items.length < MIN_COMPARE) return void vscode.window.showInformationMessage('Compare needs at least two finished videos.');
    const picked = await vscode.window.showQuickPick(items, { title: `Compare ${MIN_COMPARE} to ${MAX_COMPARE} videos`, canPickMany: true, placeHolder: 'Choose the videos to play side by side' });
    if (!picked) return;
    if (picked.length < MIN_COMPARE || picked.length > MAX_COMPARE) {
      void vscode.window.showWarningMessage(`Choose ${MIN_COMPARE} to ${MAX_COMPARE} videos (you chose ${picked.length}).`);
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
            { label: 'Same seeds', same: true },
            { label: 'New random seeds', same: false },
          ],
          { title: `Regenerate ${ids.length} videos` },
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
        const ok = await vscode.window.showWarningMessage(
          ids.length === 1 ? 'Remove this task and delete its downloaded video?' : `Remove ${ids.length} tasks and delete their downloaded videos?`,
          { modal: true, detail: running ? `${running} of them ${running === 1 ? 'is' : 'are'} still running at the provider, which may still bill for ${running === 1 ? 'it' : 'them'}.` : undefined },
          'Remove',
        );
        if (ok !== 'Remove') return undefined;
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
