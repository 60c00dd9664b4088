// The video player webview panel: one reusable panel that plays a task's downloaded video.
// The webview app lives in src/webview/player; both sides speak src/webview/player/playerProtocol.ts.

import * as crypto from 'crypto';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { errorMessage } from '../../../core/model/errors';
import { TASK_ACTION_IDS, type TaskActionId } from '../../../core/provider/descriptor';
import type { Task } from '../../../core/model/task';
import { PROVIDERS } from '../../../providers';
import { buildPlayerHtml, isPathInside, panelTitle, planPlayerContent, type PlayerContent } from './playerPage';
import { webviewOptions } from '../webviewOptions';
import {
  isPlayerState,
  isWebviewMessage,
  type ActionMessage,
  type HostToWebview,
  type PlaybackMessage,
  type PlayerAction,
} from '../../../webview/player/playerProtocol';

/** Actions the extension implements; the panel handles the file and clipboard ones itself. */
export type HostPlayerAction = Extract<PlayerAction, 'saveToWorkspace' | 'regenerate'>;

/** What the panel needs from the rest of the extension. */
export interface PlayerHost {
  getTask(id: string): Task | undefined;
  /** Fires when tasks change; the panel re-renders if what it shows changed (e.g. a download finished). */
  onDidChangeTasks: vscode.Event<unknown>;
  runAction(action: HostPlayerAction, taskId: string, videoIndex: number): void | Thenable<unknown>;
  /** One of the provider's actions on the task (remix…); asks for what it needs. */
  runTaskAction(action: TaskActionId, taskId: string): Thenable<unknown>;
  log: { info(msg: string): void; warn(msg: string): void };
}

function realPath(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}

export class PlayerPanel implements vscode.Disposable {
  static readonly viewType = 'aiVideo.player';
  static current: PlayerPanel | undefined;

  /** Shows `taskId` in the player, creating the panel or reusing and revealing the open one. */
  static show(
    extensionUri: vscode.Uri,
    mediaRoot: vscode.Uri,
    host: PlayerHost,
    taskId: string,
    videoIndex = 0,
  ): PlayerPanel {
    const existing = PlayerPanel.current;
    if (existing) {
      existing.select(taskId, videoIndex);
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      PlayerPanel.viewType,
      panelTitle(host.getTask(taskId)?.prompt),
      vscode.ViewColumn.Active,
      webviewOptions(extensionUri, mediaRoot),
    );
    PlayerPanel.current = new PlayerPanel(panel, extensionUri, mediaRoot, host, taskId, videoIndex);
    return PlayerPanel.current;
  }

