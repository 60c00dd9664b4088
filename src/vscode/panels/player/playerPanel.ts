// The video player webview panel: one reusable panel that plays a task's downloaded video.
// The webview app lives in src/webview/player; both sides speak src/webview/player/playerProtocol.ts.
// The lifecycle (one open panel, restore, ready handshake, disposal) is the panel base's (panelBase.ts).

import * as fs from 'fs';
import * as vscode from 'vscode';

import { errorMessage } from '../../../core/model/errors';
import type { Task } from '../../../core/model/task';
import { TASK_ACTION_IDS, type TaskActionId } from '../../../core/provider/descriptor';
import { PROVIDERS } from '../../../providers';
import {
  isPlayerState,
  isWebviewMessage,
  type ActionMessage,
  type HostToWebview,
  type PlaybackMessage,
  type PlayerAction,
  type WebviewToHost,
} from '../../../webview/player/playerProtocol';
import { showError, showWarning } from '../../notify';
import { AppPanel, PanelSlot, readWhole, type PanelPlace, type PanelSpec } from '../panelBase';
import { isPathInside, panelTitle, planPlayerContent, type PlayerContent } from './playerPage';

/** Actions the extension implements; the panel handles the file and clipboard ones itself. */
export type HostPlayerAction = Extract<PlayerAction, 'saveToWorkspace' | 'regenerate' | 'continueFromLastFrame'>;

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

const SPEC: PanelSpec<WebviewToHost> = {
  app: 'player',
  name: 'Player',
  pageTitle: () => vscode.l10n.t('Video player'),
  read: readWhole(isWebviewMessage),
};

export class PlayerPanel extends AppPanel<HostToWebview, WebviewToHost> {
  static readonly viewType = 'aiVideo.player';
  private static readonly slot = new PanelSlot<PlayerPanel>(PlayerPanel.viewType);

  /** The open player, if any. */
  static get current(): PlayerPanel | undefined {
    return PlayerPanel.slot.current;
  }

  /** Shows `taskId` in the player, creating the panel or reusing and revealing the open one. */
  static show(extensionUri: vscode.Uri, mediaRoot: vscode.Uri, host: PlayerHost, taskId: string, videoIndex = 0): PlayerPanel {
    const place = { extensionUri, mediaRoot };
    return PlayerPanel.slot.show(
      place,
      panelTitle(host.getTask(taskId)?.prompt),
      (open) => open.select(taskId, videoIndex),
      (panel) => new PlayerPanel(panel, place, host, taskId, videoIndex),
    );
  }

  /** Restores the panel after a reload from the webview state `{taskId, videoIndex}`. */
  static registerSerializer(extensionUri: vscode.Uri, mediaRoot: vscode.Uri, host: PlayerHost): vscode.Disposable {
    const place = { extensionUri, mediaRoot };
    return PlayerPanel.slot.registerSerializer(place, host.log, (panel, state) =>
      isPlayerState(state) ? new PlayerPanel(panel, place, host, state.taskId, state.videoIndex) : undefined,
    );
  }

  private readonly playbackEmitter = new vscode.EventEmitter<PlaybackMessage>();
  readonly onDidReportPlayback: vscode.Event<PlaybackMessage> = this.playbackEmitter.event;

  private shownTaskId: string;
  private shownVideoIndex: number;
  private latestPlayback: PlaybackMessage | undefined;

  private constructor(
    panel: vscode.WebviewPanel,
    place: PanelPlace,
    private readonly host: PlayerHost,
    taskId: string,
    videoIndex: number,
  ) {
    super(PlayerPanel.slot, panel, place, host.log, SPEC);
    this.shownTaskId = taskId;
    this.shownVideoIndex = videoIndex;
    panel.title = panelTitle(host.getTask(taskId)?.prompt);
    this.disposables.add(this.playbackEmitter);
    this.disposables.add(host.onDidChangeTasks(() => this.render(false)));
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

  private select(taskId: string, videoIndex: number): void {
    if (taskId !== this.shownTaskId || videoIndex !== this.shownVideoIndex) this.latestPlayback = undefined;
    this.shownTaskId = taskId;
    this.shownVideoIndex = videoIndex;
    this.render(true);
  }

  /** The shown task's content, with the file checked on disk (exists, and no symlink out of mediaRoot). */
  private content(): PlayerContent {
    const task = this.host.getTask(this.shownTaskId);
    const content = planPlayerContent(task, this.shownVideoIndex, this.place.mediaRoot.fsPath, task && PROVIDERS[task.provider]);
    if (content.kind !== 'video') return content;
    const file = realPath(content.localPath);
    const root = realPath(this.place.mediaRoot.fsPath);
    if (!file || !root) {
      return { kind: 'unavailable', message: vscode.l10n.t('The downloaded video file is missing. Download it again to play it.') };
    }
    if (!isPathInside(root, file)) {
      return {
        kind: 'unavailable',
        message: vscode.l10n.t("The video file is outside the extension's media folder, so the player cannot load it."),
      };
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

  /** Posts the current view: `force` re-posts it (a new selection), otherwise only when it changed. */
  private render(force: boolean): void {
    if (this.disposed) return;
    this.panel.title = panelTitle(this.host.getTask(this.shownTaskId)?.prompt);
    if (force) this.post(this.message());
    else this.postWhenChanged(this.message());
  }

  protected onReady(): void {
    this.render(false);
  }

  protected onMessage(message: Exclude<WebviewToHost, { type: 'ready' }>): void {
    switch (message.type) {
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
          showError(vscode.l10n.t('Could not {0} the video: {1}', action, errorMessage(error)));
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
        this.run(
          action,
          vscode.env.clipboard.writeText(task.prompt).then(() => {
            vscode.window.setStatusBarMessage(`$(check) ${vscode.l10n.t('Prompt copied')}`, 3000);
          }),
        );
        return;
      }
      case 'openExternal':
      case 'revealInExplorer':
      case 'openInVideoPreview': {
        const content = this.content();
        if (content.kind === 'unavailable') {
          showWarning(content.message);
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
      case 'continueFromLastFrame':
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
    showError(failureText(action, errorMessage(error)));
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
    case 'continueFromLastFrame':
      return vscode.l10n.t('Could not continue from the last frame: {0}', error);
  }
}
