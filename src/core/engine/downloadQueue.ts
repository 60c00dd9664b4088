// The download queue: fetches the results of succeeded tasks into the media folder, a few at a
// time, one download per video at once. Outcomes are handed back to the engine, which records
// them on the task. Each download has its own abort: a task removed (here or in another window)
// stops its downloads at once.
import { errorMessage, isProviderError } from '../model/errors';
import { Logger } from '../model/events';
import { Task, TaskVideo } from '../model/task';
import { DownloadOptions, DownloadSettings, downloadToFile, insideFolder, removeStalePartials, resultFileName } from '../net/download';
import { sanitizeText } from '../net/sanitize';
import { deleteTaskFiles, taskFolder } from '../workspace/taskFiles';
import { Semaphore } from './localLimits';

export interface DownloadQueueSettings {
  maxDownloadBytes: number;
  /** Attempts per download for transient failures, and the first retry delay. */
  downloadAttempts?: number;
  downloadRetryDelayMs?: number;
  /** Hosts allowed to be private, plain http, time limits. */
  download?: DownloadSettings;
}

export interface DownloadQueueDeps {
  /** Folder for downloaded results; each task gets a sub-folder. */
  mediaDir: string;
  settings(): DownloadQueueSettings;
  signal: AbortSignal;
  log: Logger;
  getTask(id: string): Task | undefined;
  /** The time a result's expiry is compared with. */
  now(): number;
  /** The key's headers for a result the provider serves itself (asked for on the first request only). */
  resultAuth(task: Task, url: string): Promise<Record<string, string>>;
  /** A download ended: `videos` is the task's list with this video's outcome in it. */
  record(task: Task, videos: TaskVideo[]): Promise<void>;
  /** A download ended, whatever its outcome. */
  done(): void;
  /** The provider's name, for messages (a result that is gone says who keeps results how long). */
  providerLabel?(id: string): string;
}

const DOWNLOADS_AT_ONCE = 2;
/** A poster or thumbnail larger than this is not one. */
const MAX_POSTER_BYTES = 10 * 1024 * 1024;
/** A `.part` file untouched this long was left by a crash. */
const STALE_PART_MS = 10 * 60_000;

export class DownloadQueue {
  private readonly running = new Map<string, Promise<void>>();
  /** Each running download's own abort, by the same key. */
  private readonly aborts = new Map<string, AbortController>();
  private readonly slots = new Semaphore(DOWNLOADS_AT_ONCE);
  private partialsSwept = false;
  private stopped = false;

  constructor(private readonly deps: DownloadQueueDeps) {}

  get size(): number {
    return this.running.size;
  }

  /** The downloads in flight, to wait for. */
  inFlight(): Promise<void>[] {
    return [...this.running.values()];
  }

  /** A result of this task has neither a local copy nor a recorded failure. */
  static pending(t: Task): boolean {
    return t.status === 'succeeded' && t.videos.some((v) => !v.localPath && !v.downloadError);
  }

  runningFor(t: Task): boolean {
    return t.videos.some((_v, i) => this.running.has(`${t.id}#${i}`));
  }

  /** Downloads every result of a succeeded task that has no local copy yet (also retries failed downloads). */
  ensure(task: Task): void {
    const cur = this.deps.getTask(task.id) ?? task;
    if (this.stopped || cur.status !== 'succeeded') return;
    cur.videos.forEach((v, i) => {
      if (v.localPath) return;
      const key = `${cur.id}#${i}`;
      if (this.running.has(key)) return;
      const abort = new AbortController();
      // Started on the next microtask, so the entry exists before download() can remove it.
      const run = Promise.resolve()
        .then(() => this.download(key, cur.id, i, v, AbortSignal.any([this.deps.signal, abort.signal])))
        .finally(() => this.deps.done());
      this.running.set(key, run);
      this.aborts.set(key, abort);
    });
  }

  /** Stops the downloads of a task that was removed; their partial files are deleted. */
  cancel(taskId: string): void {
    for (const [key, abort] of this.aborts) if (key.slice(0, key.lastIndexOf('#')) === taskId) abort.abort();
  }

  /** In the polling window only: results nobody has fetched yet (e.g. the editor closed mid-download). */
  startPending(tasks: Iterable<Task>): void {
    if (!this.partialsSwept) {
      this.partialsSwept = true;
      removeStalePartials(this.deps.mediaDir, STALE_PART_MS).catch(() => undefined);
    }
    for (const t of tasks) if (DownloadQueue.pending(t)) this.ensure(t);
  }

