// Multi-window sync. Several windows may run an engine on the same store file. Only the one
// holding the lease (polling/pollingLease.ts) polls and downloads; the others adopt its writes, noticed through a
// folder watch and a cheap stat of the store at every wake-up, and take over when it goes away.
// This module owns the lease, the watch, the writes (immediate or coalesced) and the merge of a
// stored history into the tasks in memory. A write that fails is logged, and told to the user
// once (until a write succeeds again), not only logged: changes then live in this window only.
import { promises as fs, FSWatcher, watch } from 'fs';
import * as path from 'path';
import * as l10n from '@vscode/l10n';

import { Clock, TimerHandle } from '../model/clock';
import { errorMessage } from '../model/errors';
import { Logger } from '../model/events';
import { Task } from '../model/task';
import { Lease } from '../polling/pollingLease';
import { isPolled } from '../polling/pollPlan';
import { LockLostError } from './atomicFile';
import { StoreSnapshot, TaskStore } from './taskStore';

export interface WindowSyncDeps {
  store: TaskStore;
  clock: Clock;
  log: Logger;
  /** This window's id in the lease file. */
  ownerId: string;
  /** How often the polling window renews its lease and the others look for its changes, ms. */
  renewMs: number;
  /** Progress-only changes are written at most this often, ms. */
  saveDelayMs: number;
  /** Watch the store's folder so writes by other windows show at once. */
  watchStore: boolean;
  /** What this window knows, to be written. */
  tasks(): Task[];
  resumedAt(): Record<string, number>;
  /** A merged history was read or written: adopt what other windows changed. */
  adopt(snap: StoreSnapshot): void;
  warn(message: string): void;
  /** Work that needs the polling window. */
  hasWork(): boolean;
  /** This window just took the lease. */
  becameLeader(): void;
}

export interface Merged {
  removed: Task[];
  /** Tasks added or replaced by a newer version, and whether they were polled before. */
  updated: { task: Task; wasPolled: boolean }[];
}

/**
 * Merges a store snapshot into `tasks`: newer versions replace ours in place (polls in flight keep
 * a valid reference), new tasks are added, removals apply.
 */
export function mergeSnapshot(tasks: Map<string, Task>, snap: Pick<StoreSnapshot, 'tasks' | 'removed'>): Merged {
  const out: Merged = { removed: [], updated: [] };
  const removed = new Set(snap.removed);
  for (const id of removed) {
    const t = tasks.get(id);
    if (!t) continue;
    tasks.delete(id);
    out.removed.push(t);
  }
  for (const t of snap.tasks) {
    if (removed.has(t.id)) continue;
    const mine = tasks.get(t.id);
    if (mine && mine.updatedAt >= t.updatedAt) continue;
    const wasPolled = mine ? isPolled(mine) : false;
    if (mine) {
      const record = mine as unknown as Record<string, unknown>;
      for (const k of Object.keys(record)) if (!(k in t)) delete record[k];
      Object.assign(mine, t);
      out.updated.push({ task: mine, wasPolled });
    } else {
      tasks.set(t.id, t);
      out.updated.push({ task: t, wasPolled });
    }
  }
  return out;
}

export class WindowSync {
  private readonly lease: Lease;
  private leader = false;
  private nextLeaseCheck = 0;
  private leaseErrorLogged = false;
  private coordinating: Promise<void> | undefined;
  private saveTimer: TimerHandle | undefined;
  private watchTimer: TimerHandle | undefined;
  private watcher: FSWatcher | undefined;
  private pendingRemovals: string[] = [];
  private disposed = false;
  /** The user was told that the history cannot be saved; again only after a save succeeded. */
  private saveFailureTold = false;

  constructor(private readonly deps: WindowSyncDeps) {
    const file = deps.store.file;
    this.lease = new Lease({
      file: path.join(path.dirname(file), `${path.basename(file, path.extname(file))}.lease`),
      owner: deps.ownerId,
      renewMs: deps.renewMs,
    });
  }

  /** Whether this window is the one polling (holds the lease). */
  get isLeader(): boolean {
    return this.leader;
  }

  /** When the lease is next taken or renewed. */
  get leaseCheckAt(): number {
    return this.nextLeaseCheck;
  }

  /** A coalesced write is waiting. */
  get savePending(): boolean {
    return this.saveTimer !== undefined;
  }

  /** Look at the lease at the next wake-up. */
  checkLeaseSoon(): void {
    this.nextLeaseCheck = 0;
  }

  /** The task was removed here; the next write records it. */
  removed(id: string): void {
    this.pendingRemovals.push(id);
  }

  /** Writes now (merging with other windows' writes, whose changes are adopted). Never rejects. */
  async persistNow(): Promise<void> {
    await this.recordNow().catch(() => undefined);
  }

