// Host side of the compare panel, kept free of `vscode`: the parameters of a task as the
// compare view lists them under each video.
import type { Task } from '../../../core/model/task';
import { isJsonObject } from '../../../shared/json';
import { formatDuration, formatResolution } from '../../../shared/format';
import type { Params } from '../../../webview/compare/diff';

function display(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** `options` flattened to `camera.zoom`-style labels. */
function flatten(prefix: string, value: unknown, out: Params): void {
  if (isJsonObject(value)) {
    for (const [k, v] of Object.entries(value)) flatten(prefix ? `${prefix}.${k}` : k, v, out);
  } else if (value !== undefined && value !== null && prefix) {
    out[prefix] = display(value);
  }
}

/** `providerLabel` is the registry's label of the task's provider. */
export function compareParams(task: Task, providerLabel: string, videoIndex = 0): Params {
  const v = task.videos[videoIndex];
  const r = task.request;
  const out: Params = {};
  flatten('', r.options, out);
  const seed = v?.seed ?? r.seed;
  const fields: Array<[string, string | undefined]> = [
    ['Provider', providerLabel],
    ['Model', task.model || undefined],
    ['Seed', seed === undefined ? undefined : String(seed)],
    ['Negative prompt', r.negativePrompt],
    ['Aspect ratio', r.aspectRatio],
    ['Duration', formatDuration(v?.duration)],
    ['Resolution', formatResolution(v?.width, v?.height)],
    ['Pikaffect', r.pikaffect],
    ['Style', r.style],
  ];
  for (const [label, value] of fields) if (value) out[label] = value;
  return out;
}
