// The agent tool's plan in plain Node: an input becomes a request once, in prepareInvocation; invoke
// sends only the plan confirmed for exactly its input, once and within ten minutes; the
// confirmation lists every parameter that sets the price.
import * as assert from 'assert';

import type { GenerateRequest } from '../../../../src/core/model/task';
import { PROVIDER_IDS, PROVIDER_LIST, PROVIDERS } from '../../../../src/providers';
import {
  canonicalInput,
  confirmationLines,
  ConfirmedPlans,
  PLAN_TTL_MS,
  planGeneration,
  planToSend,
  type Plan,
  type PlanContext,
} from '../../../../src/vscode/generate/agentPlan';

function context(over: Partial<PlanContext> = {}): PlanContext {
  return {
    providers: PROVIDERS,
    ids: PROVIDER_IDS,
    withKey: [...PROVIDER_IDS],
    defaultModel: () => undefined,
    resolveImage: async (ref) =>
      ref === 'cat.png' ? { ok: true, value: '/ws/cat.png' } : { ok: false, message: `File not found: /ws/${ref}` },
    ...over,
  };
}

const lines = (request: GenerateRequest, quote?: string) =>
  confirmationLines(request, PROVIDERS[request.provider], quote).map((l) => `${l.label}: ${l.value}`);

describe('agent tool: the plan', () => {
  it("turns the input into the request: provider, model, seconds into the provider's own field, the image resolved", async () => {
    const p = await planGeneration({ prompt: ' A fox ', provider: 'Gateway', model: 'kling-v1', seconds: 5 }, context());
    assert.ok(p.ok, JSON.stringify(p));
    assert.deepStrictEqual(p.request, { provider: 'gateway', prompt: 'A fox', model: 'kling-v1', options: { duration: 5 } });
    assert.strictEqual(p.mode, 'text-to-video');

    const i = await planGeneration(
      { prompt: 'Animate', provider: 'hidream', imagePath: 'cat.png' },
      context({ defaultModel: () => 'img2video' }),
    );
    assert.ok(i.ok, JSON.stringify(i));
    assert.strictEqual(i.request.image, '/ws/cat.png');
    assert.strictEqual(i.request.model, 'img2video');
    assert.strictEqual(i.mode, 'image-to-video');
  });

  it('says why it cannot plan: no prompt, unknown provider, no key, missing image', async () => {
    const failure = async (input: unknown, ctx = context()) => {
      const p = await planGeneration(input, ctx);
      assert.ok(!p.ok, JSON.stringify(p));
      return p.message;
    };
    assert.match(await failure({ prompt: ' ' }), /"prompt" is required/);
    assert.match(await failure(undefined), /"prompt" is required/);
    assert.match(await failure({ prompt: 'x', provider: 'sora' }), /^Unknown provider "sora"/);
    assert.match(
      await failure({ prompt: 'x', provider: 'pika' }, context({ withKey: ['gateway'] })),
      /^No API key is set for Pika\. Providers with a key: gateway\./,
    );
    assert.match(await failure({ prompt: 'x' }, context({ withKey: [] })), /^No provider has an API key yet\./);
    assert.match(
      await failure({ prompt: 'x', provider: 'pika', imagePath: 'nope.png' }),
      /^Image problem: File not found: \/ws\/nope\.png/,
    );
  });
});

describe('agent tool: the confirmed plans', () => {
  const ok = (prompt: string): Plan => ({
    ok: true,
    request: { provider: 'gateway', prompt, options: { duration: 5 } },
    mode: 'text-to-video',
    notes: [],
  });

  it('the canonical form ignores key order and unset keys, and nothing else', () => {
    assert.strictEqual(canonicalInput({ prompt: 'a', seconds: 5, model: undefined }), canonicalInput({ seconds: 5, prompt: 'a' }));
    assert.notStrictEqual(canonicalInput({ prompt: 'a', seconds: 5 }), canonicalInput({ prompt: 'a', seconds: 10 }));
    assert.notStrictEqual(canonicalInput({ prompt: 'a', seconds: 5 }), canonicalInput({ prompt: 'a', seconds: '5' }));
    assert.notStrictEqual(canonicalInput({ prompt: 'a' }), canonicalInput({ prompt: 'a', waitSeconds: 60 }));
  });

  it('invoke sends exactly the plan confirmed for its input, as it was then, once', () => {
    const plans = new ConfirmedPlans();
    const plan = ok('A fox');
    plans.remember({ prompt: 'A fox', seconds: 5 }, plan);
    // Whatever happens to the plan object afterwards, the confirmed request is what is sent.
    if (plan.ok) plan.request.options!.duration = 60;
    const send = planToSend(plans, { seconds: 5, prompt: 'A fox' });
    assert.ok(send.send, JSON.stringify(send));
    assert.deepStrictEqual(send.request, { provider: 'gateway', prompt: 'A fox', options: { duration: 5 } });
    const again = planToSend(plans, { seconds: 5, prompt: 'A fox' });
    assert.ok(!again.send);
    assert.match(again.message, /^No video was generated: nothing was confirmed for exactly this input/);
  });

  it('a changed input, a check that failed, or no prepareInvocation at all sends nothing', () => {
    const plans = new ConfirmedPlans();
    plans.remember({ prompt: 'A fox', seconds: 5 }, ok('A fox'));
    const changed = planToSend(plans, { prompt: 'A fox', seconds: 10 });
    assert.ok(!changed.send);
    assert.match(changed.message, /nothing was confirmed for exactly this input/);

    plans.remember({ prompt: 'x', imagePath: 'late.png' }, { ok: false, message: 'Image problem: File not found: /ws/late.png' });
    const failed = planToSend(plans, { prompt: 'x', imagePath: 'late.png' });
    assert.deepStrictEqual(failed, { send: false, message: 'No video was generated. Image problem: File not found: /ws/late.png' });
    assert.ok(!planToSend(plans, { prompt: 'never prepared' }).send);
  });

  it('a plan expires ten minutes after its confirmation was prepared', () => {
    let now = 1_000_000;
    const plans = new ConfirmedPlans(() => now);
    plans.remember({ prompt: 'a' }, ok('a'));
    plans.remember({ prompt: 'b' }, ok('b'));
    now += PLAN_TTL_MS - 1;
    assert.ok(planToSend(plans, { prompt: 'a' }).send);
    now += 2;
    assert.ok(!planToSend(plans, { prompt: 'b' }).send);
    assert.strictEqual(PLAN_TTL_MS, 10 * 60_000);
  });

  it('the same input prepared twice sends the newest plan, and each confirmation at most once', () => {
    const plans = new ConfirmedPlans();
    plans.remember({ prompt: 'a' }, ok('older'));
    plans.remember({ prompt: 'a' }, ok('newer'));
    const first = planToSend(plans, { prompt: 'a' });
    assert.ok(first.send && first.request.prompt === 'newer');
    const second = planToSend(plans, { prompt: 'a' });
    assert.ok(second.send && second.request.prompt === 'older');
    assert.ok(!planToSend(plans, { prompt: 'a' }).send);
  });

  it('keeps a bounded number of plans, dropping the oldest', () => {
    const plans = new ConfirmedPlans();
    for (let i = 0; i < 100; i++) plans.remember({ prompt: `p${i}` }, ok(`p${i}`));
    assert.ok(plans.size <= 32, String(plans.size));
    assert.ok(planToSend(plans, { prompt: 'p99' }).send);
    assert.ok(!planToSend(plans, { prompt: 'p0' }).send);
  });
});

