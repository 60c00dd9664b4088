// The sha256 of a file on disk, streamed (outputs are videos of many megabytes): what the lockfile
// records of each output and the film, and what a plan compares. A missing file has none.
import { createHash } from 'crypto';
import * as fs from 'fs';

/** The file's sha256 in hex; undefined when there is no such file. */
export function sha256File(file: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    const stream = fs.createReadStream(file, { highWaterMark: 1024 * 1024 });
    stream.on('data', (chunk) => hash.update(chunk));
    stream.on('end', () => resolve(hash.digest('hex')));
    stream.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ENOENT' || e.code === 'EISDIR' ? resolve(undefined) : reject(e)));
  });
}

/**
 * Remembers each file's sha256 with its size, modification time and inode, as git's index does, so
 * planning again (the editor's lenses re-plan as you type) reads only files that changed since.
 */
export class Sha256Cache {
  private readonly known = new Map<string, { size: number; mtimeMs: number; ino: number; sha256: string }>();

  async sha256(file: string): Promise<string | undefined> {
    const st = await fs.promises.stat(file).catch(() => undefined);
    if (!st?.isFile()) {
      this.known.delete(file);
      return undefined;
    }
    const hit = this.known.get(file);
    if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs && hit.ino === st.ino) return hit.sha256;
    const sha256 = await sha256File(file);
    if (sha256) this.known.set(file, { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, sha256 });
    return sha256;
  }
}
