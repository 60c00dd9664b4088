// The compare editor panel: 2 to 4 finished takes side by side with synchronized playback. The
// app lives in src/webview/compare; both sides speak src/webview/compare/compareProtocol.ts.

import * as vscode from 'vscode';
import { errorMessage } from '../../../core/model/errors';
import type { Task } from '../../../core/model/task';
import { appPage, webviewOptions } from '../webviewOptions';
import { providerLabel } from '../../../providers';
import { compareParams } from './compareParams';
import { isCompareState, isCompareWebviewMessage, MIN_COMPARE, type CompareHostMessage, type CompareItem } from '../../../webview/compare/compareProtocol';
import { shortTitle } from '../../../shared/format';
import { isPathInside } from '../player/playerPage';

export interface CompareHost {
  getTask(id: string): Task | undefined;
  onDidChangeTasks: vscode.Event<unknown>;
  /** "Keep this one": saves the take's first downloaded video to the workspace. */
  keep(taskId: string): Thenable<unknown>;
  log: { warn(msg: string): void };
}

export class ComparePanel implements vscode.Disposable {
  static readonly viewType = 'aiVideo.compare';
  static current: ComparePanel | undefined;

  /** Shows `taskIds` side by side, reusing the open compare panel. */
  static show(extensionUri: vscode.Uri, mediaRoot: vscode.Uri, host: CompareHost, taskIds: string[]): ComparePanel {
    const existing = ComparePanel.current;
    if (existing) {
      existing.taskIds = taskIds;
      existing.render(true);
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(ComparePanel.viewType, vscode.l10n.t('Compare Videos'), vscode.ViewColumn.Active, webviewOptions(extensionUri, mediaRoot));
    ComparePanel.current = new ComparePanel(panel, extensionUri, mediaRoot, host, taskIds);
    return ComparePanel.current;
  }

  static registerSerializer(extensionUri: vscode.Uri, mediaRoot: vscode.Uri, host: CompareHost): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(ComparePanel.viewType, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
        panel.webview.options = webviewOptions(extensionUri, mediaRoot);
        if (!isCompareState(state) || ComparePanel.current) {
          panel.dispose();
          return;
        }
        ComparePanel.current = new ComparePanel(panel, extensionUri, mediaRoot, host, state.taskIds);
      },
    });
  }

  private readonly disposables: vscode.Disposable[] = [];
  private webviewReady = false;
  private lastPosted: string | undefined;
  private disposed = false;

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly mediaRoot: vscode.Uri,
    private readonly host: CompareHost,
    private taskIds: string[],
  ) {
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.svg');
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.webviewReady = false;
      }),
      panel.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)),
      host.onDidChangeTasks(() => this.render(false)),
    );
    panel.webview.html = this.html();
  }

  /** The task ids shown, in order. */
  get shown(): string[] {
    return this.taskIds.slice();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (ComparePanel.current === this) ComparePanel.current = undefined;
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private html(): string {
    return appPage(this.panel.webview, this.extensionUri, 'compare', vscode.l10n.t('Compare videos'));
  }

  private item(task: Task): CompareItem | undefined {
    const index = task.videos.findIndex((v) => v.localPath && isPathInside(this.mediaRoot.fsPath, v.localPath));
    if (task.status !== 'succeeded' || index < 0) return undefined;
    const v = task.videos[index];
    const uri = (file: string) => this.panel.webview.asWebviewUri(vscode.Uri.file(file)).toString();
    const item: CompareItem = { taskId: task.id, title: shortTitle(task.prompt), prompt: task.prompt, videoSrc: uri(v.localPath!), params: compareParams(task, providerLabel(task.provider), index) };
    if (v.posterPath && isPathInside(this.mediaRoot.fsPath, v.posterPath)) item.posterSrc = uri(v.posterPath);
    if (v.fps && Number.isFinite(v.fps) && v.fps > 0) item.fps = v.fps;
    return item;
  }

  private message(): CompareHostMessage {
    const items = this.taskIds.map((id) => this.host.getTask(id)).flatMap((t) => (t ? (this.item(t) ?? []) : []));
    if (items.length < MIN_COMPARE) {
      return { type: 'unavailable', message: vscode.l10n.t('Fewer than two of these videos can be shown: they were removed, or are not downloaded.') };
    }
    return { type: 'show', items };
  }

  private render(force: boolean): void {
    this.panel.title = vscode.l10n.t('Compare {0} Videos', this.taskIds.length);
    if (this.disposed || !this.webviewReady) return;
    const message = this.message();
    const json = JSON.stringify(message);
    if (!force && json === this.lastPosted) return;
    this.lastPosted = json;
    this.panel.webview.postMessage(message).then(undefined, (e: unknown) => this.host.log.warn(`Compare: could not post to the webview: ${errorMessage(e)}`));
  }

  private onMessage(message: unknown): void {
    if (!isCompareWebviewMessage(message)) {
      this.host.log.warn('Compare: ignored a malformed message from the webview.');
      return;
    }
    if (message.type === 'ready') {
      this.webviewReady = true;
      this.render(true);
      return;
    }
    if (!this.taskIds.includes(message.taskId)) return;
    this.host.keep(message.taskId).then(undefined, (e: unknown) => {
      this.host.log.warn(`Compare: keeping ${message.taskId} failed: ${errorMessage(e)}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('Could not save the video to the workspace: {0}', errorMessage(e)));
    });
  }
}
