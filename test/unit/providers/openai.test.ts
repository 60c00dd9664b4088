import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

import type { TaskEngine } from '../../../src/core/engine/engine';
import { Clock } from '../../../src/core/model/clock';
import { ProviderError } from '../../../src/core/model/errors';
import { GenerateRequest, Task } from '../../../src/core/model/task';
import { checkBaseUrl } from '../../../src/core/net/baseUrl';
import { modelChoices } from '../../../src/core/provider/modelList';
import { describeValue, fieldsFor, parseFieldInput, type TypedField } from '../../../src/core/provider/optionFields';
import { resolveMedia } from '../../../src/core/request/media';
import { TaskStore } from '../../../src/core/store/taskStore';
import { isFilePart, MODERATION_MESSAGE } from '../../../src/emulator/openai';
import { PROVIDERS } from '../../../src/providers';
import { fitSize, listOpenAiModels, lostJobsIn, openai, parseVideo, toFormData } from '../../../src/providers/openai';
import { flowSteps } from '../../../src/vscode/generate/flowSteps';
import { planPlayerContent } from '../../../src/vscode/panels/player/playerPage';
import { KEY, memoryLog, settled, useEngineSuite, waitForTask, Workspace } from '../../support/engineHarness';
import { assertClean, fixture, makeTask, pollState, rejectsWith, sendJson, startStub, useEmulator } from '../../support/helpers';

const req = (extra: Partial<GenerateRequest> = {}): GenerateRequest => ({ provider: 'openai', prompt: 'a fox in snow', ...extra });
const WIDE = { width: 1280, height: 720 };
/** The job a Find This Job outcome follows ('' when it follows none). */
const remoteIdOf = (found: unknown): string | undefined => (found as Task | undefined)?.remoteId;

describe('OpenAI request building', function () {
  it('text-to-video: no model chosen sends no model field (the server decides); seconds as a string, the size; nothing unset is sent', function () {
    assert.deepStrictEqual(openai.buildCreate(req(), {}, 'r'), {
      path: '/videos',
      body: { prompt: 'a fox in snow' },
      mode: 'text-to-video',
      model: '',
    });
    assert.deepStrictEqual(
      [...toFormData(openai.buildCreate(req(), {}, 'r').body).keys()],
      ['prompt'],
      'the multipart body has no model part',
    );
    const spec = openai.buildCreate(req({ model: 'seedance-1-pro', options: { seconds: 7, size: '1920x1080' } }), {}, 'r');
    assert.deepStrictEqual(spec.body, { prompt: 'a fox in snow', model: 'seedance-1-pro', seconds: '7', size: '1920x1080' });
    assert.deepStrictEqual(
      openai.buildCreate(req({ aspectRatio: '9:16' }), {}, 'r').body.size,
      '720x1280',
      'an aspect ratio names its size',
    );
  });

  it('image-to-video: a local image as a file part sized to it, a URL as input_reference[image_url]', async function () {
    const media = await resolveMedia(req({ image: fixture('wide.png') }));
    const spec = openai.buildCreate(req({ image: fixture('wide.png') }), media, 'r');
    assert.strictEqual(spec.mode, 'image-to-video');
    assert.strictEqual(spec.body.size, '1280x720', 'the size the image is');
    const file = spec.body.input_reference as Blob;
    assert.strictEqual(file.type, 'image/png');
    assert.strictEqual(Buffer.compare(Buffer.from(await file.arrayBuffer()), fs.readFileSync(fixture('wide.png'))), 0);
    const form = toFormData(spec.body);
    assert.deepStrictEqual([...form.keys()], ['prompt', 'size', 'input_reference']);
    assert.strictEqual((form.get('input_reference') as File).name, 'reference.png');

    const byUrl = openai.buildCreate(req({ image: 'https://x.test/a.png' }), { image: 'https://x.test/a.png' }, 'r');
    assert.deepStrictEqual(byUrl.body.input_reference, { image_url: 'https://x.test/a.png' });
    assert.deepStrictEqual([...toFormData(byUrl.body).entries()].at(-1), ['input_reference[image_url]', 'https://x.test/a.png']);
  });

  it('a remix posts only the prompt to /videos/{id}/remix', function () {
    assert.deepStrictEqual(openai.buildCreate(req({ model: 'wan-2.2', options: { remixOf: 'video_abc' } }), {}, 'r'), {
      path: '/videos/video_abc/remix',
      body: { prompt: 'a fox in snow' },
      mode: 'video-edit',
      model: 'wan-2.2',
    });
  });
});

