// The task engine: submits generations, keeps the task list, polls active tasks on a schedule,
// downloads results, persists everything. No `vscode` import: the extension wraps it.
//
// Several windows may run an engine on the same store file. Only the one holding the lease
// (lease.ts) polls and downloads; the others adopt its writes, noticed through a folder watch and a
// cheap stat of the store at every wake-up, and take over when it goes away. Nothing runs (no timer,
// no request) while no task is active and no result is waiting to be downloaded.
import { randomUUID } from 'crypto';
import { watch, FSWatcher, promises as fs } from 'fs';
import * as path from 'path';
import { downloadToFile, DownloadSettings, insideFolder, removeStalePartials, resultFileName } from './download';
import { Emitter, Event, Logger } from './events';
import { errorMessage, isProviderError, ProviderError } from './errors';
import { Lease } from './lease';
import { CreateRateLimiter, Semaphore } from './limiter';
import { DEFAULT_MEDIA_LIMITS, MediaLimits, resolveMedia } from './media';
import { sanitizeText } from './sanitize';
import { backoffDelayMs, firstPollDelayMs, nextPollDelayMs, withSample } from './scheduler';
import { StoreSnapshot, TaskStore } from './store';
import { deleteTaskFiles, sweepOrphansOnce, taskFolder } from './taskFiles';
import { GenerateRequest, isActive, ProviderId, Task, TaskSource, TaskVideo } from './types';
import { PollResults, ProviderClient, ProviderContext, RemoteState, resultAuthHeaders } from './provider';

export interface EngineSettings {
  /** Base poll interval, ms. */
  pollIntervalMs: number;
  /** Active tasks older than this are marked timed out (0 = never). */
  giveUpMs: number;
  maxDownloadBytes: number;
  media: MediaLimits;
  /** Polls answered with an unknown status before the task is failed. */
  maxUnknownPolls: number;
  /** Time limit of one provider request, ms (default: the HTTP client's, 30 s). */
  requestTimeoutMs?: number;
  /** Attempts per download for transient failures (default 3), and the first retry delay (default 1 s, doubling). */
  downloadAttempts?: number;
  downloadRetryDelayMs?: number;
  /** Hosts allowed to be private, plain http, time limits (download.ts). */
  download?: DownloadSettings;
}

export const DEFAULT_ENGINE_SETTINGS: EngineSettings = {
  pollIntervalMs: 5000,
  giveUpMs: 60 * 60_000,
  maxDownloadBytes: 500 * 1024 * 1024,
  media: DEFAULT_MEDIA_LIMITS,
  maxUnknownPolls: 60,
};

export interface EngineDeps {
  providers: Partial<Record<ProviderId, ProviderClient>>;
  /** Base URL and key for a provider; rejects with a ProviderError ('auth' when there is no key). */
  context(provider: ProviderId): Promise<ProviderContext>;
  store: TaskStore;
  /** Folder for downloaded results; each task gets a sub-folder. */
  mediaDir: string;
  settings(): EngineSettings;
  log: Logger;
  now?: () => number;
  /** How often the polling window renews its lease and the others look for its changes, ms (default 4000). */
  leaseRenewMs?: number;
  /** This window's id in the lease file (default: random). */
  ownerId?: string;
  /** Progress-only changes are written at most this often, ms (default 1000). */
  saveDelayMs?: number;
  /** Watch the store's folder so writes by other windows show at once (default true). */
  watchStore?: boolean;
  /**
   * Benchmarks only: `now` runs this many times faster than the wall clock, so the engine's timer
   * waits (computed in `now` time) are divided by it. Every scheduling decision is unchanged. Default 1.
   */
  timeScale?: number;
}

interface PollState {
  nextAt: number;
  failures: number;
  unknownPolls: number;
  firstSample?: { at: number; progress: number };
  lastSample?: { at: number; progress: number };
}

interface Pause {
  until: number;
  /** 'key': the key is missing or was rejected, lifted by keyChanged/refresh; 'server': Retry-After. */
  reason: 'key' | 'server';
}

const DEFAULT_LEASE_RENEW_MS = 4000;
const DEFAULT_SAVE_DELAY_MS = 1000;
/** A provider that rejected the key is asked again after this long even without a new key (a hiccup). */
const KEY_PAUSE_MS = 30 * 60_000;
/** Tasks due within this much of a poll of their provider ride along (one batch request, one wake-up). */
const MAX_ALIGN_MS = 2000;
const DOWNLOADS_AT_ONCE = 2;
/** A poster or thumbnail larger than this is not one. */
const MAX_POSTER_BYTES = 10 * 1024 * 1024;
/** A `.part` file untouched this long was left by a crash. */
const STALE_PART_MS = 10 * 60_000;

