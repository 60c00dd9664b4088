// Host side of the gallery, kept free of `vscode`: the card data of a task. The panel supplies
// the provider's label (from the registry) and `webviewUri`, which turns a downloaded file into a
// URI the webview may load (or undefined when the file may not be shown).
import type { Task } from '../../../core/model/task';
import type { GalleryTask } from '../../../webview/gallery/model';

/** Error texts are cut to what a card can show; the full text is in the Tasks view and the log. */
const MAX_ERROR = 500;

function finite(n: number | undefined): number | undefined {
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
}

export function toGalleryTask(task: Task, providerLabel: string, webviewUri: (file: string) => string | undefined): GalleryTask {
  const video = task.videos.find((v) => v.localPath) ?? task.videos[0];
  const card: GalleryTask = {
    id: task.id,
    prompt: task.prompt,
    provider: task.provider,
    providerLabel,
    model: task.model,
    status: task.status,
    progress: Math.max(0, Math.min(100, finite(task.progress) ?? 0)),
    createdAt: finite(task.createdAt) ?? 0,
    videoCount: task.videos.length,
  };
  const optional: Partial<GalleryTask> = {
    error: task.error?.slice(0, MAX_ERROR),
    finishedAt: finite(task.finishedAt),
    groupId: task.groupId,
    seed: video?.seed ?? task.request.seed,
    duration: finite(video?.duration),
    width: finite(video?.width),
    height: finite(video?.height),
    videoSrc: video?.localPath ? webviewUri(video.localPath) : undefined,
    posterSrc: video?.posterPath ? webviewUri(video.posterPath) : undefined,
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) (card as unknown as Record<string, unknown>)[k] = v;
  return card;
}
