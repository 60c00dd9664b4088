// The first in-host checks: the extension activates, registers exactly its commands and returns its public API.
import * as assert from 'assert';
import * as vscode from 'vscode';

import type { AiVideoApi } from '../../src/api';
import { COMMAND_IDS } from '../../src/vscode/commands/commandIds';

const EXTENSION_ID = 'aivideo.ai-video-studio';

describe('smoke', () => {
  it('the extension is present and activates', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not installed in the host`);
    await ext.activate();
    assert.strictEqual(ext.isActive, true);
  });

  it('returns the public API: seven stable members, the test hooks under testing (src/api.ts)', async () => {
    const api = await vscode.extensions.getExtension<AiVideoApi>(EXTENSION_ID)!.activate();
    const members = ['flush', 'generate', 'getSpending', 'getTask', 'getTasks', 'onDidChangeTasks', 'quote', 'testing'];
    assert.deepStrictEqual(Object.keys(api).sort(), members);
    const hooks = [
      'agentTool',
      'catalog',
      'compare',
      'gallery',
      'player',
      'refreshStatusBar',
      'spending',
      'statusBarText',
      'statusBarTooltip',
      'treeItems',
      'treeMessage',
      'viewDescription',
    ];
    assert.deepStrictEqual(Object.keys(api.testing).sort(), hooks);
  });

  it('the model catalogue is exposed for tests and answers from memory', async () => {
    const { catalog } = (await vscode.extensions.getExtension<AiVideoApi>(EXTENSION_ID)!.activate()).testing;
    assert.deepStrictEqual(
      catalog.peek('pika', 'http://127.0.0.1:9')?.models.map((m) => m.id),
      ['2.0', '1.5'],
    );
    assert.strictEqual(catalog.lifecycleOf('openai', 'https://api.openai.com/v1', 'sora-2')?.certain, true);
  });

  it('registers exactly the commands of COMMAND_IDS', async () => {
    // `aiVideo.tasks.focus` and the like belong to the view, not to the extension's code.
    const ours = (await vscode.commands.getCommands(true)).filter((c) => /^aiVideo\.[A-Za-z]+$/.test(c));
    assert.deepStrictEqual(ours.sort(), [...COMMAND_IDS].sort());
  });
});
