// What an editor adds: language model tools for agents, prompt blocks in Markdown files (lenses,
// diagnostics), and Generate Video from Selection.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { confirmationFor } from '../../src/vscode/agentTools';
import { setup, waitFor, waitForFinal } from './helpers';

const TOOLS = ['aiVideo_generateVideo', 'aiVideo_getTask', 'aiVideo_listTasks'];

function toolText(result: vscode.LanguageModelToolResult): string {
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
    for (const k of ['prompt', 'provider', 'model', 'imagePath', 'aspectRatio', 'seconds', 'waitSeconds']) assert.ok(schema.properties[k], `no "${k}" in the schema`);
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
    const text = await invoke('aiVideo_generateVideo', { prompt: 'Animate the cat [duration=1000]', provider: 'hidream', imagePath: 'cat.png', waitSeconds: 60 });
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
    assert.match(await invoke('aiVideo_generateVideo', { prompt: 'x', provider: 'sora' }), /^No video was generated\. Unknown provider "sora"\. Use one of: pika, gateway, hidream\. Providers with an API key: pika, gateway, hidream\.$/);
    const missing = await invoke('aiVideo_generateVideo', { prompt: 'x', provider: 'pika', imagePath: 'assets/nope.png' });
    assert.match(missing, /^No video was generated\. Image problem: File not found: .*nope\.png Give imagePath relative to the workspace root/);
    assert.match(await invoke('aiVideo_generateVideo', { prompt: 'x', provider: 'hidream', aspectRatio: '4:3' }), /HiDream aspect ratio must be one of 16:9, 1:1, 9:16/);
    assert.match(await invoke('aiVideo_generateVideo', { prompt: ' ' }), /"prompt" is required/);
    assert.match(await invoke('aiVideo_getTask', { id: 'nope' }), /No task with id "nope"\. aiVideo_listTasks lists/);
    assert.match(await invoke('aiVideo_listTasks', { status: 'exploded' }), /Unknown status "exploded"/);
    assert.strictEqual(api.getTasks().length, before, 'nothing was created');
  });
});
