// What an editor adds: language model tools for agents, prompt blocks in Markdown files (lenses,
// diagnostics), and Generate Video from Selection.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

import type { Task } from '../../src/core/model/task';
import type { Emulator } from '../../src/emulator/server';
import { PROVIDER_IDS } from '../../src/providers';
import { confirmationFor } from '../../src/vscode/generate/agentTools';
import { notificationLinks } from '../support/linkedText';
import { captureMessages, fixture, promptFile, setup, waitFor, waitForFinal } from './helpers';

const TOOLS = ['aiVideo_generateVideo', 'aiVideo_getTask', 'aiVideo_listTasks'];

function toolText(result: vscode.LanguageModelToolResult | null | undefined): string {
  assert.ok(result, 'the tool returned a result');
  return result.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
}

function invoke(name: string, input: object, token?: vscode.CancellationToken): Promise<string> {
  return Promise.resolve(vscode.lm.invokeTool(name, { input, toolInvocationToken: undefined }, token)).then(toolText);
}

function createdId(text: string): string {
  const m = /Created task (\S+) with /.exec(text);
  assert.ok(m, `no "Created task <id>" in: ${text}`);
  return m[1];
}

describe('Editor: agent tools', function () {
  this.timeout(90_000);

  it('vscode.lm.tools lists the three tools with their input schemas', async () => {
    await setup();
    const tools = await waitFor('the tools to be listed', () => {
      const ours = vscode.lm.tools.filter((t) => TOOLS.includes(t.name));
      return ours.length === TOOLS.length ? ours : undefined;
    });
    const generate = tools.find((t) => t.name === 'aiVideo_generateVideo')!;
    assert.match(generate.description, /spends|paid/i);
    const schema = generate.inputSchema as { required: string[]; properties: Record<string, { maximum?: number }> };
    assert.deepStrictEqual(schema.required, ['prompt']);
    for (const k of ['prompt', 'provider', 'model', 'imagePath', 'aspectRatio', 'seconds', 'waitSeconds']) {
      assert.ok(schema.properties[k], `no "${k}" in the schema`);
    }
    assert.strictEqual(schema.properties.waitSeconds.maximum, 600);
    assert.deepStrictEqual((tools.find((t) => t.name === 'aiVideo_getTask')!.inputSchema as { required: string[] }).required, ['id']);
  });

  // Outside a chat VS Code asks for the confirmation in a modal dialog, which the workbench answers
  // "yes" by itself while extension tests run: the confirmation's content is checked on its own.
  it('the confirmation names provider, model and prompt, and says it spends credits', () => {
    const c = confirmationFor({ provider: 'gateway', model: 'kling-v1', prompt: 'A *bold* fox', image: '/tmp/cat.png' });
    assert.strictEqual(c.title, 'Generate a video with Video gateway kling-v1?');
    const md = (c.message as vscode.MarkdownString).value;
    assert.match(md, /^\*\*Video gateway kling-v1\*\* will generate a video from this prompt:/);
    // The prompt is text, not Markdown: its asterisks are escaped.
    assert.ok(!md.includes(' *bold* ') && !md.includes('&nbsp;*bold*'), md);
    const plain = md.replace(/&nbsp;/g, ' ').replace(/\\([*_[\]()#`\\])/g, '$1');
    assert.ok(plain.includes('\n\nA *bold* fox\n\n') && plain.includes('Image: /tmp/cat.png'), plain);
    assert.match(md, /This spends credits on your Video gateway account\.$/);
  });

  it('generateVideo creates the task and names it; getTask reports the finished state and the file; listTasks lists it', async () => {
    const { api, emulator } = await setup();
    const prompt = 'An agent made this [duration=1500]';
    const text = await invoke('aiVideo_generateVideo', { prompt, provider: 'gateway', model: 'kling-v1', seconds: 5 });
    const id = createdId(text);
    assert.match(text, /^Status: (queued|running)$/m);
    assert.ok(text.includes(`call aiVideo_getTask with {"id":"${id}"}`), text);
    const task = api.getTask(id);
    assert.ok(task, 'the task exists');
    assert.strictEqual(task.provider, 'gateway');
    assert.strictEqual(task.prompt, prompt);
    assert.strictEqual((emulator.requests('gateway.create').at(-1)!.body as { duration?: number }).duration, 5);

    const done = await waitForFinal(api, id);
    assert.strictEqual(done.status, 'succeeded', done.error);
    const report = await invoke('aiVideo_getTask', { id });
    assert.match(report, /^Status: succeeded$/m);
    assert.match(report, /^Progress: 100 %$/m);
    const file = done.videos[0].localPath!;
    assert.ok(report.includes(`File 1: ${file}`), report);
    assert.ok(path.isAbsolute(file) && fs.existsSync(file));

    const list = await invoke('aiVideo_listTasks', { status: 'succeeded', limit: 50 });
    assert.ok(list.split('\n').includes(`${id} · succeeded · 100 % · Video gateway kling-v1 · "${prompt}" · ${file}`), list);
    assert.ok(!(await invoke('aiVideo_listTasks', { status: 'failed' })).includes(id));
  });

  it('generateVideo with waitSeconds returns the local file once it is there; an image path is taken from the workspace', async () => {
    const { api } = await setup();
    const text = await invoke('aiVideo_generateVideo', {
      prompt: 'Animate the cat [duration=1000]',
      provider: 'hidream',
      imagePath: 'cat.png',
      waitSeconds: 60,
    });
    const t = api.getTask(createdId(text))!;
    assert.strictEqual(t.mode, 'image-to-video');
    assert.match(text, /^Status: succeeded$/m);
    assert.ok(t.videos[0].localPath && text.includes(`File 1: ${t.videos[0].localPath}`), text);
  });

  it('cancelling ends the wait at once and leaves the task running', async () => {
    const { api } = await setup();
    const cts = new vscode.CancellationTokenSource();
    const pending = invoke('aiVideo_generateVideo', { prompt: 'Never ends [never]', provider: 'pika', waitSeconds: 600 }, cts.token);
    const task = await waitFor('the task to be created', () => api.getTasks().find((t) => t.prompt === 'Never ends [never]'));
    const started = Date.now();
    cts.cancel();
    await assert.rejects(pending, /cancel/i);
    assert.ok(Date.now() - started < 5000, 'returned soon after the cancellation');
    const status = api.getTask(task.id)!.status;
    assert.ok(status === 'queued' || status === 'running', status);
    await vscode.commands.executeCommand('aiVideo.removeTask', task.id);
  });

  it('errors come back as text the model can act on: unknown provider, missing image, bad option, unknown task', async () => {
    const { api } = await setup();
    const before = api.getTasks().length;
    const ids = PROVIDER_IDS.join(', ');
    assert.strictEqual(
      await invoke('aiVideo_generateVideo', { prompt: 'x', provider: 'sora' }),
      `No video was generated. Unknown provider "sora". Use one of: ${ids}. Providers with an API key: ${ids}.`,
    );
    const missing = await invoke('aiVideo_generateVideo', { prompt: 'x', provider: 'pika', imagePath: 'assets/nope.png' });
    assert.match(
      missing,
      /^No video was generated\. Image problem: File not found: .*nope\.png"? Give imagePath relative to the workspace root/,
    );
    assert.match(
      await invoke('aiVideo_generateVideo', { prompt: 'x', provider: 'hidream', aspectRatio: '4:3' }),
      /HiDream aspect ratio must be one of 16:9, 1:1, 9:16/,
    );
    assert.match(await invoke('aiVideo_generateVideo', { prompt: ' ' }), /"prompt" is required/);
    assert.match(await invoke('aiVideo_getTask', { id: 'nope' }), /No task with id "nope"\. aiVideo_listTasks lists/);
    assert.match(await invoke('aiVideo_listTasks', { status: 'exploded' }), /Unknown status "exploded"/);
    assert.strictEqual(api.getTasks().length, before, 'nothing was created');
  });
});

// The tool's own methods, called one by one as VS Code calls them: prepareInvocation (whose
// confirmationMessages the user accepts), then invoke. `invoke` sends only the plan confirmed for
// exactly its input, once; anything else sends nothing.
describe('Editor: the agent tool sends only what was confirmed', function () {
  this.timeout(90_000);
  const token = new vscode.CancellationTokenSource().token;
  const creates = (e: Emulator) => e.requests().filter((r) => r.kind === 'create').length;

  async function generateTool(): Promise<vscode.LanguageModelTool<object>> {
    const { api } = await setup();
    const tool = api.testing.agentTool('aiVideo_generateVideo');
    assert.ok(tool?.prepareInvocation, 'the generate tool is exposed with its prepareInvocation');
    return tool;
  }

  const confirmationText = (prepared: vscode.PreparedToolInvocation | null | undefined) => {
    const message = prepared?.confirmationMessages?.message;
    const md = typeof message === 'string' ? message : (message?.value ?? '');
    return md.replace(/&nbsp;/g, ' ').replace(/\\(.)/g, '$1');
  };

  it('a call whose check failed in prepareInvocation sends nothing, even when the check would pass by now', async () => {
    const tool = await generateTool();
    const { api, emulator } = await setup();
    const folder = vscode.workspace.workspaceFolders![0].uri;
    const name = `late-${Date.now()}.png`;
    const input = { prompt: 'Never confirmed [duration=500]', provider: 'hidream', imagePath: name };
    const prepared = await tool.prepareInvocation!({ input }, token);
    assert.strictEqual(prepared?.confirmationMessages, undefined, 'nothing to confirm: the image is missing');
    // The file appears between the confirmation that was never shown and the call.
    await vscode.workspace.fs.copy(vscode.Uri.joinPath(folder, 'cat.png'), vscode.Uri.joinPath(folder, name));
    const before = creates(emulator);
    const text = toolText(await tool.invoke({ input, toolInvocationToken: undefined }, token));
    assert.match(text, /^No video was generated\. Image problem: File not found: .*late-/);
    assert.strictEqual(creates(emulator), before, 'no create was sent');
    assert.ok(!api.getTasks().some((t) => t.prompt === input.prompt), 'no task was made');
  });

  it('the confirmation shows provider, model, seconds, size and the number of videos; only the confirmed input is sent, once', async () => {
    const tool = await generateTool();
    const { api, emulator } = await setup();
    const input = { prompt: 'Confirmed once [duration=500]', provider: 'gateway', model: 'kling-v1', seconds: 5 };
    const shown = confirmationText(await tool.prepareInvocation!({ input }, token));
    for (const line of ['Provider: Video gateway', 'Model: kling-v1', 'Duration (seconds): 5', 'Size: ', 'Number of videos: 1']) {
      assert.ok(shown.includes(line), `"${line}" is not in the confirmation:\n${shown}`);
    }

    const before = creates(emulator);
    const changed = toolText(await tool.invoke({ input: { ...input, seconds: 10 }, toolInvocationToken: undefined }, token));
    assert.match(changed, /^No video was generated/);
    assert.strictEqual(creates(emulator), before, 'a changed input sends nothing');

    const sent = toolText(await tool.invoke({ input, toolInvocationToken: undefined }, token));
    const id = createdId(sent);
    assert.strictEqual(creates(emulator), before + 1);
    assert.strictEqual((emulator.requests('gateway.create').at(-1)!.body as { duration?: number }).duration, 5);
    assert.strictEqual(api.getTask(id)!.prompt, input.prompt);

    const again = toolText(await tool.invoke({ input, toolInvocationToken: undefined }, token));
    assert.match(again, /^No video was generated/);
    assert.strictEqual(creates(emulator), before + 1, 'a confirmation is used once');
  });
});

/** Writes a Markdown file into the test workspace and opens it. */

function lensesOf(doc: vscode.TextDocument): Thenable<vscode.CodeLens[]> {
  return vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
}

const lensTitles = (lenses: vscode.CodeLens[], line: number) =>
  lenses.filter((l) => l.range.start.line === line).map((l) => l.command?.title);

describe('Editor: prompt files', function () {
  this.timeout(90_000);

  it('a video block has a Generate lens whose command creates the task from the block; then status, Play and Save; an edit starts a fresh history', async () => {
    const { api, emulator } = await setup();
    const doc = await promptFile(
      'clips.md',
      '# Clips',
      '',
      '```video',
      'provider: hidream',
      'image: cat.png',
      'aspect: 9:16',
      'motionStrength: 12',
      'A cat stretching in the sun [duration=1500]',
      '```',
      '',
    );
    const lenses = await lensesOf(doc);
    const generate = lenses.find((l) => l.command?.command === 'aiVideo.generateFromBlock');
    assert.ok(generate, `no Generate lens among ${JSON.stringify(lenses.map((l) => l.command?.title))}`);
    assert.strictEqual(generate.range.start.line, 2);
    // The lens gives the block's price: HiDream publishes none (and no aiVideo.prices entry is set).
    assert.strictEqual(generate.command!.title, '▶ Generate · price unknown');
    // Variants… shows while the gallery's variants command exists.
    const idle = (await vscode.commands.getCommands(true)).includes('aiVideo.generateVariants')
      ? ['▶ Generate · price unknown', 'Variants…']
      : ['▶ Generate · price unknown'];
    assert.deepStrictEqual(lensTitles(lenses, 2), idle, 'no status before the first task');

    const task = await vscode.commands.executeCommand<Task>(generate.command!.command, ...generate.command!.arguments!);
    assert.ok(task, 'the command resolves to the task');
    assert.strictEqual(task.provider, 'hidream');
    assert.strictEqual(task.prompt, 'A cat stretching in the sun [duration=1500]');
    assert.strictEqual(task.request.image, path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'cat.png'));
    assert.strictEqual(task.source?.uri, doc.uri.toString());
    assert.strictEqual(task.source?.line, 2);
    const body = emulator.requests('hidream.img2video.create').at(-1)!.body as Record<string, unknown>;
    assert.strictEqual(body.aspect_ratio, '9:16');
    assert.strictEqual(body.motion_strength, 12);
    assert.strictEqual(body.prompt, 'A cat stretching in the sun [duration=1500]');

    const status = lensTitles(await lensesOf(doc), 2);
    assert.ok(
      status.some((t) => /^⟳ /.test(t ?? '')),
      `a live status lens while it runs: ${status.join(' | ')}`,
    );
    await waitForFinal(api, task.id);
    const done = await waitFor('Play and Save lenses', async () => {
      const l = (await lensesOf(doc)).filter((x) => x.range.start.line === 2);
      const play = l.find((x) => x.command?.command === 'aiVideo.play');
      return play && l.some((x) => x.command?.command === 'aiVideo.saveToWorkspace') ? play : undefined;
    });
    assert.deepStrictEqual(done.command!.arguments, [task.id, { interactive: true }], 'a click, not a script call');
    assert.strictEqual(done.command!.title, '▶ Play');

    // Reveal Prompt Source opens the block.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('aiVideo.revealPromptSource', task.id);
    const editor = vscode.window.activeTextEditor!;
    assert.strictEqual(editor.document.uri.toString(), doc.uri.toString());
    assert.deepStrictEqual([editor.selection.start.line, editor.selection.end.line], [2, 8]);

    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, new vscode.Position(7, 0), 'Slowly: ');
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.deepStrictEqual(lensTitles(await lensesOf(doc), 2), idle, 'the edited block has no history yet');
  });

  it('Variants… makes takes that remember the block; Compare gets its latest videos', async () => {
    const { api } = await setup();
    const doc = await promptFile(
      'takes.md',
      '```video',
      'provider: gateway',
      'model: kling-v1',
      'Two takes of a kite [duration=800]',
      '```',
    );
    const generate = async () => {
      const lens = (await lensesOf(doc)).find((l) => l.command?.command === 'aiVideo.generateFromBlock')!;
      return vscode.commands.executeCommand<Task>(lens.command!.command, ...lens.command!.arguments!);
    };
    const first = await generate();
    const second = await generate();
    await waitForFinal(api, first.id);
    await waitForFinal(api, second.id);
    const byCommand = async () => new Map((await lensesOf(doc)).map((l) => [l.command!.command, l.command!]));
    const lenses = await waitFor('the Compare lens', async () => {
      const m = await byCommand();
      return m.has('aiVideo.compare') ? m : undefined;
    });
    assert.strictEqual(lenses.get('aiVideo.generateBlockVariants')!.title, 'Variants…');
    assert.deepStrictEqual(lenses.get('aiVideo.generateBlockVariants')!.arguments, [doc.uri, 0, { interactive: true }]);
    assert.deepStrictEqual(
      lenses.get('aiVideo.compare')!.arguments,
      [[second.id, first.id], { interactive: true }],
      'the latest videos, newest first',
    );

    // Run by a script with a count, Variants asks nothing; the takes share a group and remember the block.
    const made = await vscode.commands.executeCommand<Task[]>('aiVideo.generateBlockVariants', doc.uri, 0, { count: 3 });
    assert.strictEqual(made.length, 3);
    assert.strictEqual(new Set(made.map((t) => t.groupId)).size, 1);
    for (const t of made) assert.deepStrictEqual(t.source, first.source);
    for (const t of made) await waitForFinal(api, t.id);
    const compare = await waitFor('Compare to take the variants', async () => {
      const ids = (await byCommand()).get('aiVideo.compare')?.arguments?.[0] as string[] | undefined;
      return ids && ids.length === 4 && made.every((t) => ids.includes(t.id)) ? ids : undefined;
    });
    assert.ok(compare.includes(second.id), 'at most four: the three takes and the newest before them');
  });

  it('run by a script with arguments, the block command reports problems as errors and asks nothing', async () => {
    await setup();
    const doc = await promptFile(
      'broken.md',
      '```video',
      'provider: pika',
      'mood: happy',
      'a fox',
      '```',
      '',
      '```video',
      'image: nowhere.png',
      '```',
    );
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('aiVideo.generateFromBlock', doc.uri, 0)),
      /Line 3: Unknown key "mood"/,
    );
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('aiVideo.generateFromBlock', doc.uri, 6)),
      /File not found: .*nowhere\.png/,
    );
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('aiVideo.generateFromBlock', doc.uri.toString(), 5)),
      /There is no ```video block at line 6/,
    );
  });

  it('diagnostics appear for a bad block: unknown key, bad value, unknown provider, missing image', async () => {
    await setup();
    const doc = await promptFile(
      'bad.md',
      '```video',
      'provider: sora',
      '```',
      '',
      '```video',
      'aspetc: 16:9',
      'motion: 9',
      'image: missing.png',
      'a fox',
      '```',
      '',
      '```video',
      'a fine block',
      '```',
    );
    const diags = await waitFor('diagnostics', () => {
      const d = vscode.languages.getDiagnostics(doc.uri);
      return d.length >= 4 ? d : undefined;
    });
    const seen = diags.map((d) => [d.range.start.line, d.severity, d.source, d.message]);
    const E = vscode.DiagnosticSeverity.Error;
    assert.deepStrictEqual(
      seen.map(([line, sev, src, msg]) => [line, sev, src, String(msg).replace(/: "\/.*missing\.png"$/, ': "…missing.png"')]),
      [
        [1, E, 'AI Video', `Unknown provider "sora". Use one of: ${PROVIDER_IDS.join(', ')}.`],
        [5, E, 'AI Video', 'Unknown key "aspetc". Did you mean "aspect"? Write text without "key:" to put it in the prompt.'],
        [6, E, 'AI Video', 'motion: enter a number from 0 to 4.'],
        [7, E, 'AI Video', 'image: File not found: "…missing.png"'],
      ],
    );
    const fix = new vscode.WorkspaceEdit();
    fix.replace(doc.uri, new vscode.Range(1, 10, 1, 14), 'pika');
    await vscode.workspace.applyEdit(fix);
    // Now a known provider, the block is checked by Pika's own rules: it has no prompt.
    const after = await waitFor('the diagnostics to follow the edit', () => {
      const d = vscode.languages.getDiagnostics(doc.uri).filter((x) => x.range.start.line === 1);
      return d.length === 1 && d[0].message === 'Enter a prompt.' ? d : undefined;
    });
    assert.strictEqual(after[0].severity, E);
  });

  it('a block value or path with link syntax, clicked as a lens, shows an error with no link in it', async () => {
    await setup();
    const send = 'command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22x%22%7D';
    const doc = await promptFile(
      'hostile.md',
      '```video',
      `provider: [Click here](${send})`,
      'a fox',
      '```',
      '```video',
      `image: [x](${send}).png`,
      'a fox',
      '```',
    );
    const lenses = (await lensesOf(doc)).filter((l) => l.command?.command === 'aiVideo.generateFromBlock');
    assert.deepStrictEqual(
      lenses.map((l) => l.range.start.line),
      [0, 4],
    );
    const messages = captureMessages();
    try {
      for (const l of lenses) {
        assert.strictEqual(await vscode.commands.executeCommand(l.command!.command, ...l.command!.arguments!), undefined);
      }
    } finally {
      messages.restore();
    }
    assert.deepStrictEqual(
      messages.shown.map((m) => m.level),
      ['error', 'error'],
    );
    assert.match(messages.shown[0].message, /^Line 2: Unknown provider "\[Click here\]/);
    assert.match(messages.shown[1].message, /File not found: ".*\[x\]/);
    for (const m of messages.shown) assert.deepStrictEqual(notificationLinks(m.message), [], m.message);
  });

  describe('media outside the workspace', () => {
    const ws = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
    /** Creates and uploads of every provider the emulator has seen. */
    const creates = (counts: Record<string, number>) =>
      Object.entries(counts).reduce((n, [k, v]) => n + (/create$|^files$/.test(k) ? v : 0), 0);
    let outside: string;
    let real: string;
    let doc: vscode.TextDocument;

    before(async () => {
      await setup();
      // ../outside.png lies next to the test workspace, not in it; linked.png is a link to it from inside.
      outside = path.join(path.dirname(ws()), 'outside.png');
      fs.copyFileSync(fixture('cat.png'), outside);
      real = fs.realpathSync(outside);
      fs.rmSync(path.join(ws(), 'linked.png'), { force: true });
      fs.symlinkSync(outside, path.join(ws(), 'linked.png'));
      const block = (image: string, prompt: string) => [
        '```video',
        'provider: hidream',
        `image: ${image}`,
        `${prompt} [duration=800]`,
        '```',
        '',
      ];
      doc = await promptFile(
        'outside.md',
        ...block('../outside.png', 'From outside'),
        ...block('linked.png', 'Through a link'),
        ...block(outside, 'By absolute path'),
      );
    });
    after(() => fs.rmSync(path.join(ws(), 'linked.png'), { force: true }));

    const generateLens = async (line: number) => {
      const lens = (await lensesOf(doc)).find((l) => l.command?.command === 'aiVideo.generateFromBlock' && l.range.start.line === line);
      assert.ok(lens, `a Generate lens at line ${line}`);
      return lens;
    };

    for (const [line, what] of [
      [0, '../outside.png'],
      [6, 'a link inside the workspace'],
      [12, 'an absolute path'],
    ] as const) {
      it(`${what}: the lens shows the real path; a click asks without waiting and sends nothing; a script call is refused`, async () => {
        const { emulator } = await setup();
        const lens = await generateLens(line);
        assert.ok(lens.command!.tooltip?.includes(real), `the tooltip names ${real}: ${lens.command!.tooltip}`);
        const before = creates(emulator.counts());
        const messages = captureMessages();
        let result: unknown;
        try {
          result = await vscode.commands.executeCommand(lens.command!.command, ...lens.command!.arguments!);
        } finally {
          messages.restore();
        }
        assert.strictEqual(result, undefined, 'no task');
        assert.strictEqual(creates(emulator.counts()), before, 'nothing was sent');
        assert.strictEqual(messages.shown.length, 1, JSON.stringify(messages.shown));
        const [asked] = messages.shown;
        assert.strictEqual(asked.level, 'warning');
        assert.strictEqual(asked.modal, false, 'a notification, not a dialog');
        assert.ok(asked.message.includes(real), asked.message);

        await assert.rejects(
          Promise.resolve(vscode.commands.executeCommand('aiVideo.generateFromBlock', doc.uri, line)),
          /outside the workspace/,
        );
        await assert.rejects(
          Promise.resolve(vscode.commands.executeCommand('aiVideo.generateBlockVariants', doc.uri, line, { count: 2 })),
          /outside the workspace/,
        );
        assert.strictEqual(creates(emulator.counts()), before, 'nothing was sent');
      });
    }

    it("the notification's button uploads the file that was shown", async () => {
      const { api } = await setup();
      const lens = await generateLens(6);
      const win = vscode.window as unknown as { showWarningMessage: (message: string, ...items: string[]) => Thenable<string | undefined> };
      const original = win.showWarningMessage;
      let asked = '';
      win.showWarningMessage = (message, ...items) => ((asked = message), Promise.resolve(items.at(-1)));
      try {
        assert.strictEqual(await vscode.commands.executeCommand(lens.command!.command, ...lens.command!.arguments!), undefined);
      } finally {
        win.showWarningMessage = original;
      }
      assert.ok(asked.includes(real), asked);
      const task = await waitFor('the confirmed task', () => api.getTasks().find((t) => t.prompt === 'Through a link [duration=800]'));
      assert.strictEqual(task.request.image, real, 'the real path that was shown is what is read');
      assert.strictEqual(task.source?.uri, doc.uri.toString());
      assert.strictEqual((await waitForFinal(api, task.id)).status, 'succeeded');
    });

    it('aiVideo.generate(request) still takes any local path', async () => {
      const { api } = await setup();
      const task = await vscode.commands.executeCommand<Task>('aiVideo.generate', {
        provider: 'hidream',
        prompt: 'A script sends it [duration=500]',
        image: outside,
      });
      assert.strictEqual(task.request.image, outside);
      assert.strictEqual((await waitForFinal(api, task.id)).status, 'succeeded');
    });
  });

  it('completion offers keys, providers, models and aspect values; hover explains a key', async () => {
    await setup();
    const doc = await promptFile('complete.md', '```video', 'provider: ', 'model: ', 'aspect: ', '', '```');
    const labels = async (line: number, character: number) =>
      (
        await vscode.commands.executeCommand<vscode.CompletionList>(
          'vscode.executeCompletionItemProvider',
          doc.uri,
          new vscode.Position(line, character),
        )
      ).items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    const providers = await labels(1, 10);
    for (const p of ['pika', 'gateway', 'hidream']) assert.ok(providers.includes(p), `providers: ${providers.join(', ')}`);
    assert.ok((await labels(2, 7)).includes('2.0'));
    const aspects = await labels(3, 8);
    assert.ok(
      ['16:9', '9:16', '1:1'].every((a) => aspects.includes(a)),
      aspects.join(', '),
    );
    const keys = await labels(4, 0);
    assert.ok(
      keys.includes('pikaffect') && keys.includes('negative') && !keys.includes('provider') && !keys.includes('style'),
      keys.join(', '),
    );

    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(3, 2));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /\*\*aspect\*\*/);
    assert.match(text, /16:9/);
  });
});

describe('Editor: generate from selection', function () {
  this.timeout(60_000);

  it('starts the generate flow with the selected text as the prompt', async () => {
    const { api } = await setup();
    const doc = await promptFile('notes.md', '# Notes', '', 'A lighthouse in a storm,', 'waves crashing [duration=1000]', '');
    const editor = vscode.window.activeTextEditor!;
    editor.selection = new vscode.Selection(2, 0, 3, 30);
    assert.strictEqual(editor.document, doc);
    const prompt = 'A lighthouse in a storm, waves crashing [duration=1000]';
    const result = vscode.commands.executeCommand<Task | undefined>('aiVideo.generateFromSelection');
    // Accept every step as it comes (provider, mode, model, the prompt box, then Generate): only
    // the prefilled prompt can make the task's prompt the selection.
    const task = await waitFor(
      'a task with the selected text as its prompt',
      async () => {
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
        return api.getTasks().find((t) => t.prompt === prompt);
      },
      30_000,
      400,
    );
    assert.strictEqual((await result)?.id, task.id);
  });
});
