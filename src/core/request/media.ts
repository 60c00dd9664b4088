// Turns the user's media references (path, file: URI, https URL) into what providers accept: the
// URL itself, or base64 of a checked local file. Files are checked by their magic bytes and size,
// and encoded in chunks so a large file never blocks the extension host.
import { createReadStream, promises as fs } from 'fs';
import * as path from 'path';
import { fileURLToPath } from 'url';
import * as l10n from '@vscode/l10n';

import { ProviderError } from '../model/errors';
import { GenerateRequest } from '../model/task';
import { ResolvedMedia } from '../provider/descriptor';

export interface MediaLimits {
  maxImageBytes: number;
  maxVideoBytes: number;
}

export const DEFAULT_MEDIA_LIMITS: MediaLimits = { maxImageBytes: 10 * 1024 * 1024, maxVideoBytes: 100 * 1024 * 1024 };

/** An image's pixel size. */
export interface ImageSize {
  width: number;
  height: number;
}

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp'];
export const VIDEO_EXTENSIONS = ['.mp4', '.webm', '.mov'];

export function detectImageType(b: Uint8Array): string | undefined {
  if (
    b.length >= 8 &&
    b[0] === 0x89 &&
    b[1] === 0x50 &&
    b[2] === 0x4e &&
    b[3] === 0x47 &&
    b[4] === 0x0d &&
    b[5] === 0x0a &&
    b[6] === 0x1a &&
    b[7] === 0x0a
  ) {
    return 'image/png';
  }
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return 'image/webp';
  return undefined;
}

export function detectVideoType(b: Uint8Array): string | undefined {
  if (b.length >= 12 && ascii(b, 4, 8) === 'ftyp') return ascii(b, 8, 10) === 'qt' ? 'video/quicktime' : 'video/mp4';
  if (b.length >= 4 && b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) return 'video/webm';
  return undefined;
}

function ascii(b: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...b.subarray(from, to));
}

/** JPEG start-of-frame markers (they carry the size); not DHT (C4), JPG (C8) or DAC (CC). */
const JPEG_SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

function jpegSize(b: Buffer): ImageSize | undefined {
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) return undefined;
    const marker = b[at + 1];
    // Fill bytes, and markers without a length (TEM, RSTn).
    if (marker === 0xff) {
      at++;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return undefined;
    const length = b.readUInt16BE(at + 2);
    if (JPEG_SOF.has(marker)) return at + 9 <= b.length ? { height: b.readUInt16BE(at + 5), width: b.readUInt16BE(at + 7) } : undefined;
    at += 2 + length;
  }
  return undefined;
}

function webpSize(b: Buffer): ImageSize | undefined {
  if (b.length < 30) return undefined;
  switch (ascii(b, 12, 16)) {
    case 'VP8 ':
      // A key frame: 3 bytes of frame tag, the start code 9D 01 2A, then 14-bit width and height.
      if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return undefined;
      return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
    case 'VP8L': {
      if (b[20] !== 0x2f) return undefined;
      const bits = b.readUInt32LE(21);
      return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
    case 'VP8X':
      return { width: b.readUIntLE(24, 3) + 1, height: b.readUIntLE(27, 3) + 1 };
    default:
      return undefined;
  }
}

/** The pixel size a PNG, JPEG or WebP header states, when the given first bytes hold it (a JPEG's may come after its metadata). */
export function imageSize(bytes: Uint8Array): ImageSize | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let size: ImageSize | undefined;
  switch (detectImageType(b)) {
    case 'image/png':
      size = b.length >= 24 && ascii(b, 12, 16) === 'IHDR' ? { width: b.readUInt32BE(16), height: b.readUInt32BE(20) } : undefined;
      break;
    case 'image/jpeg':
      size = jpegSize(b);
      break;
    case 'image/webp':
      size = webpSize(b);
      break;
  }
  return size && size.width > 0 && size.height > 0 ? size : undefined;
}

/** Bytes read for `readImageSize`: JPEG metadata (EXIF, ICC profiles) can push the size this far. */
const SIZE_HEAD_BYTES = 1024 * 1024;

/** The pixel size of a local image file, or undefined when it is not a PNG, JPEG or WebP whose header tells. */
export async function readImageSize(file: string): Promise<ImageSize | undefined> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(file, 'r');
    const buf = Buffer.alloc(SIZE_HEAD_BYTES);
    const { bytesRead } = await handle.read(buf, 0, SIZE_HEAD_BYTES, 0);
    return imageSize(buf.subarray(0, bytesRead));
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}

/** A remote reference, passed to the provider as it is. */
export function isRemoteUrl(ref: string): boolean {
  return /^https?:\/\//i.test(ref);
}

