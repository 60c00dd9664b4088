import * as assert from 'assert';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';

import {
  asDataUri,
  DEFAULT_MEDIA_LIMITS,
  detectImageType,
  detectVideoType,
  encodeLocalFile,
  imageSize,
  isRemoteUrl,
  readImageSize,
  resolveMedia,
  toLocalPath,
} from '../../../../src/core/request/media';
import { fixture, fixtureBase64, rejectsWith } from '../../../support/helpers';

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('media magic bytes', function () {
  const bytes = (name: string) => fs.readFileSync(fixture(name));

  it('recognizes PNG, JPEG and WebP images by content', function () {
    assert.strictEqual(detectImageType(bytes('cat.png')), 'image/png');
    assert.strictEqual(detectImageType(bytes('dog.jpg')), 'image/jpeg');
    assert.strictEqual(detectImageType(bytes('bird.webp')), 'image/webp');
  });

  it('does not take other content for an image', function () {
    assert.strictEqual(detectImageType(bytes('not-an-image.png')), undefined);
    assert.strictEqual(detectImageType(bytes('sample.mp4')), undefined);
    assert.strictEqual(detectImageType(Buffer.from('RIFF\0\0\0\0WAVE')), undefined, 'a RIFF that is not WebP');
    assert.strictEqual(detectImageType(PNG_MAGIC.subarray(0, 7)), undefined, 'a cut PNG signature');
    assert.strictEqual(detectImageType(new Uint8Array(0)), undefined);
  });

  it('recognizes MP4, MOV and WebM videos by content', function () {
    assert.strictEqual(detectVideoType(bytes('sample.mp4')), 'video/mp4');
    assert.strictEqual(detectVideoType(bytes('sample-2.mp4')), 'video/mp4');
    assert.strictEqual(detectVideoType(Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81])), 'video/webm');
    const mov = Buffer.concat([Buffer.from([0, 0, 0, 0x14]), Buffer.from('ftypqt  '), Buffer.alloc(8)]);
    assert.strictEqual(detectVideoType(mov), 'video/quicktime');
  });

  it('does not take an image for a video', function () {
    assert.strictEqual(detectVideoType(bytes('cat.png')), undefined);
    assert.strictEqual(detectVideoType(bytes('dog.jpg')), undefined);
    assert.strictEqual(detectVideoType(bytes('not-an-image.png')), undefined);
  });
});

/** A PNG signature and IHDR chunk of this size (all imageSize reads). */
function pngHead(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(25);
  ihdr.writeUInt32BE(13, 0);
  ihdr.write('IHDR', 4, 'ascii');
  ihdr.writeUInt32BE(width, 8);
  ihdr.writeUInt32BE(height, 12);
  return Buffer.concat([PNG_MAGIC, ihdr]);
}

/** A JPEG whose size (SOF0) comes after `metadataBytes` of an APP1 segment, as camera EXIF data does. */
function jpegWithMetadata(width: number, height: number, metadataBytes: number): Buffer {
  const app1 = Buffer.alloc(4 + metadataBytes);
  app1.writeUInt16BE(0xffe1, 0);
  app1.writeUInt16BE(2 + metadataBytes, 2);
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, 0, 0, 0, 0, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
  sof.writeUInt16BE(height, 5);
  sof.writeUInt16BE(width, 7);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app1, Buffer.from([0xff, 0xff]), sof, Buffer.from([0xff, 0xda, 0, 2])]);
}

function webp(chunk: 'VP8L' | 'VP8X', payload: Buffer): Buffer {
  const head = Buffer.alloc(20);
  head.write('RIFF', 0, 'ascii');
  head.writeUInt32LE(12 + payload.length, 4);
  head.write('WEBP', 8, 'ascii');
  head.write(chunk, 12, 'ascii');
  head.writeUInt32LE(payload.length, 16);
  return Buffer.concat([head, payload, Buffer.alloc(16)]);
}

