import * as assert from 'assert';
import * as l10n from '@vscode/l10n';

import { shorten, shortTitle, untitled } from '../../../src/shared/text';

describe('the one text shortener (shared/text.ts)', () => {
  it('leaves short text alone and cuts long text to the limit with an ellipsis', () => {
    assert.strictEqual(shorten('a cat', 10), 'a cat');
    assert.strictEqual(shorten('abcdefghij', 5), 'abcd…');
    assert.strictEqual(shorten('abcdefghij', 5).length, 5);
    assert.strictEqual(shorten(undefined, 5), '');
  });

  it('counts characters, not UTF-16 units, so an emoji is never split', () => {
    const text = '🎬'.repeat(10);
    const cut = shorten(text, 4);
    assert.strictEqual(cut, '🎬🎬🎬…');
    assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])/.test(cut), 'no lone high surrogate');
    assert.strictEqual(shorten('🎬🎬', 2), '🎬🎬', 'two emoji fit in two characters');
  });

  it('collapses whitespace unless asked to keep it; cuts at a word boundary only for titles', () => {
    assert.strictEqual(shorten('a\n\n  b', 10), 'a b');
    assert.strictEqual(shorten('a\n\n  b', 10, { collapse: false }), 'a\n\n  b');
    assert.strictEqual(shorten('one two three four', 16), 'one two three f…');
    assert.strictEqual(shorten('one two three four', 16, { words: true }), 'one two three…');
  });

  it('calls an empty prompt "Untitled video" in the display language', () => {
    try {
      l10n.config({ contents: { 'Untitled video': '未命名视频' } });
      assert.strictEqual(untitled(), '未命名视频');
      assert.strictEqual(shortTitle('   '), '未命名视频');
    } finally {
      l10n.config({ contents: {} });
    }
    assert.strictEqual(shortTitle(''), 'Untitled video');
  });
});
