// Stitching at storyboard scale: ten 2 s clips joined into one film, once with clips that all match
// (a stream copy) and once with mixed sizes and sound (a re-encode to the first clip's size, silence
// for the silent ones). The clips are rendered with ffmpeg first, as the emulator renders them.
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';

import { createMedia, findFfmpeg, runTool, type StitchMode } from '../core/media';
import { clipArgs, clipSpec } from '../emulator/clips';
import { Timing, timing } from './storeBench';

export const STITCH_CLIPS = 10;
export const STITCH_CLIP_SECONDS = 2;

export interface StitchFigures {
  clips: number;
  clipSeconds: number;
  copy: Timing;
  encode: Timing;
  /** The decisions made, to show the sets did what they are named for. */
  modes: { copy: StitchMode; encode: StitchMode };
  /** The films' lengths, seconds. */
  durations: { copy: number; encode: number };
}

async function render(dir: string, name: string, prompt: string): Promise<string> {
  const { ffmpeg } = await findFfmpeg({ explicitPath: process.env.AIVIDEO_FFMPEG_PATH });
  const file = path.join(dir, name);
  await runTool(ffmpeg, clipArgs({ ...clipSpec(prompt, 0), seconds: STITCH_CLIP_SECONDS }, file));
  return file;
}

export async function stitchBench(runs = 3): Promise<StitchFigures> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aivideo-stitch-bench-'));
  try {
    const matching: string[] = [];
    const mixed: string[] = [];
    for (let i = 0; i < STITCH_CLIPS; i++) {
      matching.push(await render(dir, `match-${i}.mp4`, `shot ${i} [size=320x180] [audio]`));
      const size = i % 2 === 0 ? '[size=320x180]' : '[size=240x240]';
      const sound = i % 3 === 0 ? '[silent]' : '[audio]';
      mixed.push(await render(dir, `mixed-${i}.mp4`, `shot ${i} ${size} ${sound}`));
    }
    const media = createMedia({ allowedRoots: [dir], ffmpegPath: process.env.AIVIDEO_FFMPEG_PATH });
    const time = async (clips: string[], label: string) => {
      const samples: number[] = [];
      let last: Awaited<ReturnType<typeof media.stitch>> | undefined;
      for (let r = 0; r < runs; r++) {
        const started = performance.now();
        last = await media.stitch(clips, path.join(dir, `${label}-${r}.mp4`));
        samples.push(performance.now() - started);
      }
      return { t: timing(samples), mode: last!.decision.mode, duration: last!.info.duration };
    };
    const copy = await time(matching, 'copy');
    const encode = await time(mixed, 'encode');
    return {
      clips: STITCH_CLIPS,
      clipSeconds: STITCH_CLIP_SECONDS,
      copy: copy.t,
      encode: encode.t,
      modes: { copy: copy.mode, encode: encode.mode },
      durations: { copy: copy.duration, encode: encode.duration },
    };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
