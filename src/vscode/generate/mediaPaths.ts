// Media named in text (a prompt block, an agent's tool call), resolved by core/workspace/mediaRefs.ts:
// https URLs pass as they are; paths are taken relative to the workspace folder and must exist on
// disk. Paths written in a ```video block also get the block rules: inside the workspace (by real
// path) or the extension's storage, else flagged `outside` so the lens asks before uploading.
import * as vscode from 'vscode';

import type { GenerateRequest } from '../../core/model/task';
import { MediaRef, MediaRules, resolveMedia } from '../../core/workspace/mediaRefs';

export type { MediaRef } from '../../core/workspace/mediaRefs';

/** A local folder path of `folder`, when it is on disk. */
const localPath = (folder: vscode.Uri | undefined) => (folder?.scheme === 'file' ? folder.fsPath : undefined);

/**
 * Resolves `ref` against `folder` (the workspace folder it is relative to; for a file outside
 * every folder, the file's own folder). Checks that a local file exists; takes any local file.
 */
export function resolveMediaRef(ref: string, folder: vscode.Uri | undefined): Promise<MediaRef> {
  return resolveMedia(ref, localPath(folder));
}

/** The folder relative paths in `doc` are taken from: its workspace folder, else its own folder. */
export function baseFolderOf(uri: vscode.Uri): vscode.Uri | undefined {
  const ws = vscode.workspace.getWorkspaceFolder(uri)?.uri;
  if (ws) return ws;
  if (uri.scheme === 'file') return vscode.Uri.joinPath(uri, '..');
  return vscode.workspace.workspaceFolders?.[0]?.uri;
}

/**
 * Where media written in the document `doc` may come from without asking: its workspace folder (a
 * file in no folder has none) and the extension's own storage (`storage`, its global storage).
 */
export function blockMediaRules(doc: vscode.Uri, storage: vscode.Uri): MediaRules {
  const ws = localPath(vscode.workspace.getWorkspaceFolder(doc)?.uri);
  return { roots: [...(ws ? [ws] : []), storage.fsPath], trusted: vscode.workspace.isTrusted };
}

/** Resolves a media path written in the block of `doc`, by the block rules. */
export function resolveBlockMedia(ref: string, doc: vscode.Uri, storage: vscode.Uri): Promise<MediaRef> {
  return resolveMedia(ref, localPath(baseFolderOf(doc)), blockMediaRules(doc, storage));
}

/**
 * The request's media (image, video, images) resolved in place by the block rules of `doc`: the real
 * paths of the files outside the workspace, or the first problem.
 */
export async function resolveRequestMedia(
  request: GenerateRequest,
  doc: vscode.Uri,
  storage: vscode.Uri,
): Promise<{ outside: string[] } | { error: string }> {
  const outside: string[] = [];
  const resolve = async (ref: string): Promise<string | { error: string }> => {
    const r = await resolveBlockMedia(ref, doc, storage);
    if (!r.ok) return { error: r.message };
    if (r.outside && !outside.includes(r.outside)) outside.push(r.outside);
    return r.value;
  };
  for (const key of ['image', 'lastFrame', 'video'] as const) {
    const ref = request[key];
    if (ref === undefined) continue;
    const r = await resolve(ref);
    if (typeof r !== 'string') return r;
    request[key] = r;
  }
  if (request.images) {
    const resolved: string[] = [];
    for (const ref of request.images) {
      const r = await resolve(ref);
      if (typeof r !== 'string') return r;
      resolved.push(r);
    }
    request.images = resolved;
  }
  return { outside };
}