describe('OpenAI-compatible sizes and images', function () {
  it("the video is made at the image's size (the protocol needs them to match), with a warning when another size was asked for", function () {
    assert.deepStrictEqual(fitSize(undefined, WIDE), { size: '1280x720' });
    assert.deepStrictEqual(fitSize('1280x720', WIDE), { size: '1280x720' });
    assert.match(
      fitSize('720x1280', WIDE).warning ?? '',
      /The image is 1280x720, so the video is 1280x720, not 720x1280: the server needs the image to match the size/,
    );
    assert.deepStrictEqual(
      fitSize(undefined, { width: 1600, height: 900 }),
      { size: '1600x900' },
      "no list of Sora's sizes: which sizes a model makes is the server's business",
    );
    assert.deepStrictEqual(fitSize(undefined, { width: 256, height: 256 }), { size: '256x256' });
  });

  it('fitToImage writes the size into the request (an aspect ratio gives way) for the flow to show', function () {
    const fit = openai.fitToImage!(req({ aspectRatio: '9:16', options: { seconds: '8' } }), WIDE);
    assert.deepStrictEqual(fit.req, { provider: 'openai', prompt: 'a fox in snow', options: { seconds: '8', size: '1280x720' } });
    assert.match(fit.warning ?? '', /not 720x1280/);
    assert.strictEqual(openai.validate(fit.req), undefined);
  });
});

describe('OpenAI-compatible validate', function () {
  it("accepts what the contract allows: any model or none, any whole seconds up to 60, any WxH size (Sora's lists are not enforced)", function () {
    for (const r of [
      req(),
      req({ model: 'seedance-1-pro', options: { seconds: '12', size: '1920x1080' } }),
      req({ options: { seconds: 4 } }),
      req({ options: { seconds: '5' } }),
      req({ options: { seconds: 7, size: '832x480' } }),
      req({ options: { seconds: 60 } }),
      req({ model: 'sora-2', options: { seconds: '10' } }),
      req({ image: '/x/a.png', aspectRatio: '16:9' }),
      req({ model: 'my-gateway/kling-v2', options: { size: '1280x720' }, aspectRatio: '16:9' }),
      req({ options: { remixOf: 'video_123' } }),
    ]) {
      assert.strictEqual(openai.validate(r), undefined, JSON.stringify(r));
    }
  });

  it('refuses the rest with a sentence that says what to do', function () {
    const cases: [Partial<GenerateRequest>, RegExp][] = [
      [{ prompt: '  ' }, /needs a prompt/],
      [{ options: { seconds: '0' } }, /Seconds must be a whole number from 1 to 60/],
      [{ options: { seconds: 61 } }, /Seconds must be a whole number from 1 to 60/],
      [{ options: { seconds: 4.5 } }, /Seconds must be a whole number from 1 to 60/],
      [{ options: { seconds: 'ten' } }, /Seconds must be a whole number from 1 to 60/],
      [{ options: { size: '1920*1080' } }, /Size must be WIDTHxHEIGHT in pixels, e.g. 1280x720/],
      [{ options: { size: '99999x1' } }, /Size must be WIDTHxHEIGHT/],
      [{ options: { size: 720 } as Record<string, unknown> }, /Size must be WIDTHxHEIGHT/],
      [{ aspectRatio: '1:1' }, /16:9 or 9:16/],
      [{ aspectRatio: '9:16', options: { size: '1280x720' } }, /disagree/],
      [{ images: ['/a.png', '/b.png'] }, /one reference image/],
      [{ video: '/v.mp4' }, /Remix/],
      [{ seed: 1 }, /no seed/],
      [{ negativePrompt: 'blur' }, /no negative prompt/],
      [{ model: 'bad model' }, /model id/],
      [{ options: { remixOf: 'video_1', size: '1280x720' } }, /only a prompt/],
      [{ options: { remixOf: '../x' } }, /finished video on this server/],
    ];
    for (const [extra, message] of cases) assert.match(openai.validate(req(extra)) ?? '', message, JSON.stringify(extra));
  });
});

describe('OpenAI in the generate flow (descriptor data)', function () {
  it("offers the server's models (and any typed id, or none), free seconds and size, and Remix on a finished task", function () {
    assert.deepStrictEqual(modelChoices(openai, 'text-to-video', [], ['wan-2.2', 'seedance-1-pro']), ['wan-2.2', 'seedance-1-pro']);
    assert.deepStrictEqual(modelChoices(openai, 'text-to-video', [], []), [], 'no fixed models: sora-2 and sora-2-pro are not offered');
    assert.strictEqual(openai.models?.fixed, undefined);
    assert.deepStrictEqual([openai.models?.custom, openai.models?.optional], [true, true]);
    for (const mode of ['text-to-video', 'image-to-video'] as const) {
      const fields = fieldsFor(openai, mode);
      assert.deepStrictEqual(
        fields.map((f) => [f.label, f.kind, f.kind === 'number' ? [f.min, f.max, f.integer] : f.kind === 'text' ? f.maxLength : undefined]),
        [
          ['Seconds', 'number', [1, 60, true]],
          ['Size', 'text', 9],
        ],
      );
      assert.deepStrictEqual(
        fields.map((f) => describeValue(f, undefined)),
        ["the server's default", "the server's default"],
      );
    }
    const [seconds, size] = fieldsFor(openai, 'text-to-video') as TypedField[];
    assert.deepStrictEqual(
      [parseFieldInput(seconds, '5'), parseFieldInput(seconds, '61')],
      [{ value: 5 }, { error: 'Enter a number from 1 to 60.' }],
    );
    assert.deepStrictEqual([parseFieldInput(size, ' 832x480 '), parseFieldInput(size, '')], [{ value: '832x480' }, {}]);
    assert.deepStrictEqual(parseFieldInput(size, '1280*720'), { error: 'Size must be WIDTHxHEIGHT in pixels, e.g. 1280x720.' });
    assert.deepStrictEqual(flowSteps({ providerChoices: 4, modeChoices: openai.modes.length, modelStep: true, mediaStep: true }), [
      'provider',
      'mode',
      'model',
      'media',
      'prompt',
      'options',
    ]);
    assert.deepStrictEqual(openai.envKeys, ['OPENAI_API_KEY']);
    const remix = openai.actions![0];
    const done = makeTask('openai', 'video_1', { status: 'succeeded', model: 'wan-2.2' });
    assert.ok(remix.appliesTo(done));
    assert.ok(!remix.appliesTo({ ...done, status: 'running' }));
    assert.deepStrictEqual(remix.request(done, 'at night'), {
      provider: 'openai',
      prompt: 'at night',
      model: 'wan-2.2',
      options: { remixOf: 'video_1' },
    });
    assert.deepStrictEqual(remix.request({ ...done, model: '' }, 'at night'), {
      provider: 'openai',
      prompt: 'at night',
      options: { remixOf: 'video_1' },
    });
  });
});

