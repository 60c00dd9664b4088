// A storyboard's film as the player shows it: where the file is (checked to be a real file inside the
// workspace folder, symlinks resolved, so the player's webview may load its folder and nothing more),
// and what it is made of, read from the storyboard (the shots' order) and its lockfile (what each shot
// was made with and cost). Play Film, the player panel and its restore after a reload all come here.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

import { parseStoryboard } from '../../core/storyboard/parse';
import type { LockShot } from '../../core/storyboard/types';
import type { FilmMeta } from '../../webview/player/playerProtocol';
import { filmMeta } from '../panels/player/filmPage';
import { isPathInside } from '../panels/player/playerPage';
import { promptCatalog } from '../promptFiles/promptFileFeatures';
import { filmRel, placeOf, readLockAt } from './storyboardHost';

export type FilmContent =
  | {
      kind: 'film';
      /** The film's real path. */
      file: string;
      /** Its folder: the one folder the player's webview may load it from. */
      folder: string;
      meta: FilmMeta;
    }
  | { kind: 'unavailable'; message: string };

/** The film's path as Play Film names it (absent or not); a message when the URI is not a storyboard in the workspace. */
export function filmPath(storyboard: vscode.Uri): string | { error: string } {
  const place = placeOf(storyboard);
  if ('error' in place) return place;
  return path.join(place.root, ...filmRel(place).split('/'));
}

export const noFilmMessage = (): string => vscode.l10n.t('There is no film yet: render the storyboard first.');

function realPath(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

async function storyboardText(uri: vscode.Uri): Promise<string | undefined> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return open.getText();
  try {
    return await fs.promises.readFile(uri.fsPath, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The film of the storyboard `key` (its URI string). `durationOf` gives a shot's duration when it is
 * known without opening its file.
 */
export async function loadFilm(key: string, durationOf?: (shot: LockShot) => number | undefined): Promise<FilmContent> {
  let uri: vscode.Uri;
  try {
    uri = vscode.Uri.parse(key, true);
  } catch {
    return { kind: 'unavailable', message: vscode.l10n.t('This is not a storyboard file.') };
  }
  const place = placeOf(uri);
  if ('error' in place) return { kind: 'unavailable', message: place.error };
  const rel = filmRel(place);
  const file = realPath(path.join(place.root, ...rel.split('/')));
  const root = realPath(place.root);
  if (!file || !root || !isFile(file)) return { kind: 'unavailable', message: noFilmMessage() };
  if (!isPathInside(root, file)) {
    return { kind: 'unavailable', message: vscode.l10n.t('The film is outside the workspace folder, so the player cannot load it.') };
  }
  const text = await storyboardText(uri);
  const shotIds = text === undefined ? undefined : parseStoryboard(text, promptCatalog()).shots.map((s) => s.id);
  const lock = await readLockAt(place.lockPath);
  const meta = filmMeta({
    name: place.name,
    storyboard: vscode.workspace.asRelativePath(uri, false),
    file: rel,
    shotIds,
    lock,
    durationOf,
  });
  return { kind: 'film', file, folder: path.dirname(file), meta };
}
