// Pure state transitions: what one poll answer (a RemoteState, or a ProviderError for this task)
// does to a task and its poll state. No I/O, no clock, no engine: the caller applies the patch.
import * as l10n from '@vscode/l10n';

import { shorten } from '../../shared/text';
import { ErrorKind, ProviderError } from '../model/errors';
import { Task } from '../model/task';
import { CreateResult, RemoteState } from '../provider/descriptor';
import { Pause, PollState } from './pollPlan';
import { backoffDelayMs, nextPollDelayMs, withSample } from './pollTiming';
import type { RunEstimate } from './runTimes';

/** A provider that rejected the key is asked again after this long even without a new key (a hiccup). */
export const KEY_PAUSE_MS = 30 * 60_000;

export interface TransitionInput {
  now: number;
  /** Base poll interval, ms. */
  baseMs: number;
  /** Polls answered with an unknown status before the task is failed. */
  maxUnknownPolls: number;
  /** The provider's label, for messages. */
  label: string;
  /** When the task's schedule counts from: its creation, or the last "Check Again". */
  startedAt: number;
  /** For a provider that reports no progress: how long this task's job is expected to take. */
  expected?: RunEstimate;
}

export interface Transition {
  /** Fields to set on the task; an undefined value deletes the field. */
  patch: Partial<Task>;
  /** The task reached a final state and is no longer polled. */
  final: boolean;
  /** The task's poll state after this answer (when not final). */
  poll?: PollState;
  /** A pause of the whole provider that this answer calls for. */
  pause?: Pause;
  /** A line for the log. */
  warning?: string;
}

/** Longest error text a task keeps, in characters, the extension's own explanation included. */
export const MAX_TASK_ERROR = 600;

const chars = (text: string) => Array.from(text).length;

/** `text` in at most MAX_TASK_ERROR characters. */
function capError(text: string): string {
  return shorten(text, MAX_TASK_ERROR, { collapse: false });
}

/**
 * `build(part)` in at most MAX_TASK_ERROR characters: `part` (a provider's or an earlier message) is
 * shortened first, so the explanation around it, which says what to do, stays whole.
 */
function fitError(part: string, build: (part: string) => string): string {
  const full = build(part);
  const over = chars(full) - MAX_TASK_ERROR;
  if (over <= 0) return full;
  const room = chars(part) - over;
  return capError(room > 0 ? build(shorten(part, room, { collapse: false })) : full);
}

const NO_CHANGE: Transition = { patch: {}, final: false };

function finished(patch: Partial<Task>, now: number): Transition {
  return { patch: { ...patch, finishedAt: now }, final: true };
}

/** The cost the provider reported, to carry onto the task. */
const costOf = (s: RemoteState): Partial<Task> => (s.cost ? { cost: s.cost } : {});

/** A poll answered with the task's state. */
export function applyRemoteState(task: Readonly<Task>, prev: Readonly<PollState>, s: RemoteState, io: TransitionInput): Transition {
  const { now, baseMs } = io;
  const st: PollState = { ...prev, failures: 0, polledAt: now };
  if (s.status === 'unknown') {
    st.unknownPolls++;
    if (st.unknownPolls > io.maxUnknownPolls) {
      return finished(
        {
          status: 'failed',
          error: l10n.t(
            '{0} kept reporting an unknown status ("{1}") {2} times; stopped checking. Use "Check Again" to resume.',
            io.label,
            s.rawStatus,
            st.unknownPolls,
          ),
          errorKind: 'malformed',
          rawStatus: s.rawStatus,
          timedOut: true,
        },
        now,
      );
    }
    st.nextAt = now + nextPollDelayMs({ baseMs, now, createdAt: io.startedAt, expected: io.expected });
    return {
      patch: { rawStatus: s.rawStatus, error: undefined, errorKind: undefined, status: task.status === 'queued' ? 'queued' : 'running' },
      final: false,
      poll: st,
    };
  }
  st.unknownPolls = 0;
  if (s.status === 'succeeded') {
    const keep = new Map(task.videos.map((v) => [v.url, v]));
    const videos = s.videos.map((v) => ({ ...v, localPath: keep.get(v.url)?.localPath }));
    return finished(
      { status: 'succeeded', progress: 100, rawStatus: s.rawStatus, videos, error: s.error, errorKind: undefined, ...costOf(s) },
      now,
    );
  }
  if (s.status === 'failed') {
    return finished(
      {
        status: 'failed',
        rawStatus: s.rawStatus,
        error: s.error ?? l10n.t('{0} reported the generation failed.', io.label),
        errorKind: 'business',
        videos: s.videos,
        // A failed job costs nothing unless the provider reports a charge.
        cost: s.cost ?? { amount: 0, currency: 'USD', source: 'estimate' },
      },
      now,
    );
  }
  const progress = s.progress !== undefined ? Math.max(task.progress, s.progress) : task.progress;
  if (s.status === 'running' && s.progress !== undefined) Object.assign(st, withSample(st, now, s.progress));
  st.nextAt =
    now +
    nextPollDelayMs({
      baseMs,
      now,
      createdAt: io.startedAt,
      status: s.status,
      firstSample: st.firstSample,
      lastSample: st.lastSample,
      expected: io.expected,
    });
  return { patch: { status: s.status, progress, rawStatus: s.rawStatus, error: undefined, errorKind: undefined }, final: false, poll: st };
}

