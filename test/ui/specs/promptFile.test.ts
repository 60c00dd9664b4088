// A Markdown prompt file: the lenses above its video block, and its Generate lens running the block
// to a finished video.
import * as fs from 'fs';
import * as path from 'path';

import { PROVIDERS } from '../../../src/providers';
import { check } from '../check';
import { PIKA_MODEL } from '../pages/workbench';
import { API_KEY, type UiCase } from '../suite';

const PROMPT_FILE = [
  '# Clips',
  '',
  '```video',
  `provider: ${PROVIDERS.pika.id}`,
  `model: ${PIKA_MODEL}`,
  'aspect: 16:9',
  'A paper boat on a rainy street [duration=4000]',
  '```',
  '',
].join('\n');

export const promptFileLenses: UiCase = {
  name: 'a prompt file shows its lenses, and its Generate lens runs the block',
  async run(ctx) {
    const { page, wb } = ctx;
    fs.writeFileSync(path.join(ctx.workspace, 'clips.md'), PROMPT_FILE);
    // Quick Open is the command palette without its ">".
    await wb.openPalette('clips.md');
    await wb.quickInput.waitFor('clips.md in Quick Open', (q) => q.rows.some((r) => r.label === 'clips.md'));
    await page.keyboard.press('Enter');
    // "Variants…" follows "▶ Generate · price unknown" (Pika publishes no price; the gallery's variants command exists).
    const lenses = await wb.editor.waitForLenses(
      (lines) => lines.includes('▶ Generate · price unknown | Variants…'),
      20000,
      'the "▶ Generate · price unknown | Variants…" lenses above the block',
    );
    check(lenses.lines.length === 1, `one lens line expected, got ${JSON.stringify(lenses.lines)}`);
    await wb.editor.clickLens('▶ Generate');
    // Run on its own (AIVIDEO_TEST_GREP), no key was set before: the lens asks for it, nothing else.
    const asked = await wb.quickInput.waitFor('a key box', (q) => /API key/.test(q.title), 2500).catch(() => undefined);
    if (asked) await wb.quickInput.submit(API_KEY);
    await wb.editor.waitForLenses(
      (lines) => lines.some((l) => /^▶ Generate · price unknown \| Variants… \| ⟳ /.test(l)),
      15000,
      'a live status lens after Generate',
    );
    const done = await wb.editor.waitForLenses(
      (lines) => lines.includes('▶ Generate · price unknown | Variants… | ▶ Play | Save'),
      30000,
      '"▶ Play | Save" lenses once the video was done',
    );
    check(done.lines.length === 1, `one lens line expected, got ${JSON.stringify(done.lines)}`);
    await ctx.shot('prompt-file');
    ctx.promptFileGenerated = true;
  },
};
