import * as assert from 'assert';
import * as vscode from 'vscode';
import { COMMAND_IDS } from '../../src/vscode/commands/commandIds';

const EXTENSION_ID = 'aivideo.ai-video-studio';

describe('smoke', () => {
  it('the extension is present and activates', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not installed in the host`);
    await ext.activate();
    assert.strictEqual(ext.isActive, true);
  });

  it('registers exactly the commands of COMMAND_IDS', async () => {
    // `aiVideo.tasks.focus` and the like belong to the view, not to the extension's code.
    const ours = (await vscode.commands.getCommands(true)).filter((c) => /^aiVideo\.[A-Za-z]+$/.test(c));
    assert.deepStrictEqual(ours.sort(), [...COMMAND_IDS].sort());
  });
});
