// "Save to Workspace…": copies a downloaded result into a folder of the workspace, with a sidecar
// JSON that records everything needed to reproduce it.
import { promises as fs } from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

import { ProviderError } from '../../core/model/errors';
import { Logger } from '../../core/model/events';
import { Task } from '../../core/model/task';
import { sidecarFor, slug } from '../../core/workspace/sidecar';
import { ensureSaveFolder, saveFolderSetting } from '../../core/workspace/workspacePaths';
import { providerLabel } from '../../providers';
import { saveFolder } from '../config';
import { showInfo } from '../notify';

export async function saveToWorkspace(task: Task, videoIndex: number, log: Logger): Promise<vscode.Uri> {
  const v = task.videos[videoIndex];
  if (!v?.localPath) throw new ProviderError({ kind: 'input', message: vscode.l10n.t('This video has not been downloaded yet.') });
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    throw new ProviderError({ kind: 'input', message: vscode.l10n.t('Open a folder first: videos are saved into the workspace.') });
  }
  const rel = saveFolderSetting(saveFolder());
  const onDisk = folder.uri.scheme === 'file';
  const dir = vscode.Uri.joinPath(folder.uri, rel);
  // On disk each level's real path is checked: a link in the workspace cannot send the files elsewhere.
  if (onDisk) await ensureSaveFolder(folder.uri.fsPath, rel);
  else await vscode.workspace.fs.createDirectory(dir);
  const ext = path.extname(v.localPath) || '.mp4';
  const stamp = new Date(task.createdAt).toISOString().slice(0, 19).replace(/[:T]/g, '-');
  const base = `${slug(task.prompt || task.mode)}-${stamp}${task.videos.length > 1 ? `-${videoIndex + 1}` : ''}`;
  let name = base;
  for (
    let n = 2;
    (await exists(vscode.Uri.joinPath(dir, `${name}${ext}`))) || (await exists(vscode.Uri.joinPath(dir, `${name}.json`)));
    n++
  ) {
    name = `${base}-${n}`;
  }
  const target = vscode.Uri.joinPath(dir, `${name}${ext}`);
  await vscode.workspace.fs.copy(vscode.Uri.file(v.localPath), target, { overwrite: false });
  const sidecar = vscode.Uri.joinPath(dir, `${name}.json`);
  const json = sidecarFor(task, videoIndex, providerLabel(task.provider), onDisk ? folder.uri.fsPath : undefined);
  await vscode.workspace.fs.writeFile(sidecar, Buffer.from(JSON.stringify(json, null, 2) + '\n'));
  log.info(`Saved ${vscode.workspace.asRelativePath(target)} with its settings.`);
  // Not awaited: the command resolves with the saved file while the notification stays up.
  void showInfo(vscode.l10n.t('Saved {0}', vscode.workspace.asRelativePath(target)), vscode.l10n.t('Reveal in Explorer')).then((choice) => {
    if (choice) void vscode.commands.executeCommand('revealInExplorer', target);
  });
  return target;
}

/** Anything at that name counts, a dangling link included (writing through it would land elsewhere). */
async function exists(uri: vscode.Uri): Promise<boolean> {
  if (uri.scheme === 'file') {
    return fs.lstat(uri.fsPath).then(
      () => true,
      () => false,
    );
  }
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
