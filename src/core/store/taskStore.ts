// Task history on disk, shared by every window: an append-only journal of JSON lines (see
// taskJournal.ts) next to where version 1 kept one JSON document (`tasks.json` → `tasks.jsonl`).
//
// Why a journal: version 1 rewrote the whole file on every change, so one progress tick cost a
// read, a merge and a write of the entire history (340 ms at 10,000 tasks). Here a save appends
// only the records that changed (diffed by task id and `updatedAt` against the versions last read
// or written) with one write and one fdatasync, so its cost does not grow with the history, and a
// window catches up on other windows' writes by reading only the bytes appended since its last
// offset. One file (rather than one file per task plus an index) keeps a load to one sequential
// read, an update to one append, and a change visible to other windows' file watchers as a change
// of a single file. When most of the file is superseded lines, a save compacts it: the live lines
// are written to a temp file, flushed and renamed over the journal (a new inode and a new header
// `generation`, so readers start over instead of reading a tail at a stale offset).
//
// Crash safety: an append is one write of whole lines; a crash mid-write leaves at most one torn
// last line, which readers ignore and the next writer (under the lock) truncates away. A
// compaction and the version-1 migration replace the file atomically. Writes are serialized
// between processes by a lock file (atomicFile.ts), and merged: per task the newer `updatedAt`
// wins, removals stick. A file whose header is unreadable is moved aside with a warning; a file
// written by a newer format version is opened read-only with a warning, never moved aside.
import * as l10n from '@vscode/l10n';
import { constants, promises as fs, Stats } from 'fs';
import * as path from 'path';
import { Task } from '../model/task';
import { FileSignature, replaceFile, signatureOf, statSignature, withFileLock } from './atomicFile';
import { formatOf, HistoryChanges, HistorySnapshot, JournalState, linesOfDocument, newHeaderLine, parseJournal, STORE_VERSION } from './taskJournal';

export interface StoreSnapshot extends HistorySnapshot {
  /** A problem the user should know about: the file was unreadable and moved aside, or is read-only. */
  warning?: string;
}

export type SaveChanges = HistoryChanges;

export interface StoreOptions {
  /** A journal is compacted once it is larger than this and mostly superseded lines. */
  compactAboveBytes?: number;
  /** Passed to the lock: a lock older than this was left by a crashed writer. */
  staleLockMs?: number;
}

const DEFAULT_COMPACT_ABOVE_BYTES = 1024 * 1024;
/** Leftover temp and claim files of crashed writers are removed at a compaction once this old. */
const LEFTOVER_MS = 60_000;
const NEWLINE = 0x0a;

/** Where the journal reading stands: the bytes taken in are whole lines of this very file. */
interface Position {
  ino: number;
  header: string;
  /** Bytes of the header line (with its newline). */
  headerBytes: number;
  offset: number;
}

type Outcome = { corrupt: Error; signature: FileSignature } | undefined;

