// What is written beside a saved video so the result can be reproduced. People commit this file:
// inputs are workspace-relative (or base names), URLs carry no query string (signed-link tokens),
// and so do the paths and URLs among the free-form provider options, however deeply nested.
import * as path from 'path';

import { isJsonObject } from '../../shared/json';
import { GenerateRequest, Task } from '../model/task';
import { portableInput, withoutQuery } from './workspacePaths';

/** The request with its media references made portable. */
function portableRequest(r: GenerateRequest, workspaceRoot: string | undefined): GenerateRequest {
  const out: GenerateRequest = { ...r };
  if (r.image !== undefined) out.image = portableInput(r.image, workspaceRoot);
  if (r.images !== undefined) out.images = r.images.map((i) => portableInput(i, workspaceRoot));
  if (r.lastFrame !== undefined) out.lastFrame = portableInput(r.lastFrame, workspaceRoot);
  if (r.video !== undefined) out.video = portableInput(r.video, workspaceRoot);
  if (r.options !== undefined) out.options = portableOption(r.options, workspaceRoot, 0) as Record<string, unknown>;
  return out;
}

/** Options nested deeper than this are not written (a request from a script can hold anything). */
const MAX_OPTION_DEPTH = 16;

/**
 * An option value as the sidecar records it: a string that is a URL or a path (absolute, `./`,
 * `../`, `~/`, a file URI, a Windows path) as an input is recorded; other strings (`pan_left`,
 * `image/png`) as they are; objects and arrays value by value.
 */
function portableOption(value: unknown, workspaceRoot: string | undefined, depth: number): unknown {
  if (typeof value === 'string') return isReference(value) ? portableReference(value, workspaceRoot) : value;
  if (depth >= MAX_OPTION_DEPTH) return undefined;
  if (Array.isArray(value)) return value.map((v) => portableOption(v, workspaceRoot, depth + 1));
  if (isJsonObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, portableOption(v, workspaceRoot, depth + 1)]));
  }
  return value;
}

function isReference(s: string): boolean {
  return (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(s) || /^file:/i.test(s) || path.isAbsolute(s) || path.win32.isAbsolute(s) || /^(\.\.?|~)[\\/]/.test(s)
  );
}

function portableReference(ref: string, workspaceRoot: string | undefined): string {
  const out = portableInput(ref, workspaceRoot);
  // A Windows path read on another system keeps its backslashes through portableInput: its last part only.
  return /^[a-z]:[\\/]|^\\\\/i.test(out) ? path.win32.basename(out) : out;
}

export function sidecarFor(
  task: Task,
  videoIndex: number,
  providerName: string,
  workspaceRoot: string | undefined,
): Record<string, unknown> {
  const v = task.videos[videoIndex];
  const r = portableRequest(task.request, workspaceRoot);
  return {
    generator: 'AI Video Studio',
    provider: task.provider,
    providerName,
    model: task.model,
    mode: task.mode,
    prompt: task.prompt,
    negativePrompt: r.negativePrompt,
    seed: v?.seed ?? r.seed,
    aspectRatio: r.aspectRatio,
    pikaffect: r.pikaffect,
    style: r.style,
    options: r.options,
    inputs: { image: r.image, lastFrame: r.lastFrame, images: r.images, video: r.video },
    remoteId: task.remoteId,
    videoIndex,
    sourceUrl: v?.url && withoutQuery(v.url),
    duration: v?.duration,
    width: v?.width,
    height: v?.height,
    createdAt: new Date(task.createdAt).toISOString(),
    finishedAt: task.finishedAt ? new Date(task.finishedAt).toISOString() : undefined,
    // What it cost: reported by the provider, or our quote at create time (`source: "estimate"`).
    cost: task.cost,
    request: r,
  };
}

/** "A red fox, running!" -> "a-red-fox-running". */
export function slug(text: string, max = 40): string {
  const s = text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/, '');
  return s || 'video';
}
