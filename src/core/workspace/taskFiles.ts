// Downloaded results on disk: one folder per task under the media folder. Removing a task deletes
// its folder; folders no task owns (left by versions that kept the files of removed tasks) are swept
// once; and the folder sizes are measured cheaply, only where tasks changed.
import { promises as fs } from 'fs';
import * as path from 'path';

import type { Task } from '../model/task';
import { safeFileName } from '../net/download';

type TaskFiles = Pick<Task, 'id' | 'videos'>;

/** Written into the media folder once the orphan sweep ran. */
export const ORPHAN_SWEEP_MARKER = '.orphans-swept';
/** Entries changed this recently are never swept: another window may be downloading into them. */
const SWEEP_MIN_AGE_MS = 10 * 60_000;

export function taskFolder(mediaDir: string, taskId: string): string {
  return path.join(mediaDir, safeFileName(taskId, 'task'));
}

/** The first path segment of `p` below `root`, or undefined when `p` is not strictly inside it. */
function topEntry(root: string, p: string): string | undefined {
  const rel = path.relative(path.resolve(root), path.resolve(p));
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep)[0];
}

/** Deletes what these tasks downloaded: each task's folder, and its result files if they lie elsewhere in the media folder. Never rejects. */
export async function deleteTaskFiles(mediaDir: string, tasks: readonly TaskFiles[]): Promise<void> {
  const work: Promise<unknown>[] = [];
  for (const t of tasks) {
    work.push(fs.rm(taskFolder(mediaDir, t.id), { recursive: true, force: true }));
    // Files only (no `recursive`): a stored path can never take a whole folder with it.
    for (const v of t.videos) if (v.localPath && topEntry(mediaDir, v.localPath)) work.push(fs.rm(v.localPath, { force: true }));
  }
  await Promise.all(work.map((p) => p.catch(() => undefined)));
}

/**
 * Once per media folder: deletes the entries no task in `tasks` owns. Returns their names (empty
 * when the sweep already ran, or there is no media folder yet).
 */
export async function sweepOrphansOnce(mediaDir: string, tasks: readonly TaskFiles[], now = Date.now()): Promise<string[]> {
  const marker = path.join(mediaDir, ORPHAN_SWEEP_MARKER);
  if (
    await fs.stat(marker).then(
      () => true,
      () => false,
    )
  ) {
    return [];
  }
  let names: string[];
  try {
    names = await fs.readdir(mediaDir);
  } catch {
    return [];
  }
  const owned = new Set<string>();
  for (const t of tasks) {
    owned.add(safeFileName(t.id, 'task'));
    for (const v of t.videos) {
      const top = v.localPath && topEntry(mediaDir, v.localPath);
      if (top) owned.add(top);
    }
  }
  const swept: string[] = [];
  for (const name of names) {
    if (name.startsWith('.') || owned.has(name)) continue;
    const p = path.join(mediaDir, name);
    const st = await fs.lstat(p).catch(() => undefined);
    if (!st || now - st.mtimeMs < SWEEP_MIN_AGE_MS) continue;
    await fs.rm(p, { recursive: true, force: true });
    swept.push(name);
  }
  await fs.writeFile(marker, `${new Date(now).toISOString()}\n`);
  return swept;
}

/** Bytes of the files under `p` (or of `p` itself), links not followed; 0 when it does not exist. */
export async function diskBytes(p: string): Promise<number> {
  const st = await fs.lstat(p).catch(() => undefined);
  if (!st) return 0;
  if (!st.isDirectory()) return st.isFile() ? st.size : 0;
  const names = await fs.readdir(p).catch(() => [] as string[]);
  const sizes = await Promise.all(names.map((n) => diskBytes(path.join(p, n))));
  return sizes.reduce((a, b) => a + b, 0);
}

/**
 * How much the media folder holds. The first update measures every entry; later ones re-measure
 * only the folders of the tasks named (a file appears or goes only when its task changes).
 */
export class MediaUsage {
  private readonly bytes = new Map<string, number>();
  private measured = false;

  constructor(private readonly mediaDir: string) {}

  async update(taskIds: Iterable<string>): Promise<number> {
    const names = this.measured
      ? [...taskIds].map((id) => safeFileName(id, 'task'))
      : await fs.readdir(this.mediaDir).catch(() => [] as string[]);
    this.measured = true;
    await Promise.all(
      names.map(async (name) => {
        const n = await diskBytes(path.join(this.mediaDir, name));
        if (n > 0) this.bytes.set(name, n);
        else this.bytes.delete(name);
      }),
    );
    return this.total;
  }

  get total(): number {
    let sum = 0;
    for (const n of this.bytes.values()) sum += n;
    return sum;
  }
}

/** "1.2 GB", "340 MB", "12 KB", "0 B". */
export function formatDiskSize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = unit === 0 || value >= 10 ? String(Math.round(value)) : value.toFixed(1).replace(/\.0$/, '');
  return `${shown} ${units[unit]}`;
}
