// The task engine: submits generations, keeps the task list, polls active tasks on a schedule,
// downloads results, persists everything. No `vscode` import: the extension wraps it.
import { randomUUID } from 'crypto';
import * as path from 'path';
import { downloadToFile, insideFolder, safeFileName } from './download';
import { Emitter, Event, Logger } from './events';
import { errorMessage, isProviderError, ProviderError } from './errors';
import { DEFAULT_MEDIA_LIMITS, MediaLimits, resolveMedia } from './media';
import { backoffDelayMs, firstPollDelayMs, nextPollDelayMs } from './scheduler';
import { TaskStore } from './store';
import { GenerateRequest, isActive, PROVIDER_IDS, PROVIDER_LABELS, ProviderId, Task } from './types';
import { ProviderClient, ProviderContext, RemoteState } from '../providers/provider';

export interface EngineSettings {
  /** Base poll interval, ms. */
  pollIntervalMs: number;
  /** Active tasks older than this are marked timed out (0 = never). */
  giveUpMs: number;
  maxDownloadBytes: number;
  media: MediaLimits;
  /** Polls answered with an unknown status before the task is failed. */
  maxUnknownPolls: number;
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
}

interface PollState {
  nextAt: number;
  failures: number;
  unknownPolls: number;
  firstSample?: { at: number; progress: number };
  lastSample?: { at: number; progress: number };
}

const SAVE_DELAY_MS = 1000;

export class TaskEngine {
  private readonly tasks = new Map<string, Task>();
  private readonly pollState = new Map<string, PollState>();
  private readonly pausedUntil = new Map<ProviderId, number>();
  private readonly downloading = new Set<string>();
  /** Tasks resumed by "check again": their schedule and give-up time count from then. */
  private readonly resumeAt = new Map<string, number>();
  private readonly changed = new Emitter<Task[]>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private pendingRemovals: string[] = [];
  private round: Promise<void> | undefined;
  private disposed = false;
  private readonly now: () => number;

  readonly onDidChangeTasks: Event<Task[]> = this.changed.event;

  constructor(private readonly deps: EngineDeps) {
    this.now = deps.now ?? Date.now;
  }

  async init(): Promise<void> {
    const { tasks, warning } = await this.deps.store.load();
    if (warning) this.deps.log.warn(warning);
    for (const t of tasks) this.tasks.set(t.id, t);
    const now = this.now();
    for (const t of tasks) {
      if (isActive(t)) this.pollState.set(t.id, { nextAt: now, failures: 0, unknownPolls: 0 });
    }
    this.deps.log.info(`Loaded ${tasks.length} task(s), ${this.pollState.size} active.`);
    for (const t of tasks) if (t.status === 'succeeded') this.ensureDownloads(t);
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

  /** Validates, resolves media, creates the remote task and records it before returning. */
  async generate(input: GenerateRequest): Promise<Task> {
    const req: GenerateRequest = { ...input, prompt: (input.prompt ?? '').trim() };
    const provider = this.deps.providers[req.provider];
    if (!provider) {
      throw new ProviderError({ kind: 'input', message: `Provider "${String(req.provider)}" is not supported. Use one of: ${PROVIDER_IDS.join(', ')}.` });
    }
    const invalid = provider.validate(req);
    if (invalid) throw new ProviderError({ kind: 'input', message: invalid });
    const ctx = await this.deps.context(req.provider);
    const media = await resolveMedia(req, this.deps.settings().media);
    const requestId = randomUUID();
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
    };
    let created;
    try {
      created = await provider.create(ctx, req, media, requestId);
    } catch (e) {
      if (isProviderError(e) && e.mayHaveStarted) {
        // Never silence: the job may be running (and billed) at the provider.
        const lost: Task = {
          ...base,
          status: 'failed',
          uncertain: true,
          errorKind: e.kind,
          error: `${e.message} The answer to the create request was lost, so the job may or may not have started at ${provider.label}; check your account there before generating again.`,
          finishedAt: now,
        };
        this.tasks.set(lost.id, lost);
        await this.persistNow();
        this.changed.fire([lost]);
        this.deps.log.warn(`Create for ${provider.label} lost its answer: ${e.message}`);
      }
      throw e;
    }
    const task: Task = { ...base, remoteId: created.remoteId, mode: created.mode, model: created.model, route: created.route, rawStatus: 'submitted' };
    this.tasks.set(task.id, task);
    // Stored the moment the create returns an id, before any UI sees it.
    await this.persistNow();
    this.pollState.set(task.id, { nextAt: this.now() + firstPollDelayMs(this.deps.settings().pollIntervalMs), failures: 0, unknownPolls: 0 });
    this.deps.log.info(`Created ${provider.label} task ${task.remoteId} (${task.mode}, model ${task.model}).`);
    this.changed.fire([task]);
    this.schedule();
    return task;
  }

