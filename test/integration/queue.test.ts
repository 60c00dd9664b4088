// The create path in the real host: generate resolves once the provider answered; a create held in
// the local queue shows as waiting in the Tasks view and can be edited or cancelled by command; a
// double click on Regenerate sends one create; an uncertain create offers its ways out.
import * as assert from 'assert';
import * as vscode from 'vscode';

import type { Task } from '../../src/core/model/task';
import { captureMessages, setup, waitFor, waitForFinal } from './helpers';

const treeItem = async (id: string) => (await setup()).api.testing.treeItems().find((i) => i.id === `task:${id}`);

describe('Create queue', function () {
  this.timeout(90_000);

  it('aiVideo.generate(request) resolves after the provider answered, with the task queued or running', async () => {
    const { emulator } = await setup();
    const before = emulator.counts()['gateway.create'] ?? 0;
    const t = await vscode.commands.executeCommand<Task>('aiVideo.generate', {
      provider: 'gateway',
      model: 'kling-v1',
      prompt: 'answered [duration=1500]',
    });
    assert.ok(t.status === 'queued' || t.status === 'running', t.status);
    assert.ok(t.remoteId, 'the provider id is known');
    assert.strictEqual(emulator.counts()['gateway.create'], before + 1);
  });

  it('a create answered 429 resolves waiting, shows "waiting to send · N s" in the Tasks view, and is sent once when allowed', async () => {
    const { api, emulator } = await setup();
    emulator.injectFault({ route: 'gateway.create', kind: 'status', status: 429, retryAfter: '3' });
    const before = emulator.counts()['gateway.create'] ?? 0;
    const t = await vscode.commands.executeCommand<Task>('aiVideo.generate', {
      provider: 'gateway',
      model: 'kling-v1',
      prompt: 'held back [duration=1000]',
    });
    assert.strictEqual(t.status, 'waiting');
    const item = await treeItem(t.id);
    assert.ok(item, 'shown in the Tasks view');
    assert.match(item.description ?? '', /^waiting to send · [1-3] s · Video gateway kling-v1$/);
    assert.match(item.contextValue ?? '', /^task\.waiting/);
    const done = await waitForFinal(api, t.id);
    assert.strictEqual(done.status, 'succeeded', done.error);
    assert.strictEqual(emulator.counts()['gateway.create'], before + 2, 'the 429, then the create once');
  });

  it('a waiting create is edited and cancelled by commands with arguments, asking nothing', async () => {
    const { api, emulator } = await setup();
    emulator.injectFault({ route: 'pika.generate', kind: 'status', status: 429, retryAfter: '3' });
    const keep = await vscode.commands.executeCommand<Task>('aiVideo.generate', { provider: 'pika', prompt: 'first draft [duration=800]' });
    const drop = await vscode.commands.executeCommand<Task>('aiVideo.generate', { provider: 'pika', prompt: 'never sent' });
    assert.deepStrictEqual([keep.status, drop.status], ['waiting', 'waiting']);
    const capture = captureMessages();
    try {
      const edited = await vscode.commands.executeCommand<Task>('aiVideo.editWaiting', keep.id, { prompt: 'final draft [duration=800]' });
      assert.strictEqual(edited.prompt, 'final draft [duration=800]');
      assert.strictEqual(await vscode.commands.executeCommand<boolean>('aiVideo.cancelWaiting', drop.id), true);
      assert.deepStrictEqual(capture.shown, [], 'nothing was shown');
    } finally {
      capture.restore();
    }
    assert.strictEqual(api.getTask(drop.id), undefined);
    assert.strictEqual(await treeItem(drop.id), undefined);
    const done = await waitForFinal(api, keep.id);
    assert.strictEqual(done.status, 'succeeded', done.error);
    const sent = emulator.requests('pika.generate').map((r) => (r.body as { promptText: string }).promptText);
    assert.strictEqual(sent.at(-1), 'final draft [duration=800]', 'the edit is what was sent');
    assert.ok(!sent.includes('never sent'));
  });

  it('aiVideo.hidream.maxConcurrent 1: a second HiDream create waits until the first is done', async () => {
    const { api } = await setup();
    const cfg = vscode.workspace.getConfiguration('aiVideo');
    await cfg.update('hidream.maxConcurrent', 1, vscode.ConfigurationTarget.Global);
    try {
      const first = await vscode.commands.executeCommand<Task>('aiVideo.generate', {
        provider: 'hidream',
        prompt: 'one at a time [duration=1500]',
      });
      const second = await vscode.commands.executeCommand<Task>('aiVideo.generate', {
        provider: 'hidream',
        prompt: 'my turn next [duration=500]',
      });
      assert.strictEqual(second.status, 'waiting');
      assert.match((await treeItem(second.id))?.description ?? '', /^waiting to send · 1 HiDream task under way, at most 1 at once/);
      await waitForFinal(api, first.id);
      assert.strictEqual((await waitForFinal(api, second.id)).status, 'succeeded');
    } finally {
      await cfg.update('hidream.maxConcurrent', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('Regenerate clicked twice (the tree item, then the player) sends one create', async () => {
    const { api, emulator } = await setup();
    const t = await vscode.commands.executeCommand<Task>('aiVideo.generate', {
      provider: 'hidream',
      prompt: 'double click me [duration=600]',
    });
    await waitForFinal(api, t.id);
    const before = emulator.counts()['hidream.txt2video.create'];
    const [a, b] = await Promise.all([
      vscode.commands.executeCommand<Task>('aiVideo.regenerate', { kind: 'task', taskId: t.id }),
      // The player's button: a click, so the id is followed by the interactive marker.
      vscode.commands.executeCommand<Task>('aiVideo.regenerate', t.id, { interactive: true }),
    ]);
    assert.ok(a && b && a.id === b.id && a.id !== t.id, 'both clicks got the one new task');
    assert.strictEqual(emulator.counts()['hidream.txt2video.create'], before + 1);
    // Scripts asking for variants are never merged.
    const [v1, v2] = await Promise.all(
      [1, 2].map(() => vscode.commands.executeCommand<Task>('aiVideo.generate', { provider: 'hidream', prompt: 'variant [duration=600]' })),
    );
    assert.notStrictEqual(v1.id, v2.id);
    // Earlier suites may have used up HiDream's published creates for this minute: a variant held
    // in the local queue is not merged either, it is sent when allowed.
    const sent = emulator.counts()['hidream.txt2video.create'] - (before + 1);
    const held = [v1, v2].filter((v) => v.status === 'waiting').length;
    assert.strictEqual(sent + held, 2, 'each variant was sent once or waits to be sent');
  });

  it('an uncertain create says so and offers its ways out; Mark as Failed clears it', async () => {
    const { api, emulator } = await setup();
    emulator.injectFault({ route: 'gateway.create', kind: 'status', status: 502 });
    await assert.rejects(
      Promise.resolve(
        vscode.commands.executeCommand('aiVideo.generate', { provider: 'gateway', model: 'kling-v1', prompt: 'lost answer' }),
      ),
      /HTTP 502/,
    );
    const t = await waitFor('the uncertain task', () => api.getTasks().find((x) => x.prompt === 'lost answer' && x.uncertain));
    const item = await treeItem(t.id);
    assert.match(item?.contextValue ?? '', /^task\.failed.* uncertain/);
    assert.match(item?.description ?? '', /^Unknown outcome · /);
    const capture = captureMessages();
    try {
      await vscode.commands.executeCommand('aiVideo.showTaskError', t.id);
      const shown = capture.shown.find((m) => m.message === t.error);
      assert.ok(shown, 'the error is shown');
      assert.match(shown.message, /may or may not have started at Video gateway; check your account there/);
    } finally {
      capture.restore();
    }
    assert.strictEqual(
      await vscode.commands.executeCommand<string>('aiVideo.checkAccount', t.id),
      new URL(emulator.baseUrl).origin,
      'with an id: the address, nothing opened',
    );
    const marked = await vscode.commands.executeCommand<Task>('aiVideo.markFailed', t.id);
    assert.strictEqual(marked.uncertain, undefined);
    assert.doesNotMatch((await treeItem(t.id))?.contextValue ?? '', /uncertain/);
  });
});
