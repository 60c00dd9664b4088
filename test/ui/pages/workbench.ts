// The workbench page as a whole: waiting for the extension's activity bar entry, the "AI Video"
// side bar, running commands from the Command Palette, Quick Open, notifications, and the Generate
// flow up to its options page. Holds the other page objects. Used by the UI suite (test/ui/specs)
// and, compiled (out/test/ui/pages), by `npm start`'s check and the screenshot tools in scripts/.
import type { Locator, Page } from 'playwright-core';

import { modeLabel } from '../../../src/core/model/task';
import { PROVIDER_LIST, PROVIDERS } from '../../../src/providers';
import type { PIKA_MODELS } from '../../../src/providers/pika';
import { commandTitle } from '../../support/manifest';
import { Check, oneLine } from '../check';
import { Editor } from './editor';
import { generateRow, QuickInput, type QuickInputState } from './quickInput';
import { TasksView } from './tasksView';
import { Webviews } from './webview';

/** "AI Video: Generate Video…" as the palette lists it. */
export const GENERATE_COMMAND = commandTitle('aiVideo.generate');
/** The Generate flow's title, before its "(n/m)" step counter. */
export const GENERATE_FLOW_TITLE = GENERATE_COMMAND.replace(/…$/, '');
/** Provider labels as the pickers show them, from the registry. */
export const PROVIDER_LABELS: readonly string[] = PROVIDER_LIST.map((p) => p.label);
/** The flow's defaults, which `generateUpToOptions` picks. */
export const PIKA = PROVIDERS.pika.label;
export const TEXT_TO_VIDEO = modeLabel('text-to-video');
export const PIKA_MODEL: (typeof PIKA_MODELS)[number] = '2.0';

export class Workbench {
  readonly quickInput: QuickInput;
  readonly tasks: TasksView;
  readonly webviews: Webviews;
  readonly editor: Editor;

  constructor(readonly page: Page) {
    this.quickInput = new QuickInput(page);
    this.tasks = new TasksView(page);
    this.webviews = new Webviews(page);
    this.editor = new Editor(page);
  }

  /** Waits for the workbench and for the extension's activity bar entry; resolves with that entry. */
  async waitForExtensionUi(timeoutMs = 90000): Promise<Locator> {
    await this.page.waitForSelector('.monaco-workbench', { timeout: timeoutMs });
    const item = this.page.locator('.activitybar .action-item a[aria-label^="AI Video"]').first();
    await item.waitFor({ state: 'visible', timeout: timeoutMs });
    return item;
  }

  /** The side bar's title while the "AI Video" view container shows. */
  get aiVideoTitle(): Locator {
    return this.page.locator('.sidebar .composite.title', { hasText: /AI Video/i }).first();
  }

  /** Shows the "AI Video" view container in the side bar (clicking its icon only when it is not showing). */
  async openAiVideoView(timeoutMs = 30000): Promise<void> {
    const item = await this.waitForExtensionUi();
    if (!(await this.aiVideoTitle.isVisible().catch(() => false))) await item.click();
    await this.aiVideoTitle.waitFor({ state: 'visible', timeout: timeoutMs });
  }

  /** F1 and `text` typed into the palette (">" and a command's title, or a file name for Quick Open). */
  async openPalette(text: string): Promise<void> {
    await this.page.keyboard.press('F1');
    await this.quickInput.input.waitFor({ state: 'visible', timeout: 10000 });
    await this.quickInput.input.fill(text);
  }

  /**
   * F1, runs the command whose palette entry is `title` (e.g. "AI Video: Set API Key…") and waits
   * for the quick input it opens (`what`, `predicate` as in QuickInput.waitFor).
   *
   * Tries up to 3 times. Once (while the player webview had focus) the command palette closed again
   * right after opening: most likely focus moving back into the webview's iframe a moment after the
   * previous quick input closed, and the palette closes when it loses focus. A user does not press
   * F1 within those milliseconds; a test does. Each retry prints a "note:" line.
   */
  async runCommand(title: string, what: string, predicate: (s: QuickInputState) => boolean): Promise<QuickInputState> {
    const input = this.quickInput.input;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.page.keyboard.press('F1');
        await input.waitFor({ state: 'visible', timeout: 5000 });
        await input.fill(`>${title}`, { timeout: 5000 });
        await this.quickInput.rowContaining(title).click({ timeout: 5000 });
        return await this.quickInput.waitFor(what, predicate, 5000);
      } catch (e) {
        const focus = await this.page.evaluate(() => {
          const a = document.activeElement;
          return a ? `${a.tagName.toLowerCase()}${a.className ? `.${String(a.className).trim().replace(/\s+/g, '.')}` : ''}` : 'none';
        });
        if (attempt >= 3) {
          throw new Check(
            `"${title}" from the command palette did not show ${what} in ${attempt} tries (focus on ${focus}): ${oneLine(e)}`,
          );
        }
        console.log(`  note: retrying "${title}" from the command palette (try ${attempt} failed, focus on ${focus}: ${oneLine(e)})`);
        await this.page.keyboard.press('Escape');
        await this.quickInput.waitHidden(5000).catch(() => undefined);
      }
    }
  }

  /** Runs a palette command that opens no quick input of its own. */
  async paletteCommand(title: string): Promise<void> {
    await this.openPalette(`>${title}`);
    await this.quickInput.rowContaining(title).click({ timeout: 10000 });
    await this.quickInput.waitHidden();
  }

  /** Goes through the Generate flow with the defaults (Pika, Text to video, model 2.0) up to the options page. */
  async generateUpToOptions(prompt: string): Promise<QuickInputState> {
    const q = this.quickInput;
    await this.runCommand(
      GENERATE_COMMAND,
      'the provider list',
      (s) => s.title.startsWith(GENERATE_FLOW_TITLE) && PROVIDER_LABELS.every((p) => s.rows.some((r) => r.label === p)),
    );
    await q.pick(PIKA);
    await q.waitFor('the mode list', (s) => s.title.includes(PIKA) && s.rows.some((r) => r.label === TEXT_TO_VIDEO));
    await q.pick(TEXT_TO_VIDEO);
    await q.waitFor('the model list', (s) => /model/i.test(s.title) && s.rows.some((r) => r.label === PIKA_MODEL));
    await q.pick(PIKA_MODEL);
    await q.waitFor('the prompt input box', (s) => /prompt/i.test(s.title) && s.inputType === 'text' && s.rows.length === 0);
    await q.submit(prompt);
    return q.waitFor('the options page with "Generate"', (s) => /options/i.test(s.title) && !!generateRow(s));
  }

  /** The first notification toast whose text matches. */
  notification(text: RegExp): Locator {
    return this.page.locator('.notifications-toasts .notification-list-item', { hasText: text }).first();
  }

  /** The messages of the notification toasts on screen. */
  async notificationTexts(): Promise<string[]> {
    return this.page
      .locator('.notifications-toasts .notification-list-item-message')
      .allInnerTexts()
      .catch(() => []);
  }

  /** Closes the notification toasts and moves the mouse away (before a screenshot). */
  async clearForScreenshot(): Promise<void> {
    for (const close of await this.page.locator('.notification-toast .codicon-notifications-clear').all()) {
      await close.click({ timeout: 2000 }).catch(() => undefined);
    }
    await this.page.mouse.move(0, 0);
  }

  /** The first editor tab whose title contains `text`. */
  tab(text: string): Locator {
    return this.page.locator('.tabs-container .tab', { hasText: text }).first();
  }
}
