// What every webview panel of the extension (player, gallery, compare) may load: its bundled app,
// the style sheets under media/, and the downloaded videos; and the page of the gallery and compare apps.
import * as crypto from 'crypto';
import * as vscode from 'vscode';
import { buildAppHtml } from './appPage';

export function webviewOptions(extensionUri: vscode.Uri, mediaRoot: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media'), mediaRoot],
    retainContextWhenHidden: false,
  };
}

/** The page of the bundled app `dist/webview/<app>.js`, with the shared and its own style sheet. */
export function appPage(webview: vscode.Webview, extensionUri: vscode.Uri, app: 'gallery' | 'compare', title: string): string {
  const uri = (...parts: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...parts)).toString();
  return buildAppHtml({
    cspSource: webview.cspSource,
    nonce: crypto.randomBytes(18).toString('base64'),
    scriptUri: uri('dist', 'webview', `${app}.js`),
    styleUris: [uri('media', 'webview.css'), uri('media', `${app}.css`)],
    title,
    strings: vscode.l10n.bundle,
    lang: vscode.env.language,
  });
}
