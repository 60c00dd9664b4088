// `npm run bench`: prints numbers (it is not a test). Four parts:
//  1. Polling: one fixed scenario run twice against the emulator on a scaled clock, once with the
//     TaskEngine and once with a naive fixed 5 s poller; requests per finished task, and the delay
//     between the provider finishing a task and the poller seeing it.
//  2. Store: load and single-task update times of a 10,000-task history.
//  3. Download: peak memory while a 200 MB result is downloaded (in a child process).
//  4. Gallery: time to the first frame with a card of the gallery webview with 2,000 tasks
//     (src/bench/galleryBench.ts, headless Chromium).
//  5. Bundle: the size of the production extension bundle, built in memory as esbuild.js builds it.
//  6. Catalog: the median time to resolve a model's capabilities and price from the warm model
//     catalogue, and how many models it holds (src/bench/catalogBench.ts).
//  7. Sanitize: the sanitizer on 1 MB of hostile provider text (src/bench/sanitizeBench.ts).
//  8. Queue: scheduling the create queue with 1,000 waiting creates among 10,000 tasks (src/bench/queueBench.ts).
//  9. Stitch: ten 2 s clips joined into a film, matching (stream copy) and mixed (re-encode) (src/bench/stitchBench.ts);
//     its figures are reported under `storyboard` (storyboard.stitchCopyMs, storyboard.stitchEncodeMs).
// 10. Storyboard: planning a 50-shot storyboard whose 5 MB outputs are all up to date (src/bench/storyboardBench.ts).
// 11. Money: a quote from the warm catalogue, and one spend-ledger append with 100,000 records (src/bench/moneyBench.ts).
// Options: --scale N (default 6), --json (after the tables, one JSON line of every part's figures, the last line of
// stdout), --only poll,store,download,gallery,bundle,catalog,sanitize,queue,stitch,storyboard,money (a subset of the parts).
import { fork } from 'child_process';
import { randomUUID } from 'crypto';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { build, type BuildOptions } from 'esbuild';

import { DEFAULT_ENGINE_SETTINGS } from '../core/engine/engine';
import { errorMessage, isProviderError } from '../core/model/errors';
import { ProviderId, Task } from '../core/model/task';
import { startEmulator } from '../emulator/server';
import { PROVIDER_LIST } from '../providers';
import { pika } from '../providers/pika';
import { catalogBench } from './catalogBench';
import type { DownloadFigures } from './downloadProbe';
import { galleryFirstPaint } from './galleryBench';
import { moneyBench } from './moneyBench';
import { NAIVE_INTERVAL_MS, naiveDriver } from './naivePoller';
import { queueBench } from './queueBench';
import { sanitizeBench } from './sanitizeBench';
import {
  BENCH_KEY,
  buildScenario,
  DURATION_CLASSES,
  engineDriver,
  figures,
  Figures,
  MODEL_RUN_SECONDS,
  RunResult,
  runScenario,
  STAGGER_MS,
  TaskSpec,
} from './scenario';
import { stitchBench } from './stitchBench';
import { storeBench, StoreFigures, Timing } from './storeBench';
import { storyboardBench } from './storyboardBench';

const BIG_BYTES = 200 * 1024 * 1024;
const DEFAULT_SCALE = 6;
const PARTS = ['poll', 'store', 'download', 'gallery', 'bundle', 'catalog', 'sanitize', 'queue', 'stitch', 'storyboard', 'money'] as const;
type Part = (typeof PARTS)[number];

interface Args {
  scale: number;
  json: boolean;
  parts: Set<Part>;
}

class UsageError extends Error {}

function parseArgs(argv: string[]): Args {
  const args: Args = { scale: DEFAULT_SCALE, json: false, parts: new Set(PARTS) };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--json') args.json = true;
    else if (flag === '--scale') {
      args.scale = Number(value());
      if (!(args.scale >= 1 && args.scale <= 60)) throw new UsageError('--scale must be a number from 1 to 60');
    } else if (flag === '--only') {
      const parts = value()
        .split(',')
        .map((s) => s.trim());
      for (const p of parts) if (!(PARTS as readonly string[]).includes(p)) throw new UsageError(`--only takes ${PARTS.join(',')}`);
      args.parts = new Set(parts as Part[]);
    } else throw new UsageError(`Unknown option ${argv[i]} (use --scale N, --json, --only ${PARTS.join(',')})`);
  }
  return args;
}

const progress = (line: string) => process.stderr.write(`${line}\n`);

