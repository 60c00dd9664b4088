// Turns the user's media references (path, file: URI, https URL) into what providers accept: the
// URL itself, or base64 of a checked local file. Files are checked by their magic bytes and size,
// and encoded in chunks so a large file never blocks the extension host.
import * as l10n from '@vscode/l10n';
import { createReadStream, promises as fs } from 'fs';
import * as path from 'path';
import { fileURLToPath } from 'url';
import { ProviderError } from './errors';
import { GenerateRequest } from './types';
import { ResolvedMedia } from './provider';

export interface MediaLimits {
  maxImageBytes: number;
  maxVideoBytes: number;
}

export const DEFAULT_MEDIA_LIMITS: MediaLimits = { maxImageBytes: 10 * 1024 * 1024, maxVideoBytes: 100 * 1024 * 1024 };

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp'];
export const VIDEO_EXTENSIONS = ['.mp4', '.webm', '.mov'];

export function detectImageType(b: Uint8Array): string | undefined {
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a) return 'image/png';
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
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(ref)) throw inputError(l10n.t('Only local files and http(s) URLs can be used (got "{0}:").', ref.split(':')[0]));
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

/** Reads and checks one local file, returning base64 and its MIME type. */
export async function encodeLocalFile(file: string, kind: 'image' | 'video', limits: MediaLimits): Promise<{ base64: string; mime: string }> {
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
  let carry = Buffer.alloc(0);
  // Chunks of a multiple of 3 bytes encode to base64 that can simply be concatenated.
  const stream = createReadStream(file, { highWaterMark: 3 * 256 * 1024 });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (!head) {
      head = chunk.subarray(0, 16);
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
  return { base64: parts.join(''), mime: mime! };
}

/** Resolves every media reference of a request. */
export async function resolveMedia(req: GenerateRequest, limits: MediaLimits = DEFAULT_MEDIA_LIMITS): Promise<ResolvedMedia> {
  const one = async (ref: string, kind: 'image' | 'video') => {
    if (isRemoteUrl(ref)) return { value: ref, mime: undefined };
    const { base64, mime } = await encodeLocalFile(toLocalPath(ref), kind, limits);
    return { value: base64, mime };
  };
  const media: ResolvedMedia = {};
  if (req.image) {
    const r = await one(req.image, 'image');
    media.image = r.value;
    media.imageMime = r.mime;
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
