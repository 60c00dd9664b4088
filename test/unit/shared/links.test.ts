// No text from a workspace file, a path or an error becomes a clickable link in a notification:
// the neutralizer breaks VS Code's link syntax, and every message built from hostile blocks and
// paths (problems of ```video blocks, media that cannot be used) forms no link even before it.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

import { findVideoBlocks, PromptCatalog, readVideoBlock } from '../../../src/core/request/promptBlocks';
import { outsideQuestion, outsideRefusal, resolveMedia } from '../../../src/core/workspace/mediaRefs';
import { PROVIDER_LIST } from '../../../src/providers';
import { literal, noLinks } from '../../../src/shared/links';
import { tempDir } from '../../support/engineHarness';
import { notificationLinks } from '../../support/linkedText';

const catalog: PromptCatalog = { providers: PROVIDER_LIST, configuredModels: () => ['[m](command:x)'] };
const SEND = 'command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22x%22%7D';
const CLICK = `[Click here](${SEND})`;
const HOSTILE = [
  CLICK,
  `[Click](command:aiVideo.generate "Open")`,
  `[a](https://example.com/x)`,
  `[a](file:///etc/passwd)`,
  `[[nested](command:x)](command:y)`,
  `![img](command:x)`,
  `x ${SEND} y`,
];

function assertNoLink(text: string): void {
  assert.deepStrictEqual(notificationLinks(text), [], `a link in: ${text}`);
}

describe('link neutralizer', () => {
  it('the test grammar finds the links VS Code would make', () => {
    assert.deepStrictEqual(notificationLinks(`see ${CLICK} now`), [{ label: 'Click here', target: SEND }]);
    assert.strictEqual(notificationLinks('[a](command:x "title")').length, 1);
    assert.strictEqual(notificationLinks("[a](https://h/x 'title')").length, 1);
    assert.strictEqual(notificationLinks('[a](file:///x)').length, 1);
    assert.strictEqual(notificationLinks('[a](javascript:x)').length, 0);
  });

  it('noLinks leaves no link and no bare command: URI, and reads the same', () => {
    for (const h of HOSTILE) {
      const out = noLinks(h);
      assertNoLink(out);
      assert.ok(!/command:/i.test(out), out);
      // Only invisible characters were added.
      assert.strictEqual(out.replace(/\u2060/g, ''), h);
    }
    assertNoLink(noLinks(`Line 3: Unknown provider "${CLICK}". Use one of: pika.`));
    assert.ok(!/command:/i.test(noLinks('COMMAND:x Command:y')));
  });

  it('ordinary text is left as it is', () => {
    for (const t of ['File not found: "/home/a/cat (1).png"', 'Choose 2 to 4 videos [you chose 5].', 'a: b (c) [d]', 'Saved clips/x.mp4']) {
      assert.strictEqual(noLinks(t), t);
    }
  });

  it('literal keeps a value on one line with no link in it, and shortens a long one', () => {
    assert.strictEqual(literal('pika'), 'pika');
    assertNoLink(`Unknown provider "${literal(CLICK)}"`);
    assert.strictEqual(literal('a\nb'), 'a b');
    assert.ok(literal('x'.repeat(5000)).length <= 200);
  });
});

describe('messages built from hostile blocks and paths form no link', () => {
  let dir: string;
  let ws: string;
  before(() => {
    dir = tempDir('aivideo-links-');
    ws = path.join(dir, 'workspace');
    fs.mkdirSync(ws);
    // Real files whose names carry link syntax, inside and outside the workspace.
    fs.writeFileSync(path.join(ws, `${CLICK}.png`), 'x');
    fs.writeFileSync(path.join(dir, `${CLICK}.png`), 'x');
    fs.mkdirSync(path.join(ws, CLICK));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Every problem of the blocks, as the command shows it ("Line n: …") and as the diagnostic says it. */
  function blockMessages(text: string): string[] {
    return findVideoBlocks(text).flatMap((b) =>
      readVideoBlock(b, catalog).problems.flatMap((p) => [p.message, `Line ${p.span.line + 1}: ${p.message}`]),
    );
  }

  it('problems of blocks whose keys and values carry links', () => {
    const lines: string[] = [];
    for (const h of HOSTILE) {
      lines.push('```video', `provider: ${h}`, '```');
      for (const p of PROVIDER_LIST) {
        lines.push(
          '```video',
          `provider: ${p.id}`,
          `model: ${h}`,
          `aspect: ${h}`,
          `seconds: ${h}`,
          `negative: ${h}`,
          `images: ${h}`,
          `${h}: 1`,
          h,
          '```',
        );
        lines.push('```video', `provider: ${p.id}`, `image: ${h}`, `video: ${h}`, '```');
        for (const f of p.options) lines.push('```video', `provider: ${p.id}`, `${f.key}: ${h}`, 'a prompt', '```');
      }
    }
    const messages = blockMessages(lines.join('\n'));
    assert.ok(
      messages.some((m) => m.includes('Unknown provider')),
      'the provider problem is among them',
    );
    for (const m of messages) {
      assertNoLink(m);
      assertNoLink(noLinks(m));
    }
  });

  it('media paths with link syntax: not found, not a file, not allowed, outside the workspace', async () => {
    const rules = { roots: [ws], trusted: false };
    const refs = [
      ...HOSTILE,
      ...HOSTILE.map((h) => `../${h}.png`),
      ...HOSTILE.map((h) => `/${h}.png`),
      ...HOSTILE.map((h) => `ftp://${h}`),
      CLICK,
      `${CLICK}.png`,
    ];
    const messages: string[] = [];
    for (const ref of refs) {
      for (const r of [await resolveMedia(ref, ws), await resolveMedia(ref, ws, rules), await resolveMedia(ref, undefined)]) {
        if (!r.ok) messages.push(r.message, `image: ${r.message}`);
      }
    }
    const outside = await resolveMedia(`../${CLICK}.png`, ws, { roots: [ws], trusted: true });
    assert.ok(outside.ok && outside.outside, 'the file outside is found, and outside');
    messages.push(outsideQuestion([outside.outside], 'Pika'), outsideRefusal([outside.outside]));
    assert.ok(messages.some((m) => m.includes('File not found')));
    assert.ok(messages.some((m) => m.includes('is a folder')));
    assert.ok(messages.some((m) => m.includes('untrusted')));
    for (const m of messages) {
      assertNoLink(m);
      assertNoLink(noLinks(m));
    }
  });
});
