// Small limits the engine applies on its own side of the wire: published per-minute create limits
// (so an over-limit create is refused here, with the wait, instead of being sent), and a bound on
// how many downloads run at once.

const WINDOW_MS = 60_000;

/** Sliding one-minute windows of create times, per key (provider and route, e.g. `hidream:video_edit`). */
export class CreateRateLimiter {
  private readonly sent = new Map<string, number[]>();
  private readonly blocked = new Map<string, number>();

  /**
   * Reserves a create under `perMinute` (undefined = no published limit). Returns 0 when reserved,
   * else how many ms to wait and why (nothing is reserved then).
   */
  reserve(key: string, perMinute: number | undefined, now: number): { waitMs: number; reason?: 'limit' | 'server' } {
    const blockedUntil = this.blocked.get(key) ?? 0;
    if (blockedUntil > now) return { waitMs: blockedUntil - now, reason: 'server' };
    this.blocked.delete(key);
    if (perMinute === undefined || perMinute <= 0) return { waitMs: 0 };
    const recent = (this.sent.get(key) ?? []).filter((t) => now - t < WINDOW_MS);
    this.sent.set(key, recent);
    if (recent.length >= perMinute) return { waitMs: recent[0] + WINDOW_MS - now, reason: 'limit' };
    recent.push(now);
    return { waitMs: 0 };
  }

  /** The provider answered 429 with a Retry-After: no create for this key before `until`. */
  blockUntil(key: string, until: number): void {
    this.blocked.set(key, Math.max(until, this.blocked.get(key) ?? 0));
  }
}

/** Runs at most `limit` tasks at once; the rest wait in order. */
export class Semaphore {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}
