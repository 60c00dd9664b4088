// fal in the real extension host, against the emulator's /fal/queue and /fal/api: the neutral words as
// the endpoint takes them (durations as strings, the frame fields, data: URIs), a 422 sent once and
// said with the field and its permitted values, a completed-but-failed result, cancel from the
// command, and the status asked about at `{owner}/{app}` only (the emulator answers 404 otherwise).
import * as assert from 'assert';
import * as vscode from 'vscode';

import type { Task } from '../../src/core/model/task';
import { FAL_QUEUE_PATH } from '../../src/emulator/fal';
import { assertPlayableFile, fixture, gen, setup, TEST_KEY, waitFor, waitForFinal } from './helpers';

const KLING_T2V = 'fal-ai/kling-video/v2.1/master/text-to-video';
const KLING_I2V = 'fal-ai/kling-video/v2.1/pro/image-to-video';

describe('fal, end to end', function () {
  this.timeout(90_000);

  it('text-to-video: the duration as the endpoint writes it, polled at owner/app, the video downloaded; prices read with the key', async () => {
    const { api, emulator } = await setup();
    const t = await gen({ provider: 'fal', model: KLING_T2V, prompt: 'a lighthouse [duration=1500]', duration: 10, aspectRatio: '9:16' });
    const sent = emulator.requests('fal.submit').at(-1)!;
    assert.strictEqual(sent.path, `${FAL_QUEUE_PATH}/${KLING_T2V}`);
    assert.deepStrictEqual(sent.body, { prompt: 'a lighthouse [duration=1500]', duration: '10', aspect_ratio: '9:16' });
    const done = await waitForFinal(api, t.id);
    assert.strictEqual(done.status, 'succeeded', done.error);
    assertPlayableFile(done);
    const mine = emulator.requests('fal.status').filter((r) => r.ids?.includes(t.remoteId));
    assert.ok(mine.length >= 1);
    assert.ok(
      mine.every((r) => r.path.startsWith(`${FAL_QUEUE_PATH}/fal-ai/kling-video/requests/${t.remoteId}/status`)),
      JSON.stringify(mine.map((r) => r.path)),
    );
    // The catalogue read fal's prices when fal was first used: at the API URL, with the key.
    const pricing = emulator.requests('fal.pricing');
    assert.ok(pricing.length >= 1, 'prices were read');
    assert.ok(pricing.every((r) => r.authorized));
  });

  it('the sub-path rule: a status URL built from the full endpoint id answers 404 at the emulator', async () => {
    const { emulator } = await setup();
    const t = await gen({ provider: 'fal', model: KLING_T2V, prompt: 'sub-path [duration=1500]' });
    const at = (path: string) =>
      fetch(`${emulator.baseUrl}${FAL_QUEUE_PATH}/${path}/requests/${t.remoteId}/status`, {
        headers: { Authorization: `Key ${TEST_KEY}` },
      });
    assert.strictEqual((await at(KLING_T2V)).status, 404);
    assert.ok([200, 202].includes((await at('fal-ai/kling-video')).status));
  });

  it('image-to-video with a last frame: both local images as data: URIs in the endpoint’s own fields', async () => {
    const { api, emulator } = await setup();
    const t = await gen({
      provider: 'fal',
      model: KLING_I2V,
      prompt: 'from here to there [duration=1500]',
      image: vscode.Uri.file(fixture('wide.png')).toString(),
      lastFrame: vscode.Uri.file(fixture('cat.png')).toString(),
      duration: 5,
    });
    const body = emulator.requests('fal.submit').at(-1)!.body as Record<string, string>;
    assert.strictEqual(body.duration, '5');
    assert.strictEqual(body.image_url.slice(0, 22), 'data:image/png;base64,');
    assert.strictEqual(body.tail_image_url.slice(0, 22), 'data:image/png;base64,');
    assert.notStrictEqual(body.image_url, body.tail_image_url);
    assert.strictEqual(t.mode, 'image-to-video');
    const done = await waitForFinal(api, t.id);
    assert.strictEqual(done.status, 'succeeded', done.error);
  });

  it('a 422 is sent once, never retried, and says which field and which values are permitted', async () => {
    const { emulator } = await setup();
    const before = emulator.counts();
    await assert.rejects(
      gen({ provider: 'fal', model: KLING_T2V, prompt: 'wrong shape', options: { aspect_ratio: '4:3' } }),
      (e: Error) => {
        assert.match(e.message, /aspect_ratio: Input should be '16:9', '9:16' or '1:1'/);
        assert.match(e.message, /nothing was started/);
        return true;
      },
    );
    const after = emulator.counts();
    assert.strictEqual(after['fal.submit'] - before['fal.submit'], 1, 'one create, no retry');
    assert.strictEqual(after['fal.status'] - before['fal.status'], 0, 'nothing to poll');
  });

  it('a duration the endpoint does not take is refused before anything is sent', async () => {
    const { emulator } = await setup();
    const before = emulator.counts()['fal.submit'];
    await assert.rejects(gen({ provider: 'fal', model: 'fal-ai/veo3.1', prompt: 'too long', duration: 5 }), /takes 4, 6 or 8 seconds/);
    assert.strictEqual(emulator.counts()['fal.submit'], before);
  });

  it('a completed request whose result is an error fails the task with fal’s reason', async () => {
    const { api } = await setup();
    const t = await gen({ provider: 'fal', model: 'fal-ai/veo3.1', prompt: 'doomed [fail] [duration=1500]' });
    const done = await waitForFinal(api, t.id);
    assert.strictEqual(done.status, 'failed');
    assert.match(done.error!, /completed but failed \[internal_error\]/);
    assert.match(done.error!, /Emulated generation failure/);
  });

  it('cancel: a queued or running task is cancelled at fal once and ends failed, "Cancelled"; a finished one cannot be', async () => {
    const { api, emulator } = await setup();
    const t = await gen({ provider: 'fal', model: 'fal-ai/veo3.1', prompt: 'never mind [duration=60000]' });
    assert.ok(t.remoteId);
    const cancelled = await vscode.commands.executeCommand<Task>('aiVideo.cancelTask', t.id);
    assert.strictEqual(cancelled.status, 'failed');
    assert.strictEqual(cancelled.error, 'Cancelled');
    assert.deepStrictEqual(
      emulator
        .requests('fal.cancel')
        .filter((r) => r.path.includes(t.remoteId))
        .map((r) => [r.method, r.path]),
      [['PUT', `${FAL_QUEUE_PATH}/fal-ai/veo3.1/requests/${t.remoteId}/cancel`]],
    );
    const kept = await waitFor('the cancelled task in the history', () => api.getTask(t.id)?.status === 'failed' && api.getTask(t.id));
    assert.strictEqual(kept.error, 'Cancelled');

    const quick = await gen({ provider: 'fal', model: 'fal-ai/veo3.1', prompt: 'already done [duration=300]' });
    await waitForFinal(api, quick.id);
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('aiVideo.cancelTask', quick.id)), /queued or running/);
    assert.strictEqual(api.getTask(quick.id)?.status, 'succeeded');
  });
});
