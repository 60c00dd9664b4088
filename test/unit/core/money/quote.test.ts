// Quotes: every SKU form OpenRouter publishes (per second, per second at a resolution, per video,
// per video at a resolution, an unknown SKU, both units), the user's own prices in `aiVideo.prices`
// (the most specific entry wins), the model's defaults when the request leaves length out, unknown
// prices (never $0), and the sum of several creates.
import * as assert from 'assert';

import type { GenerateRequest } from '../../../../src/core/model/task';
import { parseUserPrices, quoteRequest, sumQuotes, UserPrice } from '../../../../src/core/money/quote';
import type { CatalogModel } from '../../../../src/core/provider/catalogTypes';
import { formatPrice } from '../../../../src/core/provider/pricing';
import { parsePricingSkus } from '../../../../src/providers/openrouter';

const caps = { durations: [4, 6, 8], resolutions: ['720p', '1080p'] };
const model = (skus: Record<string, string>): CatalogModel => ({
  id: 'google/veo-3.1',
  label: 'Veo',
  modes: ['text-to-video'],
  capabilities: caps,
  prices: parsePricingSkus(skus, caps.resolutions),
});
const req = (extra: Partial<GenerateRequest> = {}): GenerateRequest => ({
  provider: 'openrouter',
  prompt: 'p',
  model: 'google/veo-3.1',
  ...extra,
});
const prices = (o: Record<string, UserPrice>) => new Map(Object.entries(o));

describe('quoteRequest', () => {
  it('per-video-second: rate × seconds, named after the catalogue', () => {
    const q = quoteRequest(req({ duration: 8, resolution: '1080p' }), {
      model: model({ 'per-video-second': '0.60' }),
      catalogName: 'OpenRouter catalogue',
    });
    assert.deepStrictEqual(q, { amount: 4.8, currency: 'USD', estimate: false, basis: '$0.60/s × 8 s at 1080p (OpenRouter catalogue)' });
  });

  it('per-video-second-<res> replaces the generic rate for that resolution', () => {
    const m = model({ 'per-video-second': '0.40', 'per-video-second-1080p': '0.60' });
    assert.strictEqual(quoteRequest(req({ duration: 8, resolution: '1080p' }), { model: m }).amount, 4.8);
    assert.strictEqual(quoteRequest(req({ duration: 8, resolution: '720p' }), { model: m }).amount, 3.2);
  });

  it('per-video and per-video-<res>', () => {
    const m = model({ 'per-video': '0.50', 'per-video-1080p': '1.25' });
    assert.deepStrictEqual(quoteRequest(req({ duration: 8, resolution: '1080p' }), { model: m }), {
      amount: 1.25,
      currency: 'USD',
      estimate: false,
      basis: '$1.25/video at 1080p',
    });
    assert.strictEqual(quoteRequest(req({ resolution: '720p' }), { model: m }).amount, 0.5);
  });

  it('an unknown SKU, or both units in one model: price unknown, never $0', () => {
    for (const skus of <Record<string, string>[]>[
      { 'per-video-second': '0.4', 'per-token': '0.001' },
      { 'per-video': '1', 'per-video-second': '0.1' },
      {},
    ]) {
      const q = quoteRequest(req({ duration: 8 }), { model: model(skus) });
      assert.strictEqual(q.amount, undefined, JSON.stringify(skus));
      assert.strictEqual(formatPrice(q), 'price unknown');
    }
    assert.strictEqual(quoteRequest(req(), {}).amount, undefined, 'no catalogue entry and no price of the user');
  });

  it("no length or resolution in the request: the model's default, else its shortest length and first resolution (an estimate)", () => {
    const m = model({ 'per-video-second': '0.40', 'per-video-second-1080p': '0.60' });
    assert.deepStrictEqual(quoteRequest(req(), { model: m }), {
      amount: 1.6,
      currency: 'USD',
      estimate: true,
      basis: '$0.40/s × 4 s at 720p',
    });
    const withDefault = { ...m, capabilities: { ...caps, defaultDuration: 8 } };
    assert.strictEqual(quoteRequest(req({ resolution: '1080p' }), { model: withDefault }).amount, 4.8);
  });

  it("the user's price for the model beats the catalogue, which beats the user's price for the provider", () => {
    const m = model({ 'per-video-second': '0.40' });
    const user = prices({ openrouter: { perVideo: 9 }, 'openrouter:google/veo-3.1': { perSecond: 0.5 } });
    assert.deepStrictEqual(quoteRequest(req({ duration: 6 }), { model: m, userPrices: user }), {
      amount: 3,
      currency: 'USD',
      estimate: false,
      basis: '$0.50/s × 6 s (your aiVideo.prices)',
    });
    const providerOnly = prices({ openrouter: { perVideo: 9 } });
    assert.strictEqual(quoteRequest(req({ duration: 6 }), { model: m, userPrices: providerOnly }).amount, 2.4);
    assert.strictEqual(quoteRequest(req({ duration: 6 }), { model: model({ 'per-token': '1' }), userPrices: providerOnly }).amount, 9);
  });

  it("a provider that publishes no prices (a gateway, Pika, HiDream): the user's per-video or per-second price", () => {
    const user = prices({ pika: { perVideo: 0.2 }, gateway: { perSecond: 0.05 }, 'gateway:wan-2.2': { perSecond: 0.1, perVideo: 0.02 } });
    assert.deepStrictEqual(quoteRequest({ provider: 'pika', prompt: 'p' }, { userPrices: user }), {
      amount: 0.2,
      currency: 'USD',
      estimate: false,
      basis: '$0.20/video (your aiVideo.prices)',
    });
    assert.strictEqual(quoteRequest({ provider: 'gateway', prompt: 'p', model: 'x', duration: 10 }, { userPrices: user }).amount, 0.5);
    assert.strictEqual(
      quoteRequest({ provider: 'gateway', prompt: 'p', model: 'wan-2.2', duration: 5 }, { userPrices: user }).amount,
      0.52,
    );
    assert.strictEqual(
      quoteRequest({ provider: 'gateway', prompt: 'p', model: 'x' }, { userPrices: user }).amount,
      undefined,
      'per second with no length known',
    );
    assert.strictEqual(quoteRequest({ provider: 'hidream', prompt: 'p' }, { userPrices: user }).amount, undefined);
  });
});

