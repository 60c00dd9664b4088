// Editor context menu → "Generate Video from Selection…": the selected text becomes the prompt of
// the usual quick-pick flow.
import * as vscode from 'vscode';
import { Task } from '../core/types';
import { Commands } from './commands';

/** The flow's prompt box takes up to this many characters. */
const MAX_PROMPT = 2000;

export function registerGenerateFromSelection(generateInteractive: Commands['generateInteractive']): vscode.Disposable {
  return vscode.commands.registerCommand('aiVideo.generateFromSelection', async (): Promise<Task | undefined> => {
    const editor = vscode.window.activeTextEditor;
    const selected = editor ? editor.selections.map((s) => editor.document.getText(s)).join(' ') : '';
    const prompt = selected.replace(/\s+/g, ' ').trim().slice(0, MAX_PROMPT);
    if (!prompt) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Select the text to use as the prompt first.'));
      return undefined;
    }
    const task = await generateInteractive({ prompt });
    return task && structuredClone(task);
  });
}
