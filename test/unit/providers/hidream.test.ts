// The HiDream client against docs/providers/hidream.md: the create body per module, the envelope, the
// batch query ("seed 003" is the example in test/support/seeds.ts), the emulator and a stub server.
import * as assert from 'assert';
import * as fs from 'fs';

import { ProviderError } from '../../../src/core/model/errors';
import { GenerateRequest, Task } from '../../../src/core/model/task';
import { resolveMedia } from '../../../src/core/request/media';
import { RemoteState } from '../../../src/providers/clientKit';
import { hidream, HIDREAM_BATCH_SIZE, parseHidreamBatch, parseHidreamSingle } from '../../../src/providers/hidream';
import { fixture, fixtureBase64, GOOD_KEY, makeTask, rejectsWith, sendJson, startStub, useEmulator } from '../../support/helpers';
import { SEED_003_BATCH } from '../../support/seeds';

const HIDREAM = '/api-pub/gw/v2/video';
const req = (extra: Partial<GenerateRequest>): GenerateRequest => ({ provider: 'hidream', prompt: '', ...extra });

/** A batch answer for one task with the given sub-task results. */
const batchOf = (subs: Array<Record<string, unknown>>) => ({
  code: 0,
  message: 'ok',
  request_id: 'r',
  result: [{ task_id: 'T', sub_task_results: subs }],
});
const stateOf = (subs: Array<Record<string, unknown>>): RemoteState => {
  const s = parseHidreamBatch(batchOf(subs)).get('T');
  assert.ok(s);
  return s;
};

describe('HiDream buildCreate', function () {
  it('txt2video with aspect ratio, camera moves, motion strength, resolution and request_id', function () {
    const spec = hidream.buildCreate(
      req({
        prompt: 'a koi pond',
        aspectRatio: '9:16',
        options: { cameraHorizontal: 2, cameraVertical: -1, cameraDepth: 0, motionStrength: 12, resolution: 2048 },
      }),
      {},
      'req-abc',
    );
    assert.deepStrictEqual(spec, {
      path: `${HIDREAM}/txt2video/async`,
      body: {
        prompt: 'a koi pond',
        aspect_ratio: '9:16',
        camera_move_horizontal: 2,
        camera_move_vertical: -1,
        camera_move_depth: 0,
        motion_strength: 12,
        resolution_ratio: 2048,
        request_id: 'req-abc',
      },
      model: 'txt2video',
      route: 'txt2video',
      mode: 'text-to-video',
    });
  });

  it('txt2video with no options sends only prompt and request_id', function () {
    assert.deepStrictEqual(hidream.buildCreate(req({ prompt: 'p' }), {}, 'r').body, { prompt: 'p', request_id: 'r' });
  });

  it('a resolution given as a string is sent as a number', function () {
    assert.strictEqual(hidream.buildCreate(req({ prompt: 'p', options: { resolution: '4096' } }), {}, 'r').body.resolution_ratio, 4096);
  });

  it('img2video: image plus the txt2video fields; prompt only when given', function () {
    const a = hidream.buildCreate(
      req({ image: '/a.png', aspectRatio: '1:1', options: { motionStrength: 5 } }),
      { image: 'QUJD', imageMime: 'image/png' },
      'r',
    );
    assert.deepStrictEqual(a, {
      path: `${HIDREAM}/img2video/async`,
      body: { image: 'QUJD', aspect_ratio: '1:1', motion_strength: 5, request_id: 'r' },
      model: 'img2video',
      route: 'img2video',
      mode: 'image-to-video',
    });
    const b = hidream.buildCreate(req({ prompt: 'blink', image: 'https://x.test/a.png' }), { image: 'https://x.test/a.png' }, 'r');
    assert.deepStrictEqual(b.body, { image: 'https://x.test/a.png', prompt: 'blink', request_id: 'r' });
  });

  it('video_edit: video_name and style; and with a prompt', function () {
    const a = hidream.buildCreate(req({ video: '/v.mp4', style: 'ink_wash' }), { video: 'VIDEO64', videoMime: 'video/mp4' }, 'r');
    assert.deepStrictEqual(a, {
      path: `${HIDREAM}/video_edit/async`,
      body: { video_name: 'VIDEO64', style: 'ink_wash', request_id: 'r' },
      model: 'video_edit',
      route: 'video_edit',
      mode: 'video-edit',
    });
    const b = hidream.buildCreate(req({ video: '/v.mp4', style: 'van_goph', prompt: 'starry night' }), { video: 'VIDEO64' }, 'r');
    assert.deepStrictEqual(b.body, { video_name: 'VIDEO64', style: 'van_goph', prompt: 'starry night', request_id: 'r' });
    const c = hidream.buildCreate(req({ video: '/v.mp4', prompt: 'make it snow' }), { video: 'VIDEO64' }, 'r');
    assert.deepStrictEqual(c.body, { video_name: 'VIDEO64', prompt: 'make it snow', request_id: 'r' });
  });
});

