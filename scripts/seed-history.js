// @ts-check
// A task history for screenshots: the real engine (out/src/core/engine.js) creates tasks at the
// provider emulator and downloads their results and posters into the extension's global storage
// folder, before VS Code starts. Then the creation times are spread over the last weeks (so the
// Tasks view shows Today / Yesterday / This week / Older) and the emulator's outcome markers are
// taken out of the prompts. The takes are charged into the spend ledger as the extension charges
// them (OpenRouter reports its cost; the gateway, HiDream and Pika are priced by USER_PRICES, the
// `aiVideo.prices` the screenshots' settings hold too), dated like their tasks, so the spending panel
// shows weeks of bars. Build first (node esbuild.js).
'use strict';

const fs = require('fs');
const path = require('path');
const { REPO } = require('./vscode-host');

const OUT = path.join(REPO, 'out', 'src');
const KEY = 'screenshot-key-0123456789';
const DAY = 24 * 3600 * 1000;
/** `aiVideo.prices` for the providers that publish none (the same in the screenshots' settings). */
const USER_PRICES = { gateway: { perVideo: 0.35 }, hidream: { perVideo: 0.45 }, pika: { perVideo: 0.2 } };

/**
 * [request, days ago, variants]; `[fail]` makes the emulator fail the task.
 * @type {[import('../src/core/model/task').GenerateRequest, number, number][]}
 */
const PLAN = [
  [{ provider: 'pika', model: '2.0', prompt: 'A paper boat drifting down a rainy street at dusk, cinematic', aspectRatio: '16:9' }, 0, 3],
  [{ provider: 'pika', model: '1.5', prompt: 'A paper boat drifting down a sunny canal at noon, cinematic', aspectRatio: '16:9' }, 0, 1],
  [{ provider: 'gateway', model: 'kling-v1', prompt: 'A red fox running through fresh snow, slow motion', seed: 4242 }, 0, 1],
  [{ provider: 'hidream', prompt: 'Neon city skyline reflected in a lake at night' }, 0, 1],
  [{ provider: 'gateway', model: 'veo3', prompt: 'A lighthouse in a storm, waves crashing [fail]' }, 0, 1],
  [{ provider: 'pika', model: '1.5', prompt: 'A hot air balloon over lavender fields at sunrise' }, 1, 1],
  [{ provider: 'gateway', model: 'viduq1', prompt: 'Robot barista pouring latte art, close-up' }, 1, 2],
  [{ provider: 'pika', model: '2.0', prompt: 'Koi fish swimming in a pond, top view, ripples' }, 3, 1],
  [{ provider: 'hidream', prompt: 'Desert caravan at golden hour, wide shot' }, 5, 1],
  [{ provider: 'gateway', model: 'kling-v2-master', prompt: 'Origami crane unfolding into a real bird' }, 12, 1],
  [{ provider: 'pika', model: '2.0', prompt: 'A snow globe with a tiny village, camera orbiting' }, 20, 1],
  [{ provider: 'openrouter', model: 'google/veo-3.1', prompt: 'Surfer riding a glassy wave at sunset', duration: 8 }, 0, 1],
  [{ provider: 'openrouter', model: 'minimax/hailuo-02', prompt: 'Steam rising from a cup of tea by a window' }, 2, 1],
  [{ provider: 'openrouter', model: 'google/veo-3.1', prompt: 'Fireworks over a harbour, long exposure', duration: 6 }, 4, 2],
  [{ provider: 'openrouter', model: 'google/veo-3.1', prompt: 'A cat chasing a laser dot across a wooden floor', duration: 4 }, 9, 1],
  [{ provider: 'openrouter', model: 'minimax/hailuo-02', prompt: 'Autumn leaves falling in a quiet park' }, 15, 1],
];

function storageDirOf(userDataDir) {
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
  return path.join(userDataDir, 'User', 'globalStorage', `${manifest.publisher}.${manifest.name}`);
}

