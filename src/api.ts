// The public API of AI Video Studio: what `activate` returns, so that another extension (or a
// script run in the extension host) can read the task history, follow it and start generations:
//
//   const api = await vscode.extensions.getExtension<AiVideoApi>('aivideo.ai-video-studio')?.activate();
//
// Stability: the top-level members (`getTasks`, `getTask`, `onDidChangeTasks`, `generate`, `quote`, `getSpending`, `flush`)
// are the contract. They change only in a major version, and only by adding: a new optional field
// of `Task` or `GenerateRequest` is not a break. `testing` is not part of the contract: it exposes
// what the UI shows so this repository's in-host tests can check it, and may change in any release.
import type { Event, LanguageModelTool } from 'vscode';

import type { GenerateRequest, Task } from './core/model/task';
import type { PriceQuote } from './core/money/quote';
import type { ModelCatalog } from './core/provider/catalog';
import type { SpendingReport } from './vscode/money/moneyCommands';
import type { InspectionMessage } from './webview/gallery/galleryProtocol';
import type { SpendingView } from './webview/spending/spendingProtocol';

export interface AiVideoApi {
  /** Every task in the history, newest first, as copies (changing them changes nothing). */
  getTasks(): Task[];
  /** One task by its id, as a copy; undefined when there is none. */
  getTask(id: string): Task | undefined;
  /** Fires with the tasks that changed (copies), in this window or another one sharing the history. */
  onDidChangeTasks: Event<Task[]>;
  /**
   * Starts one generation as a script call: nothing is asked. Resolves once the provider answered
   * (`queued` or `running`), or with `waiting` when the create is held in the local queue; rejects
   * with the reason when the request is invalid, the provider has no key or refused the create.
   * The create is sent once, never retried, and identical requests are never merged.
   */
  generate(request: GenerateRequest): Promise<Task>;
  /**
   * The price of a request, sending nothing: `amount` in USD (absent when the price is unknown),
   * whether it is an estimate (the request left the length or resolution to the model), and how it
   * was reached. From the cached catalogue and `aiVideo.prices`; rejects when the request is invalid.
   */
  quote(request: GenerateRequest): Promise<PriceQuote>;
  /** The spend ledger's totals over the last `days` days (default 30, at most 366), as `aiVideo.getSpending` returns them. */
  getSpending(options?: { days?: number }): Promise<SpendingReport>;
  /** Waits for pending writes of the task history. */
  flush(): Promise<void>;
  /** Hooks for this repository's tests and tools; not a stable API. */
  readonly testing: AiVideoTestingApi;
}

/** What the UI currently shows, for the in-host tests. Not stable: may change in any release. */
export interface AiVideoTestingApi {
  /**
   * A language model tool's object by its name (`aiVideo_generateVideo`…), to call its
   * `prepareInvocation` and `invoke` one by one as VS Code does; undefined for another name.
   */
  agentTool(name: string): LanguageModelTool<object> | undefined;
  /** The model catalogue the engine and the UI read (models, capabilities, prices, lifecycle). */
  readonly catalog: ModelCatalog;
  /**
   * What the player panel currently shows and last reported: a task's video (`taskId`), or a
   * storyboard's film (`film`: the storyboard's URI, and the film's file and shot ids once read, or
   * why it cannot be played).
   */
  player():
    | {
        taskId: string | undefined;
        videoIndex: number;
        lastPlayback: unknown;
        film?: { storyboard: string; file?: string; title?: string; shots?: string[]; message?: string };
      }
    | undefined;
  /**
   * Every item of the Tasks view (days, groups, tasks, videos), depth first, as the tree provider
   * renders them (the tooltip as its markdown source).
   */
  treeItems(): TreeItemSnapshot[];
  /** The Tasks view's description (disk used by the videos). */
  viewDescription(): string | undefined;
  /** The status bar text while tasks run or money was spent today, undefined when hidden. */
  statusBarText(): string | undefined;
  /** The status bar's tooltip as text, undefined when hidden. */
  statusBarTooltip(): string | undefined;
  /** Reads today's spend again and redraws the status bar. */
  refreshStatusBar(): Promise<void>;
  /** The open spending panel: whether its page said ready, and the view last posted to it. */
  spending(): { ready: boolean; view: SpendingView | undefined } | undefined;
  /** The Tasks view's message (the active filter). */
  treeMessage(): string | undefined;
  /** The open gallery, and what its webview renders. */
  gallery(): { ready: boolean; inspect(): Promise<InspectionMessage> } | undefined;
  /** The task ids the compare panel shows. */
  compare(): { taskIds: string[] } | undefined;
}

/** One Tasks view item as `AiVideoTestingApi.treeItems` reports it. */
export interface TreeItemSnapshot {
  id?: string;
  label: string;
  description?: string;
  tooltip?: string;
  contextValue?: string;
  parentId?: string;
}
