// Tasks survive a VS Code restart: the first session creates tasks and leaves them mid-poll; the
// runner stops code-server and starts it again on the same user data; the @resume test checks that
// the tasks are all there once, resume polling by themselves and finish.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

import type { Task } from '../../src/core/model/task';
import {
  assertPlayableFile,
  EXTENSION_ID,
  EXTERNAL_EMULATOR_URL,
  getApi,
  pointProvidersAt,
  setAllKeys,
  setup,
  STATE_DIR,
  waitFor,
  waitForFinal,
} from './helpers';

interface Pending {
  tasks: { id: string; remoteId: string; provider: string }[];
}

const pendingFile = () => path.join(STATE_DIR!, 'resume-pending');

// Only scripts/run-host-tests.js restarts VS Code between sessions (and runs the emulator that
// outlives the extension host), so these tests exist only under it.
const underRestartingRunner = Boolean(EXTERNAL_EMULATOR_URL && STATE_DIR);

if (underRestartingRunner) {
  describe('Restart mid-poll', function () {
    this.timeout(120_000);

    it('creates tasks on every provider and leaves them running (first session)', async () => {
      const { emulator } = await setup();
      const api = await getApi();
      await pointProvidersAt(EXTERNAL_EMULATOR_URL!);
      try {
        // HiDream first: earlier suites may have used up its published creates for this minute, and a
        // create held in the local queue goes out within a minute; the others are sent once it is.
        const reqs = [
          { provider: 'hidream', prompt: 'restart hidream [duration=12000]' },
          { provider: 'pika', prompt: 'restart pika [duration=12000]' },
          { provider: 'gateway', model: 'kling-v1', prompt: 'restart gateway [duration=12000]' },
        ];
        const tasks: Task[] = [];
        for (const r of reqs) {
          const t = await vscode.commands.executeCommand<Task>('aiVideo.generate', r);
          await waitFor(`the ${r.provider} create to be sent`, () => !!api.getTask(t.id)?.remoteId, 80_000);
          tasks.push(t);
        }
        await waitFor('every task to be running', () => tasks.every((t) => api.getTask(t.id)?.status === 'running'), 20_000);
        await api.flush();
        const pending: Pending = { tasks: tasks.map((t) => ({ id: t.id, remoteId: api.getTask(t.id)!.remoteId, provider: t.provider })) };
        fs.writeFileSync(pendingFile(), JSON.stringify(pending));
      } finally {
        await pointProvidersAt(emulator.baseUrl);
      }
    });

    it('@resume: after the restart every task is there once, resumes by itself and finishes', async () => {
      const pending = JSON.parse(fs.readFileSync(pendingFile(), 'utf8')) as Pending;
      // Activated at startup because tasks are active, without anyone opening the view.
      await waitFor('the extension to activate on its own', () => vscode.extensions.getExtension(EXTENSION_ID)?.isActive, 30_000);
      const api = await getApi();
      await pointProvidersAt(EXTERNAL_EMULATOR_URL!);
      // The runner opens a fresh browser profile, and code-server keeps secrets in the browser: the
      // keys are entered again, as a user on a new browser would.
      await setAllKeys();
      await vscode.commands.executeCommand('aiVideo.refresh');
      for (const p of pending.tasks) {
        const same = api.getTasks().filter((t) => t.remoteId === p.remoteId);
        assert.strictEqual(same.length, 1, `task ${p.remoteId} (${p.provider}) is in the history exactly once`);
        const done = await waitForFinal(api, p.id, 60_000);
        assert.strictEqual(done.status, 'succeeded', `${p.provider}: ${done.error}`);
        assertPlayableFile(done);
      }
    });
  });
}
