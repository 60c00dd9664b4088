// The provider-neutral request (duration, resolution, audio, lastFrame): read the same way by every
// provider, old request shapes (options.seconds, the gateway's options.duration, HiDream's
// options.resolution) still produce the bodies they did, the new fields produce the right ones, and
// the automation contract checks them.
import * as assert from 'assert';

import { GenerateRequest } from '../../../../src/core/model/task';
import { resolveMedia } from '../../../../src/core/request/media';
import { durationOf, resolutionOf } from '../../../../src/core/request/neutral';
import { parseGenerateRequest, RequestError } from '../../../../src/core/request/requestValidation';
import { validateStoredTask } from '../../../../src/core/store/taskValidation';
import { PROVIDER_IDS } from '../../../../src/providers';
import { gateway } from '../../../../src/providers/gateway';
import { hidream, hidreamResolution } from '../../../../src/providers/hidream';
import { openai } from '../../../../src/providers/openai';
import { pika } from '../../../../src/providers/pika';
import { fixture, fixtureBase64 } from '../../../support/helpers';

const req = (provider: string, extra: Partial<GenerateRequest> = {}): GenerateRequest => ({ provider, prompt: 'a fox in snow', ...extra });

describe('durationOf and resolutionOf', function () {
  it('read the neutral field first, then the legacy places', function () {
    assert.strictEqual(durationOf(req('openai', { duration: 8, options: { seconds: '4' } })), 8);
    assert.strictEqual(durationOf(req('openai', { options: { seconds: '12' } })), 12);
    assert.strictEqual(durationOf(req('openai', { options: { seconds: 4 } })), 4);
    assert.strictEqual(durationOf(req('gateway', { options: { duration: 5 } })), 5);
    assert.strictEqual(durationOf(req('gateway')), undefined);
    assert.ok(
      Number.isNaN(durationOf(req('openai', { options: { seconds: 'long' } }))),
      'a legacy value that is no number is refused, not dropped',
    );
    assert.strictEqual(resolutionOf(req('hidream', { resolution: '1080p', options: { resolution: 4096 } })), '1080p');
    assert.strictEqual(resolutionOf(req('hidream', { options: { resolution: 2048 } })), '2048');
    assert.strictEqual(resolutionOf(req('hidream', { options: { resolution: ' 4096 ' } })), '4096');
    assert.strictEqual(resolutionOf(req('hidream')), undefined);
  });
});

describe('neutral fields in provider bodies', function () {
  it('the gateway sends duration from the neutral field, and the legacy option as before', function () {
    assert.deepStrictEqual(gateway.buildCreate(req('gateway', { model: 'kling-v1', duration: 10 }), {}, 'r').body, {
      model: 'kling-v1',
      prompt: 'a fox in snow',
      duration: 10,
    });
    assert.deepStrictEqual(gateway.buildCreate(req('gateway', { model: 'kling-v1', options: { duration: 5 } }), {}, 'r').body, {
      model: 'kling-v1',
      prompt: 'a fox in snow',
      duration: 5,
    });
    assert.match(gateway.validate(req('gateway', { model: 'kling-v1', duration: 2.5 })) ?? '', /whole number of seconds from 1 to 60/);
    assert.match(gateway.validate(req('gateway', { model: 'kling-v1', resolution: '720p' })) ?? '', /size/);
    assert.match(gateway.validate(req('gateway', { model: 'kling-v1', lastFrame: '/end.png' })) ?? '', /last frame/);
    assert.match(gateway.validate(req('gateway', { model: 'kling-v1', audio: true })) ?? '', /sound/);
    assert.strictEqual(gateway.validate(req('gateway', { model: 'kling-v1', audio: false })), undefined);
  });

  it('OpenAI sends seconds from the neutral duration, as a string', function () {
    assert.deepStrictEqual(openai.buildCreate(req('openai', { model: 'sora-2', duration: 8 }), {}, 'r').body, {
      prompt: 'a fox in snow',
      model: 'sora-2',
      seconds: '8',
    });
    assert.deepStrictEqual(openai.buildCreate(req('openai', { model: 'sora-2', options: { seconds: '12' } }), {}, 'r').body, {
      prompt: 'a fox in snow',
      model: 'sora-2',
      seconds: '12',
    });
    assert.strictEqual(openai.validate(req('openai', { duration: 5 })), undefined, 'any whole number of seconds: the server decides');
    assert.match(openai.validate(req('openai', { duration: 61 })) ?? '', /Seconds must be a whole number from 1 to 60/);
    assert.match(openai.validate(req('openai', { lastFrame: '/end.png' })) ?? '', /last frame/);
  });

  it('HiDream maps the neutral resolution onto its own values, and still reads options.resolution', function () {
    const body = (extra: Partial<GenerateRequest>) => hidream.buildCreate(req('hidream', extra), {}, 'r').body.resolution_ratio;
    assert.strictEqual(body({ resolution: '720p' }), 1024);
    assert.strictEqual(body({ resolution: '1080p' }), 2048);
    assert.strictEqual(body({ resolution: '4K' }), 4096);
    assert.strictEqual(body({ resolution: '2048' }), 2048);
    assert.strictEqual(body({ options: { resolution: 4096 } }), 4096);
    assert.strictEqual(body({ options: { resolution: '1024' } }), 1024);
    assert.strictEqual(body({}), undefined);
    assert.strictEqual(hidreamResolution('480p'), undefined);
    assert.match(hidream.validate(req('hidream', { resolution: '480p' })) ?? '', /720p, 1080p or 4k/);
    assert.match(hidream.validate(req('hidream', { options: { resolution: 3000 } })) ?? '', /Resolution must be 1024, 2048 or 4096/);
    assert.strictEqual(hidream.validate(req('hidream', { resolution: '1080p' })), undefined);
    assert.match(hidream.validate(req('hidream', { duration: 5 })) ?? '', /does not take a duration/);
    assert.match(hidream.validate(req('hidream', { image: '/a.png', lastFrame: '/b.png' })) ?? '', /last frame/);
  });

  it('Pika refuses what it cannot send rather than dropping it', function () {
    assert.match(pika.validate(req('pika', { duration: 5 })) ?? '', /does not take a duration/);
    assert.match(pika.validate(req('pika', { resolution: '1080p' })) ?? '', /does not take a resolution/);
    assert.match(pika.validate(req('pika', { image: '/a.png', lastFrame: '/b.png' })) ?? '', /last frame/);
    assert.match(pika.validate(req('pika', { audio: true })) ?? '', /Pikaffect/);
    assert.strictEqual(pika.validate(req('pika', { pikaffect: 'Melt', style: undefined })), undefined, 'top-level pikaffect is still read');
    assert.strictEqual(pika.buildCreate(req('pika', { pikaffect: 'Melt' }), {}, 'r').body.pikaffect, 'Melt');
  });
});

