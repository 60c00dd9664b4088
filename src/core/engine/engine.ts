// The task engine: submits generations, keeps the task list, polls active tasks on a schedule,
// downloads results, persists everything. No `vscode` import: the extension wraps it.
//
// The parts: the create path and its local queue (createQueue.ts, createAdmission.ts), poll planning
// (polling/pollPlan.ts), the polls (polling/poller.ts), what an answer does to a task
// (polling/transitions.ts), several windows on one store (store/windowSync.ts), the downloads
// (downloadQueue.ts), and the time (model/clock.ts).
// Nothing runs (no timer, no request) while no task is active and no result is waiting to be
// downloaded.
import { randomUUID } from 'crypto';
import * as l10n from '@vscode/l10n';

import { Clock, systemClock, TimerHandle } from '../model/clock';
import { errorMessage, ProviderError } from '../model/errors';
import { Emitter, Event, Logger } from '../model/events';
import { GenerateRequest, isActive, ProviderId, Task } from '../model/task';
import type { CreateMoney } from '../money/moneyKeeper';
import { DownloadSettings } from '../net/download';
import { Poller } from '../polling/poller';
import { isPolled, PollPlanner } from '../polling/pollPlan';
import { firstPollDelayMs } from '../polling/pollTiming';
import { RunEstimate, RunTimes, typicalEstimate } from '../polling/runTimes';
import { patchTask } from '../polling/transitions';
import type { ModelCatalog } from '../provider/catalog';
import { ProviderClient, ProviderContext, resultAuthHeaders } from '../provider/descriptor';
import { DEFAULT_MEDIA_LIMITS, MediaLimits } from '../request/media';
import { StoreSnapshot, TaskStore } from '../store/taskStore';
import { mergeSnapshot, WindowSync } from '../store/windowSync';
import { deleteTaskFiles, sweepOrphansOnce } from '../workspace/taskFiles';
import { ChooseLostJob, CreateQueue, GenerateOptions, LostJobChoice, WaitingEdit } from './createQueue';
import { DownloadQueue } from './downloadQueue';

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
  /** Hosts allowed to be private, plain http, time limits (net/download.ts). */
  download?: DownloadSettings;
  /** Creates under way at once per provider (0 or absent: no limit); more wait in the local queue. */
  maxConcurrent?: Partial<Record<ProviderId, number>>;
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
  /** The time and the timers (default: the wall clock). */
  clock?: Clock;
  /** How often the polling window renews its lease and the others look for its changes, ms (default 4000). */
  leaseRenewMs?: number;
  /** This window's id in the lease file (default: random). */
  ownerId?: string;
  /** Progress-only changes are written at most this often, ms (default 1000). */
  saveDelayMs?: number;
  /** Watch the store's folder so writes by other windows show at once (default true). */
  watchStore?: boolean;
  /** Models as data: when given, a request the model does not take is refused before anything is sent. */
  catalog?: ModelCatalog;
  /** Quotes, budgets and the spend ledger (money/moneyKeeper.ts): checked before a create, charged when a task ends. */
  money?: CreateMoney;
  /**
   * A model's typical run time in seconds (its catalogue entry's `capabilities.typicalRunSeconds`):
   * when a provider reports no progress and the model has no finished tasks yet, it says when to poll.
   */
  typicalRunSeconds?(provider: ProviderId, model: string): number | undefined;
}

const DEFAULT_LEASE_RENEW_MS = 4000;
const DEFAULT_SAVE_DELAY_MS = 1000;

export class TaskEngine {
  private readonly tasks = new Map<string, Task>();
  private readonly planner: PollPlanner;
  private readonly poller: Poller;
  /** How long each model's finished tasks took: predicts the end where a provider reports no progress. */
  private readonly runTimes = new RunTimes();
  private readonly downloads: DownloadQueue;
  private readonly sync: WindowSync;
  private readonly creates: CreateQueue;
  private readonly changed = new Emitter<Task[]>();
  private readonly warned = new Emitter<string>();
  private readonly abort = new AbortController();
  private readonly clock: Clock;
  private timer: TimerHandle | undefined;
  private disposed = false;