describe('OpenAI parseVideo', function () {
  const base = 'https://host.example/gw/v1';
  const task = { remoteId: 'video_1' };

  it('a completed video: the content URL on the API (with the key), its thumbnail, expiry, length and size', function () {
    const s = parseVideo(
      { id: 'video_1', status: 'completed', progress: 100, expires_at: 1_760_000_000, seconds: '8', size: '720x1280' },
      base,
      task,
    );
    assert.deepStrictEqual(s, {
      status: 'succeeded',
      rawStatus: 'completed',
      progress: 100,
      videos: [
        {
          url: `${base}/videos/video_1/content`,
          id: 'video_1',
          posterUrl: `${base}/videos/video_1/content?variant=thumbnail`,
          authenticated: true,
          expiresAt: 1_760_000_000_000,
          duration: 8,
          width: 720,
          height: 1280,
        },
      ],
    });
  });

  it('the result URL is built from the id the task was created with, never from the answer', function () {
    const s = parseVideo({ id: '../../elsewhere', status: 'completed' }, base, task);
    assert.strictEqual(s.videos[0].url, `${base}/videos/video_1/content`);
  });

  it('statuses, progress, and a failure with its code', function () {
    assert.deepStrictEqual(parseVideo({ status: 'queued', progress: 0 }, base, task), {
      status: 'queued',
      rawStatus: 'queued',
      progress: 0,
      videos: [],
    });
    assert.strictEqual(parseVideo({ status: 'in_progress', progress: 37 }, base, task).progress, 37);
    assert.strictEqual(parseVideo({ status: 'in_progress' }, base, task).status, 'running');
    assert.strictEqual(parseVideo({ status: 'rendering' }, base, task).status, 'unknown');
    const failed = parseVideo({ status: 'failed', error: { code: 'moderation_blocked', message: 'Blocked.' } }, base, task);
    assert.deepStrictEqual([failed.status, failed.error], ['failed', 'Blocked. (moderation_blocked)']);
    assert.strictEqual(
      parseVideo({ status: 'failed', error: null }, base, task).error,
      'OpenAI-compatible server reported the generation failed.',
    );
    assert.throws(
      () => parseVideo('<html>', base, task),
      (e: unknown) => e instanceof ProviderError && e.kind === 'malformed',
    );
  });
});