// ---- formatting ---------------------------------------------------------------------------------

const sec = (ms: number, digits = 2) => (Number.isFinite(ms) ? (ms / 1000).toFixed(digits) : '-');
const num = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
const mb = (bytes: number) => (bytes / 1048576).toFixed(1);
const ratio = (a: number, b: number) => (Number.isFinite(a / b) && b !== 0 ? `${(a / b).toFixed(2)}×` : '-');
const durLabel = (ms: number) => (ms >= 60_000 ? `${ms / 60_000} min` : `${ms / 1000} s`);

function table(rows: string[][], align: ('l' | 'r')[]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (align[c] === 'l' ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
        .join('   ')
        .trimEnd(),
    )
    .map((l) => `  ${l}`)
    .join('\n');
}

// ---- part 1: polling ------------------------------------------------------------------------------

interface PollingFigures {
  scale: number;
  specs: TaskSpec[];
  engine: RunResult;
  naive: RunResult;
  engineAll: Figures;
  naiveAll: Figures;
}

async function polling(scale: number): Promise<PollingFigures> {
  const specs = buildScenario();
  progress(
    `Polling scenario, time scale ×${scale} (about ${Math.round((Math.max(...specs.map((s) => s.durationMs + s.offsetMs)) / scale / 1000) * 2)} s of wall time for both runs)…`,
  );
  const engine = await runScenario('engine', specs, engineDriver, { scale, progress });
  progress(`  engine done in ${Math.round(engine.wallMs / 1000)} s wall.`);
  const naive = await runScenario('naive', specs, naiveDriver, { scale, progress });
  progress(`  naive poller done in ${Math.round(naive.wallMs / 1000)} s wall.`);
  return { scale, specs, engine, naive, engineAll: figures(engine.outcomes), naiveAll: figures(naive.outcomes) };
}

