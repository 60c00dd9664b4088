import * as assert from 'assert';

import { escapeMarkdown, MAX_PROVIDER_TEXT, redactingLogger, safeId, safeUrl, sanitizeText } from '../../../../src/core/net/sanitize';
import { validateStoredTask } from '../../../../src/core/store/taskValidation';
import { hostileMessage } from '../../../../src/emulator/tasks';
import { memoryLog } from '../../../support/engineHarness';
import { assertClean, linkIn, meterRegex } from '../../../support/helpers';

const KEY = 'plain-key-0123456789abcdef';
const FAIL_REASON = 'Quota exceeded. [Fix it here](command:workbench.extensions.installExtension?["evil.pwn"])';

describe('sanitizing provider text', () => {
  it('keeps the label of a markdown link and drops its command target', () => {
    assert.strictEqual(sanitizeText(FAIL_REASON), 'Quota exceeded. Fix it here');
  });

  it('drops bare command URIs in any case, HTML links, autolinks and nested links', () => {
    assert.strictEqual(sanitizeText('run COMMAND:aiVideo.setApiKey now'), 'run now');
    assert.strictEqual(sanitizeText('or <a href="command:aiVideo.generate">click</a>.'), 'or click.');
    assert.strictEqual(sanitizeText('see <command:workbench.action.reloadWindow>'), 'see');
    assert.strictEqual(sanitizeText('[[inner](command:x)](command:y) and ![img](command:z)'), 'inner and img');
    assert.strictEqual(sanitizeText('[docs](https://example.com/help)'), 'docs');
  });

  it('removes the real key wherever it stands, and any bearer or sk- token', () => {
    const out = sanitizeText(`Authorization: Bearer ${KEY}; key=${KEY}; other sk-FAKE-example-token`, [KEY]);
    assert.ok(!out.includes(KEY), out);
    assert.ok(!out.includes('sk-FAKE'), out);
    assert.match(out, /Bearer \*\*\*/);
  });

  it('removes a key split by invisible characters', () => {
    const split = `${KEY.slice(0, 6)}\u200b${KEY.slice(6)}`;
    assert.ok(!sanitizeText(`echo ${split}`, [KEY]).includes(KEY.slice(6)));
  });

  it('turns line breaks into spaces and drops terminal escapes, C0/C1 controls and bidi overrides', () => {
    assert.strictEqual(sanitizeText('a\r\n[error] fake\u0085line\u2028x'), 'a [error] fake line x');
    assert.strictEqual(sanitizeText('\u0007\u001b[31mred\u001b[0m \u202egnp.exe\u0000\u009b'), 'red gnp.exe');
  });

  it('caps the length with an ellipsis, never splitting a character', () => {
    const out = sanitizeText('😀'.repeat(2000));
    assert.strictEqual(Array.from(out).length, MAX_PROVIDER_TEXT);
    assert.ok(out.endsWith('…'));
    assert.ok(!/[\ud800-\udbff]…$/.test(out), 'no lone surrogate before the ellipsis');
    assert.strictEqual(sanitizeText('x'.repeat(50), [], 10), `${'x'.repeat(9)}…`);
  });

  it("cleans the emulator's hostile message completely, and a second pass changes nothing", () => {
    const once = sanitizeText(hostileMessage(KEY), [KEY]);
    assertClean(once, KEY);
    assert.match(once, /^Quota exceeded\. Fix it here You sent Authorization: Bearer \*\*\* \(key \*\*\*\)\./);
    assert.strictEqual(sanitizeText(once, [KEY]), once);
  });

  it('leaves ordinary messages alone', () => {
    for (const text of ['Rejected by content review', 'value must be < 5 and > 3', 'task-abc risk-free 42%']) {
      assert.strictEqual(sanitizeText(text), text);
    }
  });

  it('accepts plain provider ids and refuses anything else', () => {
    for (const id of ['2d6f0c1e-8b7a-4c1e-9f00-1234567890ab', 'task_abc123', 'video_68d0:1', '123456']) assert.strictEqual(safeId(id), id);
    for (const id of ['', ' x', '../x', 'a/b', '[x](command:y)', 'a b', 'x'.repeat(129), 'id\n', 42, undefined]) {
      assert.strictEqual(safeId(id), undefined, String(id));
    }
  });

  it('accepts http(s) result URLs of sensible length only', () => {
    assert.strictEqual(safeUrl('https://cdn.example/v.mp4?sig=1'), 'https://cdn.example/v.mp4?sig=1');
    for (const url of ['javascript:alert(1)', 'command:x', 'file:///etc/passwd', `https://cdn.example/${'a'.repeat(9000)}`, 'not a url']) {
      assert.strictEqual(safeUrl(url), undefined, url.slice(0, 40));
    }
  });

  it('escapes markdown so no link, icon or HTML can form', () => {
    assert.strictEqual(escapeMarkdown('[a](command:x) $(zap) <b>'), '\\[a\\]\\(command\\:x\\) \\$\\(zap\\) \\<b\\>');
    assert.strictEqual(escapeMarkdown('https://evil.example'), 'https\\:\\/\\/evil\\.example');
  });
});