export class TaskEngine {
  private readonly tasks = new Map<string, Task>();
  private readonly pollState = new Map<string, PollState>();
  private readonly pauses = new Map<ProviderId, Pause>();
  /** Providers with a poll in flight: never two at once for one provider. */
  private readonly polling = new Map<ProviderId, Promise<void>>();
  private readonly downloads = new Map<string, Promise<void>>();
  private readonly downloadSlots = new Semaphore(DOWNLOADS_AT_ONCE);
  private readonly creates = new CreateRateLimiter();
  /** Tasks resumed by "check again": their schedule and give-up time count from then. */
  private readonly resumeAt = new Map<string, number>();
  private readonly changed = new Emitter<Task[]>();
  private readonly warned = new Emitter<string>();
  private readonly abort = new AbortController();
  private readonly lease: Lease;
  private leader = false;
  private nextLeaseCheck = 0;
  private leaseErrorLogged = false;
  private coordinating: Promise<void> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private watchTimer: ReturnType<typeof setTimeout> | undefined;
  private watcher: FSWatcher | undefined;
  private pendingRemovals: string[] = [];
  private partialsSwept = false;
  private disposed = false;
  private readonly now: () => number;
  private readonly timeScale: number;

  readonly onDidChangeTasks: Event<Task[]> = this.changed.event;
  /** Problems the user should see (e.g. the history file was unreadable and moved aside). */
  readonly onDidWarn: Event<string> = this.warned.event;

  constructor(private readonly deps: EngineDeps) {
    this.now = deps.now ?? Date.now;
    this.timeScale = deps.timeScale !== undefined && deps.timeScale > 0 ? deps.timeScale : 1;
    const file = deps.store.file;
    this.lease = new Lease({
      file: path.join(path.dirname(file), `${path.basename(file, path.extname(file))}.lease`),
      owner: deps.ownerId ?? randomUUID(),
      renewMs: this.renewMs,
    });
  }

  async init(): Promise<void> {
    let loaded: StoreSnapshot;
    try {
      loaded = await this.deps.store.load();
    } catch (e) {
      loaded = { tasks: [], removed: [], resumedAt: {}, warning: `Could not read the task history (${errorMessage(e)}); starting with an empty list.` };
    }
    if (loaded.warning) this.warn(loaded.warning);
    this.adopt(loaded, false);
    // Only against a history that loaded cleanly: an unreadable one would make every folder an orphan.
    if (!loaded.warning) await this.sweepOrphans();
    this.deps.log.info(`Loaded ${this.tasks.size} task(s), ${this.pollState.size} active.`);
    await this.watchStore();
    this.schedule();
  }

  getTasks(): Task[] {
    return [...this.tasks.values()].sort((a, b) => b.createdAt - a.createdAt);
  }

  getTask(id: string): Task | undefined {
    return this.tasks.get(id);
  }

  hasActiveTasks(): boolean {
    return [...this.tasks.values()].some(isActive);
  }

  /** Whether this window is the one polling (holds the lease). */
  get isPolling(): boolean {
    return this.leader;
  }

  /** Whether a timer is armed: false whenever there is nothing to do. */
  get hasScheduledWork(): boolean {
    return this.timer !== undefined || this.saveTimer !== undefined || this.polling.size > 0 || this.downloads.size > 0;
  }

  /** Validates, resolves media, creates the remote task and records it before returning. */
  async generate(input: GenerateRequest, opts: { source?: TaskSource } = {}): Promise<Task> {
    const { groupId, ...rest } = input;
    const req: GenerateRequest = { ...rest, prompt: (input.prompt ?? '').trim() };
    const provider = this.deps.providers[req.provider];
    if (!provider) {
      throw new ProviderError({ kind: 'input', message: `Provider "${String(req.provider)}" is not supported. Use one of: ${Object.keys(this.deps.providers).join(', ')}.` });
    }
    const invalid = provider.validate(req);
    if (invalid) throw new ProviderError({ kind: 'input', message: invalid });
    const ctx = this.withDefaults(await this.deps.context(req.provider));
    const media = await resolveMedia(req, this.deps.settings().media);
    const requestId = randomUUID();
    const limitKey = this.reserveCreate(provider, req, media, requestId);
    const now = this.now();
    const base: Task = {
      id: randomUUID(),
      provider: req.provider,
      remoteId: '',
      mode: 'text-to-video',
      status: 'queued',
      progress: 0,
      prompt: req.prompt,
      model: req.model ?? '',
      createdAt: now,
      updatedAt: now,
      videos: [],
      request: req,
      ...(groupId ? { groupId } : {}),
      ...(opts.source && { source: { ...opts.source } }),
    };
    let created;
    try {
      created = await provider.create(ctx, req, media, requestId);
    } catch (e) {
      if (!isProviderError(e)) throw e;
      if (e.mayHaveStarted) {
        // Never silence: the job may be running (and billed) at the provider.
        const lost: Task = {
          ...base,
          status: 'failed',
          uncertain: true,
          errorKind: e.kind,
          error: `${e.message} The create request got no usable answer, so the job may or may not have started at ${provider.label}; check your account there before generating again.`,
          finishedAt: now,
        };
        this.tasks.set(lost.id, lost);
        await this.persistNow();
        this.changed.fire([lost]);
        this.deps.log.warn(`Create for ${provider.label} lost its answer: ${e.message}`);
      }
      if (e.kind === 'rateLimited' && e.retryAfterMs !== undefined) {
        this.creates.blockUntil(limitKey, this.now() + e.retryAfterMs);
        throw new ProviderError({ kind: e.kind, status: e.status, providerCode: e.providerCode, retryAfterMs: e.retryAfterMs, message: `${e.message} Try again in ${formatDelay(e.retryAfterMs)}.` });
      }
      throw e;
    }
    const task: Task = { ...base, remoteId: created.remoteId, mode: created.mode, model: created.model, route: created.route, origin: ctx.baseUrl, rawStatus: 'submitted' };
    this.tasks.set(task.id, task);
    // Stored the moment the create returns an id, before any UI sees it.
    await this.persistNow();
    this.pollState.set(task.id, this.freshPollState(this.now() + firstPollDelayMs(this.deps.settings().pollIntervalMs)));
    this.deps.log.info(`Created ${provider.label} task ${task.remoteId} (${task.mode}, model ${task.model}).`);
    this.changed.fire([task]);
    this.schedule();
    return task;
  }

