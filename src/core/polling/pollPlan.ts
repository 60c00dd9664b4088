// Poll planning: per task, when to ask next and how many answers failed in a row; per provider,
// pauses (a rejected key, a server's Retry-After); which tasks are due now, batched per provider;
// and when the next one falls due. No I/O and no timers: the engine acts on the plan.
import { ProviderId, Task } from '../model/task';

export interface PollState {
  nextAt: number;
  failures: number;
  unknownPolls: number;
  /** When a poll last found the job unfinished: a job seen done later ended after this (polling/runTimes.ts). */
  polledAt?: number;
  firstSample?: { at: number; progress: number };
  lastSample?: { at: number; progress: number };
}

export interface Pause {
  until: number;
  /** 'key': the key is missing or was rejected, lifted by keyChanged/refresh; 'server': Retry-After. */
  reason: 'key' | 'server';
}

export interface PollPlan {
  /** Per provider, the tasks to ask about in one poll. */
  due: Map<ProviderId, Task[]>;
  /** Tasks past their give-up time while their provider is paused. */
  gaveUp: Task[];
}

/** Tasks due within this much of a poll of a batching provider ride along (one batch request for all). */
const MAX_ALIGN_MS = 2000;

export function freshPollState(nextAt: number): PollState {
  return { nextAt, failures: 0, unknownPolls: 0 };
}

/** A task the engine asks its provider about: at the provider and not final, with the provider's id. */
export function isPolled(t: Task): boolean {
  return (t.status === 'queued' || t.status === 'running') && t.remoteId !== '';
}

export class PollPlanner {
  private readonly states = new Map<string, PollState>();
  private readonly pauses = new Map<ProviderId, Pause>();
  /** Tasks resumed by "check again": their schedule and give-up time count from then. */
  private readonly resumeAt = new Map<string, number>();

  constructor(private readonly giveUpMs: () => number) {}

  get size(): number {
    return this.states.size;
  }

  state(id: string): PollState | undefined {
    return this.states.get(id);
  }

  /** Starts (or restarts) polling a task, first asking at `nextAt`. */
  track(id: string, nextAt: number): PollState {
    const st = freshPollState(nextAt);
    this.states.set(id, st);
    return st;
  }

  setState(id: string, st: PollState): void {
    this.states.set(id, st);
  }

  /** The task is final or gone: no more polls, no resume time. */
  forget(id: string): void {
    this.states.delete(id);
    this.resumeAt.delete(id);
  }

  /** Every tracked task is due at `now` at the latest (`force`: exactly at `now`). */
  dueBy(now: number, force = false): void {
    for (const st of this.states.values()) st.nextAt = force ? now : Math.min(st.nextAt, now);
  }

  /** Pauses for a missing or rejected key are lifted (all, or one provider's). */
  liftKeyPauses(provider?: ProviderId): void {
    for (const [p, pause] of this.pauses) if (pause.reason === 'key' && (provider === undefined || p === provider)) this.pauses.delete(p);
  }

  pause(provider: ProviderId, pause: Pause): void {
    this.pauses.set(provider, pause);
  }

  pauseOf(provider: ProviderId): Pause | undefined {
    return this.pauses.get(provider);
  }

  resume(id: string, at: number): void {
    this.resumeAt.set(id, at);
  }

  resumedAt(): Record<string, number> {
    return Object.fromEntries(this.resumeAt);
  }

  /** Another window wrote this task: its resume time counts, and its polling follows its status. */
  adopted(task: Task, wasPolled: boolean, resumed: number | undefined, now: number): void {
    if (resumed !== undefined) this.resumeAt.set(task.id, Math.max(resumed, this.resumeAt.get(task.id) ?? 0));
    if (isPolled(task) && (!wasPolled || !this.states.has(task.id))) this.track(task.id, now);
    if (!isPolled(task)) this.forget(task.id);
  }

  startOf(task: Task): number {
    return Math.max(task.createdAt, this.resumeAt.get(task.id) ?? 0);
  }

  giveUpAt(task: Task): number {
    const giveUp = this.giveUpMs();
    return giveUp > 0 ? this.startOf(task) + giveUp : Infinity;
  }

  /**
   * Which tasks to poll now; `polling(p)` tells a provider that has a poll in flight (never two at once);
   * `batches(p)` one that answers many tasks in one request, whose tasks due soon ride along.
   */
  plan(
    tasks: Iterable<Task>,
    now: number,
    baseMs: number,
    polling: (p: ProviderId) => boolean,
    batches: (p: ProviderId) => boolean = () => true,
  ): PollPlan {
    const align = Math.min(MAX_ALIGN_MS, baseMs / 2);
    const byProvider = new Map<ProviderId, Task[]>();
    const gaveUp: Task[] = [];
    for (const t of tasks) {
      if (!this.states.has(t.id) || !isPolled(t) || polling(t.provider)) continue;
      const pause = this.pauses.get(t.provider);
      const paused = pause !== undefined && pause.until > now;
      if (paused && this.giveUpAt(t) <= now) {
        gaveUp.push(t);
        continue;
      }
      if (paused) continue;
      const list = byProvider.get(t.provider) ?? [];
      list.push(t);
      byProvider.set(t.provider, list);
    }
    const due = new Map<ProviderId, Task[]>();
    for (const [p, candidates] of byProvider) {
      const isDue = (t: Task, slack: number) => this.states.get(t.id)!.nextAt <= now + slack || this.giveUpAt(t) <= now;
      // Only when one is due; then, for a batching provider, those due soon come along (it asks once for all).
      if (!candidates.some((t) => isDue(t, 50))) continue;
      due.set(
        p,
        candidates.filter((t) => isDue(t, batches(p) ? align : 50)),
      );
    }
    return { due, gaveUp };
  }

  /** When the next poll falls due (Infinity when none); providers with a poll in flight wait for it. */
  nextDueAt(tasks: Iterable<Task>, now: number, polling: (p: ProviderId) => boolean): number {
    let next = Infinity;
    for (const t of tasks) {
      const st = this.states.get(t.id);
      if (!st || !isPolled(t) || polling(t.provider)) continue;
      const pause = this.pauses.get(t.provider);
      const resumeAt = pause && pause.until > now ? pause.until : 0;
      next = Math.min(next, Math.max(st.nextAt, resumeAt), this.giveUpAt(t));
    }
    return next;
  }
}
