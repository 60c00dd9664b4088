// Real, distinct result clips: each take gets its own moving picture (a Game of Life seeded and
// coloured from the prompt and the task), one of two sizes (from the prompt), and an AAC sound track or none, rendered with ffmpeg
// the first time the result is fetched and cached on disk, so takes differ in the gallery, stitching
// sees mixed formats and a last frame is really the last one. Markers choose: `[size=WxH]`, `[audio]`,
// `[silent]`. A provider's poster of such a result is a still of its clip (a JPEG of a frame), so
// posters differ as the takes do. Generated rather than committed, to keep the repository small (a clip per take cannot
// be committed anyway). Without ffmpeg (or with `clips: 'fixtures'`) the fixture videos are served.
import { createHash } from 'crypto';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';

import { FfmpegTools, findFfmpeg, runTool } from '../core/media/ffmpeg';
import type { FixtureFile, VideoFixture } from './fixtures';

export interface ClipSpec {
  /** Hex of the prompt's (and the take's) hash: seeds the picture and names the cached file. */
  key: string;
  width: number;
  height: number;
  audio: boolean;
  seconds: number;
}

/** The two sizes clips come in (landscape and square), unless `[size=WxH]` asks for another. */
export const CLIP_SIZES: ReadonlyArray<{ width: number; height: number }> = [
  { width: 320, height: 180 },
  { width: 240, height: 240 },
];
export const CLIP_SECONDS = 2;
const CACHE_VERSION = 'v1';

/**
 * What clip the `index`-th video of a task with this prompt is. Its size and sound follow the prompt;
 * `take` (the task's id) varies the picture, as a real model's takes of one prompt differ: variants
 * and regenerations then look like different takes in the gallery and in Compare.
 */
export function clipSpec(prompt: string, index: number, take = ''): ClipSpec {
  const shape = createHash('sha256').update(`${CACHE_VERSION}\n${index}\n${prompt}`).digest('hex');
  const key = take ? createHash('sha256').update(`${shape}\n${take}`).digest('hex').slice(0, 20) : shape.slice(0, 20);
  const byte = (i: number): number => parseInt(shape.slice(i * 2, i * 2 + 2), 16);
  const sized = /\[size=(\d{2,4})x(\d{2,4})\]/i.exec(prompt);
  let { width, height } = CLIP_SIZES[byte(0) % CLIP_SIZES.length];
  if (sized) {
    width = Math.min(1920, Math.max(16, Number(sized[1]) & ~1));
    height = Math.min(1920, Math.max(16, Number(sized[2]) & ~1));
  }
  const lower = prompt.toLowerCase();
  const audio = lower.includes('[audio]') ? true : lower.includes('[silent]') ? false : byte(1) % 2 === 0;
  return { key, width, height, audio, seconds: CLIP_SECONDS };
}

function colour(key: string, at: number): string {
  return `#${key.slice(at, at + 6)}`;
}

