// Child process of the two-window stall test (test/unit/core/engine/claimStall.test.ts): one
// window's engine on a shared task store, with a provider that only reports the creates it is asked
// to send. With a stall mode, the window freezes its event loop for a while in the middle of
// claiming a queued create, under the store's lock, the way a window can hang (a long GC pause, a
// suspended machine), so that another window judges the lock abandoned and takes it over:
//   decide  frozen after reading the stored task, before writing the claim;
//   write   frozen after the lock was last checked, just before the claim's bytes are written.
// It prints, synchronously (a frozen loop flushes nothing): `stalling`, `claim <won|lost|failed>`
// for every claim it tries, and `sent <name>` for every create it sends.
import * as fs from 'fs';

import { DEFAULT_ENGINE_SETTINGS, TaskEngine } from '../../src/core/engine/engine';
import { Logger } from '../../src/core/model/events';
import { Task } from '../../src/core/model/task';
import { ProviderClient } from '../../src/core/provider/descriptor';
import { TaskStore } from '../../src/core/store/taskStore';

const [file, mediaDir, name, stall, stallMs] = process.argv.slice(2);

function say(line: string): void {
  fs.writeSync(1, `${line}\n`);
}

function freeze(): void {
  say('stalling');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(stallMs));
}

const isClaim = (t: unknown): boolean => typeof t === 'object' && t !== null && (t as Task).status === 'submitting';
let stalled = stall === 'none';

const store = new TaskStore(file);
const compareAndSet = store.compareAndSet.bind(store);
store.compareAndSet = (id, change) => {
  let claiming = false;
  const run = compareAndSet(id, (stored) => {
    const next = change(stored);
    claiming = isClaim(next);
    if (claiming && !stalled && stall === 'decide') {
      stalled = true;
      freeze();
    }
    return next;
  });
  run.then(
    (r) => claiming && say(`claim ${r && r !== 'removed' ? 'won' : 'lost'}`),
    (e: unknown) => claiming && say(`claim failed ${String(e)}`),
  );
  return run;
};

if (stall === 'write') {
  // Every append of the store goes through FileHandle.write.
  void fs.promises.open(__filename, 'r').then(async (probe) => {
    const proto = Object.getPrototypeOf(probe) as { write: (...args: unknown[]) => Promise<unknown> };
    await probe.close();
    const write = proto.write;
    proto.write = function (this: unknown, ...args: unknown[]) {
      const data = args[0];
      if (!stalled && Buffer.isBuffer(data) && data.includes('"status":"submitting"') && data.includes(`"owner":"${name}"`)) {
        stalled = true;
        freeze();
      }
      return write.apply(this, args);
    };
    start();
  });
}

const provider: ProviderClient = {
  id: 'pika',
  label: 'Child',
  limits: { concurrentPolls: 1 },
  validate: () => undefined,
  buildCreate: () => ({ path: '/create', body: {}, mode: 'text-to-video', model: 'child' }),
  async create() {
    say(`sent ${name}`);
    return { remoteId: `remote-${name}`, mode: 'text-to-video', model: 'child' };
  },
  async poll(_ctx, tasks) {
    return new Map(tasks.map((t) => [t.id, { status: 'running', rawStatus: 'running', progress: 1, videos: [] }]));
  },
  async testConnection() {
    return 'ok';
  },
};

const log: Logger = {
  trace: () => undefined,
  info: (m) => process.stderr.write(`${name} info: ${m}\n`),
  warn: (m) => process.stderr.write(`${name} warn: ${m}\n`),
  error: (m) => process.stderr.write(`${name} error: ${m}\n`),
};

function start(): void {
  const engine = new TaskEngine({
    providers: { pika: provider },
    context: async () => ({ baseUrl: 'http://127.0.0.1:9', apiKey: 'child-key' }),
    store,
    mediaDir,
    settings: () => ({ ...DEFAULT_ENGINE_SETTINGS, pollIntervalMs: 60_000 }),
    log,
    ownerId: name,
    leaseRenewMs: 300,
    watchStore: false,
  });
  engine.init().catch((e: unknown) => {
    process.stderr.write(`${name}: ${String(e)}\n`);
    process.exit(1);
  });
}

if (stall !== 'write') start();
