// The engine reads the model catalogue before it sends a create: a duration (or anything else) the
// model does not take, or a model retired for certain, is refused with zero requests sent; a create
// answered "model not found" marks the model unavailable at that base URL, and the error names the
// models that are available. Real providers against the emulator, with its request counter.
import * as assert from 'assert';
import * as fs from 'fs';

import { isProviderError } from '../../../../src/core/model/errors';
import type { GenerateRequest } from '../../../../src/core/model/task';
import { ModelCatalog } from '../../../../src/core/provider/catalog';
import type { CatalogModel } from '../../../../src/core/provider/catalogTypes';
import { PROVIDERS } from '../../../../src/providers';
import { tempDir, useEngineSuite, waitForTask } from '../../../support/engineHarness';

const veo: CatalogModel = {
  id: 'veo3',
  label: 'Veo 3',
  modes: ['text-to-video', 'image-to-video'],
  capabilities: { durations: [4, 6, 8], aspectRatios: ['16:9', '9:16'] },
};
const retired: CatalogModel = {
  id: 'kling-v1',
  label: 'Kling v1',
  modes: ['text-to-video'],
  capabilities: {},
  lifecycle: { state: 'retired', date: '2026-07-30', hint: 'Use kling-v2-master.' },
};
const req = (extra: Partial<GenerateRequest>): GenerateRequest => ({
  provider: 'gateway',
  prompt: 'a lighthouse [duration=300]',
  model: 'veo3',
  ...extra,
});

describe('the engine refuses from the model catalogue', function () {
  this.timeout(30_000);
  const suite = useEngineSuite({ durationMs: 300 });
  let catalog: ModelCatalog;
  let dir: string;

  beforeEach(function () {
    // The gateway as registered, with a few catalogued models of its own.
    const own = [veo, retired, { ...veo, id: 'kling-v2-master', label: 'Kling v2 Master', capabilities: {} }];
    dir = tempDir('aivideo-catalog-');
    catalog = new ModelCatalog({ providers: { ...PROVIDERS, gateway: { ...PROVIDERS.gateway, catalog: { own } } }, cacheDir: dir });
  });
  afterEach(function () {
    catalog.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const sent = () => suite.emulator.requests().filter((r) => r.route === 'gateway.create').length;

  it('a duration the model does not take is refused before anything is sent, naming the ones it takes', async function () {
    const { engine } = await suite.ws.engine({ catalog });
    await assert.rejects(
      engine.generate(req({ duration: 5 })),
      (e: unknown) => isProviderError(e) && e.kind === 'input' && e.message === 'Veo 3 takes 4, 6 or 8 seconds.',
    );
    await assert.rejects(engine.generate(req({ options: { duration: 10 } })), /Veo 3 takes 4, 6 or 8 seconds/, 'a legacy duration too');
    await assert.rejects(engine.generate(req({ aspectRatio: '1:1' })), /Veo 3 takes the aspect ratio 16:9 or 9:16/);
    assert.strictEqual(sent(), 0, 'zero requests sent');
    assert.strictEqual(suite.emulator.requests().length, 0);
    assert.deepStrictEqual(engine.getTasks(), [], 'no task kept');

    const ok = await engine.generate(req({ duration: 8 }));
    assert.strictEqual(sent(), 1);
    assert.deepStrictEqual(
      (suite.emulator.requests().find((r) => r.route === 'gateway.create')?.body as { duration?: number }).duration,
      8,
    );
    await waitForTask(engine, ok.id, (t) => t.status === 'succeeded', 'succeeded');
  });

  it('without a catalogue, the same request goes out (the provider has the last word)', async function () {
    const { engine } = await suite.ws.engine();
    await engine.generate(req({ duration: 5 }));
    assert.strictEqual(sent(), 1);
  });

  it('a model retired for certain is refused before sending, naming available models', async function () {
    const { engine } = await suite.ws.engine({ catalog });
    await assert.rejects(engine.generate(req({ model: 'kling-v1' })), (e: unknown) => {
      assert.ok(isProviderError(e));
      assert.strictEqual(e.message, 'kling-v1 was retired on 2026-07-30. Use kling-v2-master. Available: veo3, kling-v2-master.');
      return true;
    });
    assert.strictEqual(sent(), 0);
  });

  it('a create answered 404 marks the model unavailable at that base URL; the error says so and names available models', async function () {
    const { engine } = await suite.ws.engine({ catalog });
    suite.emulator.injectFault({ route: 'gateway.create', kind: 'status', status: 404 });
    await assert.rejects(engine.generate(req({ model: 'kling-v2-master', duration: 5 })), (e: unknown) => {
      assert.ok(isProviderError(e));
      assert.strictEqual(e.kind, 'notFound');
      assert.strictEqual(
        e.message,
        'Video gateway answered that the model "kling-v2-master" does not exist: it is retired or unknown there. Available: veo3.',
      );
      return true;
    });
    assert.strictEqual(sent(), 1);
    const base = suite.emulator.baseUrl;
    assert.deepStrictEqual(
      {
        state: catalog.lifecycleOf('gateway', base, 'kling-v2-master')?.state,
        source: catalog.lifecycleOf('gateway', base, 'kling-v2-master')?.source,
      },
      { state: 'retired', source: 'marked' },
    );
    assert.strictEqual(
      catalog.lifecycleOf('gateway', 'https://other-gateway.example.test', 'kling-v2-master')?.state,
      'available',
      'only at that base URL',
    );
    // A mark is not certain (the server may add the model again): the next create is still sent.
    await engine.generate(req({ model: 'kling-v2-master' }));
    assert.strictEqual(sent(), 2);
  });
});