describe('image sizes', function () {
  it('reads the size of every fixture image: PNG, JPEG (baseline) and WebP (VP8)', function () {
    const size = (name: string) => imageSize(fs.readFileSync(fixture(name)));
    assert.deepStrictEqual(size('cat.png'), { width: 256, height: 256 });
    assert.deepStrictEqual(size('dog.jpg'), { width: 160, height: 120 });
    assert.deepStrictEqual(size('poster.jpg'), { width: 320, height: 180 });
    assert.deepStrictEqual(size('bird.webp'), { width: 128, height: 128 });
  });

  it('reads lossless (VP8L) and extended (VP8X) WebP headers', function () {
    const bits = Buffer.alloc(5);
    bits[0] = 0x2f;
    bits.writeUInt32LE((1280 - 1) | ((720 - 1) << 14), 1);
    assert.deepStrictEqual(imageSize(webp('VP8L', bits)), { width: 1280, height: 720 });
    const canvas = Buffer.alloc(10);
    canvas.writeUIntLE(1792 - 1, 4, 3);
    canvas.writeUIntLE(1024 - 1, 7, 3);
    assert.deepStrictEqual(imageSize(webp('VP8X', canvas)), { width: 1792, height: 1024 });
  });

  it('walks JPEG segments past metadata and fill bytes to the frame header', function () {
    assert.deepStrictEqual(imageSize(jpegWithMetadata(720, 1280, 60_000)), { width: 720, height: 1280 });
  });

  it('says nothing when the header is cut short, zero-sized or not an image', function () {
    assert.strictEqual(imageSize(jpegWithMetadata(720, 1280, 60_000).subarray(0, 30_000)), undefined);
    assert.strictEqual(imageSize(pngHead(1280, 720).subarray(0, 20)), undefined);
    assert.strictEqual(imageSize(pngHead(0, 720)), undefined);
    assert.strictEqual(imageSize(fs.readFileSync(fixture('sample.mp4'))), undefined);
    assert.strictEqual(
      imageSize(Buffer.from([0xff, 0xd8, 0xff, 0xda, 0, 2])),
      undefined,
      'a JPEG whose scan starts before any frame header',
    );
  });

  it('readImageSize reads a file, and says nothing for a missing one or a non-image', async function () {
    assert.deepStrictEqual(await readImageSize(fixture('dog.jpg')), { width: 160, height: 120 });
    assert.strictEqual(await readImageSize(fixture('not-an-image.png')), undefined);
    assert.strictEqual(await readImageSize(path.join(os.tmpdir(), 'aivideo-missing-image.png')), undefined);
  });
});

describe('media references', function () {
  it('treats http(s) URLs as remote', function () {
    assert.strictEqual(isRemoteUrl('https://example.com/a.png'), true);
    assert.strictEqual(isRemoteUrl('HTTP://example.com/a.png'), true);
    assert.strictEqual(isRemoteUrl('/tmp/a.png'), false);
    assert.strictEqual(isRemoteUrl('file:///tmp/a.png'), false);
  });

  it('turns file: URIs and absolute paths into paths', function () {
    const p = fixture('cat.png');
    assert.strictEqual(toLocalPath(p), p);
    assert.strictEqual(toLocalPath(pathToFileURL(p).href), p);
  });

  it('rejects relative paths and other schemes with input errors', function () {
    assert.throws(
      () => toLocalPath('test/fixtures/cat.png'),
      (e: unknown) =>
        e instanceof Error &&
        (e as { kind?: string }).kind === 'input' &&
        /"test\/fixtures\/cat\.png" is not an absolute path/.test(e.message),
    );
    assert.throws(
      () => toLocalPath('ftp://example.com/cat.png'),
      (e: unknown) =>
        e instanceof Error &&
        (e as { kind?: string }).kind === 'input' &&
        /Only local files and http\(s\) URLs can be used \(got "ftp:"\)/.test(e.message),
    );
  });

  it('adds a data: prefix only to local base64', function () {
    assert.strictEqual(asDataUri('QUJD', 'image/png'), 'data:image/png;base64,QUJD');
    assert.strictEqual(asDataUri('https://x.test/a.png', 'image/png'), 'https://x.test/a.png');
    assert.strictEqual(asDataUri('QUJD', undefined), 'QUJD');
  });
});

