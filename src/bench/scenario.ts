// The fixed polling scenario and the harness that runs it against a fresh emulator: tasks are
// created at their offsets through a "driver" (the engine, or the naive poller), the harness
// records when the driver first reports each task final, and the emulator's request log gives
// the request counts (attributed per task by the ids each status request asked about: a batch
// request is shared by its ids).
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';

import { DEFAULT_ENGINE_SETTINGS, EngineSettings, TaskEngine } from '../core/engine/engine';
import { errorMessage } from '../core/model/errors';
import { Logger } from '../core/model/events';
import { GenerateRequest, isActive, ProviderId } from '../core/model/task';
import { ModelCatalog } from '../core/provider/catalog';
import type { ProviderDescriptor } from '../core/provider/descriptor';
import { TaskStore } from '../core/store/taskStore';
import { emulatorBaseUrl, startEmulator, type Emulator } from '../emulator/server';
import { PROVIDER_LIST, PROVIDERS } from '../providers';
import { ScaledClock, sleepReal } from './clock';

export const BENCH_KEY = 'sk-bench-0123456789';

/** "Real" durations of the scenario's tasks (each jittered by ±10 % so finishes do not line up with 5 s ticks). */
export const DURATION_CLASSES = [20_000, 60_000, 180_000, 360_000] as const;
const DURATION_PATTERN = [0, 1, 2, 3, 0, 1, 2, 3, 0, 1];
/** The scenario's size stays fixed as providers are added, so its figures stay comparable. */
export const SCENARIO_TASKS = 30;
/** Creates are spread over this much time at the start. */
export const STAGGER_MS = 10_000;
const JITTER = 0.1;
const SUBJECTS = [
  'a red fox crossing a snowy field',
  'waves breaking on black sand',
  'a paper boat in the rain',
  'city lights at dusk, slow pan',
  'a hummingbird at a flower',
];

export interface TaskSpec {
  index: number;
  provider: ProviderId;
  /** Index into DURATION_CLASSES; -1 for a task of a model with its own run time (MODEL_RUN_SECONDS). */
  durationClass: number;
  durationMs: number;
  /** Create time after the start of the run. */
  offsetMs: number;
  request: GenerateRequest;
}

/** A small seeded PRNG (mulberry32): the scenario is the same in every run and every process. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** For a provider that needs a model and names none itself (the emulator's gateway takes any id). */
const BENCH_MODEL = 'kling-v1';

/**
 * A provider that reports no progress (OpenRouter) can only be predicted from what a real client
 * knows: the model's catalogue entry and the run times of that model's finished tasks. So its tasks
 * are not drawn from the length classes (no client could tell a 20 s job from a 6 min one of the
 * same model) but from the emulated models' own run times, each jittered like every other task
 * (±10 %). The times are those the product's bundled snapshot estimates for these models (its
 * `typicalRunSeconds`, which the provider attaches to the published entries), i.e. a catalogue that
 * is right on average, as a calibrated one would be. Dealt in turn over the models.
 */
export const MODEL_RUN_SECONDS: Readonly<Record<string, readonly { model: string; seconds: number }[]>> = {
  openrouter: [
    { model: 'google/veo-3.1', seconds: 90 },
    { model: 'alibaba/wan-2.6', seconds: 120 },
  ],
};

/** A text-to-video request; with the provider's first model only when it needs one. */
function textRequest(provider: ProviderDescriptor, prompt: string, model?: string): GenerateRequest {
  const bare: GenerateRequest = { provider: provider.id, prompt };
  if (model) return { ...bare, model };
  if (provider.validate(bare) === undefined) return bare;
  return { ...bare, model: provider.models?.fixed?.find((m) => !m.modes || m.modes.includes('text-to-video'))?.id ?? BENCH_MODEL };
}

/**
 * 30 text-to-video tasks dealt round-robin over the registered providers (6 each with five),
 * 20 s / 60 s / 3 min / 6 min (a provider without progress: its models' own run times), created
 * over the first 10 s.
 */
export function buildScenario(seed = 20240601): TaskSpec[] {
  const rnd = seededRandom(seed);
  const specs: TaskSpec[] = [];
  for (let k = 0; k < SCENARIO_TASKS; k++) {
    const provider = PROVIDER_LIST[k % PROVIDER_LIST.length];
    const turn = Math.floor(k / PROVIDER_LIST.length);
    const byModel = MODEL_RUN_SECONDS[provider.id]?.[turn % MODEL_RUN_SECONDS[provider.id].length];
    const durationClass = byModel ? -1 : DURATION_PATTERN[turn % DURATION_PATTERN.length];
    const meanMs = byModel ? byModel.seconds * 1000 : DURATION_CLASSES[durationClass];
    const durationMs = Math.round(meanMs * (1 - JITTER + 2 * JITTER * rnd()));
    const offsetMs = Math.round(rnd() * STAGGER_MS);
    const prompt = `${SUBJECTS[specs.length % SUBJECTS.length]}, cinematic, 4k [duration=${durationMs}]`;
    const request = textRequest(provider, prompt, byModel?.model);
    specs.push({ index: specs.length, provider: provider.id, durationClass, durationMs, offsetMs, request });
  }
  return specs.sort((a, b) => a.offsetMs - b.offsetMs || a.index - b.index);
}

