import * as assert from 'assert';
import * as vscode from 'vscode';

import type { Task } from '../../src/core/model/task';
import { setup, TEST_KEY, waitFor } from './helpers';

describe('Keys from the environment', function () {
  this.timeout(60_000);

  it('with no stored key the environment key is used, a stored key wins, and neither ends up in settings or tasks', async () => {
    const envKey = process.env.AIVIDEO_GATEWAY_API_KEY;
    assert.ok(envKey, 'the runner hands AIVIDEO_GATEWAY_API_KEY to the extension host');
    const { api, emulator } = await setup();
    const creates = () => emulator.requests('gateway.create');
    await vscode.commands.executeCommand('aiVideo.setApiKey', 'gateway', null);
    try {
      const before = creates().length;
      const t = await vscode.commands.executeCommand<Task>('aiVideo.generate', {
        provider: 'gateway',
        model: 'veo3',
        prompt: 'environment key [duration=1000]',
      });
      const sent = creates().slice(before);
      assert.deepStrictEqual(
        sent.map((r) => r.authorized),
        [true],
        'one create, sent with the environment key',
      );
      await waitFor('the task to succeed with the environment key', () => api.getTask(t.id)?.status === 'succeeded', 30_000);

      await vscode.commands.executeCommand('aiVideo.setApiKey', 'gateway', `bad-${TEST_KEY}`);
      await assert.rejects(
        Promise.resolve(
          vscode.commands.executeCommand('aiVideo.generate', { provider: 'gateway', model: 'veo3', prompt: 'stored key wins' }),
        ),
        /rejected the API key/,
        'the stored (rejected) key is used, not the environment one',
      );
      assert.ok(!JSON.stringify(vscode.workspace.getConfiguration('aiVideo')).includes(envKey), 'the environment key is not in settings');
      assert.ok(
        api.getTasks().every((task) => !JSON.stringify(task).includes(envKey)),
        'no task holds the environment key',
      );
    } finally {
      await vscode.commands.executeCommand('aiVideo.setApiKey', 'gateway', TEST_KEY);
    }
  });
});
