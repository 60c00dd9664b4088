// Wires the vscode-free core (engine, providers, store) to VS Code: secrets, settings, the Tasks
// view, commands and the player panel; `activate` returns the public API (src/api.ts).
import './vscode/l10nSetup';

import * as path from 'path';
import * as vscode from 'vscode';

import type { AiVideoApi, TreeItemSnapshot } from './api';
import { TaskEngine } from './core/engine/engine';
import { ProviderError } from './core/model/errors';
import { Logger } from './core/model/events';
import { isActive, Task } from './core/model/task';
import { SpendLedger } from './core/money/ledger';
import { MoneyKeeper } from './core/money/moneyKeeper';
import type { PriceQuote } from './core/money/quote';
import { leaveProxiesToHost } from './core/net/http';
import { redactingLogger } from './core/net/sanitize';
import { ModelCatalog } from './core/provider/catalog';
import { ModelListCache } from './core/provider/modelList';
import { TaskStore } from './core/store/taskStore';
import { PROVIDER_LIST, providerLabel, PROVIDERS } from './providers';
import { shorten } from './shared/text';
import { registerCommands } from './vscode/commands';
import { executeClick, executeCommand } from './vscode/commands/execute';
import { budgetLimits, checkedBaseUrl, engineSettings, onDidChange, userPriceSetting } from './vscode/config';
import { registerAgentTools } from './vscode/generate/agentTools';
import { notifyGroupsFinished } from './vscode/generate/variants';
import { providerContext } from './vscode/keys/providerContext';
import { KeyStore } from './vscode/keys/secretKeys';
import type { SpendingReport } from './vscode/money/moneyCommands';
import { moneyUi } from './vscode/money/moneyUi';
import { showInfo, showWarning } from './vscode/notify';
import { ComparePanel } from './vscode/panels/compare/comparePanel';
import { GalleryPanel } from './vscode/panels/gallery/galleryPanel';
import { PlayerPanel } from './vscode/panels/player/playerPanel';
import { SpendingPanel } from './vscode/panels/spending/spendingPanel';
import { registerPromptFiles } from './vscode/promptFiles/promptFileFeatures';
import { registerStoryboardLenses } from './vscode/storyboard/storyboardLenses';
import { showDiskUsage } from './vscode/tasks/diskUsage';
import { registerStatusBar } from './vscode/tasks/statusBar';
import { TasksTreeProvider, TreeNode } from './vscode/tasks/tasksTree';
import { registerTreeControls } from './vscode/tasks/treeControls';
import { trackWalkthrough } from './vscode/walkthrough';

