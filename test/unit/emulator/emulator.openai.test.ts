// The emulator's OpenAI Videos API (as a compatible server serving Wan and Seedance) driven by the
// official `openai` SDK: requests exactly as the SDK sends them, answers as the SDK parses them. This is what shows the emulator speaks the real
// protocol, not our own idea of it. The SDK is pointed at 127.0.0.1 and never retries.
import * as assert from 'assert';
import * as fs from 'fs';
import OpenAI, { toFile } from 'openai';

import { isFilePart, MODERATION_MESSAGE, parseMultipart } from '../../../src/emulator/openai';
import { fixture, GOOD_KEY, useEmulator } from '../../support/helpers';
import { NetSpy, spyOnConnections } from '../../support/netSpy';

describe('OpenAI emulator, driven by the official SDK', function () {
  const h = useEmulator({ durationMs: 10_000 });
  let net: NetSpy;
  before(() => {
    net = spyOnConnections();
  });
  after(() => {
    net.restore();
    // The SDK keeps its connections alive: what it opened, it opened to the emulator.
    assert.ok(net.attempts.length > 0, 'the spy saw the SDK connect');
    assert.ok(
      net.attempts.every((a) => a.host === '127.0.0.1'),
      `the SDK connected elsewhere: ${JSON.stringify(net.attempts)}`,
    );
  });

  const client = (apiKey = GOOD_KEY) => new OpenAI({ apiKey, baseURL: `${h.em.baseUrl}/v1`, maxRetries: 0, timeout: 5000 });
  const last = (route: string) => h.em.requests(route).at(-1)!;

  it('create (multipart), retrieve over time, then the content and its thumbnail', async () => {
    const sdk = client();
    const created = await sdk.videos.create({ prompt: 'a fox in snow', model: 'seedance-1-pro', seconds: '8', size: '1280x720' });
    assert.match(created.id, /^video_[0-9a-f]{32}$/);
    assert.strictEqual(created.object, 'video');
    assert.deepStrictEqual(
      [created.status, created.progress, created.seconds, created.size, created.model],
      ['queued', 0, '8', '1280x720', 'seedance-1-pro'],
    );
    assert.deepStrictEqual(
      [created.completed_at, created.expires_at, created.error, created.remixed_from_video_id],
      [null, null, null, null],
    );
    const sent = last('openai.create');
    assert.match(sent.contentType ?? '', /^multipart\/form-data; boundary=/);
    assert.strictEqual(sent.path, '/v1/videos');
    assert.deepStrictEqual(sent.body, { prompt: 'a fox in snow', model: 'seedance-1-pro', seconds: '8', size: '1280x720' });
    assert.ok(sent.authorized);

    h.advance(5_000);
    const running = await sdk.videos.retrieve(created.id);
    assert.strictEqual(running.status, 'in_progress');
    assert.ok(running.progress > 0 && running.progress < 100, String(running.progress));
    h.advance(5_000);
    const done = await sdk.videos.retrieve(created.id);
    assert.deepStrictEqual([done.status, done.progress], ['completed', 100]);
    assert.strictEqual(done.expires_at, done.completed_at! + 3600);

    const video = Buffer.from(await (await sdk.videos.downloadContent(created.id)).arrayBuffer());
    assert.strictEqual(Buffer.compare(video, fs.readFileSync(fixture('sample.mp4'))), 0);
    const thumb = Buffer.from(await (await sdk.videos.downloadContent(created.id, { variant: 'thumbnail' })).arrayBuffer());
    assert.strictEqual(Buffer.compare(thumb, fs.readFileSync(fixture('thumbnail.jpg'))), 0);
    assert.deepStrictEqual(
      h.em.requests('openai.content').map((r) => [r.path, r.hadAuthorizationHeader]),
      [
        [`/v1/videos/${created.id}/content`, true],
        [`/v1/videos/${created.id}/content?variant=thumbnail`, true],
      ],
    );
  });

  it('create with an input_reference file (toFile): the image arrives as a file part and must match the size', async () => {
    const sdk = client();
    const image = fs.readFileSync(fixture('wide.png'));
    const v = await sdk.videos.create({
      prompt: 'the sky clears',
      size: '1280x720',
      input_reference: await toFile(image, 'wide.png', { type: 'image/png' }),
    });
    assert.strictEqual(v.status, 'queued');
    const part = (last('openai.create').body as Record<string, unknown>).input_reference;
    assert.ok(isFilePart(part));
    assert.deepStrictEqual([part.filename, part.contentType], ['wide.png', 'image/png']);
    assert.strictEqual(Buffer.compare(part.data, image), 0);

    await assert.rejects(
      sdk.videos.create({
        prompt: 'wrong size',
        size: '720x1280',
        input_reference: await toFile(image, 'wide.png', { type: 'image/png' }),
      }),
      (e: unknown) =>
        e instanceof OpenAI.BadRequestError &&
        e.status === 400 &&
        e.code === 'invalid_image_dimensions' &&
        e.param === 'input_reference' &&
        /must match/.test(e.message),
    );
    const byUrl = await sdk.videos.create({ prompt: 'from a URL', input_reference: { image_url: 'https://images.example.test/cat.png' } });
    assert.strictEqual(byUrl.status, 'queued');
    assert.strictEqual(
      (last('openai.create').body as Record<string, unknown>)['input_reference[image_url]'],
      'https://images.example.test/cat.png',
    );
  });

  it('remix (JSON) of a completed video, and not of an unfinished one', async () => {
    const sdk = client();
    const source = await sdk.videos.create({ prompt: 'a lighthouse', model: 'seedance-1-pro', seconds: '12', size: '720x1280' });
    await assert.rejects(
      sdk.videos.remix(source.id, { prompt: 'at night' }),
      (e: unknown) => e instanceof OpenAI.BadRequestError && e.code === 'invalid_video_state',
    );
    h.advance(10_000);
    const remix = await sdk.videos.remix(source.id, { prompt: 'at night' });
    assert.notStrictEqual(remix.id, source.id);
    assert.deepStrictEqual(
      [remix.remixed_from_video_id, remix.seconds, remix.size, remix.prompt, remix.status],
      [source.id, '12', '720x1280', 'at night', 'queued'],
    );
    const sent = last('openai.remix');
    assert.match(sent.contentType ?? '', /^application\/json/);
    assert.deepStrictEqual(sent.body, { prompt: 'at night' });
    await assert.rejects(
      sdk.videos.remix('video_missing', { prompt: 'x' }),
      (e: unknown) => e instanceof OpenAI.NotFoundError && e.code === 'video_not_found',
    );
  });

  it('list: a cursor page the SDK pages through with `after`', async () => {
    const sdk = client();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await sdk.videos.create({ prompt: `clip ${i}` })).id);
    const first = await sdk.videos.list({ limit: 2 });
    assert.deepStrictEqual(
      first.data.map((v) => v.id),
      [ids[2], ids[1]],
    );
    assert.strictEqual(first.has_more, true);
    const seen: string[] = [];
    for await (const v of sdk.videos.list({ limit: 2 })) seen.push(v.id);
    assert.deepStrictEqual(seen.slice(0, 3), [ids[2], ids[1], ids[0]]);
    assert.ok(
      h.em.requests('openai.list').some((r) => r.path.includes(`after=${ids[1]}`)),
      'the second page was asked for after the first page',
    );
    const asc = await sdk.videos.list({ order: 'asc', limit: 100 });
    assert.deepStrictEqual(
      asc.data.slice(-3).map((v) => v.id),
      ids,
    );
  });

  it("failures in OpenAI's shapes: moderation, a bad value, a rejected key, an unknown video, an expired result", async () => {
    const sdk = client();
    const blocked = await sdk.videos.create({ prompt: 'something [moderation_blocked]' });
    h.advance(10_000);
    const failed = await sdk.videos.retrieve(blocked.id);
    assert.deepStrictEqual([failed.status, failed.error], ['failed', { code: 'moderation_blocked', message: MODERATION_MESSAGE }]);
    assert.strictEqual(failed.expires_at, null);

    await assert.rejects(
      sdk.videos.create({ prompt: 'x', seconds: '11' as '4' }),
      (e: unknown) =>
        e instanceof OpenAI.BadRequestError &&
        e.code === 'invalid_value' &&
        e.param === 'seconds' &&
        /wan-2\.2 makes videos of 1 to 10/.test(e.message),
    );
    await assert.rejects(
      sdk.videos.create({ prompt: 'x', model: 'wan-2.2', size: '1920x1080' as '1280x720' }),
      (e: unknown) => e instanceof OpenAI.BadRequestError && e.param === 'size' && /Supported values for wan-2\.2/.test(e.message),
    );
    await assert.rejects(
      sdk.videos.create({ prompt: 'x', model: 'sora-2' }),
      (e: unknown) => e instanceof OpenAI.BadRequestError && e.param === 'model' && /'wan-2\.2', 'seedance-1-pro'/.test(e.message),
    );
    await assert.rejects(
      client('bad-key').videos.retrieve(blocked.id),
      (e: unknown) => e instanceof OpenAI.AuthenticationError && e.code === 'invalid_api_key',
    );
    await assert.rejects(
      sdk.videos.retrieve('video_missing'),
      (e: unknown) => e instanceof OpenAI.NotFoundError && e.code === 'video_not_found',
    );

    const short = await sdk.videos.create({ prompt: 'brief [expires=60] [duration=1000]' });
    h.advance(1000 + 60_000);
    assert.strictEqual((await sdk.videos.retrieve(short.id)).status, 'completed');
    await assert.rejects(
      sdk.videos.downloadContent(short.id),
      (e: unknown) => e instanceof OpenAI.NotFoundError && e.code === 'video_expired',
    );
  });

  it("models: GET /models lists the server's video models (Wan, Seedance) among others; a create without a model gets its default", async () => {
    const sdk = client();
    // Under /gw/v1: the emulator's own /v1/models is the generic gateway's.
    const prefixed = new OpenAI({ apiKey: GOOD_KEY, baseURL: `${h.em.baseUrl}/gw/v1`, maxRetries: 0, timeout: 5000 });
    const listed = [];
    for await (const m of prefixed.models.list()) listed.push(m.id);
    assert.deepStrictEqual(listed, ['wan-2.2', 'seedance-1-pro', 'gpt-4o', 'gpt-image-1', 'whisper-1']);
    const v = await sdk.videos.create({ prompt: 'the default model', seconds: '5' as '4' });
    assert.deepStrictEqual([v.model, v.seconds, v.size], ['wan-2.2', '5', '1280x720']);
    assert.deepStrictEqual(last('openai.create').body, { prompt: 'the default model', seconds: '5' });
  });

  it('429 with retry-after-ms reaches the SDK as a rate limit with the header', async () => {
    h.em.injectFault({ route: 'openai.create', kind: 'status', status: 429, retryAfterMs: 1500 });
    await assert.rejects(
      client().videos.create({ prompt: 'x' }),
      (e: unknown) => e instanceof OpenAI.RateLimitError && e.headers.get('retry-after-ms') === '1500',
    );
  });
});

