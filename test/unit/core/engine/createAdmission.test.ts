// The local create queue's admission at scale, with a host held in memory (no emulator, no store
// file): deciding when waiting creates may go looks at each task a bounded number of times, not once
// per waiting create, and holds them for the same reasons as before.
import * as assert from 'assert';

import { memoryCreateHost } from '../../../../src/bench/queueBench';
import { CreateQueue } from '../../../../src/core/engine/createQueue';
import { GenerateRequest, ProviderId, Task, TaskStatus } from '../../../../src/core/model/task';
import type { ProviderClient } from '../../../../src/core/provider/descriptor';
import { PROVIDERS } from '../../../../src/providers';

const NOW = Date.UTC(2025, 0, 1);

function task(i: number, provider: ProviderId, status: TaskStatus, request: Partial<GenerateRequest> = {}): Task {
  return {
    id: `t${i}`,
    provider,
    remoteId: status === 'waiting' ? '' : `r${i}`,
    mode: 'text-to-video',
    status,
    progress: 0,
    prompt: `prompt ${i}`,
    model: '',
    createdAt: NOW - 1_000_000 + i,
    updatedAt: NOW - 1_000_000 + i,
    videos: [],
    request: { provider, prompt: `prompt ${i}`, ...request },
  };
}

interface Counted {
  queue: CreateQueue;
  byId: Map<string, Task>;
  /** Tasks handed out by host.tasks(), all iterations together. */
  visits: number;
  /** Routes worked out (buildCreate calls), all providers together. */
  routes: number;
}

/** A queue over `tasks` whose host counts every task it hands out and every route worked out. */
function countedQueue(tasks: Task[], maxConcurrent: Partial<Record<ProviderId, number>>): Counted {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const counted = { byId, visits: 0, routes: 0 } as Counted;
  const providers = new Map<string, ProviderClient>();
  for (const [id, p] of Object.entries(PROVIDERS)) {
    const wrapped = Object.create(p) as ProviderClient;
    wrapped.buildCreate = (...args) => {
      counted.routes++;
      return p.buildCreate(...args);
    };
    providers.set(id, wrapped);
  }
  function* all(): Generator<Task> {
    for (const t of byId.values()) {
      counted.visits++;
      yield t;
    }
  }
  const host = memoryCreateHost(byId, { now: NOW, owner: 'test', maxConcurrent, providers, tasks: all });
  counted.queue = new CreateQueue(host);
  return counted;
}

describe('the create queue at scale', () => {
  /** 2,000 tasks: 200 HiDream creates waiting, 2 pika tasks running with at most 2 at once, the rest finished. */
  function scene(): Task[] {
    const tasks: Task[] = [];
    for (let i = 0; i < 1798; i++) tasks.push(task(i, i % 2 ? 'gateway' : 'pika', 'succeeded'));
    tasks.push(task(1798, 'pika', 'running'), task(1799, 'pika', 'running'));
    for (let i = 1800; i < 2000; i++) tasks.push(task(i, i % 4 ? 'hidream' : 'pika', 'waiting'));
    return tasks;
  }

  it('works out when a waiting create may go looking at each task a bounded number of times', () => {
    const c = countedQueue(scene(), { pika: 2 });
    const next = c.queue.nextSendAt(NOW);
    assert.strictEqual(next, NOW, 'the first HiDream create may go now');
    // Counting, not timing: a rescan of every task for each of the 200 waiting creates is 400,000 visits.
    assert.ok(c.visits <= 3 * 2000, `${c.visits} tasks visited for one schedule`);
    assert.ok(c.routes <= 150, `${c.routes} routes worked out for 150 waiting HiDream creates`);
    c.visits = 0;
    c.routes = 0;
    c.queue.nextSendAt(NOW);
    assert.ok(c.visits <= 3 * 2000, `${c.visits} tasks visited for the next schedule`);
    assert.strictEqual(c.routes, 0, 'an unchanged request keeps its route');
  });

  it('holds a new create for the same reasons: its provider at its limit, or behind earlier creates of its kind', async () => {
    const tasks = scene();
    for (let i = 0; i < 10; i++) tasks.push(task(2000 + i, 'gateway', 'waiting'));
    const c = countedQueue(tasks, { pika: 2 });
    const hidream = await c.queue.generate({ provider: 'hidream', prompt: 'a new one' });
    assert.strictEqual(hidream.status, 'waiting');
    assert.strictEqual(hidream.waitReason, 'behind 150 earlier creates waiting to be sent');
    const pika = await c.queue.generate({ provider: 'pika', prompt: 'another', model: '2.0' });
    assert.strictEqual(pika.waitReason, '2 Pika tasks under way, at most 2 at once (aiVideo.pika.maxConcurrent)');
    assert.strictEqual(c.queue.nextSendAt(NOW), NOW, 'the first waiting HiDream create may go');
  });
});