  /** Polls every active task now (in the window that polls; another window just re-reads the history). */
  async refresh(): Promise<void> {
    if (this.disposed) return;
    for (const [p, pause] of this.pauses) if (pause.reason === 'key') this.pauses.delete(p);
    const now = this.now();
    for (const st of this.pollState.values()) st.nextAt = now;
    this.nextLeaseCheck = 0;
    await this.coordinate().catch((e: unknown) => this.deps.log.error(`Refresh failed: ${errorMessage(e)}`));
    if (this.leader) this.launchDuePolls();
    await Promise.all(this.polling.values());
    this.schedule();
  }

  /** Settings changed (e.g. a base URL): every active task is looked at again now. */
  settingsChanged(): void {
    const now = this.now();
    for (const st of this.pollState.values()) st.nextAt = Math.min(st.nextAt, now);
    this.schedule();
  }

  /** A key was set or removed: tasks paused for a missing or rejected key may go on. */
  keyChanged(provider: ProviderId): void {
    if (this.pauses.get(provider)?.reason === 'key') this.pauses.delete(provider);
    const now = this.now();
    for (const t of this.tasks.values()) {
      const st = this.pollState.get(t.id);
      if (t.provider === provider && st) st.nextAt = now;
    }
    this.schedule();
  }

  /**
   * Resumes polling a task that was given up on (timed out, or too many unknown statuses); the
   * give-up clock restarts. An uncertain create has no provider id to ask about, so it is left as is.
   */
  checkAgain(id: string): void {
    const t = this.tasks.get(id);
    if (!t || !t.remoteId || isActive(t)) return;
    const now = this.now();
    this.resumeAt.set(id, now);
    this.update(t, { status: 'running', error: undefined, errorKind: undefined, timedOut: undefined, finishedAt: undefined });
    this.pollState.set(id, this.freshPollState(now));
    this.changed.fire([t]);
    void this.persistNow();
    this.schedule();
  }

  async remove(ids: string[]): Promise<void> {
    const removed: Task[] = [];
    for (const id of ids) {
      const t = this.tasks.get(id);
      if (!t) continue;
      this.forget(id);
      this.pendingRemovals.push(id);
      removed.push(t);
    }
    if (removed.length === 0) return;
    await this.persistNow();
    await deleteTaskFiles(this.deps.mediaDir, removed);
    this.changed.fire(removed);
    this.schedule();
  }

  async clearFinished(): Promise<number> {
    const ids = [...this.tasks.values()].filter((t) => !isActive(t)).map((t) => t.id);
    await this.remove(ids);
    return ids.length;
  }

  /** Adopts what other windows wrote to the store (new tasks, newer states, removals). */
  async reloadFromStore(): Promise<void> {
    let snap: StoreSnapshot;
    try {
      snap = await this.deps.store.load();
    } catch (e) {
      this.deps.log.error(`Could not re-read the task history: ${errorMessage(e)}`);
      return;
    }
    if (this.disposed) return;
    if (snap.warning) {
      this.warn(snap.warning);
      // The file was moved aside: write what this window knows into the new one.
      if (this.tasks.size) await this.persistNow();
    }
    this.adopt(snap);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const dirty = this.saveTimer !== undefined;
    for (const t of [this.timer, this.saveTimer, this.watchTimer]) if (t) clearTimeout(t);
    this.timer = this.saveTimer = this.watchTimer = undefined;
    this.watcher?.close();
    this.abort.abort();
    const unsaved = this.pendingRemovals.length > 0 || dirty;
    const wasLeader = this.leader;
    this.leader = false;
    void (unsaved ? this.deps.store.save(this.getTasks(), { removed: this.takeRemovals(), resumedAt: Object.fromEntries(this.resumeAt) }) : Promise.resolve())
      .catch(() => undefined)
      .then(() => (wasLeader ? this.lease.release() : undefined))
      .catch(() => undefined);
    this.changed.dispose();
    this.warned.dispose();
  }

  /** Waits for pending writes (tests, deactivate). */
  async flush(): Promise<void> {
    if (this.saveTimer) await this.persistNow();
    await this.deps.store.flush();
  }