  stop(): void {
    this.stopped = true;
  }

  /** Never rejects: the outcome is recorded on the task. */
  private async download(key: string, taskId: string, index: number, video: TaskVideo, signal: AbortSignal): Promise<void> {
    const settings = this.deps.settings();
    let result: { path: string; bytes: number } | undefined;
    let failure: string | undefined;
    let posterPath: string | undefined;
    try {
      const dir = taskFolder(this.deps.mediaDir, taskId);
      const dest = insideFolder(dir, `${index + 1}-${resultFileName(video.url)}`);
      const task = this.deps.getTask(taskId);
      // A result the provider deletes goes first, the soonest deleted first (Replicate keeps outputs one hour).
      result = await this.slots.run(
        () =>
          downloadToFile(video.url, dest, {
            ...settings.download,
            ...this.access(task, video, video.url),
            maxBytes: settings.maxDownloadBytes,
            attempts: settings.downloadAttempts,
            retryDelayMs: settings.downloadRetryDelayMs,
            signal,
          }),
        video.expiresAt ?? Infinity,
      );
      posterPath = await this.downloadPoster(dir, index, video, task, settings.download, signal);
    } catch (e) {
      failure = isProviderError(e) && e.kind === 'cancelled' ? undefined : sanitizeText(errorMessage(e));
    } finally {
      // Before the outcome shows: a retry asked for right after it must not be taken for this one.
      this.running.delete(key);
      this.aborts.delete(key);
    }
    if (this.stopped) return;
    const cur = this.deps.getTask(taskId);
    // Removed while downloading: what it wrote goes too (the window that removed it may have deleted the folder first).
    if (!cur) await deleteTaskFiles(this.deps.mediaDir, [{ id: taskId, videos: [] }]);
    if (!result && failure === undefined) return;
    if (!cur || cur.videos[index]?.url !== video.url) return;
    const videos = cur.videos.slice();
    const next: TaskVideo = { ...videos[index] };
    if (result) {
      next.localPath = result.path;
      if (posterPath) next.posterPath = posterPath;
      delete next.downloadError;
      this.deps.log.info(`Downloaded ${result.bytes} bytes for task ${cur.remoteId}.`);
    } else {
      next.downloadError = failure;
      this.deps.log.error(`Download for task ${cur.remoteId} failed: ${failure}`);
    }
    videos[index] = next;
    await this.deps.record(cur, videos);
  }

  /** The provider's poster (or thumbnail) beside the video; best effort, as the gallery can show the video itself. */
  private async downloadPoster(
    dir: string,
    index: number,
    video: TaskVideo,
    task: Task | undefined,
    policy: DownloadSettings | undefined,
    signal: AbortSignal,
  ): Promise<string | undefined> {
    const url = video.posterUrl ?? video.thumbnailUrl;
    if (!url || video.posterPath) return video.posterPath;
    try {
      const ext = /\.(png|webp)$/i.exec(new URL(url).pathname)?.[0].toLowerCase() ?? '.jpg';
      const dest = insideFolder(dir, `${index + 1}-poster${ext}`);
      const opts = {
        ...policy,
        ...this.access(task, video, url),
        maxBytes: MAX_POSTER_BYTES,
        attempts: 1,
        signal,
        expect: 'image' as const,
      };
      return (await downloadToFile(url, dest, opts)).path;
    } catch (e) {
      this.deps.log.warn(`Poster download failed (the video itself serves as poster): ${errorMessage(e)}`);
      return undefined;
    }
  }

  /** Where the task was created, the result's expiry, and the key for a result on the provider's own API. */
  private access(
    task: Task | undefined,
    video: TaskVideo,
    url: string,
  ): Pick<DownloadOptions, 'origin' | 'expiresAt' | 'expiry' | 'now' | 'authHeaders'> {
    const by = task && (this.deps.providerLabel?.(task.provider) ?? task.provider);
    return {
      origin: task?.origin,
      expiresAt: video.expiresAt,
      ...(video.keptForMs !== undefined && by ? { expiry: { keptForMs: video.keptForMs, by } } : {}),
      now: () => this.deps.now(),
      authHeaders: video.authenticated && task ? () => this.deps.resultAuth(task, url) : undefined,
    };
  }
}
