// The emulator's OpenRouter video API driven by the official `@openrouter/sdk`: requests exactly as
// the SDK sends them, answers as the SDK validates them (its schemas are strict: every catalogue key
// present, null where unknown). The SDK is ESM-only, so it is loaded with a real import() (the test
// build turns a plain one into require()); it is pointed at 127.0.0.1 and never retries.
import * as assert from 'assert';
import * as fs from 'fs';

import { OPENROUTER_BASE_PATH, OPENROUTER_MODELS } from '../../../src/emulator/openrouter';
import { fixture, GOOD_KEY, useEmulator } from '../../support/helpers';
import { NetSpy, spyOnConnections } from '../../support/netSpy';

type Sdk = typeof import('@openrouter/sdk');
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<Sdk>;

describe('OpenRouter emulator, driven by the official SDK', function () {
  const h = useEmulator({ durationMs: 10_000 });
  let sdkModule: Sdk;
  let net: NetSpy;
  before(async () => {
    sdkModule = await importEsm('@openrouter/sdk');
    net = spyOnConnections();
  });
  after(() => {
    net.restore();
    assert.ok(net.attempts.length > 0, 'the spy saw the SDK connect');
    assert.ok(
      net.attempts.every((a) => a.host === '127.0.0.1'),
      `the SDK connected elsewhere: ${JSON.stringify(net.attempts)}`,
    );
  });

  const client = (apiKey = GOOD_KEY) =>
    new sdkModule.OpenRouter({
      apiKey,
      serverURL: `${h.em.baseUrl}${OPENROUTER_BASE_PATH}`,
      retryConfig: { strategy: 'none' },
      timeoutMs: 5000,
    });
  const last = (route: string) => h.em.requests(route).at(-1)!;

  it('listVideosModels: the strict schema accepts every model, without a key', async () => {
    const list = await client('').videoGeneration.listVideosModels();
    assert.deepStrictEqual(
      list.data.map((m) => m.id),
      OPENROUTER_MODELS.map((m) => m.id),
    );
    const veo = list.data.find((m) => m.id === 'google/veo-3.1')!;
    assert.deepStrictEqual(veo.supportedDurations, [4, 6, 8]);
    assert.deepStrictEqual(veo.supportedFrameImages, ['first_frame', 'last_frame']);
    assert.deepStrictEqual(veo.pricingSkus, { 'per-video-second': '0.40', 'per-video-second-1080p': '0.60' });
    const bare = list.data.find((m) => m.id === 'bytedance/seedance-1-pro')!;
    assert.deepStrictEqual(
      [bare.supportedDurations, bare.seed, bare.generateAudio, bare.creativity, bare.upscaleFactor],
      [null, null, null, null, null],
    );
    assert.strictEqual(last('openrouter.models').hadAuthorizationHeader, false);
  });

  it('generate (202), getGeneration over time, then getVideoContent with the cost reported', async () => {
    const sdk = client();
    const created = await sdk.videoGeneration.generate({
      videoGenerationRequest: {
        model: 'google/veo-3.1',
        prompt: 'a fox in snow',
        duration: 8,
        resolution: '1080p',
        aspectRatio: '16:9',
        generateAudio: true,
        seed: 7,
        frameImages: [
          { type: 'image_url', imageUrl: { url: 'https://images.example.test/first.png' }, frameType: 'first_frame' },
          { type: 'image_url', imageUrl: { url: 'https://images.example.test/last.png' }, frameType: 'last_frame' },
        ],
      },
    });
    assert.strictEqual(created.status, 'pending');
    assert.strictEqual(created.pollingUrl, `${OPENROUTER_BASE_PATH}/videos/${created.id}`);
    const sent = last('openrouter.create');
    assert.strictEqual(sent.path, `${OPENROUTER_BASE_PATH}/videos`);
    assert.deepStrictEqual(sent.body, {
      model: 'google/veo-3.1',
      prompt: 'a fox in snow',
      duration: 8,
      resolution: '1080p',
      aspect_ratio: '16:9',
      generate_audio: true,
      seed: 7,
      frame_images: [
        { type: 'image_url', image_url: { url: 'https://images.example.test/first.png' }, frame_type: 'first_frame' },
        { type: 'image_url', image_url: { url: 'https://images.example.test/last.png' }, frame_type: 'last_frame' },
      ],
    });

    h.advance(5_000);
    const running = await sdk.videoGeneration.getGeneration({ jobId: created.id });
    assert.strictEqual(running.status, 'in_progress');
    assert.strictEqual(running.unsignedUrls, undefined);
    h.advance(5_000);
    const done = await sdk.videoGeneration.getGeneration({ jobId: created.id });
    assert.strictEqual(done.status, 'completed');
    assert.deepStrictEqual(done.usage, { cost: 4.8, isByok: false });
    assert.deepStrictEqual(done.unsignedUrls, [`${h.em.baseUrl}${OPENROUTER_BASE_PATH}/videos/${created.id}/content?index=0`]);

    const stream = await sdk.videoGeneration.getVideoContent({ jobId: created.id, index: 0 });
    const bytes = Buffer.from(await new Response(stream).arrayBuffer());
    assert.ok(
      Buffer.compare(bytes, fs.readFileSync(fixture('sample.mp4'))) === 0 ||
        Buffer.compare(bytes, fs.readFileSync(fixture('sample-2.mp4'))) === 0,
    );
    assert.deepStrictEqual(
      h.em.requests('openrouter.content').map((r) => [r.path, r.hadAuthorizationHeader]),
      [[`${OPENROUTER_BASE_PATH}/videos/${created.id}/content?index=0`, true]],
    );
  });

  it('input_references for a model that takes them', async () => {
    const created = await client().videoGeneration.generate({
      videoGenerationRequest: {
        model: 'alibaba/wan-2.6',
        prompt: 'the same backpack on a wet street',
        inputReferences: [{ type: 'image_url', imageUrl: { url: 'https://images.example.test/bag.png' } }],
      },
    });
    assert.strictEqual(created.status, 'pending');
    assert.deepStrictEqual((last('openrouter.create').body as Record<string, unknown>).input_references, [
      { type: 'image_url', image_url: { url: 'https://images.example.test/bag.png' } },
    ]);
  });

  it('errors as the SDK types them: 400 (a duration the model does not take), 402, 404 (unknown model), 401', async () => {
    const sdk = client();
    const refused = async (
      request: Parameters<typeof sdk.videoGeneration.generate>[0]['videoGenerationRequest'],
      name: string,
      status: number,
      message: RegExp,
    ) => {
      await assert.rejects(sdk.videoGeneration.generate({ videoGenerationRequest: request }), (e: unknown) => {
        const err = e as { name: string; statusCode: number; error?: { code: number; message: string } };
        assert.strictEqual(err.name, name);
        assert.strictEqual(err.statusCode, status);
        assert.strictEqual(err.error?.code, status);
        assert.match(err.error?.message ?? '', message);
        return true;
      });
    };
    await refused(
      { model: 'google/veo-3.1', prompt: 'too long', duration: 5 },
      'BadRequestResponseError',
      400,
      /duration 5 is not supported by google\/veo-3\.1; supported durations: 4, 6, 8/,
    );
    await refused({ model: 'google/veo-3.1', prompt: 'broke [no-credits]' }, 'PaymentRequiredResponseError', 402, /Insufficient credits/);
    await refused({ model: 'openai/sora-2', prompt: 'gone' }, 'NotFoundResponseError', 404, /Model openai\/sora-2 not found/);
    await assert.rejects(
      client('bad-key').videoGeneration.generate({ videoGenerationRequest: { model: 'google/veo-3.1', prompt: 'x' } }),
      (e: unknown) => (e as { name: string }).name === 'UnauthorizedResponseError',
    );
  });

  it('the key: its limit, less what its finished jobs cost (apiKeys.getCurrentKeyMetadata)', async () => {
    const sdk = client('sk-fresh-key-0123456789');
    const key = await sdk.apiKeys.getCurrentKeyMetadata();
    assert.deepStrictEqual([key.data.limit, key.data.limitRemaining, key.data.usage], [25, 25, 0]);
    const job = await sdk.videoGeneration.generate({
      videoGenerationRequest: { model: 'minimax/hailuo-02', prompt: 'a kite', resolution: '1080p' },
    });
    h.advance(10_000);
    assert.deepStrictEqual((await sdk.videoGeneration.getGeneration({ jobId: job.id })).usage, { cost: 0.49, isByok: false });
    assert.deepStrictEqual((await sdk.apiKeys.getCurrentKeyMetadata()).data.limitRemaining, 24.51);
    const unlimited = await client('nolimit-key-0123').apiKeys.getCurrentKeyMetadata();
    assert.strictEqual(unlimited.data.limitRemaining, null);
  });
});
