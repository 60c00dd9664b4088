// The media module against the real ffmpeg: probing, first and last frames at the video's size, the
// stitching decision (copy when the clips match, else a re-encode to the first clip's size with
// silence for silent clips) checked with ffprobe, paths held to the allowed roots, a missing ffmpeg.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import {
  createMedia,
  decideStitch,
  FfmpegMissingError,
  findFfmpeg,
  MediaError,
  parseProbe,
  runTool,
  type Media,
  type MediaInfo,
} from '../../../../src/core/media';
import { clipArgs, clipSpec } from '../../../../src/emulator/clips';

async function makeClip(dir: string, name: string, prompt: string, seconds = 2): Promise<string> {
  const file = path.join(dir, name);
  const { ffmpeg } = await findFfmpeg();
  await runTool(ffmpeg, clipArgs({ ...clipSpec(prompt, 0), seconds }, file));
  return file;
}

function info(over: Partial<MediaInfo>): MediaInfo {
  return { duration: 2, width: 320, height: 180, fps: 24, fpsRational: '24/1', videoCodec: 'h264', ...over };
}

describe('core/media', function () {
  this.timeout(60_000);
  let dir: string;
  let media: Media;
  /** Clips made once: two 320x180 with sound, one 240x240 silent, one 320x180 silent. */
  const clips: Record<'a' | 'b' | 'square' | 'silent', string> = { a: '', b: '', square: '', silent: '' };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'media-'));
    media = createMedia({ allowedRoots: [dir] });
    clips.a = await makeClip(dir, 'a.mp4', 'shot a [size=320x180] [audio]');
    clips.b = await makeClip(dir, 'b.mp4', 'shot b [size=320x180] [audio]', 3);
    clips.square = await makeClip(dir, 'square.mp4', 'shot c [size=240x240] [silent]');
    clips.silent = await makeClip(dir, 'silent.mp4', 'shot d [size=320x180] [silent]');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('probes duration, size, frame rate, codec and the audio track', async function () {
    const a = await media.probe(clips.a);
    assert.deepStrictEqual(
      [a.width, a.height, a.fps, a.videoCodec, a.audio],
      [320, 180, 24, 'h264', { codec: 'aac', channels: 2, sampleRate: 48000 }],
    );
    assert.ok(Math.abs(a.duration - 2) < 0.05, String(a.duration));
    assert.strictEqual((await media.probe(clips.square)).audio, undefined);
    assert.strictEqual(parseProbe({ streams: [{ codec_type: 'audio' }] }), undefined, 'no video: not a clip');
    assert.strictEqual(parseProbe('garbage'), undefined);
    const text = path.join(dir, 'notes.mp4');
    fs.writeFileSync(text, 'not a video');
    await assert.rejects(media.probe(text), (e: unknown) => e instanceof MediaError && e.code === 'badMedia');
  });

  it('writes the first and last frames as PNGs at the video size, and they differ', async function () {
    for (const clip of [clips.a, clips.square]) {
      const size = await media.probe(clip);
      const first = await media.extractFrame(clip, 'first', path.join(dir, 'frames', `${path.basename(clip)}-first.png`));
      const last = await media.extractFrame(clip, 'last', path.join(dir, 'frames', `${path.basename(clip)}-last.png`));
      for (const png of [first, last]) {
        const bytes = fs.readFileSync(png);
        assert.strictEqual(bytes.subarray(1, 4).toString('latin1'), 'PNG');
        assert.deepStrictEqual([bytes.readUInt32BE(16), bytes.readUInt32BE(20)], [size.width, size.height], png);
      }
      assert.notDeepStrictEqual(fs.readFileSync(first), fs.readFileSync(last), 'the last frame is not the first');
    }
    assert.deepStrictEqual(
      fs.readdirSync(path.join(dir, 'frames')).filter((f) => f.includes('partial')),
      [],
      'no partial file left',
    );
  });

  it('copies the streams when codec, size, frame rate and audio layout all match', async function () {
    const out = path.join(dir, 'copy.mp4');
    const r = await media.stitch([clips.a, clips.b, clips.a], out);
    assert.strictEqual(r.decision.mode, 'copy');
    assert.deepStrictEqual(r.decision.reasons, []);
    const film = await media.probe(out);
    assert.deepStrictEqual([film.width, film.height, film.audio?.codec], [320, 180, 'aac']);
    assert.ok(Math.abs(film.duration - 7) <= 0.3, `7 s ± 0.1 per clip, got ${film.duration}`);
    assert.ok(Math.abs(r.expectedDuration - 7) < 0.1);
  });

  it('re-encodes mixed clips to the first clip size, padded, one frame rate, silence for the silent ones', async function () {
    const out = path.join(dir, 'mixed.mp4');
    const r = await media.stitch([clips.square, clips.a, clips.silent], out);
    assert.strictEqual(r.decision.mode, 'encode');
    assert.ok(
      r.decision.reasons.some((x) => x.startsWith('size')) && r.decision.reasons.some((x) => x.startsWith('audio')),
      r.decision.reasons.join('; '),
    );
    const film = await media.probe(out);
    assert.deepStrictEqual([film.width, film.height, film.fps, film.videoCodec], [240, 240, 24, 'h264']);
    assert.strictEqual(film.audio?.codec, 'aac', 'one clip has sound: the film has a track');
    assert.ok(Math.abs(film.duration - 6) <= 0.3, `6 s ± 0.1 per clip, got ${film.duration}`);
    const silentOnly = await media.stitch([clips.silent, clips.square], path.join(dir, 'silent-film.mp4'));
    assert.deepStrictEqual([silentOnly.decision.mode, silentOnly.decision.audio, silentOnly.info.audio], ['encode', false, undefined]);
    assert.deepStrictEqual([silentOnly.info.width, silentOnly.info.height], [320, 180]);
    assert.ok(Math.abs(silentOnly.info.duration - 4) <= 0.2, String(silentOnly.info.duration));
  });

  it('decides from the probes alone: any difference of codec, size, fps or audio layout re-encodes', function () {
    const base = info({ audio: { codec: 'aac', channels: 2, sampleRate: 48000 } });
    assert.strictEqual(decideStitch([base, { ...base }]).mode, 'copy');
    for (const other of [
      { ...base, videoCodec: 'hevc' },
      { ...base, width: 640, height: 360 },
      { ...base, fps: 30, fpsRational: '30/1' },
      { ...base, audio: undefined },
      { ...base, audio: { codec: 'aac', channels: 1, sampleRate: 48000 } },
    ]) {
      assert.strictEqual(decideStitch([base, other]).mode, 'encode', JSON.stringify(other));
    }
    const odd = decideStitch([info({ width: 321, height: 181 }), info({})]);
    assert.deepStrictEqual([odd.width, odd.height], [322, 182], 'an encode needs even sides');
    assert.throws(() => decideStitch([]), MediaError);
  });

  it('refuses paths outside the allowed roots, a link that leads out included', async function () {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'media-out-'));
    try {
      const outsideClip = path.join(elsewhere, 'x.mp4');
      fs.copyFileSync(clips.a, outsideClip);
      const refused = (e: unknown) => e instanceof MediaError && e.code === 'outsideRoots';
      await assert.rejects(media.probe(outsideClip), refused);
      await assert.rejects(media.extractFrame(clips.a, 'last', path.join(elsewhere, 'f.png')), refused);
      await assert.rejects(media.stitch([clips.a, clips.b], path.join(dir, '..', path.basename(elsewhere), 'film.mp4')), refused);
      fs.symlinkSync(elsewhere, path.join(dir, 'link-out'));
      await assert.rejects(media.probe(path.join(dir, 'link-out', 'x.mp4')), refused);
      await assert.rejects(media.extractFrame(clips.a, 'first', path.join(dir, 'link-out', 'f.png')), refused);
      assert.deepStrictEqual(fs.readdirSync(elsewhere), ['x.mp4'], 'nothing written outside');
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('stops ffmpeg on the signal', async function () {
    const controller = new AbortController();
    const pending = media.stitch([clips.square, clips.a, clips.b, clips.silent], path.join(dir, 'cancelled.mp4'), {
      signal: controller.signal,
    });
    setImmediate(() => controller.abort());
    await assert.rejects(pending, (e: unknown) => e instanceof MediaError && e.code === 'cancelled');
    assert.ok(!fs.existsSync(path.join(dir, 'cancelled.mp4')));
  });

  it('says how to install ffmpeg and names aiVideo.ffmpegPath when it is missing', async function () {
    const check = (e: unknown): boolean => {
      assert.ok(e instanceof FfmpegMissingError, String(e));
      for (const part of ['aiVideo.ffmpegPath', 'apt-get install ffmpeg', 'brew install ffmpeg', 'winget install ffmpeg']) {
        assert.ok(e.message.includes(part), e.message);
      }
      return true;
    };
    await assert.rejects(findFfmpeg({ explicitPath: path.join(dir, 'nowhere', 'ffmpeg') }), check);
    await assert.rejects(findFfmpeg({ env: { PATH: dir } }), check);
    const missing = createMedia({ allowedRoots: [dir], ffmpegPath: path.join(dir, 'nowhere', 'ffmpeg') });
    await assert.rejects(missing.extractFrame(clips.a, 'last', path.join(dir, 'x.png')), check);
    const found = await findFfmpeg({ explicitPath: path.dirname((await findFfmpeg()).ffmpeg) });
    assert.ok(path.basename(found.ffprobe).startsWith('ffprobe'), 'a folder holding ffmpeg is taken, ffprobe found beside it');
  });
});
