import * as assert from 'assert';
import * as vscode from 'vscode';

const EXTENSION_ID = 'aivideo.ai-video-studio';

/** Every string of the manifest, however deep, with where it is. */
function strings(value: unknown, at = '', out: { at: string; text: string }[] = []): { at: string; text: string }[] {
  if (typeof value === 'string') out.push({ at, text: value });
  else if (Array.isArray(value)) value.forEach((v, i) => strings(v, `${at}[${i}]`, out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) strings(v, `${at}.${k}`, out);
  return out;
}

// The host runs in English: a Chinese display language needs a language pack, which cannot be
// installed offline. The zh-CN bundles are checked in plain Node (test/unit/l10n.test.ts).
describe('Localization in the host', () => {
  let ext: vscode.Extension<unknown>;

  before(async () => {
    const found = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(found, `extension ${EXTENSION_ID} is not installed in the host`);
    await found.activate();
    ext = found;
  });

  it('the manifest is read through package.nls.json: titles resolve and no %key% is left', () => {
    const pkg = ext.packageJSON as {
      displayName: string;
      contributes: {
        commands: { command: string; title: string; category: string }[];
        views: Record<string, { id: string; name: string }[]>;
      };
    };
    const left = strings(pkg).filter((s) => /^%[\w.]+%$/.test(s.text));
    assert.deepStrictEqual(left, [], 'manifest strings still %placeholders%');
    const generate = pkg.contributes.commands.find((c) => c.command === 'aiVideo.generate');
    assert.strictEqual(`${generate?.category}: ${generate?.title}`, 'AI Video: Generate Video…');
    assert.strictEqual(pkg.displayName, 'AI Video Studio');
    assert.strictEqual(pkg.contributes.views.aiVideo[0].name, 'Tasks');
  });

  it('in English there is no bundle, and vscode.l10n.t returns the English text with its placeholders filled', () => {
    assert.strictEqual(vscode.env.language, 'en');
    assert.strictEqual(vscode.l10n.bundle, undefined);
    assert.strictEqual(vscode.l10n.t('Saved {0}', 'clips/fox.mp4'), 'Saved clips/fox.mp4');
  });

  it("core strings (the bundled @vscode/l10n) read in English: a bad key is refused with core's message", async () => {
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('aiVideo.setApiKey', 'pika', 'has a space')),
      (e: Error) => e.message === 'A key has no spaces or special characters.',
    );
  });
});
