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
// written by a newer format version is opened read-only with a warning, never moved aside. A
// damaged line in the middle is kept as it is, with one warning, and the file is backed up before
// the first compaction that rewrites it (so what it held can still be recovered by hand).
//
// A holder of the lock that stalls past its stale time (a frozen window) loses the lock to another
// window. So every write is fenced (the lock is checked just before it), and an append that finds
// other lines appended meanwhile reads them back in file order instead of assuming it was alone.
// Claims are decided by that order (compareAndSet): only the first change of a stored version counts.
import { createHash } from 'crypto';
import { constants, promises as fs, Stats } from 'fs';
import * as path from 'path';
import * as l10n from '@vscode/l10n';

import { Task } from '../model/task';
import { FileSignature, HeldLock, replaceFile, signatureOf, statSignature, withFileLock } from './atomicFile';
import {
  formatOf,
  HistoryChanges,
  HistorySnapshot,
  JournalState,
  linesOfDocument,
  newHeaderLine,
  parseJournal,
  STORE_VERSION,
} from './taskJournal';

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

/** A write that must be the first change of one task's stored version (compareAndSet). */
interface Claim {
  id: string;
  base: number | 'removed' | undefined;
}

/** What became of a write made for a Claim: not made (the version changed first), made first, or made after another change. */
type ClaimOutcome = 'stale' | 'first' | 'second';

