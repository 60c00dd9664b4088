import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext) {
  context.subscriptions.push(vscode.commands.registerCommand('aiVideo.refresh', () => undefined));
  return { getTasks: () => [] };
}

export function deactivate() {}
