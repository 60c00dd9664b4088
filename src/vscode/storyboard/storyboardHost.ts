// The extension's RenderHost (core/storyboard/types.ts): where a storyboard's files go in the
// workspace, generations through the task engine (a shot's task carries the block as its source, so
// its lenses and Use This Take find it), ffmpeg through core/media, and quotes and budgets from the
// money module (the catalogue's prices alone where it is absent, as in some tests).
// Paths in the lockfile are relative to the workspace folder; outputs go under aiVideo.saveFolder.
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

import type { TaskEngine } from '../../core/engine/engine';
import { createMedia, type Media } from '../../core/media';
import { errorMessage } from '../../core/model/errors';
import type { GenerateRequest, Task } from '../../core/model/task';
import { OverBudgetError } from '../../core/money/budget';
import { sumQuotes } from '../../core/money/quote';
import type { ModelCatalog } from '../../core/provider/catalog';
import { Sha256Cache } from '../../core/storyboard/fileHash';
import { LOCKFILE_SUFFIX, parseLock } from '../../core/storyboard/lockfile';
import { quoteRequests } from '../../core/storyboard/quote';
import type { Lockfile, RenderHost, RenderProgress, Shot, Take } from '../../core/storyboard/types';
import { ensureSaveFolder, saveFolderSetting } from '../../core/workspace/workspacePaths';
import { PROVIDERS } from '../../providers';
import { checkedBaseUrl, ffmpegPathSetting, saveFolder } from '../config';
import { resolveRequestMedia } from '../generate/mediaPaths';
import type { KeyStore } from '../keys/secretKeys';
import type { MoneyUi } from '../money/moneyUi';

export interface StoryboardHostDeps {
  engine: TaskEngine;
  keys: KeyStore;
  catalog: ModelCatalog;
  /** The extension's global storage: extracted frames go there. */
  storage: vscode.Uri;
  log: { info(msg: string): void; warn(msg: string): void };
  /** Quotes, budgets and the ledger: a storyboard's creates are charged as `storyboard`. */
  money?: MoneyUi;
  /**
   * A person started the render (the lens): a plan over the daily budget is not refused but said in the
   * one confirmation (`budgetNote`), and its shots are then sent as approved over the budget.
   */
  interactive?: boolean;
}

/** The extension's RenderHost, plus what an interactive render's confirmation says of the budget. */
export interface StoryboardHost extends RenderHost {
  /** Set by the budget check of an interactive render whose plan breaks a budget. */
  budgetNote(): string | undefined;
}

/** Where a storyboard's files are: its name, the workspace folder, the lockfile beside the Markdown. */
export interface StoryboardPlace {
  doc: vscode.Uri;
  /** The file name without `.md`. */
  name: string;
  root: string;
  /** Root-relative folder of the outputs (aiVideo.saveFolder). */
  folder: string;
  lockPath: string;
}

/** The place of a storyboard file; a message when it is not in a workspace folder. */
export function placeOf(doc: vscode.Uri): StoryboardPlace | { error: string } {
  const ws = vscode.workspace.getWorkspaceFolder(doc);
  if (doc.scheme !== 'file' || !ws) return { error: vscode.l10n.t('Save the storyboard in a workspace folder first: its files go there.') };
  const name = path.basename(doc.fsPath).replace(/\.(md|markdown)$/i, '');
  let folder: string;
  try {
    folder = saveFolderSetting(saveFolder());
  } catch (e) {
    return { error: errorMessage(e) };
  }
  return {
    doc,
    name,
    root: ws.uri.fsPath,
    folder,
    lockPath: path.join(path.dirname(doc.fsPath), `${name}${LOCKFILE_SUFFIX}`),
  };
}

const join = (...parts: string[]) => parts.filter(Boolean).join('/');

export function filmRel(place: StoryboardPlace): string {
  return join(place.folder, `${place.name}.mp4`);
}

export function shotRel(place: StoryboardPlace, shotId: string): string {
  return join(place.folder, place.name, `${shotId}.mp4`);
}

export async function readLockAt(lockPath: string, log?: StoryboardHostDeps['log']): Promise<Lockfile | undefined> {
  let text: string;
  try {
    text = await fs.promises.readFile(lockPath, 'utf8');
  } catch {
    return undefined;
  }
  const lock = parseLock(text);
  if ('error' in lock) {
    log?.warn(`Storyboard: ${lock.error} (${lockPath}); every shot counts as new.`);
    return undefined;
  }
  return lock;
}

/** The extension's one cache of output hashes: renders and the lenses' plans share it. */
export const outputHashes = new Sha256Cache();
export const sha256File = (file: string) => outputHashes.sha256(file);

/** ffmpeg for storyboards: inputs and outputs in the workspace folder or the extension's storage. */
export function storyboardMedia(root: string, storage: vscode.Uri): Media {
  return createMedia({
    ffmpegPath: () => ffmpegPathSetting() || undefined,
    allowedRoots: [root, storage.fsPath],
  });
}