describe('agent tool: what the confirmation shows', () => {
  it('every parameter that sets the price, set or not: provider, model, seconds, size, the number of videos', () => {
    assert.deepStrictEqual(lines({ provider: 'gateway', prompt: 'x', model: 'kling-v1', options: { duration: 5 } }), [
      'Provider: Video gateway',
      'Model: kling-v1',
      'Aspect ratio: default',
      'Duration (seconds): 5',
      'Size: provider default',
      'Number of videos: 1',
    ]);
    assert.deepStrictEqual(lines({ provider: 'openai', prompt: 'x', options: { size: '1280x720' } }), [
      'Provider: OpenAI-compatible server',
      'Model: provider default',
      "Seconds: the server's default",
      'Size: 1280x720',
      'Number of videos: 1',
    ]);
  });

  it('media inputs with their resolved paths, and the resolution of an image-to-video request', () => {
    const shown = lines({
      provider: 'hidream',
      prompt: 'x',
      model: 'img2video',
      image: '/ws/cat.png',
      aspectRatio: '9:16',
      options: { resolution: 2048 },
    });
    assert.ok(shown.includes('Aspect ratio: 9:16') && shown.includes('Resolution: 2048'), shown.join('\n'));
    assert.strictEqual(shown.at(-1), 'Image: /ws/cat.png');
    const pika = lines({ provider: 'pika', prompt: 'x', images: ['/ws/a.png', '/ws/b.png'] });
    assert.ok(pika.includes('Image 1: /ws/a.png') && pika.includes('Image 2: /ws/b.png'), pika.join('\n'));
  });

  it('the price, once a quote is given, comes last', () => {
    assert.ok(!lines({ provider: 'gateway', prompt: 'x' }).some((l) => l.startsWith('Price')));
    assert.strictEqual(lines({ provider: 'gateway', prompt: 'x' }, '$0.40').at(-1), 'Price: $0.40');
  });

  it('every provider marks its length, size and resolution fields as setting the price', () => {
    for (const p of PROVIDER_LIST) {
      for (const f of p.options) {
        if (/^(seconds|duration|size|resolution|aspectRatio)$/.test(f.key)) assert.strictEqual(f.price, true, `${p.id} ${f.key}`);
      }
    }
  });
});

describe('agent tool: the neutral words (OpenRouter)', () => {
  it('maps duration, resolution, audio and lastFramePath onto the request, the last frame resolved like the image', async () => {
    const input = {
      prompt: 'A fox',
      provider: 'openrouter',
      model: 'google/veo-3.1',
      imagePath: 'cat.png',
      lastFramePath: 'cat.png',
      duration: 8,
      resolution: '1080p',
      audio: true,
    };
    const p = await planGeneration(input, context());
    assert.ok(p.ok, JSON.stringify(p));
    assert.deepStrictEqual(
      {
        duration: p.request.duration,
        resolution: p.request.resolution,
        audio: p.request.audio,
        image: p.request.image,
        lastFrame: p.request.lastFrame,
      },
      { duration: 8, resolution: '1080p', audio: true, image: '/ws/cat.png', lastFrame: '/ws/cat.png' },
    );
    const bad = await planGeneration({ ...input, lastFramePath: 'missing.png' }, context());
    assert.ok(!bad.ok && /^Last frame problem: File not found/.test(bad.message), JSON.stringify(bad));
  });

  it('a provider that does not take them says so (its validate), nothing is planned', async () => {
    const p = await planGeneration({ prompt: 'A fox', provider: 'pika', duration: 5 }, context());
    assert.ok(!p.ok && /does not take a duration/.test(p.message), JSON.stringify(p));
  });
});
