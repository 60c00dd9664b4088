// File primitives shared by the task store and the polling lease: atomic replace (temp file +
// rename, so a reader never sees half a file) and a short-lived exclusive lock file that
// serializes read-merge-write cycles between processes (two VS Code windows).
import { randomBytes } from 'crypto';
import { promises as fs, Stats } from 'fs';
import * as path from 'path';
import * as l10n from '@vscode/l10n';

/** Identifies one version of a file: replacing it atomically always changes the inode. */
export type FileSignature = string;

export function signatureOf(st: Pick<Stats, 'ino' | 'size' | 'mtimeMs'>): FileSignature {
  return `${st.ino}:${st.size}:${st.mtimeMs}`;
}

/** The file's current signature, or 'absent'. */
export async function statSignature(file: string): Promise<FileSignature> {
  try {
    return signatureOf(await fs.stat(file));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw e;
  }
}

/** Replaces `file` atomically; resolves with the signature the new file has. */
export async function writeFileAtomic(file: string, data: string | Buffer): Promise<FileSignature> {
  return signatureOf(await replaceFile(file, data));
}

/**
 * Replaces `file` atomically and durably (the data and the rename are flushed before it resolves);
 * resolves with the new file's stats.
 */
export async function replaceFile(
  file: string,
  data: string | Buffer,
  opts: { syncDir?: boolean; fence?: () => Promise<void> } = {},
): Promise<Stats> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    let stats: Stats;
    const handle = await fs.open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
      // rename keeps the inode and mtime, so these are the stats of the renamed file.
      stats = await handle.stat();
    } finally {
      await handle.close();
    }
    // The last moment to find out that the lock this replace is made under was lost.
    await opts.fence?.();
    await fs.rename(tmp, file);
    if (opts.syncDir) await syncDir(path.dirname(file));
    return stats;
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}

/** Flushes a folder's entries (a rename) to disk, where the platform allows it. */
async function syncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // Windows cannot fsync a folder; its renames are durable on their own.
  } finally {
    await handle.close();
  }
}

export interface LockOptions {
  /** A lock (or a takeover claim) older than this was left by a crashed writer and is broken. */
  staleMs?: number;
  retryMs?: number;
}

/** The lock was taken over while its holder still worked under it (it stalled past the stale time). */
export class LockLostError extends Error {
  constructor() {
    super(l10n.t('Another window took over the task history lock while this one was stalled; nothing was written.'));
    this.name = 'LockLostError';
  }
}

/** The lock as its holder sees it. */
export interface HeldLock {
  /**
   * Rejects with LockLostError unless the lock file is still ours (the same inode and our token).
   * Called just before every write made under the lock (a fence): a holder that stalled past the
   * stale time may have lost the lock to another process, and must then write nothing.
   */
  check(): Promise<void>;
}

/**
 * Runs `fn` while holding `lockFile`. Critical sections are a read and a short write, so a lock
 * not refreshed for `staleMs` is taken to be abandoned. While `fn` runs, the lock's time is
 * refreshed every third of `staleMs`, so a live holder whose section takes long keeps it; only a
 * holder that is frozen (or gone) can lose it, and `fn` learns that through `lock.check()`.
 *
 * The lock file is created exclusively and holds its owner's random token. Breaking a stale lock
 * never deletes it, which would let a second contender delete the fresh lock of the first: the
 * breaker first claims that very lock (an exclusive `<lock>.<token>.claim-N` file named after the
 * stale owner's token), checks that the lock still holds that token, and then renames its own lock
 * file over it, so the lock path is never empty. Only one contender can hold a claim on a token,
 * and a token is never reused, so two contenders racing on one stale lock can never both win. A
 * claim left by a breaker that crashed goes stale too and is superseded by claim N+1. A holder
 * removes the lock only while it is still its own (the same file).
 */
