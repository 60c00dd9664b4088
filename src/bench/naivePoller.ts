// The baseline: what a straightforward extension would do. Every task is asked about once every
// 5 s from its create on, one request per task, until it is final. Same provider clients and
// parsers as the engine; HiDream uses its single-result endpoint
// (GET /api-pub/gw/v2/video/<module>/async/results?task_id=...) since one task is asked at a time.
import { randomUUID } from 'crypto';

import { isProviderError, ProviderError } from '../core/model/errors';
import { ProviderId, Task } from '../core/model/task';
import { joinUrl, requestJson } from '../core/net/http';
import { emulatorBaseUrl } from '../emulator/server';
import { PROVIDERS } from '../providers';
import { ProviderContext, RemoteState } from '../providers/clientKit';
import { parseHidreamSingle } from '../providers/hidream';
import { ScaledClock } from './clock';
import { BENCH_KEY, Driver, DriverEnv, TaskSpec } from './scenario';

export const NAIVE_INTERVAL_MS = 5000;

export class NaivePoller {
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly abort = new AbortController();
  private stopped = false;

  constructor(
    private readonly ctx: ProviderContext,
    private readonly clock: ScaledClock,
    private readonly onFinal: (task: Task, state: RemoteState) => void,
    private readonly intervalMs = NAIVE_INTERVAL_MS,
  ) {}

  /** Creates the task with the provider client, then polls it every interval until final. */
  async create(spec: TaskSpec): Promise<Task> {
    const provider = PROVIDERS[spec.request.provider];
    const created = await provider.create(this.context(provider.id), spec.request, {}, randomUUID());
    const now = this.clock.now();
    const task: Task = {
      id: randomUUID(),
      provider: spec.request.provider,
      remoteId: created.remoteId,
      mode: created.mode,
      status: 'queued',
      progress: 0,
      prompt: spec.request.prompt,
      model: created.model,
      createdAt: now,
      updatedAt: now,
      videos: [],
      request: spec.request,
      route: created.route,
    };
    this.later(task);
    return task;
  }

  stop(): void {
    this.stopped = true;
    this.abort.abort();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** The provider's base URL on the emulator (OpenRouter's has a path). */
  private context(provider: ProviderId): ProviderContext {
    return { ...this.ctx, baseUrl: emulatorBaseUrl(this.ctx.baseUrl, provider), signal: this.abort.signal };
  }

  private later(task: Task): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.pollOnce(task);
    }, this.intervalMs / this.clock.scale);
    this.timers.add(timer);
  }

  private async pollOnce(task: Task): Promise<void> {
    if (this.stopped) return;
    let state: RemoteState | ProviderError;
    try {
      state = await this.status(task);
    } catch (e) {
      state = isProviderError(e) ? e : new ProviderError({ kind: 'malformed', message: String(e) });
    }
    if (this.stopped) return;
    if (!isProviderError(state) && (state.status === 'succeeded' || state.status === 'failed')) {
      task.status = state.status;
      this.onFinal(task, state);
      return;
    }
    this.later(task);
  }

  /** One request for one task. */
  private async status(task: Task): Promise<RemoteState | ProviderError> {
    const ctx = this.context(task.provider);
    if (task.provider === 'hidream') {
      const module = task.route ?? 'txt2video';
      const res = await requestJson({
        method: 'GET',
        url: joinUrl(ctx.baseUrl, `/api-pub/gw/v2/video/${module}/async/results?task_id=${encodeURIComponent(task.remoteId)}`),
        apiKey: ctx.apiKey,
        providerLabel: 'HiDream',
        signal: ctx.signal,
      });
      return parseHidreamSingle(res.json) ?? { status: 'unknown', rawStatus: 'not listed yet', videos: [] };
    }
    const results = await PROVIDERS[task.provider as Exclude<ProviderId, 'hidream'>].poll(ctx, [task]);
    return results.get(task.id) ?? new ProviderError({ kind: 'malformed', message: 'no result' });
  }
}

export async function naiveDriver(env: DriverEnv): Promise<Driver> {
  const poller = new NaivePoller({ baseUrl: env.baseUrl, apiKey: BENCH_KEY }, env.clock, (task, state) =>
    env.seen(task.remoteId, state.status),
  );
  return {
    async submit(spec) {
      return (await poller.create(spec)).remoteId;
    },
    async dispose() {
      poller.stop();
    },
  };
}