interface Written {
  snap: StoreSnapshot;
  outcome: ClaimOutcome;
}

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
  /** The lock while this store holds it: checked just before every write. */
  private held: HeldLock | undefined;
  /** The damaged lines were reported (once per store). */
  private damageTold = false;

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
    return this.serialize(async () => this.withNotices(this.snapshot(await this.refresh())));
  }

  /**
   * Appends what changed in `tasks` (and `changes`) since the versions in the journal, merged with
   * what other windows wrote (newer `updatedAt` wins per task; removals stick). Resolves with the
   * merged history so the caller can adopt changes made by another window.
   */
  save(tasks: readonly Task[], changes: SaveChanges = {}): Promise<StoreSnapshot> {
    return this.serialize(async () => {
      const snap = this.readOnly ? this.snapshot(await this.refresh()) : await this.withLock(() => this.mergeAndWrite(tasks, changes));
      return this.withNotices(snap);
    });
  }

  /**
   * Compare-and-set of one task under the store's lock, so two windows never both act on it (e.g.
   * both send one queued create). `change` sees the task as stored (undefined when it is not) and
   * returns what to write in its place, 'remove', or undefined to leave it. Nothing is written for
   * a task some window removed. Resolves with what was written, 'removed', or undefined when
   * nothing was, or when what was written was not the first change of the stored version.
   *
   * The lock alone cannot promise that: a holder that froze past the stale time loses it, and may
   * write after the window that took it over. So the change counts only when it is the first one
   * of the version it was made from, in journal order: the version is looked at again just before
   * the write (nothing is written when it changed), and, when other lines were appended meanwhile,
   * in the order the file holds them. The written version is the stored one plus 1, so two
   * writers of one stored version write the same version, and every reader keeps the first line
   * (see taskJournal.ts): the history agrees with who won. Rejects when the lock was lost before
   * the write (LockLostError); nothing was written then.
   */
  compareAndSet(id: string, change: (stored: Task | undefined) => Task | 'remove' | undefined): Promise<Task | 'removed' | undefined> {
    return this.serialize(async () => {
      if (this.readOnly) return undefined;
      return this.withLock(async () => {
        // Catches up with every other window's appends while holding the lock; writes nothing.
        await this.mergeAndWrite([], {});
        if (this.readOnly || this.state.isRemoved(id)) return undefined;
        const claim: Claim = { id, base: this.state.versionOf(id) };
        const next = change(this.state.task(id));
        if (next === undefined) return undefined;
        if (next === 'remove') {
          // A tombstone wins whatever came before it, once written.
          return (await this.writeMerged([], { removed: [id] }, claim)).outcome === 'stale' ? undefined : 'removed';
        }
        const base = claim.base;
        const written = { ...next, updatedAt: typeof base === 'number' && Number.isFinite(base) ? base + 1 : next.updatedAt };
        return (await this.writeMerged([written], {}, claim)).outcome === 'first' ? written : undefined;
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
    return withFileLock(
      this.lockFile,
      async (lock) => {
        this.held = lock;
        try {
          return await fn();
        } finally {
          this.held = undefined;
        }
      },
      { staleMs: this.opts.staleLockMs },
    );
  }

  /** Rejects (LockLostError) when the lock this store writes under is no longer its own. */
  private readonly fence = async (): Promise<void> => {
    await this.held?.check();
  };

  /** Adds the one-time notices of the history's state (damaged lines) to what load and save resolve with. */
  private withNotices(snap: StoreSnapshot): StoreSnapshot {
    const damaged = this.state.damagedLines.length;
    if (!damaged || this.damageTold) return snap;
    this.damageTold = true;
    const notice = l10n.t(
      'The task history ({0}) has {1} damaged line(s) that could not be read; a task recorded only there is not shown. The lines are kept as they are, and the file is backed up before it is next compacted.',
      path.basename(this.file),
      damaged,
    );
    return { ...snap, warning: snap.warning ? `${snap.warning} ${notice}` : notice };
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
    const warning = await this.withLock(async () =>
      (await statSignature(this.file)) === signature ? this.moveAside(this.file, corrupt) : undefined,
    );
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
    if (
      pos &&
      !this.readOnly &&
      pos.ino === stats.ino &&
      stats.size >= pos.offset &&
      (await readRange(handle, 0, pos.headerBytes)).toString('utf8') === `${pos.header}\n`
    ) {
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
    if (!format || format.version !== 1 || format.journal) {
      return this.moveAside(this.legacyFile, new Error(format ? `unsupported version ${format.version}` : 'not a task history'));
    }
    const lines = [newHeaderLine(), ...linesOfDocument(doc as Record<string, unknown>)];
    await replaceFile(this.file, `${lines.join('\n')}\n`, { syncDir: true, fence: this.fence });
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
      warning: l10n.t(
        'The task history ({0}) was written by a newer version of AI Video Studio (format {1}; this one reads {2}). It is shown read-only: changes made in this window are not saved. Update the extension to keep them.',
        path.basename(source),
        version,
        STORE_VERSION,
      ),
    };
  }

  /** Moves an unreadable history file out of the way; this store starts over without a journal. */
  private async moveAside(file: string, cause: Error): Promise<string> {
    const aside = `${file}.corrupt-${this.now()}`;
    await this.fence();
    await fs.rename(file, aside).catch(() => undefined);
    this.reset('absent');
    return l10n.t(
      'The task history file was unreadable ({0}); it was moved aside to {1} and a new one started.',
      cause.message,
      path.basename(aside),
    );
  }

  // ---- writing (under the lock) --------------------------------------------------------------

  private async mergeAndWrite(tasks: readonly Task[], changes: SaveChanges): Promise<StoreSnapshot> {
    return (await this.writeMerged(tasks, changes)).snap;
  }

  private async writeMerged(tasks: readonly Task[], changes: SaveChanges, claim?: Claim): Promise<Written> {
    let warning: string | undefined;
    let handle = await openForAppend(this.file);
    if (!handle) {
      const legacy = await this.migrateOrOpenLegacy();
      if (legacy !== 'retry') warning = legacy;
      if (this.readOnly) return { snap: this.snapshot(warning), outcome: 'stale' };
      handle = await openForAppend(this.file);
    }
    if (!handle) return this.create(tasks, changes, warning, claim);
    let outcome: ClaimOutcome = 'first';
    try {
      const { stats, outcome: read } = await this.catchUp(handle);
      if (read) {
        await handle.close();
        handle = undefined;
        warning = await this.moveAside(this.file, read.corrupt);
        return await this.create(tasks, changes, warning, claim);
      }
      if (this.readOnly) return { snap: this.snapshot(warning), outcome: 'stale' };
      // The stored version changed since the caller decided (it read it before stalling): write nothing.
      if (claim && this.state.versionOf(claim.id) !== claim.base) return { snap: this.snapshot(warning), outcome: 'stale' };
      const pos = this.position!;
      // A torn line left by a writer that crashed: cut it off before appending after it.
      if (stats.size > pos.offset) {
        await this.fence();
        await handle.truncate(pos.offset);
      }
      const lines = this.state.linesFor(tasks, changes, this.now());
      let after: Stats | undefined;
      if (lines.length) {
        const data = Buffer.from(`${lines.join('\n')}\n`);
        await this.fence();
        const base = pos.offset;
        await writeAll(handle, data);
        await handle.datasync();
        after = await handle.stat();
        if (after.size === base + data.length) {
          for (const line of lines) this.state.apply(line);
          pos.offset += data.length;
        } else {
          outcome = await this.readBack(handle, base, after.size, data, claim);
        }
      }
      if (lines.length || stats.size > pos.offset) this.seen = signatureOf(after ?? (await handle.stat()));
      if (this.state.compactionDue(pos.offset, this.opts.compactAboveBytes ?? DEFAULT_COMPACT_ABOVE_BYTES)) await this.compact(handle);
    } finally {
      await handle?.close();
    }
    return { snap: this.snapshot(warning), outcome };
  }

  /**
   * Another writer appended while this one wrote (it took over the lock of this stalled one, or
   * this one wrote after losing it): takes in the lines from `base` in file order, ours among them.
   * 'first' when our lines are whole and, for a claim, no line changed the claimed version before
   * them; 'second' otherwise (whatever of ours is in the file counts as any other line does).
   */
  private async readBack(handle: fs.FileHandle, base: number, end: number, ours: Buffer, claim: Claim | undefined): Promise<ClaimOutcome> {
    const buf = await readRange(handle, base, end);
    const last = buf.lastIndexOf(NEWLINE) + 1;
    const oursAt = buf.indexOf(ours);
    const whole = oursAt >= 0 && oursAt + ours.length <= last && (oursAt === 0 || buf[oursAt - 1] === NEWLINE);
    let outcome: ClaimOutcome = 'second';
    for (let at = 0; at < last;) {
      const nl = buf.indexOf(NEWLINE, at);
      if (whole && at === oursAt && (!claim || this.state.versionOf(claim.id) === claim.base)) outcome = 'first';
      this.state.apply(buf.toString('utf8', at, nl));
      at = nl + 1;
    }
    this.position!.offset = base + last;
    return outcome;
  }

  /** Starts a journal holding `tasks` (written atomically). */
  private async create(tasks: readonly Task[], changes: SaveChanges, warning: string | undefined, claim?: Claim): Promise<Written> {
    this.reset('absent');
    if (claim && claim.base !== undefined) return { snap: this.snapshot(warning), outcome: 'stale' };
    const header = newHeaderLine();
    const lines = this.state.linesFor(tasks, changes, this.now());
    const stats = await replaceFile(this.file, `${[header, ...lines].join('\n')}\n`, { syncDir: true, fence: this.fence });
    for (const line of lines) this.state.apply(line);
    this.position = { ino: stats.ino, header, headerBytes: Buffer.byteLength(header) + 1, offset: stats.size };
    this.seen = signatureOf(stats);
    return { snap: this.snapshot(warning), outcome: 'first' };
  }

  /** Rewrites the journal with its live lines only. A failure leaves the (complete) journal as it was. */
  private async compact(handle: fs.FileHandle): Promise<void> {
    // Nothing may have been appended that this state lacks (it would be lost).
    const size = (await handle.stat()).size;
    if (size !== this.position!.offset) return;
    const header = newHeaderLine();
    try {
      if (this.state.damagedLines.length) await this.backUpDamaged(handle, size);
      const stats = await replaceFile(this.file, this.state.compacted(header, this.now()), { syncDir: true, fence: this.fence });
      this.position = { ino: stats.ino, header, headerBytes: Buffer.byteLength(header) + 1, offset: stats.size };
      this.seen = signatureOf(stats);
    } catch {
      return;
    }
    await removeLeftovers(this.file);
  }

  /**
   * Before a compaction rewrites a journal that has damaged lines, a copy of it as it is, once per
   * set of damaged lines (`<journal>.damaged-<hash>.bak`): the compaction keeps those lines, but
   * what was around them is then only in the copy. Rejects (and so stops the compaction) when the
   * copy cannot be made.
   */
  private async backUpDamaged(handle: fs.FileHandle, size: number): Promise<void> {
    const hash = createHash('sha256').update(this.state.damagedLines.join('\n')).digest('hex').slice(0, 12);
    const backup = `${this.file}.damaged-${hash}.bak`;
    if ((await statSignature(backup)) !== 'absent') return;
    await replaceFile(backup, await readRange(handle, 0, size));
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
  for (let done = 0; done < data.length;) done += (await handle.write(data, done, data.length - done)).bytesWritten;
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