// ---- the harness ----------------------------------------------------------------------------------

export interface DriverEnv {
  baseUrl: string;
  clock: ScaledClock;
  /** Call when the driver first learns a task is final (succeeded or failed). */
  seen(remoteId: string, status: string): void;
  log: Logger;
}

export interface Driver {
  /** Creates the task; resolves with its provider id. */
  submit(spec: TaskSpec): Promise<string>;
  dispose(): Promise<void>;
}

export interface TaskOutcome {
  spec: TaskSpec;
  remoteId?: string;
  createError?: string;
  /** Emulator clock: when the provider finished it. */
  finishedAt?: number;
  /** Scaled clock: when the driver first reported it final. */
  seenAt?: number;
  status?: string;
  /** Status requests attributed to this task (a batch request counts 1/n for each of its n ids). */
  statusRequests: number;
}

export interface RunResult {
  name: string;
  outcomes: TaskOutcome[];
  /** Requests per emulator route. */
  counts: Record<string, number>;
  statusRequests: number;
  createRequests: number;
  fileRequests: number;
  otherRequests: number;
  /** Status requests per provider. */
  statusByProvider: Record<ProviderId, number>;
  wallMs: number;
  scaledMs: number;
  warnings: string[];
}

export interface RunOptions {
  scale: number;
  /** Progress lines (stderr). */
  progress?: (line: string) => void;
}

/** Runs the scenario once against a fresh emulator; stops by itself at the deadline. */
export async function runScenario(
  name: string,
  specs: TaskSpec[],
  makeDriver: (env: DriverEnv) => Promise<Driver>,
  opts: RunOptions,
): Promise<RunResult> {
  const clock = new ScaledClock(opts.scale);
  const emulator: Emulator = await startEmulator({ port: 0, now: clock.now });
  const warnings: string[] = [];
  const outcomes = specs.map((spec): TaskOutcome => ({ spec, statusRequests: 0 }));
  const byRemote = new Map<string, TaskOutcome>();
  const early = new Map<string, { at: number; status: string }>();
  const log: Logger = {
    trace: () => undefined,
    info: () => undefined,
    warn: (m) => warnings.push(m),
    error: (m) => warnings.push(m),
  };
  const seen = (remoteId: string, status: string) => {
    const at = clock.now();
    const o = byRemote.get(remoteId);
    if (o) {
      if (o.seenAt === undefined) Object.assign(o, { seenAt: at, status });
    } else if (!early.has(remoteId)) early.set(remoteId, { at, status });
  };
  const startWall = Date.now();
  const lastCreate = Math.max(...specs.map((s) => s.offsetMs));
  const longest = Math.max(...specs.map((s) => s.durationMs));
  // Generous: every task should be seen well within a minute (scaled) of its end.
  const deadline = clock.startAt + lastCreate + longest + 90_000;
  let driver: Driver | undefined;
  try {
    driver = await makeDriver({ baseUrl: emulator.baseUrl, clock, seen, log });
    const d = driver;
    const creates = outcomes.map(async (o) => {
      await clock.sleepUntil(clock.startAt + o.spec.offsetMs);
      try {
        const remoteId = await d.submit(o.spec);
        o.remoteId = remoteId;
        byRemote.set(remoteId, o);
        const e = early.get(remoteId);
        if (e && o.seenAt === undefined) Object.assign(o, { seenAt: e.at, status: e.status });
      } catch (e) {
        o.createError = errorMessage(e);
      }
    });
    await Promise.all(creates);
    let nextReport = Date.now() + 10_000;
    for (;;) {
      const pending = outcomes.filter((o) => o.remoteId && o.seenAt === undefined).length;
      if (pending === 0 || clock.now() > deadline) break;
      if (Date.now() >= nextReport) {
        nextReport += 10_000;
        opts.progress?.(
          `  ${name}: ${outcomes.length - pending}/${outcomes.length} tasks seen final, ${Math.round(clock.elapsed() / 1000)} s scaled, ${Math.round((Date.now() - startWall) / 1000)} s wall`,
        );
      }
      await sleepReal(20);
    }
    const scaledMs = clock.elapsed();
    const wallMs = Date.now() - startWall;
    // Counted before the driver is disposed (the engine may still be downloading results).
    const requests = emulator.requests();
    const counts = emulator.counts();
    for (const o of outcomes) if (o.remoteId) o.finishedAt = emulator.taskFinishedAt(o.remoteId);
    const statusByProvider: Record<ProviderId, number> = Object.fromEntries(PROVIDER_LIST.map((p) => [p.id, 0]));
    const tally = { status: 0, create: 0, files: 0, other: 0 };
    for (const r of requests) {
      tally[r.kind]++;
      if (r.kind !== 'status') continue;
      if (r.provider) statusByProvider[r.provider] = (statusByProvider[r.provider] ?? 0) + 1;
      const ids = r.ids ?? [];
      for (const id of ids) {
        const o = byRemote.get(id);
        if (o) o.statusRequests += 1 / ids.length;
      }
    }
    return {
      name,
      outcomes,
      counts,
      statusRequests: tally.status,
      createRequests: tally.create,
      fileRequests: tally.files,
      otherRequests: tally.other,
      statusByProvider,
      wallMs,
      scaledMs,
      warnings,
    };
  } finally {
    await driver?.dispose().catch((e: unknown) => warnings.push(`dispose: ${errorMessage(e)}`));
    await emulator.close();
  }
}

