// Host side of the gallery, kept free of `vscode`: the card data of a task. The panel supplies
// the provider's label (from the registry) and `webviewUri`, which turns a downloaded file into a
// URI the webview may load (or undefined when the file may not be shown). Every text field is cut
// here to what the webview's guard accepts, so one long prompt or error never costs a card; only a
// task whose id cannot be a card (ids are never cut: actions send them back) is left out.
import type { Task } from '../../../core/model/task';
import { formatCost } from '../../../shared/format';
import { fitText, isId } from '../../../shared/guards';
import { isCardUri, isGalleryTask, MAX_CARD_PROMPT } from '../../../webview/gallery/galleryProtocol';
import type { GalleryTask } from '../../../webview/gallery/model';

/** Error texts are cut to what a card can show; the full text is in the Tasks view and the log. */
const MAX_ERROR = 500;

function finite(n: number | undefined): number | undefined {
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** The card of a task, every field fitted to the guard; undefined when its id is unusable. */
export function toGalleryTask(
  task: Task,
  providerLabel: string,
  webviewUri: (file: string) => string | undefined,
): GalleryTask | undefined {
  if (!isId(task.id)) return undefined;
  const video = task.videos.find((v) => v.localPath) ?? task.videos[0];
  const seed = video?.seed ?? task.request.seed;
  const uri = (file: string | undefined) => {
    const u = file ? webviewUri(file) : undefined;
    return isCardUri(u) ? u : undefined;
  };
  const card: GalleryTask = {
    id: task.id,
    prompt: fitText(task.prompt, MAX_CARD_PROMPT),
    provider: fitText(task.provider),
    providerLabel: fitText(providerLabel),
    model: fitText(task.model),
    status: task.status,
    progress: Math.max(0, Math.min(100, finite(task.progress) ?? 0)),
    createdAt: finite(task.createdAt) ?? 0,
    videoCount: task.videos.length,
  };
  const optional: Partial<GalleryTask> = {
    error: task.error === undefined ? undefined : fitText(task.error, MAX_ERROR),
    finishedAt: finite(task.finishedAt),
    groupId: isId(task.groupId) ? task.groupId : undefined,
    seed: typeof seed === 'number' && Number.isFinite(seed) ? seed : undefined,
    duration: finite(video?.duration),
    width: finite(video?.width),
    height: finite(video?.height),
    videoSrc: uri(video?.localPath),
    posterSrc: uri(video?.posterPath),
    cost: formatCost(task.cost),
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) (card as unknown as Record<string, unknown>)[k] = v;
  return card;
}

/**
 * The cards of `tasks`, in order. A task that still gives no card the guard accepts (an unusable
 * id, a status word the webview does not know) is left out and passed to `dropped`, for the log.
 */
export function toGalleryCards(
  tasks: readonly Task[],
  providerLabel: (providerId: string) => string,
  webviewUri: (file: string) => string | undefined,
  dropped: (task: Task) => void,
): GalleryTask[] {
  const cards: GalleryTask[] = [];
  for (const task of tasks) {
    const card = toGalleryTask(task, providerLabel(task.provider), webviewUri);
    if (card && isGalleryTask(card)) cards.push(card);
    else dropped(task);
  }
  return cards;
}
