// The Pika client against docs/providers/pika.md: the create body, the feed parser ("seed 000/002" are
// the examples in test/support/seeds.ts) and a round trip through the emulator.
import * as assert from 'assert';
import * as fs from 'fs';

import { ProviderError } from '../../../src/core/model/errors';
import { GenerateRequest } from '../../../src/core/model/task';
import { resolveMedia } from '../../../src/core/request/media';
import { RemoteState } from '../../../src/providers/clientKit';
import { parsePikaFeed, pika } from '../../../src/providers/pika';
import { fixture, fixtureBase64, makeTask, pollState, rejectsWith, useEmulator } from '../../support/helpers';
import { SEED_000_FEED, SEED_002_CREATE, SEED_002_FEED, SEED_002_INGREDIENT } from '../../support/seeds';

const req = (extra: Partial<GenerateRequest>): GenerateRequest => ({ provider: 'pika', prompt: '', ...extra });

/** What a Pika request with defaults carries in `options`, without the aspect ratio. */
const DEFAULT_OPTIONS_NO_AR = {
  frameRate: 24,
  camera: {},
  parameters: { guidanceScale: 12, motion: 1, negativePrompt: '' },
  extend: false,
};

describe('Pika buildCreate', function () {
  it('text-to-video with defaults is exactly the seed-002 body', function () {
    const spec = pika.buildCreate(req({ prompt: 'moving' }), {}, 'r1');
    assert.deepStrictEqual(spec, { path: '/pika/generate', body: SEED_002_CREATE, model: '1.5', mode: 'text-to-video' });
    assert.ok(!('image' in spec.body), 'no empty image key');
  });

  it('text-to-video with every option', function () {
    const spec = pika.buildCreate(
      req({
        prompt: 'a fox',
        model: '2.0',
        negativePrompt: 'blur, text',
        aspectRatio: '9:16',
        seed: 123,
        options: { motion: 3, guidanceScale: 20, frameRate: 12, camera: { zoom: 'in', pan: 'left' }, extend: true },
      }),
      {},
      'r1',
    );
    assert.deepStrictEqual(spec.body, {
      pikaffect: '',
      promptText: 'a fox',
      model: '2.0',
      options: {
        aspectRatio: 9 / 16,
        frameRate: 12,
        camera: { zoom: 'in', pan: 'left' },
        parameters: { guidanceScale: 20, motion: 3, negativePrompt: 'blur, text', seed: 123 },
        extend: true,
      },
    });
  });

  it('image-to-video carries the image and no aspectRatio', function () {
    const spec = pika.buildCreate(req({ prompt: 'wave', image: '/x/cat.png' }), { image: 'BASE64DATA', imageMime: 'image/png' }, 'r1');
    assert.deepStrictEqual(spec, {
      path: '/pika/generate',
      body: { pikaffect: '', promptText: 'wave', model: '1.5', image: 'BASE64DATA', options: DEFAULT_OPTIONS_NO_AR },
      model: '1.5',
      mode: 'image-to-video',
    });
  });

  it('ingredients: model 2.0, ingredient list, ingredients-mode, no image (seed 002 example)', function () {
    const urls = SEED_002_INGREDIENT.ingredient;
    const spec = pika.buildCreate(req({ prompt: 'pick it', images: urls }), { images: urls, imagesMime: ['', ''] }, 'r1');
    assert.deepStrictEqual(spec, { path: '/pika/generate', body: SEED_002_INGREDIENT, model: '2.0', mode: 'ingredients' });
    assert.ok(!('image' in spec.body));
  });

  it('ingredients in creative mode', function () {
    const spec = pika.buildCreate(
      req({ prompt: 'mix', images: ['/a', '/b'], options: { ingredientsMode: 'creative' } }),
      { images: ['QQ==', 'Qg=='] },
      'r1',
    );
    assert.strictEqual((spec.body.options as Record<string, unknown>)['ingredients-mode'], 'creative');
    assert.deepStrictEqual(spec.body.ingredient, ['QQ==', 'Qg==']);
  });

  it('pikaffect on an image', function () {
    const spec = pika.buildCreate(req({ pikaffect: 'Melt', image: 'https://x.test/a.png' }), { image: 'https://x.test/a.png' }, 'r1');
    assert.deepStrictEqual(spec.body, {
      pikaffect: 'Melt',
      promptText: '',
      model: '1.5',
      image: 'https://x.test/a.png',
      options: DEFAULT_OPTIONS_NO_AR,
    });
  });
});

