// Small limits the engine applies on its own side of the wire: published per-minute create limits
// and a server's Retry-After on creates (an over-limit create waits in the local queue instead of
// being sent), and a bound on how many downloads run at once.

const WINDOW_MS = 60_000;

/** Sliding one-minute windows of create times, per key (provider and route, e.g. `hidream:video_edit`). */
export class CreateRateLimiter {
  private readonly sent = new Map<string, number[]>();
  private readonly blocked = new Map<string, number>();

  /**
   * How long a create under `perMinute` (undefined = no published limit) must wait before it may be
   * sent, and why; 0 when it may go now. Nothing is counted: `record` does that once it is sent.
   */
  wait(key: string, perMinute: number | undefined, now: number): { waitMs: number; reason?: 'limit' | 'server' } {
    const blockedUntil = this.blocked.get(key) ?? 0;
    if (blockedUntil > now) return { waitMs: blockedUntil - now, reason: 'server' };
    this.blocked.delete(key);
    if (perMinute === undefined || perMinute <= 0) return { waitMs: 0 };
    const recent = (this.sent.get(key) ?? []).filter((t) => now - t < WINDOW_MS);
    this.sent.set(key, recent);
    if (recent.length >= perMinute) return { waitMs: recent[0] + WINDOW_MS - now, reason: 'limit' };
    return { waitMs: 0 };
  }

  /** A create for `key` was sent at `now`. */
  record(key: string, now: number): void {
    const recent = (this.sent.get(key) ?? []).filter((t) => now - t < WINDOW_MS);
    recent.push(now);
    this.sent.set(key, recent);
  }

  /** The provider answered 429 with a Retry-After: no create for this key before `until`. */
  blockUntil(key: string, until: number): void {
    this.blocked.set(key, Math.max(until, this.blocked.get(key) ?? 0));
  }
}

/**
 * Runs at most `limit` tasks at once; the rest wait in order of `due` (sooner first: a result that
 * will be deleted goes before one that will not), then of arrival.
 */
export class Semaphore {
  private running = 0;
  private readonly waiting: { due: number; go: () => void }[] = [];

  constructor(private readonly limit: number) {}

  /** How many wait for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(fn: () => Promise<T>, due = Infinity): Promise<T> {
    if (this.running >= this.limit) {
      await new Promise<void>((go) => {
        const at = this.waiting.findIndex((w) => w.due > due);
        this.waiting.splice(at < 0 ? this.waiting.length : at, 0, { due, go });
      });
    }
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      this.waiting.shift()?.go();
    }
  }
}
