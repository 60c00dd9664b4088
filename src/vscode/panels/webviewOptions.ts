// What every webview panel of the extension (player, gallery, compare) may load: its bundled app,
// the style sheets under media/, and the downloaded videos (the player showing a storyboard's film: its
// folder too, for that panel only); and the page of each app (appPage.ts).
import * as crypto from 'crypto';
import * as vscode from 'vscode';

import { buildAppPage, type WebviewApp } from './appPage';

export function webviewOptions(
  extensionUri: vscode.Uri,
  mediaRoot: vscode.Uri,
  extraRoots: readonly vscode.Uri[] = [],
): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    localResourceRoots: [
      vscode.Uri.joinPath(extensionUri, 'dist', 'webview'),
      vscode.Uri.joinPath(extensionUri, 'media'),
      mediaRoot,
      ...extraRoots,
    ],
    retainContextWhenHidden: false,
  };
}

/** The page of the bundled app `dist/webview/<app>.js`, with the shared and its own style sheet. */
export function appPage(webview: vscode.Webview, extensionUri: vscode.Uri, app: WebviewApp, title: string): string {
  return buildAppPage(app, {
    cspSource: webview.cspSource,
    nonce: crypto.randomBytes(18).toString('base64'),
    asUri: (file) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...file.split('/'))).toString(),
    title,
    strings: vscode.l10n.bundle,
    lang: vscode.env.language,
  });
}
