// What is written beside a saved video so the result can be reproduced. People commit this file:
// inputs are workspace-relative (or base names), URLs carry no query string (signed-link tokens).
import { GenerateRequest, Task } from '../model/task';
import { portableInput, withoutQuery } from './workspacePaths';

/** The request with its media references made portable. */
function portableRequest(r: GenerateRequest, workspaceRoot: string | undefined): GenerateRequest {
  const out: GenerateRequest = { ...r };
  if (r.image !== undefined) out.image = portableInput(r.image, workspaceRoot);
  if (r.images !== undefined) out.images = r.images.map((i) => portableInput(i, workspaceRoot));
  if (r.lastFrame !== undefined) out.lastFrame = portableInput(r.lastFrame, workspaceRoot);
  if (r.video !== undefined) out.video = portableInput(r.video, workspaceRoot);
  return out;
}

export function sidecarFor(task: Task, videoIndex: number, providerName: string, workspaceRoot: string | undefined): Record<string, unknown> {
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
