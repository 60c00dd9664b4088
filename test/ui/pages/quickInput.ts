// The quick input widget: the Command Palette, quick picks and input boxes all use it. Reads its
// title (with the "(n/m)" step counter), rows and input type, waits for a state with a reason that
// names what was expected and what was there, and picks rows by their exact label.
import type { Locator, Page } from 'playwright-core';

import { Check } from '../check';

export interface QuickInputRow {
  /** Without icons: a "$(play) Generate" label reads "Generate". */
  label: string;
  description: string;
  focused: boolean;
}

export interface QuickInputState {
  visible: boolean;
  title: string;
  rows: QuickInputRow[];
  /** "password", "text", or '' when there is no input box. */
  inputType: string;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class QuickInput {
  constructor(readonly page: Page) {}

  /** The visible widget. */
  get widget(): Locator {
    return this.page.locator('.quick-input-widget:visible');
  }

  /** Its text box (the filter of a quick pick, or an input box). */
  get input(): Locator {
    return this.widget.locator('.quick-input-box input');
  }

  /**
   * The Back button (QuickInputButtons.Back) in the title bar's left action bar; its name carries
   * the keybinding, e.g. "Back (Ctrl+Alt+-)".
   */
  get backButton(): Locator {
    return this.widget.locator('.quick-input-left-action-bar').getByRole('button', { name: /^Back\b/ });
  }

  /** The first list row whose text contains `text`. */
  rowContaining(text: string): Locator {
    return this.widget.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
  }

  /** Title, rows and input type of the open quick input. */
  async state(): Promise<QuickInputState> {
    return this.page.evaluate(() => {
      const widget = Array.from(document.querySelectorAll('.quick-input-widget')).find((w) => getComputedStyle(w).display !== 'none');
      if (!widget) return { visible: false, title: '', rows: [], inputType: '' };
      const title = (widget.querySelector('.quick-input-title')?.textContent || '').trim();
      const input = widget.querySelector('.quick-input-box input');
      const list = widget.querySelector('.quick-input-list');
      const listVisible = !!list && getComputedStyle(list).display !== 'none';
      // Codicons such as "$(play)" render as empty spans, so a label reads "Generate", not "$(play) Generate".
      const rows = listVisible
        ? Array.from(widget.querySelectorAll('.quick-input-list .monaco-list-row')).map((r) => ({
            label: (r.querySelector('.label-name')?.textContent || '').trim(),
            description: (r.querySelector('.label-description')?.textContent || '').trim(),
            focused: r.classList.contains('focused'),
          }))
        : [];
      return { visible: true, title, rows, inputType: input ? input.getAttribute('type') || 'text' : '' };
    });
  }

  /** Waits until the quick input satisfies `predicate`; the reason names what was expected and what was there. */
  async waitFor(what: string, predicate: (s: QuickInputState) => boolean, timeoutMs = 15000): Promise<QuickInputState> {
    const deadline = Date.now() + timeoutMs;
    let state: QuickInputState;
    for (;;) {
      state = await this.state();
      if (state.visible && predicate(state)) return state;
      if (Date.now() > deadline) break;
      await this.page.waitForTimeout(100);
    }
    const shown = state.visible ? `title "${state.title}", rows [${state.rows.map((r) => r.label).join(' | ')}]` : 'no quick input visible';
    throw new Check(`expected ${what} within ${timeoutMs / 1000} s; ${shown}`);
  }

  /** Waits for the quick input to close. */
  async waitHidden(timeoutMs = 15000): Promise<void> {
    await this.page.waitForFunction(
      () => Array.from(document.querySelectorAll('.quick-input-widget')).every((w) => getComputedStyle(w).display === 'none'),
      undefined,
      { timeout: timeoutMs },
    );
  }

  /** Clicks the row whose label is `label` (exact, icons excluded), or matches a pattern. */
  async pick(label: string | RegExp): Promise<void> {
    const exact = typeof label === 'string' ? new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) : label;
    const row = this.widget
      .locator('.quick-input-list .monaco-list-row')
      .filter({ has: this.page.locator('.label-name', { hasText: exact }) })
      .first();
    await row.click({ timeout: 10000 });
  }

  /** Types `text` into the input box and presses Enter. */
  async submit(text: string): Promise<void> {
    await this.input.fill(text);
    await this.page.keyboard.press('Enter');
  }

  /** Escape, then waits for it to close. */
  async dismiss(): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.waitHidden();
  }
}

/** The options page's Generate row: "Generate", with the price after it ("Generate · about $1.60", "Generate · price unknown"). */
export const GENERATE_ROW = /^\s*Generate( · .+)?\s*$/;

/** The Generate row of the options page, if any. */
export function generateRow(state: QuickInputState): QuickInputRow | undefined {
  return state.rows.find((r) => GENERATE_ROW.test(r.label));
}

/** The row labelled `label` of a state, if any. */
export function rowOf(state: QuickInputState, label: string): QuickInputRow | undefined {
  return state.rows.find((r) => r.label === label);
}

/** "label: description; …" of every row, for a failure's reason. */
export function describeRows(state: QuickInputState): string {
  return state.rows.map((r) => `${r.label}: ${r.description}`).join('; ');
}