describe('multipart parsing (emulator)', function () {
  const body = (parts: string[], boundary = 'xyz') =>
    Buffer.from(parts.map((p) => `--${boundary}\r\n${p}\r\n`).join('') + `--${boundary}--\r\n`, 'latin1');

  it('reads fields and file parts, binary bytes intact, a quoted boundary too', () => {
    const bytes = Buffer.from([0x89, 0x50, 0x0d, 0x0a, 0x2d, 0x2d, 0x00, 0xff]);
    const raw = body([
      'Content-Disposition: form-data; name="prompt"\r\n\r\na fox',
      `Content-Disposition: form-data; name="f"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n${bytes.toString('latin1')}`,
    ]);
    const parsed = parseMultipart(raw, 'multipart/form-data; boundary="xyz"')!;
    assert.strictEqual(parsed.prompt, 'a fox');
    assert.ok(isFilePart(parsed.f));
    assert.deepStrictEqual([parsed.f.filename, parsed.f.contentType, Buffer.compare(parsed.f.data, bytes)], ['a.png', 'image/png', 0]);
  });

  it('refuses a body without its boundary, a part without a name, or a cut-off body', () => {
    assert.strictEqual(parseMultipart(body(['Content-Disposition: form-data; name="a"\r\n\r\n1']), 'multipart/form-data'), undefined);
    assert.strictEqual(parseMultipart(body(['Content-Disposition: form-data\r\n\r\n1']), 'multipart/form-data; boundary=xyz'), undefined);
    const cut = body(['Content-Disposition: form-data; name="a"\r\n\r\n1']).subarray(0, 40);
    assert.strictEqual(parseMultipart(cut, 'multipart/form-data; boundary=xyz'), undefined);
  });
});