describe('HiDream against the emulator', function () {
  const h = useEmulator();

  async function createAndRecord(
    r: GenerateRequest,
    requestId = 'req-1',
  ): Promise<{ remoteId: string; route?: string; body: Record<string, unknown> }> {
    const media = await resolveMedia(r);
    const result = await hidream.create(h.ctx(), r, media, requestId);
    const route = `hidream.${result.route}.create`;
    const recorded = h.em.requests(route);
    assert.strictEqual(recorded.length, 1, route);
    assert.deepStrictEqual(recorded[0].body, hidream.buildCreate(r, media, requestId).body, 'create sends what buildCreate builds');
    return { remoteId: result.remoteId, route: result.route, body: recorded[0].body as Record<string, unknown> };
  }

  const taskFor = (remoteId: string, route: string, extra: Partial<Task> = {}): Task => makeTask('hidream', remoteId, { route, ...extra });

  it('txt2video: exact body received', async function () {
    const { body, route, remoteId } = await createAndRecord(
      req({
        prompt: 'a koi pond',
        aspectRatio: '16:9',
        options: { cameraHorizontal: -5, cameraVertical: 5, cameraDepth: 1, motionStrength: 30, resolution: 1024 },
      }),
      'corr-42',
    );
    assert.deepStrictEqual(body, {
      prompt: 'a koi pond',
      aspect_ratio: '16:9',
      camera_move_horizontal: -5,
      camera_move_vertical: 5,
      camera_move_depth: 1,
      motion_strength: 30,
      resolution_ratio: 1024,
      request_id: 'corr-42',
    });
    assert.strictEqual(route, 'txt2video');
    assert.match(remoteId, /^[0-9a-f-]{36}$/);
  });

  it('img2video with a local PNG: raw base64 of the file', async function () {
    const { body } = await createAndRecord(req({ image: fixture('cat.png'), aspectRatio: '1:1' }));
    assert.deepStrictEqual(body, { image: fixtureBase64('cat.png'), aspect_ratio: '1:1', request_id: 'req-1' });
    assert.deepStrictEqual(Buffer.from(body.image as string, 'base64'), fs.readFileSync(fixture('cat.png')));
  });

  it('video_edit with a local MP4 and a style', async function () {
    const { body, route } = await createAndRecord(req({ video: fixture('sample.mp4'), style: 'cyber_punk' }));
    assert.deepStrictEqual(body, { video_name: fixtureBase64('sample.mp4'), style: 'cyber_punk', request_id: 'req-1' });
    assert.deepStrictEqual(Buffer.from(body.video_name as string, 'base64'), fs.readFileSync(fixture('sample.mp4')));
    assert.strictEqual(route, 'video_edit');
  });

  it('video_edit with a style and a prompt', async function () {
    const { body } = await createAndRecord(req({ video: 'https://cdn.example.com/clip.mp4', style: 'anime', prompt: 'sunset' }));
    assert.deepStrictEqual(body, { video_name: 'https://cdn.example.com/clip.mp4', style: 'anime', prompt: 'sunset', request_id: 'req-1' });
  });

  it("code != 0 with HTTP 200 on a create is a business error with HiDream's message", async function () {
    // Not validated on purpose: the emulator answers HTTP 200 with code 4001.
    const e = await rejectsWith(hidream.create(h.ctx(), req({ prompt: 'x', aspectRatio: '4:3' }), {}, 'r'), 'business');
    assert.strictEqual(e.providerCode, 4001);
    assert.strictEqual(e.message, 'HiDream: aspect_ratio must be one of 16:9, 1:1, 9:16');
    assert.strictEqual(h.em.counts()['hidream.txt2video.create'], 1, 'business errors are not retried');
  });

  it('a create is sent once: a reset after the body, a 502 or a timeout is not resent, and its outcome is uncertain', async function () {
    for (const fault of [{ kind: 'reset' }, { kind: 'status', status: 502 }, { kind: 'hang' }] as const) {
      h.em.resetCounts();
      h.em.injectFault({ route: 'hidream.txt2video.create', ...fault });
      const e = await rejectsWith(
        hidream.create(h.ctx(GOOD_KEY, { timeoutMs: 300 }), req({ prompt: 'once' }), {}, 'r-1'),
        fault.kind === 'reset' ? 'network' : fault.kind === 'hang' ? 'timeout' : 'server',
      );
      assert.strictEqual(e.mayHaveStarted, true, fault.kind);
      assert.strictEqual(h.em.counts()['hidream.txt2video.create'], 1, `${fault.kind}: exactly one POST`);
    }
  });

  it('a create refused with a HiDream error code did not start; an answer without a code may have', async function () {
    h.em.injectFault({ route: 'hidream.txt2video.create', kind: 'malformed' });
    const unreadable = await rejectsWith(hidream.create(h.ctx(), req({ prompt: 'x' }), {}, 'r-2'), 'malformed');
    assert.strictEqual(unreadable.mayHaveStarted, true);
    const refused = await rejectsWith(hidream.create(h.ctx(), req({ prompt: '' }), {}, 'r-3'), 'business');
    assert.strictEqual(refused.mayHaveStarted, false);
  });

  it('a bad token on create is auth and never retried', async function () {
    await rejectsWith(hidream.create(h.ctx('bad-token'), req({ prompt: 'x' }), {}, 'r'), 'auth');
    assert.strictEqual(h.em.counts()['hidream.txt2video.create'], 1);
  });

  it('N tasks of one module are polled with exactly one batch request', async function () {
    const tasks: Task[] = [];
    for (let i = 0; i < 5; i++) {
      const { remoteId } = await createAndRecord(req({ prompt: `koi ${i}` }), `req-${i}`);
      tasks.push(taskFor(remoteId, 'txt2video'));
      h.em.resetCounts();
    }
    const out = await hidream.poll(h.ctx(), tasks);
    const counts = h.em.counts();
    assert.strictEqual(counts['hidream.txt2video.batch'], 1);
    assert.strictEqual(counts['hidream.txt2video.result'], 0);
    assert.deepStrictEqual(
      (h.em.requests('hidream.txt2video.batch')[0].body as { task_id_list: string[] }).task_id_list,
      tasks.map((t) => t.remoteId),
    );
    assert.strictEqual(out.size, 5);
    for (const t of tasks) {
      const s = out.get(t.id);
      assert.ok(s && !(s instanceof ProviderError), String(s));
      assert.strictEqual(s.status, 'queued');
    }
  });

  it('tasks of two modules: one batch request per module, to the right module', async function () {
    const a = await createAndRecord(req({ prompt: 'text' }), 'a');
    h.em.resetCounts();
    const b = await createAndRecord(req({ image: fixture('dog.jpg') }), 'b');
    h.em.resetCounts();
    const c = await createAndRecord(req({ prompt: 'more text' }), 'c');
    h.em.resetCounts();
    // The route is derived from the request when a stored task has none.
    const tasks = [
      taskFor(a.remoteId, 'txt2video'),
      makeTask('hidream', b.remoteId, { request: req({ image: fixture('dog.jpg') }) }),
      taskFor(c.remoteId, 'txt2video'),
    ];
    const out = await hidream.poll(h.ctx(), tasks);
    const counts = h.em.counts();
    assert.strictEqual(counts['hidream.txt2video.batch'], 1);
    assert.strictEqual(counts['hidream.img2video.batch'], 1);
    assert.strictEqual(counts['hidream.video_edit.batch'], 0);
    assert.deepStrictEqual((h.em.requests('hidream.img2video.batch')[0].body as { task_id_list: string[] }).task_id_list, [b.remoteId]);
    for (const t of tasks) assert.strictEqual((out.get(t.id) as RemoteState).status, 'queued');
  });

  it(`more than ${HIDREAM_BATCH_SIZE} tasks are chunked`, async function () {
    const tasks = Array.from({ length: 2 * HIDREAM_BATCH_SIZE + 7 }, (_, i) => taskFor(`unknown-${i}`, 'txt2video'));
    const out = await hidream.poll(h.ctx(), tasks);
    assert.strictEqual(h.em.counts()['hidream.txt2video.batch'], 3);
    const sizes = h.em.requests('hidream.txt2video.batch').map((r) => (r.body as { task_id_list: string[] }).task_id_list.length);
    assert.deepStrictEqual(sizes, [HIDREAM_BATCH_SIZE, HIDREAM_BATCH_SIZE, 7]);
    assert.strictEqual(out.size, tasks.length);
  });

  it('a task the answer does not know: unknown while young, notFound once old', async function () {
    const young = taskFor('never-created-1', 'txt2video', { createdAt: Date.now() });
    const old = taskFor('never-created-2', 'txt2video', { createdAt: Date.now() - 10 * 60_000 });
    const out = await hidream.poll(h.ctx(), [young, old]);
    assert.deepStrictEqual(out.get(young.id), { status: 'unknown', rawStatus: 'not listed yet', videos: [] });
    const e = out.get(old.id);
    assert.ok(e instanceof ProviderError && e.kind === 'notFound', String(e));
    assert.match(e.message, /never-created-2/);
  });

  it('a batch that fails fails every task of its chunk only', async function () {
    const a = await createAndRecord(req({ prompt: 'a' }), 'a');
    h.em.resetCounts();
    const b = await createAndRecord(req({ image: 'https://x.test/i.png' }), 'b');
    h.em.injectFault({ route: 'hidream.txt2video.batch', kind: 'status', status: 502 });
    const ta = taskFor(a.remoteId, 'txt2video');
    const tb = taskFor(b.remoteId, 'img2video');
    const out = await hidream.poll(h.ctx(), [ta, tb]);
    const ea = out.get(ta.id);
    assert.ok(ea instanceof ProviderError && ea.kind === 'server', String(ea));
    assert.strictEqual((out.get(tb.id) as RemoteState).status, 'queued');
  });

  it('follows tasks to the end: several sub-tasks, failure, content review, unknown status', async function () {
    const ok = await createAndRecord(req({ prompt: 'two [subtasks=2]' }), 'ok');
    h.em.resetCounts();
    const failed = await createAndRecord(req({ prompt: 'x [fail]' }), 'failed');
    h.em.resetCounts();
    const rejected = await createAndRecord(req({ prompt: 'x [reject]' }), 'rejected');
    h.em.resetCounts();
    const odd = await createAndRecord(req({ prompt: 'x [unknown] [never]' }), 'odd');
    h.em.resetCounts();
    const tasks = [ok, failed, rejected, odd].map((c) => taskFor(c.remoteId, 'txt2video'));

    h.advance(5_000);
    const mid = await hidream.poll(h.ctx(), tasks);
    const running = mid.get(tasks[0].id) as RemoteState;
    assert.strictEqual(running.status, 'running');
    assert.strictEqual(running.rawStatus, 'processing');
    assert.ok(running.progress! > 0 && running.progress! < 100, String(running.progress));
    assert.strictEqual((mid.get(tasks[3].id) as RemoteState).status, 'unknown');
    assert.strictEqual((mid.get(tasks[3].id) as RemoteState).rawStatus, 'status 7');

    h.advance(6_000);
    const end = await hidream.poll(h.ctx(), tasks);
    assert.strictEqual(h.em.counts()['hidream.txt2video.batch'], 2);
    const done = end.get(tasks[0].id) as RemoteState;
    assert.strictEqual(done.status, 'succeeded');
    assert.strictEqual(done.progress, 100);
    assert.strictEqual(done.videos.length, 2);
    for (const v of done.videos) {
      assert.match(v.url, new RegExp(`^${h.em.baseUrl}/files/hidream/[0-9a-f-]{36}\\.mp4$`));
      assert.strictEqual(v.watermarkedUrl, v.url.replace(/\.mp4$/, '_wm.mp4'));
    }
    const f = end.get(tasks[1].id) as RemoteState;
    assert.strictEqual(f.status, 'failed');
    assert.strictEqual(f.error, 'Generation failed at HiDream.');
    const r = end.get(tasks[2].id) as RemoteState;
    assert.strictEqual(r.status, 'failed');
    assert.match(r.error!, /content review/);
    assert.strictEqual(r.rawStatus, 'rejected by content review');
  });

  it('testConnection resolves with a sentence for a good token', async function () {
    const msg = await hidream.testConnection(h.ctx());
    assert.strictEqual(msg, `HiDream at ${new URL(h.em.baseUrl).host} accepted the token.`);
    assert.strictEqual(h.em.counts()['hidream.txt2video.batch'], 1);
  });

  it('testConnection rejects with kind auth for bad-key', async function () {
    const e = await rejectsWith(hidream.testConnection(h.ctx('bad-key')), 'auth');
    assert.match(e.message, /HiDream rejected the API key \(HTTP 401\)/);
    assert.strictEqual(e.providerCode, 4010);
  });
});

