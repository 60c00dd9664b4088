import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import { TaskStore } from '../../../../src/core/store/taskStore';
import { sleep, tempDir } from '../../../support/engineHarness';

/** A kill inside the lock leaves it behind; the next writer breaks it after this long. */
const STALE_LOCK_MS = 250;

interface Run {
  acks: string[][];
  /** The write in flight when the child died (printed as pending, never acknowledged). */
  inFlight: string[] | undefined;
  stderr: string;
}

/** Starts the writer, lets it run until a random moment, kills it with SIGKILL. */
async function writeAndKill(file: string, run: number, compactAbove: number): Promise<Run> {
  const child = spawn(
    process.execPath,
    [path.join(__dirname, '../../../support/storeCrashChild.js'), file, String(run), String(compactAbove), String(STALE_LOCK_MS)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let stderr = '';
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  if (run % 5 === 4) {
    // Sometimes while it starts, loads, or takes the lock for its first write.
    await sleep(20 + Math.random() * 80);
  } else {
    // After a random number of acknowledged writes (so the total does not depend on the machine's speed), within the next ones.
    const acks = 1 + Math.floor(Math.random() * 12);
    const deadline = Date.now() + 10_000;
    while (out.split('\nack ').length - 1 < acks && Date.now() < deadline && child.exitCode === null) await sleep(1);
    await sleep(Math.random() * 8);
  }
  child.kill('SIGKILL');
  await exited;
  const lines = out
    .split('\n')
    .slice(0, -1)
    .map((l) => l.split(' '));
  const acks = lines.filter((l) => l[0] === 'ack').map((l) => l.slice(1));
  const last = lines.at(-1);
  return { acks, inFlight: last?.[0] === 'pending' ? last.slice(1) : undefined, stderr };
}

describe('task store crash safety', () => {
  let dir: string;
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a writer killed with SIGKILL 50 times at random moments loses no acknowledged write', async function () {
    this.timeout(60_000);
    dir = tempDir('aivideo-crash-');
    const legacy = path.join(dir, 'tasks.json');
    const journal = new TaskStore(legacy).file;
    // Small, so that compactions happen (and get killed) too.
    const compactAbove = 32 * 1024;
    const written = new Map<string, number>();
    const removed = new Set<string>();
    const headers = new Set<string>();
    let acked = 0;
    for (let run = 0; run < 50; run++) {
      const r = await writeAndKill(legacy, run, compactAbove);
      assert.strictEqual(r.stderr, '', `run ${run}: the writer failed on its own`);
      for (const [op, id, at] of r.acks) {
        if (op === 'removed') {
          written.delete(id);
          removed.add(id);
        } else {
          written.set(id, Number(at));
        }
      }
      acked += r.acks.length;
      if (fs.existsSync(journal)) {
        const text = fs.readFileSync(journal, 'utf8');
        headers.add(text.slice(0, text.indexOf('\n')));
      }

      const snap = await new TaskStore(legacy).load();
      assert.strictEqual(snap.warning, undefined, `run ${run}: ${snap.warning}`);
      const onDisk = new Map(snap.tasks.map((t) => [t.id, t]));
      const maybe = r.inFlight?.[1];
      const maybeRemoved = r.inFlight?.[0] === 'removed' ? maybe : undefined;
      for (const [id, at] of written) {
        if (id === maybeRemoved) continue;
        assert.ok(onDisk.has(id), `run ${run}: acknowledged task ${id} is missing`);
        assert.ok(onDisk.get(id)!.updatedAt >= at, `run ${run}: acknowledged update of ${id} (updatedAt ${at}) is lost`);
      }
      for (const id of removed) assert.ok(!onDisk.has(id), `run ${run}: removed task ${id} came back`);
      for (const id of onDisk.keys()) assert.ok(written.has(id) || id === maybe, `run ${run}: task ${id} appeared from nowhere`);
      // The write in flight either happened or did not; from here on, the disk says which.
      if (maybe !== undefined) {
        const t = onDisk.get(maybe);
        if (t) written.set(maybe, t.updatedAt);
        else if (written.has(maybe) || r.inFlight![0] === 'removed') {
          written.delete(maybe);
          removed.add(maybe);
        }
      }
    }
    assert.ok(acked > 100, `enough writes were acknowledged (${acked})`);
    assert.ok(headers.size > 1, 'compactions happened between the kills');
    assert.ok(written.size > 20);
  });
});
