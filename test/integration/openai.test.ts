// The OpenAI-compatible `/v1/videos` protocol in the real extension host, against the emulator: multipart
// creates, results fetched with the key on the first request only, Remix, Find This Job, no default base URL
// (OpenAI's own API is gone), and the quick fixes for a retired model on a server that publishes no catalogue.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';

import type { Task } from '../../src/core/model/task';
import { isFilePart } from '../../src/emulator/openai';
import { assertPlayableFile, assertPlays, fixture, gen, setup, waitFor, waitForFinal } from './helpers';

describe('OpenAI-compatible video server (/v1/videos), end to end', function () {
  this.timeout(90_000);

  it('text-to-video: a multipart create with seconds and size, the result fetched from the API with the key, playable', async () => {
    const { api, emulator } = await setup();
    const t = await gen({
      provider: 'openai',
      model: 'seedance-1-pro',
      prompt: 'a lighthouse at dusk [duration=2000]',
      options: { seconds: 8, size: '1280x720' },
    });
    assert.strictEqual(t.model, 'seedance-1-pro');
    const sent = emulator.requests('openai.create').at(-1)!;
    assert.match(sent.contentType ?? '', /^multipart\/form-data; boundary=/);
    assert.deepStrictEqual(sent.body, {
      prompt: 'a lighthouse at dusk [duration=2000]',
      model: 'seedance-1-pro',
      seconds: '8',
      size: '1280x720',
    });
    const done = await waitForFinal(api, t.id);
    assert.strictEqual(done.status, 'succeeded', done.error);
    assertPlayableFile(done);
    assert.deepStrictEqual([done.videos[0].authenticated, done.videos[0].duration, done.videos[0].width], [true, 8, 1280]);
    assert.ok(done.videos[0].expiresAt! > Date.now());
    const content = emulator.requests('openai.content').filter((r) => r.path.includes(t.remoteId));
    assert.deepStrictEqual(
      content.map((r) => [r.path.split('/').pop(), r.hadAuthorizationHeader, r.authorized]),
      [
        ['content', true, true],
        ['content?variant=thumbnail', true, true],
      ],
    );
    assert.ok(done.videos[0].posterPath, 'the thumbnail is kept as the poster');
    await assertPlays(api, t.id);
  });

  it('Explorer "Animate Image…" with OpenAI: the image as a file part, the size taken from the image', async () => {
    const { api, emulator } = await setup();
    const image = vscode.Uri.file(fixture('wide.png'));
    const [t] = await vscode.commands.executeCommand<Task[]>('aiVideo.animateImage', image, [image], {
      provider: 'openai',
      prompt: 'the clouds drift [duration=2000]',
    });
    assert.strictEqual(t.mode, 'image-to-video');
    const body = emulator.requests('openai.create').at(-1)!.body as Record<string, unknown>;
    assert.strictEqual(body.size, '1280x720');
    assert.ok(isFilePart(body.input_reference), 'input_reference is a file part');
    assert.strictEqual(Buffer.compare(body.input_reference.data, fs.readFileSync(fixture('wide.png'))), 0);
    assert.strictEqual(body.input_reference.contentType, 'image/png');
    const done = await waitForFinal(api, t.id);
    assert.strictEqual(done.status, 'succeeded', done.error);
    assertPlayableFile(done);
  });

  it('image-to-video by request, and a job blocked by moderation fails with its reason', async () => {
    const { api } = await setup();
    const i2v = await gen({
      provider: 'openai',
      prompt: 'zoom out [duration=2000]',
      image: vscode.Uri.file(fixture('wide.png')).toString(),
      aspectRatio: '16:9',
    });
    const blocked = await gen({ provider: 'openai', prompt: 'something [moderation_blocked] [duration=1500]' });
    const ok = await waitForFinal(api, i2v.id);
    assert.strictEqual(ok.status, 'succeeded', ok.error);
    const failed = await waitForFinal(api, blocked.id);
    assert.strictEqual(failed.status, 'failed');
    assert.match(failed.error ?? '', /blocked by our moderation system.*\(moderation_blocked\)/);
    assert.deepStrictEqual(failed.videos, []);
  });

  it('a base URL with a path prefix, and a content URL that redirects: the key goes on the first request only', async () => {
    const { api, emulator } = await setup();
    const cfg = vscode.workspace.getConfiguration('aiVideo');
    await cfg.update('openai.baseUrl', `${emulator.baseUrl}/gw/v1`, vscode.ConfigurationTarget.Global);
    try {
      const t = await gen({ provider: 'openai', prompt: 'through a CDN [redirect-content] [duration=2000]' });
      assert.strictEqual(emulator.requests('openai.create').at(-1)!.path, '/gw/v1/videos');
      const done = await waitForFinal(api, t.id);
      assert.strictEqual(done.status, 'succeeded', done.error);
      assert.strictEqual(Buffer.compare(fs.readFileSync(assertPlayableFile(done)), fs.readFileSync(fixture('sample.mp4'))), 0);
      assert.ok(emulator.requests('openai.retrieve').some((r) => r.path === `/gw/v1/videos/${t.remoteId}`));
      const content = emulator.requests('openai.content').filter((r) => r.path.includes(t.remoteId));
      const base = `/gw/v1/videos/${t.remoteId}/content`;
      assert.deepStrictEqual(
        content.map((r) => [r.path, r.hadAuthorizationHeader]),
        [
          [base, true],
          [`${base}?variant=thumbnail`, true],
        ],
      );
      const hops = emulator.requests('files').filter((r) => r.path.includes(t.remoteId));
      assert.deepStrictEqual(
        hops.map((r) => [r.path, r.hadAuthorizationHeader]),
        [
          [`/files/openai/${t.remoteId}/video.mp4`, false],
          [`/files/openai/${t.remoteId}/thumbnail.jpg`, false],
        ],
      );
    } finally {
      await cfg.update('openai.baseUrl', emulator.baseUrl, vscode.ConfigurationTarget.Global);
    }
  });

  it('Remix: offered on a finished OpenAI task; aiVideo.remix(taskId, prompt) asks nothing and returns the new task', async () => {
    const { api, emulator } = await setup();
    const source = await gen({ provider: 'openai', prompt: 'a red fox [duration=1500]', options: { seconds: '4' } });
    const finished = await waitForFinal(api, source.id);
    assert.strictEqual(finished.status, 'succeeded', finished.error);
    await waitFor('the Remix menu entry on the finished task', () =>
      api.testing
        .treeItems()
        .find((i) => i.id === `task:${source.id}`)
        ?.contextValue?.includes('action-remix'),
    );
    const remix = await vscode.commands.executeCommand<Task>('aiVideo.remix', source.id, 'the same fox at night [duration=1500]');
    assert.ok(remix && remix.id !== source.id, 'a new task');
    assert.deepStrictEqual(
      [remix.provider, remix.mode, remix.model, remix.request.options],
      ['openai', 'video-edit', 'wan-2.2', { remixOf: source.remoteId }],
    );
    const sent = emulator.requests('openai.remix').at(-1)!;
    assert.deepStrictEqual(
      [sent.path, sent.body],
      [`/videos/${source.remoteId}/remix`, { prompt: 'the same fox at night [duration=1500]' }],
    );
    const done = await waitForFinal(api, remix.id);
    assert.strictEqual(done.status, 'succeeded', done.error);
    assertPlayableFile(done);
  });

  it('a create whose answer was lost: the Tasks view offers Find This Job; aiVideo.findLostJob(taskId) adopts the job OpenAI lists and follows it', async () => {
    const { api, emulator } = await setup();
    await assert.rejects(gen({ provider: 'openai', prompt: 'answer lost on the way [lost-answer] [duration=1500]' }), /HTTP 502/);
    const t = await waitFor('the uncertain task', () =>
      api.getTasks().find((x) => x.prompt.startsWith('answer lost on the way') && x.uncertain),
    );
    await waitFor('Find This Job on the task', () =>
      api.testing
        .treeItems()
        .find((i) => i.id === `task:${t.id}`)
        ?.contextValue?.includes('findable'),
    );
    const found = await vscode.commands.executeCommand<Task>('aiVideo.findLostJob', t.id);
    assert.ok(found?.remoteId.startsWith('video_') && found.uncertain === undefined, JSON.stringify(found));
    assert.match(emulator.requests('openai.list').at(-1)?.path ?? '', /\/videos\?limit=50&order=desc$/);
    const done = await waitForFinal(api, t.id);
    assert.strictEqual(done.status, 'succeeded', done.error);
    assertPlayableFile(done);
  });

  it('two identical creates lost together: findLostJob(taskId) returns both jobs; named, one is adopted; the other task gets the other', async () => {
    const { api } = await setup();
    const prompt = 'lost twice at once [lost-answer] [duration=1500]';
    await Promise.all([1, 2].map(() => assert.rejects(gen({ provider: 'openai', prompt }), /HTTP 502/)));
    const lost = () => api.getTasks().filter((x) => x.prompt === prompt && x.uncertain);
    const [a, b] = await waitFor('both uncertain tasks', () => lost().length === 2 && lost());
    type Choice = { task: Task; candidates: { remoteId: string; createdAt: number }[] };
    const choice = await vscode.commands.executeCommand<Choice>('aiVideo.findLostJob', a.id);
    assert.strictEqual(choice?.candidates?.length, 2, JSON.stringify(choice));
    assert.deepStrictEqual([choice.task.id, choice.task.uncertain, lost().length], [a.id, true, 2], 'nothing adopted');
    const named = choice.candidates[1].remoteId;
    const adopted = await vscode.commands.executeCommand<Task>('aiVideo.findLostJob', a.id, named);
    assert.deepStrictEqual([adopted?.remoteId, adopted?.uncertain], [named, undefined]);
    const other = await vscode.commands.executeCommand<Task>('aiVideo.findLostJob', b.id);
    assert.deepStrictEqual([other?.remoteId, other?.uncertain], [choice.candidates[0].remoteId, undefined], 'the job no task follows');
  });

  it('the OpenAI-compatible provider with no base URL set says to set aiVideo.openai.baseUrl and sends nothing', async () => {
    const { api, emulator } = await setup();
    const cfg = vscode.workspace.getConfiguration('aiVideo');
    // The setting has no default: cleared, it is unset, as on a fresh install.
    await cfg.update('openai.baseUrl', undefined, vscode.ConfigurationTarget.Global);
    try {
      assert.strictEqual(cfg.inspect<string>('openai.baseUrl')?.defaultValue ?? '', '', 'the manifest gives no default');
      const before = emulator.requests().length;
      const tasks = api.getTasks().length;
      await assert.rejects(gen({ provider: 'openai', prompt: 'nowhere to go' }), (e: Error) => {
        assert.strictEqual(e.message, 'No server is set: set aiVideo.openai.baseUrl to your server. Nothing was sent.');
        return true;
      });
      await assert.rejects(
        gen({ provider: 'openai', model: 'wan-2.2', prompt: 'still nowhere', options: { seconds: 5 } }),
        /set aiVideo\.openai\.baseUrl to your server/,
      );
      assert.strictEqual(emulator.requests().length, before, 'no request was made');
      assert.strictEqual(api.getTasks().length, tasks, 'no task was kept');
      // Another provider is not affected.
      const other = await gen({ provider: 'gateway', model: 'kling-v1', prompt: 'elsewhere [duration=1000]' });
      assert.strictEqual(other.provider, 'gateway');
    } finally {
      await cfg.update('openai.baseUrl', emulator.baseUrl, vscode.ConfigurationTarget.Global);
    }
  });
});