export async function activate(context: vscode.ExtensionContext): Promise<AiVideoApi> {
  const started = Date.now();
  // Provider requests ignore proxy variables: VS Code's own proxy support (http.proxy…) applies to them.
  leaveProxiesToHost();
  const channel = vscode.window.createOutputChannel('AI Video', { log: true });
  context.subscriptions.push(channel);
  const keys = new KeyStore(context.secrets, PROVIDER_LIST);
  context.subscriptions.push(keys);
  // Every line is scrubbed of the real keys and of anything shaped like a token before it is written.
  const log: Logger = redactingLogger(channel, () => keys.knownSecrets());

  const storageDir = context.globalStorageUri.fsPath;
  const mediaDir = path.join(storageDir, 'videos');
  // Models as data: constructing it reads and fetches nothing; a provider's catalogue is read on its first use.
  const catalog = new ModelCatalog({
    providers: PROVIDERS,
    cacheDir: path.join(storageDir, 'catalog'),
    log,
    // Only for a catalogue behind the key (fal's prices), when that provider is used.
    context: (id) => {
      const provider = PROVIDERS[id];
      return provider ? providerContext(provider, keys, log) : Promise.reject(new Error(`no provider ${id}`));
    },
  });
  context.subscriptions.push({ dispose: () => catalog.dispose() });
  // Every charge, shared by every window; quotes and budgets read the settings each time (no cache to go stale).
  const money = new MoneyKeeper({
    ledger: new SpendLedger(path.join(storageDir, 'spending.jsonl')),
    catalog,
    providerLabel,
    userPrices: () => userPriceSetting().prices,
    limits: budgetLimits,
    log,
  });
  const moneyView = moneyUi(money, catalog);
  const engine = new TaskEngine({
    providers: PROVIDERS,
    store: new TaskStore(path.join(storageDir, 'tasks.json')),
    mediaDir,
    settings: engineSettings,
    log,
    catalog,
    money,
    // A provider that reports no progress is polled around the time its model typically takes.
    typicalRunSeconds(id, model) {
      const provider = PROVIDERS[id];
      if (!provider) return undefined;
      try {
        return catalog.model(id, checkedBaseUrl(provider), model)?.capabilities.typicalRunSeconds;
      } catch {
        return undefined;
      }
    },
    context(id) {
      const provider = PROVIDERS[id];
      if (!provider) {
        return Promise.reject(new ProviderError({ kind: 'config', message: vscode.l10n.t('No provider "{0}" in this version.', id) }));
      }
      return providerContext(provider, keys, log);
    },
  });
  activeEngine = engine;
  context.subscriptions.push({ dispose: () => engine.dispose() });
  // Before init: what loading the history finds (damaged lines, a file moved aside) is told too.
  // Later ones include a history that cannot be saved (told once until a save succeeds again).
  context.subscriptions.push(engine.onDidWarn((message) => void showWarning(vscode.l10n.t('AI Video: {0}', message))));
  await engine.init();
  context.subscriptions.push(keys.onDidChange((p) => engine.keyChanged(p)));
  context.subscriptions.push(onDidChange(() => engine.settingsChanged()));

  const tree = new TasksTreeProvider(engine);
  const view = vscode.window.createTreeView('aiVideo.tasks', { treeDataProvider: tree, showCollapseAll: false, canSelectMany: true });
  const statusBar = registerStatusBar(engine, moneyView);
  context.subscriptions.push(tree, view, registerTreeControls(engine, tree, view), statusBar);
  const updateBadge = () => {
    const active = engine.getTasks().filter(isActive).length;
    view.badge = active
      ? {
          value: active,
          tooltip: active === 1 ? vscode.l10n.t('1 video task in progress') : vscode.l10n.t('{0} video tasks in progress', active),
        }
      : undefined;
  };
  updateBadge();
  context.subscriptions.push(engine.onDidChangeTasks(updateBadge));
  context.subscriptions.push(showDiskUsage(view, engine, mediaDir));

  context.subscriptions.push(notifyOnFinish(engine));

  const mediaRoot = vscode.Uri.file(mediaDir);
  // What servers list at GET {base}/models: asked by the Generate flow and a block's Choose a model…, read by quick fixes.
  const modelLists = new ModelListCache();
  const commands = registerCommands({ context, engine, keys, log, channel, view, tree, mediaRoot, catalog, modelLists, money: moneyView });
  context.subscriptions.push(commands);
  context.subscriptions.push(PlayerPanel.registerSerializer(context.extensionUri, mediaRoot, commands.playerHost));
  context.subscriptions.push(
    GalleryPanel.registerSerializer(context.extensionUri, mediaRoot, commands.galleryHost),
    ComparePanel.registerSerializer(context.extensionUri, mediaRoot, commands.compareHost),
    notifyGroupsFinished(engine),
    SpendingPanel.registerSerializer({ money: moneyView, engine, keys, log, context, mediaRoot }),
  );
  const agentTools = registerAgentTools({ engine, keys, money: moneyView });
  context.subscriptions.push(agentTools);
  // A block naming a model known by its schema (Replicate): read with the key, in the background, when a key is set.
  const loadModelOptions = async (id: string, model: string): Promise<boolean> => {
    const provider = PROVIDERS[id];
    if (!provider?.modelOptions || !(await keys.has(id))) return false;
    await provider.modelOptions.load({ ...(await providerContext(provider, keys, log)), timeoutMs: 10_000 }, model);
    return true;
  };
  context.subscriptions.push(
    registerPromptFiles(engine, context.globalStorageUri, catalog, modelLists, loadModelOptions, (req) => moneyView.quote(req)),
  );
  context.subscriptions.push(registerStoryboardLenses(commands.storyboards));
  context.subscriptions.push(trackWalkthrough(engine, keys));

  log.info(`Activated in ${Date.now() - started} ms with ${engine.getTasks().length} task(s) in the history.`);
  // Callers get copies: nothing outside can change the engine's state by mutating a task.
  const copy = (t: Task): Task => structuredClone(t);
  return {
    getTasks: () => engine.getTasks().map(copy),
    getTask: (id) => {
      const t = engine.getTask(id);
      return t && copy(t);
    },
    onDidChangeTasks: (listener, thisArg, disposables) => {
      const d = engine.onDidChangeTasks((e) => listener.call(thisArg, e.map(copy)));
      disposables?.push(d);
      return d;
    },
    generate: (req) => commands.generateFromArgs(req).then(copy),
    quote: (req) => Promise.resolve(executeCommand('aiVideo.quote', req)) as Promise<PriceQuote>,
    getSpending: (options) => Promise.resolve(executeCommand('aiVideo.getSpending', options ?? {})) as Promise<SpendingReport>,
    flush: () => engine.flush(),
    testing: {
      agentTool: (name) => agentTools.tools[name as keyof typeof agentTools.tools],
      catalog,
      player: () => {
        const p = PlayerPanel.current;
        return p ? { taskId: p.taskId, videoIndex: p.videoIndex, lastPlayback: p.lastPlayback, film: p.filmShown } : undefined;
      },
      treeItems: () => {
        const out: TreeItemSnapshot[] = [];
        const walk = (nodes: TreeNode[], parentId?: string) => {
          for (const node of nodes) {
            const item = tree.getTreeItem(node);
            const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
            const tooltip = typeof item.tooltip === 'string' ? item.tooltip : item.tooltip?.value;
            const description = typeof item.description === 'string' ? item.description : undefined;
            out.push({ id: item.id, label, description, tooltip, contextValue: item.contextValue, parentId });
            walk(tree.getChildren(node), item.id);
          }
        };
        walk(tree.getChildren());
        return out;
      },
      viewDescription: () => view.description,
      statusBarText: () => statusBar.shownText,
      statusBarTooltip: () => statusBar.shownTooltip,
      refreshStatusBar: () => statusBar.refresh(),
      spending: () => {
        const s = SpendingPanel.current;
        return s ? { ready: s.ready, view: s.lastView } : undefined;
      },
      treeMessage: () => view.message,
      gallery: () => {
        const g = GalleryPanel.current;
        return g ? { ready: g.ready, inspect: () => g.inspect() } : undefined;
      },
      compare: () => {
        const c = ComparePanel.current;
        return c ? { taskIds: c.shown } : undefined;
      },
    },
  };
}

