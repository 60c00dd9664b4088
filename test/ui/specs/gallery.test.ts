// The gallery (search, keyboard selection, Delete with a confirmation) and the compare view it
// opens for two takes (played together, one kept).
import { commandTitle } from '../../support/manifest';
import { Check, check, waitFor } from '../check';
import { treeLabel } from '../pages/tasksView';
import { FAIL_PROMPT, VARIANTS_PROMPT, type UiCase } from '../suite';

export const gallerySelection: UiCase = {
  name: 'gallery: search, then keyboard selection of two takes',
  async run(ctx) {
    const { page, wb } = ctx;
    check(ctx.variants, 'no variants were generated (an earlier case failed)');
    await wb.paletteCommand(commandTitle('aiVideo.openGallery'));
    const frame = await wb.webviews.waitFor('.gallery .card', 'the gallery');
    const total = await frame.locator('.card').count();
    check(total >= 3, `the gallery shows ${total} cards, expected every task (at least 3)`);
    await frame.locator('.search').fill('LANTERN paper');
    await waitFor(
      page,
      async () => {
        const labels = await frame.locator('.card').evaluateAll((cards) => cards.map((c) => c.getAttribute('aria-label') || ''));
        return { labels, ok: labels.length === 2 && labels.every((l) => l.startsWith(VARIANTS_PROMPT)) };
      },
      10000,
      (s) => `searching "LANTERN paper" shows [${s.labels.join(' | ')}], expected the two takes`,
    );
    check(
      /^2 of \d+ videos$/.test((await frame.locator('.count').innerText()).trim()),
      `the count reads "${await frame.locator('.count').innerText()}"`,
    );
    await frame.locator('.scroller').focus();
    for (const key of ['Home', 'Space', 'Shift+ArrowRight']) await page.keyboard.press(key);
    const selected = await frame.locator('.card[aria-selected="true"]').count();
    check(selected === 2, `${selected} cards selected after Home, Space, Shift+Right, expected 2`);
    check((await frame.locator('.selection-info').innerText()).trim() === '2 selected', 'the action bar does not say "2 selected"');
    check(await frame.getByRole('button', { name: 'Compare' }).isEnabled(), 'Compare is disabled for two finished takes');
    await ctx.shot('gallery');
    ctx.gallery = frame;
  },
};

export const compareTakes: UiCase = {
  name: 'compare plays the two takes together and keeps one',
  async run(ctx) {
    const { page, wb } = ctx;
    check(ctx.gallery, 'the gallery case failed');
    await ctx.gallery.getByRole('button', { name: 'Compare' }).click();
    const frame = await wb.webviews.waitFor('.compare .take-video', 'the compare view');
    const takes = await frame.locator('.take').count();
    check(takes === 2, `the compare view shows ${takes} takes`);
    const differing = await frame.locator('.param.differs .param-label').allInnerTexts();
    check(differing.includes('Seed'), `the differing parameters are [${differing.join(', ')}], expected Seed among them`);
    await frame.getByRole('button', { name: 'Play every video together' }).click();
    const times = () =>
      frame.locator('.take-video').evaluateAll((vs) => (vs as HTMLVideoElement[]).map((v) => ({ t: v.currentTime, paused: v.paused })));
    await waitFor(
      page,
      async () => {
        const v = await times();
        return { v, ok: v.every((x) => x.t > 0.2 && !x.paused) };
      },
      15000,
      (s) => `both videos should play: ${JSON.stringify(s.v)}`,
    );
    await frame.getByRole('button', { name: 'Pause every video' }).click();
    const paused = await times();
    check(paused.every((x) => x.paused) && Math.abs(paused[0].t - paused[1].t) < 0.3, `after Pause all: ${JSON.stringify(paused)}`);
    await ctx.shot('compare');
    await frame.getByRole('button', { name: 'Keep this one' }).first().click();
    const saved = wb.notification(/Saved generated-videos\//);
    await saved.waitFor({ state: 'visible', timeout: 15000 }).catch(() => {
      throw new Check('"Keep this one" showed no "Saved generated-videos/…" notification');
    });
  },
};

export const galleryDelete: UiCase = {
  name: 'gallery: Delete removes a card after a confirmation',
  async run(ctx) {
    const { page, wb } = ctx;
    check(ctx.gallery, 'the gallery case failed');
    await wb.tab('Video Gallery').click();
    const frame = await wb.webviews.waitFor('.gallery .scroller', 'the gallery');
    await frame.locator('.search').fill('failing');
    await waitFor(
      page,
      async () => ({ ok: (await frame.locator('.card').count()) === 1 }),
      10000,
      () => 'searching "failing" does not show exactly the failed task',
    );
    await frame.locator('.scroller').focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('Delete');
    const dialog = page.locator('.monaco-dialog-box').first();
    await dialog.waitFor({ state: 'visible', timeout: 10000 }).catch(() => {
      throw new Check('Delete asked for no confirmation');
    });
    check(
      /Remove this task and delete its downloaded video/.test(await dialog.innerText()),
      'the confirmation does not say what it removes',
    );
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await frame
      .locator('.empty-text', { hasText: 'No video matches these filters.' })
      .waitFor({ state: 'visible', timeout: 10000 })
      .catch(() => {
        throw new Check('the removed card is still shown');
      });
    check(!(await wb.tasks.row(treeLabel(FAIL_PROMPT)).count()), 'the removed task is still in the Tasks view');
  },
};
