// Host-side pure parts of the player panel, kept free of `vscode` so they are unit-tested in
// plain Node: its title, and what a task has to show. Its page is the shared one (appPage.ts).

import * as path from 'path';
import * as l10n from '@vscode/l10n';

import type { Task } from '../../../core/model/task';
import { actionsFor, type ProviderDescriptor } from '../../../core/provider/descriptor';
import { formatCost, formatWaiting, shortTitle } from '../../../shared/format';
import { fitText, MAX_VIDEO_INDEX } from '../../../shared/guards';
import { shorten } from '../../../shared/text';
import { MAX_ACTION_LABEL, type PlayerMeta } from '../../../webview/player/playerProtocol';

/** Panel title: `▶ <short prompt>`. */
export function panelTitle(prompt: string | undefined): string {
  return `▶ ${shortTitle(prompt, 30)}`;
}

/** True when `candidate` is `root` or lies below it (lexically; resolve symlinks first if needed). */
export function isPathInside(root: string, candidate: string): boolean {
  const relative = path.relative(path.resolve(root), path.resolve(candidate));
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

export type PlayerContent =
  { kind: 'video'; videoIndex: number; localPath: string; meta: PlayerMeta } | { kind: 'unavailable'; message: string };

/** A provider may report nonsense; the webview's guard rejects the whole message for one bad number. */
function finite(n: number | undefined, min = 0): number | undefined {
  return typeof n === 'number' && Number.isFinite(n) && n >= min ? n : undefined;
}

function unavailable(message: string): PlayerContent {
  return { kind: 'unavailable', message: fitText(message) };
}

/**
 * What the player shows for a task: its downloaded video `videoIndex` (or the first one when the
 * index is out of range), or why there is nothing to play. The local file must lie in `mediaRoot`.
 * `provider` is the task's registered provider (absent for one this build lacks).
 */
export function planPlayerContent(
  task: Task | undefined,
  videoIndex: number,
  mediaRoot: string,
  provider?: Pick<ProviderDescriptor, 'label' | 'actions'>,
  now = Date.now(),
): PlayerContent {
  if (!task) return unavailable(l10n.t('This task is not in the task list (it may have been removed).'));
  if (task.status === 'waiting') {
    return unavailable(l10n.t('Not sent yet: {0}.', formatWaiting(task.sendAfter, task.waitReason, now, l10n.t('waiting to send'))));
  }
  if (task.status === 'submitting') return unavailable(l10n.t('The request is being sent.'));
  if (task.status === 'queued' || task.status === 'running') {
    return unavailable(l10n.t('The video is still being generated ({0}%).', Math.round(task.progress)));
  }
  if (task.status === 'failed') {
    return unavailable(task.error ? l10n.t('Generation failed: {0}', task.error) : l10n.t('Generation failed.'));
  }
  if (task.videos.length === 0) return unavailable(l10n.t('The provider returned no video for this task.'));
  // The guard bounds counts and indexes (to 999): the picker offers that many, though a provider may list more.
  const count = Math.min(task.videos.length, MAX_VIDEO_INDEX);
  const index = Number.isInteger(videoIndex) && videoIndex >= 0 && videoIndex < count ? videoIndex : 0;
  const video = task.videos[index];
  if (!video.localPath) {
    return unavailable(
      video.downloadError
        ? l10n.t('The video could not be downloaded: {0}', video.downloadError)
        : l10n.t('The video has not been downloaded yet.'),
    );
  }
  if (!isPathInside(mediaRoot, video.localPath)) {
    return unavailable(l10n.t("The video file is outside the extension's media folder, so the player cannot load it."));
  }
  const meta: PlayerMeta = {
    title: fitText(shortTitle(task.prompt)),
    provider: fitText(task.provider),
    providerLabel: fitText(provider?.label ?? task.provider),
    model: fitText(task.model),
    prompt: task.prompt,
    negativePrompt: task.request.negativePrompt || undefined,
    seed: finite(video.seed ?? task.request.seed, -Number.MAX_VALUE),
    duration: finite(video.duration),
    width: finite(video.width),
    height: finite(video.height),
    fps: finite(video.fps),
    createdAt: finite(task.createdAt) ?? 0,
    remoteId: fitText(task.remoteId),
    videoCount: count,
    status: task.status,
    taskActions: actionsFor(provider, task).map((a) => ({ id: a.id, label: shorten(a.label, MAX_ACTION_LABEL) })),
  };
  const cost = formatCost(task.cost);
  if (cost) meta.cost = cost;
  return { kind: 'video', videoIndex: index, localPath: video.localPath, meta };
}
