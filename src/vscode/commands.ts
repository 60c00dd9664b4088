// Command handlers: thin glue between VS Code input (palette, Explorer, tree, webview) and the engine.
import { createHash } from 'crypto';
import * as vscode from 'vscode';
import { TaskEngine } from '../core/engine';
import { ErrorKind, errorMessage, isProviderError, ProviderError, remedyFor } from '../core/errors';
import { Logger } from '../core/events';
import { IMAGE_EXTENSIONS, VIDEO_EXTENSIONS } from '../core/media';
import { parseGenerateRequest } from '../core/requestValidation';
import { GenerateRequest, GenerationMode, PROVIDER_IDS, PROVIDER_LABELS, ProviderId, Task } from '../core/types';
import { PROVIDERS } from '../providers';
import { gateway } from '../providers/gateway';
import { checkedBaseUrl, gatewayModels, hidreamUserId } from './config';
import { runGenerateFlow } from './generateFlow';
import { KeyStore, validateKeyInput } from './keys';
import { PlayerHost, PlayerPanel } from './playerPanel';
import { saveToWorkspace } from './saveToWorkspace';
import { registerTaskRemoval } from './taskRemoval';
import { TreeNode } from './tasksTree';

export interface CommandDeps {
  context: vscode.ExtensionContext;
  engine: TaskEngine;
  keys: KeyStore;
  log: Logger;
  channel: vscode.LogOutputChannel;
  view: vscode.TreeView<TreeNode>;
  mediaRoot: vscode.Uri;
}

export interface Commands extends vscode.Disposable {
  playerHost: PlayerHost;
  generateFromArgs(request: unknown): Promise<Task>;
  /** The quick-pick flow (starting from `preset`), then the create; undefined when cancelled or failed. */
  generateInteractive(preset?: Partial<GenerateRequest> & { mode?: GenerationMode }): Promise<Task | undefined>;
  /** Asks for a provider's key when there is none; false when the user cancelled. */
  ensureKey(p: ProviderId): Promise<boolean>;
}

/** Extra arguments the Explorer commands accept after (uri, uris) to skip the prompts. */
type ExplorerPreset = Partial<GenerateRequest> & { perImage?: boolean };

function isProviderId(x: unknown): x is ProviderId {
  return typeof x === 'string' && (PROVIDER_IDS as readonly string[]).includes(x);
}

/** A task id from whatever a command was invoked with: an id, a tree node, or a list of them. */
function taskIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg && typeof arg === 'object' && typeof (arg as { taskId?: unknown }).taskId === 'string') return (arg as { taskId: string }).taskId;
  if (arg && typeof arg === 'object' && typeof (arg as { id?: unknown }).id === 'string') return (arg as { id: string }).id;
  return undefined;
}

function hasExt(uri: vscode.Uri, exts: string[]): boolean {
  const lower = uri.path.toLowerCase();
  return exts.some((e) => lower.endsWith(e));
}

