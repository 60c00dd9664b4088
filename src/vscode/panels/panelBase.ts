// What the three webview panels (player, gallery, compare) share, so each keeps only what it shows:
// one open panel per view type, revealed and reused (PanelSlot); restoring it after a reload through a
// WebviewPanelSerializer; the shared page (appPage); the ready handshake, visibility and "post when
// changed" (PostGate in panelState.ts); the runtime guard on what the webview sends; and the
// disposables released with the panel. In the spirit of the GitHub Pull Requests extension's WebviewBase.
import * as vscode from 'vscode';

import { errorMessage } from '../../core/model/errors';
import type { WebviewApp } from './appPage';
import { DisposableStore, PostGate } from './panelState';
import { appPage, webviewOptions } from './webviewOptions';

/** Where a panel loads from: the extension (its bundles and style sheets) and the downloaded videos. */
export interface PanelPlace {
  extensionUri: vscode.Uri;
  mediaRoot: vscode.Uri;
}

export interface PanelLog {
  info(msg: string): void;
  warn(msg: string): void;
}

/** What a panel kind declares about its page and its messages. */
export interface PanelSpec<In extends { type: string }> {
  /** The webview app it loads (`dist/webview/<app>.js`, `media/<app>.css`). */
  app: WebviewApp;
  /** Prefix of its log lines, e.g. `Player`. */
  name: string;
  /** The document title (read by screen readers), localized. */
  pageTitle(): string;
  /**
   * The protocol's runtime check: the webview's messages are untrusted. Returns the message to act
   * on (possibly with malformed list items left out), or undefined to ignore it.
   */
  read(message: unknown): In | undefined;
}

/** A `read` for a protocol whose messages are taken whole or not at all. */
export function readWhole<In>(isMessage: (message: unknown) => message is In): (message: unknown) => In | undefined {
  return (message) => (isMessage(message) ? message : undefined);
}

/** One open panel of a view type: shown (created, or revealed and reused) and restored after a reload. */
export class PanelSlot<P extends { reveal(): void }> {
  current: P | undefined;

  constructor(readonly viewType: string) {}

  /** Reveals the open panel after `reuse` updated it, or creates one; `create` builds the panel object on it. */
  show(place: PanelPlace, title: string, reuse: (open: P) => void, create: (panel: vscode.WebviewPanel) => P): P {
    const open = this.current;
    if (open) {
      reuse(open);
      open.reveal();
      return open;
    }
    const options = webviewOptions(place.extensionUri, place.mediaRoot);
    const panel = vscode.window.createWebviewPanel(this.viewType, title, vscode.ViewColumn.Active, options);
    return create(panel);
  }

  /**
   * Restores the panel after a reload. `restore` gets the webview's saved state and returns the panel
   * object, or undefined when the state is unusable; a second panel of the kind is closed.
   */
  registerSerializer(
    place: PanelPlace,
    log: PanelLog,
    restore: (panel: vscode.WebviewPanel, state: unknown) => P | undefined,
  ): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(this.viewType, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
        // The install path may have changed since the panel was saved (extension update).
        panel.webview.options = webviewOptions(place.extensionUri, place.mediaRoot);
        const restored = this.current ? undefined : restore(panel, state);
        if (!restored) {
          log.info(`${this.viewType}: not restoring a panel (no usable saved state, or one is already open).`);
          panel.dispose();
        }
      },
    });
  }
}

/**
 * A webview panel running one of the apps. `Out` is what the extension posts, `In` what the webview
 * sends (checked by `spec.isMessage`). Subclasses post their view in `onReady` and handle the other
 * messages in `onMessage`; they add their listeners to `disposables`.
 */
export abstract class AppPanel<Out, In extends { type: string }> implements vscode.Disposable {
  protected readonly disposables = new DisposableStore();
  private readonly gate = new PostGate<Out>((message) => this.deliver(message));

  protected constructor(
    private readonly slot: { current: unknown },
    protected readonly panel: vscode.WebviewPanel,
    protected readonly place: PanelPlace,
    protected readonly log: PanelLog,
    private readonly spec: PanelSpec<In>,
  ) {
    slot.current = this;
    panel.iconPath = vscode.Uri.joinPath(place.extensionUri, 'media', 'icon.svg');
    this.disposables.add(panel.onDidDispose(() => this.dispose()));
    // Without retainContextWhenHidden the page is discarded when hidden, and posts `ready` again when shown.
    this.disposables.add(
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.gate.close();
      }),
    );
    this.disposables.add(panel.webview.onDidReceiveMessage((message: unknown) => this.receive(message)));
    panel.webview.html = appPage(panel.webview, place.extensionUri, spec.app, spec.pageTitle());
  }

  /** Whether the webview has loaded and asked for its data. */
  get ready(): boolean {
    return this.gate.ready;
  }

  get visible(): boolean {
    return !this.disposed && this.panel.visible;
  }

  protected get disposed(): boolean {
    return this.disposables.isDisposed;
  }

  reveal(): void {
    this.panel.reveal();
  }

  dispose(): void {
    if (this.disposed) return;
    this.gate.close();
    if (this.slot.current === this) this.slot.current = undefined;
    this.disposables.dispose();
    this.panel.dispose();
  }

  /** The webview (re)loaded and said `ready`: post what it shows. */
  protected abstract onReady(): void;

  /** A message other than `ready`, already checked by the protocol's guard. */
  protected abstract onMessage(message: Exclude<In, { type: 'ready' }>): void;

  /** Posts now when the webview is ready; before that only the latest message is kept, for its `ready`. */
  protected post(message: Out): void {
    if (!this.disposed) this.gate.post(message);
  }

  /** Like `post`, unless the message is identical to the last one posted to this page. */
  protected postWhenChanged(message: Out): void {
    if (!this.disposed) this.gate.postWhenChanged(message);
  }

  private deliver(message: Out): void {
    this.panel.webview.postMessage(message).then(undefined, (error: unknown) => {
      this.log.warn(`${this.spec.name}: could not post to the webview: ${errorMessage(error)}`);
    });
  }

  private receive(raw: unknown): void {
    if (this.disposed) return;
    const message = this.spec.read(raw);
    if (!message) {
      this.log.warn(`${this.spec.name}: ignored a malformed message from the webview.`);
      return;
    }
    if (message.type === 'ready') {
      this.gate.open();
      this.onReady();
      return;
    }
    this.onMessage(message as Exclude<In, { type: 'ready' }>);
  }
}