function printPolling(p: PollingFigures): void {
  const { engine, naive, engineAll: e, naiveAll: n } = p;
  const perProvider = (r: RunResult, id: ProviderId) => figures(r.outcomes.filter((o) => o.spec.provider === id));
  const counts = (id: ProviderId) => p.specs.filter((s) => s.provider === id).length;
  console.log('');
  console.log('== Polling: TaskEngine vs a naive fixed 5 s poller ==');
  console.log('');
  console.log(`Scenario: ${p.specs.length} text-to-video tasks, ${PROVIDER_LIST.map((d) => `${counts(d.id)} ${d.label}`).join(', ')};`);
  console.log(
    `  lengths ${DURATION_CLASSES.map(durLabel).join(' / ')} (each ±10 %, seeded), created at seeded times over the first ${STAGGER_MS / 1000} s;`,
  );
  console.log('  the same scenario, a fresh emulator and a fresh store for each run.');
  console.log(`Time scale ×${p.scale}: the emulator's clock and the poller's clock both run ${p.scale}× faster than the wall clock.`);
  console.log(`  The engine runs unchanged with its production settings (5 s base interval) on the scaled clock`);
  console.log(`  (deps.clock: its time and its timers run ${p.scale}× faster), so every scheduler rule`);
  console.log('  (first poll 2.5 s, sparse polls while queued, the end predicted from the progress rate, 2 s alignment for');
  console.log('  HiDream, whose batch endpoint answers many tasks in one request)');
  console.log(`  applies in scaled time exactly as in the editor. HTTP round trips and store writes take real time, i.e. ${p.scale}×`);
  console.log('  more in scaled terms: a small penalty that both pollers pay. All times below are in unscaled ("real") seconds.');
  console.log(
    `Baseline: every task asked once every ${NAIVE_INTERVAL_MS / 1000} s from its create until final, one request per task, with the same`,
  );
  console.log('  provider clients and parsers (HiDream: GET .../async/results?task_id={id}, the single-result endpoint;');
  console.log('  the engine uses /results/batch).');
  console.log("Delay: from the emulator's finish time of a task to the moment the poller reported it final (the engine: its");
  console.log('  onDidChangeTasks event, after the store write); percentiles by nearest rank. Requests: status routes only');
  console.log('  (result downloads by the engine and creates are not counted in them).');
  console.log('Caveat: the emulator reports linear progress (0 % while queued, the first 20 % of a task, then 1-99 %), which');
  console.log('  the engine uses to predict the end and poll just after it. OpenRouter reports none: its tasks take their');
  console.log("  model's own run time (±10 %; not the length classes, which no client could tell apart), predicted from the run");
  console.log("  times of that model's finished tasks, else the catalogue's typical time (±15 %), first polled an eighth of the");
  console.log('  way to the window, then with growing gaps');
  console.log('  until the window (run time ± spread) the job is likely to end in, then a quarter of the spread apart.');
  console.log('');
  const rows: string[][] = [
    ['', 'engine', 'naive 5 s', 'ratio'],
    ['tasks finished / seen final', `${e.finished}/${e.seen}`, `${n.finished}/${n.seen}`, ''],
    [
      'status requests',
      String(engine.statusRequests),
      String(naive.statusRequests),
      `naive ÷ engine ${ratio(naive.statusRequests, engine.statusRequests)}`,
    ],
    [
      'status requests per finished task',
      num(e.requestsPerFinished),
      num(n.requestsPerFinished),
      `naive ÷ engine ${ratio(n.requestsPerFinished, e.requestsPerFinished)}`,
    ],
  ];
  for (const { id, label } of PROVIDER_LIST) {
    const a = perProvider(engine, id);
    const b = perProvider(naive, id);
    rows.push([
      `  ${label}`,
      num(a.requestsPerFinished),
      num(b.requestsPerFinished),
      `naive ÷ engine ${ratio(b.requestsPerFinished, a.requestsPerFinished)}`,
    ]);
  }
  rows.push(
    ['create requests', String(engine.createRequests), String(naive.createRequests), ''],
    ['result downloads (not counted above)', String(engine.fileRequests), String(naive.fileRequests), 'the baseline does not download'],
    ['delay p50 (s)', sec(e.p50), sec(n.p50), `engine ÷ naive ${ratio(e.p50, n.p50)}`],
    ['delay p95 (s)', sec(e.p95), sec(n.p95), `engine ÷ naive ${ratio(e.p95, n.p95)}`],
    ['delay mean (s)', sec(e.mean), sec(n.mean), `engine ÷ naive ${ratio(e.mean, n.mean)}`],
    ['delay max (s)', sec(e.max), sec(n.max), ''],
    [
      'run length, scaled / wall (s)',
      `${sec(engine.scaledMs, 0)} / ${sec(engine.wallMs, 0)}`,
      `${sec(naive.scaledMs, 0)} / ${sec(naive.wallMs, 0)}`,
      '',
    ],
  );
  console.log(table(rows, ['l', 'r', 'r', 'l']));
  console.log('');
  console.log('By task length (status requests per finished task; delay p50 / p95 in s):');
  const byClass: string[][] = [['length', 'tasks', 'engine req', 'naive req', 'engine delay', 'naive delay']];
  DURATION_CLASSES.forEach((d, c) => {
    const a = figures(engine.outcomes.filter((o) => o.spec.durationClass === c));
    const b = figures(naive.outcomes.filter((o) => o.spec.durationClass === c));
    byClass.push([
      `~${durLabel(d)}`,
      String(a.tasks),
      num(a.requestsPerFinished),
      num(b.requestsPerFinished),
      `${sec(a.p50)} / ${sec(a.p95)}`,
      `${sec(b.p50)} / ${sec(b.p95)}`,
    ]);
  });
  for (const [provider, models] of Object.entries(MODEL_RUN_SECONDS)) {
    for (const { model, seconds } of models) {
      const of = (r: RunResult) => figures(r.outcomes.filter((o) => o.spec.provider === provider && o.spec.request.model === model));
      const a = of(engine);
      const b = of(naive);
      if (a.tasks) {
        byClass.push([
          `~${seconds} s ${model}`,
          String(a.tasks),
          num(a.requestsPerFinished),
          num(b.requestsPerFinished),
          `${sec(a.p50)} / ${sec(a.p95)}`,
          `${sec(b.p50)} / ${sec(b.p95)}`,
        ]);
      }
    }
  }
  console.log(table(byClass, ['l', 'r', 'r', 'r', 'r', 'r']));
  for (const r of [engine, naive]) {
    const problems = r.outcomes.filter((o) => o.createError).map((o) => `create ${o.spec.provider}: ${o.createError}`);
    const unseen = r.outcomes.filter((o) => o.remoteId && o.seenAt === undefined).length;
    if (unseen) problems.push(`${unseen} task(s) never seen final before the deadline`);
    if (r.warnings.length) problems.push(...r.warnings.slice(0, 5).map((w) => `log: ${w}`));
    if (problems.length) console.log(`\n${r.name} problems:\n${problems.map((x) => `  - ${x}`).join('\n')}`);
  }
}

// ---- part 3: download ------------------------------------------------------------------------------

