import * as assert from 'assert';
import * as vscode from 'vscode';

const EXTENSION_ID = 'aivideo.ai-video-studio';

describe('smoke', () => {
  it('the extension is present and activates', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not installed in the host`);
    await ext.activate();
    assert.strictEqual(ext.isActive, true);
  });

  it('registers the aiVideo.refresh command', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('aiVideo.refresh'), 'aiVideo.refresh is not registered');
  });
});
