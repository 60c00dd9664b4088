// The Get Started walkthrough: its steps (titles from package.nls.json), ticked off as the earlier
// cases did them, and each step's image.
import { extensionId, localize, repoManifest } from '../../support/manifest';
import { check, waitFor } from '../check';
import type { UiCase, UiContext } from '../suite';

/** The steps the earlier cases went through, by the walkthrough's step ids in package.json. */
const DONE_BY: Record<string, (ctx: UiContext) => boolean> = {
  setKey: (ctx) => !!ctx.generated || !!ctx.promptFileGenerated,
  generate: (ctx) => !!ctx.generated || !!ctx.promptFileGenerated,
  play: (ctx) => !!ctx.played,
  gallery: (ctx) => !!ctx.gallery,
  promptFile: (ctx) => !!ctx.promptFileGenerated,
};

interface StepState {
  title: string;
  done: boolean;
  visible: boolean;
}

export const walkthroughSteps: UiCase = {
  name: 'the walkthrough shows its steps, ticked off as they were done',
  async run(ctx) {
    const { page, wb } = ctx;
    const { manifest, nls } = repoManifest();
    const walkthrough = manifest.contributes.walkthroughs?.[0];
    check(walkthrough, 'package.json contributes no walkthrough');
    const title = localize(walkthrough.title, nls);
    const stepTitles = walkthrough.steps.map((s) => localize(s.title, nls));
    check(
      walkthrough.steps.every((s) => s.id in DONE_BY),
      `steps without an expectation: ${walkthrough.steps.map((s) => s.id).join(', ')}`,
    );
    // Our steps' elements (the Welcome page may show VS Code's own walkthroughs too).
    const stepSelector = `.getting-started-step[data-step-id^="${extensionId()}#${walkthrough.id}#"]`;
    const read = () =>
      page.evaluate(
        (sel): StepState[] =>
          Array.from(document.querySelectorAll(sel)).map((step) => ({
            title: (step.querySelector('.step-title')?.textContent || '').trim(),
            done: step.getAttribute('aria-checked') === 'true',
            visible: step.getBoundingClientRect().height > 0,
          })),
        stepSelector,
      );
    // An open Welcome page keeps VS Code's own walkthrough (and just after startup it may still
    // switch to it): open ours on its own, and try again.
    let steps: { all: StepState[] } | undefined;
    for (let attempt = 1; !steps; attempt++) {
      await wb.paletteCommand('View: Close All Editors');
      await wb.runCommand('Welcome: Open Walkthrough', 'the list of walkthroughs', (q) => q.rows.some((r) => r.label === title));
      await wb.quickInput.pick(title);
      steps = await waitFor(
        page,
        async () => {
          const all = (await read()).filter((st) => st.visible);
          return { all, ok: all.length === stepTitles.length };
        },
        5000,
        (r) => `the walkthrough shows ${r.all.length} of its steps: ${JSON.stringify(r.all)}`,
      ).catch((e: unknown) => {
        if (attempt >= 3) throw e;
        return undefined;
      });
    }
    const shown = steps.all.map((st) => st.title);
    check(JSON.stringify(shown) === JSON.stringify(stepTitles), `steps ${JSON.stringify(shown)}`);
    // What the earlier cases did.
    const expected = Object.fromEntries(walkthrough.steps.map((s, i) => [stepTitles[i], DONE_BY[s.id](ctx)]));
    const wrong = steps.all.filter((st) => st.done !== expected[st.title]);
    check(
      !wrong.length,
      `steps ticked off: ${steps.all.map((st) => `${st.title} ${st.done ? '✓' : '✗'}`).join(', ')}; ` +
        `expected: ${Object.entries(expected)
          .map(([t, d]) => `${t} ${d ? '✓' : '✗'}`)
          .join(', ')}`,
    );
    // Every step's image loads (the last one selected stays on screen).
    for (const stepTitle of stepTitles) {
      await page.locator(`${stepSelector} .step-title`, { hasText: stepTitle }).first().click({ timeout: 5000 });
      await waitFor(
        page,
        async () => {
          const img = await page.evaluate(() => {
            const el = Array.from(document.querySelectorAll<HTMLImageElement>('.gettingStartedContainer .getting-started-media img')).find(
              (i) => i.getBoundingClientRect().width > 0,
            );
            return el ? { alt: el.getAttribute('alt'), loaded: el.complete && el.naturalWidth > 0 } : undefined;
          });
          return { img, ok: !!img && img.loaded };
        },
        5000,
        (r) => `the image of step "${stepTitle}" did not load (${r.img ? `alt "${r.img.alt}"` : 'no image shown'})`,
      );
    }
    await ctx.shot('walkthrough');
  },
};
