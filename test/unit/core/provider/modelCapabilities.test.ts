// A request checked against a catalogued model before anything is sent: a length, resolution or
// aspect ratio it does not make, a frame, references, sound or a seed it does not take are refused
// with what it does take; a list the catalogue does not know refuses nothing.
import * as assert from 'assert';

import type { GenerateRequest } from '../../../../src/core/model/task';
import type { CatalogModel } from '../../../../src/core/provider/catalogTypes';
import { checkAgainstModel, describeCapabilities, joinOr } from '../../../../src/core/provider/modelCapabilities';
import { HIDREAM_CATALOG } from '../../../../src/providers/hidream';
import { PIKA_CATALOG } from '../../../../src/providers/pika';

const veo: CatalogModel = {
  id: 'google/veo-3.1',
  label: 'Veo 3.1',
  modes: ['text-to-video', 'image-to-video'],
  capabilities: {
    durations: [4, 6, 8],
    resolutions: ['720p', '1080p'],
    aspectRatios: ['16:9', '9:16'],
    frames: { first: true, last: true },
    referenceImages: 3,
    audio: true,
    seed: true,
  },
};
const plain: CatalogModel = {
  id: 'plain',
  label: 'Plain',
  modes: ['text-to-video'],
  capabilities: { frames: { first: false, last: false }, referenceImages: 0, audio: false, seed: false },
};
const req = (extra: Partial<GenerateRequest> = {}): GenerateRequest => ({ provider: 'openrouter', prompt: 'p', ...extra });

describe('checkAgainstModel', function () {
  it('refuses a duration the model does not take, naming the ones it does', function () {
    assert.strictEqual(checkAgainstModel(veo, req({ duration: 5 })), 'Veo 3.1 takes 4, 6 or 8 seconds.');
    assert.strictEqual(
      checkAgainstModel(veo, req({ options: { seconds: '12' } })),
      'Veo 3.1 takes 4, 6 or 8 seconds.',
      'a legacy duration too',
    );
    assert.strictEqual(checkAgainstModel({ ...veo, capabilities: { durations: [8] } }, req({ duration: 4 })), 'Veo 3.1 takes 8 seconds.');
    assert.strictEqual(
      checkAgainstModel({ ...veo, capabilities: { durations: [] } }, req({ duration: 4 })),
      'Veo 3.1 does not take a duration.',
    );
    assert.strictEqual(checkAgainstModel(veo, req({ duration: 6 })), undefined);
  });

  it('refuses a resolution or aspect ratio it does not make', function () {
    assert.strictEqual(checkAgainstModel(veo, req({ resolution: '4k' })), 'Veo 3.1 takes the resolution 720p or 1080p.');
    assert.strictEqual(checkAgainstModel(veo, req({ resolution: '1080P' })), undefined, 'any case');
    assert.strictEqual(checkAgainstModel(veo, req({ aspectRatio: '1:1' })), 'Veo 3.1 takes the aspect ratio 16:9 or 9:16.');
  });

  it('a resolution the model maps onto its own values is taken', function () {
    const txt = HIDREAM_CATALOG[0];
    assert.strictEqual(checkAgainstModel(txt, req({ resolution: '1080p' })), undefined);
    assert.strictEqual(checkAgainstModel(txt, req({ options: { resolution: 2048 } })), undefined);
    assert.strictEqual(checkAgainstModel(txt, req({ resolution: '480p' })), 'HiDream txt2video takes the resolution 1024, 2048 or 4096.');
  });

  it('refuses frames, references, sound and a seed it does not take', function () {
    assert.match(checkAgainstModel(plain, req({ image: '/a.png' }))!, /Plain does not take a first frame/);
    assert.strictEqual(checkAgainstModel(plain, req({ lastFrame: '/b.png' })), 'Plain does not take a last frame.');
    assert.strictEqual(checkAgainstModel(plain, req({ images: ['/a.png'] })), 'Plain does not take reference images.');
    assert.strictEqual(checkAgainstModel(veo, req({ images: ['/a', '/b', '/c', '/d'] })), 'Veo 3.1 takes at most 3 reference images.');
    assert.strictEqual(checkAgainstModel(plain, req({ audio: true })), 'Plain does not generate sound.');
    assert.strictEqual(checkAgainstModel(plain, req({ audio: false })), undefined);
    assert.strictEqual(checkAgainstModel(plain, req({ seed: 1 })), 'Plain does not take a seed.');
    assert.strictEqual(checkAgainstModel(veo, req({ image: '/a', lastFrame: '/b', images: ['/c'], audio: true, seed: 3 })), undefined);
    assert.strictEqual(checkAgainstModel(PIKA_CATALOG[1], req({ images: ['/a', '/b'] })), 'Pika 1.5 does not take reference images.');
  });

  it('unknown lists refuse nothing', function () {
    const unknown: CatalogModel = { id: 'u', label: 'U', modes: ['text-to-video'], capabilities: {} };
    assert.strictEqual(
      checkAgainstModel(
        unknown,
        req({ duration: 7, resolution: '8k', aspectRatio: '5:4', image: '/a', lastFrame: '/b', images: ['/c'], audio: true, seed: 1 }),
      ),
      undefined,
    );
  });
});

describe('describeCapabilities and joinOr', function () {
  it('one line for pickers', function () {
    assert.strictEqual(describeCapabilities(veo), '4–8 s · 720p/1080p · first+last frame · up to 3 references · audio');
    assert.strictEqual(
      describeCapabilities({ ...veo, capabilities: { durations: [8], frames: { first: true, last: false } } }),
      '8 s · first frame',
    );
    assert.strictEqual(describeCapabilities(plain), '');
    assert.deepStrictEqual([joinOr([]), joinOr([8]), joinOr([4, 8]), joinOr(['a', 'b', 'c'])], ['', '8', '4 or 8', 'a, b or c']);
  });
});
