import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';

import type { Task } from '../../src/core/model/task';
import { assertPlayableFile, captureMessages, EXTENSION_ID, setup, waitFor, waitForFinal } from './helpers';

describe('Task actions', function () {
  this.timeout(90_000);

  it('Save to Workspace copies the video with a sidecar JSON that can reproduce it', async () => {
    const { api } = await setup();
    const t = await vscode.commands.executeCommand<Task>('aiVideo.generate', {
      provider: 'gateway',
      model: 'kling-v1',
      prompt: 'Save me please [duration=1500]',
      seed: 1234,
      negativePrompt: 'fog',
    });
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
    const t = await vscode.commands.executeCommand<Task>('aiVideo.generate', {
      provider: 'pika',
      prompt: 'again [duration=1500]',
      aspectRatio: '1:1',
    });
    const done = await waitForFinal(api, t.id);
    const seed = done.videos[0].seed;
    assert.ok(seed !== undefined);
    const again = await vscode.commands.executeCommand<Task>('aiVideo.regenerate', t.id, { sameSeed: true });
    assert.notStrictEqual(again.id, t.id);
    const body = emulator.requests('pika.generate').at(-1)!.body as {
      promptText: string;
      options: { aspectRatio: number; parameters: { seed?: number } };
    };
    assert.strictEqual(body.promptText, 'again [duration=1500]');
    assert.strictEqual(body.options.aspectRatio, 1);
    assert.strictEqual(body.options.parameters.seed, seed);
    await waitForFinal(api, again.id);
  });

  it('Remove and Clear Finished take tasks out of the history and delete their files, asking nothing when called with arguments', async () => {
    const { api } = await setup();
    const capture = captureMessages();
    try {
      const a = await vscode.commands.executeCommand<Task>('aiVideo.generate', {
        provider: 'hidream',
        prompt: 'remove me [duration=1000]',
      });
      const b = await vscode.commands.executeCommand<Task>('aiVideo.generate', { provider: 'hidream', prompt: 'keep running [never]' });
      const c = await vscode.commands.executeCommand<Task>('aiVideo.generate', { provider: 'pika', prompt: 'clear me [duration=1000]' });
      const fileA = assertPlayableFile(await waitForFinal(api, a.id));
      const fileC = assertPlayableFile(await waitForFinal(api, c.id));
      await vscode.commands.executeCommand('aiVideo.removeTask', a.id);
      assert.strictEqual(api.getTask(a.id), undefined);
      assert.ok(!api.testing.treeItems().some((i) => i.id === `task:${a.id}`));
      assert.strictEqual(fs.existsSync(path.dirname(fileA)), false, "the removed task's folder is deleted");
      // Any argument but a tree item: a script, so no confirmation.
      const cleared = await vscode.commands.executeCommand<number>('aiVideo.clearFinished', {});
      assert.ok(cleared >= 1);
      assert.ok(
        api.getTasks().every((t) => t.status === 'queued' || t.status === 'running'),
        'only active tasks remain',
      );
      assert.strictEqual(fs.existsSync(fileC), false, 'cleared tasks lose their files');
      assert.ok(api.getTask(b.id), 'the running task is kept');
      await vscode.commands.executeCommand('aiVideo.removeTask', b.id);
      assert.strictEqual(api.getTask(b.id), undefined);
      assert.deepStrictEqual(
        capture.shown.filter((m) => m.modal),
        [],
        'no dialog',
      );
    } finally {
      capture.restore();
    }
  });

  it('Remove keeps a create while it is being sent, and says so without asking', async () => {
    const { api, emulator } = await setup();
    emulator.injectFault({ route: 'pika.generate', kind: 'slow', delayMs: 1500 });
    const capture = captureMessages('Remove');
    try {
      const pending = vscode.commands.executeCommand<Task>('aiVideo.generate', {
        provider: 'pika',
        prompt: 'removed while sending [duration=500]',
      });
      const sending = await waitFor('the create being sent', () =>
        api.getTasks().find((t) => t.status === 'submitting' && t.prompt.startsWith('removed while sending')),
      );
      await vscode.commands.executeCommand('aiVideo.removeTask', { kind: 'task', taskId: sending.id });
      assert.ok(api.getTask(sending.id), 'the create being sent is kept');
      assert.deepStrictEqual(
        capture.shown.filter((m) => m.modal),
        [],
        'nothing to ask about it',
      );
      assert.ok(
        capture.shown.some((m) => m.level === 'warning' && /still being sent, so it was not removed/.test(m.message)),
        JSON.stringify(capture.shown),
      );
      const t = await pending;
      assert.strictEqual(api.getTask(t.id)?.remoteId, t.remoteId, 'the job the provider accepted is followed');
      await waitForFinal(api, t.id);
    } finally {
      capture.restore();
      emulator.clearFaults();
    }
  });

  it('Remove with several tasks selected in the tree asks once, and deletes nothing when cancelled', async () => {
    const { api } = await setup();
    const tasks = await Promise.all(
      ['first', 'second'].map((p) =>
        vscode.commands.executeCommand<Task>('aiVideo.generate', {
          provider: 'gateway',
          model: 'veo3',
          prompt: `select ${p} [duration=800]`,
        }),
      ),
    );
    const files = await Promise.all(tasks.map(async (t) => assertPlayableFile(await waitForFinal(api, t.id))));
    const nodes = tasks.map((t) => ({ kind: 'task', taskId: t.id }));
    let capture = captureMessages(undefined);
    try {
      await vscode.commands.executeCommand('aiVideo.removeTask', nodes[0], nodes);
      assert.strictEqual(capture.shown.filter((m) => m.modal).length, 1);
      assert.ok(tasks.every((t) => api.getTask(t.id)) && files.every((f) => fs.existsSync(f)), 'cancelled: everything stays');
    } finally {
      capture.restore();
    }
    capture = captureMessages('Remove');
    try {
      await vscode.commands.executeCommand('aiVideo.removeTask', nodes[0], nodes);
      const asked = capture.shown.filter((m) => m.modal);
      assert.strictEqual(asked.length, 1, 'one confirmation for the whole selection');
      assert.match(asked[0].message, /^Remove 2 tasks and delete their downloaded videos \(\d+(\.\d)? (KB|MB) of videos\)\?$/);
      assert.ok(tasks.every((t) => !api.getTask(t.id)) && files.every((f) => !fs.existsSync(f)), 'both removed with their files');
    } finally {
      capture.restore();
    }
  });

  it('the Tasks view shows the disk the videos use, and its title menu opens their folder', async () => {
    const { api } = await setup();
    const t = await vscode.commands.executeCommand<Task>('aiVideo.generate', { provider: 'pika', prompt: 'measure me [duration=800]' });
    assertPlayableFile(await waitForFinal(api, t.id));
    await waitFor('the view description', () => /^\d+(\.\d)? (KB|MB|GB)$/.test(api.testing.viewDescription() ?? ''), 10_000);
    assert.ok((await vscode.commands.getCommands(true)).includes('aiVideo.openVideosFolder'));
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
      contributes: { menus: Record<string, { command: string; when?: string }[]> };
    };
    assert.ok(
      pkg.contributes.menus['view/title'].some((m) => m.command === 'aiVideo.openVideosFolder' && m.when === 'view == aiVideo.tasks'),
    );
  });

  it('Save to Workspace refuses a save folder that is a link out of the workspace', async () => {
    const { api } = await setup();
    const ws = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'aivideo-outside-'));
    const link = path.join(ws, 'linked-videos');
    fs.symlinkSync(outside, link);
    const cfg = vscode.workspace.getConfiguration('aiVideo');
    await cfg.update('saveFolder', 'linked-videos', vscode.ConfigurationTarget.Workspace);
    const capture = captureMessages();
    try {
      const t = await vscode.commands.executeCommand<Task>('aiVideo.generate', {
        provider: 'pika',
        prompt: 'save through a link [duration=800]',
      });
      assertPlayableFile(await waitForFinal(api, t.id));
      const saved = await vscode.commands.executeCommand<vscode.Uri | undefined>('aiVideo.saveToWorkspace', t.id);
      assert.strictEqual(saved, undefined);
      assert.deepStrictEqual(fs.readdirSync(outside), [], 'nothing was written outside the workspace');
      const error = await waitFor('the error notification', () => capture.shown.find((m) => m.level === 'error'));
      assert.match(error.message, /"linked-videos" in the workspace is a link to a folder outside the workspace/);
    } finally {
      capture.restore();
      await cfg.update('saveFolder', undefined, vscode.ConfigurationTarget.Workspace);
      fs.rmSync(link);
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it('a provider task action (remix) called with arguments asks nothing and refuses a task whose provider does not offer it', async () => {
    const { api } = await setup();
    const t = await vscode.commands.executeCommand<Task>('aiVideo.generate', { provider: 'pika', prompt: 'no remix here [duration=1000]' });
    await waitForFinal(api, t.id);
    const before = api.getTasks().length;
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('aiVideo.remix', t.id, 'as a watercolor')),
      /Pika offers no remix for this task/,
    );
    assert.strictEqual(api.getTasks().length, before, 'no task was created');
    assert.ok(
      !api.testing
        .treeItems()
        .find((i) => i.id === `task:${t.id}`)
        ?.contextValue?.includes('action-remix'),
      'no Remix menu entry on the item',
    );
  });
});
