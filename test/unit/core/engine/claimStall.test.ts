// Two windows (two processes) on one task store, one queued create, and the window that claims it
// freezes for 6 s inside the store's critical section: longer than the 5 s after which a lock is
// judged abandoned. The other window takes the lock over and sends the create; the frozen one,
// when it wakes, must not send it too (a second create would be billed twice).
import * as assert from 'assert';
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import { Task } from '../../../../src/core/model/task';
import { TaskStore } from '../../../../src/core/store/taskStore';
import { tempDir, waitFor } from '../../../support/engineHarness';

const STALL_MS = 6000;

interface Window {
  child: ChildProcess;
  lines: string[];
  stderr: () => string;
}

function openWindow(dir: string, name: string, stall: 'none' | 'decide' | 'write'): Window {
  const script = path.join(__dirname, '../../../support/claimStallChild.js');
  const child = spawn(process.execPath, [script, path.join(dir, 'tasks.json'), path.join(dir, 'videos'), name, stall, String(STALL_MS)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const w: Window = { child, lines: [], stderr: () => err };
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => {
    out += String(d);
    const parts = out.split('\n');
    out = parts.pop()!;
    w.lines.push(...parts);
  });
  child.stderr!.on('data', (d) => (err += String(d)));
  return w;
}

function queued(): Task {
  const now = Date.now();
  return {
    id: 'queued-create',
    provider: 'pika',
    remoteId: '',
    mode: 'text-to-video',
    status: 'waiting',
    progress: 0,
    prompt: 'billed once',
    model: '',
    createdAt: now,
    updatedAt: now,
    videos: [],
    request: { provider: 'pika', prompt: 'billed once' },
  };
}

describe('two windows, one queued create, a 6 s stall inside the critical section', function () {
  this.timeout(60_000);
  let dir: string;
  let windows: Window[] = [];

  beforeEach(() => {
    dir = tempDir('aivideo-stall-');
    windows = [];
  });
  afterEach(async () => {
    for (const w of windows) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await Promise.all(windows.map((w) => (w.child.exitCode === null ? new Promise((r) => w.child.once('exit', r)) : undefined)));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const stall of ['decide', 'write'] as const) {
    const where =
      stall === 'decide'
        ? 'after reading the task, before writing its claim'
        : 'after the last lock check, just before the claim is written';
    it(`frozen ${where}: exactly one window sends`, async () => {
      await new TaskStore(path.join(dir, 'tasks.json')).save([queued()]);
      const frozen = openWindow(dir, 'frozen', stall);
      windows.push(frozen);
      const diag = () => windows.map((w) => `${w.lines.join(' | ')}\n${w.stderr()}`).join('\n---\n');
      await waitFor(
        () => `the first window to freeze while claiming: ${diag()}`,
        () => frozen.lines.includes('stalling'),
      );
      const other = openWindow(dir, 'other', 'none');
      windows.push(other);
      // The other window takes the polling lease and then the lock, claims the create and sends it.
      await waitFor(
        () => `the other window to send: ${diag()}`,
        () => other.lines.includes('sent other'),
        30_000,
      );
      // The frozen window wakes and finishes its claim.
      await waitFor(
        () => `the frozen window's claim to end: ${diag()}`,
        () => frozen.lines.find((l) => l.startsWith('claim ')),
        30_000,
      );
      const won = windows.flatMap((w) => w.lines.filter((l) => l === 'claim won'));
      // A claim that won is followed by its send: wait for it, so that a double send shows.
      if (frozen.lines.includes('claim won')) {
        await waitFor(
          () => `the frozen window's send: ${diag()}`,
          () => frozen.lines.includes('sent frozen'),
        );
      }
      const sent = windows.flatMap((w) => w.lines.filter((l) => l.startsWith('sent ')));
      assert.deepStrictEqual(sent, ['sent other'], diag());
      assert.strictEqual(won.length, 1, diag());
      const journal = new TaskStore(path.join(dir, 'tasks.json')).file;
      await waitFor(
        () => `the sent create on disk: ${diag()}`,
        () => fs.readFileSync(journal, 'utf8').includes('"remoteId":"remote-other"'),
      );
      const onDisk = (await new TaskStore(path.join(dir, 'tasks.json')).load()).tasks[0];
      assert.strictEqual(onDisk.remoteId, 'remote-other', diag());
      const claims = fs
        .readFileSync(journal, 'utf8')
        .split('\n')
        .filter((l) => l.includes('"status":"submitting"'));
      const by = (owner: string) => claims.findIndex((l) => l.includes(`"owner":"${owner}"`));
      if (stall === 'decide') {
        assert.strictEqual(by('frozen'), -1, 'the frozen window saw the task change before writing, and wrote no claim');
      } else {
        // Its claim did reach the file, after the other one: journal order decided it.
        assert.ok(by('frozen') > by('other') && by('other') >= 0, claims.join('\n'));
      }
    });
  }
});