  readonly onDidChangeTasks: Event<Task[]> = this.changed.event;
  /** Problems the user should see (e.g. the history file was unreadable and moved aside). */
  readonly onDidWarn: Event<string> = this.warned.event;

  constructor(private readonly deps: EngineDeps) {
    this.clock = deps.clock ?? systemClock;
    const owner = deps.ownerId ?? randomUUID();
    const renewMs = Math.max(50, deps.leaseRenewMs ?? DEFAULT_LEASE_RENEW_MS);
    this.planner = new PollPlanner(() => deps.settings().giveUpMs);
    this.downloads = new DownloadQueue({
      mediaDir: deps.mediaDir,
      settings: deps.settings,
      signal: this.abort.signal,
      log: deps.log,
      getTask: (id) => this.tasks.get(id),
      now: () => this.clock.now(),
      resultAuth: (task, url) => this.resultAuth(task, url),
      record: async (task, videos) => {
        this.update(task, { videos });
        await this.sync.persistNow();
        this.changed.fire([task]);
      },
      done: () => this.schedule(),
      providerLabel: (id) => deps.providers[id]?.label ?? id,
    });
    this.poller = new Poller({
      clock: this.clock,
      log: deps.log,
      planner: this.planner,
      settings: deps.settings,
      provider: (id) => deps.providers[id],
      context: async (id) => this.withDefaults(await deps.context(id)),
      isCurrent: (t) => this.tasks.get(t.id) === t,
      update: (t, patch) => this.update(t, patch),
      finish: (t, patch, endedAfter) => this.finish(t, patch, endedAfter),
      expectedRun: (t) => this.expectedRun(t),
      succeeded: (t) => this.ensureDownloads(t),
      persistNow: () => this.sync.persistNow(),
      saveSoon: () => this.sync.saveSoon(),
      fire: (tasks) => this.changed.fire(tasks),
      schedule: () => this.schedule(),
    });
    this.creates = new CreateQueue({
      clock: this.clock,
      log: deps.log,
      store: deps.store,
      owner,
      claimRetryMs: renewMs,
      settings: deps.settings,
      catalog: deps.catalog,
      money: deps.money,
      provider: (id) => deps.providers[id],
      providerIds: () => Object.keys(deps.providers),
      context: async (id) => this.withDefaults(await deps.context(id)),
      tasks: () => this.tasks.values(),
      get: (id) => this.tasks.get(id),
      add: (t) => this.tasks.set(t.id, t),
      update: (t, patch) => this.update(t, patch),
      adopt: (t) => this.adopt({ tasks: [t], removed: [], resumedAt: {} }),
      // The create path removes its own creates (one certainly not started, a waiting one withdrawn).
      remove: (ids) => this.forgetTasks(ids),
      track: (t) => {
        // A provider that reports no progress: a job expected to take minutes is first asked about later.
        const expected = deps.providers[t.provider]?.reportsProgress === false ? this.expectedRun(t) : undefined;
        return this.planner.track(t.id, this.clock.now() + firstPollDelayMs(deps.settings().pollIntervalMs, expected));
      },
      persistNow: () => this.sync.persistNow(),
      recordNow: () => this.sync.recordNow(),
      fire: (tasks) => this.changed.fire(tasks),
      schedule: () => this.schedule(),
    });
    this.sync = new WindowSync({
      store: deps.store,
      clock: this.clock,
      log: deps.log,
      ownerId: owner,
      renewMs,
      saveDelayMs: deps.saveDelayMs ?? DEFAULT_SAVE_DELAY_MS,
      watchStore: deps.watchStore !== false,
      tasks: () => this.getTasks(),
      resumedAt: () => this.planner.resumedAt(),
      adopt: (snap) => this.adopt(snap),
      warn: (m) => this.warn(m),
      hasWork: () => this.hasWork(),
      // The previous poller's schedule is unknown: ask about everything once.
      becameLeader: () => this.planner.dueBy(this.clock.now()),
    });
  }