interface DownloadPart {
  maxBytes: number;
  figures: DownloadFigures;
}

async function download(): Promise<DownloadPart> {
  const maxBytes = DEFAULT_ENGINE_SETTINGS.maxDownloadBytes;
  if (maxBytes < BIG_BYTES) throw new Error(`the default download cap (${mb(maxBytes)} MB) is under ${mb(BIG_BYTES)} MB`);
  progress(`Downloading a ${mb(BIG_BYTES)} MB result in a child process…`);
  const emulator = await startEmulator({ port: 0 });
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aivideo-bench-download-'));
  try {
    const ctx = { baseUrl: emulator.baseUrl, apiKey: BENCH_KEY, timeoutMs: 10_000 };
    const req = { provider: 'pika' as const, prompt: `benchmark download [duration=0] [big=${BIG_BYTES}]` };
    const created = await pika.create(ctx, req, {}, randomUUID());
    const task: Task = {
      id: 'big',
      provider: 'pika',
      remoteId: created.remoteId,
      mode: created.mode,
      status: 'running',
      progress: 0,
      prompt: req.prompt,
      model: created.model,
      createdAt: Date.now(),
      updatedAt: Date.now(),
      videos: [],
      request: req,
    };
    const state = (await pika.poll(ctx, [task])).get(task.id);
    if (!state || isProviderError(state) || state.status !== 'succeeded' || !state.videos[0]) {
      throw new Error(`the big task did not succeed: ${JSON.stringify(state)}`);
    }
    const dest = path.join(dir, 'task', '1-big.mp4');
    const child = fork(path.join(__dirname, 'downloadProbe.js'), [state.videos[0].url, dest, String(maxBytes), emulator.baseUrl], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const result = await new Promise<DownloadFigures>((resolve, reject) => {
      const limit = setTimeout(() => {
        child.kill();
        reject(new Error('the download probe took over 3 minutes'));
      }, 180_000);
      child.once('message', (m) => {
        clearTimeout(limit);
        resolve(m as DownloadFigures);
      });
      child.once('exit', (code) => {
        clearTimeout(limit);
        reject(new Error(`the download probe exited (${code}) without an answer`));
      });
      child.once('error', (e) => {
        clearTimeout(limit);
        reject(e);
      });
    });
    await new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
    return { maxBytes, figures: result };
  } finally {
    await emulator.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

function printDownload(d: DownloadPart): void {
  const f = d.figures;
  console.log('');
  console.log(`== Download: one ${mb(BIG_BYTES)} MB result through downloadToFile (cap ${mb(d.maxBytes)} MB, the default) ==`);
  console.log('  Measured in a child process that only downloads (process.memoryUsage() every 20 ms, after a GC);');
  console.log('  the emulator serving the bytes runs in the parent, over 127.0.0.1.');
  if (!f.ok) {
    console.log(`  FAILED: ${f.error}`);
    return;
  }
  const rows = [
    ['', 'before', 'peak', 'peak - before'],
    ['RSS (MB)', mb(f.before.rss), mb(f.peak.rss), mb(f.peak.rss - f.before.rss)],
    ['heap used (MB)', mb(f.before.heapUsed), mb(f.peak.heapUsed), mb(f.peak.heapUsed - f.before.heapUsed)],
    ['external (MB)', mb(f.before.external), mb(f.peak.external), mb(f.peak.external - f.before.external)],
    ['array buffers (MB)', mb(f.before.arrayBuffers), mb(f.peak.arrayBuffers), mb(f.peak.arrayBuffers - f.before.arrayBuffers)],
  ];
  console.log(table(rows, ['l', 'r', 'r', 'r']));
  console.log(
    `  ${mb(f.bytes)} MB in ${sec(f.ms)} s = ${num(f.bytes / 1048576 / (f.ms / 1000), 0)} MB/s; file on disk ${mb(f.fileBytes)} MB; ${f.samples} samples.`,
  );
}

// ---- part 2: store ----------------------------------------------------------------------------------

function printStore(s: StoreFigures): void {
  const ms = (n: number) => n.toFixed(1);
  console.log('');
  console.log(`== Store: a history of ${s.tasks.toLocaleString('en-US')} finished tasks (${mb(s.fileBytes)} MB journal) ==`);
  const row = (label: string, t: Timing) => [label, ms(t.median), ms(t.min), ms(t.max), String(t.runs)];
  const rows = [
    ['', 'median ms', 'min ms', 'max ms', 'runs'],
    row('TaskStore.load() (read, parse, validate)', s.load),
    row('TaskEngine.init() (load + adopt, idle after)', s.engineInit),
    row('update one task: TaskStore.save() (lock, diff, append, fdatasync)', s.updateOne),
    row('another window follows it: changedOnDisk() + load() (the tail)', s.followOne),
    row('once: migrate a version-1 file, then load', s.migrateV1),
    row('now and then: a save that compacts the journal', s.compact),
  ];
  console.log(table(rows, ['l', 'r', 'r', 'r', 'r']));
}

// ---- the parts, and the --json line -------------------------------------------------------------------

/** A figure of the JSON line, or a group of them (per provider). */
type SummaryValue = number | string | boolean | null | { [key: string]: SummaryValue };

/** A part's figures once run: its tables, its section of the JSON line, and its verdict against the issue's target. */
interface PartResult {
  print(): void;
  /** Stable keys, numbers in the units the names say (null when not measured). */
  summary: Record<string, SummaryValue>;
  verdict: string;
  /** The JSON line's key for the summary, when not the part's name (parts sharing one are merged). */
  jsonKey?: string;
}

/** Rounds for the JSON line; NaN and infinities (nothing measured) become null. */
const round = (n: number, digits = 3): number | null => (Number.isFinite(n) ? Number(n.toFixed(digits)) : null);

const verdict = (pass: boolean, text: string) => `${pass ? 'PASS' : 'FAIL'}: ${text}`;

async function pollPart(args: Args): Promise<PartResult> {
  const p = await polling(args.scale);
  const { engineAll: e, naiveAll: n } = p;
  const allSeen = e.seen === e.tasks && n.seen === n.tasks;
  const requestsRatio = e.requestsPerFinished / n.requestsPerFinished;
  const p95Ratio = e.p95 / n.p95;
  const pass = allSeen && requestsRatio <= 0.2 && p95Ratio <= 0.3;
  const perProvider: Record<string, Record<string, number | null>> = {};
  for (const { id } of PROVIDER_LIST) {
    const a = figures(p.engine.outcomes.filter((o) => o.spec.provider === id));
    const b = figures(p.naive.outcomes.filter((o) => o.spec.provider === id));
    perProvider[id] = {
      tasks: a.tasks,
      seen: a.seen,
      requestsPerTask: round(a.requestsPerFinished),
      naiveRequestsPerTask: round(b.requestsPerFinished),
      requestsRatio: round(a.requestsPerFinished / b.requestsPerFinished),
      p50DelayS: round(a.p50 / 1000),
      p95DelayS: round(a.p95 / 1000),
      naiveP95DelayS: round(b.p95 / 1000),
      p95Ratio: round(a.p95 / b.p95),
    };
  }
  return {
    print: () => printPolling(p),
    summary: {
      requestsPerTask: round(e.requestsPerFinished),
      naiveRequestsPerTask: round(n.requestsPerFinished),
      p95DelayS: round(e.p95 / 1000),
      naiveP95DelayS: round(n.p95 / 1000),
      p50DelayS: round(e.p50 / 1000),
      naiveP50DelayS: round(n.p50 / 1000),
      requestsRatio: round(requestsRatio),
      p95Ratio: round(p95Ratio),
      tasks: e.tasks,
      seen: e.seen,
      naiveSeen: n.seen,
      scale: p.scale,
      perProvider,
    },
    verdict: verdict(
      pass,
      `the engine made ${num(e.requestsPerFinished)} status requests per finished task against ${num(n.requestsPerFinished)} for the naive poller ` +
        `(${ratio(e.requestsPerFinished, n.requestsPerFinished)}), p95 delay ${sec(e.p95)} s against ${sec(n.p95)} s (${ratio(e.p95, n.p95)})` +
        `${allSeen ? '' : '; some tasks were never seen final'} (target: at most 0.2× the requests, at most 0.3× the p95 delay).`,
    ),
  };
}

async function storePart(): Promise<PartResult> {
  progress('Store with 10,000 tasks…');
  const s = await storeBench();
  const pass = s.load.median < 100 && s.updateOne.median < 5;
  return {
    print: () => printStore(s),
    summary: {
      tasks: s.tasks,
      load10kMs: round(s.load.median, 1),
      update10kMs: round(s.updateOne.median, 1),
      engineInit10kMs: round(s.engineInit.median, 1),
      follow10kMs: round(s.followOne.median, 1),
      compact10kMs: round(s.compact.median, 1),
      migrateV1_10kMs: round(s.migrateV1.median, 1),
    },
    verdict: verdict(
      pass,
      `a ${s.tasks.toLocaleString('en-US')}-task history loads in ${s.load.median.toFixed(1)} ms and one task update takes ${s.updateOne.median.toFixed(1)} ms (medians; target: under 100 ms and under 5 ms).`,
    ),
  };
}

async function downloadPart(): Promise<PartResult> {
  const d = await download();
  const f = d.figures;
  const growth = (k: 'rss' | 'arrayBuffers') => (f.ok ? round((f.peak[k] - f.before[k]) / 1048576, 1) : null);
  const rss = growth('rss');
  return {
    print: () => printDownload(d),
    summary: { rssGrowthMB: rss, arrayBuffersGrowthMB: growth('arrayBuffers'), bytes: f.bytes, ok: f.ok },
    verdict: verdict(
      rss !== null && rss <= 16,
      f.ok ? `peak RSS grew ${rss} MB while streaming ${mb(BIG_BYTES)} MB (target: at most 16 MB).` : `the download failed: ${f.error}`,
    ),
  };
}

/** The largest production bundle, in KB: axios (with its form-data and mime-db) is in it; size is no user problem under 1 MB. */
const BUNDLE_TARGET_KB = 1024;

async function bundlePart(): Promise<PartResult> {
  progress('Building the production extension bundle in memory…');
  const script = path.resolve(__dirname, '../../../esbuild.js');
  const { extensionOptions } = (await import(script)) as { extensionOptions(production: boolean): BuildOptions };
  const result = await build({ ...extensionOptions(true), write: false });
  const bytes = result.outputFiles[0].contents.length;
  const kb = bytes / 1024;
  return {
    print: () => {
      console.log('');
      console.log('== Bundle: dist/extension.js as `node esbuild.js --production` builds it (minified, no source map) ==');
      console.log(`  ${bytes.toLocaleString('en-US')} bytes = ${kb.toFixed(1)} KB`);
    },
    summary: { extensionKB: round(kb, 1), bytes },
    verdict: verdict(
      kb <= BUNDLE_TARGET_KB,
      `the production extension bundle is ${kb.toFixed(1)} KB (target: at most ${BUNDLE_TARGET_KB} KB).`,
    ),
  };
}

async function galleryPart(): Promise<PartResult> {
  progress('Gallery first paint with 2,000 tasks in headless Chromium…');
  const g = await galleryFirstPaint();
  return {
    print: () => {
      console.log('');
      console.log(`== Gallery: first frame with a card, ${g.tasks.toLocaleString('en-US')} tasks (headless Chromium) ==`);
      console.log(`  median ${g.medianMs} ms (runs: ${g.runsMs.join(', ')} ms); ${g.cardsInDom} cards in the DOM.`);
    },
    summary: { firstPaint2kMs: g.medianMs, cardsInDom: g.cardsInDom },
    verdict: verdict(
      g.medianMs < 300,
      `the gallery paints its first card ${g.medianMs} ms after its script starts, with ${g.tasks.toLocaleString('en-US')} tasks (median of ${g.runsMs.length}; target: under 300 ms).`,
    ),
  };
}

/** The issue's target for one warm lookup. */
const LOOKUP_TARGET_US = 50;

async function catalogPart(): Promise<PartResult> {
  progress('Model catalogue lookups…');
  const c = await catalogBench();
  return {
    print: () => {
      console.log('');
      console.log('== Catalog: resolving a model and its price from the warm model catalogue ==');
      console.log(
        `  median ${c.lookupUs.toFixed(2)} µs over ${c.lookups.toLocaleString('en-US')} lookups; ${c.models} models in the emulator's published catalogues (OpenRouter, fal).`,
      );
    },
    summary: { lookupUs: round(c.lookupUs, 2), models: c.models },
    verdict: verdict(
      c.lookupUs < LOOKUP_TARGET_US,
      `a model's capabilities and price resolve in ${c.lookupUs.toFixed(2)} µs from the warm catalogue (median; target: under ${LOOKUP_TARGET_US} µs).`,
    ),
  };
}

/** The slowest the sanitizer may take on 1 MB of hostile text, ms. */
const SANITIZE_TARGET_MS = 50;

async function sanitizePart(): Promise<PartResult> {
  progress('Sanitizer on 1 MB of hostile text…');
  const s = sanitizeBench();
  return {
    print: () => {
      console.log('');
      console.log(`== Sanitize: sanitizeText on ${mb(s.bytes)} MB of hostile provider text, by shape ==`);
      const rows = [
        ['', 'median ms', 'min ms', 'max ms', 'runs'],
        ...Object.entries(s.kinds).map(([k, t]) => [k, t.median.toFixed(1), t.min.toFixed(1), t.max.toFixed(1), String(t.runs)]),
      ];
      console.log(table(rows, ['l', 'r', 'r', 'r', 'r']));
    },
    summary: { hostile1MbMs: round(s.worstMs, 1), worstKind: s.worstKind },
    verdict: verdict(
      s.worstMs < SANITIZE_TARGET_MS,
      `sanitizing 1 MB of hostile text takes at most ${s.worstMs.toFixed(1)} ms (${s.worstKind}; median; target: under ${SANITIZE_TARGET_MS} ms).`,
    ),
  };
}

/** The longest one scheduling of the create queue may take with 1,000 waiting creates and 10,000 tasks, ms. */
const QUEUE_TARGET_MS = 5;

async function queuePart(): Promise<PartResult> {
  progress('Create queue with 1,000 waiting creates among 10,000 tasks…');
  const q = await queueBench();
  return {
    print: () => {
      console.log('');
      console.log(`== Queue: ${q.waiting.toLocaleString('en-US')} waiting creates among ${q.tasks.toLocaleString('en-US')} tasks ==`);
      const row = (label: string, t: Timing) => [label, t.median.toFixed(1), t.min.toFixed(1), t.max.toFixed(1), String(t.runs)];
      const rows = [
        ['', 'median ms', 'min ms', 'max ms', 'runs'],
        row('schedule: when may a waiting create next go (after every change)', q.schedule),
        row('dispatch pass: every waiting create held, nothing to write', q.dispatch),
      ];
      console.log(table(rows, ['l', 'r', 'r', 'r', 'r']));
    },
    summary: {
      schedule1kWaitingMs: round(q.schedule.median, 1),
      dispatch1kWaitingMs: round(q.dispatch.median, 1),
      tasks: q.tasks,
      waiting: q.waiting,
    },
    verdict: verdict(
      q.schedule.median < QUEUE_TARGET_MS,
      `scheduling the create queue takes ${q.schedule.median.toFixed(1)} ms with ${q.waiting.toLocaleString('en-US')} waiting creates among ${q.tasks.toLocaleString('en-US')} tasks (median; target: under ${QUEUE_TARGET_MS} ms).`,
    ),
  };
}

/** Re-encoding ten 2 s clips (20 s of film) should take less than the film lasts, ms. */
const STITCH_ENCODE_TARGET_MS = 20_000;
/** A stream copy of the same (ten probes, one ffmpeg run, one probe of the film) should take under two seconds, ms. */
const STITCH_COPY_TARGET_MS = 2_000;

async function stitchPart(): Promise<PartResult> {
  progress('Stitching ten 2 s clips: matching (copy) and mixed (re-encode)…');
  const s = await stitchBench();
  const film = s.clips * s.clipSeconds;
  return {
    print: () => {
      console.log('');
      console.log(`== Stitch: ${s.clips} clips of ${s.clipSeconds} s into one ${film} s film ==`);
      const row = (label: string, t: Timing) => [label, t.median.toFixed(1), t.min.toFixed(1), t.max.toFixed(1), String(t.runs)];
      const rows = [
        ['', 'median ms', 'min ms', 'max ms', 'runs'],
        row(`matching formats (${s.modes.copy}, film ${s.durations.copy.toFixed(2)} s)`, s.copy),
        row(`mixed sizes and sound (${s.modes.encode}, film ${s.durations.encode.toFixed(2)} s)`, s.encode),
      ];
      console.log(table(rows, ['l', 'r', 'r', 'r', 'r']));
    },
    jsonKey: 'storyboard',
    summary: { stitchCopyMs: round(s.copy.median, 1), stitchEncodeMs: round(s.encode.median, 1), stitchClips: s.clips },
    verdict: verdict(
      s.modes.copy === 'copy' &&
        s.modes.encode === 'encode' &&
        s.copy.median < STITCH_COPY_TARGET_MS &&
        s.encode.median < STITCH_ENCODE_TARGET_MS,
      `stitching ${s.clips} clips of ${s.clipSeconds} s takes ${s.copy.median.toFixed(0)} ms as a stream copy and ${s.encode.median.toFixed(0)} ms re-encoded (median; targets: under ${STITCH_COPY_TARGET_MS} ms and under ${STITCH_ENCODE_TARGET_MS} ms).`,
    ),
  };
}

/** The longest planning a 50-shot storyboard with every output up to date may take, ms. */
const STORYBOARD_PLAN_TARGET_MS = 500;

async function storyboardPart(): Promise<PartResult> {
  progress('Storyboard: planning 50 shots whose 5 MB outputs are up to date…');
  const s = await storyboardBench();
  return {
    print: () => {
      console.log('');
      console.log(`== Storyboard: plan ${s.shots} shots, every output (${mb(s.outputBytes)} MB each) hashed and up to date ==`);
      const rows = [
        ['', 'median ms', 'min ms', 'max ms', 'runs'],
        ['parse, hash outputs, plan, quote', s.plan.median.toFixed(1), s.plan.min.toFixed(1), s.plan.max.toFixed(1), String(s.plan.runs)],
      ];
      console.log(table(rows, ['l', 'r', 'r', 'r', 'r']));
    },
    summary: { planMs: round(s.plan.median, 1), shots: s.shots, upToDate: s.upToDate },
    verdict: verdict(
      s.upToDate === s.shots && s.plan.median < STORYBOARD_PLAN_TARGET_MS,
      `planning a ${s.shots}-shot storyboard with ${s.upToDate} of ${s.shots} outputs up to date takes ${s.plan.median.toFixed(1)} ms (median; target: under ${STORYBOARD_PLAN_TARGET_MS} ms).`,
    ),
  };
}

/** The issue's targets: one quote from the warm catalogue, µs; one ledger append with 100,000 records, ms. */
const QUOTE_TARGET_US = 100;
const LEDGER_APPEND_TARGET_MS = 5;

async function moneyPart(): Promise<PartResult> {
  progress('Quotes and the spend ledger…');
  const m = await moneyBench();
  const ok = m.quoteUs < QUOTE_TARGET_US && m.ledgerAppendMs < LEDGER_APPEND_TARGET_MS;
  return {
    print: () => {
      console.log('');
      console.log('== Money: quotes from the warm catalogue, appends to a large spend ledger ==');
      console.log(`  quote: median ${m.quoteUs.toFixed(2)} µs over ${m.quotes.toLocaleString('en-US')} quotes.`);
      console.log(
        `  ledger append (locked, flushed): median ${m.ledgerAppendMs.toFixed(2)} ms over ${m.appends} appends to ${m.records.toLocaleString('en-US')} records; reading it all once ${m.ledgerReadMs.toFixed(0)} ms.`,
      );
    },
    summary: {
      quoteUs: round(m.quoteUs, 2),
      ledgerAppendMs: round(m.ledgerAppendMs, 2),
      ledgerReadMs: round(m.ledgerReadMs, 0),
      records: m.records,
    },
    verdict: verdict(
      ok,
      `a quote takes ${m.quoteUs.toFixed(2)} µs (target: under ${QUOTE_TARGET_US} µs) and a ledger append ${m.ledgerAppendMs.toFixed(2)} ms with ${m.records.toLocaleString('en-US')} records (target: under ${LEDGER_APPEND_TARGET_MS} ms; medians).`,
    ),
  };
}

const RUN: Record<Part, (args: Args) => Promise<PartResult>> = {
  poll: pollPart,
  store: storePart,
  download: downloadPart,
  gallery: galleryPart,
  bundle: bundlePart,
  catalog: catalogPart,
  sanitize: sanitizePart,
  queue: queuePart,
  stitch: stitchPart,
  storyboard: storyboardPart,
  money: moneyPart,
};

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const results: Partial<Record<Part, PartResult>> = {};
  for (const part of PARTS) if (args.parts.has(part)) results[part] = await RUN[part](args);
  const ran = PARTS.flatMap((part) => (results[part] ? [[part, results[part]] as const] : []));

  console.log('AI Video Studio benchmark');
  for (const [, r] of ran) r.print();
  console.log('');
  for (const [, r] of ran) console.log(r.verdict);
  const totalWallS = Math.round((Date.now() - started) / 1000);
  console.log(`Total wall time ${totalWallS} s.`);
  if (args.json) {
    const figures: Record<string, Record<string, SummaryValue>> = {};
    for (const [part, r] of ran) figures[r.jsonKey ?? part] = { ...figures[r.jsonKey ?? part], ...r.summary };
    console.log(JSON.stringify({ ...figures, totalWallS }));
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`Benchmark failed: ${errorMessage(e)}`);
    if (e instanceof Error && !(e instanceof UsageError) && e.stack) console.error(e.stack);
    process.exit(1);
  },
);