  /** Restores the panel after a reload from the webview state `{taskId, videoIndex}`. */
  static registerSerializer(extensionUri: vscode.Uri, mediaRoot: vscode.Uri, host: PlayerHost): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(PlayerPanel.viewType, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
        // The install path may have changed since the panel was saved (extension update).
        panel.webview.options = webviewOptions(extensionUri, mediaRoot);
        if (!isPlayerState(state) || PlayerPanel.current) {
          host.log.info('Player: not restoring a player panel (no saved task, or a player is already open).');
          panel.dispose();
          return;
        }
        PlayerPanel.current = new PlayerPanel(panel, extensionUri, mediaRoot, host, state.taskId, state.videoIndex);
      },
    });
  }

  private readonly playbackEmitter = new vscode.EventEmitter<PlaybackMessage>();
  readonly onDidReportPlayback: vscode.Event<PlaybackMessage> = this.playbackEmitter.event;

  private readonly disposables: vscode.Disposable[] = [];
  private shownTaskId: string;
  private shownVideoIndex: number;
  private latestPlayback: PlaybackMessage | undefined;
  /** The webview posted `ready` and has not been torn down since. */
  private webviewReady = false;
  /** JSON of the last message posted, so task-store churn does not re-post an identical view. */
  private lastPosted: string | undefined;
  private disposed = false;

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly mediaRoot: vscode.Uri,
    private readonly host: PlayerHost,
    taskId: string,
    videoIndex: number,
  ) {
    this.shownTaskId = taskId;
    this.shownVideoIndex = videoIndex;
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.svg');
    panel.title = panelTitle(host.getTask(taskId)?.prompt);
    this.disposables.push(
      this.playbackEmitter,
      panel.onDidDispose(() => this.dispose()),
      // Without retainContextWhenHidden the page is discarded when hidden and posts `ready` again when shown.
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.webviewReady = false;
      }),
      panel.webview.onDidReceiveMessage((message: unknown) => this.onMessage(message)),
      host.onDidChangeTasks(() => this.render(false)),
    );
    panel.webview.html = this.html();
  }

  get taskId(): string {
    return this.shownTaskId;
  }

  get videoIndex(): number {
    return this.shownVideoIndex;
  }

  /** The latest playback report of the shown task, if any. */
  get lastPlayback(): PlaybackMessage | undefined {
    return this.latestPlayback;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (PlayerPanel.current === this) PlayerPanel.current = undefined;
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private select(taskId: string, videoIndex: number): void {
    if (taskId !== this.shownTaskId || videoIndex !== this.shownVideoIndex) this.latestPlayback = undefined;
    this.shownTaskId = taskId;
    this.shownVideoIndex = videoIndex;
    this.render(true);
  }

  private html(): string {
    const webview = this.panel.webview;
    return buildPlayerHtml({
      cspSource: webview.cspSource,
      nonce: crypto.randomBytes(18).toString('base64'),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', 'player.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'player.css')).toString(),
      strings: vscode.l10n.bundle,
      lang: vscode.env.language,
    });
  }

  /** The shown task's content, with the file checked on disk (exists, and no symlink out of mediaRoot). */
  private content(): PlayerContent {
    const task = this.host.getTask(this.shownTaskId);
    const content = planPlayerContent(task, this.shownVideoIndex, this.mediaRoot.fsPath, task && PROVIDERS[task.provider]);
    if (content.kind !== 'video') return content;
    const file = realPath(content.localPath);
    const root = realPath(this.mediaRoot.fsPath);
    if (!file || !root) {
      return { kind: 'unavailable', message: vscode.l10n.t('The downloaded video file is missing. Download it again to play it.') };
    }
    if (!isPathInside(root, file)) {
      return { kind: 'unavailable', message: vscode.l10n.t("The video file is outside the extension's media folder, so the player cannot load it.") };
    }
    return content;
  }

  private message(): HostToWebview {
    const content = this.content();
    if (content.kind === 'unavailable') {
      return { type: 'unavailable', taskId: this.shownTaskId, message: content.message };
    }
    this.shownVideoIndex = content.videoIndex;
    const src = this.panel.webview.asWebviewUri(vscode.Uri.file(content.localPath)).toString();
    return { type: 'show', taskId: this.shownTaskId, videoIndex: content.videoIndex, video: { src }, meta: content.meta };
  }

  /** Posts the current view when the webview is ready; unless `force`, only when it changed. */
  private render(force: boolean): void {
    if (this.disposed) return;
    this.panel.title = panelTitle(this.host.getTask(this.shownTaskId)?.prompt);
    if (!this.webviewReady) return;
    const message = this.message();
    const json = JSON.stringify(message);
    if (!force && json === this.lastPosted) return;
    this.lastPosted = json;
    this.panel.webview.postMessage(message).then(undefined, (error: unknown) => {
      this.host.log.warn(`Player: could not post to the webview: ${errorMessage(error)}`);
    });
  }

  private onMessage(message: unknown): void {
    if (!isWebviewMessage(message)) {
      this.host.log.warn('Player: ignored a malformed message from the webview.');
      return;
    }
    switch (message.type) {
      case 'ready':
        this.webviewReady = true;
        this.render(true);
        return;
      case 'playback':
        if (message.taskId !== this.shownTaskId) return;
        this.latestPlayback = message;
        this.playbackEmitter.fire(message);
        return;
      case 'mediaError':
        if (message.taskId !== this.shownTaskId) return;
        this.host.log.warn(`Player: task ${message.taskId}: ${message.message}`);
        return;
      case 'action':
        if (message.taskId !== this.shownTaskId) {
          this.host.log.info(`Player: ignored "${message.action}" for task ${message.taskId}, which is no longer shown.`);
          return;
        }
        this.onAction(message);
        return;
      case 'taskAction': {
        const action = TASK_ACTION_IDS.find((id) => id === message.action);
        if (message.taskId !== this.shownTaskId || !action) {
          this.host.log.info(`Player: ignored "${message.action}" for task ${message.taskId}.`);
          return;
        }
        this.host.runTaskAction(action, message.taskId).then(undefined, (error: unknown) => {
          this.host.log.warn(`Player: "${action}" failed: ${errorMessage(error)}`);
          vscode.window.showErrorMessage(vscode.l10n.t('Could not {0} the video: {1}', action, errorMessage(error)));
        });
        return;
      }
    }
  }

  private onAction(message: ActionMessage): void {
    const { action, taskId } = message;
    const videoIndex = message.videoIndex ?? this.shownVideoIndex;
    switch (action) {
      case 'selectVideo':
        this.select(taskId, videoIndex);
        return;
      case 'copyPrompt': {
        const task = this.host.getTask(taskId);
        if (!task) return;
        this.run(action, vscode.env.clipboard.writeText(task.prompt).then(() => {
          vscode.window.setStatusBarMessage(`$(check) ${vscode.l10n.t('Prompt copied')}`, 3000);
        }));
        return;
      }
      case 'openExternal':
      case 'revealInExplorer':
      case 'openInVideoPreview': {
        const content = this.content();
        if (content.kind === 'unavailable') {
          vscode.window.showWarningMessage(content.message);
          return;
        }
        const uri = vscode.Uri.file(content.localPath);
        const work =
          action === 'openExternal'
            ? vscode.env.openExternal(uri)
            : action === 'revealInExplorer'
              ? vscode.commands.executeCommand('revealFileInOS', uri)
              : vscode.commands.executeCommand('vscode.openWith', uri, 'vscode.videoPreview');
        this.run(action, work);
        return;
      }
      case 'saveToWorkspace':
      case 'regenerate':
        try {
          this.run(action, this.host.runAction(action, taskId, videoIndex));
        } catch (error) {
          this.fail(action, error);
        }
        return;
    }
  }

  private run(action: PlayerAction, work: void | Thenable<unknown>): void {
    const thenable = work as Thenable<unknown> | undefined;
    if (typeof thenable?.then === 'function') thenable.then(undefined, (error: unknown) => this.fail(action, error));
  }

  private fail(action: PlayerAction, error: unknown): void {
    this.host.log.warn(`Player: "${action}" failed: ${errorMessage(error)}`);
    vscode.window.showErrorMessage(failureText(action, errorMessage(error)));
  }
}

function failureText(action: PlayerAction, error: string): string {
  switch (action) {
    case 'openExternal':
      return vscode.l10n.t('Could not open the video externally: {0}', error);
    case 'revealInExplorer':
      return vscode.l10n.t('Could not reveal the video file: {0}', error);
    case 'openInVideoPreview':
      return vscode.l10n.t('Could not open the video preview: {0}', error);
    case 'copyPrompt':
      return vscode.l10n.t('Could not copy the prompt: {0}', error);
    case 'saveToWorkspace':
      return vscode.l10n.t('Could not save the video to the workspace: {0}', error);
    case 'regenerate':
      return vscode.l10n.t('Could not regenerate the video: {0}', error);
    case 'selectVideo':
      return vscode.l10n.t('Could not switch videos: {0}', error);
  }
}
