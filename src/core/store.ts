// Task history on disk: one JSON file under the extension's global storage, shared by every window.
// Each write is a read-merge-write under a lock file (so two windows never drop each other's
// changes), merged per task by `updatedAt` (newer wins) with tombstones for removed tasks, and
// written atomically (temp file + rename). A corrupt file is moved aside with a warning.
import { promises as fs } from 'fs';
import * as path from 'path';
import { Task } from './types';
import { validateStoredTask } from './taskValidation';
import { FileSignature, signatureOf, statSignature, withFileLock, writeFileAtomic } from './atomicFile';


export const STORE_VERSION = 1;

/** Tombstones older than this are forgotten. */
const TOMBSTONE_TTL_MS = 30 * 86_400_000;

interface StoreFile {
  version: number;
  tasks: Task[];
  /** Removed task ids -> removal time, so a merge never resurrects them. */
  removed: Record<string, number>;
  /** Task id -> when "Check Again" last resumed it (its give-up clock counts from then). */
  resumedAt: Record<string, number>;
}

export interface StoreSnapshot {
  tasks: Task[];
  /** Ids removed (by any window). */
  removed: string[];
  resumedAt: Record<string, number>;
  /** Set when the file was unreadable and was moved aside. */
  warning?: string;
}

export interface SaveChanges {
  /** Ids this window removed since its last save. */
  removed?: readonly string[];
  /** Resume times known to this window. */
  resumedAt?: Readonly<Record<string, number>>;
}

export class TaskStore {
  private removed: Record<string, number> = {};
  private writing: Promise<unknown> = Promise.resolve();
  /** The version of the file this store last read or wrote. */
  private seen: FileSignature | undefined;