/** One notification when a task this window watched becomes playable or fails. */
function notifyOnFinish(engine: TaskEngine): vscode.Disposable {
  const announced = new Set(
    engine
      .getTasks()
      .filter((t) => t.status === 'failed' || t.videos.some((v) => v.localPath))
      .map((t) => t.id),
  );
  return engine.onDidChangeTasks((changed) => {
    for (const t of changed) {
      // A group (variants, several models) is announced once, when all of it is done (generate/variants.ts).
      if (announced.has(t.id) || t.groupId) continue;
      const title = shorten(t.prompt, 50) || t.mode;
      if (t.status === 'succeeded' && t.videos.some((v) => v.localPath)) {
        announced.add(t.id);
        void showInfo(vscode.l10n.t('Video ready: {0}', title), vscode.l10n.t('Play')).then((c) => c && executeClick('aiVideo.play', t.id));
      } else if (t.status === 'failed') {
        announced.add(t.id);
        void showWarning(
          vscode.l10n.t('Video failed: {0} ({1})', title, t.error ?? vscode.l10n.t('no details')),
          vscode.l10n.t('Details'),
        ).then((c) => c && executeClick('aiVideo.showTaskError', t.id));
      }
    }
  });
}

let activeEngine: TaskEngine | undefined;

/** Waits for the task history's last writes; the subscriptions then stop timers and watchers. */
export function deactivate(): Promise<void> | undefined {
  const engine = activeEngine;
  activeEngine = undefined;
  return engine?.flush();
}
