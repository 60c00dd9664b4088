// Replicate in the real extension host, against the emulator's /replicate/v1: the neutral words as the
// input the emulator received (text to video; Kling's first and last frames, integer duration and
// resolution-as-mode), a 422 shown and sent once, a failed prediction, a model known only by its
// schema (its options in a prompt block, a bad enum value refused before sending), an output past its
// hour (never fetched, the task saying why), and cancel from the command.
import * as assert from 'assert';
import * as vscode from 'vscode';

import type { Task } from '../../src/core/model/task';
import { REPLICATE_BASE_PATH, SCHEMA_ONLY_MODEL } from '../../src/emulator/replicate';
import { fixture, gen, promptFile, setup, waitFor, waitForFinal } from './helpers';

const HOUR = 60 * 60_000;

describe('Replicate, end to end', function () {
  this.timeout(90_000);

  it('text-to-video: {input} with the neutral words under Veo input names; the result carries its one-hour expiry', async () => {
    const { api, emulator } = await setup();
    const t = await gen({
      provider: 'replicate',
      model: 'google/veo-3.1',
      prompt: 'a lighthouse [duration=1500]',
      duration: 6,
      resolution: '720p',
      aspectRatio: '9:16',
      audio: false,
    });
    const sent = emulator.requests('replicate.create').at(-1)!;
    assert.strictEqual(sent.path, `${REPLICATE_BASE_PATH}/models/google/veo-3.1/predictions`);
    assert.deepStrictEqual(sent.body, {
      input: { prompt: 'a lighthouse [duration=1500]', duration: 6, resolution: '720p', aspect_ratio: '9:16', generate_audio: false },
    });
    const done = await waitForFinal(api, t.id);
    assert.strictEqual(done.status, 'succeeded', done.error);
    assert.ok(done.videos[0].localPath, done.videos[0].downloadError);
    assert.strictEqual(done.videos[0].keptForMs, HOUR);
    assert.ok(done.videos[0].expiresAt! > Date.now() + HOUR - 60_000);
  });

  it('image-to-video with a last frame: Kling start_image / end_image as data: URIs, an integer duration, 1080p as its pro mode', async () => {
    const { api, emulator } = await setup();
    const t = await gen({
      provider: 'replicate',
      model: 'kwaivgi/kling-v2.1',
      prompt: 'from here to there [duration=1500]',
      image: vscode.Uri.file(fixture('wide.png')).toString(),
      lastFrame: vscode.Uri.file(fixture('cat.png')).toString(),
      duration: 10,
      resolution: '1080p',
    });
    const input = (emulator.requests('replicate.create').at(-1)!.body as { input: Record<string, unknown> }).input;
    assert.deepStrictEqual(
      [input.duration, input.mode, String(input.start_image).slice(0, 22), String(input.end_image).slice(0, 22)],
      [10, 'pro', 'data:image/png;base64,', 'data:image/png;base64,'],
    );
    assert.strictEqual(t.mode, 'image-to-video');
    const done = await waitForFinal(api, t.id);
    assert.strictEqual(done.status, 'succeeded', done.error);
  });

  it('422: its detail shown, the create sent once and never retried, no task kept', async () => {
    const { api, emulator } = await setup();
    const before = emulator.requests('replicate.create').length;
    const tasks = api.getTasks().length;
    await assert.rejects(gen({ provider: 'replicate', model: 'minimax/hailuo-02', prompt: 'odd words [invalid-input]' }), (e: Error) => {
      assert.match(e.message, /HTTP 422/);
      assert.match(e.message, /input\.prompt: prompt contains words this model refuses/);
      return true;
    });
    await new Promise((r) => setTimeout(r, 1500));
    assert.strictEqual(emulator.requests('replicate.create').length, before + 1, 'exactly one create');
    assert.strictEqual(api.getTasks().length, tasks);
  });

  it('a failed prediction: the task fails with the reason Replicate gave', async () => {
    const { api } = await setup();
    const t = await gen({ provider: 'replicate', model: 'minimax/hailuo-02', prompt: 'doomed [fail] [duration=800]' });
    const done = await waitForFinal(api, t.id);
    assert.strictEqual(done.status, 'failed');
    assert.match(done.error ?? '', /Emulated generation failure/);
  });

  it('a model known only by its schema: a prompt block gets its options, a bad enum value is refused before sending', async () => {
    const { api, emulator } = await setup();
    const doc = await promptFile(
      'schema-only.md',
      '```video',
      'provider: replicate',
      `model: ${SCHEMA_ONLY_MODEL}`,
      'motion: sideways',
      'steps: 12',
      'a reel of waves',
      '```',
    );
    const bad = await waitFor('the enum diagnostic drawn from the schema', () =>
      vscode.languages
        .getDiagnostics(doc.uri)
        .find((d) => d.range.start.line === 3 && /motion: use one of calm, dynamic, wild/.test(d.message)),
    );
    assert.strictEqual(bad.severity, vscode.DiagnosticSeverity.Error);
    assert.ok(!vscode.languages.getDiagnostics(doc.uri).some((d) => d.range.start.line === 4), 'steps is a key of the schema');

    const before = emulator.requests('replicate.create').length;
    await assert.rejects(
      gen({ provider: 'replicate', model: SCHEMA_ONLY_MODEL, prompt: 'waves', options: { motion: 'sideways' } }),
      /motion = calm, dynamic or wild; "sideways"/,
    );
    assert.strictEqual(emulator.requests('replicate.create').length, before, 'nothing sent');

    const t = await gen({
      provider: 'replicate',
      model: SCHEMA_ONLY_MODEL,
      prompt: 'waves [duration=800]',
      duration: 3,
      options: { motion: 'wild', loop: true },
    });
    assert.deepStrictEqual((emulator.requests('replicate.create').at(-1)!.body as { input: unknown }).input, {
      prompt: 'waves [duration=800]',
      motion: 'wild',
      loop: true,
      duration: 3,
    });
    const done = await waitForFinal(api, t.id);
    assert.strictEqual(done.status, 'succeeded', done.error);
  });

  it('an output past its hour: never fetched; the task says the video is gone, when it finished, and that Replicate keeps outputs one hour', async () => {
    const { api, emulator } = await setup();
    // The emulator's clock runs two hours behind: by the time the result is seen, its hour has passed.
    emulator.setOptions({ now: () => Date.now() - 2 * HOUR });
    try {
      const files = emulator.requests('files').length;
      const t = await gen({ provider: 'replicate', model: 'minimax/hailuo-02', prompt: 'late [duration=800]' });
      const done = await waitForFinal(api, t.id);
      assert.strictEqual(done.status, 'succeeded');
      assert.match(
        done.videos[0].downloadError ?? '',
        /^The video is gone: Replicate keeps results for one hour after a job finishes, and this one finished at \d{4}-\d\d-\d\d \d\d:\d\d UTC/,
      );
      assert.doesNotMatch(done.videos[0].downloadError ?? '', /network/i);
      assert.strictEqual(emulator.requests('files').length, files, 'nothing fetched');
    } finally {
      emulator.setOptions({ now: Date.now });
    }
  });

  it('cancel: aiVideo.cancelTask stops a running prediction once; the task ends failed, "Cancelled"', async () => {
    const { api, emulator } = await setup();
    const t = await gen({ provider: 'replicate', model: 'google/veo-3.1', prompt: 'slow [duration=60000]' });
    const before = emulator.requests('replicate.cancel').length;
    const cancelled = await vscode.commands.executeCommand<Task>('aiVideo.cancelTask', t.id);
    assert.deepStrictEqual([cancelled.status, cancelled.error], ['failed', 'Cancelled']);
    assert.strictEqual(emulator.requests('replicate.cancel').length, before + 1);
    assert.strictEqual(api.getTask(t.id)?.status, 'failed');
  });
});
