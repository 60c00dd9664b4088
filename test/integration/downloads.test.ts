import * as assert from 'assert';
import * as vscode from 'vscode';

import type { Task } from '../../src/core/model/task';
import { EXTENSION_ID, setup, waitFor, waitForFinal } from './helpers';

describe('Checked downloads', function () {
  this.timeout(90_000);

  it('an expired-link page served as the video: a clear error in the tree with Retry Download, no file, fetched again only when asked', async () => {
    const { api, emulator } = await setup();
    const t = await vscode.commands.executeCommand<Task>('aiVideo.generate', {
      provider: 'pika',
      prompt: 'expired link [html-octet] [duration=1000]',
    });
    const done = await waitForFinal(api, t.id);
    assert.strictEqual(done.status, 'succeeded', done.error);
    assert.strictEqual(done.videos[0].localPath, undefined, 'no file kept');
    assert.match(
      done.videos[0].downloadError ?? '',
      /The result is not a video: it is a web page \(often an expired link or a sign-in page\)\. Nothing was saved\./,
    );

    const item = api.testing.treeItems().find((i) => i.id === `task:${t.id}`);
    assert.ok(item, 'the task is in the tree');
    assert.match(item.description ?? '', /download failed/);
    // The tooltip is markdown source, with punctuation escaped.
    assert.match((item.tooltip ?? '').replace(/\\(.)/g, '$1'), /Download failed: The result is not a video: it is a web page/);
    // The context value that shows Retry Download on the item (package.json, view/item/context).
    assert.match(item.contextValue ?? '', /downloadFailed/);
    const menus = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.menus['view/item/context'] as {
      command: string;
      when: string;
    }[];
    assert.ok(menus.some((m) => m.command === 'aiVideo.retryDownload' && /viewItem =~ \/downloadFailed\//.test(m.when)));

    const fetches = () => emulator.requests('files').filter((r) => r.path.includes(done.remoteId!)).length;
    assert.strictEqual(fetches(), 1);
    await new Promise((r) => setTimeout(r, 2500));
    assert.strictEqual(fetches(), 1, 'a bad download is final: nothing fetches it again by itself');

    await vscode.commands.executeCommand('aiVideo.retryDownload', t.id);
    await waitFor('the retried download', () => fetches() === 2 && api.getTask(t.id)?.videos[0].downloadError);
    assert.strictEqual(api.getTask(t.id)!.videos[0].localPath, undefined);
  });
});
