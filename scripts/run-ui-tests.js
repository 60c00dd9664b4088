#!/usr/bin/env node
// UI end-to-end tests: the extension in a real VS Code workbench (code-server, see
// scripts/vscode-host.js) driven like a user would, through headless Chromium (playwright-core).
// Build first (node esbuild.js). Works offline.
//
//   node scripts/run-ui-tests.js
//
// Starts the provider emulator (tasks finish after about 3 s) and code-server with the extension
// linked into a temporary extensions folder, a temporary user-data folder (settings point the
// providers at the emulator, poll interval 1 s) and a temporary workspace holding test/fixtures.
// Then runs named cases in order (later ones build on earlier ones: the task generated in case 2
// is the one played in case 4). Prints `✔ name` or `✖ name: reason` per case, saves
// test-results/ui-<case>.png for each failure, and ends with one line `N passed, N failed`.
//
// Env:
//   AIVIDEO_UI_TEST_TIMEOUT_MS   time limit for the whole run (default 5 minutes)
//   AIVIDEO_UI_DEBUG=1           log each step, the emulator and code-server output
//   AIVIDEO_KEEP_TEMP=1          keep the temporary folders for inspection
//   CHROMIUM_PATH                browser executable (default /usr/bin/chromium)
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { ensureCodeServer, startCodeServer, findFreePort, launchChromium, chromiumPath, REPO } = require('./vscode-host');
const { waitForExtensionUi, writeSettings, linkExtension } = require('./demo');

const TIMEOUT_MS = Number(process.env.AIVIDEO_UI_TEST_TIMEOUT_MS) || 5 * 60 * 1000;
const DEBUG = process.env.AIVIDEO_UI_DEBUG === '1';
const RESULTS_DIR = path.join(REPO, 'test-results');
const FIXTURES = path.join(REPO, 'test', 'fixtures');
const EMULATOR_MODULE = path.join(REPO, 'out', 'src', 'emulator', 'server.js');
const EXTENSION_BUNDLE = path.join(REPO, 'dist', 'extension.js');
const PLAYER_BUNDLE = path.join(REPO, 'dist', 'webview', 'player.js');
const REGISTRY_MODULE = path.join(REPO, 'out', 'src', 'providers', 'index.js');

/** Provider labels as the pickers show them, from the registry of the build under test (set in main). */
let PROVIDERS = [];
const GENERATE_TITLE = 'AI Video: Generate Video';
// Longer than the tree's 28-character label, so the label is the truncated prompt.
const PROMPT = 'A red fox running through fresh snow [duration=3000]';
const FAIL_PROMPT = 'A failing UI test video [fail] [duration=2000]';
const API_KEY = 'ui-test-key-0123456789';
const FAILURE_MESSAGE = 'Emulated generation failure'; // src/emulator/tasks.ts

/** Settings on top of demo.js's (which point every provider at the emulator). */
const TEST_SETTINGS = {
  'aiVideo.pollIntervalSeconds': 1,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'git.enabled': false,
  'git.autoRepositoryDetection': false,
  'window.restoreWindows': 'none',
  'chat.commandCenter.enabled': false,
};

const debug = (msg) => {
  if (DEBUG) console.log(`  [ui] ${msg}`);
};

/** The tree label of a prompt: src/vscode/tasksTree.ts shortPrompt (28 characters, ellipsis). */
function treeLabel(prompt, max = 28) {
  const p = prompt.replace(/\s+/g, ' ').trim();
  return p.length > max ? `${p.slice(0, max - 1)}…` : p;
}

class Timeout extends Error {}

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