  /** Polls every active task now. */
  async refresh(): Promise<void> {
    const now = this.now();
    for (const [id, st] of this.pollState) if (this.tasks.get(id) && isActive(this.tasks.get(id)!)) st.nextAt = now;
    this.pausedUntil.clear();
    await this.runRound();
    this.schedule();
  }

  /** A key was set or removed: tasks paused for a missing or rejected key may go on. */
  keyChanged(provider: ProviderId): void {
    this.pausedUntil.delete(provider);
    const now = this.now();
    for (const t of this.tasks.values()) {
      if (t.provider === provider && isActive(t)) {
        const st = this.pollState.get(t.id);
        if (st) st.nextAt = now;
      }
    }
    this.schedule();
  }

  /** Resumes polling a task that timed out or whose result was uncertain; the give-up clock restarts. */
  checkAgain(id: string): void {
    const t = this.tasks.get(id);
    if (!t || !t.remoteId || isActive(t)) return;
    this.resumeAt.set(id, this.now());
    this.update(t, { status: 'running', error: undefined, errorKind: undefined, timedOut: undefined, finishedAt: undefined });
    this.pollState.set(id, { nextAt: this.now(), failures: 0, unknownPolls: 0 });
    this.fireAndSave([t]);
    this.schedule();
  }

  async remove(ids: string[]): Promise<void> {
    const removed: Task[] = [];
    for (const id of ids) {
      const t = this.tasks.get(id);
      if (!t) continue;
      this.tasks.delete(id);
      this.pollState.delete(id);
      this.pendingRemovals.push(id);
      removed.push(t);
    }
    if (removed.length === 0) return;
    await this.persistNow();
    this.changed.fire(removed);
    this.schedule();
  }

  async clearFinished(): Promise<number> {
    const ids = [...this.tasks.values()].filter((t) => !isActive(t)).map((t) => t.id);
    await this.remove(ids);
    return ids.length;
  }

