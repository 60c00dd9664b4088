// The fal client against docs/providers/fal.md and the emulator: the neutral request mapped per
// endpoint (durations as "5" / "4s", first/last frame fields, data: URIs), typed endpoints sent as
// given, the queue over time (place in line, a percentage from the logs, the result), the sub-path
// rule, 422 and failed-result messages, cancel, and prices from the pricing route.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { GenerateRequest } from '../../../src/core/model/task';
import { ModelCatalog } from '../../../src/core/provider/catalog';
import { priceOf } from '../../../src/core/provider/pricing';
import { resolveMedia } from '../../../src/core/request/media';
import { FAL_API_PATH, FAL_QUEUE_PATH } from '../../../src/emulator/fal';
import { PROVIDERS } from '../../../src/providers';
import { fal, FAL_ENDPOINTS, inLine, parsePrices, progressOf, routeOf } from '../../../src/providers/fal';
import { fixture, fixtureBase64, GOOD_KEY, makeTask, pollState, rejectsWith, useEmulator } from '../../support/helpers';

const KLING_T2V = 'fal-ai/kling-video/v2.1/master/text-to-video';
const KLING_I2V = 'fal-ai/kling-video/v2.1/pro/image-to-video';
const VEO = 'fal-ai/veo3.1';
const VEO_FLF = 'fal-ai/veo3.1/first-last-frame-to-video';
const HAILUO = 'fal-ai/minimax/hailuo-02/standard/text-to-video';
const SEEDANCE = 'fal-ai/bytedance/seedance/v1/pro/text-to-video';
const req = (model: string, extra: Partial<GenerateRequest> = {}): GenerateRequest => ({
  provider: 'fal',
  prompt: 'a red fox',
  model,
  ...extra,
});

