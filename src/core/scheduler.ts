// When to poll a task next: fast just after create, slower for long jobs (new-api's guidance:
// 2-3 s, then every 5 s for 30 s, every 10 s up to 2 min, every 30 s after), and, where the provider
// reports progress, a poll timed for the moment the job should end.

export interface PollTiming {
  /** Base interval (the `aiVideo.pollIntervalSeconds` setting), ms. */
  baseMs: number;
  now: number;
  createdAt: number;
  /** First progress sample seen while running, and the latest. */
  firstSample?: { at: number; progress: number };
  lastSample?: { at: number; progress: number };
}

export function stageIntervalMs(ageMs: number, baseMs: number): number {
  if (ageMs < 30_000) return baseMs;
  if (ageMs < 120_000) return Math.max(baseMs, 2 * baseMs);
  return Math.max(baseMs, 6 * baseMs);
}

/** Delay before the first poll after a create. */
export function firstPollDelayMs(baseMs: number): number {
  return Math.max(500, Math.min(3000, Math.round(baseMs / 2)));
}

/**
 * Progress at which a job is expected to end. Providers commonly hold 99 % until the result is ready
 * (the emulator too), so aiming at 100 % lands about 1 % of the running time late (3 s for a 5-minute
 * job, measured by `npm run bench`); aiming at 99 % at worst asks once early, and the floor interval
 * covers the rest.
 */
export const END_PROGRESS = 99;

/** Estimated ms until progress reaches END_PROGRESS, from the progress rate; undefined when unknown. */
export function estimateRemainingMs(t: PollTiming): number | undefined {
  const a = t.firstSample;
  const b = t.lastSample;
  if (!a || !b || b.at <= a.at || b.progress <= a.progress || b.progress >= 100) return undefined;
  const rate = (b.progress - a.progress) / (b.at - a.at);
  return (END_PROGRESS - b.progress) / rate - (t.now - b.at);
}

export function nextPollDelayMs(t: PollTiming): number {
  const stage = stageIntervalMs(t.now - t.createdAt, t.baseMs);
  const remaining = estimateRemainingMs(t);
  if (remaining === undefined) return stage;
  // Aim just past the expected end, but never wait longer than the stage interval nor less than
  // a fraction of the base interval.
  const floor = Math.max(250, Math.round(t.baseMs / 4));
  return Math.max(floor, Math.min(stage, Math.round(remaining + 200)));
}

/** Backoff after a failed poll: honors the server's Retry-After, otherwise doubles up to 5 minutes. */
export function backoffDelayMs(consecutiveFailures: number, baseMs: number, retryAfterMs?: number): number {
  const exp = Math.min(300_000, baseMs * 2 ** Math.min(10, Math.max(0, consecutiveFailures - 1)));
  const jittered = Math.round(exp * (0.85 + Math.random() * 0.3));
  return retryAfterMs !== undefined ? Math.max(retryAfterMs, Math.min(jittered, 300_000)) : jittered;
}
