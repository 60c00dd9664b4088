// The emulator's generated clips: a distinct real video per prompt, in two sizes, with an AAC track or
// none (markers choose), rendered with ffmpeg and cached; the fixtures when asked for or when ffmpeg is missing.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { createMedia, type MediaInfo } from '../../../src/core/media';
import { CLIP_SIZES, clipSpec } from '../../../src/emulator/clips';
import { defaultFixturesDir } from '../../../src/emulator/fixtures';
import { startEmulator, type Emulator } from '../../../src/emulator/server';
import { SEED_002_CREATE } from '../../support/seeds';

const KEY = 'sk-test-key';
const SAMPLE = fs.readFileSync(path.join(defaultFixturesDir(__dirname), 'sample.mp4'));
const POSTER = fs.readFileSync(path.join(defaultFixturesDir(__dirname), 'poster.jpg'));

/** A Pika task's finished video: its result and poster URLs as the feed gives them. */
async function pikaVideo(em: Emulator, promptText: string): Promise<{ resultUrl: string; videoPoster: string }> {
  const headers = { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' };
  const created = (await (
    await fetch(`${em.baseUrl}/pika/generate`, { method: 'POST', headers, body: JSON.stringify({ ...SEED_002_CREATE, promptText }) })
  ).json()) as { id: string };
  const feed = (await (await fetch(`${em.baseUrl}/pika/feed/${created.id}`, { headers })).json()) as {
    videos: { resultUrl: string; videoPoster: string }[];
  };
  assert.ok(feed.videos[0]?.videoPoster, JSON.stringify(feed));
  return feed.videos[0];
}

async function resultOf(em: Emulator, prompt: string): Promise<Buffer> {
  const headers = { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' };
  const created = (await (
    await fetch(`${em.baseUrl}/v1/video/generations`, { method: 'POST', headers, body: JSON.stringify({ model: 'kling-v1', prompt }) })
  ).json()) as { task_id: string };
  const status = (await (await fetch(`${em.baseUrl}/v1/video/generations/${created.task_id}`, { headers })).json()) as { url?: string };
  assert.ok(status.url, 'the task has finished with a result URL');
  const res = await fetch(status.url);
  assert.strictEqual(res.status, 200);
  return Buffer.from(await res.arrayBuffer());
}

describe('emulator clips', function () {
  this.timeout(60_000);
  let dir: string;
  let em: Emulator | undefined;
  const probe = async (bytes: Buffer, name: string): Promise<MediaInfo> => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, bytes);
    return createMedia({ allowedRoots: [dir] }).probe(file);
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clips-'));
  });
  afterEach(async () => {
    await em?.close();
    em = undefined;
    delete process.env.AIVIDEO_FFMPEG_PATH;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('chooses a size from two and sound or none from the prompt, and follows the markers', function () {
    const specs = Array.from({ length: 40 }, (_, i) => clipSpec(`prompt ${i}`, 0));
    assert.deepStrictEqual(new Set(specs.map((s) => `${s.width}x${s.height}`)).size, CLIP_SIZES.length);
    assert.ok(specs.some((s) => s.audio) && specs.some((s) => !s.audio));
    assert.notStrictEqual(clipSpec('a', 0).key, clipSpec('a', 1).key, 'each video of a task differs');
    assert.deepStrictEqual(clipSpec('x [size=640x360] [audio]', 0), {
      ...clipSpec('x [size=640x360] [audio]', 0),
      width: 640,
      height: 360,
      audio: true,
    });
    assert.strictEqual(clipSpec('x [silent]', 0).audio, false);
  });

  it('gives two takes of one prompt different pictures of the same size and sound', function () {
    const a = clipSpec('a paper boat in the rain', 0, 'task-1');
    const b = clipSpec('a paper boat in the rain', 0, 'task-2');
    assert.notStrictEqual(a.key, b.key, 'different pictures');
    assert.deepStrictEqual([a.width, a.height, a.audio], [b.width, b.height, b.audio], 'the prompt decides size and sound');
    assert.deepStrictEqual(clipSpec('a paper boat in the rain', 0, 'task-1'), a, 'the same take is the same clip');
  });

  it('serves a distinct real clip per prompt and per take: sizes and sound as chosen', async function () {
    em = await startEmulator({ port: 0, durationMs: 0, clips: 'generated' });
    const boat = await resultOf(em, 'a paper boat [size=320x180] [audio]');
    const fox = await resultOf(em, 'a fox in the snow [size=240x240] [silent]');
    assert.notDeepStrictEqual(boat, fox);
    assert.notDeepStrictEqual(boat, SAMPLE);
    const a = await probe(boat, 'boat.mp4');
    const b = await probe(fox, 'fox.mp4');
    assert.deepStrictEqual([a.width, a.height, a.audio?.codec, a.audio?.channels], [320, 180, 'aac', 2]);
    assert.deepStrictEqual([b.width, b.height, b.audio], [240, 240, undefined]);
    assert.ok(Math.abs(a.duration - 2) < 0.1 && Math.abs(b.duration - 2) < 0.1, `${a.duration}, ${b.duration}`);
    // Another take of the same prompt: another picture, the same size and sound.
    const again = await resultOf(em, 'a paper boat [size=320x180] [audio]');
    assert.notDeepStrictEqual(again, boat, 'another take, another picture');
    const c = await probe(again, 'again.mp4');
    assert.deepStrictEqual([c.width, c.height, c.audio?.codec], [320, 180, 'aac']);
  });

  it('serves the clip through a provider content route too (OpenRouter)', async function () {
    em = await startEmulator({ port: 0, durationMs: 0, clips: 'generated' });
    const headers = { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' };
    const base = `${em.baseUrl}/openrouter/api/v1/videos`;
    const created = (await (
      await fetch(base, { method: 'POST', headers, body: JSON.stringify({ model: 'google/veo-3.1', prompt: 'an owl [size=240x240]' }) })
    ).json()) as { id: string };
    await fetch(`${base}/${created.id}`, { headers });
    const res = await fetch(`${base}/${created.id}/content?index=0`, { headers });
    assert.strictEqual(res.status, 200);
    const info = await probe(Buffer.from(await res.arrayBuffer()), 'owl.mp4');
    assert.deepStrictEqual([info.width, info.height], [240, 240]);
  });

  it("serves a still of the prompt's clip as a Pika poster, so posters differ as the takes do", async function () {
    em = await startEmulator({ port: 0, durationMs: 0, clips: 'generated' });
    const poster = async (prompt: string): Promise<Buffer> => {
      const res = await fetch((await pikaVideo(em!, prompt)).videoPoster);
      assert.strictEqual(res.status, 200);
      assert.strictEqual(res.headers.get('content-type'), 'image/jpeg');
      return Buffer.from(await res.arrayBuffer());
    };
    const boat = await poster('a paper boat [size=320x180]');
    const fox = await poster('a fox in the snow [size=240x240]');
    assert.notDeepStrictEqual(boat, POSTER);
    assert.notDeepStrictEqual(boat, fox);
    const a = await probe(boat, 'boat.jpg');
    const b = await probe(fox, 'fox.jpg');
    assert.deepStrictEqual([a.width, a.height, b.width, b.height], [320, 180, 240, 240], "each still has its clip's size");
    await em.close();
    em = await startEmulator({ port: 0, durationMs: 0 });
    const res = await fetch((await pikaVideo(em, 'a paper boat [size=320x180]')).videoPoster);
    assert.deepStrictEqual(Buffer.from(await res.arrayBuffer()), POSTER, 'the fixture poster without generated clips');
  });

  it('serves the fixtures when asked to, and when ffmpeg is missing', async function () {
    em = await startEmulator({ port: 0, durationMs: 0 });
    assert.deepStrictEqual(await resultOf(em, 'a crane [fixture-default]'), SAMPLE, 'fixtures by default');
    await em.close();
    process.env.AIVIDEO_FFMPEG_PATH = path.join(dir, 'no-ffmpeg-here');
    em = await startEmulator({ port: 0, durationMs: 0, clips: 'generated' });
    assert.deepStrictEqual(await resultOf(em, `a heron ${Date.now()}`), SAMPLE);
  });

  it('is switched at run time by POST /__emulator/options', async function () {
    em = await startEmulator({ port: 0, durationMs: 0 });
    const set = (body: unknown) => fetch(`${em!.baseUrl}/__emulator/options`, { method: 'POST', body: JSON.stringify(body) });
    assert.strictEqual((await set({ clips: 'sometimes' })).status, 400);
    assert.strictEqual((await set({ clips: 'generated' })).status, 200);
    const bytes = await resultOf(em, 'a lighthouse [size=240x240]');
    assert.notDeepStrictEqual(bytes, SAMPLE);
    assert.strictEqual((await probe(bytes, 'l.mp4')).width, 240);
  });
});
