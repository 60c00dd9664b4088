// Runs the polls the plan calls for (one in flight per provider, each a batch of the tasks due)
// and applies the answers to the tasks through the pure transitions.
import * as l10n from '@vscode/l10n';

import { Clock } from '../model/clock';
import { errorMessage, isProviderError, ProviderError } from '../model/errors';
import { Logger } from '../model/events';
import { ProviderId, Task } from '../model/task';
import { PollResults, ProviderClient, ProviderContext, RemoteState } from '../provider/descriptor';
import { freshPollState, isPolled, PollPlanner } from './pollPlan';
import type { RunEstimate } from './runTimes';
import { applyProviderError, applyRemoteState, giveUpPatch, KEY_PAUSE_MS, Transition } from './transitions';

export interface PollHost {
  readonly clock: Clock;
  readonly log: Logger;
  readonly planner: PollPlanner;
  settings(): { pollIntervalMs: number; maxUnknownPolls: number; giveUpMs: number };
  provider(id: ProviderId): ProviderClient | undefined;
  /** Base URL and key, with the engine's defaults (timeout, cancellation). */
  context(id: ProviderId): Promise<ProviderContext>;
  /** The task is still the engine's (not removed or replaced meanwhile). */
  isCurrent(task: Task): boolean;
  /** Applies a patch; true when the task changed. */
  update(task: Task, patch: Partial<Task>): boolean;
  /** Applies a final patch: the task is no longer polled; `endedAfter`: when a poll last found the job unfinished. */
  finish(task: Task, patch: Partial<Task>, endedAfter?: number): void;
  /** How long this task's job is expected to take, for a provider that reports no progress. */
  expectedRun?(task: Task): RunEstimate | undefined;
  succeeded(task: Task): void;
  persistNow(): Promise<void>;
  saveSoon(): void;
  fire(tasks: Task[]): void;
  schedule(): void;
}

export class Poller {
  /** Providers with a poll in flight: never two at once for one provider. */
  private readonly polling = new Map<ProviderId, Promise<void>>();
  private stopped = false;

  constructor(private readonly host: PollHost) {}

  get size(): number {
    return this.polling.size;
  }

  isPolling(provider: ProviderId): boolean {
    return this.polling.has(provider);
  }

  inFlight(): Promise<void>[] {
    return [...this.polling.values()];
  }

  stop(): void {
    this.stopped = true;
  }

  /** Starts the polls that are due (and gives up on paused tasks past their give-up time). */
  launchDue(tasks: Iterable<Task>): void {
    const { host } = this;
    const now = host.clock.now();
    const plan = host.planner.plan(
      tasks,
      now,
      host.settings().pollIntervalMs,
      (p) => this.polling.has(p),
      (p) => Boolean(host.provider(p)?.batchesPolls),
    );
    for (const t of plan.gaveUp) host.finish(t, giveUpPatch(t, host.settings().giveUpMs, now));
    if (plan.gaveUp.length) void host.persistNow().then(() => host.fire(plan.gaveUp));
    for (const [p, due] of plan.due) {
      const run = this.pollProvider(p, due)
        .catch((e: unknown) => host.log.error(`Polling ${this.labelOf(p)} failed: ${errorMessage(e)}`))
        .finally(() => {
          this.polling.delete(p);
          host.schedule();
        });
      this.polling.set(p, run);
    }
  }

  private labelOf(provider: ProviderId): string {
    return this.host.provider(provider)?.label ?? provider;
  }

