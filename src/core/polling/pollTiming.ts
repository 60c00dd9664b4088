// When to poll a task next. Where the provider reports progress, the progress rate predicts when
// the job ends: sparse polls while it is far off, one poll just after the predicted end, tighter
// follow-ups if it is not done yet. Without progress the stage intervals apply (new-api's guidance:
// 2-3 s, then every 5 s for 30 s, every 10 s up to 2 min, every 30 s after). A provider that never
// reports progress is given the job's expected run time instead (runTimes.ts): one poll when the job
// may first be done, then polls through the window it is likely to end in.
import type { RunEstimate } from './runTimes';

export interface ProgressSample {
  at: number;
  progress: number;
}

/** What the engine keeps per task from the progress its provider reported while running. */
export interface ProgressSamples {
  /** The first sample (the lowest, if progress went back). */
  firstSample?: ProgressSample;
  /** When the latest progress value was first seen: a job held at 99 % is overdue from the moment it got there. */
  lastSample?: ProgressSample;
}

export interface PollTiming extends ProgressSamples {
  /** Base interval (the `aiVideo.pollIntervalSeconds` setting), ms. */
  baseMs: number;
  now: number;
  createdAt: number;
  /** The status just seen; undefined when it is not known (an unknown status word). */
  status?: 'queued' | 'running';
  /** For a provider that reports no progress: how long the job is expected to take, from `createdAt`. */
  expected?: RunEstimate;
}

/** The samples after a running task reported `progress` at `at`. */
export function withSample(samples: ProgressSamples, at: number, progress: number): ProgressSamples {
  const sample = { at, progress };
  const { firstSample, lastSample } = samples;
  return {
    firstSample: !firstSample || progress < firstSample.progress ? sample : firstSample,
    lastSample: !lastSample || progress !== lastSample.progress ? sample : lastSample,
  };
}

export function stageIntervalMs(ageMs: number, baseMs: number): number {
  if (ageMs < 30_000) return baseMs;
  if (ageMs < 120_000) return Math.max(baseMs, 2 * baseMs);
  return Math.max(baseMs, 6 * baseMs);
}

/**
 * Delay before the first poll after a create. With an expected run time (a provider that reports no
 * progress, and its model's history or catalogue entry), the first poll comes a share of the way to
 * the job's earliest likely end: a job expected to take minutes is not asked about after 2.5 s.
 */
export function firstPollDelayMs(baseMs: number, expected?: RunEstimate): number {
  const first = Math.max(500, Math.min(3000, Math.round(baseMs / 2)));
  if (!expected) return first;
  return Math.max(first, Math.round((expected.runMs - expected.spreadMs) / EXPECTED_FIRST_SHARE));
}

/** The first poll of a job with an expected run time: this fraction (1/n) of the way to its window. */
const EXPECTED_FIRST_SHARE = 8;

/**
 * Progress at which a job is expected to end. Providers commonly hold 99 % until the result is ready
 * (the emulator too), so the time to 100 % is the time to 99 %; a job that goes on to 100 % is caught
 * by the follow-ups.
 */
export const END_PROGRESS = 99;
/** Progress comes in whole percents: each sample may be off by half a percent. */
const PROGRESS_STEP = 1;
/** Aim this far past the predicted end, so the poll finds the job done rather than at 99 %. */
const END_MARGIN_MS = 200;
/** While queued, wait this many times the task's age (polls at 2.5 s, 10 s, 40 s…)… */
const QUEUED_GROWTH = 3;
/** …but at most this many base intervals. */
const MAX_QUEUED_GAP = 6;
/** Running, rate not known yet: wait this fraction of the age for a sample that tells it. */
const RUNNING_GROWTH = 0.5;
/** With a predicted end, at most this many base intervals between polls… */
const MAX_PREDICTED_GAP = 24;
/** …and never longer than the task's age (a job whose progress speeds up is still seen in time). */
const AGE_GAP = 1;
/** A prediction this close (in base intervals) gets its poll at the predicted end, with no refining poll before. */
const FINISH_SPREAD = 0.3;
/** Polls per spread while inside the window an expected job ends in (a job is seen within spread / this). */
const WINDOW_POLLS = 4;

export interface EndEstimate {
  /** ms from `now` until progress reaches END_PROGRESS (negative: overdue). */
  remainingMs: number;
  /** How far off that may be, ms: the samples' rounding carried through the rate. */
  spreadMs: number;
}

