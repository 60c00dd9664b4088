// Host side of the compare panel, kept free of `vscode`: a take as the compare view shows it, and
// the parameters of a task as it lists them under each video. Every text is cut here to what the
// webview's guard accepts, so one long parameter or prompt never blanks the view.
import type { Task } from '../../../core/model/task';
import { formatDuration, formatResolution, shortTitle } from '../../../shared/format';
import { fitText, isId } from '../../../shared/guards';
import { isJsonObject } from '../../../shared/json';
import { shorten } from '../../../shared/text';
import { MAX_COMPARE_PROMPT, MAX_PARAM_LABEL, MAX_PARAMS, type CompareItem } from '../../../webview/compare/compareProtocol';
import type { Params } from '../../../webview/compare/diff';
import { isPathInside } from '../player/playerPage';

function display(v: unknown): string {
  return typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
}

/** The rows of a take, at most MAX_PARAMS, each label and value cut to what the guard accepts. */
class Rows {
  readonly out: Params = {};
  private count = 0;

  get full(): boolean {
    return this.count >= MAX_PARAMS;
  }

  /** Adds a row unless the list is full or the (cut) label is taken. */
  add(label: string, value: string): void {
    const key = shorten(label, MAX_PARAM_LABEL, { collapse: false });
    if (this.full || Object.prototype.hasOwnProperty.call(this.out, key)) return;
    // Defined, not assigned: an option named `__proto__` is a row like any other.
    Object.defineProperty(this.out, key, { value: fitText(value), enumerable: true, writable: true, configurable: true });
    this.count++;
  }
}

/** `options` flattened to `camera.zoom`-style labels. */
function flatten(prefix: string, value: unknown, rows: Rows): void {
  if (rows.full) return;
  if (isJsonObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (rows.full) return;
      flatten(prefix ? `${prefix}.${k}` : k, v, rows);
    }
  } else if (value !== undefined && value !== null && prefix) {
    rows.add(prefix, display(value));
  }
}

/** `providerLabel` is the registry's label of the task's provider. */
export function compareParams(task: Task, providerLabel: string, videoIndex = 0): Params {
  const v = task.videos[videoIndex];
  const r = task.request;
  const rows = new Rows();
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
  // The named rows first, so free-form options never push them out of a full list.
  for (const [label, value] of fields) if (value) rows.add(label, value);
  flatten('', r.options, rows);
  return rows.out;
}

/**
 * A finished task as a take: its first downloaded video inside `mediaRoot`, as the webview URI
 * `webviewUri` gives. Undefined when it has none, or when its id cannot be sent (ids are never cut).
 */
export function toCompareItem(
  task: Task,
  providerLabel: string,
  mediaRoot: string,
  webviewUri: (file: string) => string,
): CompareItem | undefined {
  const index = task.videos.findIndex((v) => v.localPath && isPathInside(mediaRoot, v.localPath));
  if (task.status !== 'succeeded' || index < 0 || !isId(task.id)) return undefined;
  const v = task.videos[index];
  const item: CompareItem = {
    taskId: task.id,
    title: fitText(shortTitle(task.prompt)),
    prompt: fitText(task.prompt, MAX_COMPARE_PROMPT),
    videoSrc: webviewUri(v.localPath!),
    params: compareParams(task, providerLabel, index),
  };
  if (v.posterPath && isPathInside(mediaRoot, v.posterPath)) item.posterSrc = webviewUri(v.posterPath);
  if (v.fps && Number.isFinite(v.fps) && v.fps > 0) item.fps = v.fps;
  return item;
}