  /** Adopts tasks written by another window (same store file). */
  async reloadFromStore(): Promise<void> {
    const { tasks } = await this.deps.store.load();
    const changed: Task[] = [];
    const seen = new Set<string>();
    for (const t of tasks) {
      seen.add(t.id);
      const mine = this.tasks.get(t.id);
      if (!mine || mine.updatedAt < t.updatedAt) {
        this.tasks.set(t.id, t);
        changed.push(t);
        if (isActive(t) && !this.pollState.has(t.id)) this.pollState.set(t.id, { nextAt: this.now(), failures: 0, unknownPolls: 0 });
        if (!isActive(t)) this.pollState.delete(t.id);
      }
    }
    if (changed.length) {
      this.changed.fire(changed);
      this.schedule();
    }
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
      void this.deps.store.save(this.getTasks(), this.takeRemovals()).catch(() => undefined);
    }
    this.changed.dispose();
  }

  /** Waits for pending writes (tests, deactivate). */
  async flush(): Promise<void> {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
      await this.persistNow();
    }
    await this.deps.store.flush();
  }

  // ---- polling -------------------------------------------------------------------------------

  private schedule(): void {
    if (this.disposed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    let next = Infinity;
    for (const [id, st] of this.pollState) {
      const t = this.tasks.get(id);
      if (!t || !isActive(t)) continue;
      const paused = this.pausedUntil.get(t.provider) ?? 0;
      next = Math.min(next, Math.max(st.nextAt, paused));
    }
    // Nothing active: no timer, no requests.
    if (next === Infinity) return;
    const delay = Math.max(0, Math.min(next - this.now(), 2 ** 31 - 1));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.runRound().finally(() => this.schedule());
    }, delay);
  }

  private runRound(): Promise<void> {
    if (!this.round) {
      this.round = this.pollDue().finally(() => (this.round = undefined));
    }
    return this.round;
  }

  private async pollDue(): Promise<void> {
    const now = this.now();
    const byProvider = new Map<ProviderId, Task[]>();
    for (const t of this.tasks.values()) {
      if (!isActive(t)) continue;
      if (this.checkGiveUp(t, now)) continue;
      const st = this.pollState.get(t.id);
      if (!st || st.nextAt > now + 50) continue;
      if ((this.pausedUntil.get(t.provider) ?? 0) > now) continue;
      const list = byProvider.get(t.provider) ?? [];
      list.push(t);
      byProvider.set(t.provider, list);
    }
    await Promise.all([...byProvider].map(([p, list]) => this.pollProvider(p, list)));
  }

  private async pollProvider(providerId: ProviderId, tasks: Task[]): Promise<void> {
    const provider = this.deps.providers[providerId];
    if (!provider) return;
    let ctx: ProviderContext;
    try {
      ctx = await this.deps.context(providerId);
    } catch (e) {
      // No key (or unusable settings): pause this provider until the key changes.
      const err = isProviderError(e) ? e : new ProviderError({ kind: 'config', message: errorMessage(e) });
      this.pausedUntil.set(providerId, this.now() + 10 * 60_000);
      for (const t of tasks) this.update(t, { error: err.message, errorKind: err.kind });
      this.deps.log.warn(`Polling ${provider.label} paused: ${err.message}`);
      this.fireAndSave(tasks);
      return;
    }
    let results;
    try {
      results = await provider.poll(ctx, tasks);
    } catch (e) {
      const err = isProviderError(e) ? e : new ProviderError({ kind: 'malformed', message: errorMessage(e) });
      results = new Map(tasks.map((t) => [t.id, err] as const));
    }
    const changed: Task[] = [];
    let final = false;
    for (const t of tasks) {
      if (!this.tasks.has(t.id)) continue; // removed meanwhile
      const r = results.get(t.id);
      const before = t.status;
      if (r === undefined) this.applyError(t, new ProviderError({ kind: 'malformed', message: `${provider.label} did not report on this task.` }));
      else if (isProviderError(r)) this.applyError(t, r);
      else this.applyState(t, r);
      changed.push(t);
      if (!isActive(t) && before !== t.status) final = true;
    }
    if (final) await this.persistNow();
    this.fireAndSave(changed, !final);
  }

  private applyState(task: Task, s: RemoteState): void {
    const now = this.now();
    const st = this.pollState.get(task.id) ?? { nextAt: now, failures: 0, unknownPolls: 0 };
    st.failures = 0;
    const base = this.deps.settings().pollIntervalMs;
    if (s.status === 'unknown') {
      st.unknownPolls++;
      if (st.unknownPolls > this.deps.settings().maxUnknownPolls) {
        this.finish(task, { status: 'failed', error: `${PROVIDER_LABELS[task.provider]} kept reporting an unknown status ("${s.rawStatus}"); stopped checking.`, errorKind: 'malformed', rawStatus: s.rawStatus });
        return;
      }
      this.update(task, { rawStatus: s.rawStatus, error: undefined, errorKind: undefined, status: task.status === 'queued' ? 'queued' : 'running' });
      st.nextAt = now + nextPollDelayMs({ baseMs: base, now, createdAt: this.startOf(task) });
      this.pollState.set(task.id, st);
      return;
    }
    st.unknownPolls = 0;
    if (s.status === 'succeeded') {
      const keep = new Map(task.videos.map((v) => [v.url, v]));
      const videos = s.videos.map((v) => ({ ...v, localPath: keep.get(v.url)?.localPath }));
      this.finish(task, { status: 'succeeded', progress: 100, rawStatus: s.rawStatus, videos, error: s.error, errorKind: undefined });
      this.ensureDownloads(task);
      return;
    }
    if (s.status === 'failed') {
      this.finish(task, { status: 'failed', rawStatus: s.rawStatus, error: s.error ?? `${PROVIDER_LABELS[task.provider]} reported the generation failed.`, errorKind: 'business', videos: s.videos });
      return;
    }
    const progress = s.progress !== undefined ? Math.max(task.progress, s.progress) : task.progress;
    if (s.status === 'running' && s.progress !== undefined) {
      const sample = { at: now, progress: s.progress };
      if (!st.firstSample || s.progress < st.firstSample.progress) st.firstSample = sample;
      st.lastSample = sample;
    }
    this.update(task, { status: s.status, progress, rawStatus: s.rawStatus, error: undefined, errorKind: undefined });
    st.nextAt = now + nextPollDelayMs({ baseMs: base, now, createdAt: this.startOf(task), firstSample: st.firstSample, lastSample: st.lastSample });
    this.pollState.set(task.id, st);
  }

  private applyError(task: Task, e: ProviderError): void {
    const now = this.now();
    const st = this.pollState.get(task.id) ?? { nextAt: now, failures: 0, unknownPolls: 0 };
    if (e.kind === 'notFound' || (e.kind === 'badRequest' && e.status !== 408)) {
      this.finish(task, { status: 'failed', error: e.message, errorKind: e.kind });
      return;
    }
    st.failures++;
    if (e.kind === 'auth') {
      // The key was rejected: stop asking until a new key is set.
      this.pausedUntil.set(task.provider, now + 30 * 60_000);
    }
    const delay = backoffDelayMs(st.failures, this.deps.settings().pollIntervalMs, e.retryAfterMs);
    if (e.kind === 'rateLimited' && e.retryAfterMs !== undefined) {
      // Honor Retry-After for every task of this provider, not just this one.
      this.pausedUntil.set(task.provider, Math.max(this.pausedUntil.get(task.provider) ?? 0, now + e.retryAfterMs));
    }
    st.nextAt = now + delay;
    this.pollState.set(task.id, st);
    this.update(task, { error: `${e.message} Retrying in ${Math.round(delay / 1000)} s.`, errorKind: e.kind });
    this.deps.log.warn(`Poll of ${PROVIDER_LABELS[task.provider]} task ${task.remoteId} failed (${e.kind}): ${e.message}`);
  }

  private startOf(task: Task): number {
    return this.resumeAt.get(task.id) ?? task.createdAt;
  }

  private checkGiveUp(task: Task, now: number): boolean {
    const giveUp = this.deps.settings().giveUpMs;
    if (!giveUp || now - this.startOf(task) < giveUp) return false;
    const minutes = Math.round(giveUp / 60_000);
    this.finish(task, { status: 'failed', timedOut: true, errorKind: 'timeout', error: `No result after ${minutes} min; stopped checking. Use "Check Again" to resume.` });
    void this.persistNow().then(() => this.changed.fire([task]));
    return true;
  }

  private finish(task: Task, patch: Partial<Task>): void {
    this.update(task, { ...patch, finishedAt: this.now() });
    this.pollState.delete(task.id);
    this.resumeAt.delete(task.id);
    this.deps.log.info(`${PROVIDER_LABELS[task.provider]} task ${task.remoteId} ${task.status}${task.error ? `: ${task.error}` : ''}.`);
  }

  private update(task: Task, patch: Partial<Task>): void {
    Object.assign(task, patch, { updatedAt: Math.max(this.now(), task.updatedAt) });
    for (const k of Object.keys(patch) as (keyof Task)[]) if (patch[k] === undefined) delete task[k];
  }

  // ---- downloads -----------------------------------------------------------------------------

  /** Downloads every result of a succeeded task that has no local copy yet. */
  ensureDownloads(task: Task): void {
    task.videos.forEach((v, i) => {
      if (v.localPath) return;
      const key = `${task.id}#${i}`;
      if (this.downloading.has(key)) return;
      this.downloading.add(key);
      const dir = path.join(this.deps.mediaDir, safeFileName(task.id, 'task'));
      let name = safeFileName(decodeURIComponent(new URL(v.url).pathname.split('/').pop() ?? ''), 'video.mp4');
      if (!/\.(mp4|webm|mov)$/i.test(name)) name += '.mp4';
      const dest = insideFolder(dir, `${i + 1}-${name}`);
      downloadToFile(v.url, dest, { maxBytes: this.deps.settings().maxDownloadBytes })
        .then((r) => {
          const cur = this.tasks.get(task.id);
          if (!cur || !cur.videos[i] || cur.videos[i].url !== v.url) return;
          cur.videos[i] = { ...cur.videos[i], localPath: r.path, downloadError: undefined };
          delete cur.videos[i].downloadError;
          this.update(cur, {});
          this.deps.log.info(`Downloaded ${r.bytes} bytes for task ${cur.remoteId}.`);
          return this.persistNow().then(() => this.changed.fire([cur]));
        })
        .catch((e: unknown) => {
          const cur = this.tasks.get(task.id);
          if (!cur || !cur.videos[i]) return;
          cur.videos[i] = { ...cur.videos[i], downloadError: errorMessage(e) };
          this.update(cur, {});
          this.deps.log.error(`Download for task ${cur.remoteId} failed: ${errorMessage(e)}`);
          this.fireAndSave([cur]);
        })
        .finally(() => this.downloading.delete(key));
    });
  }

  // ---- persistence ---------------------------------------------------------------------------

  private takeRemovals(): string[] {
    const r = this.pendingRemovals;
    this.pendingRemovals = [];
    return r;
  }

  private async persistNow(): Promise<void> {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
    }
    try {
      await this.deps.store.save(this.getTasks(), this.takeRemovals());
    } catch (e) {
      this.deps.log.error(`Could not save the task history: ${errorMessage(e)}`);
    }
  }

  /** Progress ticks are coalesced: one write per SAVE_DELAY_MS at most. */
  private fireAndSave(changed: Task[], coalesce = true): void {
    if (changed.length) this.changed.fire(changed);
    if (!coalesce || this.saveTimer || this.disposed) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      void this.persistNow();
    }, SAVE_DELAY_MS);
  }
}
