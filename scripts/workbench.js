// Workbench helpers shared by the UI tests (run-ui-tests.js) and the screenshot tool
// (screenshot.js): the quick input, the Tasks view's rows, webview frames, and waiting with a
// one-line reason when something does not show.
'use strict';

const { providers } = require('./demo');

const GENERATE_TITLE = 'AI Video: Generate Video';

/** Provider labels as the pickers show them, from the registry of the build under test. */
function providerLabels() {
  return providers().map((p) => p.label);
}

class Timeout extends Error {}

/** The tree label of a prompt: src/vscode/tasks/tasksTree.ts shortPrompt (28 characters, ellipsis). */
function treeLabel(prompt, max = 28) {
  const p = prompt.replace(/\s+/g, ' ').trim();
  return p.length > max ? `${p.slice(0, max - 1)}…` : p;
}

/** A failure with a one-line reason. */
class Check extends Error {}

function check(condition, reason) {
  if (!condition) throw new Check(reason);
}

// ---- Workbench helpers ------------------------------------------------------------------------

/** The visible quick input widget (command palette, quick picks and input boxes). */
const quickInput = (page) => page.locator('.quick-input-widget:visible');

/** Title (with its "(n/m)" step counter), list rows and input type of the open quick input. */
async function quickInputState(page) {
  return page.evaluate(() => {
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

/** Waits until the quick input satisfies `predicate(state)`; the reason names what was expected and what was there. */
async function waitForQuickInput(page, what, predicate, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  let state;
  for (;;) {
    state = await quickInputState(page);
    if (state.visible && predicate(state)) return state;
    if (Date.now() > deadline) break;
    await page.waitForTimeout(100);
  }
  const shown = state.visible ? `title "${state.title}", rows [${state.rows.map((r) => r.label).join(' | ')}]` : 'no quick input visible';
  throw new Check(`expected ${what} within ${timeoutMs / 1000} s; ${shown}`);
}

/** Waits for the quick input to close. */
async function waitForQuickInputHidden(page, timeoutMs = 15000) {
  await page.waitForFunction(
    () => Array.from(document.querySelectorAll('.quick-input-widget')).every((w) => getComputedStyle(w).display === 'none'),
    undefined,
    { timeout: timeoutMs },
  );
}

/** Clicks the quick pick row whose label is `label` (exact, icons excluded). */
async function clickQuickPickRow(page, label) {
  const row = quickInput(page)
    .locator('.quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) }) })
    .first();
  await row.click({ timeout: 10000 });
}

/**
 * F1, runs the command whose palette entry is `title` (e.g. "AI Video: Set API Key…") and waits
 * for the quick input it opens (`what`, `predicate` as in waitForQuickInput).
 *
 * Tries up to 3 times. Once (while the player webview had focus) the command palette closed again
 * right after opening: most likely focus moving back into the webview's iframe a moment after the
 * previous quick input closed, and the palette closes when it loses focus. A user does not press
 * F1 within those milliseconds; a test does. Each retry prints a "note:" line.
 */
async function runCommand(page, title, what, predicate) {
  const input = quickInput(page).locator('.quick-input-box input');
  for (let attempt = 1; ; attempt++) {
    try {
      await page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout: 5000 });
      await input.fill(`>${title}`, { timeout: 5000 });
      const row = quickInput(page).locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
      await row.click({ timeout: 5000 });
      return await waitForQuickInput(page, what, predicate, 5000);
    } catch (e) {
      const focus = await page.evaluate(() => {
        const a = document.activeElement;
        return a ? `${a.tagName.toLowerCase()}${a.className ? `.${String(a.className).trim().replace(/\s+/g, '.')}` : ''}` : 'none';
      });
      if (attempt >= 3) throw new Check(`"${title}" from the command palette did not show ${what} in ${attempt} tries (focus on ${focus}): ${oneLine(e)}`);
      console.log(`  note: retrying "${title}" from the command palette (try ${attempt} failed, focus on ${focus}: ${oneLine(e)})`);
      await page.keyboard.press('Escape');
      await waitForQuickInputHidden(page, 5000).catch(() => undefined);
    }
  }
}

/** The side bar pane body of the Tasks view. */
function tasksPane(page) {
  return page.locator('.sidebar .pane', { has: page.locator('.pane-header', { hasText: /Tasks/i }) }).first();
}

/** The tree row of a task, found by its (truncated) label. */
function taskRow(page, label) {
  return page.locator('.sidebar .monaco-list-row', { has: page.locator('.label-name', { hasText: label }) }).first();
}

/** Label, description, accessible label, icon classes (and whether it is a poster image) and inline actions of a task row. */
async function rowState(row) {
  return row.evaluate((r) => ({
    label: (r.querySelector('.label-name')?.textContent || '').trim(),
    description: (r.querySelector('.label-description')?.textContent || '').trim(),
    aria: r.getAttribute('aria-label') || '',
    icon: (r.querySelector('.custom-view-tree-node-item-icon')?.className || '').toString(),
    // An image icon (a task's poster) is a background image on the icon element.
    poster: /url\(/.test(getComputedStyle(r.querySelector('.custom-view-tree-node-item-icon') || r).backgroundImage),
    actions: Array.from(r.querySelectorAll('.actions .action-label')).map((a) => a.getAttribute('aria-label') || a.getAttribute('title') || ''),
  }));
}

/**
 * Resolves once the task rows have not been re-rendered for `quietMs`. The extension host debounces
 * tree refreshes by 200 ms, and every refresh of an item whose command has arguments replaces the
 * command's id; a click that crosses such a refresh runs the old, already disposed id ("Actual
 * command not found, wanted to execute aiVideo.play /1"). See the report of this test run.
 */
async function waitForTreeSettled(row, quietMs = 600, timeoutMs = 10000) {
  const settled = await row.evaluate(
    (r, { quietMs, timeoutMs }) =>
      new Promise((resolve) => {
        const rows = r.closest('.monaco-list-rows') || r;
        let timer;
        const done = (ok) => {
          observer.disconnect();
          clearTimeout(timer);
          clearTimeout(limit);
          resolve(ok);
        };
        const observer = new MutationObserver(() => {
          clearTimeout(timer);
          timer = setTimeout(() => done(true), quietMs);
        });
        observer.observe(rows, { subtree: true, childList: true, attributes: true, characterData: true });
        timer = setTimeout(() => done(true), quietMs);
        const limit = setTimeout(() => done(false), timeoutMs);
      }),
    { quietMs, timeoutMs },
  );
  check(settled, `the Tasks view kept re-rendering for ${timeoutMs / 1000} s`);
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes; then throws Check(`reason(last)`). */
async function waitFor(page, fn, timeoutMs, reason, intervalMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (last && last.ok) return last;
    if (Date.now() > deadline) throw new Check(reason(last));
    await page.waitForTimeout(intervalMs);
  }
}

/** Goes through the Generate flow with the defaults (Pika, Text to video, model 2.0) up to the options page. */
async function generateUpToOptions(page, prompt) {
  await runCommand(page, `${GENERATE_TITLE}…`, 'the provider list', (s) => s.title.startsWith(GENERATE_TITLE) && providerLabels().every((p) => s.rows.some((r) => r.label === p)));
  await clickQuickPickRow(page, 'Pika');
  await waitForQuickInput(page, 'the mode list', (s) => s.title.includes('Pika') && s.rows.some((r) => r.label === 'Text to video'));
  await clickQuickPickRow(page, 'Text to video');
  await waitForQuickInput(page, 'the model list', (s) => /model/i.test(s.title) && s.rows.some((r) => r.label === '2.0'));
  await clickQuickPickRow(page, '2.0');
  await waitForQuickInput(page, 'the prompt input box', (s) => /prompt/i.test(s.title) && s.inputType === 'text' && s.rows.length === 0);
  await quickInput(page).locator('.quick-input-box input').fill(prompt);
  await page.keyboard.press('Enter');
  return waitForQuickInput(page, 'the options page with "Generate"', (s) => /options/i.test(s.title) && s.rows.some((r) => r.label === 'Generate'));
}

/** Every frame of the page that holds the player's <video> (the webview's inner frame). */
async function playerFrame(page) {
  for (const frame of page.frames()) {
    try {
      if (await frame.evaluate(() => !!document.querySelector('video.video') && !!document.querySelector('.meta'))) return frame;
    } catch {
      // detached or navigating
    }
  }
  return undefined;
}

function oneLine(e) {
  const text = e instanceof Check || e instanceof Timeout ? e.message : e && e.message ? e.message : String(e);
  return text.split('\n').filter((l) => l.trim() && !/^\s*(=+|Call log:|- )/.test(l))[0] || text.split('\n')[0];
}

/** The frame of a webview whose document has `selector` (webviews are nested iframes), or undefined. */
async function webviewFrame(page, selector) {
  for (const frame of page.frames()) {
    try {
      if (await frame.evaluate((s) => !!document.querySelector(s), selector)) return frame;
    } catch {
      // detached or navigating
    }
  }
  return undefined;
}

/** Waits for a webview frame with `selector`. */
async function waitForWebview(page, selector, what, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frame = await webviewFrame(page, selector);
    if (frame) return frame;
    if (Date.now() > deadline) throw new Check(`${what} did not open within ${timeoutMs / 1000} s`);
    await page.waitForTimeout(200);
  }
}

module.exports = {
  providerLabels,
  GENERATE_TITLE,
  Check,
  Timeout,
  check,
  oneLine,
  treeLabel,
  quickInput,
  quickInputState,
  waitForQuickInput,
  waitForQuickInputHidden,
  clickQuickPickRow,
  runCommand,
  tasksPane,
  taskRow,
  rowState,
  waitForTreeSettled,
  waitFor,
  generateUpToOptions,
  playerFrame,
  webviewFrame,
  waitForWebview,
};
