// The media toolbox as the extension uses it: ffmpeg from `aiVideo.ffmpegPath` (user settings) or the
// PATH, files allowed in the workspace folders and the extension's global storage, and a missing
// ffmpeg shown with a button to the setting. Features that need no ffmpeg never touch this.
import * as vscode from 'vscode';

import { createMedia, isFfmpegMissing, type Media } from '../../core/media';
import { errorMessage } from '../../core/model/errors';
import { ffmpegPathSetting } from '../config';
import { showError } from '../notify';

let shared: Media | undefined;

/** One Media for the extension (ffmpeg found once per setting value). */
export function extensionMedia(context: vscode.ExtensionContext): Media {
  shared ??= createMedia({
    ffmpegPath: ffmpegPathSetting,
    allowedRoots: () => [context.globalStorageUri.fsPath, ...(vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath)],
  });
  return shared;
}

/** A media error as a notification; for a missing ffmpeg, with a button to its setting. Not awaited by callers. */
export async function showMediaError(e: unknown): Promise<void> {
  if (!isFfmpegMissing(e)) {
    await showError(errorMessage(e));
    return;
  }
  const open = vscode.l10n.t('Open Settings');
  if ((await showError(e.message, open)) === open) {
    await vscode.commands.executeCommand('workbench.action.openSettings', 'aiVideo.ffmpegPath');
  }
}