/** A poll of this task failed; `current` is the provider's pause in force, if any. */
export function applyProviderError(
  task: Readonly<Task>,
  prev: Readonly<PollState>,
  e: ProviderError,
  current: Pause | undefined,
  io: TransitionInput,
): Transition {
  if (e.kind === 'cancelled') return NO_CHANGE;
  const { now } = io;
  if (e.kind === 'notFound' || e.kind === 'badRequest') return finished({ status: 'failed', error: e.message, errorKind: e.kind }, now);
  const st: PollState = { ...prev, failures: prev.failures + 1 };
  if (e.kind === 'auth') {
    // The key was rejected: stop asking until a new key is set.
    st.nextAt = now;
    return {
      patch: { error: fitError(e.message, (m) => l10n.t('{0} Checking is paused until the key changes.', m)), errorKind: e.kind },
      final: false,
      poll: st,
      pause: { until: now + KEY_PAUSE_MS, reason: 'key' },
      warning: l10n.t('{0} rejected the key; checking is paused until it changes.', io.label),
    };
  }
  const delay = backoffDelayMs(st.failures, io.baseMs, e.retryAfterMs);
  let pause: Pause | undefined;
  if (e.retryAfterMs !== undefined) {
    // Retry-After speaks for the whole provider, not just this task.
    const until = now + e.retryAfterMs;
    if (!current || (current.reason === 'server' && current.until < until)) pause = { until, reason: 'server' };
  }
  st.nextAt = now + delay;
  return {
    patch: { error: fitError(e.message, (m) => l10n.t('{0} Retrying in {1}.', m, formatDelay(delay))), errorKind: e.kind },
    final: false,
    poll: st,
    pause,
    warning: l10n.t('Poll of {0} task {1} failed ({2}): {3}', io.label, task.remoteId, e.kind, e.message),
  };
}

/** The task ran past its give-up time. */
export function giveUpPatch(task: Readonly<Task>, giveUpMs: number, now: number): Partial<Task> {
  const message = (problem: string) => {
    const last = problem ? ` ${l10n.t('Last problem: {0}', problem)}` : '';
    return l10n.t('No result after {0}; stopped checking. Use "Check Again" to resume.{1}', formatDelay(giveUpMs), last);
  };
  return {
    status: 'failed',
    timedOut: true,
    errorKind: 'timeout',
    error: fitError(task.error ?? '', message),
    finishedAt: now,
  };
}

// ---- creates --------------------------------------------------------------------------------

/** The provider accepted the create: the task is queued there and polled at `origin`. */
export function createdPatch(created: CreateResult, origin: string): Partial<Task> {
  return {
    status: 'queued',
    remoteId: created.remoteId,
    mode: created.mode,
    model: created.model,
    route: created.route,
    origin,
    rawStatus: 'submitted',
    sender: undefined,
    sendAfter: undefined,
    waitReason: undefined,
    uncertain: undefined,
    error: undefined,
    errorKind: undefined,
    finishedAt: undefined,
  };
}

/** The create's answer was lost after it was sent: the job may be running (and billed) at the provider. */
export function uncertainPatch(cause: string, kind: ErrorKind | undefined, label: string, now: number): Partial<Task> {
  return {
    status: 'failed',
    uncertain: true,
    errorKind: kind,
    error: fitError(cause, (c) =>
      l10n.t(
        '{0} The create request got no usable answer, so the job may or may not have started at {1}; check your account there before generating again.',
        c,
        label,
      ),
    ),
    finishedAt: now,
    sender: undefined,
  };
}

/** A queued create could not be sent (or was refused): certainly nothing started. */
export function notSentPatch(e: ProviderError, now: number): Partial<Task> {
  const error = fitError(e.message, (m) => l10n.t('{0} It was not sent, so nothing was started.', m));
  return { status: 'failed', error, errorKind: e.kind, finishedAt: now, sender: undefined, sendAfter: undefined, waitReason: undefined };
}

/**
 * Applies `patch` to `task` in place (undefined deletes a field, an error text is cut to
 * MAX_TASK_ERROR); true when something changed, and
 * only then is `updatedAt` bumped, strictly past the state it was based on, so a merge with another
 * window's copy picks it.
 */
export function patchTask(task: Task, patch: Partial<Task>, now: number): boolean {
  const record = task as unknown as Record<string, unknown>;
  let changed = false;
  for (const [k, value] of Object.entries(patch)) {
    // However it was made, a task's error text fits the cap.
    const v: unknown = k === 'error' && typeof value === 'string' ? capError(value) : value;
    if (v === undefined) {
      if (k in record) {
        delete record[k];
        changed = true;
      }
    } else if (JSON.stringify(record[k]) !== JSON.stringify(v)) {
      record[k] = v;
      changed = true;
    }
  }
  if (changed) task.updatedAt = Math.max(now, task.updatedAt + 1);
  return changed;
}

/** "800 ms", "12 s", "3 min". */
export function formatDelay(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  return `${Math.round(ms / 60_000)} min`;
}