  private async pollProvider(providerId: ProviderId, tasks: Task[]): Promise<void> {
    const { host } = this;
    const provider = host.provider(providerId);
    if (!provider) return;
    let ctx: ProviderContext;
    try {
      ctx = await host.context(providerId);
    } catch (e) {
      // No key (or unusable settings): pause this provider until the key changes.
      const err = isProviderError(e) ? e : new ProviderError({ kind: 'config', message: errorMessage(e) });
      host.planner.pause(providerId, { until: host.clock.now() + KEY_PAUSE_MS, reason: 'key' });
      host.log.warn(`Polling ${provider.label} paused: ${err.message}`);
      await this.applyResults(tasks, new Map(tasks.map((t) => [t.id, err] as const)), provider.label, true);
      return;
    }
    // A task is only asked about where it was created: if the base URL setting changed since,
    // the key must not follow it to the old host, and the new host does not know the task.
    const elsewhere = tasks.filter((t) => t.origin && t.origin !== ctx.baseUrl);
    if (elsewhere.length) {
      const now = host.clock.now();
      const changed: Task[] = [];
      for (const t of elsewhere) {
        const st = host.planner.state(t.id);
        if (st) st.nextAt = now + 10 * 60_000;
        const message = l10n.t(
          'Created at {0}, but the {1} base URL now points to {2}. Checking is paused; set the base URL back to resume.',
          hostOf(t.origin!),
          provider.label,
          hostOf(ctx.baseUrl),
        );
        if (host.update(t, { error: message, errorKind: 'config' })) changed.push(t);
      }
      if (changed.length) {
        host.saveSoon();
        host.fire(changed);
      }
      tasks = tasks.filter((t) => !elsewhere.includes(t));
      if (!tasks.length) return;
    }
    let results: PollResults;
    try {
      results = await provider.poll(ctx, tasks);
    } catch (e) {
      const err = isProviderError(e) ? e : new ProviderError({ kind: 'malformed', message: errorMessage(e) });
      results = new Map(tasks.map((t) => [t.id, err] as const));
    }
    await this.applyResults(tasks, results, provider.label, false);
  }

  private async applyResults(tasks: Task[], results: PollResults, label: string, paused: boolean): Promise<void> {
    const { host } = this;
    if (this.stopped) return;
    const changed: Task[] = [];
    let final = false;
    const now = host.clock.now();
    for (const t of tasks) {
      if (!host.isCurrent(t) || !isPolled(t)) continue; // removed or finished elsewhere meanwhile
      const r = results.get(t.id) ?? new ProviderError({ kind: 'malformed', message: l10n.t('{0} did not report on this task.', label) });
      let did: boolean;
      if (paused && isProviderError(r)) {
        const paused =
          r.kind === 'auth'
            ? l10n.t('Checking is paused until a key is set.')
            : l10n.t('Checking is paused until this is fixed (then use Refresh).');
        did = host.update(t, { error: `${r.message} ${paused}`, errorKind: r.kind });
      } else did = this.apply(t, r);
      if (isPolled(t) && host.planner.giveUpAt(t) <= now) {
        host.finish(t, giveUpPatch(t, host.settings().giveUpMs, now));
        did = true;
      }
      if (!isPolled(t)) final = true;
      if (did) changed.push(t);
    }
    if (final) await host.persistNow();
    else if (changed.length) host.saveSoon();
    if (changed.length) host.fire(changed);
  }

  /** Applies one poll answer for a task; true when the task changed. */
  private apply(task: Task, r: RemoteState | ProviderError): boolean {
    const { host } = this;
    const now = host.clock.now();
    const settings = host.settings();
    const prev = host.planner.state(task.id) ?? freshPollState(now);
    const startedAt = host.planner.startOf(task);
    // A "Check Again" restarts the schedule: the job's expected end no longer counts from then.
    const expected =
      host.provider(task.provider)?.reportsProgress === false && startedAt === task.createdAt ? host.expectedRun?.(task) : undefined;
    const io = {
      now,
      baseMs: settings.pollIntervalMs,
      maxUnknownPolls: settings.maxUnknownPolls,
      label: this.labelOf(task.provider),
      startedAt,
      expected,
    };
    const tr: Transition = isProviderError(r)
      ? applyProviderError(task, prev, r, host.planner.pauseOf(task.provider), io)
      : applyRemoteState(task, prev, r, io);
    if (tr.pause) host.planner.pause(task.provider, tr.pause);
    if (tr.warning) host.log.warn(tr.warning);
    if (tr.final) {
      host.finish(task, tr.patch, prev.polledAt);
      if (task.status === 'succeeded') host.succeeded(task);
      return true;
    }
    if (tr.poll) host.planner.setState(task.id, tr.poll);
    return host.update(task, tr.patch);
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
