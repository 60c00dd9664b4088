// One frame of a video as a PNG at the video's own size: the first (to start from), or the last (to
// continue a shot from). The PNG is written beside its final name and renamed into place, so a reader
// never sees half a file.
import { promises as fs } from 'fs';
import * as path from 'path';
import * as l10n from '@vscode/l10n';

import { FfmpegTools, MediaError, RunOptions, runTool } from './ffmpeg';
import { MediaInfo } from './probe';

export type FrameWhich = 'first' | 'last';

export function isFrameWhich(v: unknown): v is FrameWhich {
  return v === 'first' || v === 'last';
}

/** ffmpeg's arguments to write one frame of `video` (whose probe is `info`) to `out`. */
export function frameArgs(video: string, info: MediaInfo, which: FrameWhich, out: string): string[] {
  const head = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'];
  // The last frame: start a little before the end and let the image muxer overwrite its single file
  // with every frame decoded, so the file ends up holding the very last one.
  const seek = which === 'last' ? ['-sseof', `-${Math.min(1, info.duration).toFixed(3)}`] : [];
  const pick = which === 'last' ? ['-update', '1'] : ['-frames:v', '1'];
  return [...head, ...seek, '-i', `file:${video}`, '-map', '0:v:0', '-an', ...pick, '-f', 'image2', '-c:v', 'png', `file:${out}`];
}

/** Writes the first or last frame of `video` to `outPng` (both paths already checked). */
export async function writeFrame(
  tools: FfmpegTools,
  video: string,
  info: MediaInfo,
  which: FrameWhich,
  outPng: string,
  options: RunOptions = {},
): Promise<void> {
  const partial = path.join(path.dirname(outPng), `.${path.basename(outPng)}.${process.pid}.${Date.now()}.partial.png`);
  try {
    await runTool(tools.ffmpeg, frameArgs(video, info, which, partial), { timeoutMs: options.timeoutMs ?? 60_000, signal: options.signal });
    const st = await fs.stat(partial).catch(() => undefined);
    if (!st || st.size === 0) throw new MediaError('badMedia', l10n.t('No frame could be read from {0}.', video));
    await fs.rename(partial, outPng);
  } finally {
    await fs.rm(partial, { force: true });
  }
}