describe('OpenAI against the emulator', function () {
  const h = useEmulator({ durationMs: 10_000 });

  it('text-to-video: a multipart create, progress over time, a result on the API', async function () {
    const r = req({ prompt: 'a lighthouse', model: 'seedance-1-pro', options: { seconds: 7, size: '1280x720' } });
    const created = await openai.create(h.ctx(), r, {}, 'r');
    assert.match(created.remoteId, /^video_/);
    assert.strictEqual(created.model, 'seedance-1-pro');
    const sent = h.em.requests('openai.create')[0];
    assert.match(sent.contentType ?? '', /^multipart\/form-data; boundary=/);
    assert.deepStrictEqual(sent.body, { prompt: 'a lighthouse', model: 'seedance-1-pro', seconds: '7', size: '1280x720' });
    const t = makeTask('openai', created.remoteId);
    assert.strictEqual((await pollState(openai, h.ctx(), t)).status, 'queued');
    h.advance(5_000);
    const running = await pollState(openai, h.ctx(), t);
    assert.strictEqual(running.status, 'running');
    assert.ok(running.progress! > 0 && running.progress! < 100);
    h.advance(5_000);
    const done = await pollState(openai, h.ctx(), t);
    assert.strictEqual(done.status, 'succeeded');
    assert.deepStrictEqual(
      [done.videos[0].url, done.videos[0].authenticated, done.videos[0].duration],
      [`${h.em.baseUrl}/videos/${created.remoteId}/content`, true, 7],
    );
    assert.ok(h.em.requests('openai.retrieve').every((q) => q.authorized));
  });

  it("no model chosen: the create has no model field, the server's default makes it, and the task takes the model the server names", async function () {
    const created = await openai.create(h.ctx(), req({ prompt: 'a harbour' }), {}, 'r');
    assert.deepStrictEqual(h.em.requests('openai.create')[0].body, { prompt: 'a harbour' });
    assert.strictEqual(created.model, 'wan-2.2', "the emulated server's default model");
  });

  it('image-to-video: the image as a file part, the size taken from it; a size the model does not make is refused by the server, in its words', async function () {
    const wide = req({ image: fixture('wide.png') });
    await openai.create(h.ctx(), wide, await resolveMedia(wide), 'r');
    const body = h.em.requests('openai.create')[0].body as Record<string, unknown>;
    assert.strictEqual(body.size, '1280x720');
    assert.ok(isFilePart(body.input_reference));
    assert.strictEqual(Buffer.compare(body.input_reference.data, fs.readFileSync(fixture('wide.png'))), 0);

    const log = memoryLog();
    const square = req({ image: fixture('cat.png'), options: { size: '1280x720' } });
    const err = await rejectsWith(openai.create(h.ctx(undefined, { log }), square, await resolveMedia(square), 'r'), 'badRequest');
    assert.match(
      err.message,
      /OpenAI-compatible server refused the request \(HTTP 400\): Invalid value: '256x256'\. Supported values for wan-2\.2 are/,
    );
    assert.strictEqual(err.mayHaveStarted, false);
    assert.deepStrictEqual(
      log.lines.map((l) => l.level),
      ['warn'],
    );
    assert.match(log.lines[0].message, /The image is 256x256, so the video is 256x256, not 1280x720/);
    assert.strictEqual((h.em.requests('openai.create')[1].body as Record<string, unknown>).size, '256x256');
  });

  it("seconds outside Sora's 4, 8 and 12 are sent as asked; the server says what its model makes", async function () {
    await openai.create(h.ctx(), req({ prompt: 'five seconds', options: { seconds: 5 } }), {}, 'r');
    assert.strictEqual((h.em.requests('openai.create')[0].body as Record<string, unknown>).seconds, '5');
    const long = req({ prompt: 'too long for wan', model: 'wan-2.2', options: { seconds: 30 } });
    assert.strictEqual(openai.validate(long), undefined);
    const err = await rejectsWith(openai.create(h.ctx(), long, {}, 'r'), 'badRequest');
    assert.match(err.message, /wan-2\.2 makes videos of 1 to 10 whole seconds/);
  });

  it('a base URL with a path prefix: every route under it', async function () {
    const ctx = h.ctx(undefined, { baseUrl: `${h.em.baseUrl}/gw/v1` });
    const created = await openai.create(ctx, req({ prompt: 'prefixed [duration=1000]' }), {}, 'r');
    h.advance(1000);
    const s = await pollState(openai, ctx, makeTask('openai', created.remoteId));
    assert.strictEqual(s.videos[0].url, `${h.em.baseUrl}/gw/v1/videos/${created.remoteId}/content`);
    assert.deepStrictEqual(
      h.em.requests().map((q) => q.path),
      ['/gw/v1/videos', `/gw/v1/videos/${created.remoteId}`],
    );
  });

  it("a failure, moderation, in OpenAI's words, through the registered client", async function () {
    const created = await PROVIDERS.openai.create(h.ctx(), req({ prompt: 'x [moderation_blocked] [duration=1000]' }), {}, 'r');
    h.advance(1000);
    const s = await pollState(PROVIDERS.openai, h.ctx(), makeTask('openai', created.remoteId));
    assert.deepStrictEqual([s.status, s.error], ['failed', `${MODERATION_MESSAGE} (moderation_blocked)`]);
  });

  it('remix: JSON to /videos/{id}/remix of a finished video; the new video names its source', async function () {
    const source = await openai.create(h.ctx(), req({ prompt: 'source [duration=1000]', options: { seconds: '10' } }), {}, 'r');
    h.advance(1000);
    const remix = openai.actions![0].request(makeTask('openai', source.remoteId, { status: 'succeeded', model: source.model }), 'at night');
    assert.strictEqual(openai.validate(remix), undefined);
    const created = await openai.create(h.ctx(), remix, {}, 'r');
    assert.deepStrictEqual([created.mode, created.model], ['video-edit', 'wan-2.2']);
    const sent = h.em.requests('openai.remix')[0];
    assert.deepStrictEqual([sent.path, sent.body], [`/videos/${source.remoteId}/remix`, { prompt: 'at night' }]);
    assert.match(sent.contentType ?? '', /^application\/json/);
  });

  it('a server without remix (404 or 405 on the remix route) says it does not support remix; an unknown source video stays "not found"', async function () {
    const remix = openai.actions![0].request(makeTask('openai', 'video_src', { status: 'succeeded', model: 'wan-2.2' }), 'at night');
    for (const status of [404, 405]) {
      h.em.injectFault({ route: 'openai.remix', kind: 'status', status });
      const e = await rejectsWith(openai.create(h.ctx(), remix, {}, 'r'), 'badRequest');
      assert.strictEqual(e.message, `This server (${new URL(h.em.baseUrl).host}) does not support remix (HTTP ${status}).`);
      assert.strictEqual(e.mayHaveStarted, false);
    }
    const missing = await rejectsWith(openai.create(h.ctx(), remix, {}, 'r'), 'notFound');
    assert.match(missing.message, /Video with id 'video_src' not found/);
  });

  it('errors: a rejected key, an unknown video, a refused value, 429 with retry-after-ms or retry-after', async function () {
    await rejectsWith(openai.create(h.ctx('bad-key'), req(), {}, 'r'), 'auth');
    const gone = (await openai.poll(h.ctx(), [makeTask('openai', 'video_missing')])).values().next().value;
    assert.ok(
      gone instanceof ProviderError && gone.kind === 'notFound' && /Video with id 'video_missing' not found/.test(gone.message),
      String(gone),
    );
    const bad = await rejectsWith(openai.create(h.ctx(), req({ model: 'sora-2' }), {}, 'r'), 'badRequest');
    assert.match(bad.message, /Invalid value: 'sora-2'\. Supported values are: 'wan-2\.2', 'seedance-1-pro'/);
    h.em.injectFault({ route: 'openai.create', kind: 'status', status: 429, retryAfterMs: 1500 });
    assert.strictEqual((await rejectsWith(openai.create(h.ctx(), req(), {}, 'r'), 'rateLimited')).retryAfterMs, 1500);
    h.em.injectFault({ route: 'openai.create', kind: 'status', status: 429, retryAfter: '2' });
    assert.strictEqual((await rejectsWith(openai.create(h.ctx(), req(), {}, 'r'), 'rateLimited')).retryAfterMs, 2000);
  });

  it('models: what GET {base}/models lists, video models only; testConnection says how many', async function () {
    assert.deepStrictEqual(await listOpenAiModels(h.ctx()), ['wan-2.2', 'seedance-1-pro']);
    assert.strictEqual(openai.models?.list, listOpenAiModels, "the model step offers the server's list");
    assert.match(
      await openai.testConnection(h.ctx()),
      /^OpenAI-compatible server at 127\.0\.0\.1:\d+ accepted the key \(2 video models listed\)\.$/,
    );
    await rejectsWith(openai.testConnection(h.ctx('bad-key')), 'auth');
  });
});

