// Time display shared by the gallery cards and the Tasks tree: elapsed clocks ("1:12") and the
// Today / Yesterday / This week / Older buckets. Pure: no `vscode`, DOM or Node dependency.

/** `0:07`, `1:12`, `1:02:03`: whole seconds, rounded down. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor((Number.isFinite(ms) ? ms : 0) / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** What a task's clock shows: time so far while it runs, generation time once it finished (`took` words it in the display language). */
export function taskClock(
  t: { createdAt: number; finishedAt?: number },
  active: boolean,
  now: number,
  took: (elapsed: string) => string = (e) => `took ${e}`,
): string | undefined {
  if (active) return formatElapsed(now - t.createdAt);
  if (t.finishedAt !== undefined && t.finishedAt >= t.createdAt) return took(formatElapsed(t.finishedAt - t.createdAt));
  return undefined;
}

export const DAY_BUCKETS = ['today', 'yesterday', 'week', 'older'] as const;
export type DayBucket = (typeof DAY_BUCKETS)[number];

/** Local midnight of the day `epochMs` falls in, `daysBack` days earlier. */
export function startOfDay(epochMs: number, daysBack = 0): number {
  const d = new Date(epochMs);
  d.setHours(0, 0, 0, 0);
  d.setDate(d.getDate() - daysBack);
  return d.getTime();
}

/** "This week" is the six days before yesterday, so the buckets do not depend on the first weekday. */
export function dayBucket(epochMs: number, now: number): DayBucket {
  if (epochMs >= startOfDay(now)) return 'today';
  if (epochMs >= startOfDay(now, 1)) return 'yesterday';
  if (epochMs >= startOfDay(now, 7)) return 'week';
  return 'older';
}
