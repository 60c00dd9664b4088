// Shared setup for the engine, fault-matrix and two-window tests: a temp folder per test, real
// providers pointed at the emulator (or a proxy in front of it), fast settings, a log that is kept,
// poll-call recording, and a small HTTP proxy that can play "the network is down".
import * as assert from 'assert';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo, Socket } from 'net';
import * as os from 'os';
import * as path from 'path';

import { DEFAULT_ENGINE_SETTINGS, EngineDeps, EngineSettings, TaskEngine } from '../../src/core/engine/engine';
import { ProviderError } from '../../src/core/model/errors';
import { Logger } from '../../src/core/model/events';
import { GenerateRequest, isActive, ProviderId, Task } from '../../src/core/model/task';
import { parseJournal } from '../../src/core/store/taskJournal';
import { TaskStore } from '../../src/core/store/taskStore';
import { defaultFixturesDir } from '../../src/emulator/fixtures';
import { startEmulator, type Emulator } from '../../src/emulator/server';
import { PROVIDERS } from '../../src/providers';
import { PollResults, ProviderClient, RemoteState } from '../../src/providers/clientKit';

export const KEY = 'sk-test-key-0123456789';
export const FIXTURES = defaultFixturesDir(__dirname);
export const SAMPLE = fs.readFileSync(path.join(FIXTURES, 'sample.mp4'));
export const SAMPLE_2 = fs.readFileSync(path.join(FIXTURES, 'sample-2.mp4'));

