import * as assert from 'assert';

import { GenerateRequest } from '../../../../src/core/model/task';
import { parseGenerateRequest, RequestError } from '../../../../src/core/request/requestValidation';
import { PROVIDER_IDS, PROVIDERS } from '../../../../src/providers';
import { ProviderClient } from '../../../../src/providers/clientKit';
import { gateway } from '../../../../src/providers/gateway';
import { hidream } from '../../../../src/providers/hidream';
import { pika } from '../../../../src/providers/pika';

function rejects(x: unknown, message: string | RegExp): void {
  assert.throws(
    () => parseGenerateRequest(x, PROVIDER_IDS),
    (e: unknown) => {
      assert.ok(e instanceof RequestError, `expected RequestError, got ${String(e)}`);
      if (typeof message === 'string') assert.strictEqual(e.message, message);
      else assert.match(e.message, message);
      return true;
    },
  );
}

describe('parseGenerateRequest (automation contract)', function () {
  it('accepts the full contract shape, trimming strings', function () {
    const req = parseGenerateRequest(
      {
        provider: 'pika',
        prompt: 'a red fox running',
        model: ' 2.0 ',
        negativePrompt: 'blur',
        aspectRatio: '16:9',
        seed: 42,
        images: [' /tmp/a.png', 'https://x.test/b.png '],
        pikaffect: 'Melt',
        options: { motion: 2, camera: { zoom: 'in' } },
      },
      PROVIDER_IDS,
    );
    assert.deepStrictEqual(req, {
      provider: 'pika',
      prompt: 'a red fox running',
      model: '2.0',
      negativePrompt: 'blur',
      aspectRatio: '16:9',
      seed: 42,
      images: ['/tmp/a.png', 'https://x.test/b.png'],
      pikaffect: 'Melt',
      options: { motion: 2, camera: { zoom: 'in' } },
    });
  });

  it('accepts image, video and style, and seeds at both ends of the range', function () {
    assert.deepStrictEqual(parseGenerateRequest({ provider: 'hidream', prompt: 'ink', video: '/v.mp4', style: 'ink_wash' }, PROVIDER_IDS), {
      provider: 'hidream',
      prompt: 'ink',
      video: '/v.mp4',
      style: 'ink_wash',
    });
    assert.strictEqual(parseGenerateRequest({ provider: 'gateway', image: '/i.png', seed: 0 }, PROVIDER_IDS).seed, 0);
    assert.strictEqual(parseGenerateRequest({ provider: 'gateway', seed: 4294967295 }, PROVIDER_IDS).seed, 4294967295);
  });

  it('defaults the prompt to empty and ignores null optional fields', function () {
    assert.deepStrictEqual(
      parseGenerateRequest({ provider: 'hidream', model: null, seed: null, images: null, options: null }, PROVIDER_IDS),
      {
        provider: 'hidream',
        prompt: '',
      },
    );
  });

  it('copies options so the caller cannot change them afterwards', function () {
    const options = { motion: 1 };
    const req = parseGenerateRequest({ provider: 'pika', prompt: 'x', options }, PROVIDER_IDS);
    options.motion = 4;
    assert.deepStrictEqual(req.options, { motion: 1 });
  });

  it('rejects anything but an object', function () {
    for (const bad of [null, undefined, 'pika', 3, ['pika']]) {
      rejects(bad, 'The generate request must be an object like {provider, prompt}.');
    }
  });

  it('rejects unknown fields, naming them', function () {
    rejects({ provider: 'pika', prompt: 'x', apiKey: 'sk-1' }, 'Unknown field in the generate request: apiKey.');
    rejects({ provider: 'pika', prompt: 'x', foo: 1, bar: 2 }, 'Unknown fields in the generate request: foo, bar.');
  });

  it('rejects a missing or unknown provider', function () {
    rejects({ prompt: 'x' }, `"provider" must be one of ${PROVIDER_IDS.join(', ')}.`);
    rejects({ provider: 'kling', prompt: 'x' }, `"provider" must be one of ${PROVIDER_IDS.join(', ')}.`);
    rejects({ provider: 'PIKA', prompt: 'x' }, /"provider" must be one of/);
  });

  it('rejects a non-string or too long prompt', function () {
    rejects({ provider: 'pika', prompt: 5 }, '"prompt" must be a string.');
    rejects({ provider: 'pika', prompt: 'x'.repeat(4001) }, '"prompt" is too long (4000 characters at most).');
    assert.strictEqual(parseGenerateRequest({ provider: 'pika', prompt: 'x'.repeat(4000) }, PROVIDER_IDS).prompt.length, 4000);
  });

  it('rejects bad seeds', function () {
    for (const seed of [-1, 1.5, '42', 4294967296, NaN, true]) {
      rejects({ provider: 'pika', prompt: 'x', seed }, '"seed" must be a whole number from 0 to 4294967295.');
    }
  });

  it('rejects non-string or blank string fields, naming the field', function () {
    rejects({ provider: 'pika', prompt: 'x', image: 5 }, '"image" must be a non-empty string.');
    rejects({ provider: 'pika', prompt: 'x', image: { path: '/a.png' } }, '"image" must be a non-empty string.');
    rejects({ provider: 'pika', prompt: 'x', model: '  ' }, '"model" must be a non-empty string.');
    rejects({ provider: 'hidream', prompt: 'x', video: ['/a.mp4'] }, '"video" must be a non-empty string.');
    rejects({ provider: 'hidream', prompt: 'x', style: 3 }, '"style" must be a non-empty string.');
  });

  it('rejects images that are not a list of strings, or too many', function () {
    rejects({ provider: 'pika', prompt: 'x', images: '/a.png' }, '"images" must be a list of paths or URLs.');
    rejects({ provider: 'pika', prompt: 'x', images: ['/a.png', 7] }, '"images" must be a list of paths or URLs.');
    rejects({ provider: 'pika', prompt: 'x', images: ['/a.png', ' '] }, '"images" must be a list of paths or URLs.');
    rejects(
      { provider: 'pika', prompt: 'x', images: Array.from({ length: 11 }, (_, i) => `/i${i}.png`) },
      '"images" takes at most 10 images.',
    );
  });

  it('rejects options that are not an object', function () {
    rejects({ provider: 'pika', prompt: 'x', options: [1] }, '"options" must be an object.');
    rejects({ provider: 'pika', prompt: 'x', options: 'fast' }, '"options" must be an object.');
  });
});

