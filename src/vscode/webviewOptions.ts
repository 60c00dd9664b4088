// What every webview panel of the extension (player, gallery, compare) may load: its bundled app,
// the style sheets under media/, and the downloaded videos. Nothing else.
import * as vscode from 'vscode';

export function webviewOptions(extensionUri: vscode.Uri, mediaRoot: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media'), mediaRoot],
    retainContextWhenHidden: false,
  };
}
