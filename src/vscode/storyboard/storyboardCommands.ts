// Storyboard commands: Render Storyboard (the lens above the first shot, and
// `aiVideo.renderStoryboard(uri, {dryRun?})` for scripts), Use This Take on a task made from a shot,
// and Play Film. A render reads the document as open in the editor (unsaved edits included), else the
// file. A script call (an options object, `{}` included) asks nothing; the lens confirms the plan and
// its quote once before anything is sent. Progress is a cancellable notification: cancelling stops
// shots not yet sent, and sent ones finish and are kept. Play Film opens the film in the player panel
// (storyboard/film.ts says what it shows). The core is src/core/storyboard/.
import * as fs from 'fs';
import * as vscode from 'vscode';

import { errorMessage } from '../../core/model/errors';
import type { Task } from '../../core/model/task';
import { formatPrice } from '../../core/provider/pricing';
import { shotHash } from '../../core/storyboard/hash';
import { emptyLock, formatLock } from '../../core/storyboard/lockfile';
import { parseStoryboard, upstreamOf } from '../../core/storyboard/parse';
import { renderStoryboard, StoryboardError } from '../../core/storyboard/render';
import type { Quote, RenderProgress, RenderResult, StoryboardPlan } from '../../core/storyboard/types';
import { CommandContext } from '../commands/context';
import { executeClick } from '../commands/execute';
import { Invocation } from '../commands/invocation';
import { showError, showInfo, showWarning, withProgress } from '../notify';
import { PlayerPanel, type PlayerHost } from '../panels/player/playerPanel';
import { promptCatalog } from '../promptFiles/promptFileFeatures';
import { filmPath, noFilmMessage } from './film';
import { createStoryboardHost, placeOf, readLockAt, sha256File, shotRel, type StoryboardPlace } from './storyboardHost';

/** A shot's state while its storyboard renders, or after it failed. */
export type LiveShotState = 'queued' | 'sending' | 'rendering' | 'failed';

/** The renders running now and what each shot is doing; the lenses draw from it. */
export class StoryboardRuns implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with the document's URI (a string) when one of its shots changed state. */
  readonly onDidChange = this.changed.event;
  private readonly states = new Map<string, Map<string, { state: LiveShotState; error?: string }>>();
  private readonly running = new Set<string>();

  isRunning(doc: string): boolean {
    return this.running.has(doc);
  }
  start(doc: string): void {
    this.running.add(doc);
    this.states.set(doc, new Map());
    this.changed.fire(doc);
  }
  end(doc: string): void {
    this.running.delete(doc);
    // Only failures outlive the run: the rest is read from the plan again.
    const shots = this.states.get(doc);
    for (const [id, s] of shots ?? []) if (s.state !== 'failed') shots!.delete(id);
    this.changed.fire(doc);
  }
  set(doc: string, shotId: string, state: LiveShotState | undefined, error?: string): void {
    const shots = this.states.get(doc) ?? new Map();
    this.states.set(doc, shots);
    if (state) shots.set(shotId, { state, ...(error ? { error } : {}) });
    else shots.delete(shotId);
    this.changed.fire(doc);
  }
  stateOf(doc: string, shotId: string): { state: LiveShotState; error?: string } | undefined {
    return this.states.get(doc)?.get(shotId);
  }
  dispose(): void {
    this.changed.dispose();
  }
}

/** A document a command argument names (a Uri or its string), or the active editor's. */
async function documentOf(arg: unknown): Promise<vscode.TextDocument | undefined> {
  if (arg instanceof vscode.Uri) return vscode.workspace.openTextDocument(arg);
  if (typeof arg === 'string') return vscode.workspace.openTextDocument(vscode.Uri.parse(arg));
  return vscode.window.activeTextEditor?.document;
}

function quoteText(q: Quote): string {
  return q.amount === undefined ? vscode.l10n.t('price unknown') : formatPrice({ ...q, basis: '' });
}