export function toLocalPath(ref: string): string {
  if (/^file:/i.test(ref)) {
    try {
      return fileURLToPath(ref);
    } catch {
      throw inputError(l10n.t('"{0}" is not a valid file URI.', ref));
    }
  }
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(ref)) {
    throw inputError(l10n.t('Only local files and http(s) URLs can be used (got "{0}:").', ref.split(':')[0]));
  }
  if (!path.isAbsolute(ref)) throw inputError(l10n.t('"{0}" is not an absolute path.', ref));
  return ref;
}

function inputError(message: string): ProviderError {
  return new ProviderError({ kind: 'input', message });
}

/** Under 1 MB in KB: "0.00 MB" would hide both the size and the cap. */
function humanSize(n: number): string {
  return n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Reads and checks one local file, returning base64, its MIME type and, for an image, its pixel size when its header tells. */
export async function encodeLocalFile(
  file: string,
  kind: 'image' | 'video',
  limits: MediaLimits,
): Promise<{ base64: string; mime: string; size?: ImageSize }> {
  const name = path.basename(file);
  let size: number;
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) throw inputError(l10n.t('{0} is not a file.', name));
    size = st.size;
  } catch (e) {
    if (e instanceof ProviderError) throw e;
    throw inputError(l10n.t('Cannot read {0}: {1}.', name, (e as NodeJS.ErrnoException).code ?? (e as Error).message));
  }
  const cap = kind === 'image' ? limits.maxImageBytes : limits.maxVideoBytes;
  if (size === 0) throw inputError(l10n.t('{0} is empty.', name));
  if (size > cap) {
    throw inputError(
      kind === 'image'
        ? l10n.t('{0} is {1}; the limit for images is {2} (setting {3}).', name, humanSize(size), humanSize(cap), 'aiVideo.maxImageSizeMB')
        : l10n.t('{0} is {1}; the limit for videos is {2} (setting {3}).', name, humanSize(size), humanSize(cap), 'aiVideo.maxVideoSizeMB'),
    );
  }

  const parts: string[] = [];
  let head: Uint8Array | undefined;
  let pixels: ImageSize | undefined;
  let carry = Buffer.alloc(0);
  // Chunks of a multiple of 3 bytes encode to base64 that can simply be concatenated.
  const stream = createReadStream(file, { highWaterMark: 3 * 256 * 1024 });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (!head) {
      head = chunk.subarray(0, 16);
      if (kind === 'image') pixels = imageSize(chunk);
      const mime = kind === 'image' ? detectImageType(head) : detectVideoType(head);
      if (!mime) {
        stream.destroy();
        throw inputError(
          kind === 'image'
            ? l10n.t('{0} is not a PNG, JPEG or WebP image (its content does not match).', name)
            : l10n.t('{0} is not an MP4, MOV or WebM video (its content does not match).', name),
        );
      }
    }
    const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    const usable = buf.length - (buf.length % 3);
    parts.push(buf.subarray(0, usable).toString('base64'));
    carry = Buffer.from(buf.subarray(usable));
  }
  if (carry.length) parts.push(carry.toString('base64'));
  const mime = kind === 'image' ? detectImageType(head!) : detectVideoType(head!);
  return { base64: parts.join(''), mime: mime!, ...(pixels ? { size: pixels } : {}) };
}

/** Resolves every media reference of a request. */
export async function resolveMedia(req: GenerateRequest, limits: MediaLimits = DEFAULT_MEDIA_LIMITS): Promise<ResolvedMedia> {
  const one = async (ref: string, kind: 'image' | 'video') => {
    if (isRemoteUrl(ref)) return { value: ref, mime: undefined };
    const { base64, mime, size } = await encodeLocalFile(toLocalPath(ref), kind, limits);
    return { value: base64, mime, size };
  };
  const media: ResolvedMedia = {};
  if (req.image) {
    const r = await one(req.image, 'image');
    media.image = r.value;
    media.imageMime = r.mime;
    if (r.size) media.imageSize = r.size;
  }
  if (req.lastFrame) {
    const r = await one(req.lastFrame, 'image');
    media.lastFrame = r.value;
    media.lastFrameMime = r.mime;
  }
  if (req.images) {
    media.images = [];
    media.imagesMime = [];
    for (const ref of req.images) {
      const r = await one(ref, 'image');
      media.images.push(r.value);
      media.imagesMime.push(r.mime ?? '');
    }
  }
  if (req.video) {
    const r = await one(req.video, 'video');
    media.video = r.value;
    media.videoMime = r.mime;
  }
  return media;
}

/** For providers that prefer data URIs (the OpenAI-style gateway). */
export function asDataUri(value: string, mime: string | undefined): string {
  return mime && !isRemoteUrl(value) ? `data:${mime};base64,${value}` : value;
}