  async init(): Promise<void> {
    let loaded: StoreSnapshot;
    try {
      loaded = await this.deps.store.load();
    } catch (e) {
      loaded = {
        tasks: [],
        removed: [],
        resumedAt: {},
        warning: l10n.t('Could not read the task history ({0}); starting with an empty list.', errorMessage(e)),
      };
    }
    if (loaded.warning) this.warn(loaded.warning);
    this.adopt(loaded, false);
    this.creates.settleLeftovers();
    // Only against a history that loaded cleanly: an unreadable one would make every folder an orphan.
    if (!loaded.warning) await this.sweepOrphans();
    this.deps.log.info(`Loaded ${this.tasks.size} task(s), ${this.planner.size} active.`);
    await this.sync.watch();
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
    return this.sync.isLeader;
  }

  /** Whether a timer is armed: false whenever there is nothing to do. */
  get hasScheduledWork(): boolean {
    return (
      this.timer !== undefined ||
      this.sync.savePending ||
      this.poller.size > 0 ||
      this.downloads.size > 0 ||
      this.creates.inFlight().length > 0
    );
  }

  /**
   * Validates, resolves media and sends the create once, recording it before it goes out; resolves
   * when the provider accepted it (`queued`), or at once with `waiting` when it is held in the local
   * queue. Identical requests are never merged: each call is one create (variants are identical).
   */
  generate(input: GenerateRequest, opts?: GenerateOptions): Promise<Task> {
    return this.creates.generate(input, opts);
  }

  /** Removes a create that is still waiting to be sent; false when it is no longer waiting. */
  cancelWaiting(id: string): Promise<boolean> {
    return this.creates.cancelWaiting(id);
  }

  /** Changes the prompt or options of a create that is still waiting to be sent. */
  editWaiting(id: string, edit: WaitingEdit): Promise<Task> {
    return this.creates.editWaiting(id, edit);
  }

  /** An uncertain create the user checked at the provider: it did not start. */
  markFailed(id: string): Task | undefined {
    return this.creates.markFailed(id);
  }

  /** Whether the provider can list recent jobs, to find the one an uncertain create may have started. */
  canFindLostJob(provider: ProviderId): boolean {
    return this.creates.canFindLostJob(provider);
  }

  /**
   * Looks for the job an uncertain create may have started, and follows it when found; when several
   * fit, `choose` picks one, and without a choice nothing is adopted and the candidates come back.
   */
  findLostJob(id: string, choose?: ChooseLostJob): Promise<Task | LostJobChoice | undefined> {
    return this.creates.findLostJob(id, choose);
  }

  /** Whether the provider can stop a job it queued or is running (`ProviderClient.cancel`). */
  canCancel(provider: ProviderId): boolean {
    return typeof this.deps.providers[provider]?.cancel === 'function';
  }

  /**
   * Asks the provider, once, to stop a queued or running job. When it accepts, the task ends `failed`
   * ("Cancelled", errorKind `cancelled`) and is no longer polled. When it refuses or cannot be reached,
   * the task is left untouched and this rejects with the ProviderError. A task whose provider cannot
   * cancel, or that is not at the provider (waiting, finished), is refused before any request.
   */
  async cancel(id: string): Promise<Task> {
    const t = this.tasks.get(id);
    if (!t) throw new ProviderError({ kind: 'input', message: l10n.t('No task {0}.', id) });
    const provider = this.deps.providers[t.provider];
    if (!provider?.cancel) {
      throw new ProviderError({ kind: 'input', message: l10n.t('{0} cannot cancel a job once it is sent.', this.labelOf(t.provider)) });
    }
    if (!isPolled(t)) {
      throw new ProviderError({
        kind: 'input',
        message: l10n.t('Only a queued or running task can be cancelled; this one is {0}.', t.status),
      });
    }
    const ctx = this.withDefaults(await this.deps.context(t.provider));
    await provider.cancel(ctx, t);
    // Finished meanwhile (a poll answered while the cancel was out): its outcome stands.
    if (this.tasks.get(id) !== t || !isPolled(t)) return t;
    this.finish(t, {
      status: 'failed',
      error: l10n.t('Cancelled'),
      errorKind: 'cancelled',
      rawStatus: undefined,
      finishedAt: this.clock.now(),
    });
    this.changed.fire([t]);
    await this.sync.persistNow();
    this.schedule();
    return t;
  }

