// The compare editor panel: 2 to 4 finished takes side by side with synchronized playback. The
// app lives in src/webview/compare; both sides speak src/webview/compare/compareProtocol.ts. The
// lifecycle (one open panel, restore, ready handshake, disposal) is the panel base's (panelBase.ts).

import * as vscode from 'vscode';

import { errorMessage } from '../../../core/model/errors';
import type { Task } from '../../../core/model/task';
import { providerLabel } from '../../../providers';
import {
  isCompareState,
  isCompareWebviewMessage,
  MIN_COMPARE,
  type CompareHostMessage,
  type CompareItem,
  type CompareWebviewMessage,
} from '../../../webview/compare/compareProtocol';
import { showError } from '../../notify';
import { AppPanel, PanelSlot, readWhole, type PanelPlace, type PanelSpec } from '../panelBase';
import { toCompareItem } from './compareParams';

export interface CompareHost {
  getTask(id: string): Task | undefined;
  onDidChangeTasks: vscode.Event<unknown>;
  /** "Keep this one": saves the take's first downloaded video to the workspace. */
  keep(taskId: string): Thenable<unknown>;
  log: { info(msg: string): void; warn(msg: string): void };
}

const SPEC: PanelSpec<CompareWebviewMessage> = {
  app: 'compare',
  name: 'Compare',
  pageTitle: () => vscode.l10n.t('Compare videos'),
  read: readWhole(isCompareWebviewMessage),
};

export class ComparePanel extends AppPanel<CompareHostMessage, CompareWebviewMessage> {
  static readonly viewType = 'aiVideo.compare';
  private static readonly slot = new PanelSlot<ComparePanel>(ComparePanel.viewType);

  /** The open compare panel, if any. */
  static get current(): ComparePanel | undefined {
    return ComparePanel.slot.current;
  }

  /** Shows `taskIds` side by side, reusing the open compare panel. */
  static show(extensionUri: vscode.Uri, mediaRoot: vscode.Uri, host: CompareHost, taskIds: string[]): ComparePanel {
    const place = { extensionUri, mediaRoot };
    return ComparePanel.slot.show(
      place,
      vscode.l10n.t('Compare Videos'),
      (open) => {
        open.taskIds = taskIds;
        open.render(true);
      },
      (panel) => new ComparePanel(panel, place, host, taskIds),
    );
  }

  /** Restores the panel after a reload from the webview state `{taskIds}`. */
  static registerSerializer(extensionUri: vscode.Uri, mediaRoot: vscode.Uri, host: CompareHost): vscode.Disposable {
    const place = { extensionUri, mediaRoot };
    return ComparePanel.slot.registerSerializer(place, host.log, (panel, state) =>
      isCompareState(state) ? new ComparePanel(panel, place, host, state.taskIds) : undefined,
    );
  }

  private constructor(
    panel: vscode.WebviewPanel,
    place: PanelPlace,
    private readonly host: CompareHost,
    private taskIds: string[],
  ) {
    super(ComparePanel.slot, panel, place, host.log, SPEC);
    this.disposables.add(host.onDidChangeTasks(() => this.render(false)));
  }

  /** The task ids shown, in order. */
  get shown(): string[] {
    return this.taskIds.slice();
  }

  private item(task: Task): CompareItem | undefined {
    const uri = (file: string) => this.panel.webview.asWebviewUri(vscode.Uri.file(file)).toString();
    return toCompareItem(task, providerLabel(task.provider), this.place.mediaRoot.fsPath, uri);
  }

  private message(): CompareHostMessage {
    const items = this.taskIds.map((id) => this.host.getTask(id)).flatMap((t) => (t ? (this.item(t) ?? []) : []));
    if (items.length < MIN_COMPARE) {
      return {
        type: 'unavailable',
        message: vscode.l10n.t('Fewer than two of these videos can be shown: they were removed, or are not downloaded.'),
      };
    }
    return { type: 'show', items };
  }

  /** Posts the takes: `force` re-posts them (a new comparison), otherwise only when they changed. */
  private render(force: boolean): void {
    if (this.disposed) return;
    this.panel.title = vscode.l10n.t('Compare {0} Videos', this.taskIds.length);
    if (force) this.post(this.message());
    else this.postWhenChanged(this.message());
  }

  protected onReady(): void {
    this.render(false);
  }

  protected onMessage(message: Exclude<CompareWebviewMessage, { type: 'ready' }>): void {
    if (!this.taskIds.includes(message.taskId)) return;
    this.host.keep(message.taskId).then(undefined, (e: unknown) => {
      this.host.log.warn(`Compare: keeping ${message.taskId} failed: ${errorMessage(e)}`);
      void showError(vscode.l10n.t('Could not save the video to the workspace: {0}', errorMessage(e)));
    });
  }
}
