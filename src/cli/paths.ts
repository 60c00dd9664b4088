// Where the CLI reads and writes: the root a storyboard's paths are relative to (the same folder the
// extension takes as the workspace, so both write the same lockfile), the output folder, and the
// state folder that holds the CLI's task history, downloads and spend ledger.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import type { Env } from './env';

/** The folder outputs go to by default, under the root: the extension's default `aiVideo.saveFolder`. */
export const DEFAULT_OUT = 'generated-videos';

/** Markers of a workspace folder: a repository or a folder VS Code was opened on. */
const ROOT_MARKERS = ['.git', '.vscode'];

/**
 * The nearest folder above `file` (its own folder first) that holds `.git` or `.vscode`, else the
 * file's own folder. `file` is absolute.
 */
export function findRoot(file: string): string {
  const own = path.dirname(file);
  for (let dir = own; ; dir = path.dirname(dir)) {
    if (ROOT_MARKERS.some((m) => fs.existsSync(path.join(dir, m)))) return dir;
    if (path.dirname(dir) === dir) return own;
  }
}

export interface CliPaths {
  /** The storyboard, absolute. */
  file: string;
  root: string;
  /** Where the shots' takes and the film go. */
  out: string;
}

/**
 * The paths of a run: `file` and `root` resolved against the working directory, `out` against the
 * root (so `--out` takes the same value as the workspace's `aiVideo.saveFolder`).
 */
export function resolvePaths(cwd: string, file: string, root?: string, out?: string): CliPaths {
  const absFile = path.resolve(cwd, file);
  const absRoot = root !== undefined ? path.resolve(cwd, root) : findRoot(absFile);
  return { file: absFile, root: absRoot, out: path.resolve(absRoot, out ?? DEFAULT_OUT) };
}

/** `$XDG_STATE_HOME/ai-video-studio`, else `~/.local/state/ai-video-studio`. */
export function stateDir(env: Env, home: string = os.homedir()): string {
  const xdg = env.XDG_STATE_HOME?.trim();
  // The XDG spec ignores a relative value.
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.local', 'state');
  return path.join(base, 'ai-video-studio');
}
