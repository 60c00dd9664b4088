// Fixture media: where it lives and what the sample videos really are (read from their mp4 boxes).
import * as fs from 'fs';
import * as path from 'path';

export interface VideoInfo {
  /** Duration in seconds (may be fractional). */
  duration: number;
  fps: number;
  width: number;
  height: number;
}

export interface FixtureFile {
  name: string;
  bytes: Buffer;
  contentType: string;
}

export interface VideoFixture extends FixtureFile {
  info: VideoInfo;
}

export interface Fixtures {
  dir: string;
  /** sample.mp4, sample-2.mp4: sub-tasks alternate between them. */
  videos: VideoFixture[];
  poster: FixtureFile;
  thumbnail: FixtureFile;
  /** Any file of the folder by name, loaded on demand. */
  byName(name: string): FixtureFile | undefined;
}

const CONTENT_TYPES: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
};

export function contentTypeOf(name: string): string {
  return CONTENT_TYPES[path.extname(name).toLowerCase()] ?? 'application/octet-stream';
}

/** `<repo>/test/fixtures`, found by walking up from `from` to the folder that has package.json. */
export function defaultFixturesDir(from: string = __dirname): string {
  let dir = path.resolve(from);
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'test', 'fixtures');
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`No package.json above ${from}: pass fixturesDir`);
    dir = parent;
  }
}

function readFixture(dir: string, name: string): FixtureFile {
  const file = path.join(dir, name);
  if (!fs.existsSync(file)) throw new Error(`Emulator fixture missing: ${name} (in ${dir})`);
  return { name, bytes: fs.readFileSync(file), contentType: contentTypeOf(name) };
}

export function loadFixtures(dir: string): Fixtures {
  const videos = ['sample.mp4', 'sample-2.mp4'].map((name) => {
    const f = readFixture(dir, name);
    return { ...f, info: probeMp4(f.bytes) };
  });
  const cache = new Map<string, FixtureFile>();
  return {
    dir,
    videos,
    poster: readFixture(dir, 'poster.jpg'),
    thumbnail: readFixture(dir, 'thumbnail.jpg'),
    byName(name: string) {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) return undefined;
      const cached = cache.get(name);
      if (cached) return cached;
      const file = path.join(dir, name);
      if (!fs.existsSync(file) || !fs.statSync(file).isFile()) return undefined;
      const f = readFixture(dir, name);
      cache.set(name, f);
      return f;
    },
  };
}

interface Box {
  type: string;
  start: number;
  end: number;
  /** Offset of the payload. */
  data: number;
}

function* boxes(buf: Buffer, start: number, end: number): Generator<Box> {
  let pos = start;
  while (pos + 8 <= end) {
    let size = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    let header = 8;
    if (size === 1) {
      size = Number(buf.readBigUInt64BE(pos + 8));
      header = 16;
    } else if (size === 0) {
      size = end - pos;
    }
    if (size < header || pos + size > end) return;
    yield { type, start: pos, end: pos + size, data: pos + header };
    pos += size;
  }
}

function child(buf: Buffer, parent: Box, type: string): Box | undefined {
  for (const b of boxes(buf, parent.data, parent.end)) if (b.type === type) return b;
  return undefined;
}

/** Duration, frame rate and size of the first video track of an mp4 (moov/mvhd, trak/tkhd, mdhd, stts). */
export function probeMp4(buf: Buffer): VideoInfo {
  const root: Box = { type: 'root', start: 0, end: buf.length, data: 0 };
  const moov = child(buf, root, 'moov');
  if (!moov) throw new Error('Not an mp4: no moov box');
  const info: VideoInfo = { duration: 0, fps: 0, width: 0, height: 0 };
  const mvhd = child(buf, moov, 'mvhd');
  if (mvhd) {
    const v1 = buf[mvhd.data] === 1;
    const timescale = buf.readUInt32BE(mvhd.data + (v1 ? 20 : 12));
    const duration = v1 ? Number(buf.readBigUInt64BE(mvhd.data + 24)) : buf.readUInt32BE(mvhd.data + 16);
    if (timescale > 0) info.duration = duration / timescale;
  }
  for (const trak of boxes(buf, moov.data, moov.end)) {
    if (trak.type !== 'trak') continue;
    const mdia = child(buf, trak, 'mdia');
    const hdlr = mdia && child(buf, mdia, 'hdlr');
    if (!mdia || !hdlr || buf.toString('latin1', hdlr.data + 8, hdlr.data + 12) !== 'vide') continue;
    const tkhd = child(buf, trak, 'tkhd');
    if (tkhd) {
      const v1 = buf[tkhd.data] === 1;
      const sizeAt = tkhd.data + (v1 ? 88 : 76);
      info.width = buf.readUInt32BE(sizeAt) / 65536;
      info.height = buf.readUInt32BE(sizeAt + 4) / 65536;
    }
    const mdhd = child(buf, mdia, 'mdhd');
    const minf = child(buf, mdia, 'minf');
    const stbl = minf && child(buf, minf, 'stbl');
    const stts = stbl && child(buf, stbl, 'stts');
    if (mdhd && stts) {
      const v1 = buf[mdhd.data] === 1;
      const timescale = buf.readUInt32BE(mdhd.data + (v1 ? 20 : 12));
      const duration = v1 ? Number(buf.readBigUInt64BE(mdhd.data + 24)) : buf.readUInt32BE(mdhd.data + 16);
      const entries = buf.readUInt32BE(stts.data + 4);
      let samples = 0;
      for (let i = 0; i < entries; i++) samples += buf.readUInt32BE(stts.data + 8 + i * 8);
      if (duration > 0) info.fps = Math.round((samples * timescale) / duration);
    }
    break;
  }
  return info;
}
