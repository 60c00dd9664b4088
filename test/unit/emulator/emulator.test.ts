// The provider emulator follows docs/providers/<id>.md: auth, each provider's routes and answer shapes
// ("seed 00N" are the examples in test/support/seeds.ts), result files, faults and its own bookkeeping.
import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';

import { parseArgs } from '../../../src/emulator/cli';
import { defaultFixturesDir } from '../../../src/emulator/fixtures';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../../src/emulator/server';
import {
  SEED_000_FEED,
  SEED_001_FLAT_KEYS,
  SEED_001_METADATA_KEYS,
  SEED_002_CREATE,
  SEED_002_FEED,
  SEED_002_INGREDIENT,
  SEED_003_BATCH,
} from '../../support/seeds';

const KEY = 'sk-test-key';
const T0 = Date.UTC(2025, 0, 2, 3, 4, 5);
const DURATION = 10_000;
const FIXTURES = defaultFixturesDir(__dirname);
const SAMPLE = fs.readFileSync(path.join(FIXTURES, 'sample.mp4'));
const SAMPLE_2 = fs.readFileSync(path.join(FIXTURES, 'sample-2.mp4'));
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const HIDREAM = '/api-pub/gw/v2/video';

interface OpenAiError {
  error: { message: string; type: string; param: string | null; code: string | null };
}
interface PikaVideo {
  id: string;
  status: string;
  seed: number;
  resultUrl: string;
  sharingUrl: string;
  videoPoster: string;
  imageThumb: string;
  duration: number;
  error: string;
  progress: number;
}
interface PikaFeed {
  id: string;
  promptText: string;
  videos: PikaVideo[];
}
interface GatewayFlat {
  task_id: string;
  status: string;
  progress: number;
  url?: string;
  format: string;
  metadata: { duration: number; fps: number; width: number; height: number; seed: number };
  error?: { code: number; message: string };
}
interface GatewayEnvelope {
  code: string;
  message: string;
  data: {
    task_id: string;
    action: string;
    status: string;
    progress: string;
    result_url: string;
    fail_reason: string;
    submit_time: number;
    start_time: number;
    finish_time: number;
  };
}
interface SubTaskResult {
  sub_task_id: string;
  task_status: number;
  task_completion: number;
  video: string;
  video_wm: string;
}
interface HidreamResult {
  task_id: string;
  sub_task_results: SubTaskResult[];
}
interface HidreamEnvelope<R> {
  code: number;
  message: string;
  request_id: string;
  result: R;
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  bytes: Buffer;
}

function keys(o: object): string[] {
  return Object.keys(o).sort();
}

function json<T>(a: Answer): T {
  return JSON.parse(a.text) as T;
}

function dataUri(file: string, type: string): string {
  return `data:${type};base64,${fs.readFileSync(path.join(FIXTURES, file)).toString('base64')}`;
}

