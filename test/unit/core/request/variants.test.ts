import * as assert from 'assert';

import type { GenerateRequest } from '../../../../src/core/model/task';
import { checkVariantCount, planTargets, planVariants, randomSeed, retarget } from '../../../../src/core/request/variants';
import { PROVIDERS } from '../../../../src/providers';

const accepts = (r: GenerateRequest) => PROVIDERS[r.provider].validate(r) === undefined;

/** A deterministic sequence in [0, 1). */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length];
}

describe('variants: planning a group', () => {
  it('accepts 2 to 4 variants', () => {
    for (const n of [2, 3, 4]) assert.strictEqual(checkVariantCount(n), undefined);
    for (const n of [1, 5, 2.5, '3', undefined]) assert.ok(checkVariantCount(n), `${String(n)} is refused`);
  });

  it('gives each variant its own seed and one group id', () => {
    const plan = planVariants({ provider: 'pika', prompt: 'boat', model: '2.0' }, 3, 'g', accepts, sequence(0.1, 0.1, 0.5, 0.9));
    assert.strictEqual(plan.length, 3);
    assert.ok(plan.every((r) => r.groupId === 'g' && r.prompt === 'boat' && r.model === '2.0'));
    const seeds = plan.map((r) => r.seed);
    assert.strictEqual(new Set(seeds).size, 3, `distinct seeds even when the random source repeats: ${seeds.join(', ')}`);
    assert.ok(seeds.every((s) => Number.isInteger(s) && s! >= 0 && s! <= 0xffffffff));
  });

  it("keeps the request's own seed on the first variant", () => {
    const plan = planVariants({ provider: 'gateway', model: 'kling-v1', prompt: 'x', seed: 1234 }, 2, 'g', accepts, sequence(0.3));
    assert.strictEqual(plan[0].seed, 1234);
    assert.notStrictEqual(plan[1].seed, 1234);
  });

  it('sends no seed to a provider that takes none', () => {
    const plan = planVariants({ provider: 'hidream', prompt: 'x' }, 4, 'g', accepts);
    assert.strictEqual(plan.length, 4);
    assert.ok(plan.every((r) => !('seed' in r) && r.groupId === 'g'));
  });

  it('draws seeds over the whole range', () => {
    assert.strictEqual(
      randomSeed(() => 0),
      0,
    );
    assert.strictEqual(
      randomSeed(() => 0.9999999999),
      0xffffffff,
    );
  });

  it('retargets the prompt to another provider without its provider-specific settings', () => {
    const req: GenerateRequest = {
      provider: 'pika',
      model: '2.0',
      prompt: 'p',
      negativePrompt: 'n',
      aspectRatio: '16:9',
      seed: 5,
      pikaffect: 'Melt',
      options: { motion: 2 },
    };
    assert.deepStrictEqual(retarget(req, { provider: 'gateway', model: 'kling-v1' }), {
      provider: 'gateway',
      model: 'kling-v1',
      prompt: 'p',
      negativePrompt: 'n',
      aspectRatio: '16:9',
    });
    assert.deepStrictEqual(retarget(req, { provider: 'pika', model: '1.5' }), { ...req, model: '1.5' });
  });

  it('sends one prompt to several pairs in one group, each pair once, skipping pairs that cannot take it', () => {
    const req: GenerateRequest = { provider: 'pika', model: '2.0', prompt: 'p', images: ['https://x/a.png', 'https://x/b.png'] };
    const plan = planTargets(
      req,
      [
        { provider: 'pika', model: '2.0' },
        { provider: 'pika', model: '1.5' },
        { provider: 'gateway', model: 'kling-v1' },
      ],
      'g',
      accepts,
    );
    // Pika takes several images (ingredients) only with 2.0: 1.5 is left out; the gateway takes them.
    assert.deepStrictEqual(
      plan.map((r) => `${r.provider}:${r.model}`),
      ['pika:2.0', 'gateway:kling-v1'],
    );
    const text = planTargets(
      { provider: 'pika', model: '2.0', prompt: 'p' },
      [{ provider: 'gateway', model: 'kling-v1' }, { provider: 'hidream' }, { provider: 'gateway', model: 'kling-v1' }],
      'g',
      accepts,
    );
    assert.deepStrictEqual(
      text.map((r) => `${r.provider}:${r.model ?? ''}`),
      ['pika:2.0', 'gateway:kling-v1', 'hidream:'],
    );
    assert.ok(text.every((r) => r.groupId === 'g'));
  });
});
