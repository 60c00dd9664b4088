// The invocation rule (src/vscode/commands/invocation.ts) in the real host: a script's call (an id,
// ids, a request or options object, `{}` included) never asks, whatever the command; the same call
// ending with the interactive marker, as the extension's lenses and buttons send it, may.
import * as assert from 'assert';
import * as vscode from 'vscode';

import type { Task } from '../../src/core/model/task';
import { captureQuestions, fixture, setup, waitForFinal } from './helpers';

const run = <T = unknown>(id: string, ...args: unknown[]) => Promise.resolve(vscode.commands.executeCommand<T>(id, ...args));

describe('Invocation: script calls never ask', function () {
  this.timeout(90_000);

  it('every command that can ask, called as a script, asks nothing: it acts or rejects', async () => {
    const { api } = await setup();
    const done = await run<Task>('aiVideo.generate', { provider: 'pika', prompt: 'ask me nothing [duration=800]' });
    const finished = await waitForFinal(api, done.id);
    assert.strictEqual(finished.status, 'succeeded', finished.error);
    assert.ok(finished.videos[0].seed !== undefined, 'a seed, so an interactive Regenerate would ask about it');
    const cat = vscode.Uri.file(fixture('cat.png'));
    const dog = vscode.Uri.file(fixture('dog.jpg'));
    const video = vscode.Uri.file(fixture('sample.mp4'));
    const q = captureQuestions();
    const made: Task[] = [];
    try {
      made.push(await run<Task>('aiVideo.regenerate', done.id));
      const together = await run<Task[]>('aiVideo.animateImage', cat, [cat, dog], { prompt: 'two friends [duration=800]' });
      // Several images and no perImage: one video from all of them, not a question.
      assert.deepStrictEqual(
        together.map((t) => t.mode),
        ['ingredients'],
      );
      made.push(...together);
      assert.strictEqual(typeof (await run<string>('aiVideo.testConnection', 'pika')), 'string');
      await assert.rejects(run('aiVideo.restyleVideo', video, [video], {}), /needs a style or a prompt/);
      await assert.rejects(run('aiVideo.generate', {}), /provider/i);
      await assert.rejects(run('aiVideo.setApiKey', 'pika'), /Pass the key/);
      await assert.rejects(run('aiVideo.setApiKey', {}), /Unknown provider/);
      await assert.rejects(run('aiVideo.testConnection', {}), /Unknown provider/);
      await assert.rejects(run('aiVideo.editWaiting', done.id), /The edit must be an object/);
      await assert.rejects(run('aiVideo.filterTasks', {}), /Pass the words/);
      await assert.rejects(run('aiVideo.compare', {}), /2 to 4 task ids \(got 0\)/);
      await assert.rejects(run('aiVideo.remix', done.id), /Pika offers no remix/);
      await assert.rejects(run('aiVideo.regenerate', 'no-such-task', {}), /No task no-such-task/);
      await run('aiVideo.removeTask', [made[0].id]);
      assert.strictEqual(api.getTask(made[0].id), undefined, 'removed, without a confirmation');
      assert.deepStrictEqual(q.asked, [], 'no quick pick or input box');
      assert.deepStrictEqual(
        q.messages.filter((m) => m.modal),
        [],
        'no modal dialog',
      );
    } finally {
      q.restore();
    }
    for (const t of made.slice(1)) await waitForFinal(api, t.id);
  });

  it('the same call ending with { interactive: true } (a lens, a button) may ask', async () => {
    const { api } = await setup();
    const t = await run<Task>('aiVideo.generate', { provider: 'pika', prompt: 'ask me this once [duration=800]' });
    await waitForFinal(api, t.id);
    const q = captureQuestions();
    try {
      // The seed question is cancelled: nothing is sent.
      const before = api.getTasks().length;
      assert.strictEqual(await run('aiVideo.regenerate', t.id, { interactive: true }), undefined);
      assert.deepStrictEqual(q.asked, ['quick pick Regenerate']);
      assert.strictEqual(api.getTasks().length, before);
    } finally {
      q.restore();
    }
  });

  it('Show Error called by a script shows the notification and resolves without waiting for it', async () => {
    const { api } = await setup();
    const t = await run<Task>('aiVideo.generate', { provider: 'pika', prompt: 'fail for the record [fail] [duration=800]' });
    const failed = await waitForFinal(api, t.id);
    assert.strictEqual(failed.status, 'failed');
    const win = vscode.window as unknown as { showErrorMessage: unknown };
    const original = win.showErrorMessage;
    const shown: string[] = [];
    // A notification nobody answers.
    win.showErrorMessage = (message: string) => (shown.push(message), new Promise(() => undefined));
    try {
      await run('aiVideo.showTaskError', t.id);
      assert.deepStrictEqual(shown, [failed.error]);
    } finally {
      win.showErrorMessage = original;
    }
  });
});
