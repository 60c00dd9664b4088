// Paths that meet the workspace: the folder Save to Workspace writes into (never through a link that
// leads out of the workspace), whether a file really lies inside the workspace, and how inputs and
// results are written into the sidecar JSON, a file people commit (no absolute local paths, no
// signed-URL tokens).
import { promises as fs } from 'fs';
import * as path from 'path';
import * as l10n from '@vscode/l10n';

import { ProviderError } from '../model/errors';
import { isRemoteUrl, toLocalPath } from '../request/media';

export const DEFAULT_SAVE_FOLDER = 'generated-videos';

function isInsideOrSame(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

/**
 * Whether the file `file` lies inside one of `roots`, both compared by their real paths (links
 * followed), so a link in the workspace that leads out of it counts as outside. `real` is the
 * file's real path; roots that do not exist hold nothing.
 */
export async function realPlace(file: string, roots: readonly string[]): Promise<{ real: string; inside: boolean }> {
  const real = await fs.realpath(file);
  for (const root of roots) {
    const realRoot = await fs.realpath(root).catch(() => undefined);
    if (realRoot && isInsideOrSame(realRoot, real)) return { real, inside: true };
  }
  return { real, inside: false };
}

function configError(message: string): ProviderError {
  return new ProviderError({ kind: 'config', message });
}

/** The `aiVideo.saveFolder` setting as a relative path ("a/b"); refuses one that climbs out with `..`. */
export function saveFolderSetting(setting: string | undefined): string {
  const rel = path.posix.normalize((setting ?? '').trim().replace(/\\/g, '/') || DEFAULT_SAVE_FOLDER).replace(/^\/+/, '');
  if (rel === '..' || rel.startsWith('../')) throw configError(l10n.t('aiVideo.saveFolder must be a folder inside the workspace.'));
  return rel === '.' ? '' : rel.replace(/\/+$/, '');
}

/**
 * Creates the folder `rel` under the workspace folder `root`, one level at a time, checking the real
 * path of each. Refuses when a level is a link that resolves outside the workspace, or a link to
 * nothing, so a committed `generated-videos -> /elsewhere` link cannot redirect the write.
 */
export async function ensureSaveFolder(root: string, rel: string): Promise<void> {
  const realRoot = await fs.realpath(root);
  let current = root;
  for (const part of rel.split('/').filter((p) => p !== '' && p !== '.')) {
    current = path.join(current, part);
    const shown = path.relative(root, current).split(path.sep).join('/');
    const real = await fs.realpath(current).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
      if (
        await fs.lstat(current).then(
          () => true,
          () => false,
        )
      ) {
        throw configError(
          l10n.t(
            '"{0}" in the workspace is a link to something that does not exist, so nothing was saved. Remove the link or set aiVideo.saveFolder to another folder.',
            shown,
          ),
        );
      }
      await fs.mkdir(current);
      return fs.realpath(current);
    });
    if (!isInsideOrSame(realRoot, real)) {
      throw configError(
        l10n.t(
          '"{0}" in the workspace is a link to a folder outside the workspace ({1}), so nothing was saved. Remove the link or set aiVideo.saveFolder to a folder inside the workspace.',
          shown,
          real,
        ),
      );
    }
    if (!(await fs.stat(real)).isDirectory()) {
      throw configError(l10n.t('"{0}" in the workspace is a file, not a folder; set aiVideo.saveFolder to a folder.', shown));
    }
  }
}

/** A URL without its query string, fragment or user info (where signed links keep their tokens). */
export function withoutQuery(url: string): string {
  try {
    const u = new URL(url);
    u.search = '';
    u.hash = '';
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url.split(/[?#]/)[0];
  }
}

/** An input as the sidecar records it: a URL without its query, a path relative to the workspace, or else the file's base name. */
export function portableInput(ref: string, workspaceRoot: string | undefined): string {
  if (isRemoteUrl(ref)) return withoutQuery(ref);
  let file: string;
  try {
    file = toLocalPath(ref);
  } catch {
    return path.basename(ref.split(/[?#]/)[0]);
  }
  if (workspaceRoot) {
    const rel = path.relative(workspaceRoot, file);
    if (rel && isInsideOrSame(workspaceRoot, file)) return rel.split(path.sep).join('/');
  }
  return path.basename(file);
}
