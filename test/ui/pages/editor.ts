// The active editor's CodeLens lines (a prompt file shows "▶ Generate | Variants…" above each
// video block, then the task's status and "▶ Play | Save").
import type { Page } from 'playwright-core';

import { waitFor } from '../check';

const LENSES = '.editor-group-container.active .monaco-editor .codelens-decoration';

export class Editor {
  constructor(readonly page: Page) {}

  /** The text of each CodeLens line of the active editor, e.g. "▶ Generate | ▶ Play | Save". */
  async lensLines(): Promise<string[]> {
    return this.page.evaluate(
      (sel) => Array.from(document.querySelectorAll(sel)).map((d) => (d.textContent || '').replace(/\u00a0/g, ' ').trim()),
      LENSES,
    );
  }

  /** Waits until the lens lines satisfy `predicate`; resolves with `{ lines }`. */
  waitForLenses(predicate: (lines: string[]) => boolean, timeoutMs: number, what: string): Promise<{ lines: string[]; ok: boolean }> {
    return waitFor(
      this.page,
      async () => {
        const lines = await this.lensLines();
        return { lines, ok: predicate(lines) };
      },
      timeoutMs,
      (r) => `expected ${what} (lenses: ${JSON.stringify(r.lines)})`,
      100,
    );
  }

  /** Clicks the first lens whose text contains `text`. */
  async clickLens(text: string): Promise<void> {
    await this.page.locator('.editor-group-container.active .codelens-decoration a', { hasText: text }).first().click({ timeout: 10000 });
  }
}
