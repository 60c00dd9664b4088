// Media named in text (a ```video block, an agent's tool call): https URLs pass as they are; a path is
// taken relative to a folder and must name a file on disk. Paths written in a workspace file (blocks,
// storyboards) come with rules: the file must lie, by its real path (links followed), inside the
// workspace or the extension's own storage, else it is reported `outside` with that real path and the
// caller asks before uploading it (a cloned repository must not send ../../Pictures/passport.png on
// one click); an absolute path is refused in an untrusted workspace. Without rules (a script's
// request) any local file is taken. Messages quote the path with no link in it (shared/links.ts).
import { promises as fs } from 'fs';
import * as path from 'path';
import * as l10n from '@vscode/l10n';

import { literal } from '../../shared/links';
import { realPlace } from './workspacePaths';

/** Where media written in a workspace file may come from without asking. */
export interface MediaRules {
  /** The workspace folder of the file, and the extension's own storage (frames it extracted). */
  roots: readonly string[];
  /** `vscode.workspace.isTrusted`: an untrusted workspace may not name absolute paths. */
  trusted: boolean;
}

/** A usable reference (`outside`: the real path of a local file outside the rules' roots), or what is wrong. */
export type MediaRef = { ok: true; value: string; outside?: string } | { ok: false; message: string };

/** Resolves `ref` against `folder` (a local folder path) and checks it; `rules` for paths written in a workspace file. */
export async function resolveMedia(ref: string, folder: string | undefined, rules?: MediaRules): Promise<MediaRef> {
  if (/^https:\/\//i.test(ref)) return { ok: true, value: ref };
  if (/^[a-z][\w+.-]*:\/\//i.test(ref)) {
    return { ok: false, message: l10n.t('"{0}": only https URLs and files on disk can be used.', literal(ref)) };
  }
  let file: string;
  if (path.isAbsolute(ref)) {
    if (rules && !rules.trusted) {
      return {
        ok: false,
        message: l10n.t(
          '"{0}" is an absolute path, which video blocks may not use in an untrusted workspace. Give a path inside the workspace, or trust it.',
          literal(ref),
        ),
      };
    }
    file = path.normalize(ref);
  } else if (folder) file = path.join(folder, ...ref.split(/[\\/]+/));
  else {
    return {
      ok: false,
      message: l10n.t(
        '"{0}" is a relative path, but there is no folder to take it from: open a folder or give an absolute path.',
        literal(ref),
      ),
    };
  }
  const stat = await fs.stat(file).catch(() => undefined);
  if (!stat) return { ok: false, message: l10n.t('File not found: "{0}"', literal(file, 1000)) };
  if (stat.isDirectory()) return { ok: false, message: l10n.t('"{0}" is a folder, not a file.', literal(ref)) };
  if (!rules) return { ok: true, value: file };
  const place = await realPlace(file, rules.roots);
  // What lies outside is read from its real path, the one the question showed.
  return place.inside ? { ok: true, value: file } : { ok: true, value: place.real, outside: place.real };
}

/** The question a click on Generate asks before uploading files from outside the workspace. */
export function outsideQuestion(files: readonly string[], provider: string): string {
  return files.length === 1
    ? l10n.t('This block uploads "{0}" to {1}. The file is outside the workspace. Upload it?', literal(files[0], 1000), provider)
    : l10n.t(
        'This block uploads {0} files from outside the workspace to {1}: {2}. Upload them?',
        files.length,
        provider,
        files.map((f) => `"${literal(f, 1000)}"`).join(', '),
      );
}

/** Why a script's call of a block command sent nothing. */
export function outsideRefusal(files: readonly string[]): string {
  return l10n.t(
    'Nothing was sent: the block names {0}, outside the workspace. Click its Generate lens to confirm the upload, or pass the request to aiVideo.generate.',
    files.map((f) => `"${literal(f, 1000)}"`).join(', '),
  );
}
