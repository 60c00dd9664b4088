// The gateway client against docs/providers/gateway.md: the create body, both answer shapes (flat and
// {code, data} envelope; "seed 001" is the example in test/support/seeds.ts), the model list, the emulator.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

import { ProviderError } from '../../../src/core/model/errors';
import { GenerateRequest } from '../../../src/core/model/task';
import { resolveMedia } from '../../../src/core/request/media';
import { parseVideoModelList, RemoteState } from '../../../src/providers/clientKit';
import { gateway, GATEWAY_CATALOG, listGatewayModels, parseGatewayCreate, parseGatewayTask } from '../../../src/providers/gateway';
import { fixture, fixtureBase64, makeTask, pollState, rejectsWith, useEmulator } from '../../support/helpers';
import { ROOT } from '../../support/paths';
import { SEED_001_FLAT } from '../../support/seeds';

const req = (extra: Partial<GenerateRequest>): GenerateRequest => ({
  provider: 'gateway',
  model: 'kling-v1',
  prompt: 'a fox in snow',
  ...extra,
});

describe('gateway buildCreate', function () {
  it('text-to-video with seed, negative prompt, aspect ratio, size and duration', function () {
    const spec = gateway.buildCreate(
      req({ seed: 42, negativePrompt: 'blur', aspectRatio: '16:9', options: { size: '1280x720', duration: 5 } }),
      {},
      'r1',
    );
    assert.deepStrictEqual(spec, {
      path: '/v1/video/generations',
      body: {
        model: 'kling-v1',
        prompt: 'a fox in snow',
        size: '1280x720',
        duration: 5,
        metadata: { seed: 42, negative_prompt: 'blur', aspect_ratio: '16:9' },
      },
      model: 'kling-v1',
      mode: 'text-to-video',
    });
  });

  it('a plain request has no metadata, size or duration keys', function () {
    assert.deepStrictEqual(gateway.buildCreate(req({}), {}, 'r1').body, { model: 'kling-v1', prompt: 'a fox in snow' });
  });

  it('seed 0 is still sent', function () {
    assert.deepStrictEqual(gateway.buildCreate(req({ seed: 0 }), {}, 'r1').body.metadata, { seed: 0 });
  });

  it('image-to-video: local base64 as a data URI, a URL as it is', function () {
    const local = gateway.buildCreate(req({ image: '/x/cat.png' }), { image: 'QUJD', imageMime: 'image/png' }, 'r1');
    assert.deepStrictEqual(local.body, { model: 'kling-v1', prompt: 'a fox in snow', image: 'data:image/png;base64,QUJD' });
    assert.strictEqual(local.mode, 'image-to-video');
    const remote = gateway.buildCreate(req({ image: 'https://x.test/a.png' }), { image: 'https://x.test/a.png' }, 'r1');
    assert.deepStrictEqual(remote.body, { model: 'kling-v1', prompt: 'a fox in snow', image: 'https://x.test/a.png' });
  });

  it('several images become `images`', function () {
    const spec = gateway.buildCreate(
      req({ images: ['/a.png', 'https://x.test/b.jpg'] }),
      { images: ['QUJD', 'https://x.test/b.jpg'], imagesMime: ['image/png', ''] },
      'r1',
    );
    assert.deepStrictEqual(spec.body.images, ['data:image/png;base64,QUJD', 'https://x.test/b.jpg']);
    assert.strictEqual(spec.mode, 'image-to-video');
  });
});

