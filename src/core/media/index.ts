// The media toolbox every caller uses (the extension, storyboards, the CLI): ffmpeg found once per
// path, every input and output checked against the roots the caller allows, then probe, one frame as
// a PNG, or clips joined into a film. Nothing here needs ffmpeg until a method is called, so a
// machine without it loses only these features.
import * as l10n from '@vscode/l10n';

import { FfmpegTools, findFfmpeg, MediaError, RunOptions } from './ffmpeg';
import { FrameWhich, writeFrame } from './frames';
import { checkedInput, checkedOutput } from './mediaPaths';
import { MediaInfo, probeFile } from './probe';
import { StitchResult, writeStitched } from './stitch';

export { FfmpegMissingError, findFfmpeg, isFfmpegMissing, MediaError, runTool } from './ffmpeg';
export type { FfmpegTools, MediaErrorCode, RunOptions } from './ffmpeg';
export { isFrameWhich } from './frames';
export type { FrameWhich } from './frames';
export { parseProbe } from './probe';
export type { AudioInfo, MediaInfo } from './probe';
export { decideStitch } from './stitch';
export type { StitchDecision, StitchMode, StitchResult } from './stitch';

export interface MediaOptions {
  /** The ffmpeg program (`aiVideo.ffmpegPath`, `AIVIDEO_FFMPEG_PATH`), read at each use; blank: the PATH. */
  ffmpegPath?: string | (() => string | undefined);
  /** The folders inputs and outputs must lie in (by real path), read at each use. */
  allowedRoots: readonly string[] | (() => readonly string[]);
  /** The environment whose PATH is searched (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

export interface Media {
  /** ffmpeg and ffprobe, or FfmpegMissingError. */
  tools(): Promise<FfmpegTools>;
  probe(file: string, options?: RunOptions): Promise<MediaInfo>;
  /** Writes the first or last frame of `video` as a PNG at the video's own size; returns the PNG's path. */
  extractFrame(video: string, which: FrameWhich, outPng: string, options?: RunOptions): Promise<string>;
  /** Joins `clips` in order into `outFile`: a stream copy when they match, else a re-encode. */
  stitch(clips: readonly string[], outFile: string, options?: RunOptions): Promise<StitchResult>;
}

export function createMedia(options: MediaOptions): Media {
  let found: { key: string; tools: Promise<FfmpegTools> } | undefined;
  const roots = (): readonly string[] => (typeof options.allowedRoots === 'function' ? options.allowedRoots() : options.allowedRoots);
  const tools = (): Promise<FfmpegTools> => {
    const explicitPath = (typeof options.ffmpegPath === 'function' ? options.ffmpegPath() : options.ffmpegPath)?.trim() ?? '';
    if (!found || found.key !== explicitPath) {
      const promise = findFfmpeg({ explicitPath, env: options.env });
      // A failed search is not remembered: installing ffmpeg must work without a reload.
      promise.catch(() => {
        if (found?.tools === promise) found = undefined;
      });
      found = { key: explicitPath, tools: promise };
    }
    return found.tools;
  };
  const probe = async (file: string, run?: RunOptions): Promise<MediaInfo> =>
    probeFile(await tools(), await checkedInput(file, roots()), run);
  return {
    tools,
    probe,
    async extractFrame(video, which, outPng, run) {
      const t = await tools();
      const input = await checkedInput(video, roots());
      const info = await probeFile(t, input, run);
      const out = await checkedOutput(outPng, roots());
      await writeFrame(t, input, info, which, out, run);
      return out;
    },
    async stitch(clips, outFile, run) {
      if (clips.length === 0) throw new MediaError('badMedia', l10n.t('There are no clips to join.'));
      const t = await tools();
      const inputs: string[] = [];
      for (const c of clips) inputs.push(await checkedInput(c, roots()));
      const infos: MediaInfo[] = [];
      for (const c of inputs) infos.push(await probeFile(t, c, run));
      const out = await checkedOutput(outFile, roots());
      const decision = await writeStitched(t, inputs, infos, out, run);
      const info = await probeFile(t, out, run);
      return { decision, output: out, info, expectedDuration: infos.reduce((s, i) => s + i.duration, 0) };
    },
  };
}