describe('HiDream with a stub server', function () {
  it('a task left out of the batch answer entirely is malformed; the others are read', async function () {
    const stub = await startStub((_req, res) =>
      sendJson(res, 200, {
        code: 0,
        message: 'ok',
        request_id: 'r',
        result: [
          { task_id: 'present', sub_task_results: [{ sub_task_id: 's', task_status: 2, task_completion: 0.5, video: '', video_wm: '' }] },
        ],
      }),
    );
    try {
      const present = makeTask('hidream', 'present', { route: 'txt2video' });
      const absent = makeTask('hidream', 'absent', { route: 'txt2video' });
      const out = await hidream.poll({ baseUrl: stub.baseUrl, apiKey: GOOD_KEY }, [present, absent]);
      assert.deepStrictEqual(out.get(present.id), {
        status: 'running',
        rawStatus: 'processing',
        progress: 50,
        error: undefined,
        videos: [],
      });
      const e = out.get(absent.id);
      assert.ok(e instanceof ProviderError && e.kind === 'malformed', String(e));
      assert.match(e.message, /left out task absent/);
    } finally {
      await stub.close();
    }
  });

  it("code != 0 on a batch at HTTP 200 fails every task with HiDream's message", async function () {
    const stub = await startStub((_req, res) => sendJson(res, 200, { code: 4290, message: '请求过于频繁', request_id: 'r', result: null }));
    try {
      const t = makeTask('hidream', 'x', { route: 'txt2video' });
      const e = (await hidream.poll({ baseUrl: stub.baseUrl, apiKey: GOOD_KEY }, [t])).get(t.id);
      assert.ok(e instanceof ProviderError && e.kind === 'business', String(e));
      assert.strictEqual(e.message, 'HiDream: 请求过于频繁');
    } finally {
      await stub.close();
    }
  });

  it('sends the API-User-ID header when a user id is set, and the bearer token', async function () {
    const stub = await startStub((_req, res) =>
      sendJson(res, 200, { code: 0, message: 'ok', request_id: 'r', result: { task_id: 'new-task' } }),
    );
    try {
      const created = await hidream.create(
        { baseUrl: stub.baseUrl, apiKey: GOOD_KEY, settings: { userId: 'user-77' } },
        req({ prompt: 'p' }),
        {},
        'r',
      );
      assert.strictEqual(created.remoteId, 'new-task');
      assert.strictEqual(stub.requests[0].headers['api-user-id'], 'user-77');
      assert.strictEqual(stub.requests[0].headers.authorization, `Bearer ${GOOD_KEY}`);
      assert.strictEqual(stub.requests[0].url, `${HIDREAM}/txt2video/async`);
      await hidream.create({ baseUrl: stub.baseUrl, apiKey: GOOD_KEY }, req({ prompt: 'p' }), {}, 'r');
      assert.strictEqual(stub.requests[1].headers['api-user-id'], undefined);
    } finally {
      await stub.close();
    }
  });
});

