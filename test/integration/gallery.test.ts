import * as assert from 'assert';
import * as path from 'path';
import * as vscode from 'vscode';

import type { Task } from '../../src/core/model/task';
import { TaskStore } from '../../src/core/store/taskStore';
import { setup, waitFor, waitForFinal } from './helpers';

/** The open webview tabs of a view type (the tab's input names it). */
function webviewTabs(viewType: string): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(viewType));
}

async function closeWebviews(viewType: string): Promise<void> {
  const tabs = webviewTabs(viewType);
  if (tabs.length) await vscode.window.tabGroups.close(tabs);
}

describe('Gallery, compare and variants', function () {
  this.timeout(120_000);

  after(async () => {
    await closeWebviews('aiVideo.gallery');
    await closeWebviews('aiVideo.compare');
  });

  it('aiVideo.openGallery opens an aiVideo.gallery webview whose cards show the tasks', async () => {
    const { api } = await setup();
    const t = await vscode.commands.executeCommand<Task>('aiVideo.generate', {
      provider: 'pika',
      prompt: 'gallery opens on a lighthouse [duration=1000]',
    });
    await vscode.commands.executeCommand('aiVideo.openGallery');
    await waitFor('the gallery tab', () => webviewTabs('aiVideo.gallery').length === 1);
    await waitFor('the gallery webview to be ready', () => api.testing.gallery()?.ready);
    const seen = await waitFor('the new task among the cards', async () => {
      const view = await api.testing.gallery()!.inspect();
      return view.cards.some((c) => c.id === t.id) && view;
    });
    assert.strictEqual(seen.total, api.getTasks().length, 'the webview knows every task');
    assert.ok(seen.cards.length <= seen.total);
    assert.ok(
      seen.cards.find((c) => c.id === t.id)!.label.startsWith('gallery opens on a lighthouse'),
      'each card has an accessible name starting with its prompt',
    );
    await vscode.commands.executeCommand('aiVideo.openGallery');
    assert.strictEqual(webviewTabs('aiVideo.gallery').length, 1, 'a second call reveals the same panel');
  });

  it('a task with a 12,000-character prompt shows as a card, and every other card still shows', async () => {
    const { api } = await setup();
    // The task is written by "another window" (a second store on the same journal): no request path takes such a prompt.
    const t = await vscode.commands.executeCommand<Task>('aiVideo.generate', {
      provider: 'gateway',
      model: 'kling-v1',
      prompt: 'a card beside a long one [duration=800]',
    });
    const file = (await waitForFinal(api, t.id)).videos.find((v) => v.localPath)?.localPath;
    assert.ok(file, 'a downloaded video shows where the history lives');
    const storageDir = path.dirname(path.dirname(path.dirname(file)));
    const prompt = 'a lighthouse keeper writes a very long letter '.repeat(300).slice(0, 12_000);
    const now = Date.now();
    const long: Task = {
      id: `long-prompt-${now}`,
      provider: 'gateway',
      remoteId: '',
      mode: 'text-to-video',
      status: 'failed',
      progress: 0,
      prompt,
      model: 'kling-v1',
      error: 'made up by the test',
      createdAt: now,
      updatedAt: now,
      finishedAt: now,
      videos: [],
      request: { provider: 'gateway', model: 'kling-v1', prompt },
    };
    await new TaskStore(path.join(storageDir, 'tasks.json')).save([long]);
    await waitFor('this window to adopt the task', () => api.getTask(long.id));
    try {
      await vscode.commands.executeCommand('aiVideo.openGallery');
      await waitFor('the gallery webview to be ready', () => api.testing.gallery()?.ready);
      const view = await waitFor('the long card among the others', async () => {
        const v = await api.testing.gallery()!.inspect();
        return v.cards.some((c) => c.id === long.id) && v;
      });
      assert.strictEqual(view.total, api.getTasks().length, 'the webview knows every task');
      assert.ok(
        view.cards.some((c) => c.id === t.id),
        'the card beside it shows too',
      );
      const label = view.cards.find((c) => c.id === long.id)!.label;
      assert.ok(label.startsWith(prompt.slice(0, 200)), 'its accessible name starts with its prompt');
    } finally {
      await vscode.commands.executeCommand('aiVideo.removeTask', long.id);
    }
  });

  it('the gallery reflects a task change without reloading', async () => {
    const { api } = await setup();
    await vscode.commands.executeCommand('aiVideo.openGallery');
    await waitFor('the gallery webview to be ready', () => api.testing.gallery()?.ready);
    const before = await api.testing.gallery()!.inspect();
    const t = await vscode.commands.executeCommand<Task>('aiVideo.generate', {
      provider: 'gateway',
      model: 'kling-v1',
      prompt: 'a live update of a windmill [duration=1500]',
    });
    const running = await waitFor('the new task as a card', async () => {
      const v = await api.testing.gallery()!.inspect();
      const card = v.cards.find((c) => c.id === t.id);
      return card && v;
    });
    assert.strictEqual(running.bootId, before.bootId, 'same page: no reload');
    await waitForFinal(api, t.id);
    const done = await waitFor('the card to turn finished', async () => {
      const v = await api.testing.gallery()!.inspect();
      return v.cards.find((c) => c.id === t.id && c.status === 'succeeded') && v;
    });
    assert.strictEqual(done.bootId, before.bootId, 'still the same page');
    await vscode.commands.executeCommand('aiVideo.removeTask', t.id);
    const removed = await waitFor('the card to go', async () => {
      const v = await api.testing.gallery()!.inspect();
      return !v.cards.some((c) => c.id === t.id) && v;
    });
    assert.strictEqual(removed.bootId, before.bootId);
    assert.strictEqual(removed.total, api.getTasks().length);
  });

  it('aiVideo.generateVariants makes 3 distinct tasks in one group with exactly 3 creates', async () => {
    const { api, emulator } = await setup();
    const creates = emulator.requests('pika.generate').length;
    const tasks = await vscode.commands.executeCommand<Task[]>(
      'aiVideo.generateVariants',
      { provider: 'pika', model: '2.0', prompt: 'three takes of a paper boat [duration=1200]' },
      3,
    );
    assert.strictEqual(tasks.length, 3);
    assert.strictEqual(new Set(tasks.map((t) => t.id)).size, 3, 'distinct tasks');
    assert.strictEqual(new Set(tasks.map((t) => t.remoteId)).size, 3, 'distinct provider tasks');
    const groups = new Set(tasks.map((t) => t.groupId));
    assert.strictEqual(groups.size, 1);
    assert.ok([...groups][0], 'a group id');
    assert.strictEqual(emulator.requests('pika.generate').length - creates, 3, 'exactly three creates');
    const seeds = emulator
      .requests('pika.generate')
      .slice(-3)
      .map((r) => (r.body as { options: { parameters: { seed?: number } } }).options.parameters.seed);
    assert.strictEqual(new Set(seeds).size, 3, `each variant its own seed: ${seeds.join(', ')}`);
    const finals = await Promise.all(tasks.map((t) => waitForFinal(api, t.id)));
    assert.ok(finals.every((t) => t.status === 'succeeded'));
    assert.strictEqual(emulator.requests('pika.generate').length - creates, 3, 'no create was sent again while polling');
    const items = api.testing.treeItems();
    const groupId = tasks[0].groupId!;
    const group = items.find((i) => i.id === `group:${groupId}`);
    assert.ok(group, 'the group is one parent node in the tree');
    assert.match(group.description ?? '', /^3 takes · 3 done/);
    assert.deepStrictEqual(
      items
        .filter((i) => i.parentId === group.id)
        .map((i) => i.id)
        .sort(),
      tasks.map((t) => `task:${t.id}`).sort(),
      'its children are the three tasks',
    );
    assert.match(group.contextValue ?? '', /^group comparable/);
  });

  it('aiVideo.generateVariants refuses a bad count without sending anything', async () => {
    const { emulator } = await setup();
    const creates = emulator.requests('pika.generate').length;
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('aiVideo.generateVariants', { provider: 'pika', prompt: 'x' }, 5)),
      /2 to 4/,
    );
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('aiVideo.generateVariants', { provider: 'nope', prompt: 'x' }, 2)),
      /provider/,
    );
    assert.strictEqual(emulator.requests('pika.generate').length, creates);
  });

  it('aiVideo.compare opens an aiVideo.compare webview for 2 finished tasks; bad arguments throw without asking', async () => {
    const { api } = await setup();
    const [a, b] = await vscode.commands.executeCommand<Task[]>(
      'aiVideo.generateVariants',
      { provider: 'gateway', model: 'kling-v1', prompt: 'compare two dunes [duration=1000]' },
      2,
    );
    await Promise.all([waitForFinal(api, a.id), waitForFinal(api, b.id)]);
    await vscode.commands.executeCommand('aiVideo.compare', [a.id, b.id]);
    await waitFor('the compare tab', () => webviewTabs('aiVideo.compare').length === 1);
    assert.deepStrictEqual(api.testing.compare()?.taskIds, [a.id, b.id]);
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('aiVideo.compare', [a.id])), /2 to 4/);
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('aiVideo.compare', [a.id, 'no-such-task'])), /finished/);
    assert.deepStrictEqual(api.testing.compare()?.taskIds, [a.id, b.id], 'a refused call leaves the panel as it was');
  });
});