describe('provider emulator', function () {
  let emu: Emulator;
  let clock = T0;

  async function call(
    method: string,
    urlPath: string,
    opts: { key?: string | null; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = { ...opts.headers };
    const key = opts.key === undefined ? KEY : opts.key;
    if (key !== null) headers.Authorization = `Bearer ${key}`;
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    }
    const url = urlPath.startsWith('http') ? urlPath : `${emu.baseUrl}${urlPath}`;
    const res = await fetch(url, { method, headers, body });
    const bytes = Buffer.from(await res.arrayBuffer());
    return { status: res.status, headers: res.headers, text: bytes.toString('utf8'), bytes };
  }

  const advance = (ms: number): void => {
    clock += ms;
  };

  async function createPika(promptText: string, extra: Record<string, unknown> = {}): Promise<string> {
    const a = await call('POST', '/pika/generate', { body: { ...SEED_002_CREATE, promptText, ...extra } });
    assert.strictEqual(a.status, 200, a.text);
    return json<{ id: string }>(a).id;
  }
  const feed = async (id: string): Promise<PikaFeed> => json<PikaFeed>(await call('GET', `/pika/feed/${id}`));

  async function createGateway(prompt: string, extra: Record<string, unknown> = {}): Promise<string> {
    const a = await call('POST', '/v1/video/generations', { body: { model: 'kling-v1', prompt, ...extra } });
    assert.strictEqual(a.status, 200, a.text);
    const created = json<{ task_id?: string; id?: string }>(a);
    return (created.task_id ?? created.id) as string;
  }

  async function createHidream(module: string, body: Record<string, unknown>): Promise<HidreamEnvelope<{ task_id: string }>> {
    const a = await call('POST', `${HIDREAM}/${module}/async`, { body });
    assert.strictEqual(a.status, 200, a.text);
    return json<HidreamEnvelope<{ task_id: string }>>(a);
  }
  async function hidreamOne(module: string, taskId: string): Promise<HidreamResult> {
    const a = await call('GET', `${HIDREAM}/${module}/async/results?task_id=${encodeURIComponent(taskId)}`);
    assert.strictEqual(a.status, 200, a.text);
    const env = json<HidreamEnvelope<HidreamResult>>(a);
    assert.strictEqual(env.code, 0, env.message);
    return env.result;
  }

  before(async function () {
    emu = await startEmulator({ durationMs: DURATION, queuedFraction: 0.2, now: () => clock });
  });

  after(async function () {
    await emu.close();
  });

  beforeEach(function () {
    clock = T0;
    emu.clearFaults();
    emu.resetCounts();
    emu.setOptions({
      durationMs: DURATION,
      queuedFraction: 0.2,
      gatewayShape: 'flat',
      gatewayCreateId: 'both',
      hidreamLimits: false,
      now: () => clock,
    });
  });

  it('binds 127.0.0.1 and reports its port in baseUrl', function () {
    assert.match(emu.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.strictEqual(emu.baseUrl, `http://127.0.0.1:${emu.port}`);
    assert.ok(emu.port > 0);
  });

  describe('auth', function () {
    it('answers 401 OpenAI-style on Pika and gateway routes without a key or with a bad key', async function () {
      const routes: Array<[string, string, unknown]> = [
        ['POST', '/pika/generate', SEED_002_CREATE],
        ['GET', '/pika/feed/whatever', undefined],
        ['POST', '/v1/video/generations', { model: 'kling-v1', prompt: 'a cat' }],
        ['GET', '/v1/video/generations/task_x', undefined],
        ['GET', '/v1/models', undefined],
      ];
      for (const [method, p, body] of routes) {
        for (const key of [null, '', 'bad-key']) {
          const a = await call(method, p, { key, body });
          assert.strictEqual(a.status, 401, `${method} ${p} key=${String(key)}`);
          const e = json<OpenAiError>(a).error;
          assert.strictEqual(e.code, 'invalid_api_key');
          assert.ok(['invalid_request_error', 'authentication_error'].includes(e.type));
          assert.strictEqual(e.param, null);
          assert.ok(e.message.length > 0);
        }
      }
      assert.strictEqual(emu.counts()['pika.generate'], 3);
      const recorded = emu.requests('pika.generate');
      assert.deepStrictEqual(
        recorded.map((r) => [r.authorized, r.hadAuthorizationHeader]),
        [
          [false, false],
          [false, true],
          [false, true],
        ],
      );
    });

    it('answers 401 with the HiDream envelope on HiDream routes', async function () {
      for (const [method, p, body] of [
        ['POST', `${HIDREAM}/txt2video/async`, { prompt: 'a cat' }],
        ['POST', `${HIDREAM}/img2video/async/results/batch`, { task_id_list: [] }],
        ['GET', `${HIDREAM}/video_edit/async/results?task_id=x`, undefined],
      ] as Array<[string, string, unknown]>) {
        for (const key of [null, 'bad-token']) {
          const a = await call(method, p, { key, body });
          assert.strictEqual(a.status, 401);
          const env = json<HidreamEnvelope<null>>(a);
          assert.deepStrictEqual(keys(env), ['code', 'message', 'request_id', 'result']);
          assert.notStrictEqual(env.code, 0);
          assert.strictEqual(env.result, null);
          assert.ok(env.message.length > 0);
        }
      }
    });

    it('does not create anything for an unauthorized create', async function () {
      const a = await call('POST', '/pika/generate', { key: 'bad-key', body: SEED_002_CREATE });
      assert.strictEqual(a.status, 401);
      assert.ok(!('id' in json<object>(a)));
    });
  });

  describe('Pika', function () {
    it('moves a task through queued, pending and finished with the seed-002 video shape', async function () {
      const id = await createPika('Plane fly');
      assert.match(id, UUID_V4);

      let f = await feed(id);
      assert.deepStrictEqual(keys(f), keys(SEED_002_FEED));
      assert.strictEqual(f.id, id);
      assert.strictEqual(f.promptText, 'Plane fly');
      assert.strictEqual(f.videos.length, 1);
      let v = f.videos[0];
      assert.deepStrictEqual(Object.keys(v), Object.keys(SEED_002_FEED.videos[0]));
      assert.strictEqual(v.id, id);
      assert.strictEqual(v.status, 'queued');
      assert.strictEqual(v.progress, 0);
      assert.deepStrictEqual([v.resultUrl, v.sharingUrl, v.videoPoster, v.imageThumb], ['', '', '', '']);
      assert.ok(Number.isInteger(v.seed) && v.seed >= 0 && v.seed <= 0xffffffff);
      const seed = v.seed;

      advance(DURATION * 0.2);
      v = (await feed(id)).videos[0];
      assert.strictEqual(v.status, 'pending');
      assert.ok(v.progress >= 1 && v.progress <= 99, String(v.progress));
      const early = v.progress;
      advance(DURATION * 0.5);
      v = (await feed(id)).videos[0];
      assert.strictEqual(v.status, 'pending');
      assert.ok(v.progress > early && v.progress <= 99, `${early} -> ${v.progress}`);
      assert.strictEqual(v.resultUrl, '');
      assert.strictEqual(emu.taskFinishedAt(id), undefined);

      advance(DURATION * 0.3);
      f = await feed(id);
      v = f.videos[0];
      assert.deepStrictEqual(Object.keys(v), Object.keys(SEED_002_FEED.videos[0]));
      assert.strictEqual(v.status, 'finished');
      assert.strictEqual(v.progress, 100);
      assert.strictEqual(v.error, '');
      assert.strictEqual(v.seed, seed);
      assert.strictEqual(v.duration, 3);
      assert.strictEqual(v.resultUrl, `${emu.baseUrl}/files/pika/${id}/Plane_fly_seed${seed}.mp4`);
      assert.strictEqual(v.sharingUrl, `${emu.baseUrl}/files/pika/${id}/Plane_fly_seed${seed}_share.mp4`);
      assert.strictEqual(v.videoPoster, `${emu.baseUrl}/files/pika/${id}/poster.jpg`);
      assert.strictEqual(v.imageThumb, `${emu.baseUrl}/files/pika/${id}/thumbnail.jpg`);
      assert.strictEqual(emu.taskFinishedAt(id), T0 + DURATION);
    });

    it('reproduces the key sets of the seed 000 and 002 feed examples', async function () {
      const id = await createPika('苹果蒸发');
      advance(DURATION);
      const f = await feed(id);
      assert.deepStrictEqual(keys(f), keys(SEED_000_FEED));
      assert.deepStrictEqual(keys(f.videos[0]), keys(SEED_002_FEED.videos[0]));
      for (const k of Object.keys(SEED_000_FEED.videos[0])) assert.ok(k in f.videos[0], k);
      for (const k of keys(SEED_002_FEED.videos[0])) {
        assert.strictEqual(
          typeof (f.videos[0] as unknown as Record<string, unknown>)[k],
          typeof (SEED_002_FEED.videos[0] as Record<string, unknown>)[k],
          k,
        );
      }
      // As in seed 000 (docs/providers/pika.md): each of the four non-ASCII characters becomes `_`, then `_seed<seed>`.
      assert.strictEqual(f.videos[0].resultUrl, `${emu.baseUrl}/files/pika/${id}/_____seed${f.videos[0].seed}.mp4`);
    });

    it('accepts the seed 002 request bodies and answers {id}', async function () {
      for (const body of [SEED_002_CREATE, SEED_002_INGREDIENT]) {
        const a = await call('POST', '/pika/generate', { body });
        assert.strictEqual(a.status, 200, a.text);
        const created = json<{ id: string }>(a);
        assert.deepStrictEqual(keys(created), ['id']);
        assert.match(created.id, UUID_V4);
      }
    });

    it('accepts image-to-video with a base64 image and ingredients given as data URIs', async function () {
      const image = fs.readFileSync(path.join(FIXTURES, 'cat.png')).toString('base64');
      const { aspectRatio: _dropped, ...optionsWithoutRatio } = SEED_002_CREATE.options;
      let a = await call('POST', '/pika/generate', { body: { ...SEED_002_CREATE, image, options: optionsWithoutRatio } });
      assert.strictEqual(a.status, 200, a.text);
      a = await call('POST', '/pika/generate', {
        body: { ...SEED_002_INGREDIENT, ingredient: [dataUri('cat.png', 'image/png'), dataUri('dog.jpg', 'image/jpeg')] },
      });
      assert.strictEqual(a.status, 200, a.text);
    });

    it('rejects bad create bodies with a 400 naming the field', async function () {
      const { aspectRatio: _dropped, ...noRatio } = SEED_002_CREATE.options;
      const cases: Array<[string, Record<string, unknown>]> = [
        ['promptText', { ...SEED_002_CREATE, promptText: 42 }],
        ['model', { ...SEED_002_CREATE, model: '3.0' }],
        ['image', { ...SEED_002_CREATE, image: '', options: noRatio }],
        ['image', { ...SEED_002_CREATE, image: 'not base64 at all!', options: noRatio }],
        ['options.aspectRatio', { ...SEED_002_CREATE, image: 'https://example.com/cat.png' }],
        ['options.aspectRatio', { ...SEED_002_CREATE, options: { ...SEED_002_CREATE.options, aspectRatio: 3 } }],
        ['options.frameRate', { ...SEED_002_CREATE, options: { ...SEED_002_CREATE.options, frameRate: 30 } }],
        ['options.frameRate', { ...SEED_002_CREATE, options: { ...SEED_002_CREATE.options, frameRate: 12.5 } }],
        [
          'options.parameters.guidanceScale',
          { ...SEED_002_CREATE, options: { ...SEED_002_CREATE.options, parameters: { guidanceScale: 30, motion: 1 } } },
        ],
        [
          'options.parameters.motion',
          { ...SEED_002_CREATE, options: { ...SEED_002_CREATE.options, parameters: { guidanceScale: 12, motion: 5 } } },
        ],
        ['pikaffect', { ...SEED_002_CREATE, pikaffect: 'Vaporize' }],
        ['ingredient', { ...SEED_002_INGREDIENT, model: '1.5' }],
        ['ingredient', { ...SEED_002_INGREDIENT, ingredient: ['https://example.com/a.png'] }],
        ['ingredient[1]', { ...SEED_002_INGREDIENT, ingredient: ['https://example.com/a.png', ''] }],
        ['image', { ...SEED_002_INGREDIENT, image: 'https://example.com/a.png' }],
        ['options.ingredients-mode', { ...SEED_002_INGREDIENT, options: { ...SEED_002_INGREDIENT.options, 'ingredients-mode': 'loose' } }],
      ];
      for (const [param, body] of cases) {
        const a = await call('POST', '/pika/generate', { body });
        assert.strictEqual(a.status, 400, `${param}: ${a.text}`);
        const e = json<OpenAiError>(a).error;
        assert.strictEqual(e.param, param, a.text);
        assert.strictEqual(e.type, 'invalid_request_error');
        assert.ok(e.message.length > 0);
      }
      const malformed = await call('POST', '/pika/generate', { body: '{"promptText": ' });
      assert.strictEqual(malformed.status, 400);
    });

    it('accepts every listed pikaffect', async function () {
      for (const pikaffect of ['Levitate', 'Eye-pop', 'Ta-da', 'Cake-ify', 'Peel', 'Poke', 'Tear']) {
        const a = await call('POST', '/pika/generate', { body: { ...SEED_002_CREATE, pikaffect } });
        assert.strictEqual(a.status, 200, `${pikaffect}: ${a.text}`);
      }
    });

    it('answers 404 OpenAI-style for an unknown feed id', async function () {
      const a = await call('GET', '/pika/feed/00000000-0000-4000-8000-000000000000');
      assert.strictEqual(a.status, 404);
      const e = json<OpenAiError>(a).error;
      assert.deepStrictEqual(keys(e), ['code', 'message', 'param', 'type']);
    });

    it('fails [fail] and [reject] tasks with their messages', async function () {
      const failed = await createPika('a cat [FAIL]');
      const rejected = await createPika('a cat [reject]');
      advance(DURATION);
      const vf = (await feed(failed)).videos[0];
      assert.strictEqual(vf.status, 'error');
      assert.strictEqual(vf.error, 'Emulated generation failure');
      assert.strictEqual(vf.resultUrl, '');
      const vr = (await feed(rejected)).videos[0];
      assert.strictEqual(vr.status, 'error');
      assert.match(vr.error, /content review/i);
      assert.strictEqual(emu.taskFinishedAt(failed), T0 + DURATION);
    });

    it('yields N videos for [subtasks=N], the first with the task id, alternating the samples', async function () {
      const id = await createPika('three [subtasks=3]');
      advance(DURATION);
      const videos = (await feed(id)).videos;
      assert.strictEqual(videos.length, 3);
      assert.strictEqual(videos[0].id, id);
      assert.strictEqual(new Set(videos.map((v) => v.id)).size, 3);
      assert.deepStrictEqual(
        videos.map((v) => v.duration),
        [3, 2, 3],
      );
      const second = await call('GET', videos[1].resultUrl, { key: null });
      assert.ok(second.bytes.equals(SAMPLE_2));
    });

    it('reports an unknown status for [unknown] while running, then finishes', async function () {
      const id = await createPika('odd [unknown]');
      assert.strictEqual((await feed(id)).videos[0].status, 'queued');
      advance(DURATION / 2);
      assert.strictEqual((await feed(id)).videos[0].status, 'mystery');
      advance(DURATION / 2);
      assert.strictEqual((await feed(id)).videos[0].status, 'finished');
    });

    it('never finishes a [never] task and honours [duration=MS]', async function () {
      const never = await createPika('stuck [never]');
      const quick = await createPika('quick [duration=1000]');
      advance(1000);
      assert.strictEqual((await feed(quick)).videos[0].status, 'finished');
      assert.strictEqual(emu.taskFinishedAt(quick), T0 + 1000);
      advance(100 * DURATION);
      const v = (await feed(never)).videos[0];
      assert.strictEqual(v.status, 'pending');
      assert.strictEqual(v.progress, 50);
      assert.strictEqual(emu.taskFinishedAt(never), undefined);
    });

    it('accepts the double slash of the seed feed URL', async function () {
      const id = await createPika('double slash');
      const a = await call('GET', `//pika/feed/${id}`);
      assert.strictEqual(a.status, 200);
      assert.strictEqual(json<PikaFeed>(a).id, id);
    });
  });

  describe('gateway', function () {
    it('answers create with task_id and id by default, status queued, progress 0', async function () {
      const a = await call('POST', '/v1/video/generations', {
        body: { model: 'kling-v1', prompt: 'a cat', size: '1280x720', duration: 5 },
      });
      assert.strictEqual(a.status, 200);
      const created = json<{ task_id: string; id: string; status: string; progress: number }>(a);
      assert.deepStrictEqual(keys(created), ['id', 'progress', 'status', 'task_id']);
      assert.strictEqual(created.task_id, created.id);
      assert.strictEqual(created.status, 'queued');
      assert.strictEqual(created.progress, 0);
    });

    it('carries only the configured id field on create', async function () {
      emu.setOptions({ gatewayCreateId: 'task_id' });
      let created = json<object>(await call('POST', '/v1/video/generations', { body: { model: 'viduq1', prompt: 'x' } }));
      assert.ok('task_id' in created && !('id' in created));
      emu.setOptions({ gatewayCreateId: 'id' });
      created = json<object>(await call('POST', '/v1/video/generations', { body: { model: 'viduq1', prompt: 'x' } }));
      assert.ok('id' in created && !('task_id' in created));
      const id = (created as { id: string }).id;
      assert.strictEqual((await call('GET', `/v1/video/generations/${id}`)).status, 200);
    });

    it('moves a flat task through queued, in_progress and completed (seed 001 shape)', async function () {
      const id = await createGateway('a cat', { metadata: { seed: 20231234 } });
      const get = async (): Promise<GatewayFlat> => json<GatewayFlat>(await call('GET', `/v1/video/generations/${id}`));
      let t = await get();
      assert.strictEqual(t.task_id, id);
      assert.strictEqual(t.status, 'queued');
      assert.strictEqual(t.progress, 0);
      assert.ok(!('url' in t) && !('error' in t));
      advance(DURATION * 0.6);
      t = await get();
      assert.strictEqual(t.status, 'in_progress');
      assert.ok(Number.isInteger(t.progress) && t.progress > 0 && t.progress < 100);
      advance(DURATION * 0.4);
      t = await get();
      assert.strictEqual(t.status, 'completed');
      assert.strictEqual(t.progress, 100);
      assert.strictEqual(t.format, 'mp4');
      assert.strictEqual(t.url, `${emu.baseUrl}/files/gateway/${id}/video.mp4`);
      assert.deepStrictEqual(t.metadata, { duration: 3, fps: 24, width: 320, height: 180, seed: 20231234 });
      assert.deepStrictEqual(keys(t.metadata), [...SEED_001_METADATA_KEYS].sort());
      assert.ok(!('error' in t));
      const file = await call('GET', t.url as string, { key: null });
      assert.ok(file.bytes.equals(SAMPLE));
    });

    it('covers every seed 001 field between a completed and a failed task', async function () {
      const ok = await createGateway('fine');
      const bad = await createGateway('broken [fail]');
      advance(DURATION);
      const done = json<GatewayFlat>(await call('GET', `/v1/video/generations/${ok}`));
      const failed = json<GatewayFlat>(await call('GET', `/v1/video/generations/${bad}`));
      for (const k of SEED_001_FLAT_KEYS) assert.ok(k in done || k in failed, k);
      assert.strictEqual(failed.status, 'failed');
      assert.ok(!('url' in failed));
      assert.deepStrictEqual(keys(failed.error as object), ['code', 'message']);
      assert.ok(Number.isInteger(failed.error?.code));
      assert.strictEqual(failed.error?.message, 'Emulated generation failure');
    });

    it('reports the content review on a [reject] task', async function () {
      const id = await createGateway('nope [reject]');
      advance(DURATION);
      const t = json<GatewayFlat>(await call('GET', `/v1/video/generations/${id}`));
      assert.strictEqual(t.status, 'failed');
      assert.match(t.error?.message ?? '', /content review/i);
    });

    it('answers the envelope shape with SUBMITTED, QUEUED, IN_PROGRESS, SUCCESS', async function () {
      emu.setOptions({ gatewayShape: 'envelope' });
      const id = await createGateway('a dog');
      const get = async (): Promise<GatewayEnvelope> => json<GatewayEnvelope>(await call('GET', `/v1/video/generations/${id}`));
      let e = await get();
      assert.strictEqual(e.code, 'success');
      assert.deepStrictEqual(keys(e), ['code', 'data', 'message']);
      assert.deepStrictEqual(keys(e.data), [
        'action',
        'fail_reason',
        'finish_time',
        'progress',
        'result_url',
        'start_time',
        'status',
        'submit_time',
        'task_id',
      ]);
      assert.strictEqual(e.data.task_id, id);
      assert.strictEqual(e.data.action, 'generate');
      assert.strictEqual(e.data.status, 'SUBMITTED');
      assert.strictEqual(e.data.progress, '0%');
      assert.strictEqual(e.data.result_url, '');
      assert.strictEqual(e.data.submit_time, Math.floor(T0 / 1000));
      assert.strictEqual(e.data.start_time, 0);
      advance(DURATION * 0.15);
      assert.strictEqual((await get()).data.status, 'QUEUED');
      advance(DURATION * 0.35);
      e = await get();
      assert.strictEqual(e.data.status, 'IN_PROGRESS');
      assert.match(e.data.progress, /^([1-9]|[1-9]\d)%$/);
      assert.strictEqual(e.data.start_time, Math.floor((T0 + DURATION * 0.2) / 1000));
      assert.strictEqual(e.data.finish_time, 0);
      advance(DURATION * 0.5);
      e = await get();
      assert.strictEqual(e.data.status, 'SUCCESS');
      assert.strictEqual(e.data.progress, '100%');
      assert.strictEqual(e.data.result_url, `${emu.baseUrl}/files/gateway/${id}/video.mp4`);
      assert.strictEqual(e.data.fail_reason, '');
      assert.strictEqual(e.data.finish_time, Math.floor((T0 + DURATION) / 1000));
    });

    it('puts the failure text in result_url and fail_reason on FAILURE, and UNKNOWN for [unknown]', async function () {
      emu.setOptions({ gatewayShape: 'envelope' });
      const bad = await createGateway('bad [fail]');
      const odd = await createGateway('odd [unknown]');
      advance(DURATION / 2);
      assert.strictEqual(json<GatewayEnvelope>(await call('GET', `/v1/video/generations/${odd}`)).data.status, 'UNKNOWN');
      advance(DURATION / 2);
      const e = json<GatewayEnvelope>(await call('GET', `/v1/video/generations/${bad}`)).data;
      assert.strictEqual(e.status, 'FAILURE');
      assert.strictEqual(e.result_url, 'Emulated generation failure');
      assert.strictEqual(e.fail_reason, 'Emulated generation failure');
      assert.strictEqual(json<GatewayEnvelope>(await call('GET', `/v1/video/generations/${odd}`)).data.status, 'SUCCESS');
    });

    it('lets [envelope] and [flat] pick the shape of one task', async function () {
      const env = await createGateway('boxed [envelope]');
      const flatTask = await createGateway('plain [unknown]');
      const a = json<GatewayEnvelope>(await call('GET', `/v1/video/generations/${env}`));
      assert.strictEqual(a.code, 'success');
      emu.setOptions({ gatewayShape: 'envelope' });
      const forcedFlat = await createGateway('plain [flat] [unknown]');
      advance(DURATION / 2);
      const b = json<GatewayFlat>(await call('GET', `/v1/video/generations/${forcedFlat}`));
      assert.strictEqual(b.status, 'mystery');
      const c = json<GatewayEnvelope>(await call('GET', `/v1/video/generations/${flatTask}`));
      assert.strictEqual(c.data.status, 'UNKNOWN');
    });

    it('answers an unknown task 404 (flat) or 400 task_not_exist (envelope)', async function () {
      let a = await call('GET', '/v1/video/generations/task_missing');
      assert.strictEqual(a.status, 404);
      assert.deepStrictEqual(json<OpenAiError>(a).error, {
        message: json<OpenAiError>(a).error.message,
        type: 'invalid_request_error',
        param: 'task_id',
        code: 'task_not_exist',
      });
      emu.setOptions({ gatewayShape: 'envelope' });
      a = await call('GET', '/v1/video/generations/task_missing');
      assert.strictEqual(a.status, 400);
      assert.deepStrictEqual(json<object>(a), { code: 'task_not_exist', message: 'task_not_exist' });
    });

    it('validates create bodies', async function () {
      const blank = await call('POST', '/v1/video/generations', { body: { model: 'kling-v1', prompt: '   ' } });
      assert.strictEqual(blank.status, 400);
      const e = json<OpenAiError>(blank).error;
      assert.strictEqual(e.type, 'invalid_request_error');
      assert.strictEqual(e.param, 'prompt');
      assert.strictEqual(e.code, null);
      const cases: Array<[string, Record<string, unknown>]> = [
        ['model', { prompt: 'x' }],
        ['prompt', { model: 'kling-v1' }],
        ['size', { model: 'kling-v1', prompt: 'x', size: '1280*720' }],
        ['duration', { model: 'kling-v1', prompt: 'x', duration: 2.5 }],
        ['image', { model: 'kling-v1', prompt: 'x', image: 'ftp://example.com/a.png' }],
        ['images[1]', { model: 'kling-v1', prompt: 'x', images: ['https://example.com/a.png', 42] }],
        ['metadata', { model: 'kling-v1', prompt: 'x', metadata: [1] }],
      ];
      for (const [param, body] of cases) {
        const a = await call('POST', '/v1/video/generations', { body });
        assert.strictEqual(a.status, 400, param);
        assert.strictEqual(json<OpenAiError>(a).error.param, param);
      }
      const withImages = await call('POST', '/v1/video/generations', {
        body: {
          model: 'viduq1',
          prompt: 'x',
          image: dataUri('cat.png', 'image/png'),
          images: ['https://example.com/a.png', dataUri('dog.jpg', 'image/jpeg')],
        },
      });
      assert.strictEqual(withImages.status, 200, withImages.text);
    });

    it('lists models with the video model ids', async function () {
      const a = await call('GET', '/v1/models');
      assert.strictEqual(a.status, 200);
      const list = json<{ object: string; data: Array<{ id: string; object: string; owned_by: string }> }>(a);
      assert.strictEqual(list.object, 'list');
      const ids = list.data.map((m) => m.id);
      for (const id of [
        'kling-v1',
        'kling-v2-master',
        'viduq1',
        'jimeng_vgfm_t2v_l20',
        'doubao-seedance-1-0-pro-250528',
        'veo3',
        'MiniMax-Hailuo-02',
      ]) {
        assert.ok(ids.includes(id), id);
      }
      assert.ok(ids.length > 7);
      for (const m of list.data) assert.strictEqual(m.object, 'model');
    });
  });

  describe('HiDream', function () {
    it('creates a task and moves it from waiting through processing to done', async function () {
      const created = await createHidream('txt2video', { prompt: 'a red fox', aspect_ratio: '16:9', motion_strength: 9 });
      assert.deepStrictEqual(keys(created), ['code', 'message', 'request_id', 'result']);
      assert.strictEqual(created.code, 0);
      assert.strictEqual(created.message, 'Success');
      assert.deepStrictEqual(keys(created.result), ['task_id']);
      const id = created.result.task_id;

      let r = await hidreamOne('txt2video', id);
      assert.strictEqual(r.task_id, id);
      assert.strictEqual(r.sub_task_results.length, 1);
      let s = r.sub_task_results[0];
      assert.deepStrictEqual(keys(s), keys(SEED_003_BATCH.result[0].sub_task_results[0]));
      assert.strictEqual(s.task_status, 0);
      assert.strictEqual(s.task_completion, 0);
      assert.strictEqual(s.video, '');
      assert.strictEqual(s.video_wm, '');
      advance(DURATION / 2);
      s = (await hidreamOne('txt2video', id)).sub_task_results[0];
      assert.strictEqual(s.task_status, 2);
      assert.ok(s.task_completion > 0 && s.task_completion < 1);
      assert.strictEqual(Math.round(s.task_completion * 100) / 100, s.task_completion);
      advance(DURATION / 2);
      r = await hidreamOne('txt2video', id);
      s = r.sub_task_results[0];
      assert.strictEqual(s.task_status, 1);
      assert.strictEqual(s.task_completion, 1);
      assert.strictEqual(s.video, `${emu.baseUrl}/files/hidream/${s.sub_task_id}.mp4`);
      assert.strictEqual(s.video_wm, `${emu.baseUrl}/files/hidream/${s.sub_task_id}_wm.mp4`);
      assert.strictEqual(emu.taskFinishedAt(id), T0 + DURATION);
      assert.ok((await call('GET', s.video_wm, { key: null })).bytes.equals(SAMPLE));
    });

    it('reproduces the seed 003 batch shape, keeps request order, empties unknown ids', async function () {
      const a = (await createHidream('txt2video', { prompt: 'one' })).result.task_id;
      const b = (await createHidream('txt2video', { prompt: 'two' })).result.task_id;
      const other = (await createHidream('img2video', { image: 'https://example.com/cat.png' })).result.task_id;
      advance(DURATION);
      const res = await call('POST', `${HIDREAM}/txt2video/async/results/batch`, {
        body: { task_id_list: [b, 'f48051cc-e109-11ee-b588-be4091741d67', a, other] },
      });
      assert.strictEqual(res.status, 200);
      const env = json<HidreamEnvelope<HidreamResult[]>>(res);
      assert.deepStrictEqual(keys(env), keys(SEED_003_BATCH));
      assert.strictEqual(env.code, 0);
      assert.deepStrictEqual(
        env.result.map((r) => r.task_id),
        [b, 'f48051cc-e109-11ee-b588-be4091741d67', a, other],
      );
      assert.deepStrictEqual(keys(env.result[0]), keys(SEED_003_BATCH.result[0]));
      assert.deepStrictEqual(keys(env.result[0].sub_task_results[0]), keys(SEED_003_BATCH.result[0].sub_task_results[0]));
      assert.deepStrictEqual(env.result[1].sub_task_results, []);
      assert.strictEqual(env.result[2].sub_task_results[0].task_status, 1);
      assert.deepStrictEqual(env.result[3].sub_task_results, [], 'a task of another module is not found here');
      assert.strictEqual(emu.counts()['hidream.txt2video.batch'], 1);
    });

    it('returns the same task for a repeated request_id without creating another', async function () {
      const first = await createHidream('txt2video', { prompt: 'same [duration=2000]', request_id: 'req-42' });
      advance(1000);
      const second = await createHidream('txt2video', { prompt: 'same [duration=2000]', request_id: 'req-42' });
      assert.strictEqual(second.result.task_id, first.result.task_id);
      assert.strictEqual(second.request_id, 'req-42');
      advance(1000);
      // Still the first task's clock: finished 2 s after the first create.
      assert.strictEqual((await hidreamOne('txt2video', first.result.task_id)).sub_task_results[0].task_status, 1);
      const third = await createHidream('txt2video', { prompt: 'same', request_id: 'req-43' });
      assert.notStrictEqual(third.result.task_id, first.result.task_id);
    });

    it('answers validation errors with HTTP 200 and a nonzero code', async function () {
      const cases: Array<[string, Record<string, unknown>, RegExp]> = [
        ['txt2video', {}, /prompt/],
        ['txt2video', { prompt: 'x', aspect_ratio: '4:3' }, /aspect_ratio/],
        ['txt2video', { prompt: 'x', camera_move_horizontal: 6 }, /camera_move_horizontal/],
        ['txt2video', { prompt: 'x', camera_move_depth: 1.5 }, /camera_move_depth/],
        ['txt2video', { prompt: 'x', motion_strength: 31 }, /motion_strength/],
        ['txt2video', { prompt: 'x', resolution_ratio: 1000 }, /resolution_ratio/],
        ['img2video', { prompt: 'x' }, /image/],
        ['video_edit', { style: 'anime' }, /video_name/],
        ['video_edit', { video_name: 'https://example.com/a.mp4' }, /prompt or style/],
        ['video_edit', { video_name: 'https://example.com/a.mp4', style: 'van_gogh' }, /style/],
      ];
      for (const [module, body, message] of cases) {
        const a = await call('POST', `${HIDREAM}/${module}/async`, { body });
        assert.strictEqual(a.status, 200, `${module} ${JSON.stringify(body)}`);
        const env = json<HidreamEnvelope<unknown>>(a);
        assert.notStrictEqual(env.code, 0, JSON.stringify(body));
        assert.match(env.message, message);
        assert.strictEqual(env.result, null);
      }
      const badBatch = json<HidreamEnvelope<unknown>>(
        await call('POST', `${HIDREAM}/txt2video/async/results/batch`, { body: { task_id_list: 'x' } }),
      );
      assert.notStrictEqual(badBatch.code, 0);
      const noId = json<HidreamEnvelope<unknown>>(await call('GET', `${HIDREAM}/txt2video/async/results`));
      assert.notStrictEqual(noId.code, 0);
    });

    it('accepts img2video with only an image and video_edit with a style', async function () {
      const img = await createHidream('img2video', { image: dataUri('dog.jpg', 'image/jpeg') });
      assert.strictEqual(img.code, 0);
      const edit = await createHidream('video_edit', { video_name: 'https://example.com/in.mp4', style: 'van_goph' });
      assert.strictEqual(edit.code, 0);
      const editPrompt = await createHidream('video_edit', { video_name: SAMPLE.toString('base64'), prompt: 'make it snow [fail]' });
      advance(DURATION);
      assert.strictEqual((await hidreamOne('video_edit', editPrompt.result.task_id)).sub_task_results[0].task_status, 3);
      assert.strictEqual((await hidreamOne('video_edit', edit.result.task_id)).sub_task_results[0].task_status, 1);
    });

    it('marks [reject] as status 4 and [unknown] as status 7 while running', async function () {
      const rejected = (await createHidream('txt2video', { prompt: 'nope [reject]' })).result.task_id;
      const odd = (await createHidream('txt2video', { prompt: 'odd [unknown]' })).result.task_id;
      advance(DURATION / 2);
      assert.strictEqual((await hidreamOne('txt2video', odd)).sub_task_results[0].task_status, 7);
      advance(DURATION / 2);
      assert.strictEqual((await hidreamOne('txt2video', rejected)).sub_task_results[0].task_status, 4);
      assert.strictEqual((await hidreamOne('txt2video', odd)).sub_task_results[0].task_status, 1);
    });

    it('gives [subtasks=N] N sub-tasks alternating the two samples', async function () {
      const id = (await createHidream('txt2video', { prompt: 'many [subtasks=3]' })).result.task_id;
      advance(DURATION);
      const subs = (await hidreamOne('txt2video', id)).sub_task_results;
      assert.strictEqual(subs.length, 3);
      assert.strictEqual(new Set(subs.map((s) => s.sub_task_id)).size, 3);
      const bodies = await Promise.all(subs.map(async (s) => (await call('GET', s.video, { key: null })).bytes));
      assert.ok(bodies[0].equals(SAMPLE));
      assert.ok(bodies[1].equals(SAMPLE_2));
      assert.ok(bodies[2].equals(SAMPLE));
    });

    it('answers 404 for an unknown module', async function () {
      const a = await call('POST', `${HIDREAM}/img2music/async`, { body: { prompt: 'x' } });
      assert.strictEqual(a.status, 404);
      assert.notStrictEqual(json<HidreamEnvelope<unknown>>(a).code, 0);
    });

    it('enforces the published limits when asked, with 429 and Retry-After', async function () {
      emu.setOptions({ hidreamLimits: true });
      const edit = { video_name: 'https://example.com/in.mp4', style: 'anime' };
      await createHidream('video_edit', edit);
      advance(10_000);
      await createHidream('video_edit', edit);
      const limited = await call('POST', `${HIDREAM}/video_edit/async`, { body: edit });
      assert.strictEqual(limited.status, 429);
      assert.strictEqual(limited.headers.get('retry-after'), '50');
      const env = json<HidreamEnvelope<unknown>>(limited);
      assert.notStrictEqual(env.code, 0);
      assert.deepStrictEqual(keys(env), ['code', 'message', 'request_id', 'result']);
      // Other modules have their own budget of 10.
      for (let i = 0; i < 10; i++) await createHidream('txt2video', { prompt: `n${i}` });
      assert.strictEqual((await call('POST', `${HIDREAM}/txt2video/async`, { body: { prompt: 'one too many' } })).status, 429);
      advance(50_000);
      assert.strictEqual((await createHidream('video_edit', edit)).code, 0);
      emu.setOptions({ hidreamLimits: false });
      assert.strictEqual((await createHidream('video_edit', edit)).code, 0);
      assert.strictEqual((await createHidream('video_edit', edit)).code, 0);
    });
  });

  describe('files', function () {
    async function finishedPika(prompt = 'file test'): Promise<PikaVideo> {
      const id = await createPika(prompt);
      advance(DURATION);
      return (await feed(id)).videos[0];
    }

    it('serves the fixture bytes without auth and records whether a key was sent', async function () {
      const v = await finishedPika();
      const a = await call('GET', v.resultUrl, { key: null });
      assert.strictEqual(a.status, 200);
      assert.strictEqual(a.headers.get('content-type'), 'video/mp4');
      assert.strictEqual(a.headers.get('content-length'), String(SAMPLE.length));
      assert.strictEqual(a.headers.get('accept-ranges'), 'bytes');
      assert.ok(a.bytes.equals(SAMPLE));
      const poster = await call('GET', v.videoPoster, { key: null });
      assert.strictEqual(poster.headers.get('content-type'), 'image/jpeg');
      assert.ok(poster.bytes.equals(fs.readFileSync(path.join(FIXTURES, 'poster.jpg'))));
      await call('GET', v.imageThumb);
      assert.deepStrictEqual(
        emu.requests('files').map((r) => r.hadAuthorizationHeader),
        [false, false, true],
      );
      assert.strictEqual(emu.counts().files, 3);
    });

    it('answers Range requests with 206 and 416', async function () {
      const v = await finishedPika();
      let a = await call('GET', v.resultUrl, { key: null, headers: { Range: 'bytes=100-199' } });
      assert.strictEqual(a.status, 206);
      assert.strictEqual(a.headers.get('content-range'), `bytes 100-199/${SAMPLE.length}`);
      assert.strictEqual(a.headers.get('content-length'), '100');
      assert.ok(a.bytes.equals(SAMPLE.subarray(100, 200)));
      a = await call('GET', v.resultUrl, { key: null, headers: { Range: 'bytes=-10' } });
      assert.strictEqual(a.status, 206);
      assert.ok(a.bytes.equals(SAMPLE.subarray(SAMPLE.length - 10)));
      a = await call('GET', v.resultUrl, { key: null, headers: { Range: `bytes=${SAMPLE.length - 5}-` } });
      assert.strictEqual(a.status, 206);
      assert.strictEqual(a.bytes.length, 5);
      a = await call('GET', v.resultUrl, { key: null, headers: { Range: `bytes=${SAMPLE.length}-` } });
      assert.strictEqual(a.status, 416);
      assert.strictEqual(a.headers.get('content-range'), `bytes */${SAMPLE.length}`);
    });

    it('does not serve a result before its task finished, nor unknown files', async function () {
      const id = await createGateway('early');
      assert.strictEqual((await call('GET', `/files/gateway/${id}/video.mp4`, { key: null })).status, 404);
      assert.strictEqual((await call('GET', '/files/gateway/task_nope/video.mp4', { key: null })).status, 404);
      assert.strictEqual((await call('GET', '/files/fixtures/..%2Fpackage.json', { key: null })).status, 404);
      advance(DURATION);
      assert.strictEqual((await call('GET', `/files/gateway/${id}/video.mp4`, { key: null })).status, 200);
    });

    it('applies [result-404], [html-result] and [big=BYTES] to the result only', async function () {
      const missing = await finishedPika('gone [result-404]');
      assert.strictEqual((await call('GET', missing.resultUrl, { key: null })).status, 404);
      assert.strictEqual((await call('GET', missing.videoPoster, { key: null })).status, 200);
      const html = await finishedPika('login page [html-result]');
      const h = await call('GET', html.resultUrl, { key: null });
      assert.strictEqual(h.status, 200);
      assert.match(h.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(h.text, /<html/);
      const size = 3 * 1024 * 1024 + 7;
      const big = await finishedPika(`large [big=${size}]`);
      const b = await call('GET', big.resultUrl, { key: null });
      assert.strictEqual(b.headers.get('content-type'), 'video/mp4');
      assert.strictEqual(b.headers.get('content-length'), String(size));
      assert.strictEqual(b.bytes.length, size);
      assert.ok(b.bytes.subarray(0, SAMPLE.length).equals(SAMPLE));
      assert.ok(b.bytes.subarray(SAMPLE.length).every((x) => x === 0));
      const tail = await call('GET', big.resultUrl, { key: null, headers: { Range: `bytes=${size - 4}-` } });
      assert.strictEqual(tail.status, 206);
      assert.deepStrictEqual([...tail.bytes], [0, 0, 0, 0]);
    });

    it('serves the fixture folder itself under /files/fixtures/', async function () {
      const a = await call('GET', '/files/fixtures/cat.png', { key: null });
      assert.strictEqual(a.status, 200);
      assert.strictEqual(a.headers.get('content-type'), 'image/png');
      assert.ok(a.bytes.equals(fs.readFileSync(path.join(FIXTURES, 'cat.png'))));
    });
  });

  describe('faults', function () {
    it('answers an injected status with Retry-After headers, then recovers', async function () {
      emu.injectFault({ route: 'gateway.create', kind: 'status', status: 429, retryAfter: '2', retryAfterMs: 1500 });
      const body = { model: 'kling-v1', prompt: 'x' };
      const a = await call('POST', '/v1/video/generations', { body });
      assert.strictEqual(a.status, 429);
      assert.strictEqual(a.headers.get('retry-after'), '2');
      assert.strictEqual(a.headers.get('retry-after-ms'), '1500');
      const e = json<OpenAiError>(a).error;
      assert.deepStrictEqual(keys(e), ['code', 'message', 'param', 'type']);
      assert.strictEqual((await call('POST', '/v1/video/generations', { body })).status, 200);
      assert.strictEqual(emu.counts()['gateway.create'], 2);
    });

    it('applies a fault `times` times, only to its route, before auth', async function () {
      emu.injectFault({ route: 'pika.feed', kind: 'status', status: 503, times: 2 });
      const id = await createPika('after faults');
      assert.strictEqual((await call('GET', `/pika/feed/${id}`, { key: 'bad-key' })).status, 503);
      assert.strictEqual((await call('GET', `/pika/feed/${id}`)).status, 503);
      assert.strictEqual((await call('GET', `/pika/feed/${id}`)).status, 200);
      emu.injectFault({ route: 'gateway.models', kind: 'status', status: 500, times: Infinity });
      for (let i = 0; i < 4; i++) assert.strictEqual((await call('GET', '/v1/models')).status, 500);
      emu.clearFaults();
      assert.strictEqual((await call('GET', '/v1/models')).status, 200);
    });

    it('resets the connection', async function () {
      emu.injectFault({ route: 'pika.generate', kind: 'reset' });
      await assert.rejects(call('POST', '/pika/generate', { body: SEED_002_CREATE }));
      assert.strictEqual(emu.counts()['pika.generate'], 1);
      assert.strictEqual((await call('POST', '/pika/generate', { body: SEED_002_CREATE })).status, 200);
    });

    it('answers slowly', async function () {
      emu.injectFault({ route: 'gateway.models', kind: 'slow', delayMs: 250 });
      const started = Date.now();
      const a = await call('GET', '/v1/models');
      assert.ok(Date.now() - started >= 240, `took ${Date.now() - started} ms`);
      assert.strictEqual(a.status, 200);
    });

    it('hangs until the client gives up', async function () {
      emu.injectFault({ route: 'gateway.get', kind: 'hang' });
      await assert.rejects(
        fetch(`${emu.baseUrl}/v1/video/generations/task_x`, {
          headers: { Authorization: `Bearer ${KEY}` },
          signal: AbortSignal.timeout(300),
        }),
        (e: Error) => /TimeoutError|AbortError/.test(e.name),
      );
      assert.strictEqual((await call('GET', '/v1/video/generations/task_x')).status, 404);
    });

    it('truncates the JSON body', async function () {
      const id = await createPika('truncate me');
      const whole = await call('GET', `/pika/feed/${id}`);
      emu.injectFault({ route: 'pika.feed', kind: 'truncated' });
      const cut = await call('GET', `/pika/feed/${id}`);
      assert.strictEqual(cut.status, 200);
      assert.match(cut.headers.get('content-type') ?? '', /^application\/json/);
      assert.strictEqual(cut.text, whole.text.slice(0, cut.text.length));
      assert.strictEqual(cut.bytes.length, Math.floor(whole.bytes.length / 2));
      assert.throws(() => JSON.parse(cut.text));
    });

    it('cuts a truncated file download short of its Content-Length', async function () {
      const id = await createPika('file cut');
      advance(DURATION);
      const v = (await feed(id)).videos[0];
      emu.injectFault({ route: 'files', kind: 'truncated' });
      await assert.rejects(call('GET', v.resultUrl, { key: null }));
    });

    it('answers malformed HTML with 200', async function () {
      emu.injectFault({ route: 'hidream.txt2video.create', kind: 'malformed' });
      const a = await call('POST', `${HIDREAM}/txt2video/async`, { body: { prompt: 'x' } });
      assert.strictEqual(a.status, 200);
      assert.match(a.headers.get('content-type') ?? '', /^text\/html/);
      assert.strictEqual(a.text, '<html><body>502 Bad Gateway</body></html>');
    });

    it('refuses faults for unknown routes or kinds', function () {
      assert.throws(() => emu.injectFault({ route: 'pika.nope', kind: 'reset' }), /route/);
      assert.throws(() => emu.injectFault({ route: 'files', kind: 'explode' as never }), /kind/);
      assert.throws(() => emu.injectFault({ route: 'files', kind: 'status' }), /status/);
    });

    it('takes faults, counts and resets over the control routes, without counting them', async function () {
      let a = await call('POST', '/__emulator/faults', {
        key: null,
        body: { route: 'gateway.models', kind: 'status', status: 502, times: 'Infinity' },
      });
      assert.strictEqual(a.status, 200);
      assert.strictEqual((await call('GET', '/v1/models')).status, 502);
      assert.strictEqual((await call('GET', '/v1/models')).status, 502);
      a = await call('DELETE', '/__emulator/faults', { key: null });
      assert.strictEqual(a.status, 200);
      assert.strictEqual((await call('GET', '/v1/models')).status, 200);
      const counts = json<Record<string, number>>(await call('GET', '/__emulator/counts', { key: null }));
      assert.strictEqual(counts['gateway.models'], 3);
      assert.ok(!Object.keys(counts).some((k) => k.includes('emulator')));
      assert.strictEqual((await call('POST', '/__emulator/faults', { key: null, body: { route: 'x', kind: 'reset' } })).status, 400);
      assert.strictEqual((await call('POST', '/__emulator/reset', { key: null })).status, 200);
      assert.strictEqual(emu.counts()['gateway.models'], 0);
      assert.deepStrictEqual(emu.requests(), []);
    });
  });

  describe('bookkeeping', function () {
    it('counts requests per route key and records parsed POST bodies', async function () {
      const id = await createPika('counted');
      await call('GET', `/pika/feed/${id}`);
      await call('GET', `/pika/feed/${id}`);
      await createGateway('counted');
      const h = await createHidream('img2video', { image: 'https://example.com/a.png' });
      await call('POST', `${HIDREAM}/img2video/async/results/batch`, { body: { task_id_list: [h.result.task_id] } });
      await call('GET', `${HIDREAM}/img2video/async/results?task_id=${h.result.task_id}`);
      const c = emu.counts();
      assert.strictEqual(c['pika.generate'], 1);
      assert.strictEqual(c['pika.feed'], 2);
      assert.strictEqual(c['gateway.create'], 1);
      assert.strictEqual(c['gateway.get'], 0);
      assert.strictEqual(c['hidream.img2video.create'], 1);
      assert.strictEqual(c['hidream.img2video.batch'], 1);
      assert.strictEqual(c['hidream.img2video.result'], 1);
      assert.strictEqual(c['hidream.txt2video.create'], 0);
      const [gen] = emu.requests('pika.generate');
      assert.strictEqual(gen.method, 'POST');
      assert.strictEqual(gen.path, '/pika/generate');
      assert.strictEqual((gen.body as { promptText: string }).promptText, 'counted');
      assert.strictEqual(gen.authorized, true);
      assert.strictEqual(gen.at, T0);
      assert.strictEqual(emu.requests().length, 7);
      // Each request says what it was and, for status requests, which tasks it asked about.
      const seen = emu.requests().map((r) => [r.route, r.kind, r.provider, r.ids]);
      assert.deepStrictEqual(seen, [
        ['pika.generate', 'create', 'pika', undefined],
        ['pika.feed', 'status', 'pika', [id]],
        ['pika.feed', 'status', 'pika', [id]],
        ['gateway.create', 'create', 'gateway', undefined],
        ['hidream.img2video.create', 'create', 'hidream', undefined],
        ['hidream.img2video.batch', 'status', 'hidream', [h.result.task_id]],
        ['hidream.img2video.result', 'status', 'hidream', [h.result.task_id]],
      ]);
      emu.resetCounts();
      assert.strictEqual(emu.counts()['pika.feed'], 0);
    });

    it('answers 500 JSON when a handler throws, and keeps serving', async function () {
      emu.setOptions({
        now: () => {
          throw new Error('clock broke');
        },
      });
      const a = await call('GET', '/v1/models');
      assert.strictEqual(a.status, 500);
      assert.match(json<OpenAiError>(a).error.message, /clock broke/);
      emu.setOptions({ now: () => clock });
      assert.strictEqual((await call('GET', '/v1/models')).status, 200);
    });

    it("every answer's Date header is the emulator's clock, so a test can skew the server's clock", async function () {
      clock = T0 + 90_000;
      const answer = await call('GET', '/v1/models');
      assert.strictEqual(answer.headers.get('date'), new Date(T0 + 90_000).toUTCString());
      assert.strictEqual((await call('GET', '/v1/nothing-here')).headers.get('date'), new Date(T0 + 90_000).toUTCString(), 'errors too');
    });

    it('never logs the Authorization value', async function () {
      const lines: string[] = [];
      emu.setOptions({ log: (l) => lines.push(l) });
      await call('GET', '/v1/models', { key: 'sk-very-secret-value' });
      emu.setOptions({ log: () => undefined });
      assert.strictEqual(lines.length, 1);
      assert.match(lines[0], /GET \/v1\/models 200/);
      assert.ok(!lines[0].includes('very-secret'));
    });
  });

  describe('lifecycle', function () {
    it('closes quickly while a request hangs', async function () {
      const other = await startEmulator({ now: () => clock });
      other.injectFault({ route: 'gateway.models', kind: 'hang' });
      const pending = new Promise<string>((resolve) => {
        const req = http.get(`${other.baseUrl}/v1/models`, { headers: { Authorization: `Bearer ${KEY}` } }, () => resolve('answered'));
        req.on('error', () => resolve('dropped'));
      });
      await new Promise((r) => setTimeout(r, 100));
      assert.strictEqual(other.counts()['gateway.models'], 1);
      const started = Date.now();
      await other.close();
      assert.ok(Date.now() - started < 1000);
      assert.strictEqual(await pending, 'dropped');
    });

    it('parses the CLI flags', function () {
      assert.deepStrictEqual(parseArgs(['--port', '0', '--duration', '1500', '--gateway-shape', 'envelope', '--hidream-limits']), {
        port: 0,
        durationMs: 1500,
        gatewayShape: 'envelope',
        hidreamLimits: true,
        clips: 'generated',
      } satisfies EmulatorOptions);
      assert.deepStrictEqual(parseArgs(['--port=8080', '--clips', 'fixtures']), { port: 8080, clips: 'fixtures' });
      assert.throws(() => parseArgs(['--clips', 'random']), /generated or fixtures/);
      assert.throws(() => parseArgs(['--gateway-shape', 'round']), /flat or envelope/);
      assert.throws(() => parseArgs(['--port', 'x']), /--port/);
      assert.throws(() => parseArgs(['--verbose']), /Unknown argument/);
      const before = Date.now();
      const skewed = parseArgs(['--clock-skew', '-90000']).now!();
      assert.ok(skewed >= before - 90_000 && skewed <= Date.now() - 90_000, 'the server clock runs 90 s behind');
    });

    it('runs as a CLI that prints its URL and exits cleanly on SIGTERM', async function () {
      const cli = path.resolve(__dirname, '../../../src/emulator/cli.js');
      const child = spawn(process.execPath, [cli, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /AI Video provider emulator listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m) resolve(m[1]);
        });
        child.on('exit', (code) => reject(new Error(`CLI exited early (${code}): ${out}`)));
      });
      const models = await fetch(`${url}/v1/models`, { headers: { Authorization: 'Bearer k' } });
      assert.strictEqual(models.status, 200);
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await new Promise((r) => setTimeout(r, 50));
      child.kill('SIGTERM');
      assert.strictEqual(await exited, 0);
      assert.match(out, /GET \/v1\/models 200/);
      assert.ok(!out.includes('Bearer'));
    });
  });
});