export function registerCommands(deps: CommandDeps): Commands {
  const { engine, keys, log, context } = deps;
  const subs: vscode.Disposable[] = [];
  const tasksChanged = new vscode.EventEmitter<void>();
  subs.push(tasksChanged, engine.onDidChangeTasks(() => tasksChanged.fire()));

  const explain = async (e: unknown, provider?: ProviderId): Promise<void> => {
    const message = errorMessage(e);
    const kind: ErrorKind | undefined = isProviderError(e) ? e.kind : undefined;
    const remedy = remedyFor(kind);
    const actions: string[] = [];
    if (remedy === 'setKey') actions.push('Set API Key');
    if (remedy === 'checkSettings') actions.push('Open Settings');
    actions.push('Show Log');
    const choice = await vscode.window.showErrorMessage(message, ...actions);
    if (choice === 'Set API Key') await vscode.commands.executeCommand('aiVideo.setApiKey', provider);
    else if (choice === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'aiVideo');
    else if (choice === 'Show Log') deps.channel.show(true);
  };

  /** Asks for a key when there is none; false when the user cancelled. */
  const ensureKey = async (p: ProviderId): Promise<boolean> => {
    if (await keys.has(p)) return true;
    const key = await vscode.window.showInputBox({
      title: `${PROVIDER_LABELS[p]} API key`,
      prompt: `Enter your ${PROVIDER_LABELS[p]} API key. It is kept in VS Code's secret storage only.`,
      password: true,
      ignoreFocusOut: true,
      validateInput: validateKeyInput,
    });
    if (!key) return false;
    await keys.set(p, key);
    log.info(`API key for ${PROVIDER_LABELS[p]} stored.`);
    return true;
  };

  const generateFromArgs = async (x: unknown): Promise<Task> => {
    let req: GenerateRequest;
    try {
      req = parseGenerateRequest(x);
    } catch (e) {
      throw new Error(errorMessage(e));
    }
    return engine.generate(req);
  };

  const submitInteractive = async (req: GenerateRequest): Promise<Task | undefined> => {
    if (!(await ensureKey(req.provider))) return undefined;
    try {
      const task = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Submitting to ${PROVIDER_LABELS[req.provider]}…`, cancellable: false },
        () => engine.generate(req),
      );
      void deps.view.reveal({ kind: 'task', taskId: task.id }, { select: true, focus: false }).then(undefined, () => undefined);
      return task;
    } catch (e) {
      log.error(`Generate failed: ${errorMessage(e)}`);
      void explain(e, req.provider);
      return undefined;
    }
  };

  // The gateway's own model list, asked once per key and base URL for ten minutes.
  let listedModels: { key: string; at: number; ids: string[] } | undefined;
  const modelsFor = async (p: ProviderId): Promise<string[]> => {
    if (p !== 'gateway') return [];
    const ids = gatewayModels();
    try {
      const key = await keys.get('gateway');
      if (key) {
        const baseUrl = checkedBaseUrl('gateway');
        const cacheKey = `${baseUrl} ${createHash('sha256').update(key).digest('hex')}`;
        if (!listedModels || listedModels.key !== cacheKey || Date.now() - listedModels.at > 10 * 60_000) {
          listedModels = { key: cacheKey, at: Date.now(), ids: await gateway.listModels({ baseUrl, apiKey: key, timeoutMs: 5000 }) };
        }
        for (const m of listedModels.ids) if (!ids.includes(m)) ids.push(m);
      }
    } catch (e) {
      log.trace(`Model list unavailable: ${errorMessage(e)}`);
    }
    return ids;
  };

  const interactive = async (preset?: Partial<GenerateRequest> & { mode?: GenerationMode }): Promise<GenerateRequest | undefined> =>
    runGenerateFlow({ providers: PROVIDERS, memento: context.globalState, hasKey: (p) => keys.has(p), models: modelsFor, preset });

  const generateInteractive = async (preset?: Partial<GenerateRequest> & { mode?: GenerationMode }): Promise<Task | undefined> => {
    const req = await interactive(preset);
    return req ? submitInteractive(req) : undefined;
  };

  const play = async (arg?: unknown, index?: unknown): Promise<void> => {
    const node = arg as TreeNode | undefined;
    const id = taskIdOf(arg);
    const task = id ? engine.getTask(id) : undefined;
    if (!task) {
      void vscode.window.showWarningMessage('Choose a finished task to play.');
      return;
    }
    const videoIndex = typeof index === 'number' ? index : node && typeof node === 'object' && node.kind === 'video' ? node.index : 0;
    if (task.status !== 'succeeded') {
      void vscode.window.showInformationMessage(task.status === 'failed' ? `This task failed: ${task.error ?? 'no details'}` : 'This video is not ready yet.');
      return;
    }
    PlayerPanel.show(context.extensionUri, deps.mediaRoot, playerHost, task.id, videoIndex);
  };

  const regenerate = async (arg?: unknown, opts?: { sameSeed?: boolean }): Promise<Task | undefined> => {
    const task = engine.getTask(taskIdOf(arg) ?? '');
    if (!task) return undefined;
    const req: GenerateRequest = { ...task.request };
    let sameSeed = opts?.sameSeed;
    const seed = task.videos[0]?.seed ?? task.request.seed;
    if (sameSeed === undefined && seed !== undefined && PROVIDERS[task.provider].validate({ ...req, seed }) === undefined) {
      const pick = await vscode.window.showQuickPick([{ label: `Same seed (${seed})`, same: true }, { label: 'New random seed', same: false }], { title: 'Regenerate' });
      if (!pick) return undefined;
      sameSeed = pick.same;
    }
    if (sameSeed && seed !== undefined) req.seed = seed;
    else delete req.seed;
    if (opts) return engine.generate(req);
    return submitInteractive(req);
  };

  const playerHost: PlayerHost = {
    getTask: (id) => engine.getTask(id),
    onDidChangeTasks: tasksChanged.event,
    runAction: (action, taskId, videoIndex) => {
      const t = engine.getTask(taskId);
      if (!t) return;
      if (action === 'regenerate') return regenerate(taskId);
      return saveToWorkspace(t, videoIndex, log).then(undefined, (e) => explain(e));
    },
    log,
  };

  const setApiKey = async (provider?: unknown, key?: unknown): Promise<void> => {
    if (provider !== undefined && !isProviderId(provider)) throw new Error(`Unknown provider "${String(provider)}". Use one of: ${PROVIDER_IDS.join(', ')}.`);
    if (isProviderId(provider) && typeof key === 'string') {
      const bad = validateKeyInput(key);
      if (bad) throw new Error(bad);
      await keys.set(provider, key);
      log.info(`API key for ${PROVIDER_LABELS[provider]} stored.`);
      return;
    }
    let p = provider as ProviderId | undefined;
    if (!p) {
      const items = await Promise.all(
        PROVIDER_IDS.map(async (id) => ({ label: PROVIDER_LABELS[id], id, description: (await keys.has(id)) ? '$(key) key set' : 'no key' })),
      );
      const pick = await vscode.window.showQuickPick(items, { title: 'AI Video: API keys', placeHolder: 'Choose a provider' });
      if (!pick) return;
      p = pick.id;
    }
    const has = await keys.has(p);
    let action = 'set';
    if (has) {
      const choice = await vscode.window.showQuickPick(
        [
          { label: '$(key) Enter a new key', action: 'set' },
          { label: '$(plug) Test connection', action: 'test' },
          { label: '$(trash) Remove the key', action: 'remove' },
        ],
        { title: `${PROVIDER_LABELS[p]} API key`, placeHolder: 'A key is set' },
      );
      if (!choice) return;
      action = choice.action;
    }
    if (action === 'test') {
      await testConnection(p);
      return;
    }
    if (action === 'remove') {
      await keys.delete(p);
      log.info(`API key for ${PROVIDER_LABELS[p]} removed.`);
      void vscode.window.showInformationMessage(`${PROVIDER_LABELS[p]} key removed.`);
      return;
    }
    const entered = await vscode.window.showInputBox({
      title: `${PROVIDER_LABELS[p]} API key`,
      prompt: `Stored in VS Code's secret storage only; sent only to ${safeHost(p)}.`,
      password: true,
      ignoreFocusOut: true,
      validateInput: validateKeyInput,
    });
    if (!entered) return;
    await keys.set(p, entered);
    log.info(`API key for ${PROVIDER_LABELS[p]} stored.`);
    const next = await vscode.window.showInformationMessage(`${PROVIDER_LABELS[p]} key saved.`, 'Test Connection');
    if (next) await testConnection(p);
  };

  const testConnection = async (provider?: unknown): Promise<string | undefined> => {
    let p = isProviderId(provider) ? provider : undefined;
    if (!p) {
      const pick = await vscode.window.showQuickPick(
        PROVIDER_IDS.map((id) => ({ label: PROVIDER_LABELS[id], id })),
        { title: 'AI Video: Test connection' },
      );
      if (!pick) return undefined;
      p = pick.id;
    }
    const key = await keys.get(p);
    if (!key) {
      void explain(new ProviderError({ kind: 'auth', message: `No API key set for ${PROVIDER_LABELS[p]}.` }), p);
      return undefined;
    }
    try {
      const ctx = { baseUrl: checkedBaseUrl(p), apiKey: key, userId: p === 'hidream' ? hidreamUserId() : undefined, timeoutMs: 15_000 };
      const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Testing ${PROVIDER_LABELS[p]}…` }, () => PROVIDERS[p!].testConnection(ctx));
      log.info(result);
      void vscode.window.showInformationMessage(result);
      return result;
    } catch (e) {
      log.warn(`Connection test for ${PROVIDER_LABELS[p]} failed: ${errorMessage(e)}`);
      void explain(e, p);
      return errorMessage(e);
    }
  };

  const animateImage = async (uri?: vscode.Uri, uris?: vscode.Uri[], preset?: ExplorerPreset): Promise<Task[] | undefined> => {
    const target = uri ?? vscode.window.activeTextEditor?.document.uri ?? activeTabUri();
    const selected = (uris && uris.length ? uris : target ? [target] : []).filter((u) => hasExt(u, IMAGE_EXTENSIONS));
    if (selected.length === 0) {
      void vscode.window.showWarningMessage('Choose a PNG, JPEG or WebP image to animate.');
      return undefined;
    }
    const local = selected.filter((u) => u.scheme === 'file');
    if (local.length !== selected.length) {
      void vscode.window.showWarningMessage('Only images on this machine\'s disk can be animated.');
      return undefined;
    }
    const paths = local.map((u) => u.fsPath);
    let perImage = preset?.perImage ?? false;
    if (paths.length > 1 && preset?.perImage === undefined && !preset?.provider) {
      const pick = await vscode.window.showQuickPick(
        [
          { label: `$(combine) One video from all ${paths.length} images`, detail: 'Pika 2.0 ingredients', per: false },
          { label: `$(files) One video per image (${paths.length} tasks)`, detail: 'Same settings for each image', per: true },
        ],
        { title: 'Animate images' },
      );
      if (!pick) return undefined;
      perImage = pick.per;
    }
    const { perImage: _ignored, ...presetReq } = preset ?? {};
    const base: Partial<GenerateRequest> & { mode?: GenerationMode } =
      paths.length > 1 && !perImage ? { ...presetReq, provider: 'pika', images: paths, mode: 'ingredients' } : { ...presetReq, image: paths[0], mode: 'image-to-video' };
    let req: GenerateRequest | undefined;
    if (base.provider && typeof base.prompt === 'string') {
      const { mode: _m, ...rest } = base;
      req = parseGenerateRequest(rest);
    } else {
      req = await interactive(base);
    }
    if (!req) return undefined;
    const requests = paths.length > 1 && perImage ? paths.map((p) => ({ ...req!, image: p })) : [req];
    const tasks: Task[] = [];
    for (const r of requests) {
      const t = preset?.provider ? await engine.generate(r) : await submitInteractive(r);
      if (t) tasks.push(structuredClone(t));
    }
    return tasks;
  };

  const restyleVideo = async (uri?: vscode.Uri, _uris?: vscode.Uri[], preset?: ExplorerPreset): Promise<Task | undefined> => {
    const target = uri ?? vscode.window.activeTextEditor?.document.uri ?? activeTabUri();
    if (!target || !hasExt(target, VIDEO_EXTENSIONS) || target.scheme !== 'file') {
      void vscode.window.showWarningMessage('Choose an MP4, WebM or MOV video on disk to restyle.');
      return undefined;
    }
    if (preset?.provider || preset?.style || typeof preset?.prompt === 'string') {
      const { perImage: _p, ...rest } = preset;
      return structuredClone(await engine.generate(parseGenerateRequest({ prompt: '', ...rest, provider: 'hidream', video: target.fsPath })));
    }
    const req = await interactive({ provider: 'hidream', video: target.fsPath, mode: 'video-edit' });
    const t = req ? await submitInteractive(req) : undefined;
    return t && structuredClone(t);
  };

  const reg = (id: string, fn: (...args: never[]) => unknown) => subs.push(vscode.commands.registerCommand(id, fn as (...args: unknown[]) => unknown));

  reg('aiVideo.generate', async (arg?: unknown) => {
    if (arg !== undefined && !(arg instanceof vscode.Uri) && typeof arg === 'object' && arg !== null && 'provider' in arg) {
      return structuredClone(await generateFromArgs(arg));
    }
    return generateInteractive();
  });
  reg('aiVideo.setApiKey', setApiKey);
  reg('aiVideo.testConnection', testConnection);
  reg('aiVideo.refresh', () => engine.refresh());
  reg('aiVideo.play', play);
  reg('aiVideo.showLog', () => deps.channel.show());
  reg('aiVideo.animateImage', animateImage);
  reg('aiVideo.restyleVideo', restyleVideo);
  reg('aiVideo.regenerate', regenerate);
  reg('aiVideo.checkAgain', (arg: unknown) => {
    const id = taskIdOf(arg);
    if (id) engine.checkAgain(id);
  });
  reg('aiVideo.retryDownload', (arg: unknown) => {
    // The engine retries failed downloads itself; the adapter never edits a task.
    const t = engine.getTask(taskIdOf(arg) ?? '');
    if (t) engine.ensureDownloads(t);
  });
  reg('aiVideo.saveToWorkspace', async (arg: unknown, index?: number) => {
    const t = engine.getTask(taskIdOf(arg) ?? '');
    if (!t) return undefined;
    try {
      return await saveToWorkspace(t, typeof index === 'number' ? index : 0, log);
    } catch (e) {
      void explain(e);
      return undefined;
    }
  });
  subs.push(registerTaskRemoval(engine, deps.mediaRoot));
  reg('aiVideo.copyPrompt', async (arg: unknown) => {
    const t = engine.getTask(taskIdOf(arg) ?? '');
    if (t) await vscode.env.clipboard.writeText(t.prompt);
  });
  reg('aiVideo.showTaskError', async (arg: unknown) => {
    const t = engine.getTask(taskIdOf(arg) ?? '');
    if (!t || !t.error) return;
    const remedy = remedyFor(t.errorKind as ErrorKind | undefined);
    const actions = [
      ...(remedy === 'setKey' ? ['Set API Key'] : []),
      ...(t.timedOut ? ['Check Again'] : []),
      'Regenerate',
      'Show Log',
    ];
    const choice = await vscode.window.showErrorMessage(t.error, ...actions);
    if (choice === 'Set API Key') await setApiKey(t.provider);
    else if (choice === 'Check Again') engine.checkAgain(t.id);
    else if (choice === 'Regenerate') await regenerate(t.id);
    else if (choice === 'Show Log') deps.channel.show(true);
  });

  return {
    playerHost,
    generateFromArgs,
    generateInteractive,
    ensureKey,
    dispose: () => subs.forEach((d) => d.dispose()),
  };
}

function safeHost(p: ProviderId): string {
  try {
    return new URL(checkedBaseUrl(p)).host;
  } catch {
    return 'the configured base URL';
  }
}

function activeTabUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText) return input.uri;
  return undefined;
}
