// File primitives shared by the task store and the polling lease: atomic replace (temp file +
// rename, so a reader never sees half a file) and a short-lived exclusive lock file that
// serializes read-merge-write cycles between processes (two VS Code windows).
import { promises as fs, Stats } from 'fs';
import * as path from 'path';
import { randomBytes } from 'crypto';

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
export async function replaceFile(file: string, data: string | Buffer, opts: { syncDir?: boolean } = {}): Promise<Stats> {
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

/**
 * Runs `fn` while holding `lockFile`. Critical sections are a read and a short write, so a lock
 * older than `staleMs` is taken to be abandoned.
 *
 * The lock file holds its owner's random token and appears with that content at once (a hard link
 * of a complete temp file, which fails if a lock exists). Breaking a stale lock never deletes it,
 * which would let a second contender delete the fresh lock of the first: the breaker first claims
 * that very lock (an exclusive `<lock>.<token>.claim-N` file named after the stale owner's token),
 * checks that the lock still holds that token, and then renames its own lock over it, so the lock
 * path is never empty. Only one contender can hold a claim on a token, and a token is never
 * reused, so two contenders racing on one stale lock can never both win. A claim left by a
 * breaker that crashed goes stale too and is superseded by claim N+1.
 */
export async function withFileLock<T>(lockFile: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const token = await acquireLock(lockFile, opts.staleMs ?? 5000, opts.retryMs ?? 15);
  try {
    return await fn();
  } finally {
    await releaseLock(lockFile, token).catch(() => undefined);
  }
}

async function acquireLock(lockFile: string, staleMs: number, retryMs: number): Promise<string> {
  await fs.mkdir(path.dirname(lockFile), { recursive: true });
  const token = `${process.pid}-${randomBytes(8).toString('hex')}`;
  const tmp = `${lockFile}.${token}.tmp`;
  try {
    for (;;) {
      await fs.writeFile(tmp, token);
      if (await linkExclusive(tmp, lockFile)) return token;
      const held = await readLock(lockFile);
      if (!held) continue;
      if (Date.now() - held.mtimeMs > staleMs && (await takeOver(lockFile, held.owner, tmp, staleMs))) return token;
      await new Promise((r) => setTimeout(r, retryMs + Math.random() * retryMs));
    }
  } finally {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
  }
}

/** Creates `target` as a hard link of `source`; false when `target` exists. */
async function linkExclusive(source: string, target: string): Promise<boolean> {
  try {
    await fs.link(source, target);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw e;
  }
  // File systems without hard links: exclusive create (a reader may briefly see it empty).
  try {
    await fs.writeFile(target, await fs.readFile(source), { flag: 'wx' });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/** The lock's owner token ('' while unreadable) and age, or undefined when there is none. */
async function readLock(lockFile: string): Promise<{ owner: string; mtimeMs: number } | undefined> {
  try {
    const [owner, st] = await Promise.all([fs.readFile(lockFile, 'utf8'), fs.stat(lockFile)]);
    return { owner, mtimeMs: st.mtimeMs };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Replaces the stale lock owned by `staleOwner` with ours (`tmp`); false when someone else got there first. */
async function takeOver(lockFile: string, staleOwner: string, tmp: string, staleMs: number): Promise<boolean> {
  const claims: string[] = [];
  try {
    for (let n = 1; ; n++) {
      const claim = `${lockFile}.${staleOwner || 'unreadable'}.claim-${n}`;
      if (await linkExclusive(tmp, claim)) {
        claims.push(claim);
        break;
      }
      const st = await fs.stat(claim).catch(() => undefined);
      if (st && Date.now() - st.mtimeMs <= staleMs) return false;
      claims.push(claim);
    }
    // The owner check: is the lock still the stale one we judged, not a fresh one taken since?
    const now = await readLock(lockFile);
    if (!now || now.owner !== staleOwner || Date.now() - now.mtimeMs <= staleMs) return false;
    await fs.rename(tmp, lockFile);
    return true;
  } finally {
    await Promise.all(claims.map((c) => fs.rm(c, { force: true }).catch(() => undefined)));
  }
}

/** Removes the lock only if it is still ours. */
async function releaseLock(lockFile: string, token: string): Promise<void> {
  if ((await fs.readFile(lockFile, 'utf8')) === token) await fs.rm(lockFile, { force: true });
}
