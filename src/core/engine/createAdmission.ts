// When a create may be sent. It is held (waits with status `waiting`) inside a provider's
// Retry-After window, over its published per-minute limit, while the provider already has as many
// tasks under way as the `maxConcurrent` setting allows, or behind an earlier held create of the
// same kind (first come, first sent). Nothing here sends anything.
import * as l10n from '@vscode/l10n';
import { CreateRateLimiter } from './localLimits';
import { ProviderClient } from '../provider/descriptor';
import { GenerateRequest, ProviderId, Task } from '../model/task';

export interface Hold {
  /** When it may go, when that is known (a limit window or a Retry-After); otherwise when a slot frees. */
  until?: number;
  reason: string;
}

/** After a 429 without Retry-After, the wait starts here and doubles with each 429 in a row. */
const FIRST_429_WAIT_MS = 10_000;
const MAX_429_WAIT_MS = 5 * 60_000;

export class CreateGate {
  private readonly limiter = new CreateRateLimiter();
  private readonly rejections = new Map<string, number>();

  constructor(private readonly maxConcurrent: (provider: ProviderId) => number) {}

  /** Creates share a budget per provider and route (HiDream's module). */
  keyOf(provider: ProviderClient, req: GenerateRequest): string {
    return `${provider.id}:${this.routeOf(provider, req)}`;
  }

  /** Why `task` must wait now, or undefined when it may be sent. `tasks`: every task this window knows. */
  hold(provider: ProviderClient, task: Task, tasks: Iterable<Task>, now: number): Hold | undefined {
    const route = this.routeOf(provider, task.request);
    const key = `${provider.id}:${route}`;
    const limit = provider.limits.createsPerMinute?.[route];
    const { waitMs, reason } = this.limiter.wait(key, limit, now);
    if (waitMs > 0) {
      const why =
        reason !== 'limit'
          ? l10n.t('{0} asked to wait before the next create', provider.label)
          : limit === 1
            ? l10n.t('{0} accepts at most 1 {1} task a minute', provider.label, route)
            : l10n.t('{0} accepts at most {1} {2} tasks a minute', provider.label, String(limit), route);
      return { until: now + waitMs, reason: why };
    }
    const max = this.maxConcurrent(provider.id);
    let underWay = 0;
    let ahead = 0;
    for (const t of tasks) {
      if (t.id === task.id || t.provider !== provider.id) continue;
      if (t.status === 'submitting' || t.status === 'queued' || t.status === 'running') underWay++;
      if (t.status === 'waiting' && t.createdAt < task.createdAt && this.keyOf(provider, t.request) === key) ahead++;
    }
    if (max > 0 && underWay >= max) {
      const setting = `aiVideo.${provider.id}.maxConcurrent`;
      return { reason: underWay === 1 ? l10n.t('1 {0} task under way, at most {1} at once ({2})', provider.label, max, setting) : l10n.t('{0} {1} tasks under way, at most {2} at once ({3})', underWay, provider.label, max, setting) };
    }
    if (ahead > 0) return { reason: ahead === 1 ? l10n.t('behind 1 earlier create waiting to be sent') : l10n.t('behind {0} earlier creates waiting to be sent', ahead) };
    return undefined;
  }

  /** A create for `key` went out now. */
  sent(key: string, now: number): void {
    this.limiter.record(key, now);
  }

  /** The provider answered a create with 429: nothing for `key` until its Retry-After; resolves with that time. */
  rejected(key: string, retryAfterMs: number | undefined, now: number): number {
    const n = (this.rejections.get(key) ?? 0) + 1;
    this.rejections.set(key, n);
    const until = now + (retryAfterMs ?? Math.min(MAX_429_WAIT_MS, FIRST_429_WAIT_MS * 2 ** (n - 1)));
    this.limiter.blockUntil(key, until);
    return until;
  }

  /** The provider accepted a create for `key`. */
  accepted(key: string): void {
    this.rejections.delete(key);
  }

  private routeOf(provider: ProviderClient, req: GenerateRequest): string {
    if (!provider.limits.createsPerMinute) return '';
    // The route decides the budget; it depends on the request, not on the media's content.
    try {
      return provider.buildCreate(req, {}, '').route ?? req.model ?? '';
    } catch {
      return req.model ?? '';
    }
  }
}
