// OpenRouter in the real extension host, against the emulator's /openrouter/api/v1: the neutral words
// (duration, resolution, aspect ratio, audio, first and last frame, references) as the body the
// emulator received, a duration the model does not take refused before anything is sent, 402 said
// plainly, the provider's cost on the task, and prompt blocks naming retired or unknown models.
import * as assert from 'assert';
import * as vscode from 'vscode';

import type { RouteKey } from '../../src/emulator/server';
import { fixture, gen, promptFile, setup, waitFor, waitForFinal } from './helpers';

const SENDING: RouteKey[] = ['openrouter.create', 'openrouter.retrieve', 'openrouter.content'];

describe('OpenRouter, end to end', function () {
  this.timeout(90_000);

  it('text-to-video with duration, resolution, aspect ratio and audio: the body as sent, the cost on the task', async () => {
    const { api, emulator } = await setup();
    const t = await gen({
      provider: 'openrouter',
      model: 'google/veo-3.1',
      prompt: 'a lighthouse [duration=1500]',
      duration: 6,
      resolution: '1080p',
      aspectRatio: '9:16',
      audio: true,
    });
    const body = emulator.requests('openrouter.create').at(-1)!.body as Record<string, unknown>;
    assert.deepStrictEqual(body, {
      model: 'google/veo-3.1',
      prompt: 'a lighthouse [duration=1500]',
      duration: 6,
      resolution: '1080p',
      aspect_ratio: '9:16',
      generate_audio: true,
    });
    const done = await waitForFinal(api, t.id);
    assert.strictEqual(done.status, 'succeeded', done.error);
    assert.ok(done.cost, 'the task has its cost');
    assert.deepStrictEqual([done.cost.currency, done.cost.source], ['USD', 'provider']);
    // 6 s at Veo's 1080p price per second ($0.60).
    assert.strictEqual(Math.round(done.cost.amount * 100), 360);
  });

  it('first + last frame: both images as data: URIs with their frame types', async () => {
    const { api, emulator } = await setup();
    const first = vscode.Uri.file(fixture('wide.png')).toString();
    const last = vscode.Uri.file(fixture('cat.png')).toString();
    const t = await gen({
      provider: 'openrouter',
      model: 'google/veo-3.1',
      prompt: 'from here to there [duration=1500]',
      image: first,
      lastFrame: last,
    });
    const body = emulator.requests('openrouter.create').at(-1)!.body as {
      frame_images: { type: string; image_url: { url: string }; frame_type: string }[];
    };
    assert.deepStrictEqual(
      body.frame_images.map((f) => [f.type, f.frame_type, f.image_url.url.slice(0, 22)]),
      [
        ['image_url', 'first_frame', 'data:image/png;base64,'],
        ['image_url', 'last_frame', 'data:image/png;base64,'],
      ],
    );
    assert.strictEqual(t.mode, 'image-to-video');
    const done = await waitForFinal(api, t.id);
    assert.strictEqual(done.status, 'succeeded', done.error);
  });

  it('references: the images as input_references', async () => {
    const { api, emulator } = await setup();
    const images = [fixture('cat.png'), fixture('dog.jpg')].map((p) => vscode.Uri.file(p).toString());
    const t = await gen({ provider: 'openrouter', model: 'alibaba/wan-2.6', prompt: 'the cat meets the dog [duration=1500]', images });
    const body = emulator.requests('openrouter.create').at(-1)!.body as {
      input_references: { type: string; image_url: { url: string } }[];
    };
    assert.deepStrictEqual(
      body.input_references.map((r) => [r.type, r.image_url.url.slice(0, 23)]),
      [
        ['image_url', 'data:image/png;base64,i'],
        ['image_url', 'data:image/jpeg;base64,'],
      ],
    );
    assert.strictEqual(t.mode, 'ingredients');
    const done = await waitForFinal(api, t.id);
    assert.strictEqual(done.status, 'succeeded', done.error);
  });

  it('a duration the model does not take is refused with the allowed values, and nothing is sent', async () => {
    const { emulator } = await setup();
    const before = SENDING.map((k) => emulator.requests(k).length);
    await assert.rejects(
      gen({ provider: 'openrouter', model: 'google/veo-3.1', prompt: 'too long', duration: 10 }),
      /takes 4, 6 or 8 seconds/,
    );
    assert.deepStrictEqual(
      SENDING.map((k) => emulator.requests(k).length),
      before,
      'zero requests',
    );
  });

  it('402: out of credits, said plainly', async () => {
    await setup();
    await assert.rejects(gen({ provider: 'openrouter', model: 'google/veo-3.1', prompt: 'no money [no-credits]' }), (e: Error) => {
      assert.match(e.message, /credits/i);
      return true;
    });
  });

  it('a retired model in a prompt block: a warning that the name may mean something else on this server', async () => {
    await setup();
    const doc = await promptFile('retired.md', '```video', 'provider: openai', 'model: sora-2', 'a fox in the snow', '```');
    const warning = await waitFor('the retired-model diagnostic', () =>
      vscode.languages.getDiagnostics(doc.uri).find((d) => d.range.start.line === 2 && /retired/.test(d.message)),
    );
    assert.strictEqual(warning.severity, vscode.DiagnosticSeverity.Warning);
    assert.strictEqual(warning.message, 'sora-2: the name was retired at OpenAI on 2026-09-24 and may mean something else on this server.');
    assert.deepStrictEqual([warning.range.start.character, warning.range.end.character], [7, 13]);
  });

  it('a model OpenRouter does not know: a warning on the block, with "Switch to" quick fixes to available models', async () => {
    await setup();
    await assert.rejects(gen({ provider: 'openrouter', model: 'acme/gone-1', prompt: 'nobody serves this' }), /retired or unknown/);
    const doc = await promptFile('unknown-model.md', '```video', 'provider: openrouter', 'model: acme/gone-1', 'a fox', '```');
    const warning = await waitFor('the unknown-model diagnostic', () =>
      vscode.languages.getDiagnostics(doc.uri).find((d) => d.range.start.line === 2),
    );
    assert.strictEqual(warning.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(warning.message, /^acme\/gone-1: /);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, warning.range);
    const titles = actions.map((a) => a.title).filter((t) => t.startsWith('Switch to '));
    assert.ok(titles.includes('Switch to google/veo-3.1'), titles.join(', '));
    assert.ok(titles.length <= 3 && !titles.includes('Switch to acme/gone-1'), titles.join(', '));
    const fix = actions.find((a) => a.title === 'Switch to google/veo-3.1')!;
    assert.ok(await vscode.workspace.applyEdit(fix.edit!));
    assert.strictEqual(doc.lineAt(2).text, 'model: google/veo-3.1');
    await waitFor('the warning to go', () => !vscode.languages.getDiagnostics(doc.uri).some((d) => d.range.start.line === 2));
  });
});