describe('fal: the request per endpoint', function () {
  it('writes durations the way each endpoint takes them, and the neutral words under its own names', function () {
    const kling = fal.buildCreate(
      req(KLING_T2V, { duration: 10, aspectRatio: '9:16', negativePrompt: 'blur', options: { cfg_scale: 0.5 } }),
      {},
      'r',
    );
    assert.strictEqual(kling.path, `/${KLING_T2V}`);
    assert.deepStrictEqual(kling.body, {
      cfg_scale: 0.5,
      prompt: 'a red fox',
      duration: '10',
      aspect_ratio: '9:16',
      negative_prompt: 'blur',
    });
    const veo = fal.buildCreate(req(VEO, { duration: 6, resolution: '1080p', audio: false, seed: 7 }), {}, 'r');
    assert.deepStrictEqual(veo.body, { prompt: 'a red fox', duration: '6s', resolution: '1080p', seed: 7, generate_audio: false });
    // A legacy duration in options is read as the neutral one and written the endpoint's way.
    assert.strictEqual(fal.buildCreate(req(VEO, { options: { seconds: 4 } }), {}, 'r').body.duration, '4s');
    assert.strictEqual(fal.buildCreate(req(VEO, { options: { seconds: 4 } }), {}, 'r').body.seconds, undefined);
  });

  it('local frames go as data: URIs in the endpoint’s frame fields, https frames as they are', async function () {
    const local = req(KLING_I2V, { image: fixture('cat.png'), lastFrame: fixture('cat.png') });
    const spec = fal.buildCreate(local, await resolveMedia(local), 'r');
    const dataUri = `data:image/png;base64,${fixtureBase64('cat.png')}`;
    assert.strictEqual(spec.mode, 'image-to-video');
    assert.strictEqual(spec.body.image_url, dataUri);
    assert.strictEqual(spec.body.tail_image_url, dataUri);
    const remote = req(VEO_FLF, { image: 'https://img.example.test/a.png', lastFrame: 'https://img.example.test/b.png' });
    const flf = fal.buildCreate(remote, await resolveMedia(remote), 'r').body;
    assert.strictEqual(flf.first_frame_url, 'https://img.example.test/a.png');
    assert.strictEqual(flf.last_frame_url, 'https://img.example.test/b.png');
    assert.strictEqual(flf.image_url, undefined);
  });

  it('a typed endpoint gets the prompt and the options as given (the first frame as image_url)', function () {
    const spec = fal.buildCreate(
      req('fal-ai/ltxv-13b-098-distilled', { image: 'https://img.example.test/a.png', options: { num_frames: 121, frame_rate: 24 } }),
      { image: 'https://img.example.test/a.png' },
      'r',
    );
    assert.strictEqual(spec.path, '/fal-ai/ltxv-13b-098-distilled');
    assert.deepStrictEqual(spec.body, {
      num_frames: 121,
      frame_rate: 24,
      prompt: 'a red fox',
      image_url: 'https://img.example.test/a.png',
    });
    assert.strictEqual(fal.validate(req('fal-ai/ltxv-13b-098-distilled', { options: { duration: '5' } })), undefined);
  });

  it('refuses before sending what an endpoint does not take, naming what it does', function () {
    assert.strictEqual(fal.validate(req(VEO, { duration: 5 })), 'Veo 3.1 takes 4, 6 or 8 seconds.');
    assert.match(fal.validate(req(KLING_T2V, { duration: 8 }))!, /takes 5 or 10 seconds/);
    assert.match(fal.validate(req(KLING_T2V, { seed: 3 }))!, /does not take a seed/);
    assert.match(fal.validate(req(HAILUO, { negativePrompt: 'x' }))!, /takes no negative prompt/);
    assert.match(fal.validate(req(KLING_I2V))!, /needs a first frame/);
    assert.match(fal.validate(req(VEO_FLF, { image: 'https://img.example.test/a.png' }))!, /needs a last frame/);
    assert.match(fal.validate(req(VEO, { image: 'https://img.example.test/a.png' }))!, /does not take a first frame/);
    assert.match(fal.validate(req('fal-ai/some-new-model', { duration: 5 }))!, /not in the catalogue.*"duration": "5"/);
    assert.match(fal.validate(req('fal-ai/some-new-model', { lastFrame: 'https://img.example.test/b.png' }))!, /last frame in options/);
    for (const bad of ['veo3.1', 'fal-ai/../x', 'fal-ai/a b', '']) assert.match(fal.validate(req(bad))!, /fal endpoint id/);
    assert.strictEqual(fal.validate(req(SEEDANCE, { duration: 12, resolution: '1080p', aspectRatio: '21:9', seed: 1 })), undefined);
  });

  it('the route of a request: the owner/app of the status URL under the base URL, never anything else', function () {
    const base = 'https://queue.example.test';
    const answer = (statusUrl: string) => ({ status_url: statusUrl });
    assert.deepStrictEqual(routeOf(answer(`${base}/fal-ai/kling-video/requests/r1/status`), base, 'r1', KLING_T2V), {
      route: 'fal-ai:kling-video',
    });
    const foreign = routeOf(answer('https://evil.example.test/fal-ai/kling-video/requests/r1/status'), base, 'r1', KLING_T2V);
    assert.strictEqual(foreign.route, 'fal-ai:kling-video');
    assert.match(foreign.warning!, /another host \(evil\.example\.test\).*key is not sent there/);
    assert.match(routeOf(answer(`${base}/fal-ai/kling-video/requests/other/status`), base, 'r1', KLING_T2V).warning!, /unexpected shape/);
    assert.deepStrictEqual(routeOf({}, base, 'r1', VEO_FLF), { route: 'fal-ai:veo3.1' });
  });

  it('"3rd in line" and a percentage from the logs', function () {
    assert.deepStrictEqual(
      [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111].map(inLine),
      ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '23rd', '101st', '111th'].map((p) => `${p} in line`),
    );
    assert.strictEqual(progressOf([{ message: 'Starting' }, { message: 'Sampling: 45%|████' }, { message: 'Decoding' }]), 45);
    assert.strictEqual(progressOf([{ message: '100% done' }]), 99);
    assert.strictEqual(progressOf([{ message: 'loading 250% of nothing' }]), undefined);
    assert.strictEqual(progressOf(null), undefined);
  });

  it('prices: per second or per video in USD; any other unit or currency is unknown, never wrong', function () {
    const prices = parsePrices(
      {
        prices: [
          { endpoint_id: 'a', unit_price: 0.4, unit: 'second', currency: 'USD' },
          { endpoint_id: 'b', unit_price: 0.27, unit: 'video', currency: 'USD' },
          { endpoint_id: 'c', unit_price: 2.5, unit: '1m tokens', currency: 'USD' },
          { endpoint_id: 'd', unit_price: 0.3, unit: 'second', currency: 'EUR' },
          { endpoint_id: 'not-asked', unit_price: 1, unit: 'video', currency: 'USD' },
        ],
      },
      ['a', 'b', 'c', 'd'],
    );
    assert.deepStrictEqual(prices.get('a'), { rules: [{ unit: 'second', usd: 0.4 }] });
    assert.deepStrictEqual(prices.get('b'), { rules: [{ unit: 'video', usd: 0.27 }] });
    assert.ok(prices.get('c')!.unknown?.length);
    assert.ok(prices.get('d')!.unknown?.length);
    assert.strictEqual(prices.has('not-asked'), false);
  });
});