  /** Waits for polls and downloads in flight, then for pending writes. */
  async settle(): Promise<void> {
    while (this.polling.size || this.downloads.size) await Promise.all([...this.polling.values(), ...this.downloads.values()]);
    await this.flush();
  }

  // ---- scheduling and leadership ------------------------------------------------------------

  private get renewMs(): number {
    return Math.max(50, this.deps.leaseRenewMs ?? DEFAULT_LEASE_RENEW_MS);
  }

  /** Work that needs the polling window: an active task, or a result not downloaded yet. */
  private hasWork(): boolean {
    for (const t of this.tasks.values()) if ((isActive(t) && t.remoteId) || this.downloadPending(t)) return true;
    return this.downloads.size > 0;
  }

  private schedule(): void {
    if (this.disposed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.hasWork()) {
      // Nothing active: no timer, no requests, and the lease is free for whichever window needs it.
      if (this.leader) {
        this.leader = false;
        this.nextLeaseCheck = 0;
        this.lease.release().catch((e: unknown) => this.deps.log.warn(`Could not release the polling lease: ${errorMessage(e)}`));
      }
      return;
    }
    const now = this.now();
    let next = this.nextLeaseCheck;
    if (this.leader) {
      for (const t of this.tasks.values()) {
        if (this.downloadPending(t) && !this.downloadsInFlight(t)) next = now;
        const st = this.pollState.get(t.id);
        if (!st || !isActive(t) || this.polling.has(t.provider)) continue;
        const pause = this.pauses.get(t.provider);
        const resumeAt = pause && pause.until > now ? pause.until : 0;
        next = Math.min(next, Math.max(st.nextAt, resumeAt), this.giveUpAt(t));
      }
    }
    const delay = Math.max(0, Math.min(next - now, 2 ** 31 - 1));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.tick();
    }, delay / this.timeScale);
  }

  private async tick(): Promise<void> {
    try {
      await this.coordinate();
      if (this.leader && !this.disposed) {
        this.launchDuePolls();
        this.startAutoDownloads();
      }
    } catch (e) {
      this.deps.log.error(`Task engine: ${errorMessage(e)}`);
    } finally {
      this.schedule();
    }
  }

  /** Adopts other windows' writes, then takes or renews the lease when it is time. */
  private coordinate(): Promise<void> {
    this.coordinating ??= this.doCoordinate().finally(() => (this.coordinating = undefined));
    return this.coordinating;
  }

  private async doCoordinate(): Promise<void> {
    if (await this.deps.store.changedOnDisk().catch(() => false)) await this.reloadFromStore();
    if (this.disposed || this.now() < this.nextLeaseCheck || !this.hasWork()) return;
    const was = this.leader;
    try {
      this.leader = await this.lease.acquire();
      this.leaseErrorLogged = false;
    } catch (e) {
      // The lease cannot be kept (read-only folder...): poll anyway rather than never.
      if (!this.leaseErrorLogged) this.deps.log.warn(`Polling lease unavailable (${errorMessage(e)}); this window polls on its own.`);
      this.leaseErrorLogged = true;
      this.leader = true;
    }
    if (this.disposed) {
      if (this.leader) await this.lease.release().catch(() => undefined);
      this.leader = false;
      return;
    }
    this.nextLeaseCheck = this.now() + this.renewMs;
    if (this.leader && !was) {
      // The previous poller's schedule is unknown: ask about everything once.
      const now = this.now();
      for (const st of this.pollState.values()) st.nextAt = Math.min(st.nextAt, now);
      this.deps.log.info('This window now checks the running tasks.');
    } else if (!this.leader && was) {
      this.deps.log.info('Another window now checks the running tasks.');
    }
  }

  private async watchStore(): Promise<void> {
    if (this.deps.watchStore === false || this.disposed) return;
    const dir = path.dirname(this.deps.store.file);
    const name = path.basename(this.deps.store.file);
    try {
      await fs.mkdir(dir, { recursive: true });
      this.watcher = watch(dir, { persistent: false }, (_event, file) => {
        if (file && file.toString() !== name) return;
        if (this.watchTimer || this.disposed) return;
        this.watchTimer = setTimeout(() => {
          this.watchTimer = undefined;
          this.deps.store
            .changedOnDisk()
            .then((changed) => (changed && !this.disposed ? this.reloadFromStore() : undefined))
            .catch((e: unknown) => this.deps.log.warn(`Could not re-read the task history: ${errorMessage(e)}`));
        }, 50);
      });
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch (e) {
      this.deps.log.warn(`Not watching the task history for other windows (${errorMessage(e)}); it is re-read while tasks run.`);
    }
  }

  // ---- polling -------------------------------------------------------------------------------

  private launchDuePolls(): void {
    const now = this.now();
    const base = this.deps.settings().pollIntervalMs;
    const align = Math.min(MAX_ALIGN_MS, base / 2);
    const byProvider = new Map<ProviderId, Task[]>();
    const gaveUp: Task[] = [];
    for (const t of this.tasks.values()) {
      const st = this.pollState.get(t.id);
      if (!st || !isActive(t) || !t.remoteId || this.polling.has(t.provider)) continue;
      const pause = this.pauses.get(t.provider);
      const paused = pause !== undefined && pause.until > now;
      if (paused && this.giveUpAt(t) <= now) {
        this.giveUp(t);
        gaveUp.push(t);
        continue;
      }
      if (paused) continue;
      const list = byProvider.get(t.provider) ?? [];
      list.push(t);
      byProvider.set(t.provider, list);
    }
    if (gaveUp.length) void this.persistNow().then(() => this.changed.fire(gaveUp));
    for (const [p, candidates] of byProvider) {
      const due = (t: Task, slack: number) => this.pollState.get(t.id)!.nextAt <= now + slack || this.giveUpAt(t) <= now;
      // Only when one is due; then those due soon come along (a batching provider asks once for all).
      if (!candidates.some((t) => due(t, 50))) continue;
      const run = this.pollProvider(
        p,
        candidates.filter((t) => due(t, align)),
      )
        .catch((e: unknown) => this.deps.log.error(`Polling ${this.labelOf(p)} failed: ${errorMessage(e)}`))
        .finally(() => {
          this.polling.delete(p);
          this.schedule();
        });
      this.polling.set(p, run);
    }
  }

  private async pollProvider(providerId: ProviderId, tasks: Task[]): Promise<void> {
    const provider = this.deps.providers[providerId];
    if (!provider) return;
    let ctx: ProviderContext;
    try {
      ctx = this.withDefaults(await this.deps.context(providerId));
    } catch (e) {
      // No key (or unusable settings): pause this provider until the key changes.
      const err = isProviderError(e) ? e : new ProviderError({ kind: 'config', message: errorMessage(e) });
      this.pauses.set(providerId, { until: this.now() + KEY_PAUSE_MS, reason: 'key' });
      this.deps.log.warn(`Polling ${provider.label} paused: ${err.message}`);
      await this.applyResults(tasks, new Map(tasks.map((t) => [t.id, err] as const)), provider.label, true);
      return;
    }
    // A task is only asked about where it was created: if the base URL setting changed since,
    // the key must not follow it to the old host, and the new host does not know the task.
    const elsewhere = tasks.filter((t) => t.origin && t.origin !== ctx.baseUrl);
    if (elsewhere.length) {
      const now = this.now();
      const changed: Task[] = [];
      for (const t of elsewhere) {
        const st = this.pollState.get(t.id);
        if (st) st.nextAt = now + 10 * 60_000;
        const message = `Created at ${hostOf(t.origin!)}, but the ${provider.label} base URL now points to ${hostOf(ctx.baseUrl)}. Checking is paused; set the base URL back to resume.`;
        if (this.update(t, { error: message, errorKind: 'config' })) changed.push(t);
      }
      if (changed.length) {
        this.saveSoon();
        this.changed.fire(changed);
      }
      tasks = tasks.filter((t) => !elsewhere.includes(t));
      if (!tasks.length) return;
    }
    let results: PollResults;
    try {
      results = await provider.poll(ctx, tasks);
    } catch (e) {
      const err = isProviderError(e) ? e : new ProviderError({ kind: 'malformed', message: errorMessage(e) });
      results = new Map(tasks.map((t) => [t.id, err] as const));
    }
    await this.applyResults(tasks, results, provider.label, false);
  }

  private async applyResults(tasks: Task[], results: PollResults, label: string, paused: boolean): Promise<void> {
    if (this.disposed) return;
    const changed: Task[] = [];
    let final = false;
    const now = this.now();
    for (const t of tasks) {
      if (this.tasks.get(t.id) !== t || !isActive(t)) continue; // removed or finished elsewhere meanwhile
      const r = results.get(t.id) ?? new ProviderError({ kind: 'malformed', message: `${label} did not report on this task.` });
      let did: boolean;
      if (paused && isProviderError(r)) {
        const until = r.kind === 'auth' ? 'until a key is set' : 'until this is fixed (then use Refresh)';
        did = this.update(t, { error: `${r.message} Checking is paused ${until}.`, errorKind: r.kind });
      }
      else did = isProviderError(r) ? this.applyError(t, r) : this.applyState(t, r);
      if (isActive(t) && this.giveUpAt(t) <= now) {
        this.giveUp(t);
        did = true;
      }
      if (!isActive(t)) final = true;
      if (did) changed.push(t);
    }
    if (final) await this.persistNow();
    else if (changed.length) this.saveSoon();
    if (changed.length) this.changed.fire(changed);
  }

  private applyState(task: Task, s: RemoteState): boolean {
    const now = this.now();
    const st = this.pollState.get(task.id) ?? this.freshPollState(now);
    this.pollState.set(task.id, st);
    st.failures = 0;
    const base = this.deps.settings().pollIntervalMs;
    if (s.status === 'unknown') {
      st.unknownPolls++;
      if (st.unknownPolls > this.deps.settings().maxUnknownPolls) {
        this.finish(task, {
          status: 'failed',
          error: `${this.labelOf(task.provider)} kept reporting an unknown status ("${s.rawStatus}") ${st.unknownPolls} times; stopped checking. Use "Check Again" to resume.`,
          errorKind: 'malformed',
          rawStatus: s.rawStatus,
          timedOut: true,
        });
        return true;
      }
      st.nextAt = now + nextPollDelayMs({ baseMs: base, now, createdAt: this.startOf(task) });
      return this.update(task, { rawStatus: s.rawStatus, error: undefined, errorKind: undefined, status: task.status === 'queued' ? 'queued' : 'running' });
    }
    st.unknownPolls = 0;
    if (s.status === 'succeeded') {
      const keep = new Map(task.videos.map((v) => [v.url, v]));
      const videos = s.videos.map((v) => ({ ...v, localPath: keep.get(v.url)?.localPath }));
      this.finish(task, { status: 'succeeded', progress: 100, rawStatus: s.rawStatus, videos, error: s.error, errorKind: undefined });
      this.ensureDownloads(task);
      return true;
    }
    if (s.status === 'failed') {
      this.finish(task, { status: 'failed', rawStatus: s.rawStatus, error: s.error ?? `${this.labelOf(task.provider)} reported the generation failed.`, errorKind: 'business', videos: s.videos });
      return true;
    }
    const progress = s.progress !== undefined ? Math.max(task.progress, s.progress) : task.progress;
    if (s.status === 'running' && s.progress !== undefined) Object.assign(st, withSample(st, now, s.progress));
    st.nextAt = now + nextPollDelayMs({ baseMs: base, now, createdAt: this.startOf(task), status: s.status, firstSample: st.firstSample, lastSample: st.lastSample });
    return this.update(task, { status: s.status, progress, rawStatus: s.rawStatus, error: undefined, errorKind: undefined });
  }

  private applyError(task: Task, e: ProviderError): boolean {
    if (e.kind === 'cancelled') return false;
    const now = this.now();
    if (e.kind === 'notFound' || e.kind === 'badRequest') {
      this.finish(task, { status: 'failed', error: e.message, errorKind: e.kind });
      return true;
    }
    const st = this.pollState.get(task.id) ?? this.freshPollState(now);
    this.pollState.set(task.id, st);
    st.failures++;
    if (e.kind === 'auth') {
      // The key was rejected: stop asking until a new key is set.
      this.pauses.set(task.provider, { until: now + KEY_PAUSE_MS, reason: 'key' });
      st.nextAt = now;
      this.deps.log.warn(`${this.labelOf(task.provider)} rejected the key; checking is paused until it changes.`);
      return this.update(task, { error: `${e.message} Checking is paused until the key changes.`, errorKind: e.kind });
    }
    const delay = backoffDelayMs(st.failures, this.deps.settings().pollIntervalMs, e.retryAfterMs);
    if (e.retryAfterMs !== undefined) {
      // Retry-After speaks for the whole provider, not just this task.
      const until = now + e.retryAfterMs;
      const cur = this.pauses.get(task.provider);
      if (!cur || (cur.reason === 'server' && cur.until < until)) this.pauses.set(task.provider, { until, reason: 'server' });
    }
    st.nextAt = now + delay;
    this.deps.log.warn(`Poll of ${this.labelOf(task.provider)} task ${task.remoteId} failed (${e.kind}): ${e.message}`);
    return this.update(task, { error: `${e.message} Retrying in ${formatDelay(delay)}.`, errorKind: e.kind });
  }

  private labelOf(provider: ProviderId): string {
    return this.deps.providers[provider]?.label ?? provider;
  }

  private startOf(task: Task): number {
    return Math.max(task.createdAt, this.resumeAt.get(task.id) ?? 0);
  }

  private giveUpAt(task: Task): number {
    const giveUp = this.deps.settings().giveUpMs;
    return giveUp > 0 ? this.startOf(task) + giveUp : Infinity;
  }

  private giveUp(task: Task): void {
    const last = task.error ? ` Last problem: ${task.error}` : '';
    this.finish(task, {
      status: 'failed',
      timedOut: true,
      errorKind: 'timeout',
      error: `No result after ${formatDelay(this.deps.settings().giveUpMs)}; stopped checking. Use "Check Again" to resume.${last}`,
    });
  }

  private finish(task: Task, patch: Partial<Task>): void {
    this.update(task, { ...patch, finishedAt: this.now() });
    this.pollState.delete(task.id);
    this.resumeAt.delete(task.id);
    this.deps.log.info(`${this.labelOf(task.provider)} task ${task.remoteId} ${task.status}${task.error ? `: ${task.error}` : ''}.`);
  }

  /** Applies `patch` (undefined deletes a field); true when something changed, and only then is `updatedAt` bumped. */
  private update(task: Task, patch: Partial<Task>): boolean {
    const record = task as unknown as Record<string, unknown>;
    let changed = false;
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) {
        if (k in record) {
          delete record[k];
          changed = true;
        }
      } else if (JSON.stringify(record[k]) !== JSON.stringify(v)) {
        record[k] = v;
        changed = true;
      }
    }
    // Strictly newer than the state it was based on, so a merge with another window's copy picks it.
    if (changed) task.updatedAt = Math.max(this.now(), task.updatedAt + 1);
    return changed;
  }

  private freshPollState(nextAt: number): PollState {
    return { nextAt, failures: 0, unknownPolls: 0 };
  }

  private withDefaults(ctx: ProviderContext): ProviderContext {
    return { ...ctx, timeoutMs: ctx.timeoutMs ?? this.deps.settings().requestTimeoutMs, signal: ctx.signal ?? this.abort.signal };
  }

  /**
   * Applies a published per-minute create limit (and a server's Retry-After on creates); returns the
   * limiter key. Over the limit the create fails at once with the wait, rather than waiting: the
   * task would sit invisible behind a pending command for up to a minute, and a queued create would
   * bill later, when the user may no longer want it. Nothing is sent, so nothing is uncertain.
   */
  private reserveCreate(provider: ProviderClient, req: GenerateRequest, media: Parameters<ProviderClient['buildCreate']>[1], requestId: string): string {
    const perMinute = provider.limits.createsPerMinute;
    const route = perMinute ? (provider.buildCreate(req, media, requestId).route ?? req.model ?? '') : '';
    const key = `${provider.id}:${route}`;
    const limit = perMinute?.[route];
    const { waitMs, reason } = this.creates.reserve(key, limit, this.now());
    if (waitMs > 0) {
      const why = reason === 'limit' ? `${provider.label} accepts at most ${limit} ${route} task${limit === 1 ? '' : 's'} a minute` : `${provider.label} asked to wait before the next create`;
      throw new ProviderError({ kind: 'rateLimited', retryAfterMs: waitMs, message: `${why}; this one was not sent. Try again in ${formatDelay(waitMs)}.` });
    }
    return key;
  }

  // ---- adopting the store --------------------------------------------------------------------

  /** Merges a store snapshot into memory: newer versions of tasks replace ours (in place), removals apply. */
  private adopt(snap: Pick<StoreSnapshot, 'tasks' | 'removed' | 'resumedAt'>, fire = true): void {
    const changed: Task[] = [];
    const now = this.now();
    const removed = new Set(snap.removed);
    for (const id of removed) {
      const t = this.tasks.get(id);
      if (!t) continue;
      this.forget(id);
      changed.push(t);
    }
    for (const t of snap.tasks) {
      if (removed.has(t.id)) continue;
      const mine = this.tasks.get(t.id);
      if (mine && mine.updatedAt >= t.updatedAt) continue;
      const wasActive = mine ? isActive(mine) : false;
      const resumed = snap.resumedAt[t.id];
      if (resumed !== undefined) this.resumeAt.set(t.id, Math.max(resumed, this.resumeAt.get(t.id) ?? 0));
      let task = t;
      if (mine) {
        // Same object, new content: polls in flight keep a valid reference.
        const record = mine as unknown as Record<string, unknown>;
        for (const k of Object.keys(record)) if (!(k in t)) delete record[k];
        Object.assign(mine, t);
        task = mine;
      } else {
        this.tasks.set(t.id, t);
      }
      if (isActive(task) && (!wasActive || !this.pollState.has(task.id))) this.pollState.set(task.id, this.freshPollState(now));
      if (!isActive(task)) {
        this.pollState.delete(task.id);
        this.resumeAt.delete(task.id);
      }
      changed.push(task);
    }
    if (!changed.length) return;
    if (fire) this.changed.fire(changed);
    this.schedule();
  }

  private forget(id: string): void {
    this.tasks.delete(id);
    this.pollState.delete(id);
    this.resumeAt.delete(id);
  }

  // ---- downloads -----------------------------------------------------------------------------

  /** Downloads every result of a succeeded task that has no local copy yet (also retries failed downloads). */
  ensureDownloads(task: Task): void {
    const cur = this.tasks.get(task.id) ?? task;
    if (this.disposed || cur.status !== 'succeeded') return;
    cur.videos.forEach((v, i) => {
      if (v.localPath) return;
      const key = `${cur.id}#${i}`;
      if (this.downloads.has(key)) return;
      // Started on the next microtask, so the entry exists before download() can remove it.
      const run = Promise.resolve()
        .then(() => this.download(key, cur.id, i, v))
        .finally(() => this.schedule());
      this.downloads.set(key, run);
    });
  }

  /** The key's headers for a result the provider serves itself, from where the task was created only. */
  private async resultAuth(task: Task, url: string): Promise<Record<string, string>> {
    const provider = this.deps.providers[task.provider];
    if (!provider) throw new ProviderError({ kind: 'config', message: `No provider "${task.provider}" in this version.` });
    return resultAuthHeaders(provider, await this.deps.context(task.provider), task, url);
  }

  private downloadPending(t: Task): boolean {
    return t.status === 'succeeded' && t.videos.some((v) => !v.localPath && !v.downloadError);
  }

  private downloadsInFlight(t: Task): boolean {
    return t.videos.some((_v, i) => this.downloads.has(`${t.id}#${i}`));
  }

  /** In the polling window only: results nobody has fetched yet (e.g. the editor closed mid-download). */
  private startAutoDownloads(): void {
    if (!this.partialsSwept) {
      this.partialsSwept = true;
      removeStalePartials(this.deps.mediaDir, STALE_PART_MS).catch(() => undefined);
    }
    for (const t of this.tasks.values()) if (this.downloadPending(t)) this.ensureDownloads(t);
  }

  /** Never rejects: the outcome is recorded on the task. */
  private async download(key: string, taskId: string, index: number, video: TaskVideo): Promise<void> {
    const settings = this.deps.settings();
    let result: { path: string; bytes: number } | undefined;
    let failure: string | undefined;
    let posterPath: string | undefined;
    try {
      const dir = taskFolder(this.deps.mediaDir, taskId);
      const dest = insideFolder(dir, `${index + 1}-${resultFileName(video.url)}`);
      const task = this.tasks.get(taskId);
      result = await this.downloadSlots.run(() =>
        downloadToFile(video.url, dest, {
          ...settings.download,
          origin: task?.origin,
          maxBytes: settings.maxDownloadBytes,
          attempts: settings.downloadAttempts,
          retryDelayMs: settings.downloadRetryDelayMs,
          signal: this.abort.signal,
          expiresAt: video.expiresAt,
          now: this.now,
          authHeaders: video.authenticated && task ? () => this.resultAuth(task, video.url) : undefined,
        }),
      );
      posterPath = await this.downloadPoster(dir, index, video, task, settings.download);
    } catch (e) {
      failure = isProviderError(e) && e.kind === 'cancelled' ? undefined : sanitizeText(errorMessage(e));
    } finally {
      // Before the outcome shows: a retry asked for right after it must not be taken for this one.
      this.downloads.delete(key);
    }
    if (this.disposed || (!result && failure === undefined)) return;
    const cur = this.tasks.get(taskId);
    // Removed while downloading: the file it just wrote goes too.
    if (!cur && result) await deleteTaskFiles(this.deps.mediaDir, [{ id: taskId, videos: [] }]);
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
    this.update(cur, { videos });
    await this.persistNow();
    this.changed.fire([cur]);
  }

  /** The provider's poster (or thumbnail) beside the video; best effort, as the gallery can show the video itself. */
  private async downloadPoster(dir: string, index: number, video: TaskVideo, task: Task | undefined, policy: DownloadSettings | undefined): Promise<string | undefined> {
    const url = video.posterUrl ?? video.thumbnailUrl;
    if (!url || video.posterPath) return video.posterPath;
    try {
      const ext = /\.(png|webp)$/i.exec(new URL(url).pathname)?.[0].toLowerCase() ?? '.jpg';
      const dest = insideFolder(dir, `${index + 1}-poster${ext}`);
      return (
        await downloadToFile(url, dest, {
          ...policy,
          origin: task?.origin,
          maxBytes: MAX_POSTER_BYTES,
          attempts: 1,
          signal: this.abort.signal,
          expect: 'image',
          expiresAt: video.expiresAt,
          now: this.now,
          authHeaders: video.authenticated && task ? () => this.resultAuth(task, url) : undefined,
        })
      ).path;
    } catch (e) {
      this.deps.log.warn(`Poster download failed (the video itself serves as poster): ${errorMessage(e)}`);
      return undefined;
    }
  }

  // ---- persistence ---------------------------------------------------------------------------

  private takeRemovals(): string[] {
    const r = this.pendingRemovals;
    this.pendingRemovals = [];
    return r;
  }

  /** Writes now (merging with other windows' writes, whose changes are adopted). Never rejects. */
  private async persistNow(): Promise<void> {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
    }
    try {
      const snap = await this.deps.store.save(this.getTasks(), { removed: this.takeRemovals(), resumedAt: Object.fromEntries(this.resumeAt) });
      if (snap.warning) this.warn(snap.warning);
      if (!this.disposed) this.adopt(snap);
    } catch (e) {
      this.deps.log.error(`Could not save the task history: ${errorMessage(e)}`);
    }
  }

  /** Progress ticks are coalesced: one write per save delay at most. */
  private saveSoon(): void {
    if (this.saveTimer || this.disposed) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      void this.persistNow();
    }, (this.deps.saveDelayMs ?? DEFAULT_SAVE_DELAY_MS) / this.timeScale);
  }

  private async sweepOrphans(): Promise<void> {
    try {
      const swept = await sweepOrphansOnce(this.deps.mediaDir, [...this.tasks.values()]);
      if (swept.length) this.deps.log.info(`Deleted ${swept.length} downloaded result folder(s) of tasks no longer in the history.`);
    } catch (e) {
      this.deps.log.warn(`Could not clean up old downloads: ${errorMessage(e)}`);
    }
  }

  private warn(message: string): void {
    this.deps.log.warn(message);
    this.warned.fire(message);
  }
}

/** "800 ms", "12 s", "3 min". */
export function formatDelay(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
