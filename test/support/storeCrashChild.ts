// Child process of the store's crash test: saves one change at a time, the way the engine does
// (the whole list each time), and prints what it is about to write before each save and an ack
// after the save resolved. The parent kills it with SIGKILL at random moments.
import { Task } from '../../src/core/model/task';
import { TaskStore } from '../../src/core/store/taskStore';

const [file, run, compactAbove, staleLockMs] = process.argv.slice(2);

const BIG = 64 * 1024;

function newTask(id: string, now: number, big: boolean): Task {
  // A big record spans many pages: a kill can cut its write short and leave a torn line.
  const prompt = `crash test ${id} `.padEnd(big ? BIG + 1 : 200, 'x');
  return {
    id,
    provider: 'pika',
    remoteId: `r-${id}`,
    mode: 'text-to-video',
    status: 'running',
    progress: 0,
    prompt,
    model: '1.5',
    createdAt: now,
    updatedAt: now,
    videos: [],
    request: { provider: 'pika', prompt },
  };
}

async function main(): Promise<void> {
  const store = new TaskStore(file, Date.now, { compactAboveBytes: Number(compactAbove), staleLockMs: Number(staleLockMs) });
  const tasks = new Map((await store.load()).tasks.map((t) => [t.id, t]));
  for (let i = 0; ; i++) {
    let removed: string[] = [];
    let op: string;
    let id: string;
    let updatedAt = 0;
    const big = [...tasks.values()].filter((t) => t.prompt.length > BIG).map((t) => t.id);
    if (i % 7 === 6 && tasks.size > 20) {
      id = tasks.keys().next().value!;
      tasks.delete(id);
      removed = [id];
      op = 'removed';
    } else if (i % 3 === 0 || tasks.size === 0 || big.length < 4) {
      id = `run${run}-${i}`;
      const t = newTask(id, Date.now(), big.length < 4);
      tasks.set(id, t);
      updatedAt = t.updatedAt;
      op = 'wrote';
    } else {
      // Every other update rewrites a big record: compactions come often and take a while, so kills land in them too.
      const keys = i % 2 ? big : [...tasks.keys()];
      id = keys[Math.floor(Math.random() * keys.length)];
      const old = tasks.get(id)!;
      const t = { ...old, progress: (old.progress + 1) % 100, updatedAt: Math.max(Date.now(), old.updatedAt + 1) };
      tasks.set(id, t);
      updatedAt = t.updatedAt;
      op = 'wrote';
    }
    process.stdout.write(`pending ${op} ${id} ${updatedAt}\n`);
    await store.save([...tasks.values()], { removed });
    process.stdout.write(`ack ${op} ${id} ${updatedAt}\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${String(e)}\n`);
  process.exit(1);
});