describe('OpenAI results through the engine', function () {
  this.timeout(20_000);
  const h = useEngineSuite({ durationMs: 300 });

  it('a path-prefixed base URL and content URLs that redirect: the key on the first request only, for the video and its thumbnail', async function () {
    const em = h.emulator;
    const ws = new Workspace(`${em.baseUrl}/gw/v1`);
    try {
      const { engine } = await ws.engine({ keys: { openai: KEY } });
      const t = await engine.generate(req({ prompt: 'via a CDN [redirect-content] [duration=300]' }));
      const done = await waitForTask(engine, t.id, settled, 'to finish');
      assert.strictEqual(
        Buffer.compare(fs.readFileSync(done.videos[0].localPath!), fs.readFileSync(fixture('sample.mp4'))),
        0,
        done.videos[0].downloadError,
      );
      assert.strictEqual(
        Buffer.compare(fs.readFileSync(done.videos[0].posterPath!), fs.readFileSync(fixture('thumbnail.jpg'))),
        0,
        'the thumbnail is the poster',
      );
      const content = `/gw/v1/videos/${t.remoteId}/content`;
      assert.deepStrictEqual(
        em.requests('openai.content').map((q) => [q.path, q.hadAuthorizationHeader, q.authorized]),
        [
          [content, true, true],
          [`${content}?variant=thumbnail`, true, true],
        ],
      );
      assert.deepStrictEqual(
        em.requests('files').map((q) => [q.path, q.hadAuthorizationHeader]),
        [
          [`/files/openai/${t.remoteId}/video.mp4`, false],
          [`/files/openai/${t.remoteId}/thumbnail.jpg`, false],
        ],
      );
    } finally {
      await ws.dispose();
    }
  });
});