/** Waits until the task has finished and its first video is downloaded; rejects when it fails. */
function whenDownloaded(engine: TaskEngine, id: string): Promise<Task> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const t = engine.getTask(id);
      if (!t) return (reject(new Error(vscode.l10n.t('The task was removed before it finished.'))), true);
      if (t.status === 'failed') return (reject(new Error(t.error ?? vscode.l10n.t('The generation failed.'))), true);
      if (t.status !== 'succeeded') return false;
      const video = t.videos.find((v) => v.localPath);
      if (video) return (resolve(t), true);
      const broken = t.videos.find((v) => v.downloadError);
      if (broken || !t.videos.length) return (reject(new Error(broken?.downloadError ?? vscode.l10n.t('The result has no video.'))), true);
      return false;
    };
    if (check()) return;
    const sub = engine.onDidChangeTasks((changed) => {
      if (changed.some((t) => t.id === id) && check()) sub.dispose();
    });
  });
}

export function createStoryboardHost(
  deps: StoryboardHostDeps,
  place: StoryboardPlace,
  onProgress?: (event: RenderProgress) => void,
  onTask?: (shotId: string, task: Task) => void,
): StoryboardHost {
  const media = storyboardMedia(place.root, deps.storage);
  let budgetNote: string | undefined;
  const abs = (rel: string) => path.join(place.root, ...rel.split('/'));
  const framesDir = path.join(deps.storage.fsPath, 'storyboard-frames');

  const generate = async (shot: Shot, input: GenerateRequest): Promise<Take> => {
    const request = structuredClone(input);
    const resolved = await resolveRequestMedia(request, place.doc, deps.storage);
    if ('error' in resolved) throw new Error(resolved.error);
    if (resolved.outside.length) {
      throw new Error(
        vscode.l10n.t('Shot "{0}" names files outside the workspace ({1}); a storyboard sends none.', shot.id, resolved.outside.join(', ')),
      );
    }
    const source = { uri: place.doc.toString(), hash: shot.block.hash, line: shot.block.fenceLine };
    const task = await deps.engine.generate(request, { source, who: 'storyboard', overBudget: budgetNote !== undefined });
    onTask?.(shot.id, task);
    onProgress?.({ kind: 'shot', id: shot.id, state: 'rendering' });
    const done = await whenDownloaded(deps.engine, task.id);
    const video = done.videos.find((v) => v.localPath)!;
    const seed = video.seed ?? done.request.seed;
    return {
      file: video.localPath!,
      taskId: done.id,
      jobId: done.remoteId || undefined,
      model: done.model || request.model || '',
      ...(seed !== undefined ? { seed } : {}),
      ...(done.cost ? { cost: { amount: done.cost.amount, currency: done.cost.currency } } : {}),
    };
  };

  return {
    shotOutput: (id) => shotRel(place, id),
    filmOutput: () => filmRel(place),
    absolute: abs,
    sha256: (rel) => sha256File(abs(rel)),
    readLock: () => readLockAt(place.lockPath, deps.log),
    async writeLock(text) {
      const tmp = `${place.lockPath}.${randomUUID()}.tmp`;
      await fs.promises.writeFile(tmp, text);
      await fs.promises.rename(tmp, place.lockPath);
    },
    generate,
    async copy(file, rel) {
      const dir = rel.split('/').slice(0, -1).join('/');
      await ensureSaveFolder(place.root, dir);
      const tmp = `${abs(rel)}.${randomUUID()}.tmp`;
      await fs.promises.copyFile(file, tmp);
      await fs.promises.rename(tmp, abs(rel));
    },
    async lastFrame(rel) {
      // One frame per output content: a take already used is not extracted again.
      const videoSha = await sha256File(abs(rel));
      if (!videoSha) throw new Error(vscode.l10n.t('{0} is missing.', rel));
      await fs.promises.mkdir(framesDir, { recursive: true });
      const png = path.join(framesDir, `${videoSha}-last.png`);
      let sha = await sha256File(png);
      if (!sha) {
        const tmp = path.join(framesDir, `${randomUUID()}.png`);
        await media.extractFrame(abs(rel), 'last', tmp);
        await fs.promises.rename(tmp, png);
        sha = (await sha256File(png))!;
      }
      return { path: png, sha256: sha };
    },
    async stitch(clips, rel) {
      await ensureSaveFolder(place.root, rel.split('/').slice(0, -1).join('/'));
      await media.stitch(clips.map(abs), abs(rel));
    },
    budgetNote: () => budgetNote,
    quote: async (requests) => {
      const money = deps.money;
      if (money) return sumQuotes(await Promise.all(requests.map((r) => money.quoteLoaded(r))));
      return quoteRequests(requests, async (req) => {
        const provider = PROVIDERS[req.provider];
        if (!provider || !req.model) return undefined;
        try {
          const base = checkedBaseUrl(provider);
          await deps.catalog.models(provider.id, base).catch(() => undefined);
          return deps.catalog.model(provider.id, base, req.model);
        } catch {
          return undefined;
        }
      });
    },
    async checkBudget(quote) {
      if (!deps.money) return undefined;
      const verdict = await deps.money.keeper.verdict({ basis: '', ...quote }, 'storyboard', deps.engine.getTasks());
      if (verdict.ok) return undefined;
      const message = new OverBudgetError(verdict).message;
      if (!deps.interactive) return message;
      budgetNote = message;
      return undefined;
    },
    async preflight(requests) {
      for (const id of new Set(requests.map((r) => r.provider))) {
        const provider = PROVIDERS[id];
        if (provider && !(await deps.keys.has(id))) {
          return vscode.l10n.t('No API key set for {0}. Run "AI Video: Set API Key…".', provider.label);
        }
      }
      try {
        await media.tools();
      } catch (e) {
        return errorMessage(e);
      }
      return undefined;
    },
    progress: onProgress,
  };
}