// ---- the engine as a driver -----------------------------------------------------------------------

/**
 * The real TaskEngine with its production settings (5 s base interval), on the scaled clock, with a
 * model catalogue pointed at the emulator as the extension's is at the providers (src/extension.ts):
 * the first create of a provider reads its catalogue (OpenRouter's published list, fetched from the
 * emulator, with the typical run times the provider attaches from its bundled snapshot), and the
 * engine's `typicalRunSeconds` reads the model from it.
 */
export async function engineDriver(env: DriverEnv): Promise<Driver> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aivideo-bench-engine-'));
  const settings: EngineSettings = { ...DEFAULT_ENGINE_SETTINGS };
  const baseUrl = (p: string) => emulatorBaseUrl(env.baseUrl, p);
  const catalog = new ModelCatalog({ providers: PROVIDERS, cacheDir: path.join(dir, 'catalog'), now: env.clock.now });
  const engine = new TaskEngine({
    providers: PROVIDERS,
    context: async (p) => ({ baseUrl: baseUrl(p), apiKey: BENCH_KEY }),
    catalog,
    typicalRunSeconds: (p, model) => catalog.model(p, baseUrl(p), model)?.capabilities.typicalRunSeconds,
    store: new TaskStore(path.join(dir, 'tasks.json'), env.clock.now),
    mediaDir: path.join(dir, 'videos'),
    settings: () => settings,
    log: env.log,
    clock: env.clock,
  });
  engine.onDidChangeTasks((tasks) => {
    for (const t of tasks) if (t.remoteId && !isActive(t)) env.seen(t.remoteId, t.status);
  });
  await engine.init();
  return {
    async submit(spec) {
      const t = await engine.generate(spec.request);
      return t.remoteId;
    },
    async dispose() {
      // Let small result downloads finish (bounded), then stop.
      await Promise.race([engine.settle(), sleepReal(10_000)]);
      engine.dispose();
      catalog.dispose();
      await sleepReal(50);
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

// ---- figures --------------------------------------------------------------------------------------

/** Nearest-rank percentile (p in 0..100) of a non-empty list. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

export interface Figures {
  tasks: number;
  finished: number;
  seen: number;
  createErrors: number;
  statusRequests: number;
  requestsPerFinished: number;
  delays: number[];
  p50: number;
  p95: number;
  max: number;
  mean: number;
}

/** Figures over a subset of outcomes; `statusRequests` is the attributed count of that subset. */
export function figures(outcomes: TaskOutcome[]): Figures {
  const finished = outcomes.filter((o) => o.finishedAt !== undefined);
  const seenFinal = finished.filter((o) => o.seenAt !== undefined);
  const delays = seenFinal.map((o) => Math.max(0, o.seenAt! - o.finishedAt!));
  const statusRequests = outcomes.reduce((a, o) => a + o.statusRequests, 0);
  return {
    tasks: outcomes.length,
    finished: finished.length,
    seen: seenFinal.length,
    createErrors: outcomes.filter((o) => o.createError).length,
    statusRequests,
    requestsPerFinished: seenFinal.length ? statusRequests / seenFinal.length : NaN,
    delays,
    p50: percentile(delays, 50),
    p95: percentile(delays, 95),
    max: delays.length ? Math.max(...delays) : NaN,
    mean: delays.length ? delays.reduce((a, b) => a + b, 0) / delays.length : NaN,
  };
}