describe('OpenAI finding a lost job', function () {
  this.timeout(20_000);
  const suite = useEngineSuite({ durationMs: 300, clearFaultsAfterEach: true });

  it('lists every video with the same prompt, model, length, size and source, newest first, with when it was made', function () {
    const at = Date.parse('2026-01-01T12:00:00Z');
    const task = { request: req({ model: 'sora-2', options: { seconds: '8', size: '1280x720' } }) };
    const same = { prompt: 'a fox in snow', model: 'sora-2', seconds: '8', size: '1280x720', remixed_from_video_id: null };
    const video = (id: string, extra: Record<string, unknown> = {}) => ({
      id,
      ...same,
      created_at: at / 1000,
      status: 'completed',
      ...extra,
    });
    const later = video('video_b', { created_at: at / 1000 + 20, status: 'in_progress' });
    assert.deepStrictEqual(lostJobsIn([video('video_a'), later], task), [
      { id: 'video_b', at: at + 20_000, status: 'in_progress' },
      { id: 'video_a', at, status: 'completed' },
    ]);
    const others = [
      video('video_prompt', { prompt: 'a fox in rain' }),
      video('video_model', { model: 'seedance-1-pro' }),
      video('video_seconds', { seconds: '4' }),
      video('video_size', { size: '720x1280' }),
      video('video_remix', { remixed_from_video_id: 'video_src' }),
      video('video_no_time', { created_at: undefined }),
      video('../x](command:evil)'),
      'not a video',
    ];
    assert.deepStrictEqual(lostJobsIn(others, task), []);
    const hostile = video('video_s', { status: '[x](command:evil)' });
    assert.deepStrictEqual(lostJobsIn([hostile], task), [{ id: 'video_s', at }], 'a status word that is not plain is left out');
    const remixTask = { request: req({ model: 'sora-2', options: { remixOf: 'video_src' } }) };
    const remix = lostJobsIn([video('video_remix', { remixed_from_video_id: 'video_src' })], remixTask);
    assert.deepStrictEqual(
      remix.map((j) => j.id),
      ['video_remix'],
    );
  });

  it('a create whose answer was lost after the job started: Find This Job adopts it from GET /videos and follows it to the download', async () => {
    const em = suite.emulator;
    const { engine } = await suite.ws.engine({ keys: { openai: KEY } });
    em.injectFault({ route: 'openai.create', kind: 'status', status: 502 });
    await assert.rejects(engine.generate(req({ prompt: 'never made' })), /OpenAI-compatible server had a server error \(HTTP 502\)/);
    await assert.rejects(
      engine.generate(req({ prompt: 'made, answer lost [lost-answer] [duration=300]' })),
      /OpenAI-compatible server had a server error \(HTTP 502\)/,
    );
    const [lost, never] = engine.getTasks();
    assert.deepStrictEqual([lost.uncertain, never.uncertain], [true, true]);
    assert.strictEqual(engine.canFindLostJob('openai'), true);

    const found = (await engine.findLostJob(lost.id)) as Task;
    assert.match(found.remoteId, /^video_/);
    assert.deepStrictEqual([found.status, found.uncertain, found.model, found.mode], ['queued', undefined, '', 'text-to-video']);
    assert.deepStrictEqual(
      em.requests('openai.list').map((q) => [q.path, q.authorized]),
      [['/videos?limit=50&order=desc', true]],
    );
    const done = await waitForTask(engine, lost.id, settled, 'to finish');
    assert.strictEqual(done.status, 'succeeded');
    assert.strictEqual(
      Buffer.compare(fs.readFileSync(done.videos[0].localPath!), fs.readFileSync(fixture('sample.mp4'))),
      0,
      done.videos[0].downloadError,
    );

    const notFound = (await engine.findLostJob(never.id)) as Task;
    assert.deepStrictEqual([notFound.status, notFound.uncertain, notFound.remoteId], ['failed', undefined, '']);
    assert.match(notFound.error!, /OpenAI-compatible server lists no job for this create: it did not start\./);
    assert.strictEqual(em.requests('openai.create').length, 2, 'each create sent once');
  });
});

