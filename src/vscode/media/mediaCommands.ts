// Commands that need ffmpeg: Extract Frame (a task's first or last frame as a PNG), Continue From Last
// Frame (a new generation that starts where a finished video ends: same provider and model unless
// told otherwise, the frame sent as extracted) and Animate Between (two images as first and last
// frame, offered only with models whose catalogue says they take a last frame). Interactive calls ask
// before any work; script calls ask nothing and reject with the problem.
import * as path from 'path';
import * as vscode from 'vscode';

import { isFrameWhich, type FrameWhich } from '../../core/media';
import { errorMessage } from '../../core/model/errors';
import type { GenerateRequest, Task } from '../../core/model/task';
import type { CatalogModel } from '../../core/provider/catalogTypes';
import type { ProviderDescriptor } from '../../core/provider/descriptor';
import { checkAgainstModel } from '../../core/provider/modelCapabilities';
import { IMAGE_EXTENSIONS } from '../../core/request/media';
import { parseGenerateRequest } from '../../core/request/requestValidation';
import { PROVIDER_IDS, PROVIDER_LIST, PROVIDERS } from '../../providers';
import type { CommandContext } from '../commands/context';
import type { Invocation, UriLike } from '../commands/invocation';
import { checkedBaseUrl } from '../config';
import type { GenerateCommands } from '../generate/generateCommands';
import { showWarning, withProgress } from '../notify';
import { extensionMedia, showMediaError } from './extensionMedia';

/** A provider and one of its catalogued models that takes a last frame. */
export interface FramesModel {
  provider: ProviderDescriptor;
  model: CatalogModel;
}

/** The request fields a continuation keeps from the task it continues (besides provider and model). */
const KEPT_FIELDS = ['duration', 'resolution', 'audio', 'aspectRatio'] as const;

function toUri(u: UriLike): vscode.Uri {
  return u instanceof vscode.Uri ? u : vscode.Uri.from(u);
}

function isImage(u: vscode.Uri): boolean {
  const lower = u.path.toLowerCase();
  return IMAGE_EXTENSIONS.some((e) => lower.endsWith(e));
}

function fileName(p: string): string {
  return path.basename(p);
}

