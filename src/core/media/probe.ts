// What a video file is, read with ffprobe: length, size, frame rate, video codec and its audio track
// (codec, channels, rate) or none. Everything ffprobe prints is checked before it is believed.
import * as l10n from '@vscode/l10n';

import { isRecord } from '../../shared/guards';
import { FfmpegTools, MediaError, RunOptions, runTool } from './ffmpeg';

export interface AudioInfo {
  codec: string;
  channels: number;
  sampleRate: number;
}

export interface MediaInfo {
  /** Seconds (the container's, else the video stream's). */
  duration: number;
  width: number;
  height: number;
  /** Frames per second, e.g. 24 or 29.97. */
  fps: number;
  /** The frame rate as ffprobe states it ("24/1", "30000/1001"): what a re-encode asks for. */
  fpsRational: string;
  videoCodec: string;
  pixelFormat?: string;
  /** The first audio track, or undefined when the file has none. */
  audio?: AudioInfo;
}

function num(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

function rational(v: unknown): { value: number; text: string } | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^(\d+)(?:\/(\d+))?$/.exec(v.trim());
  if (!m) return undefined;
  const den = m[2] === undefined ? 1 : Number(m[2]);
  const value = Number(m[1]) / den;
  return den > 0 && value > 0 && value <= 1000 ? { value, text: m[2] === undefined ? `${m[1]}/1` : v.trim() } : undefined;
}

/** ffprobe's JSON (`-show_format -show_streams`) as MediaInfo; undefined when it holds no usable video. */
export function parseProbe(json: unknown): MediaInfo | undefined {
  if (!isRecord(json) || !Array.isArray(json.streams)) return undefined;
  const streams = json.streams.filter(isRecord);
  const video = streams.find((s) => s.codec_type === 'video' && !(isRecord(s.disposition) && s.disposition.attached_pic === 1));
  if (!video) return undefined;
  const width = num(video.width);
  const height = num(video.height);
  const rate = rational(video.avg_frame_rate) ?? rational(video.r_frame_rate);
  const format = isRecord(json.format) ? json.format : {};
  const duration = num(format.duration) ?? num(video.duration);
  if (!width || !height || !rate || duration === undefined || duration <= 0) return undefined;
  const info: MediaInfo = {
    duration,
    width,
    height,
    fps: rate.value,
    fpsRational: rate.text,
    videoCodec: typeof video.codec_name === 'string' ? video.codec_name : 'unknown',
  };
  if (typeof video.pix_fmt === 'string') info.pixelFormat = video.pix_fmt;
  const audio = streams.find((s) => s.codec_type === 'audio');
  if (audio) {
    info.audio = {
      codec: typeof audio.codec_name === 'string' ? audio.codec_name : 'unknown',
      channels: num(audio.channels) ?? 0,
      sampleRate: num(audio.sample_rate) ?? 0,
    };
  }
  return info;
}

/** Probes `file` (a path already checked by the caller). Throws `badMedia` when it is not a video. */
export async function probeFile(tools: FfmpegTools, file: string, options: RunOptions = {}): Promise<MediaInfo> {
  const { stdout } = await runTool(
    tools.ffprobe,
    ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', `file:${file}`],
    { timeoutMs: options.timeoutMs ?? 30_000, signal: options.signal },
  ).catch((e: unknown) => {
    if (e instanceof MediaError && e.code === 'ffmpegFailed') {
      throw new MediaError('badMedia', l10n.t('{0} is not a video ffprobe can read.', file));
    }
    throw e;
  });
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    json = undefined;
  }
  const info = parseProbe(json);
  if (!info) throw new MediaError('badMedia', l10n.t('{0} is not a video ffprobe can read.', file));
  return info;
}