describe('sanitizing hostile text at scale', () => {
  const MB = 1024 * 1024;
  /** Shapes that made the old link stripper quadratic (a 200 KB error of `[` stalled the host for 26 s). */
  const HOSTILE: Record<string, string> = {
    brackets: '['.repeat(MB),
    linkOpeners: '[a]('.repeat(MB / 4),
    angles: '<'.repeat(MB),
    openTags: '<a'.repeat(MB / 2),
    nestedLinks: '['.repeat(MB / 2) + '](x)'.repeat(MB / 8),
    commands: '[command:'.repeat(Math.floor(MB / 9)),
    mixed: '[<a](command:x [b]('.repeat(Math.floor(MB / 20)),
  };

  for (const [shape, text] of Object.entries(HOSTILE)) {
    it(`cuts 1 MB of ${shape} to a small multiple of the cap before any regular expression runs`, () => {
      // Counting, not timing: no regular expression may see more than four times the output cap.
      const { result, longest, total } = meterRegex(() => sanitizeText(text, [KEY]), 4 * MAX_PROVIDER_TEXT);
      assert.ok(longest <= 4 * MAX_PROVIDER_TEXT, `longest ${longest}`);
      // A few passes over the cut text, whatever the length of the input (a tenth of it here).
      assert.ok(total <= 50 * 4 * MAX_PROVIDER_TEXT, `all regular expressions together ran over ${total} characters`);
      assert.ok(result.length <= MAX_PROVIDER_TEXT, `${result.length} characters`);
      assert.strictEqual(linkIn(result), undefined, result.slice(0, 80));
      // Not even half a link that the message around it could close.
      assert.ok(!/\]\(|command:/i.test(result), result.slice(0, 80));
      assert.ok(result.endsWith('…'), 'the cut shows');
    });
  }

  it('never keeps the start of a key that the cut went through', () => {
    // Invisible characters vanish after the cut, so what was at the cut ends up inside the output.
    const text = `${'\u200b'.repeat(4 * MAX_PROVIDER_TEXT - 10)}key=${KEY} and more`;
    const out = sanitizeText(text, [KEY]);
    assert.ok(!out.includes(KEY.slice(0, 3)), out);
    assert.ok(out.startsWith('key='), out);
  });

  it('leaves no lone half of a character where it cut', () => {
    const out = sanitizeText(`${'\u200b'.repeat(4 * MAX_PROVIDER_TEXT - 1)}😀😀`);
    assert.ok(!/[\ud800-\udfff]/.test(out.replace(/[\ud800-\udbff][\udc00-\udfff]/g, '')), JSON.stringify(out));
  });

  it('peels nested links, and links that removing a tag or a link would form, in one pass', () => {
    assert.strictEqual(sanitizeText('['.repeat(300) + 'x' + '](command:y)'.repeat(300), [], 10_000), 'x');
    assert.strictEqual(sanitizeText('[a]<b>(command:x)'), 'a');
    for (const text of [
      '<[](u)b>',
      'comm[](u)and:x',
      '[[a](u)<b>(command:x)',
      '<[](u)/a href="command:x">go',
      '[a]<[](u)i>(command:z)',
      '![x](u)(command:y)',
    ]) {
      const out = sanitizeText(text, [], 10_000);
      assert.strictEqual(linkIn(out), undefined, `${text} -> ${out}`);
    }
  });

  it('leaves no link in any short mix of link characters (seeded)', () => {
    const parts = ['[', ']', '(', ')', '<', '>', '/', '!', ' ', 'a', 'command:', 'x', '<a ', '](', ')]'];
    let seed = 18;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 5000; i++) {
      const text = Array.from({ length: 2 + Math.floor(rnd() * 24) }, () => parts[Math.floor(rnd() * parts.length)]).join('');
      const out = sanitizeText(text, [], 10_000);
      assert.strictEqual(linkIn(out), undefined, `${JSON.stringify(text)} -> ${JSON.stringify(out)}`);
    }
  });
});

describe('the log filter', () => {
  it('removes the real keys, including keys learned after it was made, and token shapes', () => {
    const sink = memoryLog();
    const keys: string[] = [];
    const log = redactingLogger(sink, () => keys);
    keys.push(KEY);
    log.warn(`gateway said: raw ${KEY} and Bearer abc.def`);
    keys.push('second-key-9876543210');
    log.error('later: second-key-9876543210');
    assert.deepStrictEqual(
      sink.lines.map((l) => [l.level, l.message]),
      [
        ['warn', 'gateway said: raw *** and Bearer ***'],
        ['error', 'later: ***'],
      ],
    );
  });
});

describe('tasks read back from a history', () => {
  it('are cleaned again: an older version may have stored provider text raw', () => {
    const raw = {
      id: 't1',
      provider: 'gateway',
      remoteId: '[x](command:evil)',
      status: 'failed',
      createdAt: 1,
      updatedAt: 2,
      model: `kling [m](command:x)`,
      rawStatus: 'FAILURE\n[click](command:y)',
      error: hostileMessage(KEY),
      videos: [{ url: 'https://cdn.example/a.mp4', id: '../../x', downloadError: 'bad <a href="command:z">type</a>' }],
      request: { provider: 'gateway', prompt: 'p' },
    };
    const t = validateStoredTask(raw)!;
    assert.strictEqual(t.remoteId, '');
    assert.strictEqual(t.model, 'kling m');
    assert.strictEqual(t.rawStatus, 'FAILURE click');
    assert.ok(!/command:/i.test(JSON.stringify(t)), JSON.stringify(t).slice(0, 300));
    assert.strictEqual(t.videos[0].id, undefined);
    assert.strictEqual(t.videos[0].downloadError, 'bad type');
  });
});
