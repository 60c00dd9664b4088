// The gallery editor panel: one reusable webview showing every task as a card. The app lives in
// src/webview/gallery; both sides speak src/webview/gallery/galleryProtocol.ts. Task changes are posted
// as small updates (no reload); actions go back through the extension's commands. The lifecycle
// (one open panel, restore, ready handshake, disposal) is the panel base's (panelBase.ts).

import * as crypto from 'crypto';
import * as vscode from 'vscode';

import { errorMessage } from '../../../core/model/errors';
import type { Task } from '../../../core/model/task';
import { providerLabel } from '../../../providers';
import { shorten } from '../../../shared/text';
import {
  readGalleryWebviewMessage,
  type GalleryAction,
  type GalleryHostMessage,
  type GalleryWebviewMessage,
  type InspectionMessage,
} from '../../../webview/gallery/galleryProtocol';
import type { GalleryTask } from '../../../webview/gallery/model';
import { showError } from '../../notify';
import { AppPanel, PanelSlot, type PanelPlace, type PanelSpec } from '../panelBase';
import { isPathInside } from '../player/playerPage';
import { toGalleryCards } from './galleryCards';

/** What the panel needs from the rest of the extension. */
export interface GalleryHost {
  getTasks(): Task[];
  getTask(id: string): Task | undefined;
  onDidChangeTasks: vscode.Event<Task[]>;
  runAction(action: GalleryAction, taskIds: string[]): Thenable<unknown> | void;
  log: { info(msg: string): void; warn(msg: string): void };
}

/** Changes arriving within this window are posted as one update. */
const UPDATE_DELAY_MS = 50;
const INSPECT_TIMEOUT_MS = 10_000;

const SPEC: PanelSpec<GalleryWebviewMessage> = {
  app: 'gallery',
  name: 'Gallery',
  pageTitle: () => vscode.l10n.t('Video gallery'),
  read: readGalleryWebviewMessage,
};

export class GalleryPanel extends AppPanel<GalleryHostMessage, GalleryWebviewMessage> {
  static readonly viewType = 'aiVideo.gallery';
  private static readonly slot = new PanelSlot<GalleryPanel>(GalleryPanel.viewType);

  /** The open gallery, if any. */
  static get current(): GalleryPanel | undefined {
    return GalleryPanel.slot.current;
  }

  /** Shows the gallery, creating the panel or revealing the open one. */
  static show(extensionUri: vscode.Uri, mediaRoot: vscode.Uri, host: GalleryHost): GalleryPanel {
    const place = { extensionUri, mediaRoot };
    return GalleryPanel.slot.show(
      place,
      vscode.l10n.t('Video Gallery'),
      () => undefined,
      (panel) => new GalleryPanel(panel, place, host),
    );
  }

  /** Restores the gallery after a reload (its filters live in the webview's own state). */
  static registerSerializer(extensionUri: vscode.Uri, mediaRoot: vscode.Uri, host: GalleryHost): vscode.Disposable {
    const place = { extensionUri, mediaRoot };
    return GalleryPanel.slot.registerSerializer(place, host.log, (panel) => new GalleryPanel(panel, place, host));
  }

  private readonly pending = new Set<string>();
  private updateTimer: ReturnType<typeof setTimeout> | undefined;
  /** Ids the webview knows, so a removal is only announced for cards it has. */
  private readonly posted = new Set<string>();
  /** Tasks already logged as left out. */
  private readonly dropped = new Set<string>();
  private readonly inspections = new Map<string, (m: InspectionMessage) => void>();

  private constructor(
    panel: vscode.WebviewPanel,
    place: PanelPlace,
    private readonly host: GalleryHost,
  ) {
    super(GalleryPanel.slot, panel, place, host.log, SPEC);
    this.disposables.add(host.onDidChangeTasks((changed) => this.queue(changed)));
    this.disposables.add({ dispose: () => clearTimeout(this.updateTimer) });
  }

  /** What the webview shows now (tests and tools): its cards in the DOM, and a per-load id. */
  inspect(): Promise<InspectionMessage> {
    const requestId = crypto.randomUUID();
    return new Promise<InspectionMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.inspections.delete(requestId);
        reject(new Error('The gallery webview did not answer.'));
      }, INSPECT_TIMEOUT_MS);
      this.inspections.set(requestId, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      this.post({ type: 'inspect', requestId });
    });
  }

  /** The cards of `tasks`; a task that cannot be a card is logged (once per id) and left out. */
  private cards(tasks: readonly Task[]): GalleryTask[] {
    const root = this.place.mediaRoot.fsPath;
    // Files outside the media folder are never offered to the webview (localResourceRoots would refuse them too).
    const uri = (file: string) =>
      isPathInside(root, file) ? this.panel.webview.asWebviewUri(vscode.Uri.file(file)).toString() : undefined;
    return toGalleryCards(tasks, providerLabel, uri, (task) => {
      if (this.dropped.has(task.id)) return;
      this.dropped.add(task.id);
      this.host.log.warn(`Gallery: task ${JSON.stringify(shorten(task.id, 80))} cannot be shown as a card; left out.`);
    });
  }

  private postState(): void {
    const cards = this.cards(this.host.getTasks());
    this.posted.clear();
    for (const c of cards) this.posted.add(c.id);
    this.pending.clear();
    this.post({ type: 'state', tasks: cards });
  }

  private queue(changed: Task[]): void {
    for (const t of changed) this.pending.add(t.id);
    if (this.updateTimer || !this.ready) return;
    this.updateTimer = setTimeout(() => this.flushUpdates(), UPDATE_DELAY_MS);
  }

  private flushUpdates(): void {
    this.updateTimer = undefined;
    if (this.disposed || !this.ready || this.pending.size === 0) return;
    const changed: Task[] = [];
    const removed: string[] = [];
    for (const id of this.pending) {
      const t = this.host.getTask(id);
      if (t) changed.push(t);
      else if (this.posted.delete(id)) removed.push(id);
    }
    this.pending.clear();
    const tasks = this.cards(changed);
    const shown = new Set(tasks.map((c) => c.id));
    for (const t of changed) if (!shown.has(t.id) && this.posted.delete(t.id)) removed.push(t.id);
    for (const id of shown) this.posted.add(id);
    if (tasks.length || removed.length) this.post({ type: 'update', tasks, removed });
  }

  protected onReady(): void {
    this.postState();
  }

  protected onMessage(message: Exclude<GalleryWebviewMessage, { type: 'ready' }>): void {
    switch (message.type) {
      case 'inspection':
        this.inspections.get(message.requestId)?.(message);
        this.inspections.delete(message.requestId);
        return;
      case 'action': {
        const ids = message.taskIds.filter((id) => this.host.getTask(id));
        if (message.action !== 'generate' && ids.length === 0) return;
        try {
          const work = this.host.runAction(message.action, ids);
          if (work) work.then(undefined, (e: unknown) => this.fail(message.action, e));
        } catch (e) {
          this.fail(message.action, e);
        }
        return;
      }
    }
  }

  private fail(action: GalleryAction, error: unknown): void {
    this.host.log.warn(`Gallery: "${action}" failed: ${errorMessage(error)}`);
    void showError(vscode.l10n.t('Gallery: {0}', errorMessage(error)));
  }
}
