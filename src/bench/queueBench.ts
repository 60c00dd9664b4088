// The create queue at scale: what scheduling costs when 1,000 creates wait among 10,000 tasks. The
// engine asks the queue when a waiting create may next go after every change (`nextSendAt`), and the
// polling window runs a dispatch pass at each wake-up; both used to rescan every task for every
// waiting create. The queue runs with a host held in memory (no store writes, nothing is sent).
import { performance } from 'perf_hooks';

import { CreateHost, CreateQueue } from '../core/engine/createQueue';
import { silentLogger } from '../core/model/events';
import { GenerateRequest, ProviderId, Task, TaskStatus } from '../core/model/task';
import type { ProviderClient } from '../core/provider/descriptor';
import { DEFAULT_MEDIA_LIMITS } from '../core/request/media';
import type { TaskStore } from '../core/store/taskStore';
import { PROVIDERS } from '../providers';
import { seededRandom } from './scenario';
import { Timing, timing } from './storeBench';

export interface QueueFigures {
  tasks: number;
  waiting: number;
  /** One `nextSendAt`: pika and OpenAI held by their concurrency limit, the gateway's and HiDream's creates queued behind the first. */
  schedule: Timing;
  /** One dispatch pass in which every waiting create is held (every provider at its concurrency limit). */
  dispatch: Timing;
}

const PROVIDER_IDS: ProviderId[] = ['pika', 'gateway', 'hidream', 'openai'];
const NOW = Date.UTC(2025, 0, 1);

function request(provider: ProviderId, i: number): GenerateRequest {
  const prompt = `a quiet lake at dawn, shot ${i}`;
  if (provider === 'gateway') return { provider, prompt, model: ['kling-v1', 'veo3', 'viduq1'][i % 3] };
  if (provider === 'pika') return { provider, prompt, model: '2.0' };
  if (provider === 'openai') return { provider, prompt, model: 'sora-2' };
  return { provider, prompt };
}

/** `total` tasks: `waiting` creates waiting, 10 running per provider, the rest finished. */
function queueTasks(total: number, waiting: number): Task[] {
  const rnd = seededRandom(18);
  const tasks: Task[] = [];
  for (let i = 0; i < total; i++) {
    const provider = PROVIDER_IDS[i % PROVIDER_IDS.length];
    const status: TaskStatus =
      i >= total - waiting ? 'waiting' : i >= total - waiting - 40 ? 'running' : rnd() < 0.1 ? 'failed' : 'succeeded';
    const req = request(provider, i);
    tasks.push({
      id: `t${i}`,
      provider,
      remoteId: status === 'waiting' ? '' : `r${i}`,
      mode: 'text-to-video',
      status,
      progress: status === 'succeeded' ? 100 : 0,
      prompt: req.prompt,
      model: req.model ?? '',
      createdAt: NOW - (total - i) * 1000,
      updatedAt: NOW - (total - i) * 1000,
      videos: [],
      request: req,
    });
  }
  return tasks;
}

/** What an in-memory create host may be given beside its tasks (the unit tests count visits and routes through it). */
export interface MemoryHostOptions {
  now: number;
  owner: string;
  maxConcurrent: Partial<Record<ProviderId, number>>;
  providers?: ReadonlyMap<string, ProviderClient>;
  /** Every task, as the queue walks them (default: the map's values). */
  tasks?: () => Iterable<Task>;
}

/**
 * A create host over a map of tasks in memory: no store file, no timers that fire, and nothing sent
 * (every create of the benchmark and of the tests that use it is held).
 */
export function memoryCreateHost(byId: Map<string, Task>, o: MemoryHostOptions): CreateHost {
  const providers = o.providers ?? new Map(Object.entries(PROVIDERS));
  const store = {
    compareAndSet: async (id: string, change: (stored: Task | undefined) => Task | 'remove' | undefined) => {
      const next = change(byId.get(id));
      if (next === 'remove') byId.delete(id);
      return next === 'remove' ? 'removed' : next;
    },
  } as unknown as TaskStore;
  return {
    clock: { now: () => o.now, setTimeout: () => setTimeout(() => undefined, 0), clearTimeout: () => undefined },
    log: silentLogger,
    store,
    owner: o.owner,
    claimRetryMs: 1000,
    settings: () => ({ media: DEFAULT_MEDIA_LIMITS, maxConcurrent: o.maxConcurrent }),
    provider: (id) => providers.get(id),
    providerIds: () => [...providers.keys()],
    // Every create made through this host is held, so nothing is sent to this address (loopback's discard port).
    context: async () => ({ baseUrl: 'http://127.0.0.1:9', apiKey: 'test-key' }),
    tasks: o.tasks ?? (() => byId.values()),
    get: (id) => byId.get(id),
    add: (t) => void byId.set(t.id, t),
    update: (t, patch) => {
      Object.assign(t, patch);
      return true;
    },
    adopt: (t) => {
      const mine = byId.get(t.id);
      if (mine) Object.assign(mine, t);
      else byId.set(t.id, t);
    },
    remove: async (ids) => void ids.forEach((id) => byId.delete(id)),
    track: () => undefined,
    persistNow: async () => undefined,
    recordNow: async () => undefined,
    fire: () => undefined,
    schedule: () => undefined,
  };
}

function memoryHost(tasks: Task[], maxConcurrent: Partial<Record<ProviderId, number>>): CreateHost {
  return memoryCreateHost(new Map(tasks.map((t) => [t.id, t])), { now: NOW, owner: 'bench', maxConcurrent });
}

function measure(runs: number, fn: () => unknown): number[] {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    out.push(performance.now() - start);
  }
  return out;
}

export async function queueBench(total = 10_000, waiting = 1_000, runs = 41): Promise<QueueFigures> {
  const mixed = new CreateQueue(memoryHost(queueTasks(total, waiting), { pika: 10, openai: 10 }));
  mixed.nextSendAt(NOW);
  const schedule = measure(runs, () => mixed.nextSendAt(NOW));

  const allHeld = new CreateQueue(memoryHost(queueTasks(total, waiting), { pika: 10, gateway: 10, hidream: 10, openai: 10 }));
  // The first pass records each create's hold; later passes find nothing to change.
  await allHeld.dispatch();
  const dispatch: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await allHeld.dispatch();
    dispatch.push(performance.now() - start);
  }
  return { tasks: total, waiting, schedule: timing(schedule), dispatch: timing(dispatch) };
}
