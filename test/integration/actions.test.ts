import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { Task } from '../../src/core/types';
import { setup, waitForFinal } from './helpers';

describe('Task actions', function () {
  this.timeout(90_000);

  it('Save to Workspace copies the video with a sidecar JSON that can reproduce it', async () => {
    const { api } = await setup();
    const t = await vscode.commands.executeCommand<Task>('aiVideo.generate', { provider: 'gateway', model: 'kling-v1', prompt: 'Save me please [duration=1500]', seed: 1234, negativePrompt: 'fog' });
    const done = await waitForFinal(api, t.id);
    assert.strictEqual(done.status, 'succeeded', done.error);
    const saved = await vscode.commands.executeCommand<vscode.Uri>('aiVideo.saveToWorkspace', t.id);
    assert.ok(saved, 'the command resolves to the saved file');
    assert.match(saved.path, /generated-videos\/save-me-please-.*\.mp4$/);
    assert.deepStrictEqual(fs.readFileSync(saved.fsPath), fs.readFileSync(done.videos[0].localPath!));
    const sidecar = JSON.parse(fs.readFileSync(saved.fsPath.replace(/\.mp4$/, '.json'), 'utf8'));
    assert.strictEqual(sidecar.provider, 'gateway');
    assert.strictEqual(sidecar.model, 'kling-v1');
    assert.strictEqual(sidecar.prompt, 'Save me please [duration=1500]');
    assert.strictEqual(sidecar.negativePrompt, 'fog');
    assert.strictEqual(sidecar.seed, 1234);
    assert.strictEqual(sidecar.remoteId, done.remoteId);
    assert.ok(sidecar.createdAt && sidecar.finishedAt);
    // Saving again never overwrites.
    const again = await vscode.commands.executeCommand<vscode.Uri>('aiVideo.saveToWorkspace', t.id);
    assert.notStrictEqual(again.fsPath, saved.fsPath);
  });

  it('Regenerate with the same seed sends the same settings again', async () => {
    const { api, emulator } = await setup();
    const t = await vscode.commands.executeCommand<Task>('aiVideo.generate', { provider: 'pika', prompt: 'again [duration=1500]', aspectRatio: '1:1' });
    const done = await waitForFinal(api, t.id);
    const seed = done.videos[0].seed;
    assert.ok(seed !== undefined);
    const again = await vscode.commands.executeCommand<Task>('aiVideo.regenerate', t.id, { sameSeed: true });
    assert.notStrictEqual(again.id, t.id);
    const body = emulator.requests('pika.generate').at(-1)!.body as { promptText: string; options: { aspectRatio: number; parameters: { seed?: number } } };
    assert.strictEqual(body.promptText, 'again [duration=1500]');
    assert.strictEqual(body.options.aspectRatio, 1);
    assert.strictEqual(body.options.parameters.seed, seed);
    await waitForFinal(api, again.id);
  });

  it('Remove and Clear Finished take tasks out of the history', async () => {
    const { api } = await setup();
    const a = await vscode.commands.executeCommand<Task>('aiVideo.generate', { provider: 'hidream', prompt: 'remove me [duration=1000]' });
    const b = await vscode.commands.executeCommand<Task>('aiVideo.generate', { provider: 'hidream', prompt: 'keep running [never]' });
    await waitForFinal(api, a.id);
    await vscode.commands.executeCommand('aiVideo.removeTask', a.id);
    assert.strictEqual(api.getTask(a.id), undefined);
    assert.ok(!api.treeItems().some((i) => i.id === `task:${a.id}`));
    await vscode.commands.executeCommand('aiVideo.clearFinished');
    assert.ok(api.getTasks().every((t) => t.status === 'queued' || t.status === 'running'), 'only active tasks remain');
    assert.ok(api.getTask(b.id), 'the running task is kept');
    await vscode.commands.executeCommand('aiVideo.removeTask', b.id);
    assert.strictEqual(api.getTask(b.id), undefined);
  });

  it("a provider task action (remix) called with arguments asks nothing and refuses a task whose provider does not offer it", async () => {
    const { api } = await setup();
    const t = await vscode.commands.executeCommand<Task>('aiVideo.generate', { provider: 'pika', prompt: 'no remix here [duration=1000]' });
    await waitForFinal(api, t.id);
    const before = api.getTasks().length;
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('aiVideo.remix', t.id, 'as a watercolor')), /Pika offers no remix for this task/);
    assert.strictEqual(api.getTasks().length, before, 'no task was created');
    assert.ok(!api.treeItems().find((i) => i.id === `task:${t.id}`)?.contextValue?.includes('action-remix'), 'no Remix menu entry on the item');
  });
});
