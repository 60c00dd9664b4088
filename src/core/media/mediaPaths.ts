// Keeps ffmpeg's inputs and outputs inside the places the caller allows (the workspace folder, the
// extension's global storage): compared by real path, so a link that leads out counts as outside, and
// an output is never written through a link.
import { promises as fs } from 'fs';
import * as path from 'path';
import * as l10n from '@vscode/l10n';

import { MediaError } from './ffmpeg';

function isInsideOrSame(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

async function insideAny(real: string, roots: readonly string[]): Promise<boolean> {
  for (const root of roots) {
    const realRoot = await fs.realpath(root).catch(() => undefined);
    if (realRoot && isInsideOrSame(realRoot, real)) return true;
  }
  return false;
}

function outside(file: string): MediaError {
  return new MediaError('outsideRoots', l10n.t('{0} is outside the workspace and the extension storage: refused.', file));
}

/** The real path of an existing input file inside `roots`; throws `outsideRoots` or `badMedia`. */
export async function checkedInput(file: string, roots: readonly string[]): Promise<string> {
  const real = await fs.realpath(file).catch(() => undefined);
  if (!real) throw new MediaError('badMedia', l10n.t('{0} does not exist.', file));
  if (!(await insideAny(real, roots))) throw outside(file);
  const st = await fs.stat(real);
  if (!st.isFile()) throw new MediaError('badMedia', l10n.t('{0} is not a file.', file));
  return real;
}

/**
 * An output path whose folder (created if needed) lies inside `roots` by real path, and which is not
 * itself a link; returns the absolute path to write.
 */
export async function checkedOutput(file: string, roots: readonly string[]): Promise<string> {
  const abs = path.resolve(file);
  const dir = path.dirname(abs);
  // Check before creating anything, then again by real path once the folder exists.
  if (!roots.some((r) => isInsideOrSame(path.resolve(r), abs)) && !(await insideAny(abs, roots))) throw outside(file);
  await fs.mkdir(dir, { recursive: true });
  const realDir = await fs.realpath(dir);
  if (!(await insideAny(realDir, roots))) throw outside(file);
  const st = await fs.lstat(abs).catch(() => undefined);
  if (st?.isSymbolicLink()) throw outside(file);
  if (st?.isDirectory()) throw new MediaError('badMedia', l10n.t('{0} is a folder.', file));
  return path.join(realDir, path.basename(abs));
}
