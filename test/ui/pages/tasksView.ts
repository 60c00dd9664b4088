// The Tasks view in the "AI Video" side bar: its pane, a task's row found by its label (the prompt
// cut as src/vscode/tasks/treeLabel.ts cuts it), what a row shows, and waiting until the tree has
// stopped re-rendering before a click.
import type { Locator, Page } from 'playwright-core';

import { clipPrompt } from '../../../src/vscode/tasks/treeLabel';
import { check } from '../check';

/** The tree label of a prompt, as the Tasks view shows it. */
export function treeLabel(prompt: string): string {
  return clipPrompt(prompt);
}

export interface TaskRowState {
  label: string;
  description: string;
  /** The accessible label: "<label>, <status word>, <description>". */
  aria: string;
  /** The icon element's classes (a codicon such as codicon-loading or codicon-error). */
  icon: string;
  /** Whether the icon is an image (the task's poster). */
  poster: boolean;
  /** The accessible names of the row's inline actions. */
  actions: string[];
}

export class TasksView {
  constructor(readonly page: Page) {}

  /** The side bar pane of the Tasks view. */
  get pane(): Locator {
    return this.page.locator('.sidebar .pane', { has: this.page.locator('.pane-header', { hasText: /Tasks/i }) }).first();
  }

  /** The first row whose label contains `label` (at any level). */
  row(label: string): Locator {
    return this.page.locator('.sidebar .monaco-list-row', { has: this.page.locator('.label-name', { hasText: label }) }).first();
  }

  /** The rows at tree level `level` (1: days, 2: groups or tasks, 3: a group's tasks) whose label matches. */
  rowsAt(level: number, label: string | RegExp): Locator {
    return this.page.locator(`.sidebar .monaco-list-row[aria-level="${level}"]`, {
      has: this.page.locator('.label-name', { hasText: label }),
    });
  }

  /** What a row shows. */
  async state(row: Locator): Promise<TaskRowState> {
    return row.evaluate((r) => {
      const icon = r.querySelector('.custom-view-tree-node-item-icon');
      return {
        label: (r.querySelector('.label-name')?.textContent || '').trim(),
        description: (r.querySelector('.label-description')?.textContent || '').trim(),
        aria: r.getAttribute('aria-label') || '',
        icon: (icon?.className || '').toString(),
        // An image icon (a task's poster) is a background image on the icon element.
        poster: /url\(/.test(getComputedStyle(icon || r).backgroundImage),
        actions: Array.from(r.querySelectorAll('.actions .action-label')).map(
          (a) => a.getAttribute('aria-label') || a.getAttribute('title') || '',
        ),
      };
    });
  }

  /**
   * Resolves once the rows have not been re-rendered for `quietMs`. The extension host debounces
   * tree refreshes by 200 ms, and every refresh of an item whose command has arguments replaces the
   * command's id; a click that crosses such a refresh runs the old, already disposed id ("Actual
   * command not found, wanted to execute aiVideo.play /1").
   */
  async settled(row: Locator, quietMs = 600, timeoutMs = 10000): Promise<void> {
    const settled = await row.evaluate(
      (r, limits) =>
        new Promise<boolean>((resolve) => {
          const rows = r.closest('.monaco-list-rows') || r;
          let timer: ReturnType<typeof setTimeout> | undefined;
          const done = (ok: boolean) => {
            observer.disconnect();
            clearTimeout(timer);
            clearTimeout(limit);
            resolve(ok);
          };
          const observer = new MutationObserver(() => {
            clearTimeout(timer);
            timer = setTimeout(() => done(true), limits.quietMs);
          });
          observer.observe(rows, { subtree: true, childList: true, attributes: true, characterData: true });
          timer = setTimeout(() => done(true), limits.quietMs);
          const limit = setTimeout(() => done(false), limits.timeoutMs);
        }),
      { quietMs, timeoutMs },
    );
    check(settled, `the Tasks view kept re-rendering for ${timeoutMs / 1000} s`);
  }
}