describe('OpenAI finding a lost job: whose job it is', function () {
  this.timeout(20_000);
  const suite = useEngineSuite({ durationMs: 300, clearFaultsAfterEach: true });
  // This machine's clock and the server's: each the wall clock plus an offset a test moves, or frozen.
  const local = { offset: 0, frozen: undefined as number | undefined };
  const server = { offset: 0, frozen: undefined as number | undefined };
  const clock: Clock = {
    now: () => local.frozen ?? Date.now() + local.offset,
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (h) => clearTimeout(h),
  };
  beforeEach(() => {
    Object.assign(local, { offset: 0, frozen: undefined });
    Object.assign(server, { offset: 0, frozen: undefined });
    suite.emulator.setOptions({ now: () => server.frozen ?? Date.now() + server.offset });
  });
  after(() => suite.emulator.setOptions({ now: Date.now }));
  /** Time passes for both clocks alike. */
  const later = (ms: number) => {
    local.offset += ms;
    server.offset += ms;
  };
  /** Both clocks stand still at one moment (creates sent together). */
  const freeze = () => {
    const now = Date.now();
    local.frozen = now;
    server.frozen = now;
  };
  let n = 0;
  /** A prompt no other test uses (the emulator keeps every video of the suite). */
  const unique = (what: string) => `${what} ${++n} ${process.hrtime.bigint()}`;
  /** The ids of the emulator's videos with this prompt, newest first. */
  const jobsFor = async (prompt: string): Promise<string[]> => {
    const res = await fetch(`${suite.emulator.baseUrl}/videos?limit=100&order=desc`, { headers: { authorization: `Bearer ${KEY}` } });
    const { data } = (await res.json()) as { data: { id: string; prompt: string }[] };
    return data.filter((v) => v.prompt === prompt).map((v) => v.id);
  };
  const engineWithClock = async () => (await suite.ws.engine({ keys: { openai: KEY }, clock })).engine;
  const lostCreate = (engine: TaskEngine, prompt: string) => assert.rejects(engine.generate(req({ prompt })), /HTTP 502/);
  const taskWith = (engine: TaskEngine, prompt: string, nth = 0) =>
    engine
      .getTasks()
      .filter((t) => t.prompt === prompt)
      .reverse()[nth];

  it('two identical creates lost half a minute apart: each adopts its own job, the second never the one the first follows', async () => {
    const engine = await engineWithClock();
    const prompt = unique('twice [lost-answer] [duration=300]');
    await lostCreate(engine, prompt);
    later(30_000);
    await lostCreate(engine, prompt);
    const [second, first] = await jobsFor(prompt);
    const a = await engine.findLostJob(taskWith(engine, prompt, 0).id);
    const b = await engine.findLostJob(taskWith(engine, prompt, 1).id);
    assert.deepStrictEqual([remoteIdOf(a), remoteIdOf(b)], [first, second]);
  });

  it('an identical create a proxy refused, sent at the same moment: it does not adopt the job the other task follows', async () => {
    const engine = await engineWithClock();
    const prompt = unique('one job, two tasks [lost-answer] [duration=300]');
    freeze();
    suite.emulator.injectFault({ route: 'openai.create', kind: 'status', status: 502 });
    await lostCreate(engine, prompt);
    await lostCreate(engine, prompt);
    const [job] = await jobsFor(prompt);
    const refused = taskWith(engine, prompt, 0);
    const started = taskWith(engine, prompt, 1);
    assert.strictEqual(remoteIdOf(await engine.findLostJob(started.id)), job);
    const notFound = await engine.findLostJob(refused.id);
    assert.deepStrictEqual([remoteIdOf(notFound), engine.getTask(refused.id)!.uncertain], ['', undefined]);
    assert.match(engine.getTask(refused.id)!.error!, /OpenAI-compatible server lists no job for this create: it did not start\./);
  });

  it('a 502 from a proxy before OpenAI saw the create, then the user retried elsewhere: the retry is not adopted', async () => {
    const engine = await engineWithClock();
    const prompt = unique('retried by hand [duration=300]');
    suite.emulator.injectFault({ route: 'openai.create', kind: 'status', status: 502 });
    await lostCreate(engine, prompt);
    later(20_000);
    const retry = await fetch(`${suite.emulator.baseUrl}/videos`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt, model: 'wan-2.2' }),
    });
    assert.strictEqual(retry.status, 200);
    assert.strictEqual((await jobsFor(prompt)).length, 1);
    const lost = taskWith(engine, prompt);
    await engine.findLostJob(lost.id);
    assert.deepStrictEqual([engine.getTask(lost.id)!.remoteId, engine.getTask(lost.id)!.uncertain], ['', undefined]);
  });

  it('a server clock 10 minutes ahead, or behind: the skew is read from its Date header and the job is still found', async () => {
    const engine = await engineWithClock();
    for (const skew of [10 * 60_000, -10 * 60_000]) {
      server.offset = skew;
      const prompt = unique('skewed [lost-answer] [duration=300]');
      await lostCreate(engine, prompt);
      const [job] = await jobsFor(prompt);
      const found = await engine.findLostJob(taskWith(engine, prompt).id);
      assert.strictEqual(remoteIdOf(found), job, `server clock ${skew / 60_000} min off`);
    }
  });

  it('two jobs fit: without a chooser both are returned, none adopted; the chosen one is adopted, the other task gets the other', async () => {
    const engine = await engineWithClock();
    const prompt = unique('two at once [lost-answer] [duration=300]');
    freeze();
    await Promise.all([lostCreate(engine, prompt), lostCreate(engine, prompt)]);
    const jobs = await jobsFor(prompt);
    assert.strictEqual(jobs.length, 2);
    const a = taskWith(engine, prompt, 0);
    const b = taskWith(engine, prompt, 1);
    const ambiguous = await engine.findLostJob(a.id);
    assert.ok(ambiguous && 'candidates' in ambiguous, 'the candidates, not a task');
    assert.deepStrictEqual(ambiguous.candidates.map((c) => c.remoteId).sort(), [...jobs].sort());
    assert.deepStrictEqual([ambiguous.task.remoteId, ambiguous.task.uncertain], ['', true]);
    assert.deepStrictEqual([engine.getTask(a.id)!.uncertain, engine.getTask(b.id)!.uncertain], [true, true], 'nothing adopted');
    const offered: string[][] = [];
    const chosen = await engine.findLostJob(a.id, async (candidates) => {
      offered.push(candidates.map((c) => c.remoteId));
      return jobs[1];
    });
    assert.deepStrictEqual([remoteIdOf(chosen), offered.length], [jobs[1], 1]);
    const last = await engine.findLostJob(b.id, async () => assert.fail('one candidate left: nothing to choose'));
    assert.strictEqual(remoteIdOf(last), jobs[0]);
  });
});

