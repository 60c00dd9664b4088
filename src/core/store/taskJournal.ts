// The task history's on-disk format (version 2) and its image in memory. The journal is a file of
// JSON lines: a header line, then one line per change, appended:
//   {"format":"ai-video-studio/tasks","version":2,"generation":"…"}   (first line only)
//   {"task":{…}}                       a task as it is after a change
//   {"removed":"<id>","at":<ms>}       a tombstone: the task was removed (removals win)
//   {"resumed":"<id>","at":<ms>}       "Check Again" resumed the task then (its give-up clock restarts)
// Reading applies the lines in order; per task the version with the newer `updatedAt` wins, so
// appending an out-of-date copy is harmless. On a tie the earlier line wins: two lines of one
// version are two writers that each changed the same stored version without seeing the other (a
// lock taken over from a stalled holder), and the first one in the file is the one that counts, for
// every reader alike (see TaskStore.compareAndSet). A compaction rewrites the file with only the
// live lines, under a new `generation`.
// Lines this version does not understand are kept as they are, never dropped: task records that
// fail validation (a newer version's status, say) and lines of unknown kinds are written back
// verbatim by a compaction, and a task's unknown fields survive when this version updates it.
// Damaged lines (complete lines that are not JSON objects: a bad sector, a stray edit) are kept
// verbatim too, and counted so the store can warn and back the file up before compacting it.
import { randomBytes } from 'crypto';

import { isJsonObject } from '../../shared/json';
import { isActive, Task } from '../model/task';
import { validateStoredTask } from './taskValidation';

export const STORE_VERSION = 2;
const FORMAT = 'ai-video-studio/tasks';

/** Tombstones older than this are forgotten by a compaction. */
const TOMBSTONE_TTL_MS = 30 * 86_400_000;

/** Rough size of a tombstone or resume line, for the compaction estimate. */
const SMALL_LINE_CHARS = 64;

export interface HistorySnapshot {
  tasks: Task[];
  /** Ids removed (by any window). */
  removed: string[];
  resumedAt: Record<string, number>;
}

export interface HistoryChanges {
  /** Ids this window removed since its last save. */
  removed?: readonly string[];
  /** Resume times known to this window. */
  resumedAt?: Readonly<Record<string, number>>;
}

