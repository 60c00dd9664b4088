import * as assert from 'assert';
import * as vscode from 'vscode';

import type { Task } from '../../src/core/model/task';
import { setup, TEST_KEY, waitFor } from './helpers';

describe('Keys stay secret', function () {
  this.timeout(60_000);

  it('a rejected key gives a clear "set a key" error that does not contain the key', async () => {
    const { api } = await setup();
    const badKey = `bad-${TEST_KEY}`;
    await vscode.commands.executeCommand('aiVideo.setApiKey', 'pika', badKey);
    try {
      await assert.rejects(
        Promise.resolve(vscode.commands.executeCommand<Task>('aiVideo.generate', { provider: 'pika', prompt: 'secret test' })),
        (e: Error) => {
          assert.match(e.message, /rejected the API key/);
          assert.ok(!e.message.includes(badKey), 'the key is not in the message');
          return true;
        },
      );
      assert.ok(
        api.getTasks().every((t) => !JSON.stringify(t).includes(TEST_KEY)),
        'no task holds the key',
      );
    } finally {
      await vscode.commands.executeCommand('aiVideo.setApiKey', 'pika', TEST_KEY);
    }
  });

  it('keys are never in settings, and result files are fetched without the key', async () => {
    const { api, emulator } = await setup();
    const settings = JSON.stringify(vscode.workspace.getConfiguration('aiVideo'));
    assert.ok(!settings.includes(TEST_KEY));
    const t = await vscode.commands.executeCommand<Task>('aiVideo.generate', {
      provider: 'gateway',
      model: 'veo3',
      prompt: 'cdn check [duration=1500]',
    });
    await waitFor('the download', () => api.getTask(t.id)?.videos[0]?.localPath, 30_000);
    const files = emulator.requests('files');
    assert.ok(files.length > 0);
    assert.ok(
      files.every((r) => !r.hadAuthorizationHeader),
      'no Authorization header was sent to a result URL',
    );
  });

  it('refuses to send a key over plain http to a non-loopback host', async () => {
    const { emulator } = await setup();
    const cfg = vscode.workspace.getConfiguration('aiVideo');
    const before = emulator.counts()['pika.generate'] ?? 0;
    await cfg.update('pika.baseUrl', 'http://video.example.invalid', vscode.ConfigurationTarget.Global);
    try {
      await assert.rejects(
        Promise.resolve(vscode.commands.executeCommand('aiVideo.generate', { provider: 'pika', prompt: 'x' })),
        /Refusing to send your key over http/,
      );
    } finally {
      await cfg.update('pika.baseUrl', emulator.baseUrl, vscode.ConfigurationTarget.Global);
    }
    assert.strictEqual(emulator.counts()['pika.generate'] ?? 0, before);
  });

  it('a workspace value of a base URL setting is ignored (application scope)', async () => {
    const { emulator } = await setup();
    const cfg = vscode.workspace.getConfiguration('aiVideo');
    // VS Code itself refuses to write an application-scoped setting to the workspace.
    await assert.rejects(Promise.resolve(cfg.update('gateway.baseUrl', 'https://attacker.example', vscode.ConfigurationTarget.Workspace)));
    assert.strictEqual(vscode.workspace.getConfiguration('aiVideo').get('gateway.baseUrl'), emulator.baseUrl);
  });
});
