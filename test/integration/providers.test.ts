import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';

import type { Task } from '../../src/core/model/task';
import { assertPlayableFile, assertPlays, fixture, gen, setup, waitForFinal } from './helpers';

describe('Every provider and mode, end to end', function () {
  this.timeout(90_000);

  it('Pika image-to-video from a local file (base64, no aspect ratio)', async () => {
    const { api, emulator } = await setup();
    const t = await gen({ provider: 'pika', prompt: 'the cat blinks [duration=2000]', image: fixture('cat.png') });
    const body = emulator.requests('pika.generate').at(-1)!.body as Record<string, unknown>;
    assert.strictEqual(Buffer.from(body.image as string, 'base64').compare(fs.readFileSync(fixture('cat.png'))), 0);
    assert.ok(!('aspectRatio' in (body.options as object)));
    assert.strictEqual(t.mode, 'image-to-video');
    const done = await waitForFinal(api, t.id);
    assert.strictEqual(done.status, 'succeeded', done.error);
    assertPlayableFile(done);
  });

  it('Pika ingredients from several images (model 2.0, no image key) and a Pikaffect', async () => {
    const { api, emulator } = await setup();
    const t = await gen({
      provider: 'pika',
      prompt: 'they meet [duration=2000]',
      images: [fixture('cat.png'), vscode.Uri.file(fixture('dog.jpg')).toString()],
    });
    const body = emulator.requests('pika.generate').at(-1)!.body as Record<string, unknown>;
    assert.strictEqual(body.model, '2.0');
    assert.ok(!('image' in body));
    assert.strictEqual((body.ingredient as string[]).length, 2);
    assert.strictEqual((body.options as Record<string, unknown>)['ingredients-mode'], 'precise');
    const fx = await gen({ provider: 'pika', prompt: 'a cake [duration=2000]', pikaffect: 'Cake-ify', seed: 42 });
    assert.strictEqual((emulator.requests('pika.generate').at(-1)!.body as Record<string, unknown>).pikaffect, 'Cake-ify');
    for (const id of [t.id, fx.id]) {
      const done = await waitForFinal(api, id);
      assert.strictEqual(done.status, 'succeeded', done.error);
      assertPlayableFile(done);
    }
  });

  for (const shape of ['flat', 'envelope'] as const) {
    it(`gateway text-to-video and image-to-video (${shape} answers)`, async () => {
      const { api, emulator } = await setup();
      emulator.setOptions({ gatewayShape: shape });
      try {
        const t2v = await gen({
          provider: 'gateway',
          model: 'kling-v1',
          prompt: 'a lighthouse at dusk [duration=2000]',
          seed: 7,
          negativePrompt: 'text',
          aspectRatio: '16:9',
        });
        const body = emulator.requests('gateway.create').at(-1)!.body as Record<string, unknown>;
        assert.deepStrictEqual(body.metadata, { seed: 7, negative_prompt: 'text', aspect_ratio: '16:9' });
        const i2v = await gen({ provider: 'gateway', model: 'viduq1', prompt: 'zoom in [duration=2000]', image: fixture('dog.jpg') });
        const ibody = emulator.requests('gateway.create').at(-1)!.body as Record<string, unknown>;
        assert.match(ibody.image as string, /^data:image\/jpeg;base64,/);
        for (const id of [t2v.id, i2v.id]) {
          const done = await waitForFinal(api, id);
          assert.strictEqual(done.status, 'succeeded', done.error);
          assertPlayableFile(done);
        }
      } finally {
        emulator.setOptions({ gatewayShape: 'flat' });
      }
    });
  }

  it('HiDream txt2video with two sub-task videos, both kept and playable', async () => {
    const { api } = await setup();
    const t = await gen({
      provider: 'hidream',
      prompt: 'waves [subtasks=2] [duration=2000]',
      aspectRatio: '9:16',
      options: { motionStrength: 12, cameraDepth: 2 },
    });
    const done = await waitForFinal(api, t.id);
    assert.strictEqual(done.status, 'succeeded', done.error);
    assert.strictEqual(done.videos.length, 2);
    assertPlayableFile(done, 0);
    assertPlayableFile(done, 1);
    await assertPlays(api, t.id, 1);
  });

  it('HiDream img2video and a content-rejected case', async () => {
    const { api } = await setup();
    const ok = await gen({ provider: 'hidream', prompt: 'the bird flies [duration=2000]', image: fixture('bird.webp') });
    const rejected = await gen({ provider: 'hidream', prompt: 'something [reject] [duration=1500]' });
    const done = await waitForFinal(api, ok.id);
    assert.strictEqual(done.status, 'succeeded', done.error);
    assertPlayableFile(done);
    const r = await waitForFinal(api, rejected.id);
    assert.strictEqual(r.status, 'failed');
    assert.match(r.error ?? '', /content review/i);
  });

  it('Explorer "Animate Image…" with one image and with several (ingredients, and one task per image)', async () => {
    const { api } = await setup();
    const cat = vscode.Uri.file(fixture('cat.png'));
    const dog = vscode.Uri.file(fixture('dog.jpg'));
    const single = await vscode.commands.executeCommand<Task[]>('aiVideo.animateImage', cat, [cat], {
      provider: 'gateway',
      model: 'kling-v1',
      prompt: 'purr [duration=2000]',
    });
    assert.strictEqual(single.length, 1);
    assert.strictEqual(single[0].mode, 'image-to-video');
    const ingredients = await vscode.commands.executeCommand<Task[]>('aiVideo.animateImage', cat, [cat, dog], {
      provider: 'pika',
      prompt: 'friends [duration=2000]',
      perImage: false,
    });
    assert.strictEqual(ingredients.length, 1);
    assert.strictEqual(ingredients[0].mode, 'ingredients');
    const perImage = await vscode.commands.executeCommand<Task[]>('aiVideo.animateImage', cat, [cat, dog], {
      provider: 'hidream',
      prompt: 'wind [duration=2000]',
      perImage: true,
    });
    assert.strictEqual(perImage.length, 2);
    for (const t of [...single, ...ingredients, ...perImage]) {
      const done = await waitForFinal(api, t.id);
      assert.strictEqual(done.status, 'succeeded', done.error);
      assertPlayableFile(done);
    }
  });

  it('Explorer "Restyle Video…" sends the video to HiDream video_edit with a style', async () => {
    const { api, emulator } = await setup();
    const video = vscode.Uri.file(fixture('sample.mp4'));
    const t = await vscode.commands.executeCommand<Task>('aiVideo.restyleVideo', video, [video], {
      style: 'ink_wash',
      prompt: '[duration=2000]',
    });
    assert.strictEqual(t.mode, 'video-edit');
    const body = emulator.requests('hidream.video_edit.create').at(-1)!.body as Record<string, unknown>;
    assert.strictEqual(body.style, 'ink_wash');
    assert.strictEqual(Buffer.from(body.video_name as string, 'base64').compare(fs.readFileSync(fixture('sample.mp4'))), 0);
    const done = await waitForFinal(api, t.id);
    assert.strictEqual(done.status, 'succeeded', done.error);
    assertPlayableFile(done);
  });

  it('rejects a file that is not really an image, with a clear message', async () => {
    await setup();
    await assert.rejects(gen({ provider: 'pika', prompt: 'x', image: fixture('not-an-image.png') }), /not a PNG, JPEG or WebP image/);
  });

  it('HiDream batching: N active tasks of one module cost one batch request per poll round', async () => {
    const { api, emulator } = await setup();
    const n = 4;
    const tasks: Task[] = [];
    for (let i = 0; i < n; i++) tasks.push(await gen({ provider: 'hidream', prompt: `batch ${i} [duration=4000]` }));
    emulator.resetCounts();
    const reqsBefore = emulator.requests('hidream.txt2video.batch').length;
    for (const t of tasks) await waitForFinal(api, t.id);
    const batches = emulator.requests('hidream.txt2video.batch').slice(reqsBefore);
    assert.ok(batches.length >= 1);
    // Every batch asked about several of our tasks at once, and no task was asked about twice in one request.
    const ours = new Set(tasks.map((t) => t.remoteId));
    const sizes = batches.map((b) => ((b.body as { task_id_list: string[] }).task_id_list ?? []).filter((id) => ours.has(id)).length);
    const askedPerTask = tasks.map(
      (t) => batches.filter((b) => (b.body as { task_id_list: string[] }).task_id_list.includes(t.remoteId)).length,
    );
    const rounds = Math.max(...askedPerTask);
    assert.ok(
      batches.length <= rounds + 1,
      `expected about one batch per round: ${batches.length} batches for ${rounds} rounds (sizes ${sizes.join(',')})`,
    );
    assert.ok(
      sizes.filter((s) => s === n).length >= 1,
      `at least one round covered all ${n} tasks in one request (sizes ${sizes.join(',')})`,
    );
  });
});
