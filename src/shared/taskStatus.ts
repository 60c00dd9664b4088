// Status and progress words shared by providers: what a provider reports, normalized; each
// provider's own status words are in its module (`normalizeStatus`). Pure: every layer may import it.

/**
 * `waiting`: held in the local queue, not sent yet (a provider's rate limit, Retry-After or the
 * concurrency setting); `submitting`: the create is being sent; then the provider's own states.
 */
export type TaskStatus = 'waiting' | 'submitting' | 'queued' | 'running' | 'succeeded' | 'failed';
export const TASK_STATUSES: readonly TaskStatus[] = ['waiting', 'submitting', 'queued', 'running', 'succeeded', 'failed'];

/** What a provider reports: its own states, normalized (never the local queue's `waiting` or `submitting`). */
export type RemoteStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'unknown';

/** Accepts 0-100 integers, "30%" strings and 0-1 fractions (when `fraction` is set). Returns 0-100 or undefined. */
export function parseProgress(raw: unknown, fraction = false): number | undefined {
  let n: number;
  if (typeof raw === 'number') n = raw;
  else if (typeof raw === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(raw);
    if (!m) return undefined;
    n = Number(m[1]);
  } else return undefined;
  if (!Number.isFinite(n) || n < 0) return undefined;
  if (fraction) n *= 100;
  return Math.max(0, Math.min(100, Math.round(n)));
}

/** Combines several sub-results (HiDream sub-tasks, Pika videos) into one task status. */
export function combineStatuses(statuses: RemoteStatus[]): RemoteStatus {
  if (statuses.length === 0) return 'unknown';
  const final = (s: RemoteStatus) => s === 'succeeded' || s === 'failed';
  if (statuses.every(final)) return statuses.some((s) => s === 'succeeded') ? 'succeeded' : 'failed';
  if (statuses.some((s) => s === 'running' || final(s))) return 'running';
  if (statuses.every((s) => s === 'queued')) return 'queued';
  return statuses.includes('unknown') ? 'unknown' : 'running';
}