describe('gateway against the emulator', function () {
  const h = useEmulator();

  async function createAndRecord(r: GenerateRequest): Promise<{ remoteId: string; body: Record<string, unknown> }> {
    const media = await resolveMedia(r);
    const result = await gateway.create(h.ctx(), r, media, 'r1');
    const recorded = h.em.requests('gateway.create');
    assert.strictEqual(recorded.length, 1);
    assert.deepStrictEqual(recorded[0].body, gateway.buildCreate(r, media, 'r1').body, 'create sends what buildCreate builds');
    return { remoteId: result.remoteId, body: recorded[0].body as Record<string, unknown> };
  }

  it('text-to-video: exact body received', async function () {
    const { body, remoteId } = await createAndRecord(
      req({ model: 'kling-v2-master', seed: 7, negativePrompt: 'text', aspectRatio: '9:16', options: { size: '720x1280', duration: 10 } }),
    );
    assert.deepStrictEqual(body, {
      model: 'kling-v2-master',
      prompt: 'a fox in snow',
      size: '720x1280',
      duration: 10,
      metadata: { seed: 7, negative_prompt: 'text', aspect_ratio: '9:16' },
    });
    assert.match(remoteId, /^task_[0-9a-f]{32}$/);
  });

  it('image-to-video with a local JPEG: a data URI that decodes to the file', async function () {
    const { body } = await createAndRecord(req({ model: 'viduq1', image: fixture('dog.jpg') }));
    assert.deepStrictEqual(body, { model: 'viduq1', prompt: 'a fox in snow', image: `data:image/jpeg;base64,${fixtureBase64('dog.jpg')}` });
    const b64 = (body.image as string).slice('data:image/jpeg;base64,'.length);
    assert.deepStrictEqual(Buffer.from(b64, 'base64'), fs.readFileSync(fixture('dog.jpg')));
  });

  it('image-to-video with an https URL sends the URL as it is', async function () {
    const { body } = await createAndRecord(req({ image: 'https://cdn.example.com/dog.jpg' }));
    assert.deepStrictEqual(body, { model: 'kling-v1', prompt: 'a fox in snow', image: 'https://cdn.example.com/dog.jpg' });
  });

  for (const which of ['task_id', 'id', 'both'] as const) {
    it(`reads the task id when the create answer carries ${which}`, async function () {
      h.em.setOptions({ gatewayCreateId: which });
      const { remoteId } = await createAndRecord(req({}));
      assert.match(remoteId, /^task_/);
      const out = await gateway.poll(h.ctx(), [makeTask('gateway', remoteId)]);
      assert.ok(!(out.values().next().value instanceof ProviderError), 'the id read is the one the gateway knows');
    });
  }

  for (const shape of ['flat', 'envelope'] as const) {
    it(`follows a task to completion (${shape} shape)`, async function () {
      h.em.setOptions({ gatewayShape: shape });
      const { remoteId } = await createAndRecord(req({ seed: 99 }));
      const task = makeTask('gateway', remoteId);
      const at = (): Promise<RemoteState> => pollState(gateway, h.ctx(), task);
      const q = await at();
      assert.strictEqual(q.status, 'queued');
      assert.strictEqual(q.rawStatus, shape === 'flat' ? 'queued' : 'SUBMITTED');
      h.advance(6_000);
      const r = await at();
      assert.strictEqual(r.status, 'running');
      assert.strictEqual(r.rawStatus, shape === 'flat' ? 'in_progress' : 'IN_PROGRESS');
      assert.ok(r.progress! > 0 && r.progress! < 100);
      h.advance(5_000);
      const d = await at();
      assert.strictEqual(d.status, 'succeeded');
      assert.strictEqual(d.videos.length, 1);
      assert.strictEqual(d.videos[0].url, `${h.em.baseUrl}/files/gateway/${remoteId}/video.mp4`);
      if (shape === 'flat') assert.strictEqual(d.videos[0].seed, 99);
    });

    it(`reports a failure with its reason (${shape} shape)`, async function () {
      h.em.setOptions({ gatewayShape: shape });
      const { remoteId } = await createAndRecord(req({ prompt: 'x [fail] [duration=50]' }));
      h.advance(100);
      const s = (await gateway.poll(h.ctx(), [makeTask('gateway', remoteId)])).values().next().value as RemoteState;
      assert.strictEqual(s.status, 'failed');
      assert.strictEqual(s.error, 'Emulated generation failure');
      assert.deepStrictEqual(s.videos, []);
    });

    it(`an unknown task id is notFound (${shape} shape: ${shape === 'flat' ? '404' : '400 task_not_exist'})`, async function () {
      h.em.setOptions({ gatewayShape: shape });
      const out = await gateway.poll(h.ctx(), [makeTask('gateway', 'task_nope')]);
      const e = out.values().next().value;
      assert.ok(e instanceof ProviderError, String(e));
      assert.strictEqual(e.kind, 'notFound');
      assert.strictEqual(e.status, shape === 'flat' ? 404 : 400);
      assert.strictEqual(e.providerCode, 'task_not_exist');
    });
  }

  it('an unknown status stays unknown', async function () {
    const { remoteId } = await createAndRecord(req({ prompt: 'x [unknown]' }));
    h.advance(5_000);
    const s = (await gateway.poll(h.ctx(), [makeTask('gateway', remoteId)])).values().next().value as RemoteState;
    assert.strictEqual(s.status, 'unknown');
    assert.strictEqual(s.rawStatus, 'mystery');
  });

  it('a blank prompt sent anyway is refused by the gateway with its message', async function () {
    const e = await rejectsWith(gateway.create(h.ctx(), req({ prompt: ' ' }), {}, 'r'), 'badRequest');
    assert.match(e.message, /prompt is required/);
    assert.strictEqual(e.mayHaveStarted, false);
  });

  it('testConnection lists the video models and resolves with a sentence', async function () {
    const msg = await gateway.testConnection(h.ctx());
    assert.strictEqual(msg, `The gateway at ${new URL(h.em.baseUrl).host} accepted the key (7 video models listed).`);
    assert.strictEqual(h.em.counts()['gateway.models'], 1);
  });

  it('testConnection rejects with kind auth for bad-key', async function () {
    await rejectsWith(gateway.testConnection(h.ctx('bad-key')), 'auth');
  });

  it('listModels keeps only video models', async function () {
    const models = await listGatewayModels(h.ctx());
    assert.deepStrictEqual(
      [...models].sort(),
      [
        'MiniMax-Hailuo-02',
        'doubao-seedance-1-0-pro-250528',
        'jimeng_vgfm_t2v_l20',
        'kling-v1',
        'kling-v2-master',
        'veo3',
        'viduq1',
      ].sort(),
    );
  });
});

