// Frames in the real extension host, against the emulator's generated clips: Extract Frame, Continue
// From Last Frame (the new create carries a PNG of the source video's size, same provider and model)
// and Animate Between (two images as first and last frame, the swap step, only models that take a
// last frame offered; Animate Image with two images offers it).
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';

import type { Task } from '../../src/core/model/task';
import { fixture, setup, waitForFinal } from './helpers';

interface FrameImage {
  type: string;
  image_url: { url: string };
  frame_type: string;
}

/** A PNG's width and height from its IHDR chunk. */
function pngSize(bytes: Buffer): [number, number] {
  assert.strictEqual(bytes.subarray(1, 4).toString('latin1'), 'PNG', 'a PNG');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

function dataBytes(url: string): Buffer {
  const m = /^data:image\/png;base64,(.+)$/.exec(url);
  assert.ok(m, `a PNG data URI, got ${url.slice(0, 40)}`);
  return Buffer.from(m[1], 'base64');
}

type QuickPickStub = (items: readonly vscode.QuickPickItem[], title: string) => vscode.QuickPickItem | undefined;

/** Answers quick picks and input boxes in order, recording what was asked; call restore(). */
function answer(picks: QuickPickStub[], inputs: (string | undefined)[]): { asked: string[]; restore(): void } {
  const win = vscode.window as unknown as Record<'showQuickPick' | 'showInputBox', unknown>;
  const originals = { showQuickPick: win.showQuickPick, showInputBox: win.showInputBox };
  const asked: string[] = [];
  win.showQuickPick = async (
    items: readonly vscode.QuickPickItem[] | Thenable<readonly vscode.QuickPickItem[]>,
    options?: vscode.QuickPickOptions,
  ) => {
    const list = await items;
    asked.push(`pick: ${options?.title ?? ''}`);
    const next = picks.shift();
    return next ? next(list, options?.title ?? '') : undefined;
  };
  win.showInputBox = async (options?: vscode.InputBoxOptions) => {
    asked.push(`input: ${options?.title ?? ''}`);
    return inputs.shift();
  };
  return { asked, restore: () => Object.assign(win, originals) };
}

describe('Frames: Continue From Last Frame and Animate Between', function () {
  this.timeout(120_000);

  before(async () => {
    const { emulator } = await setup();
    emulator.setOptions({ clips: 'generated' });
  });
  after(async () => {
    const { emulator } = await setup();
    emulator.setOptions({ clips: 'fixtures' });
  });

  it('continues a finished video from its last frame: the create carries a PNG of the video size, same provider and model', async () => {
    const { api, emulator } = await setup();
    const first = await vscode.commands.executeCommand<Task>('aiVideo.generate', {
      provider: 'openrouter',
      model: 'google/veo-3.1',
      prompt: 'a harbour at dawn [size=240x240] [duration=1200]',
      duration: 4,
    });
    const done = await waitForFinal(api, first.id);
    assert.strictEqual(done.status, 'succeeded', done.error);

    const lastPng = await vscode.commands.executeCommand<string>('aiVideo.extractFrame', done.id, 'last');
    const firstPng = await vscode.commands.executeCommand<string>('aiVideo.extractFrame', done.id, 'first');
    assert.deepStrictEqual(pngSize(fs.readFileSync(lastPng)), [240, 240]);
    assert.notDeepStrictEqual(fs.readFileSync(firstPng), fs.readFileSync(lastPng), 'the first frame is not the last');

    const creates = emulator.requests('openrouter.create').length;
    const next = await vscode.commands.executeCommand<Task>('aiVideo.continueFromLastFrame', done.id, 'the boat sails out [duration=1200]');
    assert.ok(['queued', 'running'].includes(next.status), `resolved once the provider answered: ${next.status}`);
    assert.strictEqual(emulator.requests('openrouter.create').length, creates + 1, 'one create');
    const body = emulator.requests('openrouter.create').at(-1)!.body as {
      model: string;
      prompt: string;
      duration: number;
      frame_images: FrameImage[];
    };
    assert.deepStrictEqual([body.model, body.prompt, body.duration], ['google/veo-3.1', 'the boat sails out [duration=1200]', 4]);
    assert.deepStrictEqual(
      body.frame_images.map((f) => f.frame_type),
      ['first_frame'],
    );
    const sent = dataBytes(body.frame_images[0].image_url.url);
    assert.deepStrictEqual(pngSize(sent), [240, 240], 'the frame at the video size, not resized');
    assert.deepStrictEqual(sent, fs.readFileSync(lastPng), 'the frame as extracted');
    assert.strictEqual((await waitForFinal(api, next.id)).status, 'succeeded');

    // Overrides choose another model of the same provider.
    await vscode.commands.executeCommand<Task>('aiVideo.continueFromLastFrame', done.id, 'closer [duration=1200]', {
      model: 'minimax/hailuo-02',
      duration: 6,
    });
    const overridden = emulator.requests('openrouter.create').at(-1)!.body as {
      model: string;
      duration: number;
      frame_images: FrameImage[];
    };
    assert.deepStrictEqual([overridden.model, overridden.duration, overridden.frame_images.length], ['minimax/hailuo-02', 6, 1]);

    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('aiVideo.continueFromLastFrame', done.id)), /prompt/);
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('aiVideo.extractFrame', done.id, 'middle')), /first.*last/);
    assert.strictEqual(emulator.requests('openrouter.create').length, creates + 2, 'nothing sent for a refused call');
  });

  it('asks for the prompt when a person continues from the Tasks view', async () => {
    const { api, emulator } = await setup();
    const t = await vscode.commands.executeCommand<Task>('aiVideo.generate', {
      provider: 'openrouter',
      model: 'google/veo-3.1',
      prompt: 'a kite over dunes [size=320x180] [duration=1200]',
    });
    const done = await waitForFinal(api, t.id);
    const creates = emulator.requests('openrouter.create').length;
    const ui = answer([], ['the kite lands [duration=1200]']);
    let next: Task | undefined;
    try {
      next = await vscode.commands.executeCommand<Task | undefined>('aiVideo.continueFromLastFrame', { kind: 'task', taskId: done.id });
    } finally {
      ui.restore();
    }
    assert.deepStrictEqual(ui.asked, [`input: Continue From Last Frame: ${done.prompt.slice(0, 40)}`]);
    assert.ok(next, 'a new task');
    const body = emulator.requests('openrouter.create').at(-1)!.body as { frame_images: FrameImage[] };
    assert.strictEqual(emulator.requests('openrouter.create').length, creates + 1);
    assert.deepStrictEqual(pngSize(dataBytes(body.frame_images[0].image_url.url)), [320, 180]);
  });

  it('Animate Between: first and last frame from two images, with the swap, offering only models that take a last frame', async () => {
    const { emulator } = await setup();
    const a = vscode.Uri.file(fixture('wide.png'));
    const b = vscode.Uri.file(fixture('cat.png'));
    const creates = emulator.requests('openrouter.create').length;
    let offered: string[] = [];
    const ui = answer(
      [
        (items) => items[1], // swap
        (items) => items[0], // then keep: from cat to wide
        (items, title) => {
          assert.match(title, /model/);
          offered = items.map((i) => i.description ?? '');
          return items.find((i) => i.description === 'OpenRouter · google/veo-3.1');
        },
      ],
      ['morph [duration=1200]'],
    );
    let task: Task | undefined;
    try {
      task = await vscode.commands.executeCommand<Task | undefined>('aiVideo.animateBetween', a, [a, b]);
    } finally {
      ui.restore();
    }
    assert.ok(task, `a task; asked ${ui.asked.join(' | ')}`);
    assert.ok(
      offered.some((d) => d.endsWith('google/veo-3.1')),
      offered.join(', '),
    );
    // OpenRouter's Hailuo 02 takes a first frame only (Replicate's takes both, and is offered).
    assert.ok(!offered.includes('OpenRouter · minimax/hailuo-02'), `a model without a last frame is not offered: ${offered.join(', ')}`);
    assert.strictEqual(emulator.requests('openrouter.create').length, creates + 1);
    const body = emulator.requests('openrouter.create').at(-1)!.body as { frame_images: FrameImage[]; prompt: string };
    assert.deepStrictEqual(
      body.frame_images.map((f) => [
        f.frame_type,
        dataBytes(f.image_url.url).equals(fs.readFileSync(f.frame_type === 'first_frame' ? b.fsPath : a.fsPath)),
      ]),
      [
        ['first_frame', true],
        ['last_frame', true],
      ],
      'swapped: cat first, wide last',
    );
    assert.strictEqual(body.prompt, 'morph [duration=1200]');

    // A script names the model and asks nothing; a model without a last frame is refused before sending.
    const scripted = await vscode.commands.executeCommand<Task>('aiVideo.animateBetween', a, [a, b], {
      model: 'google/veo-3.1',
      prompt: 'x [duration=1200]',
    });
    assert.strictEqual(scripted.provider, 'openrouter');
    const scriptedBody = emulator.requests('openrouter.create').at(-1)!.body as { frame_images: FrameImage[] };
    assert.ok(
      dataBytes(scriptedBody.frame_images[0].image_url.url).equals(fs.readFileSync(a.fsPath)),
      'the first selected image is the first frame',
    );
    await assert.rejects(
      Promise.resolve(
        vscode.commands.executeCommand('aiVideo.animateBetween', a, [a, b], {
          provider: 'openrouter',
          model: 'minimax/hailuo-02',
          prompt: 'y',
        }),
      ),
      /first and a last frame/,
    );
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('aiVideo.animateBetween', a, [a], { prompt: 'z' })),
      /exactly two images/,
    );
    assert.strictEqual(emulator.requests('openrouter.create').length, creates + 2);
  });

  it('Animate Image with two images offers "First and last frame"', async () => {
    await setup();
    const a = vscode.Uri.file(fixture('wide.png'));
    const b = vscode.Uri.file(fixture('cat.png'));
    let labels: string[] = [];
    const ui = answer(
      [
        (items) => {
          labels = items.map((i) => i.label);
          return undefined;
        },
      ],
      [],
    );
    try {
      await vscode.commands.executeCommand('aiVideo.animateImage', a, [a, b]);
    } finally {
      ui.restore();
    }
    assert.ok(
      labels.some((l) => l.includes('First and last frame')),
      labels.join(' | '),
    );
    assert.ok(
      labels.some((l) => l.includes('One video per image')),
      labels.join(' | '),
    );
  });
});