/** Creates every planned task, waits until all are final with files downloaded, then rewrites the dates. */
async function seedHistory({ emulator, userDataDir }) {
  const { TaskEngine, DEFAULT_ENGINE_SETTINGS } = require(path.join(OUT, 'core', 'engine', 'engine.js'));
  const { TaskStore } = require(path.join(OUT, 'core', 'store', 'taskStore.js'));
  const { PROVIDERS } = require(path.join(OUT, 'providers', 'index.js'));
  const { planVariants } = require(path.join(OUT, 'core', 'request', 'variants.js'));
  const { MoneyKeeper } = require(path.join(OUT, 'core', 'money', 'moneyKeeper.js'));
  const { SpendLedger } = require(path.join(OUT, 'core', 'money', 'ledger.js'));
  const { emulatorBaseUrl } = require(path.join(OUT, 'emulator', 'server.js'));
  const storageDir = storageDirOf(userDataDir);
  const storeFile = path.join(storageDir, 'tasks.json');
  fs.mkdirSync(storageDir, { recursive: true });
  // Charged now into a scratch ledger, then copied into the extension's with the tasks' dates.
  const scratch = new SpendLedger(path.join(storageDir, 'spending.seed.jsonl'));
  const money = new MoneyKeeper({
    ledger: scratch,
    providerLabel: (id) => id,
    userPrices: () => new Map(Object.entries(USER_PRICES)),
    limits: () => ({}),
  });
  emulator.setOptions({ durationMs: 1500 });
  const quiet = () => undefined;
  const engine = new TaskEngine({
    providers: PROVIDERS,
    store: new TaskStore(storeFile),
    mediaDir: path.join(storageDir, 'videos'),
    settings: () => ({ ...DEFAULT_ENGINE_SETTINGS, pollIntervalMs: 300 }),
    log: { trace: quiet, info: quiet, warn: quiet, error: quiet },
    context: async (id) => ({ baseUrl: emulatorBaseUrl(emulator.baseUrl, id), apiKey: KEY }),
    money,
    watchStore: false,
  });
  await engine.init();
  const ages = new Map();
  try {
    for (const [request, daysAgo, variants] of PLAN) {
      const requests =
        variants > 1
          ? planVariants(request, variants, `seed-group-${ages.size}`, (r) => PROVIDERS[r.provider].validate(r) === undefined)
          : [request];
      for (const r of requests) ages.set((await engine.generate(r, { who: 'ui' })).id, daysAgo);
    }
    const deadline = Date.now() + 60_000;
    const settled = (t) => t.status === 'failed' || (t.status === 'succeeded' && t.videos.every((v) => v.localPath || v.downloadError));
    while (!engine.getTasks().every(settled)) {
      if (Date.now() > deadline) throw new Error('the seeded tasks did not finish within 60 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    await engine.settle();
  } finally {
    engine.dispose();
    await new Promise((r) => setTimeout(r, 100));
  }
  // Dates moved into the past, through the store (a journal, tasks.jsonl, next to the path given).
  const store = new TaskStore(storeFile);
  const { tasks } = await store.load();
  for (const stored of tasks) {
    await store.compareAndSet(stored.id, (current) => {
      if (!current) return undefined;
      const t = JSON.parse(JSON.stringify(current));
      const shift = (ages.get(t.id) ?? 0) * DAY;
      for (const k of ['createdAt', 'updatedAt', 'finishedAt']) if (typeof t[k] === 'number') t[k] -= shift;
      // Generation times as real providers take them (a minute or two), not the emulator's seconds.
      if (typeof t.finishedAt === 'number') t.finishedAt = t.createdAt + 60_000 + (t.prompt.length % 7) * 13_000;
      t.prompt = t.prompt.replace(/\s*\[[a-z]+(=\d+)?\]/g, '');
      if (t.request) t.request.prompt = t.prompt;
      return t;
    });
  }
  await store.flush();
  const ledger = new SpendLedger(path.join(storageDir, 'spending.jsonl'));
  const charges = await scratch.records();
  for (const r of charges) await ledger.append({ ...r, at: r.at - (ages.get(r.taskId) ?? 0) * DAY });
  fs.rmSync(scratch.file, { force: true });
  fs.rmSync(`${scratch.file}.lock`, { force: true });
  return { tasks: tasks.length, charges: charges.length, storeFile: store.file };
}

module.exports = { seedHistory, storageDirOf, USER_PRICES };