interface TaskRecord {
  /** The line as read or written, written back as it is by a compaction. */
  line: string;
  updatedAt: number;
  /** Undefined when the record fails validation (it is kept, but not shown). */
  task: Task | undefined;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => isJsonObject(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** A fresh header line; each compaction writes a new generation, so a reader can tell the file was replaced. */
export function newHeaderLine(): string {
  return JSON.stringify({ format: FORMAT, version: STORE_VERSION, generation: randomBytes(6).toString('hex') });
}

/**
 * What a history file's first line declares: a journal header, or the single JSON document of
 * version 1 (whose only line is the whole file). Undefined when it is neither.
 */
export function formatOf(firstLine: unknown): { version: number; journal: boolean } | undefined {
  if (!isObject(firstLine) || !isNum(firstLine.version)) return undefined;
  if (firstLine.format === FORMAT) return { version: firstLine.version, journal: true };
  if (Array.isArray(firstLine.tasks)) return { version: firstLine.version, journal: false };
  return undefined;
}

/** The lines of a version-1 document (`{version, tasks, removed, resumedAt}`) in the journal format, raw records included. */
export function linesOfDocument(doc: Json): string[] {
  const lines: string[] = [];
  for (const t of Array.isArray(doc.tasks) ? doc.tasks : []) lines.push(JSON.stringify({ task: t }));
  for (const [key, kind] of [
    ['removed', 'removed'],
    ['resumedAt', 'resumed'],
  ] as const) {
    const map = doc[key];
    if (!isObject(map)) continue;
    for (const [id, at] of Object.entries(map)) if (isNum(at)) lines.push(JSON.stringify({ [kind]: id, at }));
  }
  return lines;
}

export class JournalState {
  private readonly records = new Map<string, TaskRecord>();
  private readonly removed = new Map<string, number>();
  private readonly resumed = new Map<string, number>();
  /** Lines of kinds this version does not know (or task records without an id), and damaged lines, in file order. */
  private readonly foreign: string[] = [];
  /** The damaged lines among them. */
  private readonly damage: string[] = [];
  /** Characters of the task and foreign lines a compaction would keep. */
  private liveChars = 0;

  /** Applies one complete line of the journal. A damaged line (not a JSON object) carries nothing, and is kept. */
  apply(line: string): void {
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch {
      o = undefined;
    }
    if (!isObject(o)) {
      if (line.trim() === '') return;
      this.damage.push(line);
      return this.keepForeign(line);
    }
    if ('task' in o) this.applyTask(o.task, line);
    else if (typeof o.removed === 'string' && isNum(o.at)) this.applyRemoval(o.removed, o.at);
    else if (typeof o.resumed === 'string' && isNum(o.at)) {
      this.resumed.set(o.resumed, Math.max(o.at, this.resumed.get(o.resumed) ?? -Infinity));
    } else this.keepForeign(line);
  }

  /**
   * The lines that bring the journal up to `tasks` and `changes`: a task is written only when its
   * `updatedAt` is newer than the version in the journal (equal means unchanged; older means another
   * window wrote a newer one, which wins), removed tasks never again.
   */
  linesFor(tasks: readonly Task[], changes: HistoryChanges, now: number): string[] {
    const lines: string[] = [];
    const removing = new Set<string>();
    for (const id of changes.removed ?? []) {
      if (this.removed.has(id) || removing.has(id)) continue;
      removing.add(id);
      lines.push(JSON.stringify({ removed: id, at: now }));
    }
    const written = new Map<string, Task>();
    // This loop runs over the whole history at every save: one map lookup for an unchanged task.
    for (const t of tasks) {
      const prev = this.records.get(t.id);
      if (prev && prev.updatedAt >= t.updatedAt) continue;
      if (this.removed.has(t.id) || removing.has(t.id)) continue;
      written.set(t.id, t);
      const extras = prev && unknownFields(prev.line);
      lines.push(JSON.stringify({ task: extras ? { ...extras, ...t } : t }));
    }
    for (const [id, at] of Object.entries(changes.resumedAt ?? {})) {
      if (!isNum(at) || (this.resumed.get(id) ?? -Infinity) >= at) continue;
      const t = written.get(id) ?? this.records.get(id)?.task;
      if (t && isActive(t)) lines.push(JSON.stringify({ resumed: id, at }));
    }
    return lines;
  }

  /** The task as the journal holds it (undefined when absent, unreadable or removed). */
  task(id: string): Task | undefined {
    return this.removed.has(id) ? undefined : this.records.get(id)?.task;
  }

  isRemoved(id: string): boolean {
    return this.removed.has(id);
  }

  /**
   * Which version of a task the journal holds: its record's `updatedAt`, 'removed', or undefined
   * when there is none. A line changes it only by taking effect, so an unchanged version means no
   * line about the task took effect meanwhile.
   */
  versionOf(id: string): number | 'removed' | undefined {
    return this.removed.has(id) ? 'removed' : this.records.get(id)?.updatedAt;
  }

  /** The damaged lines read so far (kept as they are). */
  get damagedLines(): readonly string[] {
    return this.damage;
  }

  snapshot(): HistorySnapshot {
    const tasks: Task[] = [];
    for (const r of this.records.values()) if (r.task) tasks.push(r.task);
    const resumedAt: Record<string, number> = {};
    for (const [id, at] of this.resumed) {
      const t = this.records.get(id)?.task;
      if (t && isActive(t)) resumedAt[id] = at;
    }
    return { tasks, removed: [...this.removed.keys()], resumedAt };
  }

  /** Whether a file of `fileBytes` is mostly superseded lines, so a compaction pays off. */
  compactionDue(fileBytes: number, minBytes: number): boolean {
    const live = this.liveChars + SMALL_LINE_CHARS * (this.removed.size + this.resumed.size);
    return fileBytes > minBytes && fileBytes > 2 * live;
  }

  /** The live lines after `header`, as a compaction writes them; expired tombstones and stale resume times are forgotten. */
  compacted(header: string, now: number): string {
    for (const [id, at] of this.removed) if (now - at > TOMBSTONE_TTL_MS) this.removed.delete(id);
    for (const id of this.resumed.keys()) {
      const t = this.records.get(id)?.task;
      if (!t || !isActive(t)) this.resumed.delete(id);
    }
    const lines = [header];
    for (const r of this.records.values()) lines.push(r.line);
    lines.push(...this.foreign);
    for (const [id, at] of this.removed) lines.push(JSON.stringify({ removed: id, at }));
    for (const [id, at] of this.resumed) lines.push(JSON.stringify({ resumed: id, at }));
    return `${lines.join('\n')}\n`;
  }

  private applyTask(raw: unknown, line: string): void {
    if (!isObject(raw) || typeof raw.id !== 'string') return this.keepForeign(line);
    const id = raw.id;
    if (this.removed.has(id)) return;
    const updatedAt = isNum(raw.updatedAt) ? raw.updatedAt : -Infinity;
    const prev = this.records.get(id);
    if (prev && prev.updatedAt >= updatedAt) return;
    this.liveChars += line.length + 1 - (prev ? prev.line.length + 1 : 0);
    this.records.set(id, { line, updatedAt, task: validateStoredTask(raw) });
  }

  private applyRemoval(id: string, at: number): void {
    this.removed.set(id, Math.max(at, this.removed.get(id) ?? -Infinity));
    const prev = this.records.get(id);
    if (prev) this.liveChars -= prev.line.length + 1;
    this.records.delete(id);
    this.resumed.delete(id);
  }

  private keepForeign(line: string): void {
    this.foreign.push(line);
    this.liveChars += line.length + 1;
  }
}

/**
 * The fields of a task record this version does not know (a newer version's), carried over when
 * it writes the task again. Worked out only then, from the line as it was read: a load does not
 * pay for it.
 */
function unknownFields(line: string): Json | undefined {
  const raw = (JSON.parse(line) as { task: Json }).task;
  const known = validateStoredTask(raw);
  if (!known) return undefined;
  let extras: Json | undefined;
  for (const k of Object.keys(raw)) {
    if (k in known) continue;
    extras ??= {};
    extras[k] = raw[k];
  }
  return extras;
}

/** The state a whole journal text describes (its first line is the header). */
export function parseJournal(text: string): JournalState {
  const state = new JournalState();
  const lines = text.split('\n');
  // The last piece is '' after a final newline, or a torn line a crash left: neither is a record.
  for (let i = 1; i < lines.length - 1; i++) state.apply(lines[i]);
  return state;
}