/** Label, description, accessible label, icon classes and inline actions of a task row. */
async function rowState(row) {
  return row.evaluate((r) => ({
    label: (r.querySelector('.label-name')?.textContent || '').trim(),
    description: (r.querySelector('.label-description')?.textContent || '').trim(),
    aria: r.getAttribute('aria-label') || '',
    icon: (r.querySelector('.custom-view-tree-node-item-icon')?.className || '').toString(),
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
  await runCommand(page, `${GENERATE_TITLE}…`, 'the provider list', (s) => s.title.startsWith(GENERATE_TITLE) && PROVIDERS.every((p) => s.rows.some((r) => r.label === p)));
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

// ---- Cases -------------------------------------------------------------------------------------

/** @type {{ name: string, run: (ctx: object) => Promise<void> }[]} */
const CASES = [
  {
    name: 'tasks view shows welcome content',
    async run({ page }) {
      const item = await waitForExtensionUi(page);
      const title = page.locator('.sidebar .composite.title', { hasText: /AI Video/i }).first();
      if (!(await title.isVisible().catch(() => false))) await item.click();
      await title.waitFor({ state: 'visible', timeout: 15000 });
      const pane = tasksPane(page);
      await pane.waitFor({ state: 'visible', timeout: 15000 }).catch(() => {
        throw new Check('the "Tasks" view is not in the "AI Video" side bar');
      });
      const welcome = pane.locator('.welcome-view-content');
      await welcome.waitFor({ state: 'visible', timeout: 15000 }).catch(() => {
        throw new Check('the Tasks view shows no welcome content');
      });
      for (const name of ['Generate Video', 'Set API Key']) {
        const visible = await welcome.getByRole('button', { name, exact: true }).isVisible();
        check(visible, `the welcome content has no "${name}" button (text: ${(await welcome.innerText()).replace(/\s+/g, ' ')})`);
      }
    },
  },
  {
    name: 'generate flow with back button and key prompt',
    async run(ctx) {
      const { page } = ctx;
      const first = await runCommand(page, `${GENERATE_TITLE}…`, 'the provider list', (s) => s.title.startsWith(GENERATE_TITLE) && s.rows.length >= 3);
      for (const p of PROVIDERS) check(first.rows.some((r) => r.label === p), `provider "${p}" missing from [${first.rows.map((r) => r.label).join(', ')}]`);
      // Pika, text to video: provider, mode, model, prompt, options.
      check(/\(1\/5\)/.test(first.title), `no step counter "1/5" in the title "${first.title}"`);
      check(first.rows.every((r) => /no key/i.test(r.description)), `providers should show "no key yet" before a key is set: ${first.rows.map((r) => `${r.label}: ${r.description}`).join('; ')}`);
      const back = quickInput(page).locator('.quick-input-left-action-bar').getByRole('button', { name: /^Back\b/ });
      check(!(await back.isVisible()), 'the first step shows a Back button');

      await clickQuickPickRow(page, 'Pika');
      const modes = await waitForQuickInput(page, 'the mode list', (s) => s.title.includes('Pika') && s.rows.some((r) => r.label === 'Text to video'));
      check(/\(2\/5\)/.test(modes.title), `no step counter "2/5" in the title "${modes.title}"`);

      // The Back button (QuickInputButtons.Back) sits in the title bar's left action bar.
      // Its accessible name carries the keybinding, e.g. "Back (Ctrl+Alt+-)".
      const backButton = quickInput(page).locator('.quick-input-left-action-bar').getByRole('button', { name: /^Back\b/ });
      await backButton.click({ timeout: 10000 }).catch(() => {
        throw new Check('no visible Back button on the mode step');
      });
      await waitForQuickInput(page, 'the provider list again after Back', (s) => /\(1\/5\)/.test(s.title) && PROVIDERS.every((p) => s.rows.some((r) => r.label === p)));

      await clickQuickPickRow(page, 'Pika');
      await waitForQuickInput(page, 'the mode list', (s) => s.title.includes('Pika') && s.rows.some((r) => r.label === 'Text to video'));
      await clickQuickPickRow(page, 'Text to video');
      const models = await waitForQuickInput(page, 'the model list', (s) => /model/i.test(s.title) && s.rows.some((r) => r.label === '2.0'));
      check(/\(3\/5\)/.test(models.title), `no step counter "3/5" in the title "${models.title}"`);
      await clickQuickPickRow(page, '2.0');
      const promptBox = await waitForQuickInput(page, 'the prompt input box', (s) => /prompt/i.test(s.title) && s.inputType === 'text' && s.rows.length === 0);
      check(/\(4\/5\)/.test(promptBox.title), `no step counter "4/5" in the title "${promptBox.title}"`);
      await quickInput(page).locator('.quick-input-box input').fill(PROMPT);
      await page.keyboard.press('Enter');

      const options = await waitForQuickInput(page, 'the options page with "Generate"', (s) => /options/i.test(s.title) && s.rows.some((r) => r.label === 'Generate'));
      const go = options.rows.find((r) => r.label === 'Generate');
      check(go.focused, `"Generate" is not the active row of the options page (active: ${options.rows.filter((r) => r.focused).map((r) => r.label).join(', ') || 'none'})`);
      check(/Pika 2\.0/.test(go.description) && /Text to video/.test(go.description), `"Generate" describes "${go.description}", expected Pika 2.0 · Text to video`);
      await page.keyboard.press('Enter');

      const keyBox = await waitForQuickInput(page, 'the Pika API key input box', (s) => /Pika API key/.test(s.title) && s.rows.length === 0 && !!s.inputType);
      check(keyBox.inputType === 'password', `the API key input box is type "${keyBox.inputType}", not password`);
      await quickInput(page).locator('.quick-input-box input').fill(API_KEY);
      await page.keyboard.press('Enter');
      await waitForQuickInputHidden(page).catch(() => {
        throw new Check('the key input box did not close after Enter');
      });
      ctx.generated = true;
    },
  },
  {
    name: 'task appears in the Tasks view and finishes',
    async run(ctx) {
      const { page } = ctx;
      check(ctx.generated, 'no task was generated (the generate flow case failed)');
      const label = treeLabel(PROMPT);
      const row = taskRow(page, label);
      await row.waitFor({ state: 'visible', timeout: 15000 }).catch(() => {
        throw new Check(`no row labelled "${label}" in the Tasks view`);
      });
      const first = await rowState(row);
      check(first.label === label, `the row label is "${first.label}", expected the truncated prompt "${label}"`);
      // Finished and downloaded: "Done", a play-circle icon instead of the spinner, and the inline Play action.
      await row.hover();
      await waitFor(
        page,
        async () => {
          const s = await rowState(row);
          return { ...s, ok: /, Done, /.test(s.aria) && !/downloading/.test(s.description) && /codicon-play-circle/.test(s.icon) && !/codicon-loading/.test(s.icon) && s.actions.some((a) => /^Play Video/.test(a)) };
        },
        30000,
        (s) => `the task did not finish within 30 s (row "${s.aria}", icon "${s.icon}", actions [${s.actions.join(', ')}])`,
      );
      ctx.finished = true;
    },
  },
  {
    name: 'clicking the task plays it in the player webview',
    async run(ctx) {
      const { page } = ctx;
      check(ctx.finished, 'no finished task (an earlier case failed)');
      await page.keyboard.press('Escape');
      const row = taskRow(page, treeLabel(PROMPT));
      await waitForTreeSettled(row);
      await row.locator('.label-name').click();
      const tab = page.locator('.tabs-container .tab', { hasText: '▶' }).first();
      await tab.waitFor({ state: 'visible', timeout: 15000 }).catch(async () => {
        const notes = await page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts().catch(() => []);
        throw new Check(`no player editor tab ("▶ …") opened${notes.length ? `; notifications: ${notes.map((n) => `"${n}"`).join(', ')}` : ''}`);
      });
      const tabText = (await tab.innerText()).trim();
      check(tabText.includes('A red fox'), `the player tab is titled "${tabText}"`);

      const frameResult = await waitFor(
        page,
        async () => {
          const frame = await playerFrame(page);
          return { ok: !!frame, frame };
        },
        20000,
        () => `no webview frame with the player's <video> (frames: ${page.frames().map((f) => f.url().slice(0, 80)).join(', ')})`,
      );
      const frame = frameResult.frame;
      const read = () =>
        frame.evaluate(() => {
          const v = document.querySelector('video.video');
          return {
            currentTime: v.currentTime,
            paused: v.paused,
            readyState: v.readyState,
            src: v.currentSrc,
            error: v.error ? `${v.error.code} ${v.error.message}` : '',
            prompt: (document.querySelector('.meta .prompt')?.textContent || '').trim(),
            title: (document.querySelector('.meta .title')?.textContent || '').trim(),
          };
        });
      const playing = await waitFor(
        page,
        async () => {
          const s = await read();
          return { ...s, ok: s.currentTime > 0 && !s.paused };
        },
        20000,
        (s) => `the video did not start playing (currentTime ${s.currentTime}, paused ${s.paused}, readyState ${s.readyState}, error "${s.error}", src ${s.src ? 'set' : 'empty'})`,
      );
      const t0 = playing.currentTime;
      await waitFor(
        page,
        async () => {
          const s = await read();
          return { ...s, ok: s.currentTime !== t0 };
        },
        10000,
        (s) => `currentTime stayed at ${s.currentTime} (paused ${s.paused})`,
        100,
      );
      const meta = await read();
      check(meta.prompt === PROMPT, `the player shows the prompt "${meta.prompt}", expected "${PROMPT}"`);
    },
  },
  {
    name: 'set API key lists Pika with "key set"',
    async run(ctx) {
      const { page } = ctx;
      check(ctx.generated, 'no key was entered (the generate flow case failed)');
      const s = await runCommand(page, 'AI Video: Set API Key…', 'the provider list of "Set API Key"', (q) => /API keys/.test(q.title) && PROVIDERS.every((p) => q.rows.some((r) => r.label === p)));
      const rows = Object.fromEntries(s.rows.map((r) => [r.label, r.description]));
      check(/key set/.test(rows.Pika), `Pika is described as "${rows.Pika}", expected "key set"`);
      check(/secret storage/.test(rows.Pika), `Pika's key is not described as coming from secret storage: "${rows.Pika}"`);
      const others = PROVIDERS.filter((p) => p !== 'Pika');
      check(others.every((p) => !/key set/.test(rows[p])), `only Pika has a key, but: ${s.rows.map((r) => `${r.label}: ${r.description}`).join('; ')}`);
      await page.keyboard.press('Escape');
      await waitForQuickInputHidden(page);
    },
  },
  {
    name: 'a failing generation ends as a failed tree item',
    async run(ctx) {
      const { page } = ctx;
      check(ctx.generated, 'no key was entered (the generate flow case failed)');
      const options = await generateUpToOptions(page, FAIL_PROMPT);
      check(options.rows.find((r) => r.label === 'Generate').focused, '"Generate" is not the active row of the options page');
      await page.keyboard.press('Enter');
      await waitForQuickInputHidden(page).catch(() => {
        throw new Check('the flow did not close after Generate (asked for a key again?)');
      });
      const label = treeLabel(FAIL_PROMPT);
      const row = taskRow(page, label);
      await row.waitFor({ state: 'visible', timeout: 15000 }).catch(() => {
        throw new Check(`no row labelled "${label}" in the Tasks view`);
      });
      await waitFor(
        page,
        async () => {
          const s = await rowState(row);
          return { ...s, ok: /, Failed, /.test(s.aria) && /codicon-error/.test(s.icon) };
        },
        30000,
        (s) => `the task did not fail within 30 s (row "${s.aria}", icon "${s.icon}")`,
      );
      const s = await rowState(row);
      check(s.description.includes(FAILURE_MESSAGE), `the description is "${s.description}", expected it to contain "${FAILURE_MESSAGE}"`);
    },
  },
  {
    name: 'the generate flow offers OpenAI with its models, seconds and sizes',
    async run({ page }) {
      await runCommand(page, `${GENERATE_TITLE}…`, 'the provider list', (s) => s.title.startsWith(GENERATE_TITLE) && s.rows.some((r) => r.label === 'OpenAI'));
      await clickQuickPickRow(page, 'OpenAI');
      const modes = await waitForQuickInput(page, 'the OpenAI modes', (s) => s.title.includes('OpenAI') && s.rows.some((r) => r.label === 'Text to video'));
      check(modes.rows.map((r) => r.label).join('|') === 'Text to video|Image to video', `modes [${modes.rows.map((r) => r.label).join(', ')}]`);
      await clickQuickPickRow(page, 'Text to video');
      const models = await waitForQuickInput(page, 'the OpenAI models', (s) => /model/i.test(s.title) && s.rows.some((r) => r.label === 'sora-2-pro'));
      check(['sora-2', 'sora-2-pro', 'Other model id…'].every((m) => models.rows.some((r) => r.label === m)), `models [${models.rows.map((r) => r.label).join(', ')}]`);
      await clickQuickPickRow(page, 'sora-2-pro');
      await waitForQuickInput(page, 'the prompt input box', (s) => /prompt/i.test(s.title) && s.inputType === 'text' && s.rows.length === 0);
      await quickInput(page).locator('.quick-input-box input').fill('A UI test of Sora [duration=1000]');
      await page.keyboard.press('Enter');
      const row = (s, label) => s.rows.find((r) => r.label === label);
      const options = await waitForQuickInput(page, 'the OpenAI options', (s) => /options/i.test(s.title) && !!row(s, 'Seconds') && !!row(s, 'Size'));
      check(/OpenAI sora-2-pro/.test(row(options, 'Generate').description), `"Generate" describes "${row(options, 'Generate').description}"`);
      check(row(options, 'Seconds').description === 'default (4)' && row(options, 'Size').description === 'default (720x1280)', 'the defaults are not shown');
      await clickQuickPickRow(page, 'Seconds');
      const seconds = await waitForQuickInput(page, 'the seconds', (s) => /Seconds/.test(s.title) && s.rows.some((r) => r.label === '12'));
      check(seconds.rows.map((r) => r.label).join('|') === 'Default (4)|4|8|12', `seconds [${seconds.rows.map((r) => r.label).join(', ')}]`);
      await clickQuickPickRow(page, '8');
      await waitForQuickInput(page, 'the options with 8 seconds', (s) => row(s, 'Seconds')?.description === '8');
      await clickQuickPickRow(page, 'Size');
      const sizes = await waitForQuickInput(page, 'the sizes', (s) => /Size/.test(s.title) && s.rows.some((r) => r.label === '1792x1024'));
      check(['720x1280', '1280x720', '1024x1792', '1792x1024'].every((v) => sizes.rows.some((r) => r.label === v)), `sizes [${sizes.rows.map((r) => r.label).join(', ')}]`);
      await clickQuickPickRow(page, '1792x1024');
      await waitForQuickInput(page, 'the options with the size', (s) => row(s, 'Size')?.description === '1792x1024');
      await page.keyboard.press('Escape');
      await waitForQuickInputHidden(page);
    },
  },
];

// ---- Runner ------------------------------------------------------------------------------------

function copyFixtures(dest) {
  fs.mkdirSync(dest, { recursive: true });
  if (!fs.existsSync(FIXTURES)) return;
  for (const name of fs.readdirSync(FIXTURES)) fs.cpSync(path.join(FIXTURES, name), path.join(dest, name), { recursive: true });
}

function slug(name) {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

function oneLine(e) {
  const text = e instanceof Check || e instanceof Timeout ? e.message : e && e.message ? e.message : String(e);
  return text.split('\n').filter((l) => l.trim() && !/^\s*(=+|Call log:|- )/.test(l))[0] || text.split('\n')[0];
}

async function main() {
  for (const f of [EXTENSION_BUNDLE, PLAYER_BUNDLE, EMULATOR_MODULE, REGISTRY_MODULE]) {
    if (!fs.existsSync(f)) throw new Error(`${path.relative(REPO, f)} is missing: build first (node esbuild.js)`);
  }
  PROVIDERS = require(REGISTRY_MODULE).PROVIDER_LIST.map((p) => p.label);
  if (!fs.existsSync(chromiumPath())) throw new Error(`Chromium not found at ${chromiumPath()}: install the Debian package "chromium" or set CHROMIUM_PATH`);
  await ensureCodeServer(); // a one-time install (see vscode-host.js) does not count against the limit
  const started = Date.now();
  const deadline = started + TIMEOUT_MS;

  // Screenshots of an earlier run's failures would be mistaken for this run's.
  if (fs.existsSync(RESULTS_DIR)) {
    for (const name of fs.readdirSync(RESULTS_DIR)) if (/^ui-.*\.png$/.test(name)) fs.rmSync(path.join(RESULTS_DIR, name), { force: true });
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'aivideo-ui-'));
  const userDataDir = path.join(root, 'user-data');
  const extensionsDir = path.join(root, 'extensions');
  const workspace = path.join(root, 'workspace');
  let emulator;
  let server;
  let browser;
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    if (browser) await browser.close().catch(() => undefined);
    if (server) await server.stop().catch(() => undefined);
    if (emulator) await emulator.close().catch(() => undefined);
    if (process.env.AIVIDEO_KEEP_TEMP === '1') console.log(`[ui] kept ${root}`);
    else fs.rmSync(root, { recursive: true, force: true });
  };
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => {
      console.log(`\n[ui] ${sig}: stopping`);
      cleanup().finally(() => process.exit(130));
    });
  }
  const results = [];
  // Hard stop if cleanup itself hangs past the limit.
  const hardStop = setTimeout(() => {
    console.log(`✖ global time limit: the run did not finish within ${(TIMEOUT_MS + 60000) / 1000} s`);
    const passed = results.filter((r) => r.ok).length;
    console.log(`${passed} passed, ${CASES.length - passed} failed`);
    if (process.env.AIVIDEO_KEEP_TEMP !== '1') fs.rmSync(root, { recursive: true, force: true });
    process.exit(1); // vscode-host.js and playwright kill their child processes on exit
  }, TIMEOUT_MS + 60000);
  hardStop.unref();

  try {
    const { startEmulator } = require(EMULATOR_MODULE);
    emulator = await startEmulator({ port: 0, durationMs: 3000, log: (line) => debug(`[emulator] ${line}`) });
    const settingsFile = writeSettings(userDataDir, emulator.baseUrl);
    const settings = JSON.parse(fs.readFileSync(settingsFile, 'utf8'));
    fs.writeFileSync(settingsFile, JSON.stringify({ ...settings, ...TEST_SETTINGS }, null, 2) + '\n');
    copyFixtures(workspace);
    linkExtension(extensionsDir);
    const port = await findFreePort();
    server = await startCodeServer({ port, userDataDir, extensionsDir, folder: workspace, echo: DEBUG, timeoutMs: Math.max(10000, deadline - Date.now()) });
    debug(`code-server at ${server.url} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    if (DEBUG) page.on('console', (m) => m.type() === 'error' && debug(`[console] ${m.text().slice(0, 300)}`));
    await page.goto(server.url, { waitUntil: 'domcontentloaded', timeout: 60000 });
    await waitForExtensionUi(page, Math.min(90000, deadline - Date.now()));

    const ctx = { page };
    for (const c of CASES) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        results.push({ name: c.name, ok: false, reason: 'not run: global time limit reached' });
        console.log(`✖ ${c.name}: not run: global time limit reached`);
        continue;
      }
      let timer;
      const t0 = Date.now();
      try {
        await Promise.race([
          c.run(ctx),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Timeout(`global time limit (${TIMEOUT_MS / 1000} s) reached`)), remaining);
          }),
        ]);
        results.push({ name: c.name, ok: true });
        console.log(`✔ ${c.name}${DEBUG ? ` (${((Date.now() - t0) / 1000).toFixed(1)} s)` : ''}`);
      } catch (e) {
        const reason = oneLine(e);
        results.push({ name: c.name, ok: false, reason });
        console.log(`✖ ${c.name}: ${reason}`);
        if (DEBUG && !(e instanceof Check)) console.log(e && e.stack);
        fs.mkdirSync(RESULTS_DIR, { recursive: true });
        const shot = path.join(RESULTS_DIR, `ui-${slug(c.name)}.png`);
        await page.screenshot({ path: shot, timeout: 10000 }).then(
          () => console.log(`  screenshot: ${path.relative(REPO, shot)}`),
          () => undefined,
        );
        // Leave no quick input or menu open for the next case.
        await page.keyboard.press('Escape').catch(() => undefined);
      } finally {
        clearTimeout(timer);
      }
    }
  } catch (e) {
    // Setup failed: every case that has no result yet fails with the setup error.
    const reason = `setup failed: ${oneLine(e)}`;
    if (DEBUG) console.log(e && e.stack);
    if (server) console.log(`[ui] code-server output (tail):\n${server.output().slice(-3000)}`);
    for (const c of CASES.slice(results.length)) {
      results.push({ name: c.name, ok: false, reason });
      console.log(`✖ ${c.name}: ${reason}`);
    }
  } finally {
    await cleanup();
  }
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  debug(`ran in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`[ui] ${e && e.stack ? e.stack : e}`);
    console.log(`0 passed, ${CASES.length} failed`);
    process.exit(1);
  },
);