describe('provider validate', function () {
  const base = (provider: GenerateRequest['provider'], extra: Partial<GenerateRequest> = {}): GenerateRequest => ({
    provider,
    prompt: 'a cat',
    ...extra,
  });

  /** Each case must be refused by the provider's validate with a message matching its pattern. */
  function assertRejects(provider: ProviderClient, cases: Array<[Partial<GenerateRequest>, RegExp]>): void {
    for (const [extra, msg] of cases) {
      const m = provider.validate(base(provider.id, extra));
      assert.ok(m !== undefined, `expected a rejection for ${JSON.stringify(extra)}`);
      assert.match(m, msg, JSON.stringify(extra));
    }
  }

  it('the registry holds every provider by its id, these three among them', function () {
    for (const id of ['pika', 'gateway', 'hidream']) assert.ok(id in PROVIDERS, id);
    assert.deepStrictEqual(Object.keys(PROVIDERS), [...PROVIDER_IDS]);
    for (const [id, p] of Object.entries(PROVIDERS)) assert.strictEqual(p.id, id);
  });

  describe('Pika', function () {
    it('accepts text, image, ingredients and pikaffect requests', function () {
      assert.strictEqual(pika.validate(base('pika')), undefined);
      assert.strictEqual(
        pika.validate(
          base('pika', {
            aspectRatio: '9:16',
            seed: 7,
            options: { motion: 4, guidanceScale: 25, frameRate: 8, camera: { zoom: 'in', pan: 'left' } },
          }),
        ),
        undefined,
      );
      assert.strictEqual(pika.validate(base('pika', { prompt: '', image: '/a.png' })), undefined);
      assert.strictEqual(pika.validate(base('pika', { images: ['/a.png', '/b.png'] })), undefined, 'model defaults to 2.0 for ingredients');
      assert.strictEqual(
        pika.validate(base('pika', { model: '2.0', images: ['/a.png', '/b.png'], options: { ingredientsMode: 'creative' } })),
        undefined,
      );
      assert.strictEqual(pika.validate(base('pika', { prompt: '', pikaffect: 'Cake-ify', image: '/a.png' })), undefined);
    });

    it('rejects unsupported combinations', function () {
      const cases: Array<[Partial<GenerateRequest>, RegExp]> = [
        [{ video: '/v.mp4' }, /Pika does not restyle videos/],
        [{ style: 'anime' }, /Pika has no styles/],
        [{ model: '1.5', images: ['/a.png', '/b.png'] }, /Pika ingredients \(several images\) need model 2\.0/],
        [{ images: ['/a.png'] }, /at least 2 images/],
        [{ image: '/a.png', images: ['/a.png', '/b.png'] }, /either one image or several/],
        [{ model: '3.0' }, /Pika model must be 1\.5 or 2\.0 \(got "3\.0"\)/],
        [{ prompt: '  ' }, /Enter a prompt/],
        [{ pikaffect: 'Sparkle' }, /Unknown Pikaffect "Sparkle"/],
        [{ image: '/a.png', aspectRatio: '16:9' }, /takes the aspect ratio from the image/],
        [{ aspectRatio: '3:1' }, /between 2:5 and 5:2/],
        [{ aspectRatio: 'wide' }, /must look like 16:9/],
        [{ options: { motion: 5 } }, /Motion must be between 0 and 4/],
        [{ options: { guidanceScale: 4 } }, /Guidance scale must be between 5 and 25/],
        [{ options: { frameRate: 30 } }, /Frame rate must be a whole number from 8 to 24/],
        [{ options: { frameRate: 12.5 } }, /Frame rate/],
        [{ options: { ingredientsMode: 'loose' } }, /Ingredients mode must be precise or creative/],
        [{ options: { camera: { roll: 'left' } } }, /Unknown camera move "roll"/],
        [{ options: { camera: { zoom: 'left' } } }, /Camera zoom must be one of in, out/],
      ];
      assertRejects(pika, cases);
    });
  });

  describe('gateway', function () {
    it('accepts a model with a prompt, an image, images, size and duration', function () {
      assert.strictEqual(gateway.validate(base('gateway', { model: 'kling-v1' })), undefined);
      assert.strictEqual(
        gateway.validate(
          base('gateway', {
            model: 'doubao-seedance-1-0-pro-250528',
            image: '/a.png',
            seed: 1,
            aspectRatio: '9:16',
            options: { size: '720x1280', duration: 10 },
          }),
        ),
        undefined,
      );
      assert.strictEqual(gateway.validate(base('gateway', { model: 'viduq1', images: ['/a.png', '/b.png'] })), undefined);
    });

    it('rejects unsupported combinations', function () {
      const cases: Array<[Partial<GenerateRequest>, RegExp]> = [
        [{}, /Choose a gateway model id/],
        [{ model: 'has spaces' }, /Choose a gateway model id/],
        [{ model: 'kling-v1', prompt: ' ' }, /needs a prompt/],
        [{ model: 'kling-v1', video: '/v.mp4' }, /does not restyle videos/],
        [{ model: 'kling-v1', pikaffect: 'Melt' }, /Pikaffects are a Pika feature/],
        [{ model: 'kling-v1', style: 'anime' }, /Styles are a HiDream video_edit feature/],
        [{ model: 'kling-v1', image: '/a.png', images: ['/b.png'] }, /either one image or several/],
        [{ model: 'kling-v1', aspectRatio: 'tall' }, /must look like 16:9/],
        [{ model: 'kling-v1', options: { duration: 0 } }, /Duration must be a whole number of seconds from 1 to 60/],
        [{ model: 'kling-v1', options: { duration: 2.5 } }, /Duration/],
        [{ model: 'kling-v1', options: { size: '1280*720' } }, /Size must look like 1280x720/],
      ];
      assertRejects(gateway, cases);
    });
  });

  describe('HiDream', function () {
    it('accepts each module with its options', function () {
      assert.strictEqual(
        hidream.validate(
          base('hidream', {
            aspectRatio: '1:1',
            options: { cameraHorizontal: -5, cameraVertical: 5, cameraDepth: 0, motionStrength: 30, resolution: 4096 },
          }),
        ),
        undefined,
      );
      assert.strictEqual(hidream.validate(base('hidream', { prompt: '', image: '/a.png' })), undefined, 'img2video prompt is optional');
      assert.strictEqual(hidream.validate(base('hidream', { prompt: '', video: '/v.mp4', style: 'van_goph' })), undefined);
      assert.strictEqual(hidream.validate(base('hidream', { prompt: 'make it snow', video: '/v.mp4' })), undefined);
    });

    it('rejects unsupported combinations', function () {
      const cases: Array<[Partial<GenerateRequest>, RegExp]> = [
        [{ seed: 5 }, /HiDream does not take a seed/],
        [{ negativePrompt: 'blur' }, /does not take a negative prompt/],
        [{ images: ['/a.png', '/b.png'] }, /HiDream takes one image/],
        [{ pikaffect: 'Melt' }, /Pikaffects are a Pika feature/],
        [{ image: '/a.png', video: '/v.mp4' }, /either an image \(animate\) or a video \(restyle\)/],
        [{ prompt: '' }, /text-to-video needs a prompt/],
        [{ prompt: '', video: '/v.mp4' }, /needs a style or a prompt/],
        [{ video: '/v.mp4', style: 'van_gogh' }, /Unknown style "van_gogh"/],
        [{ video: '/v.mp4', aspectRatio: '16:9' }, /keeps the video's own aspect ratio/],
        [{ style: 'anime' }, /Styles apply to restyling a video/],
        [{ aspectRatio: '4:3' }, /must be one of 16:9, 1:1, 9:16/],
        [{ options: { cameraDepth: 6 } }, /Camera moves are whole numbers from -5 to 5/],
        [{ options: { cameraHorizontal: 1.5 } }, /Camera moves/],
        [{ options: { motionStrength: 31 } }, /Motion strength must be a whole number from 0 to 30/],
        [{ options: { resolution: 3000 } }, /Resolution must be 1024, 2048 or 4096/],
      ];
      assertRejects(hidream, cases);
    });
  });
});
