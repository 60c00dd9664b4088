// Find This Job: which of the jobs a provider lists an uncertain create may have started. Only one
// made while that create was out (from its send to the moment its answer was lost, moved onto the
// provider's clock by the offset its `Date` header shows), and only one that no task follows yet:
// two identical lost creates must not adopt the same job, and a create a proxy refused before the
// provider saw it must not adopt the user's retry. Pure, so these rules are tested without a server.
import type { GenerationMode, Task } from '../model/task';
import type { ListedJob, ListedJobs } from '../provider/descriptor';

/** Slack on each side of the window, for what neither clock can tell (ms). */
export const WINDOW_MARGIN_MS = 2_000;
/** Without a `Date` header the provider's clock is unknown: it may be this far off ours either way (ms). */
export const UNKNOWN_SKEW_MS = 2 * 60_000;
/** A time given in whole seconds may be anywhere in the second that follows. */
const SECOND_MS = 1_000;

/** A job the user (or a script) may choose, as shown: times on this machine's clock. */
export interface LostJobCandidate {
  remoteId: string;
  /** When the provider made it, moved onto this machine's clock: epoch ms. */
  createdAt: number;
  mode: GenerationMode;
  model: string;
  /** The provider's own status word. */
  rawStatus?: string;
}

/** When the provider was asked, by this machine's clock: as the request went out, and when its answer came. */
export interface AskedAt {
  from: number;
  to: number;
}

/** The provider's clock minus ours, as a range: a `Date` header is whole seconds, sent at some moment while we asked. */
export function skewRange(asked: AskedAt, serverDate: number | undefined): { min: number; max: number } {
  if (serverDate === undefined) return { min: -UNKNOWN_SKEW_MS, max: UNKNOWN_SKEW_MS };
  return { min: serverDate - asked.to, max: serverDate + SECOND_MS - asked.from };
}

/**
 * When the create was out, on the provider's clock: from its send (a queued create's claim, else
 * when it was recorded) to when its answer was lost, each moved by the skew, with a margin.
 */
export function lostJobWindow(
  task: Pick<Task, 'createdAt' | 'sentAt' | 'finishedAt' | 'updatedAt'>,
  skew: { min: number; max: number },
): { from: number; to: number } {
  const sent = task.sentAt ?? task.createdAt;
  const lost = task.finishedAt ?? task.updatedAt;
  return { from: sent + skew.min - WINDOW_MARGIN_MS, to: lost + skew.max + WINDOW_MARGIN_MS };
}

/**
 * The listed jobs `task` may have started: made inside its window and followed by none of `tasks`
 * (of the same provider); newest first, each with how it is shown.
 */
export function lostJobCandidates(
  task: Pick<Task, 'id' | 'provider' | 'createdAt' | 'sentAt' | 'finishedAt' | 'updatedAt'>,
  listed: ListedJobs,
  asked: AskedAt,
  tasks: Iterable<Pick<Task, 'id' | 'provider' | 'remoteId'>>,
): { job: ListedJob; shown: LostJobCandidate }[] {
  const skew = skewRange(asked, listed.serverDate);
  const { from, to } = lostJobWindow(task, skew);
  const followed = new Set<string>();
  for (const t of tasks) if (t.id !== task.id && t.provider === task.provider && t.remoteId) followed.add(t.remoteId);
  // Shown on our clock by the middle of the skew range (none when the provider's clock is unknown).
  const offset = listed.serverDate === undefined ? 0 : Math.round((skew.min + skew.max) / 2);
  return listed.jobs
    .filter((j) => j.createdAt + SECOND_MS > from && j.createdAt <= to && !followed.has(j.remoteId))
    .sort((a, b) => b.createdAt - a.createdAt)
    .map((job) => {
      const { remoteId, mode, model, rawStatus } = job;
      return { job, shown: { remoteId, createdAt: job.createdAt - offset, mode, model, ...(rawStatus ? { rawStatus } : {}) } };
    });
}