export function registerMediaCommands(c: CommandContext, generate: GenerateCommands): void {
  const { engine, log } = c;
  const media = extensionMedia(c.context);

  /** A problem: thrown for a script, shown for a person. */
  const failWith = (call: Invocation, message: string): undefined => {
    if (!call.interactive) throw new Error(message);
    void showWarning(message);
    return undefined;
  };

  /** The downloaded video of a finished task, or the reason there is none. */
  const videoOf = (task: Task | undefined, index: number): { file: string } | { problem: string } => {
    if (!task) return { problem: vscode.l10n.t('Choose a finished task first.') };
    if (task.status !== 'succeeded') return { problem: vscode.l10n.t('This video is not ready yet.') };
    const file = task.videos[index]?.localPath;
    if (!file) return { problem: vscode.l10n.t('This task has no downloaded video {0}.', index + 1) };
    return { file };
  };

  /** Writes the frame into the extension's storage (`frames/`) and returns the PNG's path. */
  const frameOf = (task: Task, video: string, which: FrameWhich, index: number): Promise<string> => {
    const out = path.join(c.context.globalStorageUri.fsPath, 'frames', `${task.id}-${index}-${which}.png`);
    return media.extractFrame(video, which, out);
  };

  c.register('aiVideo.extractFrame', async (call, _taskId, whichArg, indexArg) => {
    const task = engine.getTask(call.taskIds[0] ?? '');
    const which = whichArg === undefined ? 'last' : whichArg;
    if (!isFrameWhich(which)) return failWith(call, vscode.l10n.t('Pass "first" or "last" as the second argument.'));
    const index = typeof indexArg === 'number' && Number.isInteger(indexArg) && indexArg >= 0 ? indexArg : 0;
    const video = videoOf(task, index);
    if ('problem' in video) return failWith(call, video.problem);
    if (!call.interactive) return frameOf(task!, video.file, which, index);
    try {
      const png = await frameOf(task!, video.file, which, index);
      await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(png));
      return png;
    } catch (e) {
      void showMediaError(e);
      return undefined;
    }
  });

  /** The continuation's request: the task's provider, model and kept settings, then `overrides`, the prompt and the frame. */
  const continuation = (task: Task, prompt: string, frame: string, overrides: Record<string, unknown> | undefined): GenerateRequest => {
    const kept: Record<string, unknown> = { provider: task.provider };
    // Another provider named in the overrides starts from its own defaults, not this task's model and settings.
    const sameProvider = overrides?.provider === undefined || overrides.provider === task.provider;
    if (sameProvider && task.request.model !== undefined) kept.model = task.request.model;
    if (sameProvider) for (const k of KEPT_FIELDS) if (task.request[k] !== undefined) kept[k] = task.request[k];
    const { image: _i, lastFrame: _l, prompt: _p, ...rest } = overrides ?? {};
    try {
      return parseGenerateRequest({ ...kept, ...rest, prompt, image: frame }, PROVIDER_IDS);
    } catch (e) {
      throw new Error(errorMessage(e));
    }
  };

  c.register('aiVideo.continueFromLastFrame', async (call, _taskId, promptArg, overridesArg) => {
    const task = engine.getTask(call.taskIds[0] ?? '');
    const index = call.node?.kind === 'video' ? call.node.index : 0;
    const video = videoOf(task, index);
    if ('problem' in video) return failWith(call, video.problem);
    if (!call.interactive) {
      if (typeof promptArg !== 'string') throw new Error(vscode.l10n.t('Pass the new prompt as the second argument.'));
      const overrides = overridesArg === undefined ? undefined : overridesArg;
      if (overrides !== undefined && (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides))) {
        throw new Error(vscode.l10n.t('The third argument must be an object of request fields.'));
      }
      const frame = await frameOf(task!, video.file, 'last', index);
      const req = continuation(task!, promptArg.trim(), frame, overrides as Record<string, unknown> | undefined);
      log.info(`Continue from the last frame of ${task!.id} (${fileName(frame)}) with ${req.provider}${req.model ? ` ${req.model}` : ''}`);
      return structuredClone(await engine.generate(req));
    }
    const prompt = await vscode.window.showInputBox({
      title: vscode.l10n.t('Continue From Last Frame: {0}', task!.prompt.slice(0, 40)),
      prompt: vscode.l10n.t('What happens next? The new video starts from the last frame of this one.'),
      ignoreFocusOut: true,
    });
    if (prompt === undefined) return undefined;
    let req: GenerateRequest;
    try {
      const frame = await withProgress(
        { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Extracting the last frame…') },
        () => frameOf(task!, video.file, 'last', index),
      );
      req = continuation(task!, prompt.trim(), frame, undefined);
    } catch (e) {
      log.warn(`Continue From Last Frame: ${errorMessage(e)}`);
      void showMediaError(e);
      return undefined;
    }
    const invalid = PROVIDERS[req.provider]?.validate(req);
    if (invalid) return failWith(call, invalid);
    const t = await generate.submitInteractive(req);
    return t && structuredClone(t);
  });

  /** Every catalogued model (not retired) that takes a first and a last frame, provider by provider. */
  const framesModels = async (): Promise<FramesModel[]> => {
    const out: FramesModel[] = [];
    for (const provider of PROVIDER_LIST.filter((p) => p.modes.includes('image-to-video') && p.models)) {
      let models: readonly CatalogModel[] = [];
      try {
        models = (await c.catalog.models(provider.id, checkedBaseUrl(provider))).models;
      } catch (e) {
        log.trace(`No catalogue for ${provider.label}: ${errorMessage(e)}`);
      }
      for (const model of models) {
        if (model.capabilities.frames?.first && model.capabilities.frames.last && model.lifecycle?.state !== 'retired') {
          out.push({ provider, model });
        }
      }
    }
    return out;
  };

  const betweenRequest = (
    choice: FramesModel,
    first: string,
    last: string,
    prompt: string,
    extra: Record<string, unknown> = {},
  ): GenerateRequest => {
    const { image: _i, lastFrame: _l, provider: _p, model: _m, prompt: _t, swap: _s, ...rest } = extra;
    let req: GenerateRequest;
    try {
      req = parseGenerateRequest(
        { ...rest, provider: choice.provider.id, model: choice.model.id, prompt, image: first, lastFrame: last },
        PROVIDER_IDS,
      );
    } catch (e) {
      throw new Error(errorMessage(e));
    }
    const problem = checkAgainstModel(choice.model, req) ?? choice.provider.validate(req);
    if (problem) throw new Error(problem);
    return req;
  };

  c.register('aiVideo.animateBetween', async (call) => {
    const selected = (call.uris ?? []).map(toUri);
    if (selected.length !== 2 || !selected.every(isImage)) {
      return failWith(call, vscode.l10n.t('Select exactly two images (PNG, JPEG or WebP): the first and the last frame.'));
    }
    if (!selected.every((u) => u.scheme === 'file')) {
      return failWith(call, vscode.l10n.t("Only images on this machine's disk can be animated."));
    }
    let [first, last] = selected.map((u) => u.fsPath);
    const options = call.options ?? {};
    if (options.swap === true) [first, last] = [last, first];
    const models = await framesModels();
    if (!call.interactive) {
      const wanted = models.filter(
        (m) =>
          (options.provider === undefined || m.provider.id === options.provider) &&
          (options.model === undefined || m.model.id === options.model),
      );
      if (wanted.length === 0) {
        throw new Error(
          options.model !== undefined
            ? vscode.l10n.t("{0} does not take a first and a last frame (or is not in its provider's catalogue).", String(options.model))
            : vscode.l10n.t('No model takes a first and a last frame.'),
        );
      }
      const prompt = typeof options.prompt === 'string' ? options.prompt : '';
      return structuredClone(await engine.generate(betweenRequest(wanted[0], first, last, prompt, options)));
    }
    if (models.length === 0) return failWith(call, vscode.l10n.t('No model takes a first and a last frame.'));
    // The order, with a swap: the first selected image is the first frame.
    for (;;) {
      const order = await vscode.window.showQuickPick(
        [
          { label: `$(arrow-right) ${vscode.l10n.t('From {0} to {1}', fileName(first), fileName(last))}`, swap: false },
          { label: `$(arrow-swap) ${vscode.l10n.t('Swap: from {0} to {1}', fileName(last), fileName(first))}`, swap: true },
        ],
        { title: vscode.l10n.t('Animate Between: first and last frame'), ignoreFocusOut: true },
      );
      if (!order) return undefined;
      if (order.swap) [first, last] = [last, first];
      else break;
    }
    const picked = await vscode.window.showQuickPick(
      models.map((m) => ({
        label: m.model.label || m.model.id,
        description: `${m.provider.label} · ${m.model.id}`,
        choice: m,
      })),
      { title: vscode.l10n.t('Animate Between: model (takes a first and a last frame)'), ignoreFocusOut: true, matchOnDescription: true },
    );
    if (!picked) return undefined;
    const prompt = await vscode.window.showInputBox({
      title: vscode.l10n.t('Animate Between: prompt'),
      prompt: vscode.l10n.t('Describe the motion from {0} to {1} (optional).', fileName(first), fileName(last)),
      ignoreFocusOut: true,
    });
    if (prompt === undefined) return undefined;
    let req: GenerateRequest;
    try {
      req = betweenRequest(picked.choice, first, last, prompt.trim());
    } catch (e) {
      return failWith(call, errorMessage(e));
    }
    const t = await generate.submitInteractive(req);
    return t && structuredClone(t);
  });
}