export async function withFileLock<T>(lockFile: string, fn: (lock: HeldLock) => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const staleMs = opts.staleMs ?? 5000;
  const held = await acquireLock(lockFile, staleMs, opts.retryMs ?? 15);
  const refresh = setInterval(() => void touchIfOurs(lockFile, held).catch(() => undefined), Math.max(10, staleMs / 3));
  refresh.unref?.();
  try {
    return await fn({ check: () => checkOurs(lockFile, held) });
  } finally {
    clearInterval(refresh);
    await releaseLock(lockFile, held.ino).catch(() => undefined);
  }
}

interface OurLock {
  ino: number;
  token: string;
}

/** Resolves with the lock file we created. */
async function acquireLock(lockFile: string, staleMs: number, retryMs: number): Promise<OurLock> {
  await fs.mkdir(path.dirname(lockFile), { recursive: true });
  const token = `${process.pid}-${randomBytes(8).toString('hex')}`;
  for (;;) {
    const ino = (await createExclusive(lockFile, token)) ?? (await breakIfStale(lockFile, token, staleMs));
    if (ino !== undefined) return { ino, token };
    await new Promise((r) => setTimeout(r, retryMs + Math.random() * retryMs));
  }
}

async function checkOurs(lockFile: string, ours: OurLock): Promise<void> {
  const now = await readLock(lockFile).catch(() => undefined);
  // Inodes are reused once a file is gone, so the token is compared too.
  if (!now || now.ino !== ours.ino || now.owner !== ours.token) throw new LockLostError();
}

/** Moves the lock's time to now while it is ours (a contender judges staleness by it). */
async function touchIfOurs(lockFile: string, ours: OurLock): Promise<void> {
  if ((await fs.stat(lockFile)).ino !== ours.ino) return;
  const now = new Date();
  await fs.utimes(lockFile, now, now);
}

/** Creates `file` holding `content` unless it exists; resolves with its inode, or undefined when it existed. */
async function createExclusive(file: string, content: string): Promise<number | undefined> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw e;
  }
  try {
    await handle.write(content);
    return (await handle.stat()).ino;
  } finally {
    await handle.close();
  }
}

/** The lock's owner token ('' while being written, or left empty by a crash), age and inode, or undefined when there is none. */
async function readLock(lockFile: string): Promise<{ owner: string; mtimeMs: number; ino: number } | undefined> {
  try {
    const [owner, st] = await Promise.all([fs.readFile(lockFile, 'utf8'), fs.stat(lockFile)]);
    return { owner, mtimeMs: st.mtimeMs, ino: st.ino };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Takes the lock over when it is stale and no other contender got there first; resolves with our lock's inode. */
async function breakIfStale(lockFile: string, token: string, staleMs: number): Promise<number | undefined> {
  const held = await readLock(lockFile);
  if (!held || Date.now() - held.mtimeMs <= staleMs) return undefined;
  const claims: string[] = [];
  const tmp = `${lockFile}.${token}.tmp`;
  try {
    for (let n = 1; ; n++) {
      const claim = `${lockFile}.${held.owner || 'empty'}.claim-${n}`;
      claims.push(claim);
      if ((await createExclusive(claim, token)) !== undefined) break;
      const st = await fs.stat(claim).catch(() => undefined);
      if (st && Date.now() - st.mtimeMs <= staleMs) {
        claims.pop();
        return undefined;
      }
    }
    // The owner check: is the lock still the stale one we judged, not a fresh one taken since?
    const now = await readLock(lockFile);
    if (!now || now.owner !== held.owner || Date.now() - now.mtimeMs <= staleMs) return undefined;
    await fs.writeFile(tmp, token);
    const { ino } = await fs.stat(tmp);
    // Windows refuses to replace a file another process has open (a contender reading it): try again later.
    return (await fs.rename(tmp, lockFile).then(
      () => true,
      () => false,
    ))
      ? ino
      : undefined;
  } finally {
    await Promise.all([tmp, ...claims].map((f) => fs.rm(f, { force: true }).catch(() => undefined)));
  }
}

/** Removes the lock only if it is still ours. */
async function releaseLock(lockFile: string, ino: number): Promise<void> {
  if ((await fs.stat(lockFile)).ino === ino) await fs.rm(lockFile, { force: true });
}
