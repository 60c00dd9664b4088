// Which window polls. Every VS Code window runs its own engine on the same task store; only the one
// holding the lease polls providers and downloads results, the others adopt what it writes. The
// lease is a small JSON file next to the store, `{owner, expiresAt}`: created atomically (hard link
// of a complete temp file, which fails if the lease exists), renewed by atomic replace while there is
// work, deleted when the holder goes idle or closes, and free for the taking once it has not been
// renewed for three renew periods (the holder crashed or hangs).
import { randomBytes } from 'crypto';
import { promises as fs } from 'fs';

import { writeFileAtomic } from '../store/atomicFile';

export interface LeaseRecord {
  owner: string;
  /** Epoch ms (wall clock: it is compared across processes). */
  expiresAt: number;
  pid: number;
}

export interface LeaseOptions {
  file: string;
  owner: string;
  /** How often the holder renews; the lease expires after three times this. */
  renewMs: number;
  now?: () => number;
}

type Current = LeaseRecord | 'absent' | { unreadableSince: number };

export class Lease {
  private chain: Promise<unknown> = Promise.resolve();
  private held = false;
  private readonly now: () => number;

  constructor(private readonly opts: LeaseOptions) {
    this.now = opts.now ?? Date.now;
  }

  get owner(): string {
    return this.opts.owner;
  }

  /** Whether the last acquire() succeeded (and release() has not run since). */
  get isHeld(): boolean {
    return this.held;
  }

  get staleAfterMs(): number {
    return 3 * this.opts.renewMs;
  }

  /** Takes the lease when it is free or abandoned, renews it when it is ours; resolves with whether we hold it. */
  acquire(): Promise<boolean> {
    return this.serialize(async () => {
      this.held = await this.tryAcquire();
      return this.held;
    });
  }

  /** Gives the lease up (if it is still ours), so another window can take over at once. */
  release(): Promise<void> {
    return this.serialize(async () => {
      this.held = false;
      const cur = await this.read();
      if (typeof cur === 'object' && 'owner' in cur && cur.owner === this.opts.owner) await fs.rm(this.opts.file, { force: true });
    });
  }

  /** The lease as it is on disk (for diagnostics and tests). */
  async current(): Promise<LeaseRecord | undefined> {
    const cur = await this.read();
    return typeof cur === 'object' && 'owner' in cur ? cur : undefined;
  }

  private serialize<T>(op: () => Promise<T>): Promise<T> {
    const run = this.chain.then(op);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private record(): string {
    const rec: LeaseRecord = { owner: this.opts.owner, expiresAt: this.now() + this.staleAfterMs, pid: process.pid };
    return JSON.stringify(rec);
  }

  private async tryAcquire(): Promise<boolean> {
    const cur = await this.read();
    if (cur !== 'absent' && 'owner' in cur) {
      if (cur.owner === this.opts.owner) {
        await writeFileAtomic(this.opts.file, this.record());
        return true;
      }
      if (cur.expiresAt > this.now()) return false;
    } else if (cur !== 'absent' && this.now() - cur.unreadableSince < this.staleAfterMs) {
      return false;
    }
    if (cur !== 'absent' && !(await this.removeAbandoned())) return false;
    return this.create();
  }

  /** Moves an abandoned lease out of the way; false when another window got there first. */
  private async removeAbandoned(): Promise<boolean> {
    const aside = `${this.opts.file}.${randomBytes(4).toString('hex')}.stale`;
    try {
      await fs.rename(this.opts.file, aside);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true;
      throw e;
    }
    // Between reading the abandoned lease and moving it, another window may have replaced it with
    // a fresh one of its own: put that one back and stand down.
    const moved = await readRecord(aside).catch(() => undefined);
    if (moved && moved.owner !== this.opts.owner && moved.expiresAt > this.now()) {
      await fs.link(aside, this.opts.file).catch(() => undefined);
      await fs.rm(aside, { force: true });
      return false;
    }
    await fs.rm(aside, { force: true });
    return true;
  }

  /** Creates the lease only if there is none, with its full content visible at once. */
  private async create(): Promise<boolean> {
    const tmp = `${this.opts.file}.${randomBytes(4).toString('hex')}.tmp`;
    await fs.writeFile(tmp, this.record());
    try {
      await fs.link(tmp, this.opts.file);
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw e;
      // File systems without hard links: exclusive create (a reader may briefly see it empty).
      try {
        await fs.writeFile(this.opts.file, this.record(), { flag: 'wx' });
        return true;
      } catch (e2) {
        if ((e2 as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw e2;
      }
    } finally {
      await fs.rm(tmp, { force: true });
    }
  }

  private async read(): Promise<Current> {
    try {
      return await readRecord(this.opts.file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
      const st = await fs.stat(this.opts.file).catch(() => undefined);
      return st ? { unreadableSince: st.mtimeMs } : 'absent';
    }
  }
}

async function readRecord(file: string): Promise<LeaseRecord> {
  const o = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<LeaseRecord>;
  if (typeof o?.owner !== 'string' || typeof o.expiresAt !== 'number') throw new Error('not a lease');
  return { owner: o.owner, expiresAt: o.expiresAt, pid: typeof o.pid === 'number' ? o.pid : 0 };
}