export function tempDir(prefix = 'aivideo-engine-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitFor<T>(
  what: string | (() => string),
  fn: () => T | undefined | false | null,
  timeoutMs = 15_000,
  everyMs = 20,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`Timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await sleep(everyMs);
  }
}

export interface LogLine {
  level: keyof Logger;
  message: string;
}

export function memoryLog(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    trace: (m) => lines.push({ level: 'trace', message: m }),
    info: (m) => lines.push({ level: 'info', message: m }),
    warn: (m) => lines.push({ level: 'warn', message: m }),
    error: (m) => lines.push({ level: 'error', message: m }),
  };
}

export interface PollCall {
  provider: ProviderId;
  remoteIds: string[];
  start: number;
  end?: number;
}

/** The providers with `poll` wrapped to record every call (and when it ran). */
export function recordingProviders(base: Partial<Record<ProviderId, ProviderClient>> = PROVIDERS): {
  providers: Partial<Record<ProviderId, ProviderClient>>;
  calls: PollCall[];
} {
  const calls: PollCall[] = [];
  const providers: Partial<Record<ProviderId, ProviderClient>> = {};
  for (const [id, p] of Object.entries(base) as [ProviderId, ProviderClient][]) {
    const wrapped: ProviderClient = Object.create(p) as ProviderClient;
    wrapped.poll = async (ctx, tasks) => {
      const call: PollCall = { provider: id, remoteIds: tasks.map((t) => t.remoteId), start: Date.now() };
      calls.push(call);
      try {
        return await p.poll.call(wrapped, ctx, tasks);
      } finally {
        call.end = Date.now();
      }
    };
    providers[id] = wrapped;
  }
  return { providers, calls };
}

/** Poll calls of one provider that overlapped in time (should never happen). */
export function overlappingCalls(calls: PollCall[], provider: ProviderId): number {
  const mine = calls.filter((c) => c.provider === provider).sort((a, b) => a.start - b.start);
  let overlaps = 0;
  for (let i = 1; i < mine.length; i++) if ((mine[i - 1].end ?? Infinity) > mine[i].start) overlaps++;
  return overlaps;
}

export const FAST_SETTINGS: EngineSettings = {
  ...DEFAULT_ENGINE_SETTINGS,
  pollIntervalMs: 150,
  giveUpMs: 0,
  maxDownloadBytes: 50 * 1024 * 1024,
  requestTimeoutMs: 3000,
  downloadAttempts: 3,
  downloadRetryDelayMs: 50,
};

export interface EngineOptions extends Partial<Omit<EngineDeps, 'settings' | 'context'>> {
  settings?: Partial<EngineSettings>;
  /** Base URL per provider (default: the harness's baseUrl). */
  baseUrl?: string | ((p: ProviderId) => string);
  /** Current key per provider; a missing key makes context() reject like the extension does. */
  keys?: Partial<Record<ProviderId, string | undefined>>;
  storeFile?: string;
}

export interface TestEngine {
  engine: TaskEngine;
  store: TaskStore;
  log: ReturnType<typeof memoryLog>;
  settings: EngineSettings;
  keys: Partial<Record<ProviderId, string | undefined>>;
  /** Every task state the engine announced, in order. */
  history: Task[];
}

/** One temp folder (store + media) shared by the engines a test starts; disposes them all at the end. */
export class Workspace {
  readonly dir = tempDir();
  readonly storeFile = path.join(this.dir, 'tasks.json');
  readonly mediaDir = path.join(this.dir, 'videos');
  private readonly engines: TaskEngine[] = [];

  constructor(private readonly defaultBaseUrl: string) {}

  async engine(opts: EngineOptions = {}): Promise<TestEngine> {
    const settings: EngineSettings = { ...FAST_SETTINGS, ...opts.settings };
    const keys: Partial<Record<ProviderId, string | undefined>> = opts.keys ?? { pika: KEY, gateway: KEY, hidream: KEY };
    const store = opts.store ?? new TaskStore(opts.storeFile ?? this.storeFile);
    const log = memoryLog();
    const baseUrl = opts.baseUrl ?? this.defaultBaseUrl;
    const engine = new TaskEngine({
      providers: opts.providers ?? PROVIDERS,
      store,
      mediaDir: opts.mediaDir ?? this.mediaDir,
      log,
      leaseRenewMs: opts.leaseRenewMs ?? 150,
      saveDelayMs: opts.saveDelayMs,
      ownerId: opts.ownerId,
      watchStore: opts.watchStore,
      clock: opts.clock,
      catalog: opts.catalog,
      money: opts.money,
      settings: () => settings,
      async context(p) {
        const apiKey = keys[p];
        if (!apiKey) throw new ProviderError({ kind: 'auth', message: `No API key set for ${p}.` });
        return { baseUrl: typeof baseUrl === 'function' ? baseUrl(p) : baseUrl, apiKey };
      },
    });
    const history: Task[] = [];
    engine.onDidChangeTasks((changed) => {
      for (const t of changed) history.push(structuredClone(t));
    });
    this.engines.push(engine);
    await engine.init();
    return { engine, store, log, settings, keys, history };
  }

  /** Files under the media folder (relative paths). */
  mediaFiles(): string[] {
    if (!fs.existsSync(this.mediaDir)) return [];
    return fs
      .readdirSync(this.mediaDir, { recursive: true, encoding: 'utf8' })
      .filter((f) => fs.statSync(path.join(this.mediaDir, f)).isFile());
  }

  /** The journal file the store at `storeFile` keeps the history in. */
  get journalFile(): string {
    return new TaskStore(this.storeFile).file;
  }

  /** The history as it is on disk now. */
  readStore(): { tasks: Task[]; removed: string[] } {
    return parseJournal(fs.readFileSync(this.journalFile, 'utf8')).snapshot();
  }

  async dispose(): Promise<void> {
    for (const e of this.engines) {
      await e.settle().catch(() => undefined);
      e.dispose();
    }
    // dispose() releases the lease in the background.
    await sleep(30);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** An emulator for the suite, and a fresh Workspace in front of it for each test. */
export interface EngineSuite {
  readonly emulator: Emulator;
  readonly ws: Workspace;
}

/**
 * Starts an emulator before the suite and closes it after; before each test clears its faults and
 * counts and opens a Workspace, after each test disposes the Workspace (clearing the faults first
 * when `clearFaultsAfterEach`) and fails the test on unhandled rejections.
 */
export function useEngineSuite(options: { durationMs: number; clearFaultsAfterEach?: boolean }): EngineSuite {
  let emulator: Emulator | undefined;
  let ws: Workspace | undefined;
  before(async () => {
    emulator = await startEmulator({ port: 0, durationMs: options.durationMs });
  });
  after(async () => {
    await emulator?.close();
  });
  beforeEach(() => {
    emulator!.clearFaults();
    emulator!.resetCounts();
    ws = new Workspace(emulator!.baseUrl);
  });
  afterEach(async () => {
    if (options.clearFaultsAfterEach) emulator!.clearFaults();
    await ws!.dispose();
    assertNoUnhandledRejections();
  });
  return {
    get emulator() {
      assert.ok(emulator, 'emulator not started');
      return emulator;
    },
    get ws() {
      assert.ok(ws, 'no workspace outside a test');
      return ws;
    },
  };
}

export async function waitForTask(
  engine: TaskEngine,
  id: string,
  pred: (t: Task) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<Task> {
  const t = await waitFor(
    () => `task ${id} ${what} (now ${JSON.stringify(summary(engine.getTask(id)))})`,
    () => {
      const cur = engine.getTask(id);
      return cur && pred(cur) ? cur : undefined;
    },
    timeoutMs,
  );
  // A copy: the engine keeps changing its own object.
  return structuredClone(t);
}

/** Final, and every video either downloaded or marked as failed to download. */
export function settled(t: Task): boolean {
  if (isActive(t)) return false;
  return t.status === 'failed' || t.videos.every((v) => v.localPath || v.downloadError);
}

export function summary(t: Task | undefined): unknown {
  return (
    t && {
      status: t.status,
      rawStatus: t.rawStatus,
      error: t.error,
      errorKind: t.errorKind,
      videos: t.videos.map((v) => ({ localPath: !!v.localPath, downloadError: v.downloadError })),
    }
  );
}

export function pikaRequest(prompt: string): GenerateRequest {
  return { provider: 'pika', prompt };
}

// ---- unhandled rejections ------------------------------------------------------------------------

const rejections: unknown[] = [];
process.on('unhandledRejection', (reason) => rejections.push(reason));

/** Call in afterEach: fails the test if any promise rejection went unhandled meanwhile. */
export function assertNoUnhandledRejections(): void {
  const seen = rejections.splice(0);
  assert.deepStrictEqual(seen.map(String), [], 'unhandled promise rejections');
}

// ---- a scripted provider for exact, timing-free engine tests ------------------------------------

/** Answers each poll of a task with the next state of its script (the last one repeats). */
export class ScriptedProvider implements ProviderClient {
  readonly label = 'Scripted';
  readonly limits = { concurrentPolls: 1 };
  readonly scripts = new Map<string, (RemoteState | ProviderError)[]>();
  readonly polls: string[][] = [];
  private n = 0;

  constructor(
    readonly id: ProviderId,
    private readonly scriptFor: (prompt: string) => (RemoteState | ProviderError)[],
  ) {}

  validate(): string | undefined {
    return undefined;
  }

  buildCreate() {
    return { path: '/create', body: {}, mode: 'text-to-video' as const, model: 'scripted' };
  }

  async create(_ctx: unknown, req: GenerateRequest) {
    const remoteId = `remote-${++this.n}`;
    this.scripts.set(remoteId, this.scriptFor(req.prompt));
    return { remoteId, mode: 'text-to-video' as const, model: 'scripted' };
  }

  async poll(_ctx: unknown, tasks: readonly Task[]): Promise<PollResults> {
    this.polls.push(tasks.map((t) => t.remoteId));
    const out: PollResults = new Map();
    for (const t of tasks) {
      const script = this.scripts.get(t.remoteId) ?? [];
      out.set(t.id, (script.length > 1 ? script.shift() : script[0]) ?? new ProviderError({ kind: 'notFound', message: 'no script' }));
    }
    return out;
  }

  async testConnection(): Promise<string> {
    return 'ok';
  }
}

export const running = (progress: number): RemoteState => ({ status: 'running', rawStatus: 'running', progress, videos: [] });
export const succeededNoVideo: RemoteState = { status: 'succeeded', rawStatus: 'done', progress: 100, videos: [] };

// ---- a proxy that can drop off the network --------------------------------------------------------

/** Forwards HTTP to `target`; `down()` closes the port (connection refused), `up()` reopens it on the same port. */
export class FlakyProxy {
  private server: http.Server | undefined;
  private readonly sockets = new Set<Socket>();
  private inFlightByPrefix = new Map<string, number>();
  readonly maxInFlight = new Map<string, number>();
  port = 0;

  constructor(
    private readonly target: string,
    /** Named groups of paths whose concurrent requests are tracked. */
    private readonly groups: Record<string, RegExp> = {},
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    const server = http.createServer((req, res) => this.forward(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
      for (const s of this.sockets) s.destroy();
    });
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', this.target);
    const prefix = Object.keys(this.groups).find((g) => this.groups[g].test(url.pathname));
    if (prefix) {
      const n = (this.inFlightByPrefix.get(prefix) ?? 0) + 1;
      this.inFlightByPrefix.set(prefix, n);
      this.maxInFlight.set(prefix, Math.max(n, this.maxInFlight.get(prefix) ?? 0));
    }
    let done = false;
    const finish = () => {
      if (done || !prefix) return;
      done = true;
      this.inFlightByPrefix.set(prefix, (this.inFlightByPrefix.get(prefix) ?? 1) - 1);
    };
    const upstream = http.request(url, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
      up.on('end', finish);
      up.on('error', finish);
    });
    upstream.on('error', () => {
      finish();
      res.destroy();
    });
    res.on('close', finish);
    req.pipe(upstream);
  }
}