describe('parseHidreamBatch', function () {
  it('parses the seed 003 example exactly: two tasks, both done, video and watermarked copy', function () {
    const states = parseHidreamBatch(SEED_003_BATCH);
    assert.deepStrictEqual([...states.keys()], ['f48051cc-e109-11ee-b588-be4091741d67', 'c29574f4-e117-11ee-aee0-8ab6933153da']);
    assert.deepStrictEqual(states.get('f48051cc-e109-11ee-b588-be4091741d67'), {
      status: 'succeeded',
      rawStatus: 'done',
      progress: 100,
      error: undefined,
      videos: [
        {
          url: 'https://media.hidreamai.com/99090e36-9ac1-439f-91c7-5f62293e8904.mp4',
          id: '67375f2a-bd41-4905-b422-61e957e1be89',
          watermarkedUrl: 'https://media.hidreamai.com/99090e36-9ac1-439f-91c7-5f62293e8904_wm.mp4',
        },
      ],
    });
    assert.deepStrictEqual(states.get('c29574f4-e117-11ee-aee0-8ab6933153da'), {
      status: 'succeeded',
      rawStatus: 'done',
      progress: 100,
      error: undefined,
      videos: [
        {
          url: 'https://media.hidreamai.com/74109859-4ac6-48c5-ba5b-aa5a027b8461.mp4',
          id: '49df0d8c-6c71-4a41-8032-cf427c9bc726',
          watermarkedUrl: 'https://media.hidreamai.com/74109859-4ac6-48c5-ba5b-aa5a027b8461_wm.mp4',
        },
      ],
    });
    assert.strictEqual(states.notListed.size, 0);
  });

  it('empty sub_task_results means not listed', function () {
    const states = parseHidreamBatch({
      code: 0,
      message: 'ok',
      request_id: 'r',
      result: [{ task_id: 'ghost', sub_task_results: [] }, SEED_003_BATCH.result[0]],
    });
    assert.deepStrictEqual([...states.notListed], ['ghost']);
    assert.strictEqual(states.get('ghost'), undefined);
    assert.strictEqual(states.size, 1);
  });

  it("code != 0 is a business error carrying HiDream's message", function () {
    assert.throws(
      () => parseHidreamBatch({ code: 4001, message: 'task_id_list is required', request_id: 'r', result: null }),
      (e: unknown) =>
        e instanceof ProviderError && e.kind === 'business' && e.providerCode === 4001 && e.message === 'HiDream: task_id_list is required',
    );
    assert.throws(
      () => parseHidreamBatch({ code: 5000, request_id: 'r', result: null }),
      (e: unknown) => e instanceof ProviderError && e.kind === 'business' && e.message === 'HiDream: error code 5000',
    );
  });

  it('status 4 is failed by content review', function () {
    const s = stateOf([{ sub_task_id: 's', task_status: 4, task_completion: 1, video: '', video_wm: '' }]);
    assert.strictEqual(s.status, 'failed');
    assert.strictEqual(s.rawStatus, 'rejected by content review');
    assert.match(s.error!, /content review/);
    assert.strictEqual(s.error, 'Rejected by content review.');
  });

  it('status 3 is failed', function () {
    const s = stateOf([{ sub_task_id: 's', task_status: 3, task_completion: 0.4, video: '' }]);
    assert.strictEqual(s.status, 'failed');
    assert.strictEqual(s.error, 'Generation failed at HiDream.');
  });

  it('several sub-tasks give several videos', function () {
    const subs = [1, 2, 3].map((i) => ({
      sub_task_id: `s${i}`,
      task_status: 1,
      task_completion: 1,
      video: `https://media.hidreamai.com/${i}.mp4`,
      video_wm: `https://media.hidreamai.com/${i}_wm.mp4`,
    }));
    const s = stateOf(subs);
    assert.strictEqual(s.status, 'succeeded');
    assert.deepStrictEqual(
      s.videos.map((v) => [v.id, v.url, v.watermarkedUrl]),
      subs.map((x) => [x.sub_task_id, x.video, x.video_wm]),
    );
  });

  it('one of two sub-tasks rejected: a success with one video and a note', function () {
    const s = stateOf([
      { sub_task_id: 'a', task_status: 1, task_completion: 1, video: 'https://media.hidreamai.com/a.mp4' },
      { sub_task_id: 'b', task_status: 4, task_completion: 1, video: '' },
    ]);
    assert.strictEqual(s.status, 'succeeded');
    assert.strictEqual(s.videos.length, 1);
    assert.strictEqual(s.error, '1 of 2 videos rejected by content review.');
  });

  it('waiting and processing with fractional completion', function () {
    assert.deepStrictEqual(stateOf([{ sub_task_id: 's', task_status: 0, task_completion: 0, video: '' }]), {
      status: 'queued',
      rawStatus: 'waiting',
      progress: 0,
      error: undefined,
      videos: [],
    });
    const r = stateOf([
      { sub_task_id: 'a', task_status: 2, task_completion: 0.3, video: '' },
      { sub_task_id: 'b', task_status: 2, task_completion: 0.5, video: '' },
    ]);
    assert.strictEqual(r.status, 'running');
    assert.strictEqual(r.progress, 40);
  });

  it('unknown task_status values are unknown', function () {
    const s = stateOf([{ sub_task_id: 's', task_status: 9, task_completion: 0.1, video: '' }]);
    assert.strictEqual(s.status, 'unknown');
    assert.strictEqual(s.rawStatus, 'status 9');
  });

  it('done without a usable video URL is a failure', function () {
    const s = stateOf([{ sub_task_id: 's', task_status: 1, task_completion: 1, video: '' }]);
    assert.strictEqual(s.status, 'failed');
    assert.match(s.error!, /no valid video URL/);
  });

  it('answers without a code or without a result list are malformed', function () {
    for (const bad of [null, { result: [] }, { code: 0, result: { task_id: 'x' } }]) {
      assert.throws(
        () => parseHidreamBatch(bad),
        (e: unknown) => e instanceof ProviderError && e.kind === 'malformed',
        JSON.stringify(bad),
      );
    }
  });

  it('the single-result endpoint shape', function () {
    const s = parseHidreamSingle({ code: 0, message: 'ok', request_id: 'r', result: SEED_003_BATCH.result[1] });
    assert.strictEqual(s?.status, 'succeeded');
    assert.strictEqual(s?.videos[0].id, '49df0d8c-6c71-4a41-8032-cf427c9bc726');
    assert.strictEqual(
      parseHidreamSingle({ code: 0, message: 'ok', request_id: 'r', result: { task_id: 'x', sub_task_results: [] } }),
      undefined,
    );
  });
});
