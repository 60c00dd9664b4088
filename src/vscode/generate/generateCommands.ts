// Generation commands: Generate Video (palette flow or a request argument, one task or a group of
// variants), Animate Image, Restyle Video, and Regenerate. Which provider can do what comes from the registry's descriptors.
// Interactive calls run the quick-pick flow; script calls (commands/invocation.ts) send what they were given or reject.
import * as vscode from 'vscode';

import type { GenerateOptions } from '../../core/engine/createQueue';
import { errorMessage } from '../../core/model/errors';
import { GenerateRequest, GenerationMode, modeLabel, Task } from '../../core/model/task';
import { isOverBudget } from '../../core/money/budget';
import { sumQuotes } from '../../core/money/quote';
import type { CatalogSnapshot } from '../../core/provider/catalogTypes';
import { ModelOptions, ProviderDescriptor } from '../../core/provider/descriptor';
import { modelChoices } from '../../core/provider/modelList';
import { IMAGE_EXTENSIONS, ImageSize, isRemoteUrl, readImageSize, toLocalPath, VIDEO_EXTENSIONS } from '../../core/request/media';
import { parseGenerateRequest } from '../../core/request/requestValidation';
import { PROVIDER_IDS, PROVIDER_LIST, providerLabel, PROVIDERS } from '../../providers';
import type { ExplorerPreset } from '../commands/commandArgs';
import { CommandContext } from '../commands/context';
import { executeClick } from '../commands/execute';
import { Invocation, UriLike } from '../commands/invocation';
import { checkedBaseUrl, modelListSetting } from '../config';
import { KeyCommands } from '../keys/keyCommands';
import { providerContext } from '../keys/providerContext';
import { showWarning, withProgress } from '../notify';
import { FlowOption, runGenerateFlow } from './generateFlow';
import { ClickGuard, generateWithProgress } from './sendWithProgress';
import { accepts, FanOut, planFanOut, sendGroup } from './variants';
import { isGroup, newFanOut, variantsOption } from './variantsStep';

export interface GenerateCommands {
  /** `aiVideo.generate(request)`: checked, then submitted; never asks anything. */
  generateFromArgs(request: unknown): Promise<Task>;
  /**
   * Submits with a progress notification (cancellable during the upload) and reveals the new task;
   * errors are shown, not thrown; over a budget, asks in a notification it does not wait for.
   */
  submitInteractive(req: GenerateRequest, opts?: SubmitOptions): Promise<Task | undefined>;
  /** The quick-pick flow (starting from `preset`), then the create(s); undefined when cancelled or failed. */
  generateInteractive(preset?: Partial<GenerateRequest> & { mode?: GenerationMode }): Promise<Task | Task[] | undefined>;
}

/** Who an interactive create is for (default the Generate flow) and whether the person already chose to pass a budget. */
export type SubmitOptions = Pick<GenerateOptions, 'who' | 'overBudget' | 'source'>;

function hasExt(uri: vscode.Uri, exts: string[]): boolean {
  const lower = uri.path.toLowerCase();
  return exts.some((e) => lower.endsWith(e));
}

/** The first registered provider offering this mode (Explorer commands called with arguments). */
function firstWithMode(mode: GenerationMode): ProviderDescriptor {
  const p = PROVIDER_LIST.find((d) => d.modes.includes(mode));
  if (!p) throw new Error(vscode.l10n.t('No provider offers {0}.', modeLabel(mode).toLowerCase()));
  return p;
}