describe('Pika against the emulator', function () {
  const h = useEmulator();

  async function createAndRecord(r: GenerateRequest): Promise<{ remoteId: string; mode: string; body: unknown }> {
    const media = await resolveMedia(r);
    const result = await pika.create(h.ctx(), r, media, 'req-1');
    const recorded = h.em.requests('pika.generate');
    assert.strictEqual(recorded.length, 1);
    assert.deepStrictEqual(recorded[0].body, pika.buildCreate(r, media, 'req-1').body, 'create sends what buildCreate builds');
    return { remoteId: result.remoteId, mode: result.mode, body: recorded[0].body };
  }

  it('text-to-video: the emulator receives exactly the seed-002 body', async function () {
    const { remoteId, mode, body } = await createAndRecord(req({ prompt: 'moving' }));
    assert.deepStrictEqual(body, SEED_002_CREATE);
    assert.strictEqual(mode, 'text-to-video');
    assert.match(remoteId, /^[0-9a-f-]{36}$/);
  });

  it('image-to-video with a local PNG: base64 of the file, no aspectRatio', async function () {
    const { body, mode } = await createAndRecord(req({ prompt: 'wave', image: fixture('cat.png') }));
    assert.deepStrictEqual(body, {
      pikaffect: '',
      promptText: 'wave',
      model: '1.5',
      image: fixtureBase64('cat.png'),
      options: DEFAULT_OPTIONS_NO_AR,
    });
    assert.deepStrictEqual(Buffer.from((body as { image: string }).image, 'base64'), fs.readFileSync(fixture('cat.png')));
    assert.strictEqual(mode, 'image-to-video');
  });

  it('image-to-video with an https URL passes the URL', async function () {
    const { body } = await createAndRecord(req({ prompt: 'wave', image: 'https://cdn.example.com/cat.png' }));
    assert.strictEqual((body as { image: string }).image, 'https://cdn.example.com/cat.png');
  });

  it('ingredients with two local images', async function () {
    const { body, mode } = await createAndRecord(req({ prompt: 'pick it', images: [fixture('cat.png'), fixture('dog.jpg')] }));
    assert.deepStrictEqual(body, { ...SEED_002_INGREDIENT, ingredient: [fixtureBase64('cat.png'), fixtureBase64('dog.jpg')] });
    assert.strictEqual(mode, 'ingredients');
  });

  it('pikaffect with a local WebP', async function () {
    const { body } = await createAndRecord(req({ pikaffect: 'Explode', image: fixture('bird.webp') }));
    assert.deepStrictEqual(body, {
      pikaffect: 'Explode',
      promptText: '',
      model: '1.5',
      image: fixtureBase64('bird.webp'),
      options: DEFAULT_OPTIONS_NO_AR,
    });
  });

  it('follows a task from queued to finished', async function () {
    const { remoteId } = await createAndRecord(req({ prompt: 'a cat [subtasks=2]' }));
    const task = makeTask('pika', remoteId);
    const at = (): Promise<RemoteState> => pollState(pika, h.ctx(), task);
    const queued = await at();
    assert.strictEqual(queued.status, 'queued');
    assert.strictEqual(queued.progress, 0);
    h.advance(6_000);
    const running = await at();
    assert.strictEqual(running.status, 'running');
    assert.strictEqual(running.rawStatus, 'pending');
    assert.ok(running.progress! > 0 && running.progress! < 100, String(running.progress));
    h.advance(5_000);
    const done = await at();
    assert.strictEqual(done.status, 'succeeded');
    assert.strictEqual(done.progress, 100);
    assert.strictEqual(done.videos.length, 2);
    for (const v of done.videos) {
      assert.ok(v.url.startsWith(`${h.em.baseUrl}/files/pika/`), v.url);
      assert.ok(v.posterUrl?.endsWith('/poster.jpg'));
      assert.ok(v.thumbnailUrl?.endsWith('/thumbnail.jpg'));
      assert.strictEqual(typeof v.seed, 'number');
    }
    assert.strictEqual(done.videos[0].id, remoteId);
  });

  it("reports a failed generation with Pika's error text", async function () {
    const { remoteId } = await createAndRecord(req({ prompt: 'x [fail] [duration=100]' }));
    h.advance(200);
    const s = (await pika.poll(h.ctx(), [makeTask('pika', remoteId)])).values().next().value as RemoteState;
    assert.strictEqual(s.status, 'failed');
    assert.strictEqual(s.rawStatus, 'error');
    assert.strictEqual(s.error, 'Emulated generation failure');
    assert.deepStrictEqual(s.videos, []);
  });

  it('an unknown status word stays unknown', async function () {
    const { remoteId } = await createAndRecord(req({ prompt: 'x [unknown]' }));
    h.advance(5_000);
    const s = (await pika.poll(h.ctx(), [makeTask('pika', remoteId)])).values().next().value as RemoteState;
    assert.strictEqual(s.status, 'unknown');
    assert.strictEqual(s.rawStatus, 'mystery');
  });

  it('polls each task on its own: an unknown id is notFound, a 5xx hits only its task', async function () {
    const { remoteId } = await createAndRecord(req({ prompt: 'ok' }));
    const good = makeTask('pika', remoteId);
    const missing = makeTask('pika', 'no-such-task');
    const out = await pika.poll(h.ctx(), [good, missing]);
    assert.strictEqual(out.size, 2);
    const m = out.get(missing.id);
    assert.ok(m instanceof ProviderError && m.kind === 'notFound', String(m));
    assert.ok(!(out.get(good.id) instanceof ProviderError));
    assert.strictEqual(h.em.counts()['pika.feed'], 2);

    h.em.injectFault({ route: 'pika.feed', kind: 'status', status: 503 });
    const again = await pika.poll(h.ctx(), [good]);
    const e = again.get(good.id);
    assert.ok(e instanceof ProviderError && e.kind === 'server', String(e));
  });

  it('create: a bad key is auth; a lost answer may have started the task', async function () {
    const r = req({ prompt: 'x' });
    await rejectsWith(pika.create(h.ctx('bad-key'), r, {}, 'r'), 'auth');
    h.em.injectFault({ route: 'pika.generate', kind: 'reset' });
    const e = await rejectsWith(pika.create(h.ctx(), r, {}, 'r'), 'network');
    assert.strictEqual(e.mayHaveStarted, true);
    assert.strictEqual(h.em.counts()['pika.generate'], 2, 'a Pika create is never retried');
  });

  it('testConnection resolves with a sentence for a good key', async function () {
    const msg = await pika.testConnection(h.ctx());
    assert.strictEqual(msg, `Pika at ${new URL(h.em.baseUrl).host} accepted the key.`);
    assert.strictEqual(h.em.counts()['pika.feed'], 1);
  });

  it('testConnection rejects with kind auth for bad-key', async function () {
    const e = await rejectsWith(pika.testConnection(h.ctx('bad-key')), 'auth');
    assert.ok(!e.message.includes('bad-key'));
  });

  it('testConnection rejects on a server error', async function () {
    h.em.injectFault({ route: 'pika.feed', kind: 'status', status: 500 });
    await rejectsWith(pika.testConnection(h.ctx()), 'server');
  });
});

