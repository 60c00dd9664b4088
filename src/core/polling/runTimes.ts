// How long a model's jobs take, from the tasks that finished: the engine keeps the recent run times
// per provider and model, so a provider that reports no progress (OpenRouter) can still be polled
// just after a job is likely done instead of at fixed intervals. Pure and in memory: it is filled
// from the history at start and from every task that succeeds.
import type { Task } from '../model/task';

/** What a job is expected to take, ms from its create, and how far off that may be. */
export interface RunEstimate {
  runMs: number;
  spreadMs: number;
  /** A catalogue's typical time, not this user's runs: a rough guide, polled towards with growing gaps (pollTiming.ts). */
  rough?: boolean;
}

/** Run times kept per provider and model (the most recent). */
const KEEP = 12;
/**
 * With one run, the next may be this much off either way (share of the run): one run says nothing of
 * the spread, and the next job of the model may fall on the other side of its typical time.
 */
const ONE_RUN_SPREAD = 0.15;
/** However closely the runs agree, a job may still be this much off (share of the run time)… */
const MIN_SPREAD = 0.05;
/** …and never less than this. */
const MIN_SPREAD_MS = 1000;
/**
 * A catalogue's typical run time is a rough guide: this share either way (a model's jobs commonly
 * vary by about this much; one further off is still seen: see pollTiming's rough estimates).
 */
const TYPICAL_SPREAD = 0.15;

export class RunTimes {
  /** provider + model -> task id -> run time (insertion order: oldest first). */
  private readonly runs = new Map<string, Map<string, number>>();

  /**
   * Learns from a task that succeeded (anything else is ignored); a task is counted once. The job
   * ended between `endedAfter` (the last poll that found it unfinished, when known) and `finishedAt`
   * (the poll that found it done): it is counted as ending halfway, so the run times are not the
   * polls' lateness added to the jobs' own.
   */
  record(task: Pick<Task, 'id' | 'provider' | 'model' | 'status' | 'createdAt' | 'finishedAt'>, endedAfter?: number): void {
    if (task.status !== 'succeeded' || task.finishedAt === undefined || !task.model) return;
    const after = endedAfter !== undefined && endedAfter > task.createdAt && endedAfter < task.finishedAt ? endedAfter : task.finishedAt;
    const ms = Math.round((after + task.finishedAt) / 2) - task.createdAt;
    if (!(ms > 0)) return;
    const key = keyOf(task.provider, task.model);
    const runs = this.runs.get(key) ?? new Map<string, number>();
    if (runs.has(task.id)) return;
    runs.set(task.id, ms);
    while (runs.size > KEEP) runs.delete(runs.keys().next().value as string);
    this.runs.set(key, runs);
  }

  /**
   * Where the next run of this model is likely to end, from the spread of the recent runs (not only
   * their middle); undefined with no history. n runs spread evenly over a range leave about
   * range / (n - 1) on either side unseen, so the window is the runs' range widened by that much:
   * two runs 10 s apart give a window 30 s wide, twelve give one barely wider than their range.
   */
  estimate(provider: string, model: string): RunEstimate | undefined {
    const runs = this.runs.get(keyOf(provider, model));
    if (!runs?.size) return undefined;
    const sorted = [...runs.values()].sort((a, b) => a - b);
    const n = sorted.length;
    if (n === 1) return { runMs: sorted[0], spreadMs: Math.round(Math.max(MIN_SPREAD_MS, ONE_RUN_SPREAD * sorted[0])) };
    const pad = (sorted[n - 1] - sorted[0]) / (n - 1);
    const from = sorted[0] - pad;
    const to = sorted[n - 1] + pad;
    const runMs = Math.round((from + to) / 2);
    return { runMs, spreadMs: Math.round(Math.max(MIN_SPREAD_MS, MIN_SPREAD * runMs, (to - from) / 2)) };
  }
}

/** The estimate from a catalogue's typical run time (seconds), when there is no history. */
export function typicalEstimate(seconds: number | undefined): RunEstimate | undefined {
  if (seconds === undefined || !(seconds > 0)) return undefined;
  const runMs = seconds * 1000;
  return { runMs, spreadMs: Math.max(MIN_SPREAD_MS, TYPICAL_SPREAD * runMs), rough: true };
}

function keyOf(provider: string, model: string): string {
  return `${provider}\u0000${model}`;
}
