// Pricing from a model's price rules: per second or per video, a resolution's own rule replacing the
// generic one, the model's defaults when the request leaves length or resolution out, and an
// unreadable price entry making the amount unknown rather than wrong.
import * as assert from 'assert';

import type { GenerateRequest } from '../../../../src/core/model/task';
import type { CatalogModel } from '../../../../src/core/provider/catalogTypes';
import { formatPrice, priceLabel, priceOf, usd } from '../../../../src/core/provider/pricing';

const veo: CatalogModel = {
  id: 'google/veo-3.1',
  label: 'Veo 3.1',
  modes: ['text-to-video', 'image-to-video'],
  capabilities: { durations: [4, 6, 8], resolutions: ['720p', '1080p'] },
  prices: {
    rules: [
      { unit: 'second', usd: 0.4 },
      { unit: 'second', usd: 0.6, resolution: '1080p' },
    ],
  },
};
const req = (extra: Partial<GenerateRequest> = {}): GenerateRequest => ({ provider: 'openrouter', prompt: 'p', model: veo.id, ...extra });

describe('priceOf', function () {
  it("per second × seconds, with the resolution's own rule replacing the generic one", function () {
    assert.deepStrictEqual(priceOf(veo, req({ duration: 8, resolution: '1080p' })), {
      amount: 4.8,
      currency: 'USD',
      estimate: false,
      basis: '$0.60/s × 8 s at 1080p',
    });
    assert.deepStrictEqual(priceOf(veo, req({ duration: 6, resolution: '720p' })), {
      amount: 2.4,
      currency: 'USD',
      estimate: false,
      basis: '$0.40/s × 6 s at 720p',
    });
  });

  it('no resolution: the first listed one; no duration: the default, else the shortest', function () {
    assert.deepStrictEqual(priceOf(veo, req()), { amount: 1.6, currency: 'USD', estimate: true, basis: '$0.40/s × 4 s at 720p' });
    const withDefault: CatalogModel = { ...veo, capabilities: { ...veo.capabilities, defaultDuration: 8 } };
    assert.strictEqual(priceOf(withDefault, req({ resolution: '1080p' })).amount, 4.8);
  });

  it('reads legacy durations and resolutions too', function () {
    assert.strictEqual(priceOf(veo, req({ options: { seconds: '8' } })).amount, 3.2);
  });

  it('per video, and per video plus per second', function () {
    const flat: CatalogModel = {
      ...veo,
      prices: {
        rules: [
          { unit: 'video', usd: 0.5 },
          { unit: 'video', usd: 1.25, resolution: '1080p' },
        ],
      },
    };
    assert.deepStrictEqual(priceOf(flat, req({ duration: 8, resolution: '1080p' })), {
      amount: 1.25,
      currency: 'USD',
      estimate: false,
      basis: '$1.25/video at 1080p',
    });
    assert.strictEqual(
      priceOf(flat, req({ duration: 8 })).estimate,
      true,
      'the resolution, which the price depends on, was left to the model',
    );
    const both: CatalogModel = {
      ...veo,
      prices: {
        rules: [
          { unit: 'video', usd: 0.1 },
          { unit: 'second', usd: 0.05 },
        ],
      },
    };
    assert.deepStrictEqual(priceOf(both, req({ duration: 6, resolution: '720p' })), {
      amount: 0.4,
      currency: 'USD',
      estimate: false,
      basis: '$0.10/video + $0.05/s × 6 s at 720p',
    });
  });

  it('an unknown price entry, or no rule for the resolution, makes the price unknown, never wrong', function () {
    const odd: CatalogModel = { ...veo, prices: { rules: veo.prices!.rules, unknown: ['per-token'] } };
    assert.deepStrictEqual(priceOf(odd, req({ duration: 8 })), { currency: 'USD', estimate: true, basis: 'price unknown' });
    const only1080: CatalogModel = { ...veo, prices: { rules: [{ unit: 'second', usd: 0.6, resolution: '1080p' }] } };
    assert.strictEqual(priceOf(only1080, req({ resolution: '720p' })).amount, undefined);
    assert.strictEqual(priceOf({ ...veo, prices: undefined }, req()).amount, undefined);
    const noLength: CatalogModel = { ...veo, capabilities: { resolutions: ['720p'] } };
    assert.strictEqual(priceOf(noLength, req()).amount, undefined, 'per second with no length known');
  });
});

describe('formatPrice and priceLabel', function () {
  it('short labels for pickers', function () {
    assert.strictEqual(priceLabel(veo), '$0.40/s');
    assert.strictEqual(priceLabel({ ...veo, prices: { rules: [{ unit: 'video', usd: 0.035 }] } }), '$0.035/video');
    assert.strictEqual(priceLabel({ ...veo, prices: { rules: [], unknown: ['x'] } }), 'price unknown');
    assert.strictEqual(formatPrice(priceOf(veo, req({ duration: 8, resolution: '1080p' }))), '$4.80');
    assert.strictEqual(formatPrice(priceOf(veo, req())), '≈ $1.60');
    assert.strictEqual(formatPrice(priceOf({ ...veo, prices: undefined }, req())), 'price unknown');
    assert.deepStrictEqual([usd(1), usd(0.4), usd(0.035), usd(12.3456)], ['$1.00', '$0.40', '$0.035', '$12.3456']);
  });
});