describe('encodeLocalFile', function () {
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aivideo-media-'));
  });
  after(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('encodes each fixture image to base64 that decodes to the file, with its MIME type', async function () {
    for (const [name, mime] of [
      ['cat.png', 'image/png'],
      ['dog.jpg', 'image/jpeg'],
      ['bird.webp', 'image/webp'],
    ]) {
      const r = await encodeLocalFile(fixture(name), 'image', DEFAULT_MEDIA_LIMITS);
      assert.strictEqual(r.mime, mime, name);
      assert.deepStrictEqual(Buffer.from(r.base64, 'base64'), fs.readFileSync(fixture(name)), name);
    }
  });

  it('encodes a video', async function () {
    const r = await encodeLocalFile(fixture('sample.mp4'), 'video', DEFAULT_MEDIA_LIMITS);
    assert.strictEqual(r.mime, 'video/mp4');
    assert.strictEqual(r.base64, fixtureBase64('sample.mp4'));
  });

  it('rejects not-an-image.png with a clear message', async function () {
    const err = await rejectsWith(encodeLocalFile(fixture('not-an-image.png'), 'image', DEFAULT_MEDIA_LIMITS), 'input');
    assert.strictEqual(err.message, 'not-an-image.png is not a PNG, JPEG or WebP image (its content does not match).');
  });

  it('rejects an image given as a video and a video given as an image', async function () {
    const a = await rejectsWith(encodeLocalFile(fixture('cat.png'), 'video', DEFAULT_MEDIA_LIMITS), 'input');
    assert.strictEqual(a.message, 'cat.png is not an MP4, MOV or WebM video (its content does not match).');
    const b = await rejectsWith(encodeLocalFile(fixture('sample.mp4'), 'image', DEFAULT_MEDIA_LIMITS), 'input');
    assert.match(b.message, /^sample\.mp4 is not a PNG, JPEG or WebP image/);
  });

  it('refuses files over the size cap, naming the size, the cap and the setting', async function () {
    const big = path.join(tmp, 'big.png');
    fs.writeFileSync(big, Buffer.concat([PNG_MAGIC, Buffer.alloc(3 * 1024 * 1024 - PNG_MAGIC.length)]));
    const err = await rejectsWith(encodeLocalFile(big, 'image', { maxImageBytes: 2 * 1024 * 1024, maxVideoBytes: 1 }), 'input');
    assert.strictEqual(err.message, 'big.png is 3.0 MB; the limit for images is 2.0 MB (setting aiVideo.maxImageSizeMB).');
    const v = await rejectsWith(
      encodeLocalFile(fixture('sample.mp4'), 'video', { maxImageBytes: 1, maxVideoBytes: (2 * 1024 * 1024) / 100 }),
      'input',
    );
    assert.match(v.message, /^sample\.mp4 is .+; the limit for videos is .+ \(setting aiVideo\.maxVideoSizeMB\)\.$/);
  });

  it('states small sizes and caps readably, not as 0.00 MB', async function () {
    // The smallest cap the setting allows is 0.01 MB.
    const err = await rejectsWith(encodeLocalFile(fixture('cat.png'), 'image', { maxImageBytes: 1000, maxVideoBytes: 1 }), 'input');
    assert.strictEqual(err.message, 'cat.png is 1.2 KB; the limit for images is 1.0 KB (setting aiVideo.maxImageSizeMB).');
  });

  it('refuses empty files, folders and missing files', async function () {
    const empty = path.join(tmp, 'empty.png');
    fs.writeFileSync(empty, '');
    assert.strictEqual((await rejectsWith(encodeLocalFile(empty, 'image', DEFAULT_MEDIA_LIMITS), 'input')).message, 'empty.png is empty.');
    const dir = path.join(tmp, 'folder.png');
    fs.mkdirSync(dir);
    assert.strictEqual(
      (await rejectsWith(encodeLocalFile(dir, 'image', DEFAULT_MEDIA_LIMITS), 'input')).message,
      'folder.png is not a file.',
    );
    const missing = await rejectsWith(encodeLocalFile(path.join(tmp, 'missing.png'), 'image', DEFAULT_MEDIA_LIMITS), 'input');
    assert.strictEqual(missing.message, 'Cannot read missing.png: ENOENT.');
  });

  it('chunked base64 of a multi-MB file equals Buffer.toString("base64")', async function () {
    // 5 MB plus 2 bytes: several read chunks, and a length that is not a multiple of 3.
    const bytes = Buffer.concat([PNG_MAGIC, randomBytes(5 * 1024 * 1024 + 2 - PNG_MAGIC.length)]);
    const file = path.join(tmp, 'large.png');
    fs.writeFileSync(file, bytes);
    const r = await encodeLocalFile(file, 'image', DEFAULT_MEDIA_LIMITS);
    assert.strictEqual(r.mime, 'image/png');
    assert.strictEqual(r.base64.length, bytes.toString('base64').length);
    assert.ok(r.base64 === bytes.toString('base64'), 'base64 differs from Buffer.toString("base64")');
  });

  it('chunked base64 is right for every length modulo 3 around the chunk size', async function () {
    const chunk = 3 * 256 * 1024;
    for (const extra of [-1, 0, 1, 2]) {
      const bytes = Buffer.concat([PNG_MAGIC, randomBytes(chunk + extra - PNG_MAGIC.length)]);
      const file = path.join(tmp, `edge${extra}.png`);
      fs.writeFileSync(file, bytes);
      const r = await encodeLocalFile(file, 'image', DEFAULT_MEDIA_LIMITS);
      assert.ok(r.base64 === bytes.toString('base64'), `length ${bytes.length}`);
    }
  });
});