  /** Polls every active task now (in the window that polls; another window just re-reads the history). */
  async refresh(): Promise<void> {
    if (this.disposed) return;
    this.planner.liftKeyPauses();
    this.planner.dueBy(this.clock.now(), true);
    this.sync.checkLeaseSoon();
    await this.sync.coordinate().catch((e: unknown) => this.deps.log.error(`Refresh failed: ${errorMessage(e)}`));
    if (this.sync.isLeader) this.poller.launchDue(this.tasks.values());
    await Promise.all(this.poller.inFlight());
    this.schedule();
  }

  /** Settings changed (e.g. a base URL): every active task is looked at again now. */
  settingsChanged(): void {
    this.planner.dueBy(this.clock.now());
    this.schedule();
  }

  /** A key was set or removed: tasks paused for a missing or rejected key may go on. */
  keyChanged(provider: ProviderId): void {
    this.planner.liftKeyPauses(provider);
    const now = this.clock.now();
    for (const t of this.tasks.values()) {
      const st = this.planner.state(t.id);
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
    const now = this.clock.now();
    this.planner.resume(id, now);
    this.update(t, { status: 'running', error: undefined, errorKind: undefined, timedOut: undefined, finishedAt: undefined });
    this.planner.track(id, now);
    this.changed.fire([t]);
    void this.sync.persistNow();
    this.schedule();
  }

  /**
   * Removes tasks and their downloaded files. A create being sent (here or in another window) is
   * kept: removed now, its answer would be lost and the job the provider bills forgotten; it can be
   * removed once the provider has answered. Resolves with the ids kept for that reason.
   */
  async remove(ids: string[]): Promise<string[]> {
    const kept: string[] = [];
    let claimedElsewhere = false;
    const go: string[] = [];
    for (const id of ids) {
      const t = this.tasks.get(id);
      if (t?.status === 'submitting') {
        kept.push(id);
        continue;
      }
      // A waiting create leaves the stored queue first, so the polling window does not send it meanwhile;
      // when it cannot (another window claimed it to send it), it stays.
      if (t?.status === 'waiting' && !(await this.creates.withdraw(id).catch(() => false))) {
        kept.push(id);
        claimedElsewhere = true;
        continue;
      }
      go.push(id);
    }
    if (claimedElsewhere) await this.sync.reload();
    await this.forgetTasks(go);
    return kept;
  }

  /** Takes tasks out of the list and the history, and deletes their files, whatever their state. */
  /** What a task's job is expected to take: its model's finished runs, else its catalogue's typical time. */
  private expectedRun(t: Task): RunEstimate | undefined {
    return this.runTimes.estimate(t.provider, t.model) ?? typicalEstimate(this.deps.typicalRunSeconds?.(t.provider, t.model));
  }

  private async forgetTasks(ids: string[]): Promise<void> {
    const removed: Task[] = [];
    for (const id of ids) {
      const t = this.tasks.get(id);
      if (!t) continue;
      this.forget(id);
      this.downloads.cancel(id);
      this.sync.removed(id);
      removed.push(t);
    }
    if (removed.length === 0) return;
    await this.sync.persistNow();
    await deleteTaskFiles(this.deps.mediaDir, removed);
    this.changed.fire(removed);
    this.schedule();
  }

  async clearFinished(): Promise<number> {
    const ids = [...this.tasks.values()].filter((t) => !isActive(t)).map((t) => t.id);
    await this.forgetTasks(ids);
    return ids.length;
  }

  /** Adopts what other windows wrote to the store (new tasks, newer states, removals). */
  reloadFromStore(): Promise<void> {
    return this.sync.reload();
  }

  /** Downloads every result of a succeeded task that has no local copy yet (also retries failed downloads). */
  ensureDownloads(task: Task): void {
    if (!this.disposed) this.downloads.ensure(task);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.downloads.stop();
    this.poller.stop();
    this.creates.stop();
    this.abort.abort();
    this.sync.dispose();
    this.changed.dispose();
    this.warned.dispose();
  }

  /** Waits for pending writes (tests, deactivate). */
  flush(): Promise<void> {
    return this.sync.flush();
  }

  /** Waits for polls and downloads in flight, then for pending writes. */
  async settle(): Promise<void> {
    const busy = () => [...this.poller.inFlight(), ...this.downloads.inFlight(), ...this.creates.inFlight()];
    while (busy().length) await Promise.all(busy());
    await this.flush();
  }

  // ---- scheduling ----------------------------------------------------------------------------

  /**
   * Work that needs the polling window: a task at the provider, a create waiting to be sent or
   * being sent by another window (which may close), or a result not downloaded yet.
   */
  private hasWork(): boolean {
    for (const t of this.tasks.values()) {
      if (isPolled(t) || DownloadQueue.pending(t) || t.status === 'waiting') return true;
      if (t.status === 'submitting' && !this.creates.isSending(t.id)) return true;
    }
    return this.downloads.size > 0;
  }

  private schedule(): void {
    if (this.disposed) return;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.hasWork()) {
      // Nothing active: no timer, no requests, and the lease is free for whichever window needs it.
      this.sync.standDown();
      return;
    }
    const now = this.clock.now();
    let next = this.sync.leaseCheckAt;
    if (this.sync.isLeader) {
      for (const t of this.tasks.values()) if (DownloadQueue.pending(t) && !this.downloads.runningFor(t)) next = now;
      next = Math.min(
        next,
        this.planner.nextDueAt(this.tasks.values(), now, (p) => this.poller.isPolling(p)),
        this.creates.nextSendAt(now),
      );
    }
    const delay = Math.max(0, Math.min(next - now, 2 ** 31 - 1));
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.tick();
    }, delay);
  }

  private async tick(): Promise<void> {
    try {
      await this.sync.coordinate();
      this.creates.settleLeftovers();
      if (this.sync.isLeader && !this.disposed) {
        await this.creates.dispatch();
        this.poller.launchDue(this.tasks.values());
        this.downloads.startPending(this.tasks.values());
      }
    } catch (e) {
      this.deps.log.error(`Task engine: ${errorMessage(e)}`);
    } finally {
      this.schedule();
    }
  }

  private labelOf(provider: ProviderId): string {
    return this.deps.providers[provider]?.label ?? provider;
  }

  /** Applies a final patch: the task is no longer polled; `endedAfter`: when a poll last found the job unfinished. */
  private finish(task: Task, patch: Partial<Task>, endedAfter?: number): void {
    this.update(task, patch);
    this.planner.forget(task.id);
    this.runTimes.record(task, endedAfter);
    this.deps.money?.charge(task);
    this.deps.log.info(`${this.labelOf(task.provider)} task ${task.remoteId} ${task.status}${task.error ? `: ${task.error}` : ''}.`);
  }

  private update(task: Task, patch: Partial<Task>): boolean {
    return patchTask(task, patch, this.clock.now());
  }

  /** The key's headers for a result the provider serves itself, from where the task was created only. */
  private async resultAuth(task: Task, url: string): Promise<Record<string, string>> {
    const provider = this.deps.providers[task.provider];
    if (!provider) throw new ProviderError({ kind: 'config', message: l10n.t('No provider "{0}" in this version.', task.provider) });
    return resultAuthHeaders(provider, await this.deps.context(task.provider), task, url);
  }

  private withDefaults(ctx: ProviderContext): ProviderContext {
    return { ...ctx, timeoutMs: ctx.timeoutMs ?? this.deps.settings().requestTimeoutMs, signal: ctx.signal ?? this.abort.signal };
  }

  /** Merges a store snapshot into memory: newer versions of tasks replace ours (in place), removals apply. */
  private adopt(snap: Pick<StoreSnapshot, 'tasks' | 'removed' | 'resumedAt'>, fire = true): void {
    const now = this.clock.now();
    const merged = mergeSnapshot(this.tasks, snap);
    // Removed in another window: no more polls, and its downloads here stop.
    for (const t of merged.removed) {
      this.planner.forget(t.id);
      this.downloads.cancel(t.id);
    }
    for (const { task, wasPolled } of merged.updated) {
      this.planner.adopted(task, wasPolled, snap.resumedAt[task.id], now);
      this.runTimes.record(task);
    }
    const changed = [...merged.removed, ...merged.updated.map((u) => u.task)];
    if (!changed.length) return;
    if (fire) this.changed.fire(changed);
    this.schedule();
  }

  private forget(id: string): void {
    this.tasks.delete(id);
    this.planner.forget(id);
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