/** ffmpeg's arguments to render `spec` into `out`. */
export function clipArgs(spec: ClipSpec, out: string): string[] {
  const { width: w, height: h, key } = spec;
  const cell = 5;
  const seed = parseInt(key.slice(0, 8), 16);
  const life =
    `life=s=${Math.max(4, Math.round(w / cell))}x${Math.max(4, Math.round(h / cell))}:seed=${seed}:mold=10:r=24:ratio=0.3` +
    `:life_color=${colour(key, 2)}:death_color=${colour(key, 8)}:mold_color=${colour(key, 14)},scale=${w}:${h}:flags=neighbor,format=yuv420p`;
  const tone = 220 + (parseInt(key.slice(8, 12), 16) % 660);
  const sound = spec.audio ? ['-f', 'lavfi', '-i', `sine=frequency=${tone}:sample_rate=48000`] : [];
  const maps = spec.audio ? ['-map', '0:v', '-map', '1:a', '-c:a', 'aac', '-ac', '2', '-b:a', '48k'] : ['-map', '0:v'];
  return [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', life, ...sound],
    ...['-t', String(spec.seconds), ...maps, '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '28', '-movflags', '+faststart'],
    `file:${out}`,
  ];
}

const MAX_RENDERS_AT_ONCE = 2;

/** Renders clips on demand, at most two at a time, each once per process and once per machine (disk cache). */
export class ClipMaker {
  private tools: Promise<FfmpegTools | undefined> | undefined;
  private readonly made = new Map<string, Promise<VideoFixture | undefined>>();
  private readonly stills = new Map<string, Promise<FixtureFile | undefined>>();
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly cacheDir = path.join(os.tmpdir(), 'ai-video-emulator-clips'),
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** The clip for `spec`, or undefined when it cannot be made (no ffmpeg): then the caller serves a fixture. */
  clip(spec: ClipSpec): Promise<VideoFixture | undefined> {
    let p = this.made.get(spec.key);
    if (!p) {
      p = this.render(spec).catch((e: unknown) => {
        this.log(`clip ${spec.key} could not be rendered (${e instanceof Error ? e.message : String(e)}); serving a fixture`);
        return undefined;
      });
      this.made.set(spec.key, p);
    }
    return p;
  }

  /** A JPEG of the clip's frame at 1 s (its poster), or undefined when the clip cannot be made. */
  still(spec: ClipSpec): Promise<FixtureFile | undefined> {
    const key = `${spec.key}-still`;
    let p = this.stills.get(key);
    if (!p) {
      p = this.renderStill(spec).catch((e: unknown) => {
        this.log(`the still of clip ${spec.key} could not be rendered (${e instanceof Error ? e.message : String(e)}); serving a fixture`);
        return undefined;
      });
      this.stills.set(key, p);
    }
    return p;
  }

  private async renderStill(spec: ClipSpec): Promise<FixtureFile | undefined> {
    const clip = await this.clip(spec);
    if (!clip) return undefined;
    const file = path.join(this.cacheDir, `${path.basename(clip.name, '.mp4')}.jpg`);
    let bytes = await fs.readFile(file).catch(() => undefined);
    if (!bytes?.length) {
      const tools = await this.ffmpeg();
      if (!tools) return undefined;
      const partial = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.partial.jpg`;
      try {
        const at = String(Math.min(1, spec.seconds / 2));
        const args = [
          '-hide_banner',
          '-nostdin',
          '-loglevel',
          'error',
          '-y',
          '-ss',
          at,
          '-i',
          `file:${path.join(this.cacheDir, clip.name)}`,
        ];
        await runTool(tools.ffmpeg, [...args, '-frames:v', '1', '-q:v', '3', '-f', 'image2', `file:${partial}`], { timeoutMs: 30_000 });
        await fs.rename(partial, file);
      } finally {
        await fs.rm(partial, { force: true });
      }
      bytes = await fs.readFile(file);
    }
    return { name: path.basename(file), bytes, contentType: 'image/jpeg' };
  }

  private ffmpeg(): Promise<FfmpegTools | undefined> {
    this.tools ??= findFfmpeg({ explicitPath: process.env.AIVIDEO_FFMPEG_PATH }).catch(() => {
      this.log('ffmpeg not found: the emulator serves its fixture videos');
      return undefined;
    });
    return this.tools;
  }

  private async render(spec: ClipSpec): Promise<VideoFixture | undefined> {
    const file = path.join(this.cacheDir, `${spec.key}-${spec.width}x${spec.height}${spec.audio ? '-aac' : ''}.mp4`);
    const cached = await fs.readFile(file).catch(() => undefined);
    if (cached && cached.length > 0) return this.fixture(spec, file, cached);
    const tools = await this.ffmpeg();
    if (!tools) return undefined;
    await this.slot();
    try {
      await fs.mkdir(this.cacheDir, { recursive: true });
      const partial = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.partial.mp4`;
      try {
        await runTool(tools.ffmpeg, clipArgs(spec, partial), { timeoutMs: 60_000 });
        await fs.rename(partial, file);
      } finally {
        await fs.rm(partial, { force: true });
      }
    } finally {
      this.release();
    }
    return this.fixture(spec, file, await fs.readFile(file));
  }

  private fixture(spec: ClipSpec, file: string, bytes: Buffer): VideoFixture {
    return {
      name: path.basename(file),
      bytes,
      contentType: 'video/mp4',
      info: { duration: spec.seconds, fps: 24, width: spec.width, height: spec.height },
    };
  }

  private slot(): Promise<void> {
    if (this.running < MAX_RENDERS_AT_ONCE) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}
