// The task history at scale: a journal of 10,000 realistic finished tasks, timed for a cold load
// (TaskStore.load until every task is parsed and validated, and TaskEngine.init which also adopts
// the list), for the write the engine does when one task changes (save() with the full list: lock,
// diff, append one line, fdatasync), for another window following that change (changedOnDisk and
// load, reading only the appended tail), and for the one-off costs: migrating a version-1 file of
// the same history, and a compaction.
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';

import { DEFAULT_ENGINE_SETTINGS, TaskEngine } from '../core/engine/engine';
import { silentLogger } from '../core/model/events';
import { ProviderId, Task } from '../core/model/task';
import { TaskStore } from '../core/store/taskStore';
import { PROVIDERS } from '../providers';
import { seededRandom } from './scenario';

export interface Timing {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export interface StoreFigures {
  tasks: number;
  fileBytes: number;
  load: Timing;
  engineInit: Timing;
  updateOne: Timing;
  followOne: Timing;
  migrateV1: Timing;
  compact: Timing;
}

export function timing(samples: number[]): Timing {
  const s = [...samples].sort((a, b) => a - b);
  const r = (ms: number) => Math.round(ms * 10) / 10;
  return { median: r(s[Math.floor((s.length - 1) / 2)]), min: r(s[0]), max: r(s[s.length - 1]), runs: s.length };
}

const WORDS =
  'a slow dolly shot of misty mountains at sunrise golden light drifting clouds over a quiet lake reflections cinematic wide angle 4k film grain soft focus'.split(
    ' ',
  );

/** `n` tasks that look like a long-used history: mostly succeeded with downloaded videos, some failed. */
export function realisticTasks(n: number, mediaDir: string, seed = 7): Task[] {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const providers: ProviderId[] = ['pika', 'gateway', 'hidream'];
  const start = Date.UTC(2024, 0, 1);
  const tasks: Task[] = [];
  for (let i = 0; i < n; i++) {
    const provider = providers[i % 3];
    const words = Array.from({ length: 12 + Math.floor(rnd() * 30) }, () => pick(WORDS));
    const prompt = words.join(' ');
    const createdAt = start + i * 90_000 + Math.floor(rnd() * 60_000);
    const finishedAt = createdAt + 20_000 + Math.floor(rnd() * 300_000);
    const id = `task-${i.toString(36).padStart(6, '0')}-${Math.floor(rnd() * 1e9).toString(36)}`;
    const remoteId = `${provider}-${Math.floor(rnd() * 1e12).toString(36)}-${i}`;
    const failed = rnd() < 0.08;
    const model =
      provider === 'gateway'
        ? pick(['kling-v1', 'kling-v2-master', 'viduq1', 'veo3'])
        : provider === 'pika'
          ? pick(['1.5', '2.0'])
          : 'txt2video';
    const url = `https://cdn.example.com/${provider}/${remoteId}.mp4`;
    const task: Task = {
      id,
      provider,
      remoteId,
      mode: 'text-to-video',
      status: failed ? 'failed' : 'succeeded',
      rawStatus: failed ? 'failed' : provider === 'hidream' ? 'succeeded' : 'finished',
      progress: failed ? 40 : 100,
      prompt,
      model,
      createdAt,
      updatedAt: finishedAt + 500,
      finishedAt,
      videos: failed
        ? []
        : [
            {
              url,
              id: `${remoteId}-v0`,
              posterUrl: `https://cdn.example.com/${provider}/${remoteId}.jpg`,
              duration: 5,
              width: 1280,
              height: 720,
              fps: 24,
              localPath: path.join(mediaDir, id, `1-${remoteId}.mp4`),
            },
          ],
      request: {
        provider,
        prompt,
        ...(provider === 'gateway' ? { model } : {}),
        aspectRatio: '16:9',
        ...(provider === 'pika' ? { options: { motion: 1, guidanceScale: 12 } } : {}),
      },
      ...(provider === 'hidream' ? { route: 'txt2video' } : {}),
      ...(failed ? { error: 'Emulated generation failure', errorKind: 'business' } : {}),
    };
    tasks.push(task);
  }
  return tasks;
}

export async function storeBench(n = 10_000, runs = 7, updateRuns = 51): Promise<StoreFigures> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aivideo-bench-store-'));
  try {
    const legacy = path.join(dir, 'tasks.json');
    const tasks = realisticTasks(n, path.join(dir, 'videos'));
    await new TaskStore(legacy).save(tasks);
    const file = new TaskStore(legacy).file;
    const fileBytes = (await fs.stat(file)).size;

    const loads: number[] = [];
    for (let i = 0; i < runs; i++) {
      const store = new TaskStore(legacy);
      const t0 = performance.now();
      const snap = await store.load();
      loads.push(performance.now() - t0);
      if (snap.tasks.length !== n) throw new Error(`loaded ${snap.tasks.length} of ${n} tasks`);
    }

    const inits: number[] = [];
    for (let i = 0; i < runs; i++) {
      const engine = new TaskEngine({
        providers: PROVIDERS,
        context: async () => ({ baseUrl: 'http://127.0.0.1:9', apiKey: 'unused' }),
        store: new TaskStore(legacy),
        mediaDir: path.join(dir, 'videos'),
        settings: () => DEFAULT_ENGINE_SETTINGS,
        log: silentLogger,
        watchStore: false,
      });
      const t0 = performance.now();
      await engine.init();
      inits.push(performance.now() - t0);
      if (engine.getTasks().length !== n) throw new Error('engine did not load every task');
      if (engine.hasScheduledWork) throw new Error('engine scheduled work for a finished history');
      engine.dispose();
    }

    // What the engine does when one task changes: save() with the full list. Another window
    // (`follower`) then notices the change with a stat and reads it.
    const store = new TaskStore(legacy);
    const follower = new TaskStore(legacy);
    const current = (await store.load()).tasks;
    await follower.load();
    const updates: number[] = [];
    const follows: number[] = [];
    for (let i = 0; i < updateRuns; i++) {
      const k = (Math.floor(n / 2) + i * 37) % n;
      const changed = { ...current[k], rawStatus: `checked ${i}`, updatedAt: current[k].updatedAt + 1 + i };
      current[k] = changed;
      const t0 = performance.now();
      const snap = await store.save(current);
      updates.push(performance.now() - t0);
      if (snap.tasks.length !== n) throw new Error('save lost tasks');
      const t1 = performance.now();
      if (!(await follower.changedOnDisk())) throw new Error('the other window did not see the change');
      const seen = await follower.load();
      follows.push(performance.now() - t1);
      if (seen.tasks.find((t) => t.id === changed.id)?.rawStatus !== changed.rawStatus) {
        throw new Error('the other window missed the change');
      }
    }

    // A compaction of the whole history: a store whose threshold every save exceeds.
    const compactions: number[] = [];
    for (let i = 0; i < runs; i++) {
      const compacting = new TaskStore(legacy, Date.now, { compactAboveBytes: 0 });
      const list = (await compacting.load()).tasks;
      // Enough superseded lines that the journal is over twice its live size.
      const before = (await fs.stat(file)).size;
      const filler = list.map((t) => ({ ...t, updatedAt: t.updatedAt + 1_000 + i }));
      await new TaskStore(legacy, Date.now, { compactAboveBytes: Number.MAX_SAFE_INTEGER }).save(filler);
      const k = i % n;
      filler[k] = { ...filler[k], updatedAt: filler[k].updatedAt + 1 };
      await compacting.load();
      const t0 = performance.now();
      await compacting.save(filler);
      compactions.push(performance.now() - t0);
      if ((await fs.stat(file)).size > before * 1.1) throw new Error('the journal was not compacted');
    }

    // Last, as it leaves the most garbage behind: a version-1 file of the same history, migrated.
    const v1 = JSON.stringify({ version: 1, tasks, removed: {}, resumedAt: {} });
    const migrations: number[] = [];
    for (let i = 0; i < runs; i++) {
      await fs.rm(file, { force: true });
      await fs.writeFile(legacy, v1);
      const t0 = performance.now();
      const snap = await new TaskStore(legacy).load();
      migrations.push(performance.now() - t0);
      if (snap.tasks.length !== n) throw new Error(`migrated ${snap.tasks.length} of ${n} tasks`);
    }

    return {
      tasks: n,
      fileBytes,
      load: timing(loads),
      engineInit: timing(inits),
      updateOne: timing(updates),
      followOne: timing(follows),
      migrateV1: timing(migrations),
      compact: timing(compactions),
    };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
