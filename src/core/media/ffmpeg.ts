// Finding and running ffmpeg and ffprobe: an explicit path (`aiVideo.ffmpegPath`, `AIVIDEO_FFMPEG_PATH`)
// or the PATH, ffprobe beside ffmpeg. Each run is a child process with an argument list (never a shell
// string), a time limit and an AbortSignal, so a stuck or cancelled ffmpeg never holds anything up.
// A missing ffmpeg is a typed error whose message says which setting to set and how to install it.
import { spawn } from 'child_process';
import { promises as fs } from 'fs';
import * as path from 'path';
import * as l10n from '@vscode/l10n';

export type MediaErrorCode = 'ffmpegMissing' | 'ffmpegFailed' | 'timeout' | 'cancelled' | 'outsideRoots' | 'badMedia';

/** Something went wrong with local media work; `code` says what, the message says it to a person. */
export class MediaError extends Error {
  constructor(
    readonly code: MediaErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MediaError';
  }
}

/** ffmpeg (or ffprobe) was not found where the setting or the PATH says. */
export class FfmpegMissingError extends MediaError {
  constructor(readonly looked: string) {
    super(
      'ffmpegMissing',
      l10n.t(
        'ffmpeg was not found ({0}). Install it (Debian/Ubuntu: apt-get install ffmpeg, macOS: brew install ffmpeg, Windows: winget install ffmpeg) or set aiVideo.ffmpegPath to the ffmpeg program.',
        looked,
      ),
    );
    this.name = 'FfmpegMissingError';
  }
}

export function isFfmpegMissing(e: unknown): e is FfmpegMissingError {
  return e instanceof MediaError && e.code === 'ffmpegMissing';
}

export interface FfmpegTools {
  ffmpeg: string;
  ffprobe: string;
}

export interface FindOptions {
  /** An explicit ffmpeg program (a setting); empty or blank means "look on the PATH". */
  explicitPath?: string;
  /** The environment whose PATH is searched (default: this process's). */
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) return false;
    if (process.platform === 'win32') return true;
    await fs.access(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function programNames(base: string, platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string[] {
  if (platform !== 'win32') return [base];
  const exts = (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').filter(Boolean);
  return [base, ...exts.map((e) => base + e.toLowerCase())];
}

async function onPath(base: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): Promise<string | undefined> {
  const dirs = (env.PATH ?? env.Path ?? '').split(platform === 'win32' ? ';' : ':').filter(Boolean);
  for (const dir of dirs) {
    for (const name of programNames(base, platform, env)) {
      const candidate = path.join(dir, name);
      if (await isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

/** The ffprobe beside `ffmpeg` (same folder, same suffix), if there is one. */
async function besideFfmpeg(ffmpeg: string): Promise<string | undefined> {
  const dir = path.dirname(ffmpeg);
  const base = path.basename(ffmpeg);
  const candidates = [base.replace(/ffmpeg/i, 'ffprobe'), process.platform === 'win32' ? 'ffprobe.exe' : 'ffprobe'];
  for (const name of candidates) {
    if (name === base) continue;
    const candidate = path.join(dir, name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Where ffmpeg and ffprobe are: `explicitPath` when given (it must exist; a folder holding ffmpeg is
 * taken too), else the PATH; ffprobe beside ffmpeg, else on the PATH. Throws FfmpegMissingError.
 */
export async function findFfmpeg(options: FindOptions = {}): Promise<FfmpegTools> {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const explicit = options.explicitPath?.trim();
  let ffmpeg: string | undefined;
  if (explicit) {
    const st = await fs.stat(explicit).catch(() => undefined);
    if (st?.isDirectory()) {
      for (const name of programNames('ffmpeg', platform, env)) {
        const candidate = path.join(explicit, name);
        if (await isExecutableFile(candidate)) ffmpeg = candidate;
        if (ffmpeg) break;
      }
    } else if (await isExecutableFile(explicit)) {
      ffmpeg = explicit;
    }
    if (!ffmpeg) throw new FfmpegMissingError(l10n.t('aiVideo.ffmpegPath is {0}', explicit));
  } else {
    ffmpeg = await onPath('ffmpeg', env, platform);
    if (!ffmpeg) throw new FfmpegMissingError(l10n.t('not on the PATH'));
  }
  const ffprobe = (await besideFfmpeg(ffmpeg)) ?? (await onPath('ffprobe', env, platform));
  if (!ffprobe) throw new FfmpegMissingError(l10n.t('ffprobe is not beside {0} nor on the PATH', ffmpeg));
  return { ffmpeg, ffprobe };
}

export interface RunOptions {
  /** Kills the process after this long (default two minutes). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

export const DEFAULT_TIMEOUT_MS = 120_000;

/** The last lines of ffmpeg's stderr, enough to say what went wrong without its banner. */
function tail(text: string, lines = 6): string {
  return text.trim().split(/\r?\n/).slice(-lines).join('\n').slice(-1500);
}

/**
 * Runs `program` with `args` (no shell), collecting stdout and stderr. Rejects with a MediaError on a
 * non-zero exit (`ffmpegFailed`, with the end of stderr), the time limit (`timeout`) or the signal
 * (`cancelled`); the process is killed in the last two cases.
 */
export function runTool(program: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise<RunResult>((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new MediaError('cancelled', l10n.t('Cancelled.')));
      return;
    }
    const child = spawn(program, [...args], { shell: false, windowsHide: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let errBytes = 0;
    let ended: MediaError | undefined;
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => {
      // Keep the stderr of a long encode bounded: only its end says what went wrong.
      err.push(b);
      errBytes += b.length;
      while (errBytes > 256 * 1024 && err.length > 1) errBytes -= err.shift()!.length;
    });
    const stop = (why: MediaError): void => {
      if (ended) return;
      ended = why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(
      () =>
        stop(
          new MediaError(
            'timeout',
            l10n.t('{0} took longer than {1} s and was stopped.', path.basename(program), Math.round(timeoutMs / 1000)),
          ),
        ),
      timeoutMs,
    );
    const onAbort = (): void => stop(new MediaError('cancelled', l10n.t('Cancelled.')));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      finish();
      if (e.code === 'ENOENT') reject(new FfmpegMissingError(program));
      else reject(new MediaError('ffmpegFailed', l10n.t('{0} could not be started: {1}', path.basename(program), e.message)));
    });
    child.on('close', (code) => {
      finish();
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (ended) reject(ended);
      else if (code !== 0) {
        reject(
          new MediaError('ffmpegFailed', l10n.t('{0} failed (exit code {1}): {2}', path.basename(program), String(code), tail(stderr))),
        );
      } else resolve({ stdout, stderr });
    });
  });
}
