// When a create may be sent. It is held (waits with status `waiting`) inside a provider's
// Retry-After window, over its published per-minute limit, while the provider already has as many
// tasks under way as the `maxConcurrent` setting allows, or behind an earlier held create of the
// same kind (first come, first sent). Nothing here sends anything.
//
// Deciding that for every waiting create must not rescan every task once per create (1,000 waiting
// among 10,000 tasks took 118 ms after every change): an Admission counts, in one pass over the
// tasks, the tasks under way per provider and the waiting creates per key in order of creation.
import * as l10n from '@vscode/l10n';

import { GenerateRequest, ProviderId, Task } from '../model/task';
import { ProviderClient } from '../provider/descriptor';
import { CreateRateLimiter } from './localLimits';

export interface Hold {
  /** When it may go, when that is known (a limit window or a Retry-After); otherwise when a slot frees. */
  until?: number;
  reason: string;
}

/** A hold whose reason is put into words only when someone reads it (scheduling needs only the time). */
function held(until: number | undefined, words: () => string): Hold {
  let reason: string | undefined;
  return {
    until,
    get reason() {
      return (reason ??= words());
    },
  };
}

/** After a 429 without Retry-After, the wait starts here and doubles with each 429 in a row. */
const FIRST_429_WAIT_MS = 10_000;
const MAX_429_WAIT_MS = 5 * 60_000;

const isUnderWay = (t: Task) => t.status === 'submitting' || t.status === 'queued' || t.status === 'running';

/** What holds are decided by at one moment: tasks under way per provider, waiting creates per key. */
export class Admission {
  /** The waiting creates, in the order the tasks came. */
  readonly waitingTasks: Task[] = [];
  /** Ids of the tasks under way, per provider. */
  private readonly underWay = new Map<ProviderId, Set<string>>();
  /** Creation times of the waiting creates, per key, in ascending order. */
  private readonly waiting = new Map<string, number[]>();
  private readonly limits = new Map<ProviderId, number>();
  private readonly phrases = new Map<string, string>();

  /** One pass over `tasks`; `keyOf` is asked once per waiting create. */
  constructor(tasks: Iterable<Task>, keyOf: (t: Task) => string | undefined) {
    for (const t of tasks) {
      if (isUnderWay(t)) {
        let ids = this.underWay.get(t.provider);
        if (!ids) this.underWay.set(t.provider, (ids = new Set()));
        ids.add(t.id);
      } else if (t.status === 'waiting') {
        this.waitingTasks.push(t);
        const key = keyOf(t);
        if (key === undefined) continue;
        let times = this.waiting.get(key);
        if (!times) this.waiting.set(key, (times = []));
        times.push(t.createdAt);
      }
    }
    for (const times of this.waiting.values()) times.sort((a, b) => a - b);
  }

  /** The provider's concurrency setting, read once per Admission (settings may be costly to read). */
  limit(provider: ProviderId, read: (provider: ProviderId) => number): number {
    let max = this.limits.get(provider);
    if (max === undefined) this.limits.set(provider, (max = read(provider)));
    return max;
  }

  /** `words()`, made once per `id` for this Admission. */
  phrase(id: string, words: () => string): string {
    let text = this.phrases.get(id);
    if (text === undefined) this.phrases.set(id, (text = words()));
    return text;
  }

  /** Tasks of `provider` under way, `task` itself left out. */
  underWayFor(provider: ProviderId, task: Task): number {
    const ids = this.underWay.get(provider);
    return ids ? ids.size - (ids.has(task.id) ? 1 : 0) : 0;
  }

  /** Waiting creates for `key` made before `task` (strictly earlier, so never `task` itself). */
  aheadOf(key: string, task: Task): number {
    const times = this.waiting.get(key);
    if (!times) return 0;
    let lo = 0;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (times[mid] < task.createdAt) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export class CreateGate {
  private readonly limiter = new CreateRateLimiter();
  private readonly rejections = new Map<string, number>();
  /** Keys already worked out, by request (a request changes by being replaced, never in place). */
  private readonly keys = new WeakMap<GenerateRequest, string>();

  constructor(private readonly maxConcurrent: (provider: ProviderId) => number) {}

  /** Creates share a budget per provider and route (HiDream's module). */
  keyOf(provider: ProviderClient, req: GenerateRequest): string {
    let key = this.keys.get(req);
    if (key === undefined || !key.startsWith(`${provider.id}:`)) {
      key = `${provider.id}:${this.routeOf(provider, req)}`;
      this.keys.set(req, key);
    }
    return key;
  }

  /** The counts holds are decided by, from every task this window knows (one pass). */
  admission(tasks: Iterable<Task>, provider: (id: ProviderId) => ProviderClient | undefined): Admission {
    return new Admission(tasks, (t) => {
      const p = provider(t.provider);
      return p && this.keyOf(p, t.request);
    });
  }

  /**
   * Why `task` must wait now, or undefined when it may be sent. `among`: every task this window
   * knows, or an Admission made from them (to decide many creates at once).
   */
  hold(provider: ProviderClient, task: Task, among: Iterable<Task> | Admission, now: number): Hold | undefined {
    const key = this.keyOf(provider, task.request);
    const route = key.slice(provider.id.length + 1);
    const limit = provider.limits.createsPerMinute?.[route];
    const { waitMs, reason } = this.limiter.wait(key, limit, now);
    if (waitMs > 0) {
      return held(now + waitMs, () =>
        reason !== 'limit'
          ? l10n.t('{0} asked to wait before the next create', provider.label)
          : limit === 1
            ? l10n.t('{0} accepts at most 1 {1} task a minute', provider.label, route)
            : l10n.t('{0} accepts at most {1} {2} tasks a minute', provider.label, String(limit), route),
      );
    }
    const admission = among instanceof Admission ? among : this.admission(among, (id) => (id === provider.id ? provider : undefined));
    const max = admission.limit(provider.id, this.maxConcurrent);
    const underWay = admission.underWayFor(provider.id, task);
    if (max > 0 && underWay >= max) {
      const setting = `aiVideo.${provider.id}.maxConcurrent`;
      // The same words for every create of the provider: put once per Admission.
      return held(undefined, () =>
        admission.phrase(`${provider.id} ${underWay} ${max}`, () =>
          underWay === 1
            ? l10n.t('1 {0} task under way, at most {1} at once ({2})', provider.label, max, setting)
            : l10n.t('{0} {1} tasks under way, at most {2} at once ({3})', underWay, provider.label, max, setting),
        ),
      );
    }
    const ahead = admission.aheadOf(key, task);
    if (ahead > 0) {
      return held(undefined, () =>
        ahead === 1 ? l10n.t('behind 1 earlier create waiting to be sent') : l10n.t('behind {0} earlier creates waiting to be sent', ahead),
      );
    }
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