function stateWord(e: RenderProgress & { kind: 'shot' }): string {
  switch (e.state) {
    case 'queued':
      return vscode.l10n.t('queued');
    case 'sending':
      return vscode.l10n.t('sending');
    case 'rendering':
      return vscode.l10n.t('rendering');
    case 'rendered':
      return vscode.l10n.t('rendered');
    case 'cached':
      return vscode.l10n.t('up to date');
    case 'failed':
      return vscode.l10n.t('failed');
    case 'skipped':
      return vscode.l10n.t('skipped');
  }
}

export function registerStoryboardCommands(c: CommandContext, runs: StoryboardRuns, playerHost: PlayerHost): void {
  // Read at each call: the parts of the extension are all there by then.
  const deps = (interactive = false) => ({
    engine: c.engine,
    keys: c.keys,
    catalog: c.catalog,
    storage: c.context.globalStorageUri,
    log: c.log,
    money: c.money,
    interactive,
  });

  const render = async (call: Invocation, uriArg?: unknown): Promise<RenderResult | undefined> => {
    const interactive = call.interactive;
    const fail = (message: string): undefined => {
      if (!interactive) throw new Error(message);
      void showError(message);
      return undefined;
    };
    const dryRun = call.options?.dryRun === true;
    const doc = await documentOf(uriArg);
    if (!doc) return fail(vscode.l10n.t('Open a storyboard: a Markdown file whose ```video blocks carry an "id:".'));
    const place = placeOf(doc.uri);
    if ('error' in place) return fail(place.error);
    const key = doc.uri.toString();
    if (runs.isRunning(key) && !dryRun) return fail(vscode.l10n.t('This storyboard is already rendering.'));
    const text = doc.getText();

    let budgetNote: () => string | undefined = () => undefined;
    const confirm = async (plan: StoryboardPlan, quote: Quote): Promise<boolean> => {
      const ids = plan.shots.filter((p) => !p.upToDate).map((p) => p.shot.id);
      const over = budgetNote();
      const go = over ? vscode.l10n.t('Render Anyway') : vscode.l10n.t('Render');
      const question = vscode.l10n.t('Render {0} shot(s) of {1} ({2}) for {3}?', ids.length, place.name, ids.join(', '), quoteText(quote));
      const choice = await showWarning(over ? `${over} ${question}` : question, { modal: true }, go);
      return choice === go;
    };

    const run = (progress?: vscode.Progress<{ message?: string }>, token?: vscode.CancellationToken) => {
      const abort = new AbortController();
      token?.onCancellationRequested(() => abort.abort());
      const seen = new Map<string, string>();
      const onProgress = (e: RenderProgress) => {
        if (e.kind === 'shot') {
          seen.set(e.id, stateWord(e));
          const live =
            e.state === 'queued' || e.state === 'sending' || e.state === 'rendering' || e.state === 'failed' ? e.state : undefined;
          runs.set(key, e.id, live, e.error);
        } else seen.set('', e.state === 'stitching' ? vscode.l10n.t('joining the film') : vscode.l10n.t('film written'));
        progress?.report({ message: [...seen].map(([id, s]) => (id ? `${id}: ${s}` : s)).join(' · ') });
      };
      const host = createStoryboardHost(deps(interactive), place, onProgress);
      budgetNote = host.budgetNote;
      return renderStoryboard({ text, catalog: promptCatalog() }, host, {
        dryRun,
        signal: abort.signal,
        ...(interactive ? { confirm } : {}),
      });
    };

    try {
      if (dryRun) return structuredClone(await run());
      runs.start(key);
      try {
        const title = vscode.l10n.t('Rendering {0}', place.name);
        const result = await withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, run);
        if (interactive) void reportDone(result, doc.uri);
        return structuredClone(result);
      } finally {
        runs.end(key);
      }
    } catch (e) {
      if (!interactive) throw e instanceof StoryboardError ? new Error(e.message) : e;
      void showError(errorMessage(e));
      return undefined;
    }
  };

  const reportDone = async (result: RenderResult, storyboard: vscode.Uri) => {
    const failed = result.shots.filter((s) => s.state === 'failed');
    if (failed.length) {
      await showError(vscode.l10n.t('Shot {0} failed: {1}', failed[0].id, failed[0].error ?? ''));
      return;
    }
    if (!result.output) return;
    const play = vscode.l10n.t('Play Film');
    if ((await showInfo(vscode.l10n.t('The film is ready: {0}', vscode.workspace.asRelativePath(result.output)), play)) === play) {
      await executeClick('aiVideo.playFilm', storyboard);
    }
  };

  /** Makes a take made from a shot that shot's chosen take: copies it to the shot's output and records it. */
  const useTake = async (task: Task): Promise<string> => {
    const source = task.source;
    if (!source) throw new Error(vscode.l10n.t('This task was not made from a storyboard shot.'));
    const video = task.videos.find((v) => v.localPath);
    if (task.status !== 'succeeded' || !video?.localPath) throw new Error(vscode.l10n.t('Only a finished, downloaded take can be chosen.'));
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(source.uri));
    const board = parseStoryboard(doc.getText(), promptCatalog());
    const shot = board.shots.find((s) => s.block.hash === source.hash);
    if (!shot) throw new Error(vscode.l10n.t('The shot this take was made from has changed or is gone; render the storyboard instead.'));
    const place = placeOf(doc.uri);
    if ('error' in place) throw new Error(place.error);
    const host = createStoryboardHost(deps(), place);
    const lock = (await readLockAt(place.lockPath, c.log)) ?? emptyLock();
    const up = upstreamOf(shot, board.shots);
    const rel = shotRel(place, shot.id);
    await host.copy(video.localPath, rel);
    const sha256 = (await sha256File(host.absolute(rel)))!;
    const seed = video.seed ?? task.request.seed;
    lock.shots[shot.id] = {
      hash: shotHash(
        shot,
        promptCatalog().providers.find((p) => p.id === shot.request.provider),
        up ? lock.shots[up.id]?.lastFrameSha256 : undefined,
      ),
      provider: task.provider,
      model: task.model,
      output: rel,
      sha256,
      ...(seed !== undefined ? { seed } : {}),
      ...(task.remoteId ? { jobId: task.remoteId } : {}),
      ...(task.cost ? { cost: { amount: task.cost.amount, currency: task.cost.currency } } : {}),
    };
    // The film no longer holds this take: the next render joins it again.
    delete lock.film;
    await host.writeLock(formatLock(lock));
    runs.set(source.uri, shot.id, undefined);
    return host.absolute(rel);
  };

  c.register('aiVideo.renderStoryboard', render);
  c.register('aiVideo.useThisTake', async (call) => {
    const task = call.taskIds[0] ? c.engine.getTask(call.taskIds[0]) : undefined;
    try {
      if (!task) throw new Error(vscode.l10n.t('Choose a task made from a storyboard shot.'));
      const file = await useTake(task);
      if (call.interactive) void showInfo(vscode.l10n.t('This take is now the shot in {0}.', vscode.workspace.asRelativePath(file)));
      return file;
    } catch (e) {
      if (!call.interactive) throw e;
      void showError(errorMessage(e));
      return undefined;
    }
  });
  c.register('aiVideo.playFilm', async (call, uriArg) => {
    const doc = await documentOf(uriArg);
    const film = doc ? filmPath(doc.uri) : undefined;
    const place = doc && placeOf(doc.uri);
    if (!doc || !place || 'error' in place || typeof film !== 'string' || !fs.existsSync(film)) {
      const message = noFilmMessage();
      if (!call.interactive) throw new Error(message);
      void showInfo(message);
      return undefined;
    }
    await PlayerPanel.showFilm(c.context.extensionUri, c.mediaRoot, playerHost, doc.uri.toString(), place.name);
    return film;
  });
}

/** Whether a task was made from a shot of a storyboard (Keep this one in Compare chooses it as the take). */
export function isShotTake(task: Task): boolean {
  if (!task.source) return false;
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === task.source!.uri);
  const text = doc?.getText() ?? readText(vscode.Uri.parse(task.source.uri));
  return !!text && parseStoryboard(text, promptCatalog()).shots.some((s) => s.block.hash === task.source!.hash);
}

function readText(uri: vscode.Uri): string | undefined {
  try {
    return uri.scheme === 'file' ? fs.readFileSync(uri.fsPath, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

export type { StoryboardPlace };
