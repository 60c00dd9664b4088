import * as assert from 'assert';
import * as vscode from 'vscode';

import type { Task } from '../../src/core/model/task';
import { captureMessages, setup, TEST_KEY, waitFor, waitForFinal } from './helpers';

/** No command link, link syntax, key or control character. */
function assertShownClean(what: string, text: string | undefined): void {
  assert.ok(text, `${what} is shown`);
  assert.ok(!/command:/i.test(text), `${what} holds a command URI: ${text.slice(0, 200)}`);
  assert.ok(!text.includes(']('), `${what} holds link syntax`);
  assert.ok(!text.includes(TEST_KEY), `${what} holds the key`);
  assert.ok(!/[\u0000-\u001f\u007f-\u009f]/.test(text), `${what} holds a control character`);
}

describe('Hostile provider text', function () {
  this.timeout(90_000);

  it('a failure with a command link and the echoed key shows neither in the task, the tree, its tooltip or the notifications', async () => {
    const { api } = await setup();
    const capture = captureMessages();
    try {
      const t = await vscode.commands.executeCommand<Task>('aiVideo.generate', {
        provider: 'gateway',
        model: 'kling-v1',
        prompt: 'hostile gateway [hostile] [duration=800]',
      });
      const failed = await waitForFinal(api, t.id);
      assert.strictEqual(failed.status, 'failed');
      assert.match(failed.error ?? '', /^Quota exceeded\. Fix it here/);
      assertShownClean('the stored error', failed.error);
      assert.ok(failed.error!.length <= 500, `the error is ${failed.error!.length} characters`);
      const item = await waitFor('the failed tree item', () =>
        api.testing.treeItems().find((i) => i.id === `task:${t.id}` && i.description?.startsWith('Failed')),
      );
      assertShownClean('the tree item description', item.description);
      // Markdown source: its own paragraph breaks are the only line breaks.
      assertShownClean('the tree item tooltip', item.tooltip?.replace(/\n\n/g, ' '));
      const notified = await waitFor('the failure notification', () =>
        capture.shown.find((m) => m.message.startsWith('Video failed: hostile gateway')),
      );
      assertShownClean('the failure notification', notified.message);
      await vscode.commands.executeCommand('aiVideo.showTaskError', t.id);
      assertShownClean('Show Error', capture.shown.at(-1)?.message);
    } finally {
      capture.restore();
    }
  });
});