describe('parseUserPrices', () => {
  it('keeps well-formed entries and names the others', () => {
    const { prices: p, problems } = parseUserPrices({
      pika: { perVideo: 0.2 },
      'gateway:wan-2.2': { perSecond: 0.1 },
      'Bad Key': { perVideo: 1 },
      hidream: { perVideo: -1 },
      fal: { perMinute: 1 },
      replicate: 3,
      openai: {},
    });
    assert.deepStrictEqual([...p.keys()], ['pika', 'gateway:wan-2.2']);
    assert.strictEqual(problems.length, 5);
    assert.ok(problems[0].includes('Bad Key'));
    assert.deepStrictEqual(parseUserPrices(undefined), { prices: new Map(), problems: [] });
    assert.strictEqual(parseUserPrices([1]).problems.length, 1);
  });
});

describe('sumQuotes', () => {
  it('adds several creates; any unknown price makes the sum unknown and says how many', () => {
    const a = { amount: 1.6, currency: 'USD' as const, estimate: true, basis: 'a' };
    const b = { amount: 3.2, currency: 'USD' as const, estimate: false, basis: 'b' };
    const u = { currency: 'USD' as const, estimate: true, basis: 'price unknown' };
    assert.deepStrictEqual(sumQuotes([a, b]), { amount: 4.8, currency: 'USD', estimate: true, basis: '2 creates' });
    const mixed = sumQuotes([a, u]);
    assert.strictEqual(mixed.amount, undefined);
    assert.strictEqual(mixed.basis, 'price unknown for 1 of 2 creates; the others $1.60');
  });
});
