// Task history on disk: one JSON file under the extension's global storage, written atomically
// (temp file + rename), merged by `updatedAt` on every write so two windows never overwrite each
// other's newer state, and moved aside with a warning when it is corrupt.
import { promises as fs } from 'fs';
import * as path from 'path';
import { randomBytes } from 'crypto';
import { Task } from './types';
import { validateStoredTask } from './taskValidation';

export const STORE_VERSION = 1;

interface StoreFile {
  version: number;
  tasks: Task[];
  /** Removed task ids -> removal time, so a merge never resurrects them. */
  removed: Record<string, number>;
}

export interface LoadResult {
  tasks: Task[];
  /** Set when the file was unreadable and was moved aside. */
  warning?: string;
}

export class TaskStore {
  private removed: Record<string, number> = {};
  private writing: Promise<void> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly now: () => number = Date.now,
  ) {}

  async load(): Promise<LoadResult> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { tasks: [] };
      throw e;
    }
    try {
      const data = parseStore(text);
      this.removed = { ...data.removed };
      return { tasks: data.tasks };
    } catch (e) {
      const aside = `${this.file}.corrupt-${this.now()}`;
      await fs.rename(this.file, aside).catch(() => undefined);
      return {
        tasks: [],
        warning: `The task history file was unreadable (${(e as Error).message}); it was moved aside to ${path.basename(aside)} and a new one started.`,
      };
    }
  }

  /**
   * Writes `tasks` merged with what is on disk (newer `updatedAt` wins per task; removals stick).
   * Returns the merged list so the caller can adopt updates made by another window.
   */
  save(tasks: readonly Task[], removedIds: readonly string[] = []): Promise<Task[]> {
    const run = this.writing.then(() => this.mergeAndWrite(tasks, removedIds));
    this.writing = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async mergeAndWrite(tasks: readonly Task[], removedIds: readonly string[]): Promise<Task[]> {
    const now = this.now();
    for (const id of removedIds) this.removed[id] = now;
    let onDisk: StoreFile | undefined;
    try {
      onDisk = parseStore(await fs.readFile(this.file, 'utf8'));
    } catch {
      onDisk = undefined;
    }
    if (onDisk) for (const [id, at] of Object.entries(onDisk.removed)) this.removed[id] = Math.max(at, this.removed[id] ?? 0);
    // Tombstones older than 30 days are forgotten.
    for (const [id, at] of Object.entries(this.removed)) if (now - at > 30 * 86_400_000) delete this.removed[id];

    const merged = new Map<string, Task>();
    for (const t of onDisk?.tasks ?? []) merged.set(t.id, t);
    for (const t of tasks) {
      const other = merged.get(t.id);
      if (!other || other.updatedAt <= t.updatedAt) merged.set(t.id, t);
    }
    for (const id of Object.keys(this.removed)) merged.delete(id);
    const list = [...merged.values()].sort((a, b) => a.createdAt - b.createdAt);
    const data: StoreFile = { version: STORE_VERSION, tasks: list, removed: this.removed };
    await writeFileAtomic(this.file, JSON.stringify(data));
    return list;
  }

  /** Waits for writes in flight. */
  flush(): Promise<void> {
    return this.writing;
  }
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
  const removed: Record<string, number> = {};
  if (o.removed && typeof o.removed === 'object') {
    for (const [k, v] of Object.entries(o.removed as Record<string, unknown>)) if (typeof v === 'number') removed[k] = v;
  }
  return { version: o.version, tasks, removed };
}

export async function writeFileAtomic(file: string, data: string | Buffer): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await fs.open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}
