// The emulator's Replicate API driven by the official `replicate` SDK: requests exactly as the SDK
// sends them (predictions.create by model, wait, predictions.get, predictions.cancel, models.get),
// answers as the SDK reads them. The SDK is pointed at 127.0.0.1 through its `baseUrl`; its own retries
// (429 and 5xx only) never come into play, and every request is counted so none is repeated.
import * as assert from 'assert';
import Replicate from 'replicate';

import { inputSchemaOfModel } from '../../../src/core/provider/inputSchema';
import { REPLICATE_BASE_PATH, REPLICATE_MODELS, SCHEMA_ONLY_MODEL } from '../../../src/emulator/replicate';
import { GOOD_KEY, useEmulator } from '../../support/helpers';
import { NetSpy, spyOnConnections } from '../../support/netSpy';

describe('Replicate emulator, driven by the official SDK', function () {
  const h = useEmulator({ durationMs: 10_000 });
  let net: NetSpy;
  before(() => {
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

  /** The SDK at the emulator; every prediction read moves the emulator clock on by `stepMs`. */
  const client = (stepMs = 0) =>
    new Replicate({
      auth: GOOD_KEY,
      baseUrl: `${h.em.baseUrl}${REPLICATE_BASE_PATH}`,
      fetch: async (input, init) => {
        const url = typeof input === 'string' ? input : input instanceof Request ? input.url : String(input);
        if (stepMs && /\/predictions\/[^/]+$/.test(new URL(url).pathname) && (init?.method ?? 'GET') === 'GET') h.advance(stepMs);
        return fetch(input, init);
      },
    });

  it('predictions.create by model (201), wait until succeeded, predictions.get: one create, logs and an output URL', async () => {
    const sdk = client(3_000);
    const created = await sdk.predictions.create({
      model: 'kwaivgi/kling-v2.1',
      input: { prompt: 'a fox in snow', start_image: 'https://images.example.test/first.png', duration: 5, mode: 'pro' },
    });
    assert.strictEqual(created.status, 'starting');
    assert.strictEqual(created.model, 'kwaivgi/kling-v2.1');
    const sent = h.em.requests('replicate.create');
    assert.strictEqual(sent.length, 1);
    assert.strictEqual(sent[0].path, `${REPLICATE_BASE_PATH}/models/kwaivgi/kling-v2.1/predictions`);
    assert.deepStrictEqual(sent[0].body, {
      input: { prompt: 'a fox in snow', start_image: 'https://images.example.test/first.png', duration: 5, mode: 'pro' },
    });
    assert.strictEqual(sent[0].hadAuthorizationHeader, true);

    const done = await sdk.wait(created, { interval: 1 });
    assert.strictEqual(done.status, 'succeeded');
    assert.match(String(done.output), /^http:\/\/127\.0\.0\.1:\d+\/files\/replicate\//);
    assert.match(done.logs ?? '', /100%\|/);
    assert.ok(done.completed_at, 'completed_at is set');
    const again = await sdk.predictions.get(created.id);
    assert.strictEqual(again.status, 'succeeded');
    assert.strictEqual(h.em.requests('replicate.create').length, 1, 'the create was sent once');
  });

  it('processing: tqdm lines in logs while it runs', async () => {
    const sdk = client();
    const created = await sdk.predictions.create({ model: SCHEMA_ONLY_MODEL, input: { prompt: 'waves', motion: 'wild', steps: 10 } });
    h.advance(6_000);
    const running = await sdk.predictions.get(created.id);
    assert.strictEqual(running.status, 'processing');
    assert.match(running.logs ?? '', /\d+%\|/);
    assert.strictEqual(running.output, null);
  });

  it('422 with detail for an input the schema refuses, sent once (the SDK does not retry it)', async () => {
    const sdk = client();
    await assert.rejects(
      sdk.predictions.create({ model: SCHEMA_ONLY_MODEL, input: { prompt: 'waves', motion: 'sideways' } }),
      (e: Error) => /422/.test(e.message) && /motion must be one of the following/.test(e.message),
    );
    assert.strictEqual(h.em.requests('replicate.create').length, 1);
  });

  it('predictions.cancel: a running prediction ends canceled', async () => {
    const sdk = client();
    const created = await sdk.predictions.create({ model: 'minimax/hailuo-02', input: { prompt: 'rain' } });
    h.advance(4_000);
    const canceled = await sdk.predictions.cancel(created.id);
    assert.strictEqual(canceled.status, 'canceled');
    h.advance(20_000);
    assert.strictEqual((await sdk.predictions.get(created.id)).status, 'canceled');
    assert.strictEqual(h.em.requests('replicate.cancel').length, 1);
  });

  it('models.get: the input schema of a model no catalogue knows, enums behind $ref, bounds, booleans, strings', async () => {
    const model = await client().models.get('acme', 'dreamreel');
    assert.strictEqual(model.owner, 'acme');
    const schema = inputSchemaOfModel(model);
    assert.ok(schema);
    const byName = Object.fromEntries(schema.inputs.map((i) => [i.name, i]));
    assert.deepStrictEqual(byName.motion, {
      name: 'motion',
      label: 'How much things move',
      kind: 'enum',
      values: ['calm', 'dynamic', 'wild'],
      default: 'calm',
    });
    assert.deepStrictEqual(byName.steps, { name: 'steps', label: 'Denoising steps', kind: 'integer', min: 1, max: 50, default: 25 });
    assert.strictEqual(byName.loop.kind, 'boolean');
    assert.strictEqual(byName.style_hint.kind, 'string');
    assert.ok(REPLICATE_MODELS.some((m) => `${m.owner}/${m.name}` === SCHEMA_ONLY_MODEL));
  });

  it('outputs expire one hour after the prediction finished: the file answers 404, the prediction says data_removed', async () => {
    const sdk = client();
    const created = await sdk.predictions.create({ model: 'google/veo-3.1', input: { prompt: 'dawn' } });
    h.advance(10_000);
    const done = await sdk.predictions.get(created.id);
    assert.strictEqual(done.status, 'succeeded');
    const url = String(done.output);
    assert.strictEqual((await fetch(url)).status, 200);
    h.advance(60 * 60_000);
    assert.strictEqual((await fetch(url)).status, 404);
    const later = (await sdk.predictions.get(created.id)) as unknown as { output: unknown; data_removed: boolean; status: string };
    assert.deepStrictEqual([later.status, later.output, later.data_removed], ['succeeded', null, true]);
  });
});
