import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

import { ProviderError } from '../../../src/core/model/errors';
import { GenerateRequest } from '../../../src/core/model/task';
import { resolveMedia } from '../../../src/core/request/media';
import { OPENROUTER_BASE_PATH } from '../../../src/emulator/openrouter';
import { emulatorBaseUrl } from '../../../src/emulator/server';
import { PROVIDERS } from '../../../src/providers';
import {
  fetchVideoModels,
  openrouter,
  parsePricingSkus,
  parseVideoJob,
  parseVideoModels,
  pollingUrlProblem,
} from '../../../src/providers/openrouter';
import { KEY, settled, useEngineSuite, waitForTask } from '../../support/engineHarness';
import { fixture, fixtureBase64, makeTask, pollState, rejectsWith, sendJson, startStub, useEmulator } from '../../support/helpers';
import { ROOT } from '../../support/paths';

const req = (extra: Partial<GenerateRequest> = {}): GenerateRequest => ({
  provider: 'openrouter',
  prompt: 'a fox in snow',
  model: 'google/veo-3.1',
  ...extra,
});

describe('OpenRouter, as registered', function () {
  it("its key is a bearer token from OPENROUTER_API_KEY too; its base URL setting defaults to OpenRouter's API, application scope", function () {
    const client = PROVIDERS.openrouter;
    assert.deepStrictEqual(client.envKeys, ['OPENROUTER_API_KEY']);
    assert.strictEqual(client.settings.baseUrl, 'openrouter.baseUrl');
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      contributes: { configuration: { properties: Record<string, { default?: unknown; scope?: string }> } };
      capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
    };
    const setting = manifest.contributes.configuration.properties['aiVideo.openrouter.baseUrl'];
    assert.deepStrictEqual([setting.default, setting.scope], ['https://openrouter.ai/api/v1', 'application']);
    assert.ok(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations.includes('aiVideo.openrouter.baseUrl'));
  });
});

describe('OpenRouter request building', function () {
  it('text to video: duration (an integer), resolution, aspect ratio, audio and seed under their OpenRouter names', function () {
    const spec = openrouter.buildCreate(req({ duration: 8, resolution: '1080p', aspectRatio: '16:9', audio: true, seed: 42 }), {}, 'r');
    assert.deepStrictEqual(spec, {
      path: '/videos',
      body: {
        model: 'google/veo-3.1',
        prompt: 'a fox in snow',
        duration: 8,
        resolution: '1080p',
        aspect_ratio: '16:9',
        generate_audio: true,
        seed: 42,
      },
      mode: 'text-to-video',
      model: 'google/veo-3.1',
    });
    assert.deepStrictEqual(
      openrouter.buildCreate(req(), {}, 'r').body,
      { model: 'google/veo-3.1', prompt: 'a fox in snow' },
      'nothing unset is sent',
    );
    assert.strictEqual(openrouter.buildCreate(req({ audio: false }), {}, 'r').body.generate_audio, false);
  });

  it('first and last frame: a local file as a data: URI, an https URL as it is', async function () {
    const local = await resolveMedia(req({ image: fixture('cat.png') }));
    const media = { ...local, lastFrame: fixtureBase64('dog.jpg'), lastFrameMime: 'image/jpeg' };
    const spec = openrouter.buildCreate(req({ image: fixture('cat.png'), lastFrame: fixture('dog.jpg') }), media, 'r');
    assert.strictEqual(spec.mode, 'image-to-video');
    assert.deepStrictEqual(spec.body.frame_images, [
      { type: 'image_url', image_url: { url: `data:image/png;base64,${fixtureBase64('cat.png')}` }, frame_type: 'first_frame' },
      { type: 'image_url', image_url: { url: `data:image/jpeg;base64,${fixtureBase64('dog.jpg')}` }, frame_type: 'last_frame' },
    ]);
    const byUrl = openrouter.buildCreate(
      req({ image: 'https://x.test/a.png', lastFrame: 'https://x.test/b.png' }),
      { image: 'https://x.test/a.png' },
      'r',
    );
    assert.deepStrictEqual(byUrl.body.frame_images, [
      { type: 'image_url', image_url: { url: 'https://x.test/a.png' }, frame_type: 'first_frame' },
      { type: 'image_url', image_url: { url: 'https://x.test/b.png' }, frame_type: 'last_frame' },
    ]);
    assert.throws(
      () => openrouter.buildCreate(req({ lastFrame: fixture('dog.jpg') }), {}, 'r'),
      (e: Error & { kind?: string }) => e.kind === 'input',
    );
  });

  it('reference images go as input_references (ingredients)', async function () {
    const media = await resolveMedia(req({ images: [fixture('cat.png'), 'https://x.test/b.png'] }));
    const spec = openrouter.buildCreate(
      req({ model: 'alibaba/wan-2.6', images: [fixture('cat.png'), 'https://x.test/b.png'] }),
      media,
      'r',
    );
    assert.strictEqual(spec.mode, 'ingredients');
    assert.deepStrictEqual(spec.body.input_references, [
      { type: 'image_url', image_url: { url: `data:image/png;base64,${fixtureBase64('cat.png')}` } },
      { type: 'image_url', image_url: { url: 'https://x.test/b.png' } },
    ]);
    assert.strictEqual(spec.body.frame_images, undefined);
  });

  it('validate: a model id, a prompt, whole seconds, a resolution word; no video, negative prompt, Pikaffect or style', function () {
    assert.strictEqual(openrouter.validate(req({ duration: 6, resolution: '4K', aspectRatio: '21:9', audio: true, seed: 1 })), undefined);
    assert.match(openrouter.validate(req({ model: undefined })) ?? '', /Choose an OpenRouter model id/);
    assert.match(openrouter.validate(req({ prompt: ' ' })) ?? '', /needs a prompt/);
    assert.match(openrouter.validate(req({ duration: 4.5 })) ?? '', /whole number of seconds/);
    assert.match(openrouter.validate(req({ resolution: 'huge' })) ?? '', /must look like 720p/);
    assert.match(openrouter.validate(req({ video: 'https://x.test/v.mp4' })) ?? '', /does not restyle/);
    assert.match(openrouter.validate(req({ negativePrompt: 'blur' })) ?? '', /no negative prompt/);
    assert.match(openrouter.validate(req({ seed: -1 })) ?? '', /Seed must be/);
  });
});