describe('fal against the emulator', function () {
  const h = useEmulator({ durationMs: 10_000 });
  const client = PROVIDERS.fal;
  const ctx = (apiKey = GOOD_KEY) =>
    h.ctx(apiKey, { baseUrl: `${h.em.baseUrl}${FAL_QUEUE_PATH}`, settings: { apiUrl: `${h.em.baseUrl}${FAL_API_PATH}` } });
  const taskOf = (created: { remoteId: string; model: string; route?: string }) =>
    makeTask('fal', created.remoteId, { model: created.model, ...(created.route ? { route: created.route } : {}) });

  it('create with `Key`, then IN_QUEUE (3rd in line), IN_PROGRESS with a percentage, COMPLETED with the public video', async function () {
    const created = await client.create(ctx(), req(KLING_T2V, { duration: 5 }), {}, 'r');
    assert.strictEqual(created.route, 'fal-ai:kling-video');
    const sent = h.em.requests('fal.submit')[0];
    assert.strictEqual(sent.path, `${FAL_QUEUE_PATH}/${KLING_T2V}`);
    assert.deepStrictEqual(sent.body, { prompt: 'a red fox', duration: '5' });
    const task = taskOf(created);

    const queued = await pollState(client, ctx(), task);
    assert.deepStrictEqual([queued.status, queued.rawStatus], ['queued', 'IN_QUEUE, 3rd in line']);
    h.advance(6000);
    const running = await pollState(client, ctx(), task);
    assert.strictEqual(running.status, 'running');
    assert.ok(running.progress! > 0 && running.progress! < 100, String(running.progress));
    h.advance(5000);
    const done = await pollState(client, ctx(), task);
    assert.strictEqual(done.status, 'succeeded');
    assert.match(done.videos[0].url, /\/files\/fal\//);
    assert.strictEqual(done.videos[0].authenticated, undefined, 'a public link, fetched without the key');

    const asked = [...h.em.requests('fal.status'), ...h.em.requests('fal.result')];
    assert.ok(
      asked.every((r) => r.path.startsWith(`${FAL_QUEUE_PATH}/fal-ai/kling-video/requests/${created.remoteId}`)),
      JSON.stringify(asked),
    );
    assert.ok(h.em.requests().every((r) => r.authorized));
  });

  it('the emulator keeps fal’s sub-path rule: a status URL built from the full endpoint id answers 404', async function () {
    const created = await client.create(ctx(), req(KLING_T2V), {}, 'r');
    const wrong = `${h.em.baseUrl}${FAL_QUEUE_PATH}/${KLING_T2V}/requests/${created.remoteId}/status`;
    const res = await fetch(wrong, { headers: { Authorization: `Key ${GOOD_KEY}` } });
    assert.strictEqual(res.status, 404);
    const right = await fetch(`${h.em.baseUrl}${FAL_QUEUE_PATH}/fal-ai/kling-video/requests/${created.remoteId}/status`, {
      headers: { Authorization: `Key ${GOOD_KEY}` },
    });
    assert.strictEqual(right.status, 202);
    const bearer = await fetch(`${h.em.baseUrl}${FAL_QUEUE_PATH}/fal-ai/kling-video/requests/${created.remoteId}/status`, {
      headers: { Authorization: `Bearer ${GOOD_KEY}` },
    });
    assert.strictEqual(bearer.status, 401, 'fal wants `Key <key>`');
  });

  it('a 422 names the field and the values it permits; nothing started, nothing retried', async function () {
    const e = await rejectsWith(client.create(ctx(), req(KLING_T2V, { options: { aspect_ratio: '4:3' } }), {}, 'r'), 'badRequest');
    assert.strictEqual(e.status, 422);
    assert.strictEqual(e.mayHaveStarted, false);
    assert.match(e.message, /fal refused the input of fal-ai\/kling-video\/v2\.1\/master\/text-to-video; nothing was started/);
    assert.match(e.message, /aspect_ratio: Input should be '16:9', '9:16' or '1:1'/);
    const typed = await rejectsWith(client.create(ctx(), req(KLING_T2V, { options: { cfg_scale: 'high' } }), {}, 'r'), 'badRequest');
    assert.match(typed.message, /cfg_scale: Input should be a valid number/);
    assert.strictEqual(h.em.counts()['fal.submit'], 2);
  });

  it('401 and 403 are about the key', async function () {
    await rejectsWith(client.create(ctx('bad-key-0123456789'), req(VEO), {}, 'r'), 'auth');
    h.em.injectFault({ route: 'fal.submit', kind: 'status', status: 403 });
    await rejectsWith(client.create(ctx(), req(VEO), {}, 'r'), 'forbidden');
  });

  it('a completed request whose result answers an error is a failed task, with fal’s reason and error type', async function () {
    const created = await client.create(ctx(), req(VEO, { prompt: 'doomed [fail]' }), {}, 'r');
    h.advance(11_000);
    const state = await pollState(client, ctx(), taskOf(created));
    assert.strictEqual(state.status, 'failed');
    assert.match(state.error!, /completed but failed \[internal_error\]: .*Emulated generation failure/);
    const rejected = await client.create(ctx(), req(VEO, { prompt: 'nope [reject]' }), {}, 'r');
    h.advance(11_000);
    const refused = await pollState(client, ctx(), taskOf(rejected));
    assert.strictEqual(refused.status, 'failed');
    assert.match(refused.error!, /\[content_policy_violation\]: .*prompt: Rejected by content review/);
  });

  it('a 5xx result without fal’s error type is asked again, not a failure', async function () {
    const created = await client.create(ctx(), req(VEO), {}, 'r');
    h.advance(11_000);
    h.em.injectFault({ route: 'fal.result', kind: 'status', status: 502 });
    const answer = (await client.poll(ctx(), [taskOf(created)])).values().next().value;
    assert.ok(answer instanceof Error && (answer as { kind?: string }).kind === 'server', String(answer));
    assert.strictEqual((await pollState(client, ctx(), taskOf(created))).status, 'succeeded');
  });

  it('cancel: PUT the cancel URL once; a finished request cannot be cancelled', async function () {
    const created = await client.create(ctx(), req(VEO), {}, 'r');
    await client.cancel!(ctx(), taskOf(created));
    const put = h.em.requests('fal.cancel');
    assert.deepStrictEqual(
      put.map((r) => [r.method, r.path]),
      [['PUT', `${FAL_QUEUE_PATH}/fal-ai/veo3.1/requests/${created.remoteId}/cancel`]],
    );
    const again = await rejectsWith(client.cancel!(ctx(), taskOf(created)), 'conflict');
    assert.match(again.message, /already finished/);
    await rejectsWith(client.cancel!(ctx(), makeTask('fal', 'nope', { model: VEO, route: 'fal-ai:veo3.1' })), 'notFound');
  });

  it('status URLs on another host are not followed: the request is asked about under the base URL', async function () {
    const warnings: string[] = [];
    const log = { trace() {}, info() {}, error() {}, warn: (m: string) => warnings.push(m) };
    const created = await client.create({ ...ctx(), log }, req(KLING_T2V, { prompt: 'elsewhere [status-host=10.0.0.1]' }), {}, 'r');
    assert.strictEqual(created.route, 'fal-ai:kling-video');
    assert.match(warnings.join('\n'), /another host \(10\.0\.0\.1\)/);
    assert.strictEqual((await pollState(client, ctx(), taskOf(created))).status, 'queued');
  });

  it('prices: one pricing call for the catalogue with the key; the live prices replace the bundled ones', async function () {
    const models = await fal.catalog!.published!({ baseUrl: ctx().baseUrl, apiKey: GOOD_KEY, settings: ctx().settings });
    const calls = h.em.requests('fal.pricing');
    assert.strictEqual(calls.length, 1);
    const asked = new URL(calls[0].path, 'http://x').searchParams.get('endpoint_id')!.split(',');
    assert.deepStrictEqual(
      asked,
      FAL_ENDPOINTS.map((e) => e.id),
    );
    const hailuo = models.find((m) => m.id === HAILUO)!;
    assert.deepStrictEqual(hailuo.prices, { rules: [{ unit: 'video', usd: 0.27 }] });
    assert.strictEqual(priceOf(hailuo, req(HAILUO)).amount, 0.27);
    assert.strictEqual(
      priceOf(
        models.find((m) => m.id === SEEDANCE)!,
        req(SEEDANCE),
      ).amount,
      undefined,
    );
    assert.strictEqual(
      priceOf(
        models.find((m) => m.id === VEO)!,
        req(VEO, { duration: 4 }),
      ).amount,
      1.6,
    );
    await assert.rejects(fal.catalog!.published!({ baseUrl: ctx().baseUrl }), /No API key/);
    assert.strictEqual(h.em.requests('fal.pricing').length, 1, 'nothing asked without a key');
  });

  it('the catalogue reads prices only when fal is used, with the key from its context, else the bundled ones', async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aivideo-fal-catalog-'));
    try {
      const catalog = new ModelCatalog({
        providers: PROVIDERS,
        cacheDir: dir,
        context: async () => ({ apiKey: GOOD_KEY, settings: ctx().settings }),
      });
      assert.strictEqual(h.em.requests('fal.pricing').length, 0, 'nothing at construction');
      const snap = await catalog.models('fal', ctx().baseUrl);
      assert.strictEqual(snap.source, 'provider');
      assert.deepStrictEqual(catalog.model('fal', ctx().baseUrl, HAILUO)!.prices, { rules: [{ unit: 'video', usd: 0.27 }] });
      const keyless = new ModelCatalog({
        providers: PROVIDERS,
        cacheDir: path.join(dir, 'b'),
        context: () => Promise.reject(new Error('no key')),
      });
      const bundled = await keyless.models('fal', ctx().baseUrl);
      assert.strictEqual(bundled.source, 'bundled');
      assert.strictEqual(bundled.asOf, '2026-12-06');
      assert.deepStrictEqual(keyless.model('fal', ctx().baseUrl, HAILUO)!.prices, { rules: [{ unit: 'second', usd: 0.045 }] });
      assert.strictEqual(h.em.requests('fal.pricing').length, 1);
      catalog.dispose();
      keyless.dispose();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Test Connection reads a price with the key', async function () {
    assert.match(await client.testConnection(ctx()), /fal accepted the key; Veo 3\.1 costs \$0\.40 a second of video/);
    await rejectsWith(client.testConnection(ctx('bad-key-0123456789')), 'auth');
  });
});