/** The end predicted from the progress rate between the first and the latest sample; undefined when unknown. */
export function estimateEnd(t: PollTiming): EndEstimate | undefined {
  const a = t.firstSample;
  const b = t.lastSample;
  if (!a || !b || b.at <= a.at || b.progress <= a.progress) return undefined;
  const gained = b.progress - a.progress;
  const rate = gained / (b.at - a.at);
  const left = END_PROGRESS - b.progress;
  return {
    remainingMs: left / rate - (t.now - b.at),
    spreadMs: (PROGRESS_STEP / 2 + (Math.max(0, left) * PROGRESS_STEP) / gained) / rate,
  };
}

export function nextPollDelayMs(t: PollTiming): number {
  const age = t.now - t.createdAt;
  const stage = stageIntervalMs(age, t.baseMs);
  const followUp = Math.max(250, Math.round(t.baseMs / 5));
  if (t.expected && !t.lastSample) return expectedDelayMs(t.expected, age, followUp, stage, t.baseMs);
  if (t.status === 'queued') return clamp(QUEUED_GROWTH * age, firstPollDelayMs(t.baseMs), MAX_QUEUED_GAP * t.baseMs);
  const last = t.status === 'running' ? t.lastSample : undefined;
  // No progress reported, or a status word that was not understood: the stage intervals.
  if (!last) return stage;
  const end = estimateEnd(t);
  // Overdue: follow up soon, then less often the longer it runs over (a job held at 99 %).
  if (end && end.remainingMs <= 0) return clamp(-end.remainingMs / 2, followUp, stage);
  if (last.progress >= END_PROGRESS) return followUp;
  if (end && end.spreadMs < end.remainingMs) {
    const maxGap = Math.min(MAX_PREDICTED_GAP * t.baseMs, Math.max(t.baseMs, AGE_GAP * age));
    if (end.spreadMs <= FINISH_SPREAD * t.baseMs) return clamp(end.remainingMs + END_MARGIN_MS, 250, maxGap);
    // Far off, or not known closely enough yet: a poll at the earliest plausible end refines the rate.
    return clamp(end.remainingMs - end.spreadMs, followUp, maxGap);
  }
  // No usable rate yet (one sample, or too little progress between two): a later sample tells it.
  // Never later than halfway to the end at the slowest rate the sample allows (progress counted
  // from the create).
  const slowest = last.progress > 0 ? ((END_PROGRESS - last.progress) * (last.at - t.createdAt)) / last.progress : Infinity;
  return clamp(Math.min(RUNNING_GROWTH * age, slowest / 2), followUp, stageIntervalMs(Infinity, t.baseMs));
}

/**
 * No progress, an expected run time: nothing until the window the job is likely to end in
 * (run time ± spread), then polls a quarter of the spread apart through it, then less often the
 * longer it runs over. A rough estimate (a catalogue's typical time) may be far off, so before the
 * window it waits at most three times the task's age (as a queued task does: polls at 2.5 s, 10 s,
 * 40 s…), and never less than the stage interval: a job far shorter than the catalogue says is still
 * seen by four times its length, and one as long as it says costs a few polls before its window.
 */
function expectedDelayMs(e: RunEstimate, age: number, followUp: number, stage: number, baseMs: number): number {
  const untilWindow = e.runMs - e.spreadMs - age;
  const roughGap = Math.max(stage, QUEUED_GROWTH * age);
  if (untilWindow > 0) return clamp(untilWindow, followUp, Math.min(MAX_PREDICTED_GAP * baseMs, e.rough ? roughGap : Infinity));
  const pastWindow = age - (e.runMs + e.spreadMs);
  if (pastWindow < 0) return clamp(e.spreadMs / WINDOW_POLLS, followUp, stage);
  return clamp(pastWindow / 2, followUp, stage);
}

function clamp(ms: number, min: number, max: number): number {
  return Math.round(Math.max(min, Math.min(max, ms)));
}

/** Backoff after a failed poll: honors the server's Retry-After, otherwise doubles up to 5 minutes. */
export function backoffDelayMs(consecutiveFailures: number, baseMs: number, retryAfterMs?: number): number {
  const exp = Math.min(300_000, baseMs * 2 ** Math.min(10, Math.max(0, consecutiveFailures - 1)));
  const jittered = Math.round(exp * (0.85 + Math.random() * 0.3));
  return retryAfterMs !== undefined ? Math.max(retryAfterMs, Math.min(jittered, 300_000)) : jittered;
}