describe('A retired model in a prompt block on an OpenAI-compatible server (no catalogue)', function () {
  this.timeout(90_000);
  const OURS = /^(Switch to |Remove the model line|Choose a model from the server)/;

  it('quick fixes without waiting on the network: remove the model line, choose from the server, then switch to what it listed', async () => {
    const { emulator } = await setup();
    const cfg = vscode.workspace.getConfiguration('aiVideo');
    const before = cfg.inspect<string>('openai.baseUrl')?.globalValue;
    // A base URL of its own: nothing this session has listed there yet.
    await cfg.update('openai.baseUrl', `${emulator.baseUrl}/fix/v1`, vscode.ConfigurationTarget.Global);
    const win = vscode.window as unknown as { showQuickPick: unknown };
    const showQuickPick = win.showQuickPick;
    try {
      const uri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'retired-openai.md');
      await vscode.workspace.fs.writeFile(
        uri,
        Buffer.from(['```video', 'provider: openai', 'model: sora-2', 'a fox in the snow', '```'].join('\n')),
      );
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc);
      const setLine2 = async (text: string) => {
        const edit = new vscode.WorkspaceEdit();
        edit.replace(doc.uri, doc.lineAt(2).range, text);
        assert.ok(await vscode.workspace.applyEdit(edit));
      };
      const fixes = async () => {
        const warning = await waitFor('the retired-model warning', () =>
          vscode.languages.getDiagnostics(doc.uri).find((d) => d.range.start.line === 2 && /retired/.test(d.message)),
        );
        const all = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, warning.range);
        return all.filter((a) => OURS.test(a.title));
      };
      const listed = () => emulator.requests('openai.models').filter((r) => r.path === '/fix/v1/models');

      // Nothing listed yet: no model to switch to, and the code action asked the server nothing.
      let actions = await fixes();
      assert.deepStrictEqual(
        actions.map((a) => a.title),
        ["Remove the model line (use the server's default)", 'Choose a model from the server…'],
      );
      assert.strictEqual(listed().length, 0);

      // Remove: the block names no model, so the server's default applies.
      assert.ok(await vscode.workspace.applyEdit(actions[0].edit!));
      assert.deepStrictEqual(doc.getText().split('\n'), ['```video', 'provider: openai', 'a fox in the snow', '```']);
      const insert = new vscode.WorkspaceEdit();
      insert.insert(doc.uri, new vscode.Position(2, 0), 'model: sora-2\n');
      assert.ok(await vscode.workspace.applyEdit(insert));

      // Choose: the command asks the server (with the key), offers its video models, and rewrites the line.
      actions = await fixes();
      const choose = actions.find((a) => a.title === 'Choose a model from the server…')!;
      let offered: string[] = [];
      win.showQuickPick = async (items: readonly vscode.QuickPickItem[] | Thenable<readonly vscode.QuickPickItem[]>) => {
        const list = await items;
        offered = list.map((i) => i.label);
        return list.find((i) => i.label === 'seedance-1-pro');
      };
      const chosen = await vscode.commands.executeCommand(choose.command!.command, ...choose.command!.arguments!);
      win.showQuickPick = showQuickPick;
      assert.strictEqual(chosen, 'seedance-1-pro');
      assert.deepStrictEqual(offered, ['wan-2.2', 'seedance-1-pro', "No model line (the server's default)"]);
      assert.strictEqual(doc.lineAt(2).text, 'model: seedance-1-pro');
      assert.deepStrictEqual(
        listed().map((r) => r.hadAuthorizationHeader),
        [true],
      );

      // Back to the retired name: now the models the server listed are offered, from memory.
      await setLine2('model: sora-2');
      actions = await fixes();
      assert.deepStrictEqual(
        actions.map((a) => a.title),
        [
          'Switch to wan-2.2',
          'Switch to seedance-1-pro',
          "Remove the model line (use the server's default)",
          'Choose a model from the server…',
        ],
      );
      assert.strictEqual(listed().length, 1, 'a quick fix never asks the server');
      assert.ok(await vscode.workspace.applyEdit(actions[0].edit!));
      assert.strictEqual(doc.lineAt(2).text, 'model: wan-2.2');
      await waitFor('the warning to go', () => !vscode.languages.getDiagnostics(doc.uri).some((d) => d.range.start.line === 2));

      // A script names the model (null: no model line) and is asked nothing.
      win.showQuickPick = () => assert.fail('a script call asked');
      assert.strictEqual(
        await vscode.commands.executeCommand('aiVideo.chooseBlockModel', doc.uri, 0, { model: 'seedance-1-pro' }),
        'seedance-1-pro',
      );
      assert.strictEqual(doc.lineAt(2).text, 'model: seedance-1-pro');
      assert.strictEqual(await vscode.commands.executeCommand('aiVideo.chooseBlockModel', doc.uri, 0, { model: null }), null);
      assert.deepStrictEqual(doc.getText().split('\n'), ['```video', 'provider: openai', 'a fox in the snow', '```']);
      await assert.rejects(
        Promise.resolve(vscode.commands.executeCommand('aiVideo.chooseBlockModel', doc.uri, 0, {})),
        /Pass the model id as "model"/,
      );
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    } finally {
      win.showQuickPick = showQuickPick;
      await cfg.update('openai.baseUrl', before, vscode.ConfigurationTarget.Global);
    }
  });
});