describe('parsePikaFeed', function () {
  it('parses the seed 000 example exactly', function () {
    assert.deepStrictEqual(parsePikaFeed(SEED_000_FEED), {
      status: 'succeeded',
      rawStatus: 'finished',
      progress: 100,
      error: undefined,
      videos: [
        {
          url: 'https://cdn.pika.art/v1/c8091b7b-06df-48ed-8fe3-8ee8f1e367c2/_____seed393769667.mp4',
          id: 'c8091b7b-06df-48ed-8fe3-8ee8f1e367c2',
          posterUrl: 'https://cdn.pika.art/v1/c8091b7b-06df-48ed-8fe3-8ee8f1e367c2/poster.jpg',
          thumbnailUrl: 'https://cdn.pika.art/v1/c8091b7b-06df-48ed-8fe3-8ee8f1e367c2/thumbnail.jpg',
          seed: 393769667,
          duration: 5,
        },
      ],
    });
  });

  it('parses the seed 002 example exactly (seed above 2^31, empty error)', function () {
    assert.deepStrictEqual(parsePikaFeed(SEED_002_FEED), {
      status: 'succeeded',
      rawStatus: 'finished',
      progress: 100,
      error: undefined,
      videos: [
        {
          url: 'https://cdn.pika.art/v1/66e0818e-05fb-454e-b246-a6f253e9ffbf/Plane_fly_seed3183047765.mp4',
          id: '66e0818e-05fb-454e-b246-a6f253e9ffbf',
          posterUrl: 'https://cdn.pika.art/v1/66e0818e-05fb-454e-b246-a6f253e9ffbf/poster.jpg',
          thumbnailUrl: 'https://cdn.pika.art/v1/66e0818e-05fb-454e-b246-a6f253e9ffbf/thumbnail.jpg',
          seed: 3183047765,
          duration: 5,
        },
      ],
    });
  });

  const one = (video: Record<string, unknown>) => parsePikaFeed({ id: 't', promptText: 'p', videos: [video] });

  it('queued and pending without progress are queued', function () {
    assert.deepStrictEqual(one({ id: 'v', status: 'queued', progress: 0, resultUrl: '' }), {
      status: 'queued',
      rawStatus: 'queued',
      progress: 0,
      error: undefined,
      videos: [],
    });
    assert.strictEqual(one({ id: 'v', status: 'pending' }).status, 'queued');
  });

  it('pending with progress is running', function () {
    assert.deepStrictEqual(one({ id: 'v', status: 'pending', progress: 40, resultUrl: '' }), {
      status: 'running',
      rawStatus: 'pending',
      progress: 40,
      error: undefined,
      videos: [],
    });
  });

  it('error and failed carry the message', function () {
    const e = one({ id: 'v', status: 'error', progress: 100, error: 'NSFW content' });
    assert.strictEqual(e.status, 'failed');
    assert.strictEqual(e.error, 'NSFW content');
    const f = one({ id: 'v', status: 'failed', error: '' });
    assert.strictEqual(f.status, 'failed');
    assert.strictEqual(f.error, 'Pika reported an error without a message.');
  });

  it('unknown status words are unknown, keeping the raw word', function () {
    const s = one({ id: 'v', status: 'mystery', progress: 10 });
    assert.strictEqual(s.status, 'unknown');
    assert.strictEqual(s.rawStatus, 'mystery');
  });

  it('several videos give several results', function () {
    const video = SEED_002_FEED.videos[0];
    const s = parsePikaFeed({
      ...SEED_002_FEED,
      videos: [video, { ...video, id: 'second', resultUrl: 'https://cdn.pika.art/v1/second.mp4' }],
    });
    assert.strictEqual(s.status, 'succeeded');
    assert.deepStrictEqual(
      s.videos.map((v) => [v.id, v.url]),
      [
        [video.id, video.resultUrl],
        ['second', 'https://cdn.pika.art/v1/second.mp4'],
      ],
    );
  });

  it('one finished and one still pending is running', function () {
    const video = SEED_002_FEED.videos[0];
    const s = parsePikaFeed({ ...SEED_002_FEED, videos: [video, { ...video, status: 'pending', progress: 20, resultUrl: '' }] });
    assert.strictEqual(s.status, 'running');
    assert.strictEqual(s.progress, 60);
  });

  it('no videos yet is queued', function () {
    assert.deepStrictEqual(parsePikaFeed({ id: 't', videos: [] }), {
      status: 'queued',
      rawStatus: 'no videos yet',
      progress: 0,
      videos: [],
    });
  });

  it('finished without a usable URL is a failure, not a success without video', function () {
    for (const resultUrl of ['', 'javascript:alert(1)', undefined]) {
      const s = one({ id: 'v', status: 'finished', progress: 100, resultUrl });
      assert.strictEqual(s.status, 'failed', String(resultUrl));
      assert.match(s.error!, /no valid result URL/);
    }
  });

  it('throws malformed for answers that are not a feed', function () {
    for (const bad of [null, 'x', [], { id: 't' }, { videos: 'none' }]) {
      assert.throws(
        () => parsePikaFeed(bad),
        (e: unknown) => e instanceof ProviderError && e.kind === 'malformed',
        JSON.stringify(bad),
      );
    }
  });
});