describe('OpenRouter against the emulator', function () {
  const h = useEmulator({ durationMs: 10_000 });
  const ctx = (key?: string) => ({ ...h.ctx(key), baseUrl: emulatorBaseUrl(h.em.baseUrl, 'openrouter') });
  const client = PROVIDERS.openrouter;

  it('create (202, relative polling_url), then pending -> in_progress -> completed with the result on the API and the cost', async function () {
    const warnings: string[] = [];
    const log = { trace: () => undefined, info: () => undefined, warn: (m: string) => warnings.push(m), error: () => undefined };
    const created = await client.create({ ...ctx(), log }, req({ duration: 8, resolution: '1080p' }), {}, 'r');
    assert.deepStrictEqual([created.mode, created.model], ['text-to-video', 'google/veo-3.1']);
    assert.deepStrictEqual(warnings, [], 'a relative polling_url is fine');
    const task = makeTask('openrouter', created.remoteId, { model: created.model });
    const queued = await pollState(client, ctx(), task);
    assert.deepStrictEqual([queued.status, queued.rawStatus, queued.progress], ['queued', 'pending', undefined]);
    h.advance(5_000);
    assert.deepStrictEqual(
      [(await pollState(client, ctx(), task)).status, (await pollState(client, ctx(), task)).rawStatus],
      ['running', 'in_progress'],
    );
    h.advance(5_000);
    const done = await pollState(client, ctx(), task);
    assert.strictEqual(done.status, 'succeeded');
    assert.deepStrictEqual(done.videos, [{ url: `${ctx().baseUrl}/videos/${created.remoteId}/content?index=0`, authenticated: true }]);
    assert.deepStrictEqual(done.cost, { amount: 4.8, currency: 'USD', source: 'provider' });
    assert.deepStrictEqual(
      h.em.requests('openrouter.retrieve').map((r) => r.path),
      Array(4).fill(`${OPENROUTER_BASE_PATH}/videos/${created.remoteId}`),
      'polled at {base}/videos/{id}',
    );
  });

  it('a result off the API is fetched without the key; no unsigned URL means the content route', async function () {
    const cdn = await client.create(ctx(), req({ prompt: 'cdn [cdn-result]' }), {}, 'r');
    const bare = await client.create(ctx(), req({ prompt: 'bare [no-unsigned]' }), {}, 'r');
    h.advance(10_000);
    const a = await pollState(client, ctx(), makeTask('openrouter', cdn.remoteId));
    assert.deepStrictEqual(a.videos, [{ url: `${h.em.baseUrl}/files/openrouter/${cdn.remoteId}/video.mp4` }]);
    const b = await pollState(client, ctx(), makeTask('openrouter', bare.remoteId));
    assert.deepStrictEqual(b.videos, [{ url: `${ctx().baseUrl}/videos/${bare.remoteId}/content?index=0`, authenticated: true }]);
  });

  it('failed, cancelled and expired jobs are failed tasks with their reason', async function () {
    const ids = await Promise.all(
      ['[fail]', '[cancelled]', '[expired]'].map(async (m) => (await client.create(ctx(), req({ prompt: `x ${m}` }), {}, 'r')).remoteId),
    );
    h.advance(10_000);
    const states = await Promise.all(ids.map((id) => pollState(client, ctx(), makeTask('openrouter', id))));
    assert.deepStrictEqual(
      states.map((s) => [s.status, s.rawStatus, s.error]),
      [
        ['failed', 'failed', 'Emulated generation failure'],
        ['failed', 'cancelled', 'The generation was cancelled.'],
        ['failed', 'expired', 'The generation expired before it completed.'],
      ],
    );
  });

  it('402: out of credits, said plainly, for the account', async function () {
    const e = await rejectsWith(client.create(ctx(), req({ prompt: 'x [no-credits]' }), {}, 'r'), 'payment');
    assert.match(
      e.message,
      /^Your OpenRouter account is out of credits: add credits, then generate again\. \(OpenRouter: .*Insufficient credits/,
    );
    assert.strictEqual(e.mayHaveStarted, false);
  });

  it("400: the provider's own message (a duration the model does not take)", async function () {
    const e = await rejectsWith(client.create(ctx(), req({ duration: 5 }), {}, 'r'), 'badRequest');
    assert.match(e.message, /duration 5 is not supported by google\/veo-3\.1; supported durations: 4, 6, 8/);
  });

  it('404: the model is marked not found, for the catalogue', async function () {
    const e = await rejectsWith(client.create(ctx(), req({ model: 'openai/sora-2' }), {}, 'r'), 'notFound');
    assert.strictEqual(e.modelNotFound, true);
    assert.match(e.message, /OpenRouter has no video model "openai\/sora-2": it is retired or unknown/);
    const missing = makeTask('openrouter', 'vgen_missing');
    const other = (await client.poll(ctx(), [missing])).get(missing.id);
    assert.ok(other instanceof ProviderError && other.kind === 'notFound');
    assert.strictEqual(other.modelNotFound, false, 'an unknown job is not an unknown model');
  });

  it('429 with its headers: rate limited, with the time to wait', async function () {
    h.em.injectFault({ route: 'openrouter.create', kind: 'status', status: 429, retryAfter: '7' });
    const e = await rejectsWith(client.create(ctx(), req(), {}, 'r'), 'rateLimited');
    assert.strictEqual(e.retryAfterMs, 7000);
    assert.strictEqual(e.mayHaveStarted, false);
  });

  it('Test Connection: GET /key shows the credit left when the key has a limit', async function () {
    assert.strictEqual(
      await client.testConnection(ctx('sk-conn-key-0123456789')),
      'OpenRouter accepted the key; $25.00 of credit left on it.',
    );
    assert.strictEqual(
      await client.testConnection(ctx('nolimit-key-0123456789')),
      'OpenRouter accepted the key (it has no credit limit of its own).',
    );
    await rejectsWith(client.testConnection(ctx('bad-key')), 'auth');
  });

  it('the published catalogue, without the key: capabilities, modes and prices', async function () {
    const models = await client.catalog!.published!(ctx());
    assert.strictEqual(h.em.requests('openrouter.models').at(-1)?.hadAuthorizationHeader, false);
    const byId = new Map(models.map((m) => [m.id, m]));
    assert.deepStrictEqual(byId.get('google/veo-3.1'), {
      id: 'google/veo-3.1',
      label: 'Google: Veo 3.1',
      modes: ['text-to-video', 'image-to-video'],
      capabilities: {
        durations: [4, 6, 8],
        resolutions: ['720p', '1080p'],
        aspectRatios: ['16:9', '9:16'],
        frames: { first: true, last: true },
        audio: true,
        seed: true,
        referenceImages: 0,
        typicalRunSeconds: 90,
      },
      prices: {
        rules: [
          { unit: 'second', usd: 0.4 },
          { unit: 'second', usd: 0.6, resolution: '1080p' },
        ],
      },
    });
    assert.deepStrictEqual(byId.get('minimax/hailuo-02')?.prices, {
      rules: [
        { unit: 'video', usd: 0.28 },
        { unit: 'video', usd: 0.49, resolution: '1080p' },
      ],
    });
    assert.deepStrictEqual(byId.get('minimax/hailuo-02')?.modes, ['text-to-video', 'image-to-video']);
    const wan = byId.get('alibaba/wan-2.6')!;
    assert.deepStrictEqual(wan.modes, ['text-to-video', 'image-to-video', 'ingredients'], 'the snapshot knows Wan takes references');
    assert.deepStrictEqual(
      wan.prices?.unknown,
      ['per-video-second-audio-surcharge'],
      'a SKU this version does not understand: the price is unknown',
    );
    const bare = byId.get('bytedance/seedance-1-pro')!;
    assert.deepStrictEqual(
      [bare.modes, bare.capabilities, bare.prices],
      [['text-to-video'], { referenceImages: 0 }, undefined],
      'null lists stay unknown',
    );
  });
});

describe('OpenRouter answers, as untrusted JSON', function () {
  it('pricing SKUs: per second and per video, a -<resolution> SKU beside the generic one, anything else unknown', function () {
    assert.deepStrictEqual(
      parsePricingSkus({ 'per-video-second': '0.10', 'per-video-second-720p': '0.15', 'per-video-second-4K': '0.50' }, ['720p']),
      {
        rules: [
          { unit: 'second', usd: 0.1 },
          { unit: 'second', usd: 0.15, resolution: '720p' },
          { unit: 'second', usd: 0.5, resolution: '4K' },
        ],
      },
    );
    assert.deepStrictEqual(parsePricingSkus({ 'per-video': '1.20' }), { rules: [{ unit: 'video', usd: 1.2 }] });
    assert.deepStrictEqual(parsePricingSkus({ 'per-video-second': 'free', 'per-token': '0.01', 'per-video-second-with-audio': '0.2' }), {
      rules: [],
      unknown: ['per-video-second', 'per-token', 'per-video-second-with-audio'],
    });
    assert.deepStrictEqual(
      parsePricingSkus({ 'per-video-second': '-1' }),
      { rules: [], unknown: ['per-video-second'] },
      'a negative price is not a price',
    );
    assert.deepStrictEqual(
      parsePricingSkus({ 'per-video-second': 0.1 }),
      { rules: [], unknown: ['per-video-second'] },
      'prices are USD strings',
    );
    assert.deepStrictEqual(
      parsePricingSkus({ 'per-video': '0.20', 'per-video-second': '0.05' }),
      { rules: [], unknown: ['per-video', 'per-video-second'] },
      'a fee per video and per second together: how they combine is not published',
    );
    assert.strictEqual(parsePricingSkus(null), undefined);
  });

  it('the catalogue: malformed entries are dropped, odd values filtered, ids checked, duplicates once', function () {
    const models = parseVideoModels({
      data: [
        {
          id: 'ok/model',
          name: 'OK',
          supported_durations: [8, 4, 4, -1, 2.5, '6'],
          supported_resolutions: ['720p', '<b>'],
          supported_aspect_ratios: ['16:9', 'wide'],
          supported_frame_images: ['last_frame'],
          seed: 'yes',
        },
        { id: 'ok/model', name: 'twice' },
        { id: 'bad id with spaces' },
        'not an object',
        { name: 'no id' },
      ],
    });
    assert.deepStrictEqual(models, [
      {
        id: 'ok/model',
        label: 'OK',
        modes: ['text-to-video'],
        capabilities: {
          durations: [4, 8],
          resolutions: ['720p'],
          aspectRatios: ['16:9'],
          frames: { first: false, last: true },
          referenceImages: 0,
        },
      },
    ]);
    assert.throws(() => parseVideoModels({ models: [] }), /no data array/);
  });

  it('a job: an unknown status keeps being polled, a negative or odd cost is dropped, result URLs that are not http are refused', function () {
    const base = 'https://or.example.test/api/v1';
    assert.strictEqual(parseVideoJob({ id: 'j', status: 'warming_up' }, base, { remoteId: 'j' }).status, 'unknown');
    assert.strictEqual(parseVideoJob({ id: 'j', status: 'completed', usage: { cost: -3 } }, base, { remoteId: 'j' }).cost, undefined);
    assert.strictEqual(parseVideoJob({ id: 'j', status: 'completed', usage: { cost: '3' } }, base, { remoteId: 'j' }).cost, undefined);
    const js = parseVideoJob({ id: 'j', status: 'completed', unsigned_urls: ['javascript:alert(1)'] }, base, { remoteId: 'j' });
    assert.deepStrictEqual(js.videos, [{ url: `${base}/videos/j/content?index=0`, authenticated: true }]);
    const elsewhere = parseVideoJob({ id: 'j', status: 'completed', unsigned_urls: ['https://or.example.test/other/j.mp4'] }, base, {
      remoteId: 'j',
    });
    assert.deepStrictEqual(elsewhere.videos, [{ url: 'https://or.example.test/other/j.mp4' }], 'same host, outside the API path: no key');
  });

  it('polling_url: relative or on the API host is fine; on another host it is never followed', function () {
    const base = 'https://or.example.test/api/v1';
    assert.strictEqual(pollingUrlProblem('/api/v1/videos/j', base), undefined);
    assert.strictEqual(pollingUrlProblem('https://or.example.test/api/v1/videos/j', base), undefined);
    assert.match(
      pollingUrlProblem('https://evil.example.test/api/v1/videos/j', base) ?? '',
      /on another host \(evil\.example\.test\); it is not followed/,
    );
  });

  it('an absolute polling_url on another host: the job is still polled at the base URL, and nothing goes to that host', async function () {
    const stubRequests: string[] = [];
    const stub = await startStub((r, res) => {
      stubRequests.push(`${r.method} ${r.url}`);
      if (r.method === 'POST') sendJson(res, 202, { id: 'vgen_1', polling_url: 'http://10.0.0.1/api/v1/videos/vgen_1', status: 'pending' });
      else sendJson(res, 200, { id: 'vgen_1', status: 'in_progress', polling_url: 'http://10.0.0.1/api/v1/videos/vgen_1' });
    });
    try {
      const warnings: string[] = [];
      const log = { trace: () => undefined, info: () => undefined, warn: (m: string) => warnings.push(m), error: () => undefined };
      const ctx = { baseUrl: `${stub.baseUrl}/api/v1`, apiKey: KEY, log };
      const created = await PROVIDERS.openrouter.create(ctx, req(), {}, 'r');
      assert.match(warnings.join('\n'), /polling_url on another host \(10\.0\.0\.1\)/);
      await pollState(PROVIDERS.openrouter, ctx, makeTask('openrouter', created.remoteId));
      assert.deepStrictEqual(stubRequests, ['POST /api/v1/videos', 'GET /api/v1/videos/vgen_1']);
    } finally {
      await stub.close();
    }
  });

  it('the catalogue fetch sends no key', async function () {
    const seen: (string | undefined)[] = [];
    const stub = await startStub((r, res) => {
      seen.push(r.headers.authorization);
      sendJson(res, 200, { data: [] });
    });
    try {
      assert.deepStrictEqual(await fetchVideoModels({ baseUrl: `${stub.baseUrl}/api/v1` }), []);
      assert.deepStrictEqual(seen, [undefined]);
    } finally {
      await stub.close();
    }
  });
});

describe('OpenRouter results through the engine', function () {
  this.timeout(20_000);
  const h = useEngineSuite({ durationMs: 300 });

  it('the video is downloaded with the key on the first request only (never on a redirect hop), and the cost is on the task', async function () {
    const em = h.emulator;
    const { engine } = await h.ws.engine({ keys: { openrouter: KEY }, baseUrl: emulatorBaseUrl(em.baseUrl, 'openrouter') });
    const t = await engine.generate(req({ prompt: 'via a hop [redirects=1] [duration=300]', resolution: '720p', duration: 6 }));
    const done = await waitForTask(engine, t.id, settled, 'to finish');
    assert.strictEqual(done.status, 'succeeded', done.error);
    assert.deepStrictEqual(done.cost, { amount: 2.4, currency: 'USD', source: 'provider' });
    assert.ok(done.videos[0].localPath, done.videos[0].downloadError);
    const bytes = fs.readFileSync(done.videos[0].localPath!);
    assert.ok([fixture('sample.mp4'), fixture('sample-2.mp4')].some((f) => Buffer.compare(bytes, fs.readFileSync(f)) === 0));
    assert.deepStrictEqual(
      em.requests('openrouter.content').map((q) => [q.path, q.hadAuthorizationHeader]),
      [[`${OPENROUTER_BASE_PATH}/videos/${t.remoteId}/content?index=0`, true]],
    );
    const hops = em.requests('files');
    assert.ok(hops.length >= 1);
    assert.ok(
      hops.every((q) => !q.hadAuthorizationHeader),
      JSON.stringify(hops.map((q) => q.path)),
    );
  });
});