export class TaskStore {
  /** The journal file. */
  readonly file: string;
  /** The version-1 history file it replaces (the path the store was created with). */
  private readonly legacyFile: string;
  private state = new JournalState();
  private position: Position | undefined;
  /** The version of the file this store last read or wrote ('absent' when there was none). */
  private seen: FileSignature | undefined;
  /** Set while the history is in a newer format: nothing is written, the warning is given once. */
  private readOnly: { source: string; warning: string; told: boolean } | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    file: string,
    private readonly now: () => number = Date.now,
    private readonly opts: StoreOptions = {},
  ) {
    this.legacyFile = file;
    this.file = file.endsWith('.json') ? `${file}l` : `${file}.jsonl`;
  }

  /** Serializes writes between processes. */
  get lockFile(): string {
    return `${this.file}.lock`;
  }

  /** Reads what changed since the last read or write (all of it the first time). */
  load(): Promise<StoreSnapshot> {
    return this.serialize(async () => this.snapshot(await this.refresh()));
  }

  /**
   * Appends what changed in `tasks` (and `changes`) since the versions in the journal, merged with
   * what other windows wrote (newer `updatedAt` wins per task; removals stick). Resolves with the
   * merged history so the caller can adopt changes made by another window.
   */
  save(tasks: readonly Task[], changes: SaveChanges = {}): Promise<StoreSnapshot> {
    return this.serialize(async () => (this.readOnly ? this.snapshot(await this.refresh()) : this.withLock(() => this.mergeAndWrite(tasks, changes))));
  }

  /**
   * Compare-and-set of one task under the store's lock, so two windows never both act on it (e.g.
   * both send one queued create). `change` sees the task as stored (undefined when it is not) and
   * returns what to write in its place, 'remove', or undefined to leave it. Nothing is written for
   * a task some window removed. Resolves with what was written (its `updatedAt` moved past the
   * stored one), 'removed', or undefined when nothing was.
   */
  compareAndSet(id: string, change: (stored: Task | undefined) => Task | 'remove' | undefined): Promise<Task | 'removed' | undefined> {
    return this.serialize(async () => {
      if (this.readOnly) return undefined;
      return this.withLock(async () => {
        // Catches up with every other window's appends while holding the lock; writes nothing.
        await this.mergeAndWrite([], {});
        if (this.readOnly || this.state.isRemoved(id)) return undefined;
        const stored = this.state.task(id);
        const next = change(stored);
        if (next === undefined) return undefined;
        if (next === 'remove') {
          await this.mergeAndWrite([], { removed: [id] });
          return 'removed';
        }
        const written = { ...next, updatedAt: Math.max(next.updatedAt, (stored?.updatedAt ?? 0) + 1) };
        await this.mergeAndWrite([written], {});
        return written;
      });
    });
  }

  /** True when another process wrote the history since this store last read or wrote it (a cheap stat). */
  async changedOnDisk(): Promise<boolean> {
    return (await statSignature(this.readOnly?.source ?? this.file)) !== this.seen;
  }

  /** Waits for writes in flight. */
  async flush(): Promise<void> {
    await this.queue;
  }

  /** Loads and saves take turns: both move this store's reading position. */
  private serialize<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private withLock<T>(fn: () => Promise<T>): Promise<T> {
    return withFileLock(this.lockFile, fn, { staleMs: this.opts.staleLockMs });
  }

  private snapshot(warning?: string): StoreSnapshot {
    const snap: StoreSnapshot = this.state.snapshot();
    if (!warning && this.readOnly && !this.readOnly.told) {
      this.readOnly.told = true;
      warning = this.readOnly.warning;
    }
    if (warning) snap.warning = warning;
    return snap;
  }

  // ---- reading -------------------------------------------------------------------------------

  /** Takes in what changed on disk; resolves with a warning for the user, if any. */
  private async refresh(): Promise<string | undefined> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.file, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      return this.withoutJournal();
    }
    let outcome: Outcome;
    try {
      outcome = (await this.catchUp(handle)).outcome;
    } finally {
      await handle.close();
    }
    if (!outcome) return undefined;
    // Under the lock, and only if no other window has replaced the file since it was read.
    const { corrupt, signature } = outcome;
    const warning = await this.withLock(async () => ((await statSignature(this.file)) === signature ? this.moveAside(this.file, corrupt) : undefined));
    return warning ?? this.refresh();
  }

  /**
   * Brings the state up to the journal open in `handle`: only the appended tail when it is the
   * file read last time, everything otherwise.
   */
  private async catchUp(handle: fs.FileHandle): Promise<{ stats: Stats; outcome: Outcome }> {
    const stats = await handle.stat();
    const signature = signatureOf(stats);
    if (signature === this.seen) return { stats, outcome: undefined };
    const pos = this.position;
    if (pos && !this.readOnly && pos.ino === stats.ino && stats.size >= pos.offset && (await readRange(handle, 0, pos.headerBytes)).toString('utf8') === `${pos.header}\n`) {
      const tail = await readRange(handle, pos.offset, stats.size);
      const end = tail.lastIndexOf(NEWLINE) + 1;
      if (end > 0) for (const line of tail.toString('utf8', 0, end - 1).split('\n')) this.state.apply(line);
      pos.offset += end;
      this.seen = signature;
      return { stats, outcome: undefined };
    }
    const all = await readRange(handle, 0, stats.size);
    const end = all.lastIndexOf(NEWLINE) + 1;
    const text = all.toString('utf8', 0, end > 0 ? end : all.length);
    const firstEnd = text.indexOf('\n');
    const header = firstEnd < 0 ? text : text.slice(0, firstEnd);
    let first: unknown;
    try {
      first = JSON.parse(header);
    } catch (e) {
      return { stats, outcome: { corrupt: e as Error, signature } };
    }
    const format = formatOf(first);
    // A journal of this version, or anything of a newer one (read as far as it can be).
    if (!format || format.version < STORE_VERSION || (format.version === STORE_VERSION && !format.journal)) {
      return { stats, outcome: { corrupt: new Error(format ? `unexpected format ${format.version}` : 'no format header'), signature } };
    }
    this.seen = signature;
    if (format.version > STORE_VERSION) {
      this.state = newerState(first, text);
      this.position = undefined;
      this.markReadOnly(this.file, format.version);
    } else {
      this.state = parseJournal(text);
      this.position = { ino: stats.ino, header, headerBytes: Buffer.byteLength(header) + 1, offset: end };
    }
    return { stats, outcome: undefined };
  }

  /** No journal yet: migrates a version-1 file if there is one. */
  private async withoutJournal(): Promise<string | undefined> {
    const legacy = await statSignature(this.legacyFile);
    if (legacy === 'absent') {
      this.reset('absent');
      return undefined;
    }
    if (this.readOnly?.source === this.legacyFile && legacy === this.seen) return undefined;
    const result = await this.withLock(() => this.migrateOrOpenLegacy());
    return result === 'retry' ? this.refresh() : result;
  }

  /**
   * Under the lock: turns the version-1 document into a journal (written atomically; the old file
   * is then renamed to `<file>.v1-backup`). A newer document is opened read-only, a corrupt one is
   * moved aside. 'retry' when a journal exists (another window migrated first).
   */
  private async migrateOrOpenLegacy(): Promise<string | undefined | 'retry'> {
    if ((await statSignature(this.file)) !== 'absent') return 'retry';
    let text: string;
    let stats: Stats;
    try {
      [text, stats] = await Promise.all([fs.readFile(this.legacyFile, 'utf8'), fs.stat(this.legacyFile)]);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      this.reset('absent');
      return undefined;
    }
    let doc: unknown;
    let format: ReturnType<typeof formatOf>;
    try {
      doc = JSON.parse(text);
      format = formatOf(doc);
    } catch (e) {
      return this.moveAside(this.legacyFile, e as Error);
    }
    if (format && format.version > STORE_VERSION) {
      this.state = newerState(doc, '');
      this.position = undefined;
      this.seen = signatureOf(stats);
      this.markReadOnly(this.legacyFile, format.version);
      return undefined;
    }
    if (!format || format.version !== 1 || format.journal) return this.moveAside(this.legacyFile, new Error(format ? `unsupported version ${format.version}` : 'not a task history'));
    const lines = [newHeaderLine(), ...linesOfDocument(doc as Record<string, unknown>)];
    await replaceFile(this.file, `${lines.join('\n')}\n`, { syncDir: true });
    await fs.rename(this.legacyFile, `${this.legacyFile}.v1-backup`).catch(() => undefined);
    return 'retry';
  }

  private reset(seen: FileSignature): void {
    this.state = new JournalState();
    this.position = undefined;
    this.seen = seen;
  }

  private markReadOnly(source: string, version: number): void {
    if (this.readOnly?.source === source) return;
    this.readOnly = {
      source,
      told: false,
      warning:
        l10n.t('The task history ({0}) was written by a newer version of AI Video Studio (format {1}; this one reads {2}). It is shown read-only: changes made in this window are not saved. Update the extension to keep them.', path.basename(source), version, STORE_VERSION),
    };
  }

  /** Moves an unreadable history file out of the way; this store starts over without a journal. */
  private async moveAside(file: string, cause: Error): Promise<string> {
    const aside = `${file}.corrupt-${this.now()}`;
    await fs.rename(file, aside).catch(() => undefined);
    this.reset('absent');
    return l10n.t('The task history file was unreadable ({0}); it was moved aside to {1} and a new one started.', cause.message, path.basename(aside));
  }

  // ---- writing (under the lock) --------------------------------------------------------------

  private async mergeAndWrite(tasks: readonly Task[], changes: SaveChanges): Promise<StoreSnapshot> {
    let warning: string | undefined;
    let handle = await openForAppend(this.file);
    if (!handle) {
      const legacy = await this.migrateOrOpenLegacy();
      if (legacy !== 'retry') warning = legacy;
      if (this.readOnly) return this.snapshot(warning);
      handle = await openForAppend(this.file);
    }
    if (!handle) return this.create(tasks, changes, warning);
    try {
      const { stats, outcome } = await this.catchUp(handle);
      if (outcome) {
        await handle.close();
        handle = undefined;
        warning = await this.moveAside(this.file, outcome.corrupt);
        return await this.create(tasks, changes, warning);
      }
      if (this.readOnly) return this.snapshot(warning);
      const pos = this.position!;
      // A torn line left by a writer that crashed: cut it off before appending after it.
      if (stats.size > pos.offset) await handle.truncate(pos.offset);
      const lines = this.state.linesFor(tasks, changes, this.now());
      if (lines.length) {
        const data = Buffer.from(`${lines.join('\n')}\n`);
        await writeAll(handle, data);
        await handle.datasync();
        for (const line of lines) this.state.apply(line);
        pos.offset += data.length;
      }
      if (lines.length || stats.size > pos.offset) this.seen = signatureOf(await handle.stat());
      if (this.state.compactionDue(pos.offset, this.opts.compactAboveBytes ?? DEFAULT_COMPACT_ABOVE_BYTES)) await this.compact(handle);
    } finally {
      await handle?.close();
    }
    return this.snapshot(warning);
  }

  /** Starts a journal holding `tasks` (written atomically). */
  private async create(tasks: readonly Task[], changes: SaveChanges, warning: string | undefined): Promise<StoreSnapshot> {
    this.reset('absent');
    const header = newHeaderLine();
    const lines = this.state.linesFor(tasks, changes, this.now());
    const stats = await replaceFile(this.file, `${[header, ...lines].join('\n')}\n`, { syncDir: true });
    for (const line of lines) this.state.apply(line);
    this.position = { ino: stats.ino, header, headerBytes: Buffer.byteLength(header) + 1, offset: stats.size };
    this.seen = signatureOf(stats);
    return this.snapshot(warning);
  }

  /** Rewrites the journal with its live lines only. A failure leaves the (complete) journal as it was. */
  private async compact(handle: fs.FileHandle): Promise<void> {
    // Nothing may have been appended that this state lacks (it would be lost).
    if ((await handle.stat()).size !== this.position!.offset) return;
    const header = newHeaderLine();
    try {
      const stats = await replaceFile(this.file, this.state.compacted(header, this.now()), { syncDir: true });
      this.position = { ino: stats.ino, header, headerBytes: Buffer.byteLength(header) + 1, offset: stats.size };
      this.seen = signatureOf(stats);
    } catch {
      return;
    }
    await removeLeftovers(this.file);
  }
}