describe('resolveMedia', function () {
  it('passes https URLs through untouched, without a MIME type', async function () {
    const url = 'https://cdn.example.com/cat.png?sig=abc';
    const m = await resolveMedia({ provider: 'gateway', prompt: 'x', image: url });
    assert.deepStrictEqual(m, { image: url, imageMime: undefined });
  });

  it('encodes local paths and file: URIs to base64', async function () {
    const m = await resolveMedia({
      provider: 'pika',
      prompt: 'x',
      images: [fixture('cat.png'), pathToFileURL(fixture('dog.jpg')).href, 'https://x.test/a.webp'],
    });
    assert.deepStrictEqual(m, {
      images: [fixtureBase64('cat.png'), fixtureBase64('dog.jpg'), 'https://x.test/a.webp'],
      imagesMime: ['image/png', 'image/jpeg', ''],
    });
  });

  it('encodes a local video and an image file: URI', async function () {
    const m = await resolveMedia({ provider: 'hidream', prompt: '', video: fixture('sample.mp4') });
    assert.deepStrictEqual(m, { video: fixtureBase64('sample.mp4'), videoMime: 'video/mp4' });
    const i = await resolveMedia({ provider: 'hidream', prompt: '', image: pathToFileURL(fixture('bird.webp')).href });
    assert.deepStrictEqual(i, { image: fixtureBase64('bird.webp'), imageMime: 'image/webp', imageSize: { width: 128, height: 128 } });
  });

  it('rejects relative paths', async function () {
    const err = await rejectsWith(resolveMedia({ provider: 'pika', prompt: 'x', image: 'cat.png' }), 'input');
    assert.match(err.message, /"cat\.png" is not an absolute path/);
  });

  it('applies the limits it is given', async function () {
    const err = await rejectsWith(
      resolveMedia({ provider: 'pika', prompt: 'x', image: fixture('dog.jpg') }, { maxImageBytes: 100, maxVideoBytes: 100 }),
      'input',
    );
    assert.match(err.message, /^dog\.jpg is .+ the limit for images is/);
  });

  it('returns nothing for a request without media', async function () {
    assert.deepStrictEqual(await resolveMedia({ provider: 'pika', prompt: 'x' }), {});
  });
});