// These use the gateway: HiDream's 10 creates a minute are left to the provider suites.
describe('Tasks view: grouping, times, filter, status bar', function () {
  this.timeout(120_000);

  afterEach(async () => {
    await vscode.commands.executeCommand('aiVideo.clearTaskFilter');
    await vscode.workspace.getConfiguration('aiVideo').update('tasks.groupBy', undefined, vscode.ConfigurationTarget.Global);
  });

  it('groups tasks under Today, or lists them flat with groupBy "none"', async () => {
    const { api } = await setup();
    const t = await vscode.commands.executeCommand<Task>('aiVideo.generate', {
      provider: 'gateway',
      model: 'kling-v1',
      prompt: 'grouped by day: a quiet harbour [duration=1000]',
    });
    const today = api.testing.treeItems().find((i) => i.id === 'day:today');
    assert.ok(today && today.label === 'Today' && today.parentId === undefined);
    assert.strictEqual(api.testing.treeItems().find((i) => i.id === `task:${t.id}`)?.parentId, 'day:today');
    await vscode.workspace.getConfiguration('aiVideo').update('tasks.groupBy', 'none', vscode.ConfigurationTarget.Global);
    await waitFor('the flat list', () => !api.testing.treeItems().some((i) => i.id?.startsWith('day:')));
    assert.strictEqual(api.testing.treeItems().find((i) => i.id === `task:${t.id}`)?.parentId, undefined);
    await waitForFinal(api, t.id);
  });

  it('shows the elapsed time while running, "took" once done, and "N generating" in the status bar', async () => {
    const { api } = await setup();
    const t = await vscode.commands.executeCommand<Task>('aiVideo.generate', {
      provider: 'gateway',
      model: 'kling-v1',
      prompt: 'a clock tower at noon [duration=2500]',
    });
    // Today's spend follows the count once anything cost money today (money.test.ts checks it).
    assert.match(api.testing.statusBarText() ?? '', /^\$\(device-camera-video\) \d+ generating( · \$[\d.]+ today)?$/);
    const running = await waitFor('a running description with a clock', () => {
      const d = api.testing.treeItems().find((i) => i.id === `task:${t.id}`)?.description;
      return d && /\b0:0[1-9]\b/.test(d) && d;
    });
    assert.match(running, /^(\d+%|Queued) · 0:0\d · Video gateway kling-v1/);
    await waitForFinal(api, t.id);
    const done = await waitFor('the "took" description', () => api.testing.treeItems().find((i) => i.id === `task:${t.id}`)?.description);
    assert.match(done, /took \d+:\d\d$/);
    await waitFor(
      'the status bar item to hide, or to show only what was spent today',
      () =>
        api.getTasks().some((x) => x.status === 'queued' || x.status === 'running') ||
        api.testing.statusBarText() === undefined ||
        /^\$\(device-camera-video\) \$[\d.]+ today$/.test(api.testing.statusBarText() ?? ''),
    );
  });

  it('filters the tree by prompt words and says so in the view message', async () => {
    const { api } = await setup();
    const a = await vscode.commands.executeCommand<Task>('aiVideo.generate', {
      provider: 'gateway',
      model: 'kling-v1',
      prompt: 'A zeppelin over the harbour [duration=800]',
    });
    const b = await vscode.commands.executeCommand<Task>('aiVideo.generate', {
      provider: 'gateway',
      model: 'kling-v1',
      prompt: 'A submarine under ice [duration=800]',
    });
    await vscode.commands.executeCommand('aiVideo.filterTasks', 'ZEPPELIN');
    const ids = api.testing.treeItems().map((i) => i.id);
    assert.ok(ids.includes(`task:${a.id}`));
    assert.ok(!ids.includes(`task:${b.id}`));
    assert.match(api.testing.treeMessage() ?? '', /Filtered by "ZEPPELIN": 1 of \d+ tasks/);
    await vscode.commands.executeCommand('aiVideo.clearTaskFilter');
    assert.ok(api.testing.treeItems().some((i) => i.id === `task:${b.id}`));
    assert.strictEqual(api.testing.treeMessage(), undefined);
    await Promise.all([waitForFinal(api, a.id), waitForFinal(api, b.id)]);
  });
});