  /**
   * Writes now, like persistNow, but rejects when the history could not be written (what was not
   * written is written by the next save). A failure is logged, and told to the user the first
   * time (not again until a save succeeded), except a lock lost to another window while this one
   * was stalled, which the next save gets past on its own.
   */
  async recordNow(): Promise<void> {
    this.cancelSave();
    const removed = this.takeRemovals();
    let snap: StoreSnapshot;
    try {
      snap = await this.deps.store.save(this.deps.tasks(), { removed, resumedAt: this.deps.resumedAt() });
    } catch (e) {
      this.pendingRemovals.unshift(...removed);
      this.deps.log.error(`Could not save the task history: ${errorMessage(e)}`);
      if (!(e instanceof LockLostError) && !this.saveFailureTold && !this.disposed) {
        this.saveFailureTold = true;
        this.deps.warn(
          l10n.t(
            'The task history could not be saved ({0}). Changes made in this window are kept here and saved again at the next change; until then other windows and the next start do not see them.',
            errorMessage(e),
          ),
        );
      }
      throw e;
    }
    this.saveFailureTold = false;
    if (snap.warning) this.deps.warn(snap.warning);
    if (!this.disposed) this.deps.adopt(snap);
  }

  /** Progress ticks are coalesced: one write per save delay at most. */
  saveSoon(): void {
    if (this.saveTimer || this.disposed) return;
    this.saveTimer = this.deps.clock.setTimeout(() => {
      this.saveTimer = undefined;
      void this.persistNow();
    }, this.deps.saveDelayMs);
  }

  /** Adopts what other windows wrote to the store (new tasks, newer states, removals). */
  async reload(): Promise<void> {
    let snap: StoreSnapshot;
    try {
      snap = await this.deps.store.load();
    } catch (e) {
      this.deps.log.error(`Could not re-read the task history: ${errorMessage(e)}`);
      return;
    }
    if (this.disposed) return;
    if (snap.warning) {
      this.deps.warn(snap.warning);
      // The file was moved aside: write what this window knows into the new one.
      if (this.deps.tasks().length) await this.persistNow();
    }
    this.deps.adopt(snap);
  }

  /** Adopts other windows' writes, then takes or renews the lease when it is time. */
  coordinate(): Promise<void> {
    this.coordinating ??= this.doCoordinate().finally(() => (this.coordinating = undefined));
    return this.coordinating;
  }

  /** Nothing needs the polling window: the lease is free for whichever window needs it. */
  standDown(): void {
    if (!this.leader) return;
    this.leader = false;
    this.nextLeaseCheck = 0;
    this.lease.release().catch((e: unknown) => this.deps.log.warn(`Could not release the polling lease: ${errorMessage(e)}`));
  }

  async watch(): Promise<void> {
    if (!this.deps.watchStore || this.disposed) return;
    const dir = path.dirname(this.deps.store.file);
    const name = path.basename(this.deps.store.file);
    try {
      await fs.mkdir(dir, { recursive: true });
      this.watcher = watch(dir, { persistent: false }, (_event, file) => {
        if (file && file.toString() !== name) return;
        if (this.watchTimer || this.disposed) return;
        this.watchTimer = this.deps.clock.setTimeout(() => {
          this.watchTimer = undefined;
          this.deps.store
            .changedOnDisk()
            .then((changed) => (changed && !this.disposed ? this.reload() : undefined))
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

  /** Waits for pending writes. */
  async flush(): Promise<void> {
    if (this.saveTimer) await this.persistNow();
    await this.deps.store.flush();
  }

  /** Stops watching, writes what is unsaved and gives the lease up, in the background. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const dirty = this.cancelSave();
    if (this.watchTimer) this.deps.clock.clearTimeout(this.watchTimer);
    this.watchTimer = undefined;
    this.watcher?.close();
    const unsaved = this.pendingRemovals.length > 0 || dirty;
    const wasLeader = this.leader;
    this.leader = false;
    void (
      unsaved
        ? this.deps.store.save(this.deps.tasks(), { removed: this.takeRemovals(), resumedAt: this.deps.resumedAt() })
        : Promise.resolve()
    )
      .catch(() => undefined)
      .then(() => (wasLeader ? this.lease.release() : undefined))
      .catch(() => undefined);
  }

  /** True when a coalesced write was waiting. */
  private cancelSave(): boolean {
    if (!this.saveTimer) return false;
    this.deps.clock.clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    return true;
  }

  private takeRemovals(): string[] {
    const r = this.pendingRemovals;
    this.pendingRemovals = [];
    return r;
  }

  private async doCoordinate(): Promise<void> {
    if (await this.deps.store.changedOnDisk().catch(() => false)) await this.reload();
    if (this.disposed || this.deps.clock.now() < this.nextLeaseCheck || !this.deps.hasWork()) return;
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
    this.nextLeaseCheck = this.deps.clock.now() + this.deps.renewMs;
    if (this.leader && !was) {
      this.deps.becameLeader();
      this.deps.log.info('This window now checks the running tasks.');
    } else if (!this.leader && was) {
      this.deps.log.info('Another window now checks the running tasks.');
    }
  }
}
