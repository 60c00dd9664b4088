// Media named in text (a prompt block, an agent's tool call): https URLs pass as they are; paths
// are taken relative to the workspace folder and must exist on disk.
import * as path from 'path';
import * as vscode from 'vscode';

export type MediaRef = { ok: true; value: string } | { ok: false; message: string };

/**
 * Resolves `ref` against `folder` (the workspace folder it is relative to; for a file outside
 * every folder, the file's own folder). Checks that a local file exists.
 */
export async function resolveMediaRef(ref: string, folder: vscode.Uri | undefined): Promise<MediaRef> {
  if (/^https:\/\//i.test(ref)) return { ok: true, value: ref };
  if (/^[a-z][\w+.-]*:\/\//i.test(ref)) return { ok: false, message: vscode.l10n.t('"{0}": only https URLs and files on disk can be used.', ref) };
  let file: vscode.Uri;
  if (path.isAbsolute(ref)) file = vscode.Uri.file(ref);
  else if (folder?.scheme === 'file') file = vscode.Uri.joinPath(folder, ...ref.split(/[\\/]+/));
  else return { ok: false, message: vscode.l10n.t('"{0}" is a relative path, but there is no folder to take it from: open a folder or give an absolute path.', ref) };
  try {
    const stat = await vscode.workspace.fs.stat(file);
    if (stat.type & vscode.FileType.Directory) return { ok: false, message: vscode.l10n.t('"{0}" is a folder, not a file.', ref) };
  } catch {
    return { ok: false, message: vscode.l10n.t('File not found: {0}', file.fsPath) };
  }
  return { ok: true, value: file.fsPath };
}

/** The folder relative paths in `doc` are taken from: its workspace folder, else its own folder. */
export function baseFolderOf(uri: vscode.Uri): vscode.Uri | undefined {
  const ws = vscode.workspace.getWorkspaceFolder(uri)?.uri;
  if (ws) return ws;
  if (uri.scheme === 'file') return vscode.Uri.joinPath(uri, '..');
  return vscode.workspace.workspaceFolders?.[0]?.uri;
}