  constructor(
    readonly file: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Serializes read-merge-write cycles between processes. */
  get lockFile(): string {
    return `${this.file}.lock`;
  }

  async load(): Promise<StoreSnapshot> {
    let text: string;
    let signature: FileSignature;
    try {
      const handle = await fs.open(this.file, 'r');
      try {
        signature = signatureOf(await handle.stat());
        text = await handle.readFile('utf8');
      } finally {
        await handle.close();
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      this.seen = 'absent';
      return { tasks: [], removed: [], resumedAt: {} };
    }
    let data: StoreFile;
    try {
      data = parseStore(text);
    } catch (e) {
      // Under the lock, and only if no other window has replaced the file since it was read.
      const warning = await withFileLock(this.lockFile, async () => {
        if ((await statSignature(this.file)) !== signature) return undefined;
        return this.moveAside(e as Error);
      });
      if (warning === undefined) return this.load();
      return { tasks: [], removed: [], resumedAt: {}, warning };
    }
    this.seen = signature;
    for (const [id, at] of Object.entries(data.removed)) this.removed[id] = Math.max(at, this.removed[id] ?? 0);
    return { tasks: data.tasks, removed: Object.keys(data.removed), resumedAt: data.resumedAt };
  }

  /**
   * Writes `tasks` merged with what is on disk (newer `updatedAt` wins per task; removals stick).
   * Resolves with the merged history so the caller can adopt changes made by another window.
   */
  save(tasks: readonly Task[], changes: SaveChanges = {}): Promise<StoreSnapshot> {
    const run = this.writing.then(() => withFileLock(this.lockFile, () => this.mergeAndWrite(tasks, changes)));
    this.writing = run.catch(() => undefined);
    return run;
  }

  /**
   * Compare-and-set of one task under the store's lock, so two windows never both act on it (e.g.
   * both send one queued create). `change` sees the task as stored (undefined when it is not) and
   * returns what to write in its place, 'remove', or undefined to leave it. Nothing is written for
   * a task some window removed. Resolves with what was written (its `updatedAt` moved past the
   * stored one), 'removed', or undefined when nothing was.
   */
  compareAndSet(id: string, change: (stored: Task | undefined) => Task | 'remove' | undefined): Promise<Task | 'removed' | undefined> {
    const run = this.writing.then(() =>
      withFileLock(this.lockFile, async () => {
        const onDisk = await this.readForMerge();
        if (onDisk.file?.removed[id] !== undefined || this.removed[id] !== undefined) return undefined;
        const stored = onDisk.file?.tasks.find((t) => t.id === id);
        const next = change(stored);
        if (next === undefined) return undefined;
        if (next === 'remove') {
          await this.mergeAndWrite([], { removed: [id] }, onDisk);
          return 'removed';
        }
        const written = { ...next, updatedAt: Math.max(next.updatedAt, (stored?.updatedAt ?? 0) + 1) };
        await this.mergeAndWrite([written], {}, onDisk);
        return written;
      }),
    );
    this.writing = run.catch(() => undefined);
    return run;
  }

  /** True when another process replaced the file since this store last read or wrote it (a cheap stat). */
  async changedOnDisk(): Promise<boolean> {
    return (await statSignature(this.file)) !== this.seen;
  }

  /** Waits for writes in flight. */
  async flush(): Promise<void> {
    await this.writing;
  }

  /** The file as it is now (undefined when absent; moved aside with a warning when unreadable). */
  private async readForMerge(): Promise<{ file?: StoreFile; warning?: string }> {
    try {
      return { file: parseStore(await fs.readFile(this.file, 'utf8')) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
      return { warning: await this.moveAside(e as Error) };
    }
  }

  /** `read`: the file as just read under this lock, when the caller has it. */
  private async mergeAndWrite(tasks: readonly Task[], changes: SaveChanges, read?: { file?: StoreFile; warning?: string }): Promise<StoreSnapshot> {
    const now = this.now();
    for (const id of changes.removed ?? []) this.removed[id] = now;
    const { file: onDisk, warning } = read ?? (await this.readForMerge());
    for (const [id, at] of Object.entries(onDisk?.removed ?? {})) this.removed[id] = Math.max(at, this.removed[id] ?? 0);
    for (const [id, at] of Object.entries(this.removed)) if (now - at > TOMBSTONE_TTL_MS) delete this.removed[id];

    const merged = new Map<string, Task>();
    for (const t of onDisk?.tasks ?? []) merged.set(t.id, t);
    for (const t of tasks) {
      const other = merged.get(t.id);
      if (!other || other.updatedAt <= t.updatedAt) merged.set(t.id, t);
    }
    for (const id of Object.keys(this.removed)) merged.delete(id);

    const resumedAt: Record<string, number> = {};
    for (const source of [onDisk?.resumedAt ?? {}, changes.resumedAt ?? {}]) {
      for (const [id, at] of Object.entries(source)) {
        const t = merged.get(id);
        if (t && (t.status === 'queued' || t.status === 'running')) resumedAt[id] = Math.max(at, resumedAt[id] ?? 0);
      }
    }
    const list = [...merged.values()].sort((a, b) => a.createdAt - b.createdAt);
    const data: StoreFile = { version: STORE_VERSION, tasks: list, removed: this.removed, resumedAt };
    this.seen = await writeFileAtomic(this.file, JSON.stringify(data));
    return { tasks: list, removed: Object.keys(this.removed), resumedAt, warning };
  }

  private async moveAside(cause: Error): Promise<string> {
    const aside = `${this.file}.corrupt-${this.now()}`;
    await fs.rename(this.file, aside).catch(() => undefined);
    return `The task history file was unreadable (${cause.message}); it was moved aside to ${path.basename(aside)} and a new one started.`;
  }
}

function numberRecord(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, n] of Object.entries(v as Record<string, unknown>)) if (typeof n === 'number' && Number.isFinite(n)) out[k] = n;
  }
  return out;
}

function parseStore(text: string): StoreFile {
  const raw = JSON.parse(text) as unknown;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('not a JSON object');
  const o = raw as Record<string, unknown>;
  if (typeof o.version !== 'number' || o.version > STORE_VERSION) throw new Error(`unsupported version ${String(o.version)}`);
  if (!Array.isArray(o.tasks)) throw new Error('no task list');
  const tasks: Task[] = [];
  for (const t of o.tasks) {
    const valid = validateStoredTask(t);
    if (valid) tasks.push(valid);
  }
  return { version: o.version, tasks, removed: numberRecord(o.removed), resumedAt: numberRecord(o.resumedAt) };
}
