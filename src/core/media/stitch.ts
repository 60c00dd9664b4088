// Joining clips into one film, in the order given. When every clip shares video codec, size, frame
// rate and audio layout the streams are copied (fast, lossless); otherwise every clip is re-encoded to
// the first clip's size (scaled to fit and padded, aspect kept) and frame rate, and when any clip has
// sound, the silent ones get silence, so the film's length is the sum of its clips'.
import { randomBytes } from 'crypto';
import { promises as fs } from 'fs';
import * as path from 'path';
import * as l10n from '@vscode/l10n';

import { FfmpegTools, MediaError, RunOptions, runTool } from './ffmpeg';
import { MediaInfo } from './probe';

export type StitchMode = 'copy' | 'encode';

export interface StitchDecision {
  mode: StitchMode;
  /** Why the clips are re-encoded (empty for a copy): "size 320x180 ≠ 640x360 (clip 2)". */
  reasons: string[];
  width: number;
  height: number;
  /** The film's frame rate as a rational ("24/1"). */
  fps: string;
  /** Whether the film has a sound track. */
  audio: boolean;
}

export interface StitchResult {
  decision: StitchDecision;
  output: string;
  /** The film as ffprobe sees it. */
  info: MediaInfo;
  /** The sum of the clips' durations, in seconds. */
  expectedDuration: number;
}

const SAME_FPS_TOLERANCE = 0.01;

function even(n: number): number {
  return Math.max(2, Math.round(n / 2) * 2);
}

function audioLayout(info: MediaInfo): string {
  return info.audio ? `${info.audio.codec}/${info.audio.channels}ch/${info.audio.sampleRate}Hz` : 'none';
}

/** Copy or re-encode, and to what: pure, from the clips' probes (at least one). */
export function decideStitch(clips: readonly MediaInfo[]): StitchDecision {
  if (clips.length === 0) throw new MediaError('badMedia', l10n.t('There are no clips to join.'));
  const first = clips[0];
  const reasons: string[] = [];
  clips.forEach((c, i) => {
    if (i === 0) return;
    const n = i + 1;
    if (c.videoCodec !== first.videoCodec) reasons.push(`codec ${c.videoCodec} ≠ ${first.videoCodec} (clip ${n})`);
    if (c.width !== first.width || c.height !== first.height) {
      reasons.push(`size ${c.width}x${c.height} ≠ ${first.width}x${first.height} (clip ${n})`);
    }
    if (Math.abs(c.fps - first.fps) > SAME_FPS_TOLERANCE) reasons.push(`fps ${c.fps} ≠ ${first.fps} (clip ${n})`);
    if (audioLayout(c) !== audioLayout(first)) reasons.push(`audio ${audioLayout(c)} ≠ ${audioLayout(first)} (clip ${n})`);
  });
  const copy = reasons.length === 0;
  return {
    mode: copy ? 'copy' : 'encode',
    reasons,
    width: copy ? first.width : even(first.width),
    height: copy ? first.height : even(first.height),
    fps: first.fpsRational,
    audio: clips.some((c) => c.audio !== undefined),
  };
}

/** A line of ffmpeg's concat list: the path quoted as the concat demuxer reads it. */
function concatLine(file: string): string {
  if (/[\r\n]/.test(file)) {
    throw new MediaError('badMedia', l10n.t('{0}: a file name with a line break cannot be joined.', JSON.stringify(file)));
  }
  return `file '${file.replace(/'/g, "'\\''")}'`;
}

const HEAD = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'];

/** ffmpeg's arguments for a stream copy of the clips listed in `listFile`. */
export function copyArgs(listFile: string, out: string): string[] {
  return [
    ...HEAD,
    '-f',
    'concat',
    '-safe',
    '0',
    '-i',
    `file:${listFile}`,
    '-map',
    '0',
    '-c',
    'copy',
    '-movflags',
    '+faststart',
    `file:${out}`,
  ];
}

/** ffmpeg's arguments to re-encode `clips` (probed as `infos`) into one film as `decision` says. */
export function encodeArgs(clips: readonly string[], infos: readonly MediaInfo[], decision: StitchDecision, out: string): string[] {
  const { width: w, height: h, fps } = decision;
  const parts: string[] = [];
  const joined: string[] = [];
  infos.forEach((info, i) => {
    const d = info.duration.toFixed(6);
    parts.push(
      `[${i}:v:0]scale=${w}:${h}:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=${fps},format=yuv420p,` +
        `tpad=stop_mode=clone:stop_duration=${d},trim=duration=${d},setpts=PTS-STARTPTS[v${i}]`,
    );
    joined.push(`[v${i}]`);
    if (!decision.audio) return;
    parts.push(
      info.audio
        ? `[${i}:a:0]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,apad=whole_dur=${d},atrim=duration=${d},asetpts=PTS-STARTPTS[a${i}]`
        : `anullsrc=r=48000:cl=stereo,atrim=duration=${d},aformat=sample_fmts=fltp:channel_layouts=stereo,asetpts=PTS-STARTPTS[a${i}]`,
    );
    joined.push(`[a${i}]`);
  });
  const a = decision.audio ? 1 : 0;
  parts.push(`${joined.join('')}concat=n=${infos.length}:v=1:a=${a}[v]${a ? '[a]' : ''}`);
  const inputs = clips.flatMap((c) => ['-i', `file:${c}`]);
  const audioOut = decision.audio ? ['-map', '[a]', '-c:a', 'aac', '-b:a', '128k'] : [];
  return [
    ...HEAD,
    ...inputs,
    '-filter_complex',
    parts.join(';'),
    '-map',
    '[v]',
    ...audioOut,
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '20',
    '-pix_fmt',
    'yuv420p',
    '-r',
    fps,
    '-movflags',
    '+faststart',
    `file:${out}`,
  ];
}

/**
 * Joins `clips` (paths already checked, probed as `infos`) into `outFile`, written beside its final
 * name and renamed into place. Returns the decision; the caller probes the film.
 */
export async function writeStitched(
  tools: FfmpegTools,
  clips: readonly string[],
  infos: readonly MediaInfo[],
  outFile: string,
  options: RunOptions = {},
): Promise<StitchDecision> {
  const decision = decideStitch(infos);
  const dir = path.dirname(outFile);
  const tag = `${process.pid}.${randomBytes(4).toString('hex')}`;
  const partial = path.join(dir, `.${path.basename(outFile, path.extname(outFile))}.${tag}.partial${path.extname(outFile) || '.mp4'}`);
  const list = path.join(dir, `.${path.basename(outFile)}.${tag}.concat.txt`);
  const total = infos.reduce((s, i) => s + i.duration, 0);
  // A re-encode takes time in proportion to the film: allow a generous rate, never less than the default.
  const timeoutMs = options.timeoutMs ?? Math.max(120_000, Math.ceil(total * 10_000));
  try {
    if (decision.mode === 'copy') {
      await fs.writeFile(list, clips.map(concatLine).join('\n') + '\n', 'utf8');
      await runTool(tools.ffmpeg, copyArgs(list, partial), { timeoutMs, signal: options.signal });
    } else {
      await runTool(tools.ffmpeg, encodeArgs(clips, infos, decision, partial), { timeoutMs, signal: options.signal });
    }
    await fs.rename(partial, outFile);
  } finally {
    await fs.rm(partial, { force: true });
    await fs.rm(list, { force: true });
  }
  return decision;
}
