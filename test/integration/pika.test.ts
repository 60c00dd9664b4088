import * as assert from 'assert';
import * as vscode from 'vscode';

import type { Task } from '../../src/core/model/task';
import { assertPlayableFile, assertPlays, setup, waitFor, waitForFinal } from './helpers';

describe('Pika text-to-video, end to end', () => {
  it('generate by arguments -> task in the tree -> succeeded -> downloaded -> plays in the player panel', async () => {
    const { api, emulator } = await setup();
    const seen: Task[][] = [];
    const sub = api.onDidChangeTasks((e) => seen.push(e));
    const task = await vscode.commands.executeCommand<Task>('aiVideo.generate', {
      provider: 'pika',
      prompt: 'A paper boat on a rainy street [duration=2500]',
      model: '2.0',
      negativePrompt: 'blur',
      aspectRatio: '9:16',
    });
    assert.ok(task && task.id, 'generate resolves to the new task');
    assert.strictEqual(task.provider, 'pika');
    assert.ok(task.remoteId, 'the task has the provider id');
    assert.ok(['queued', 'running'].includes(task.status));
    const body = emulator.requests('pika.generate').at(-1)?.body as Record<string, unknown>;
    assert.strictEqual(body.model, '2.0');
    assert.strictEqual((body.options as Record<string, unknown>).aspectRatio, 9 / 16);

    // In the tree at once.
    const item = api.testing.treeItems().find((i) => i.id === `task:${task.id}`);
    assert.ok(item, 'the task is in the Tasks view');
    assert.match(item.label, /paper boat/);

    const done = await waitForFinal(api, task.id);
    sub.dispose();
    assert.strictEqual(done.status, 'succeeded', done.error);
    assert.strictEqual(done.progress, 100);
    assert.ok(done.videos[0].seed !== undefined && done.videos[0].duration !== undefined);
    assertPlayableFile(done);
    assert.ok(
      seen.some((batch) => batch.some((t) => t.id === task.id && t.status === 'running')),
      'progress was reported while running',
    );
    const finishedItem = api.testing.treeItems().find((i) => i.id === `task:${task.id}`);
    assert.match(finishedItem?.contextValue ?? '', /^task\.succeeded.*playable/);

    await assertPlays(api, task.id);
  });

  it('an error task shows its message in the tree', async () => {
    const { api } = await setup();
    const task = await vscode.commands.executeCommand<Task>('aiVideo.generate', {
      provider: 'pika',
      prompt: 'Melting clock [fail] [duration=1500]',
    });
    const done = await waitForFinal(api, task.id);
    assert.strictEqual(done.status, 'failed');
    assert.match(done.error ?? '', /Emulated generation failure/);
    const item = await waitFor('the failed tree item', () => api.testing.treeItems().find((i) => i.id === `task:${task.id}`));
    assert.match(item.description ?? '', /Failed.*Emulated generation failure/);
    assert.match(item.contextValue ?? '', /^task\.failed/);
  });

  it('rejects unsupported combinations with a clear message', async () => {
    await setup();
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('aiVideo.generate', { provider: 'pika', prompt: 'x', video: '/tmp/a.mp4' })),
      /Pika does not restyle videos/,
    );
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('aiVideo.generate', { provider: 'nope', prompt: 'x' })),
      /"provider" must be one of/,
    );
  });
});