export function registerGenerateCommands(c: CommandContext, keyCommands: KeyCommands): GenerateCommands {
  const { engine, log, context } = c;
  const parse = (x: unknown): GenerateRequest => {
    try {
      return parseGenerateRequest(x, PROVIDER_IDS);
    } catch (e) {
      throw new Error(errorMessage(e));
    }
  };

  const generateFromArgs = async (x: unknown): Promise<Task> => engine.generate(parse(x), { who: 'script' });

  const submitInteractive = async (req: GenerateRequest, opts: SubmitOptions = {}): Promise<Task | undefined> => {
    const provider = PROVIDERS[req.provider];
    if (provider && !(await keyCommands.ensureKey(provider))) return undefined;
    try {
      const task = await generateWithProgress(engine, req, providerLabel(req.provider), opts);
      void c.view.reveal({ kind: 'task', taskId: task.id }, { select: true, focus: false }).then(undefined, () => undefined);
      return task;
    } catch (e) {
      if (isOverBudget(e) && !opts.overBudget) {
        // One question the command does not wait for; "Send Anyway" sends it past the budget.
        c.money.offerSendAnyway(e, () => submitInteractive(req, { ...opts, overBudget: true }), log);
        return undefined;
      }
      log.error(`Generate failed: ${errorMessage(e)}`);
      void c.explain(e, req.provider);
      return undefined;
    }
  };

  const listed = c.modelLists;
  const modelsFor = async (p: ProviderDescriptor, mode: GenerationMode): Promise<string[]> => {
    const configured = p.models?.setting ? modelListSetting(p.models.setting) : [];
    let fromProvider: string[] = [];
    if (p.models?.list) {
      try {
        if (await c.keys.has(p.id)) fromProvider = await listed.get(p, { ...(await providerContext(p, c.keys, log)), timeoutMs: 5000 });
      } catch (e) {
        log.trace(`Model list of ${p.label} unavailable: ${errorMessage(e)}`);
      }
    }
    return modelChoices(p, mode, configured, fromProvider);
  };

  // The provider's catalogue at its base URL; none while the base URL is unset or refused.
  const catalogFor = async (p: ProviderDescriptor): Promise<CatalogSnapshot | undefined> => {
    let baseUrl: string;
    try {
      baseUrl = checkedBaseUrl(p);
    } catch {
      return undefined;
    }
    return c.catalog.models(p.id, baseUrl);
  };

  // A model's own inputs (Replicate's schemas), read with the key; none without a key or when they cannot be read.
  const modelOptionsFor = async (p: ProviderDescriptor, model: string): Promise<ModelOptions | undefined> => {
    if (!p.modelOptions || !(await c.keys.has(p.id))) return undefined;
    try {
      return await p.modelOptions.load({ ...(await providerContext(p, c.keys, log)), timeoutMs: 10_000 }, model);
    } catch (e) {
      log.warn(`The inputs of ${model} at ${p.label} could not be read: ${errorMessage(e)}`);
      return undefined;
    }
  };

  const imageSize = async (ref: string): Promise<ImageSize | undefined> => {
    if (isRemoteUrl(ref)) return undefined;
    try {
      return await readImageSize(toLocalPath(ref));
    } catch {
      return undefined;
    }
  };

  const interactive = (
    preset?: Partial<GenerateRequest> & { mode?: GenerationMode },
    extraOptions?: FlowOption[],
    fanOut?: FanOut,
  ): Promise<GenerateRequest | undefined> =>
    runGenerateFlow({
      providers: PROVIDER_LIST,
      memento: context.globalState,
      hasKey: (id) => c.keys.has(id),
      models: modelsFor,
      catalog: catalogFor,
      modelOptions: modelOptionsFor,
      imageSize,
      preset,
      extraOptions,
      // Variants and several models: the sum of every create the group would send.
      quote: (req) =>
        fanOut && isGroup(fanOut)
          ? sumQuotes(planFanOut({ engine, providers: PROVIDERS, log }, req, fanOut).map((r) => c.money.quote(r)))
          : c.money.quote(req),
    });

  // Variants and several models: one group of tasks, each create sent once (generate/variants.ts).
  const submitGroup = async (req: GenerateRequest, fanOut: FanOut, overBudget = false): Promise<Task[] | undefined> => {
    // The group's sum was checked just below; each create then goes as the person chose.
    const groupDeps = { engine, providers: PROVIDERS, log, who: 'ui' as const, overBudget: true };
    const plan = planFanOut(groupDeps, req, fanOut);
    for (const id of new Set(plan.map((r) => r.provider))) {
      const provider = PROVIDERS[id];
      if (provider && !(await keyCommands.ensureKey(provider))) return undefined;
    }
    if (!overBudget) {
      try {
        await c.money.admitGroup(plan, 'ui', engine.getTasks());
      } catch (e) {
        if (!isOverBudget(e)) throw e;
        c.money.offerSendAnyway(e, () => submitGroup(req, fanOut, true), log);
        return undefined;
      }
    }
    try {
      const tasks = await withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Submitting {0} tasks…', plan.length) },
        () => sendGroup(groupDeps, plan),
      );
      if (tasks.length < plan.length) {
        void showWarning(vscode.l10n.t('{0} of {1} tasks could not be created; see the log.', plan.length - tasks.length, plan.length));
      }
      return tasks;
    } catch (e) {
      log.error(`Generate failed: ${errorMessage(e)}`);
      void c.explain(e, req.provider);
      return undefined;
    }
  };

  const generateInteractive = async (preset?: Partial<GenerateRequest> & { mode?: GenerationMode }): Promise<Task | Task[] | undefined> => {
    const fanOut = newFanOut();
    const req = await interactive(
      preset,
      [variantsOption(fanOut, { providers: PROVIDER_LIST, models: modelsFor, accepts: (r) => accepts(PROVIDERS, r) })],
      fanOut,
    );
    if (!req) return undefined;
    return isGroup(fanOut) ? submitGroup(req, fanOut) : submitInteractive(req);
  };

  /**
   * Interactive: asks same seed or new one (where the task had a seed), then sends like Generate;
   * a script gets `sameSeed` from its options (default: a new random seed).
   */
  const regenerate = async (call: Invocation): Promise<Task | undefined> => {
    const task = engine.getTask(call.taskIds[0] ?? '');
    if (!task) {
      if (!call.interactive) throw new Error(vscode.l10n.t('No task {0}.', String(call.args[0])));
      return undefined;
    }
    const req: GenerateRequest = { ...task.request };
    let sameSeed = typeof call.options?.sameSeed === 'boolean' ? call.options.sameSeed : undefined;
    const seed = task.videos[0]?.seed ?? task.request.seed;
    if (
      call.interactive &&
      sameSeed === undefined &&
      seed !== undefined &&
      PROVIDERS[task.provider]?.validate({ ...req, seed }) === undefined
    ) {
      const pick = await vscode.window.showQuickPick(
        [
          { label: vscode.l10n.t('Same seed ({0})', seed), same: true },
          { label: vscode.l10n.t('New random seed'), same: false },
        ],
        { title: vscode.l10n.t('Regenerate') },
      );
      if (!pick) return undefined;
      sameSeed = pick.same;
    }
    if (sameSeed && seed !== undefined) req.seed = seed;
    else delete req.seed;
    if (!call.interactive) return structuredClone(await engine.generate(req));
    return submitInteractive(req);
  };

  /** A problem: thrown for a script, shown for a person. */
  const failWith = (call: Invocation, message: string): undefined => {
    if (!call.interactive) throw new Error(message);
    void showWarning(message);
    return undefined;
  };

  const animateImage = async (call: Invocation): Promise<Task[] | undefined> => {
    const preset = call.options as ExplorerPreset | undefined;
    const fallback = vscode.window.activeTextEditor?.document.uri ?? activeTabUri();
    const selected = (call.uris?.map(toUri) ?? (fallback ? [fallback] : [])).filter((u) => hasExt(u, IMAGE_EXTENSIONS));
    if (selected.length === 0) return failWith(call, vscode.l10n.t('Choose a PNG, JPEG or WebP image to animate.'));
    const local = selected.filter((u) => u.scheme === 'file');
    if (local.length !== selected.length) return failWith(call, vscode.l10n.t("Only images on this machine's disk can be animated."));
    const paths = local.map((u) => u.fsPath);
    const ingredients = PROVIDER_LIST.filter((d) => d.modes.includes('ingredients'));
    let perImage = preset?.perImage ?? ingredients.length === 0;
    // Two images may also be a first and a last frame (Animate Between, media/mediaCommands.ts).
    const twoFrames = paths.length === 2;
    if (
      call.interactive &&
      paths.length > 1 &&
      preset?.perImage === undefined &&
      !preset?.provider &&
      (ingredients.length > 0 || twoFrames)
    ) {
      const pick = await vscode.window.showQuickPick(
        [
          ...(ingredients.length > 0
            ? [
                {
                  label: `$(combine) ${vscode.l10n.t('One video from all {0} images', paths.length)}`,
                  detail: `${ingredients.map((d) => d.label).join(', ')}: ${modeLabel('ingredients').toLowerCase()}`,
                  per: false,
                },
              ]
            : []),
          {
            label: `$(files) ${vscode.l10n.t('One video per image ({0} tasks)', paths.length)}`,
            detail: vscode.l10n.t('Same settings for each image'),
            per: true,
          },
          ...(twoFrames
            ? [
                {
                  label: `$(arrow-both) ${vscode.l10n.t('First and last frame')}`,
                  detail: vscode.l10n.t('One video from the first image to the second, with a model that takes a last frame'),
                  per: 'frames' as const,
                },
              ]
            : []),
        ],
        { title: vscode.l10n.t('Animate images') },
      );
      if (!pick) return undefined;
      if (pick.per === 'frames') {
        const task = (await executeClick('aiVideo.animateBetween', local[0], local)) as Task | undefined;
        return task ? [task] : undefined;
      }
      perImage = pick.per;
    }
    const { perImage: _ignored, ...presetReq } = preset ?? {};
    const base: Partial<GenerateRequest> & { mode: GenerationMode } =
      paths.length > 1 && !perImage
        ? { ...presetReq, images: paths, mode: 'ingredients' }
        : { ...presetReq, image: paths[0], mode: 'image-to-video' };
    // A script's call is sent as given (the first provider offering the mode when it names none).
    const { mode, ...rest } = base;
    const req = call.interactive ? await interactive(base) : parse({ provider: base.provider ?? firstWithMode(mode).id, ...rest });
    if (!req) return undefined;
    const requests = paths.length > 1 && perImage ? paths.map((p) => ({ ...req, image: p })) : [req];
    const tasks: Task[] = [];
    for (const r of requests) {
      const t = call.interactive ? await submitInteractive(r) : await engine.generate(r);
      if (t) tasks.push(structuredClone(t));
    }
    return tasks;
  };

  const restyleVideo = async (call: Invocation): Promise<Task | undefined> => {
    const preset = call.options as ExplorerPreset | undefined;
    const target = call.uris?.[0] ? toUri(call.uris[0]) : (vscode.window.activeTextEditor?.document.uri ?? activeTabUri());
    if (!target || !hasExt(target, VIDEO_EXTENSIONS) || target.scheme !== 'file') {
      return failWith(call, vscode.l10n.t('Choose an MP4, WebM or MOV video on disk to restyle.'));
    }
    if (!call.interactive) {
      const { perImage: _p, ...rest } = preset ?? {};
      return structuredClone(
        await engine.generate(parse({ prompt: '', provider: firstWithMode('video-edit').id, ...rest, video: target.fsPath })),
      );
    }
    const req = await interactive({ video: target.fsPath, mode: 'video-edit' });
    const t = req ? await submitInteractive(req) : undefined;
    return t && structuredClone(t);
  };

  // Clicks on Generate and Regenerate (tree, player) act once each; script calls are never merged.
  const clicks = new ClickGuard();
  c.register('aiVideo.generate', async (call, request) => {
    if (!call.interactive) return structuredClone(await generateFromArgs(request));
    return clicks.run('generate', generateInteractive);
  });
  c.register('aiVideo.animateImage', animateImage);
  c.register('aiVideo.restyleVideo', restyleVideo);
  c.register('aiVideo.regenerate', (call) =>
    call.interactive ? clicks.run(`regenerate:${call.taskIds[0]}`, () => regenerate(call)) : regenerate(call),
  );
  return { generateFromArgs, submitInteractive, generateInteractive };
}

/** A Uri from the Explorer (a vscode.Uri) or its JSON form. */
function toUri(u: UriLike): vscode.Uri {
  return u instanceof vscode.Uri ? u : vscode.Uri.from(u);
}

function activeTabUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText) return input.uri;
  return undefined;
}