describe('parseGatewayCreate', function () {
  it('reads task_id only, id only, and prefers task_id when both are there', function () {
    assert.strictEqual(parseGatewayCreate({ task_id: 'abc', status: 'queued', progress: 0 }), 'abc');
    assert.strictEqual(parseGatewayCreate({ id: 'def' }), 'def');
    assert.strictEqual(parseGatewayCreate({ task_id: 'abc', id: 'def' }), 'abc');
  });

  it('reads the id inside a {code, data} envelope, and numeric ids', function () {
    assert.strictEqual(parseGatewayCreate({ code: 'success', message: '', data: { task_id: 'env-1' } }), 'env-1');
    assert.strictEqual(parseGatewayCreate({ task_id: 12345 }), '12345');
  });

  it('no id at all is malformed and may have started', function () {
    for (const bad of [{}, { task_id: '' }, { status: 'queued' }, null, 'abc']) {
      assert.throws(
        () => parseGatewayCreate(bad),
        (e: unknown) => e instanceof ProviderError && e.kind === 'malformed' && e.mayHaveStarted,
        JSON.stringify(bad),
      );
    }
  });
});

describe('parseGatewayTask', function () {
  it('parses the seed 001 flat example exactly', function () {
    assert.deepStrictEqual(parseGatewayTask(SEED_001_FLAT), {
      status: 'succeeded',
      rawStatus: 'completed',
      progress: undefined,
      videos: [{ url: 'https://example.com/video.mp4', seed: 20231234, duration: 5, width: 1280, height: 720, fps: 30 }],
    });
  });

  it('flat queued / in_progress / processing with integer progress', function () {
    assert.deepStrictEqual(parseGatewayTask({ task_id: 't', status: 'queued', progress: 0 }), {
      status: 'queued',
      rawStatus: 'queued',
      progress: 0,
      videos: [],
    });
    assert.deepStrictEqual(parseGatewayTask({ task_id: 't', status: 'in_progress', progress: 45 }), {
      status: 'running',
      rawStatus: 'in_progress',
      progress: 45,
      videos: [],
    });
    assert.strictEqual(parseGatewayTask({ task_id: 't', status: 'processing' }).status, 'running');
  });

  it('flat failed carries error.message', function () {
    const s = parseGatewayTask({ task_id: 't', status: 'failed', error: { code: 451, message: 'Rejected by content review' } });
    assert.strictEqual(s.status, 'failed');
    assert.strictEqual(s.error, 'Rejected by content review');
    const bare = parseGatewayTask({ task_id: 't', status: 'failed' });
    assert.strictEqual(bare.error, 'Video gateway reported the generation failed.');
  });

  it('flat completed without a URL is a failure', function () {
    const s = parseGatewayTask({ task_id: 't', status: 'completed', format: 'mp4' });
    assert.strictEqual(s.status, 'failed');
    assert.match(s.error!, /no valid video URL/);
  });

  it('envelope IN_PROGRESS with "30%"', function () {
    assert.deepStrictEqual(parseGatewayTask({ code: 'success', data: { status: 'IN_PROGRESS', progress: '30%' } }), {
      status: 'running',
      rawStatus: 'IN_PROGRESS',
      progress: 30,
      videos: [],
    });
  });

  it('envelope queued words', function () {
    for (const w of ['NOT_START', 'SUBMITTED', 'QUEUED']) {
      const s = parseGatewayTask({ code: 'success', message: '', data: { task_id: 't', status: w, progress: '0%' } });
      assert.strictEqual(s.status, 'queued', w);
      assert.strictEqual(s.rawStatus, w);
    }
  });

  it('envelope SUCCESS with result_url', function () {
    assert.deepStrictEqual(
      parseGatewayTask({
        code: 'success',
        message: '',
        data: { task_id: 't', status: 'SUCCESS', progress: '100%', result_url: 'https://cdn.example.com/v.mp4', fail_reason: '' },
      }),
      { status: 'succeeded', rawStatus: 'SUCCESS', progress: 100, videos: [{ url: 'https://cdn.example.com/v.mp4' }] },
    );
  });

  it('envelope FAILURE with fail_reason, or with the reason in result_url', function () {
    const a = parseGatewayTask({
      code: 'success',
      data: { status: 'FAILURE', progress: '100%', fail_reason: 'quota exceeded upstream', result_url: '' },
    });
    assert.strictEqual(a.status, 'failed');
    assert.strictEqual(a.error, 'quota exceeded upstream');
    assert.deepStrictEqual(a.videos, []);
    const b = parseGatewayTask({ code: 'success', data: { status: 'FAILURE', result_url: 'upstream said no' } });
    assert.strictEqual(b.error, 'upstream said no');
  });

  it('a result_url on a non-SUCCESS status is not taken as a video', function () {
    const s = parseGatewayTask({
      code: 'success',
      data: { status: 'IN_PROGRESS', progress: '99%', result_url: 'https://cdn.example.com/partial.mp4' },
    });
    assert.deepStrictEqual(s.videos, []);
  });

  it('UNKNOWN and unheard-of statuses are unknown', function () {
    assert.strictEqual(parseGatewayTask({ code: 'success', data: { status: 'UNKNOWN' } }).status, 'unknown');
    assert.strictEqual(parseGatewayTask({ task_id: 't', status: 'mystery' }).status, 'unknown');
    assert.strictEqual(parseGatewayTask({ task_id: 't', status: 'mystery' }).rawStatus, 'mystery');
  });

  it('an envelope with code task_not_exist is notFound; other codes are business errors', function () {
    assert.throws(
      () => parseGatewayTask({ code: 'task_not_exist', message: 'task_not_exist', data: {} }),
      (e: unknown) => e instanceof ProviderError && e.kind === 'notFound' && e.providerCode === 'task_not_exist',
    );
    assert.throws(
      () => parseGatewayTask({ code: 'task_not_exist', message: 'task_not_exist' }),
      (e: unknown) => e instanceof ProviderError && e.kind === 'notFound',
    );
    assert.throws(
      () => parseGatewayTask({ code: 'get_task_failed', message: 'channel error', data: {} }),
      (e: unknown) => e instanceof ProviderError && e.kind === 'business' && /channel error/.test(e.message),
    );
  });

  it('non-objects are malformed', function () {
    for (const bad of [null, 'x', 3]) {
      assert.throws(
        () => parseGatewayTask(bad),
        (e: unknown) => e instanceof ProviderError && e.kind === 'malformed',
      );
    }
  });
});

describe('parseVideoModelList', function () {
  it('keeps video-looking ids, drops others and duplicates', function () {
    assert.deepStrictEqual(
      parseVideoModelList({
        data: [{ id: 'kling-v1' }, { id: 'gpt-4o' }, { id: 'kling-v1' }, { id: 'veo3' }, { id: 'bad id with spaces video' }, {}, 'x'],
      }),
      ['kling-v1', 'veo3'],
    );
    assert.deepStrictEqual(parseVideoModelList({}), []);
    assert.deepStrictEqual(parseVideoModelList(null), []);
  });
});

describe('gateway catalogue entries', function () {
  it('are the models of the aiVideo.gateway.models default', function () {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      contributes: { configuration: { properties: Record<string, { default?: unknown }> } };
    };
    assert.deepStrictEqual(
      GATEWAY_CATALOG.map((m) => m.id),
      manifest.contributes.configuration.properties['aiVideo.gateway.models'].default,
    );
  });
});