/** The state of a history in a newer format, read as far as this version understands it. */
function newerState(first: unknown, text: string): JournalState {
  const state = parseJournal(text);
  if (first && typeof first === 'object') for (const line of linesOfDocument(first as Record<string, unknown>)) state.apply(line);
  return state;
}

async function openForAppend(file: string): Promise<fs.FileHandle | undefined> {
  try {
    return await fs.open(file, constants.O_RDWR | constants.O_APPEND);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

async function readRange(handle: fs.FileHandle, from: number, to: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(Math.max(0, to - from));
  let got = 0;
  while (got < buf.length) {
    const { bytesRead } = await handle.read(buf, got, buf.length - got, from + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

async function writeAll(handle: fs.FileHandle, data: Buffer): Promise<void> {
  for (let done = 0; done < data.length; ) done += (await handle.write(data, done, data.length - done)).bytesWritten;
}

/** Temp and claim files that writers killed mid-way left next to the journal. */
async function removeLeftovers(file: string): Promise<void> {
  const dir = path.dirname(file);
  const prefix = `${path.basename(file)}.`;
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const cutoff = Date.now() - LEFTOVER_MS;
  for (const name of names) {
    if (!name.startsWith(prefix) || !(name.endsWith('.tmp') || /\.claim-\d+$/.test(name))) continue;
    const p = path.join(dir, name);
    const st = await fs.stat(p).catch(() => undefined);
    if (st && st.mtimeMs < cutoff) await fs.rm(p, { force: true }).catch(() => undefined);
  }
}
