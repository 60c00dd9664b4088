// File primitives shared by the task store and the polling lease: atomic replace (temp file +
// rename, so a reader never sees half a file) and a short-lived exclusive lock file (O_EXCL create)
// that serializes read-merge-write cycles between processes (two VS Code windows).
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
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    let signature: FileSignature;
    const handle = await fs.open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
      // rename keeps the inode and mtime, so this is the signature of the renamed file.
      signature = signatureOf(await handle.stat());
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
    return signature;
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}

export interface LockOptions {
  /** A lock older than this was left by a crashed writer and is broken. */
  staleMs?: number;
  retryMs?: number;
}

/**
 * Runs `fn` while holding `lockFile` (created with O_EXCL). Critical sections are a read and a
 * write of a small file, so a lock older than `staleMs` is taken to be abandoned.
 */
export async function withFileLock<T>(lockFile: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const staleMs = opts.staleMs ?? 5000;
  const retryMs = opts.retryMs ?? 15;
  await fs.mkdir(path.dirname(lockFile), { recursive: true });
  for (;;) {
    try {
      await (await fs.open(lockFile, 'wx')).close();
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const st = await fs.stat(lockFile).catch(() => undefined);
    if (st && Date.now() - st.mtimeMs > staleMs) {
      await fs.rm(lockFile, { force: true });
      continue;
    }
    await new Promise((r) => setTimeout(r, retryMs + Math.random() * retryMs));
  }
  try {
    return await fn();
  } finally {
    await fs.rm(lockFile, { force: true }).catch(() => undefined);
  }
}