describe('OpenAI as a hostile server', function () {
  this.timeout(20_000);
  const suite = useEngineSuite({ durationMs: 300, clearFaultsAfterEach: true });
  const HOSTILE_KEY = 'plain-key-0123456789abcdef';

  it('a failure text and a refused create are stored and thrown clean', async () => {
    const { engine, log, store } = await suite.ws.engine({ keys: { openai: HOSTILE_KEY } });
    const task = await engine.generate(req({ prompt: '[hostile]' }));
    const failed = await waitForTask(engine, task.id, (t) => t.status === 'failed', 'to fail');
    assertClean(failed.error, HOSTILE_KEY);
    assert.match(failed.error!, /^Quota exceeded\. Fix it here/);
    suite.emulator.injectFault({ route: 'openai.create', kind: 'hostile' });
    await assert.rejects(engine.generate(req({ prompt: 'refused' })), (e: Error) => {
      assertClean(e.message, HOSTILE_KEY);
      return true;
    });
    await engine.flush();
    const history = fs.readFileSync(store.file, 'utf8');
    assert.ok(history.includes('Quota exceeded') && !history.includes(HOSTILE_KEY), 'the history holds the failure, without the key');
    for (const line of log.lines) assertClean(line.message, HOSTILE_KEY, 3000);
  });

  it('a create answered with an id that is not plain is refused as malformed (the job may have started)', async () => {
    const hostileId = '../x](command:workbench.action.reloadWindow)';
    const stub = await startStub((_req, res) => sendJson(res, 200, { id: hostileId, object: 'video', status: 'queued' }));
    try {
      const e = await rejectsWith(PROVIDERS.openai.create({ baseUrl: stub.baseUrl, apiKey: HOSTILE_KEY }, req(), {}, 'r'), 'malformed');
      assert.strictEqual(e.mayHaveStarted, true);
      assert.ok(!e.message.includes(hostileId));
    } finally {
      await stub.close();
    }
  });
});

describe('OpenAI-compatible with no base URL, and Sora tasks from before the shutdown', function () {
  this.timeout(20_000);
  const suite = useEngineSuite({ durationMs: 300, clearFaultsAfterEach: true });
  const SETTING = 'aiVideo.openai.baseUrl';
  /** The extension's context with the setting unset (it has no default): config.ts reads it this way. */
  const unset = (p: string) => (p === 'openai' ? checkBaseUrl(SETTING, undefined, false) : suite.emulator.baseUrl);

  it('used without a base URL: says to set aiVideo.openai.baseUrl, keeps no task, sends nothing', async () => {
    const { engine } = await suite.ws.engine({ keys: { openai: KEY }, baseUrl: unset });
    await assert.rejects(engine.generate(req({ prompt: 'a harbour at dawn' })), (e: unknown) => {
      assert.ok(e instanceof ProviderError && e.kind === 'config', String(e));
      assert.strictEqual(e.message, `No server is set: set ${SETTING} to your server. Nothing was sent.`);
      return true;
    });
    assert.deepStrictEqual(engine.getTasks(), []);
    assert.deepStrictEqual(suite.emulator.requests(), [], 'no request was made');
  });

  it('a sora-2 task from the history reads back, shows in the player, and Regenerate refuses cleanly', async () => {
    const ws = suite.ws;
    fs.mkdirSync(ws.mediaDir, { recursive: true });
    const file = path.join(ws.mediaDir, 'sora.mp4');
    fs.copyFileSync(fixture('sample.mp4'), file);
    const request: GenerateRequest = {
      provider: 'openai',
      prompt: 'a fox in snow',
      model: 'sora-2',
      options: { seconds: '8', size: '1280x720' },
    };
    const content = 'https://api.openai.com/v1/videos/video_sora1/content';
    const sora = makeTask('openai', 'video_sora1', {
      status: 'succeeded',
      progress: 100,
      model: 'sora-2',
      request,
      prompt: request.prompt,
      origin: 'https://api.openai.com/v1',
      finishedAt: Date.now(),
      videos: [
        {
          url: content,
          id: 'video_sora1',
          posterUrl: `${content}?variant=thumbnail`,
          authenticated: true,
          localPath: file,
          duration: 8,
          width: 1280,
          height: 720,
        },
      ],
    });
    await new TaskStore(ws.storeFile).save([sora]);

    const { engine } = await ws.engine({ keys: { openai: KEY }, baseUrl: unset });
    const back = engine.getTask(sora.id)!;
    assert.deepStrictEqual(
      [back.status, back.model, back.request.model, back.videos[0].localPath],
      ['succeeded', 'sora-2', 'sora-2', file],
    );
    const page = planPlayerContent(back, 0, ws.mediaDir, openai);
    assert.strictEqual(page.kind, 'video');
    if (page.kind === 'video') {
      assert.deepStrictEqual(
        [page.localPath, page.meta.model, page.meta.providerLabel, page.meta.duration],
        [file, 'sora-2', 'OpenAI-compatible server', 8],
      );
      assert.deepStrictEqual(
        page.meta.taskActions.map((a) => a.id),
        ['remix'],
      );
    }

    // Regenerate sends the task's request again (generateCommands.ts): refused before anything is sent.
    const { seed: _none, ...again } = back.request;
    await assert.rejects(
      engine.generate(again),
      (e: unknown) => e instanceof ProviderError && e.kind === 'config' && e.message.includes(`set ${SETTING} to your server`),
    );
    // At a compatible server that does not serve Sora, the server's refusal, in its words.
    const { engine: atServer } = await ws.engine({ keys: { openai: KEY }, storeFile: path.join(ws.dir, 'other.json') });
    await assert.rejects(
      atServer.generate(again),
      (e: unknown) => e instanceof ProviderError && e.kind === 'badRequest' && /Invalid value: 'sora-2'/.test(e.message),
    );
    assert.deepStrictEqual(atServer.getTasks(), [], 'a refused create keeps no task');
    assert.deepStrictEqual(
      suite.emulator.requests().map((q) => q.route),
      ['openai.create'],
    );
    assert.deepStrictEqual(engine.getTask(sora.id), back, 'the old task is untouched');
  });
});