describe('the neutral fields in the automation contract', function () {
  const parse = (x: Record<string, unknown>) => parseGenerateRequest({ provider: 'gateway', prompt: 'x', ...x }, PROVIDER_IDS);
  const rejects = (x: Record<string, unknown>, message: RegExp) =>
    assert.throws(
      () => parse(x),
      (e: unknown) => e instanceof RequestError && message.test(e.message),
    );

  it('accepts duration, resolution, audio and lastFrame', function () {
    assert.deepStrictEqual(parse({ duration: 8, resolution: ' 1080p ', audio: true, lastFrame: ' /end.png ' }), {
      provider: 'gateway',
      prompt: 'x',
      duration: 8,
      resolution: '1080p',
      audio: true,
      lastFrame: '/end.png',
    });
  });

  it('refuses them in the wrong shape', function () {
    for (const duration of [0, -4, '8', 601, NaN, Infinity]) rejects({ duration }, /"duration" must be a number of seconds/);
    for (const resolution of [1080, '', 'a very long resolution text', '720 p']) {
      rejects({ resolution }, /"resolution" must be a resolution like "720p"/);
    }
    rejects({ audio: 'yes' }, /"audio" must be true or false/);
    rejects({ lastFrame: 3 }, /"lastFrame" must be a non-empty string/);
  });

  it('keeps them in the stored history', function () {
    const request = { provider: 'gateway', prompt: 'x', duration: 6, resolution: '720p', audio: false, lastFrame: '/end.png' };
    const task = validateStoredTask({
      id: 't1',
      provider: 'gateway',
      remoteId: 'r',
      mode: 'image-to-video',
      status: 'queued',
      progress: 0,
      prompt: 'x',
      model: 'm',
      createdAt: 1,
      updatedAt: 1,
      videos: [],
      request,
    });
    assert.deepStrictEqual(task?.request, request);
  });
});

describe('lastFrame media', function () {
  it('is resolved like the image: base64 and its MIME type for a local file, a URL as it is', async function () {
    const local = await resolveMedia({ provider: 'gateway', prompt: 'x', image: 'https://cdn.test/a.png', lastFrame: fixture('cat.png') });
    assert.strictEqual(local.image, 'https://cdn.test/a.png');
    assert.strictEqual(local.lastFrame, fixtureBase64('cat.png'));
    assert.strictEqual(local.lastFrameMime, 'image/png');
    const remote = await resolveMedia({ provider: 'gateway', prompt: 'x', lastFrame: 'https://cdn.test/end.png' });
    assert.deepStrictEqual([remote.lastFrame, remote.lastFrameMime], ['https://cdn.test/end.png', undefined]);
  });
});
