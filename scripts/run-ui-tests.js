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
// test-results/ui-<case>.png for each failure (and ui-tree-grouped, ui-gallery, ui-compare.png of
// those cases when they pass, and ui-prompt-file, ui-walkthrough.png), and ends with one line
// `N passed, N failed`.
//
// Env:
//   AIVIDEO_TEST_GREP            only run the cases whose name matches this regular expression
//   AIVIDEO_UI_TEST_TIMEOUT_MS   time limit for the whole run (default 8 minutes)
//   AIVIDEO_UI_DEBUG=1           log each step, the emulator and code-server output
//   AIVIDEO_KEEP_TEMP=1          keep the temporary folders for inspection
//   CHROMIUM_PATH                browser executable (default /usr/bin/chromium)
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { ensureCodeServer, startCodeServer, findFreePort, launchChromium, chromiumPath, REPO } = require('./vscode-host');
const { waitForExtensionUi, writeSettings, linkExtension } = require('./demo');
const {
  providerLabels,
  GENERATE_TITLE,
  Check,
  Timeout,
  check,
  oneLine,
  treeLabel,
  quickInput,
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
  waitForWebview,
} = require('./workbench');

const TIMEOUT_MS = Number(process.env.AIVIDEO_UI_TEST_TIMEOUT_MS) || 8 * 60 * 1000;
const DEBUG = process.env.AIVIDEO_UI_DEBUG === '1';
const RESULTS_DIR = path.join(REPO, 'test-results');
const FIXTURES = path.join(REPO, 'test', 'fixtures');
const EMULATOR_MODULE = path.join(REPO, 'out', 'src', 'emulator', 'server.js');
const EXTENSION_BUNDLE = path.join(REPO, 'dist', 'extension.js');
const PLAYER_BUNDLE = path.join(REPO, 'dist', 'webview', 'player.js');

/** Provider labels as the pickers show them, from the registry of the build under test (set in main). */
let PROVIDERS = [];
// Longer than the tree's 28-character label, so the label is the truncated prompt.
const PROMPT = 'A red fox running through fresh snow [duration=3000]';
const FAIL_PROMPT = 'A failing UI test video [fail] [duration=2000]';
const API_KEY = 'ui-test-key-0123456789';
const FAILURE_MESSAGE = 'Emulated generation failure'; // src/emulator/tasks.ts
const VARIANTS_PROMPT = 'Two takes of a paper lantern [duration=2500]';
const PROMPT_FILE = ['# Clips', '', '```video', 'provider: pika', 'model: 2.0', 'aspect: 16:9', 'A paper boat on a rainy street [duration=4000]', '```', ''].join('\n');
const WALKTHROUGH_TITLE = 'Get started with AI Video Studio';
const WALKTHROUGH_STEPS = ['Set an API key', 'Generate a first video', 'Play it', 'Open the gallery', 'Try a prompt file'];
/** Our steps' elements (the Welcome page may show VS Code's own walkthroughs too). */
const WALKTHROUGH_STEP = '.getting-started-step[data-step-id^="aivideo.ai-video-studio#aiVideo.getStarted#"]';

/** Settings on top of demo.js's (which point every provider at the emulator). */
const TEST_SETTINGS = {
  'aiVideo.pollIntervalSeconds': 1,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  // VS Code's default: the Welcome page at startup. Its walkthrough service then exists from the
  // start and sees the events that tick steps off (VS Code 1.100 counts only events it sees, and a
  // context key already true when it starts does not tick a step).
  'workbench.startupEditor': 'welcomePage',
  'git.enabled': false,
  'git.autoRepositoryDetection': false,
  'window.restoreWindows': 'none',
  'chat.commandCenter.enabled': false,
};

const debug = (msg) => {
  if (DEBUG) console.log(`  [ui] ${msg}`);
};

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
    name: 'the Command Palette shows the commands by their titles from package.nls.json',
    async run({ page }) {
      await page.keyboard.press('F1');
      const input = quickInput(page).locator('.quick-input-box input');
      await input.waitFor({ state: 'visible', timeout: 10000 });
      await input.fill('>AI Video:');
      const s = await waitForQuickInput(page, 'the AI Video commands in the palette', (q) => q.rows.some((r) => r.label === `${GENERATE_TITLE}…`));
      const placeholders = s.rows.filter((r) => /%[\w.]+%/.test(`${r.label} ${r.description ?? ''}`));
      check(placeholders.length === 0, `untranslated manifest placeholders in the palette: ${placeholders.map((r) => r.label).join(', ')}`);
      await page.keyboard.press('Escape');
      await waitForQuickInputHidden(page);
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
      // Finished and downloaded: "Done", the poster Pika gave as the icon instead of the spinner, and the inline Play action.
      await row.hover();
      await waitFor(
        page,
        async () => {
          const s = await rowState(row);
          return { ...s, ok: /, Done, /.test(s.aria) && !/downloading/.test(s.description) && s.poster && !/codicon-loading/.test(s.icon) && s.actions.some((a) => /^Play Video/.test(a)) };
        },
        30000,
        (s) => `the task did not finish within 30 s (row "${s.aria}", icon "${s.icon}"${s.poster ? ' (poster)' : ''}, actions [${s.actions.join(', ')}])`,
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
      ctx.played = true;
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
    name: 'two variants from the flow make one group under Today',
    async run(ctx) {
      const { page } = ctx;
      check(ctx.generated, 'no key was entered (the generate flow case failed)');
      const options = await generateUpToOptions(page, VARIANTS_PROMPT);
      check(options.rows.some((r) => r.label === 'Variants' && r.description === '1'), `the options page has no "Variants: 1" row: ${options.rows.map((r) => `${r.label}=${r.description}`).join(', ')}`);
      await clickQuickPickRow(page, 'Variants');
      const counts = await waitForQuickInput(page, 'the variant counts', (q) => q.rows.some((r) => r.label === 'Variants: 2'));
      check(['Variants: 1', 'Variants: 2', 'Variants: 3', 'Variants: 4'].every((l) => counts.rows.some((r) => r.label === l)), `counts offered: ${counts.rows.map((r) => r.label).join(', ')}`);
      check(counts.rows.some((r) => r.label === 'Several models…'), 'no "Several models…" choice');
      await clickQuickPickRow(page, 'Variants: 2');
      await waitForQuickInput(page, 'the options page with "Variants: 2 takes"', (q) => /options/i.test(q.title) && q.rows.some((r) => r.label === 'Variants' && r.description === '2 takes'));
      await clickQuickPickRow(page, 'Generate');
      await waitForQuickInputHidden(page);

      const label = treeLabel(VARIANTS_PROMPT);
      const today = page.locator('.sidebar .monaco-list-row[aria-level="1"]', { has: page.locator('.label-name', { hasText: /^Today$/ }) }).first();
      await today.waitFor({ state: 'visible', timeout: 15000 }).catch(() => {
        throw new Check('no "Today" row in the Tasks view');
      });
      const group = page.locator('.sidebar .monaco-list-row[aria-level="2"]', { has: page.locator('.label-name', { hasText: label }) }).first();
      await waitFor(
        page,
        async () => {
          const s = (await group.count()) ? await rowState(group) : { description: '(no group row)' };
          return { ...s, ok: /^2 takes · 2 done/.test(s.description) };
        },
        30000,
        (s) => `the group row did not reach "2 takes · 2 done" (it reads "${s.description}")`,
      );
      const children = page.locator('.sidebar .monaco-list-row[aria-level="3"]', { has: page.locator('.label-name', { hasText: label }) });
      check((await children.count()) === 2, `the group has ${await children.count()} child rows, expected 2`);
      const toast = page.locator('.notifications-toasts .notification-list-item', { hasText: /Done: 2 takes of/ }).first();
      await toast.waitFor({ state: 'visible', timeout: 15000 }).catch(() => {
        throw new Check('no notification offering Compare once both takes finished');
      });
      check(await toast.getByRole('button', { name: 'Compare' }).isVisible(), 'the notification has no Compare button');
      await saveShot(page, 'tree-grouped');
      ctx.variants = true;
    },
  },
  {
    name: 'gallery: search, then keyboard selection of two takes',
    async run(ctx) {
      const { page } = ctx;
      check(ctx.variants, 'no variants were generated (an earlier case failed)');
      await paletteCommand(page, 'AI Video: Open Gallery');
      const frame = await waitForWebview(page, '.gallery .card', 'the gallery');
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
      check(/^2 of \d+ videos$/.test((await frame.locator('.count').innerText()).trim()), `the count reads "${await frame.locator('.count').innerText()}"`);
      await frame.locator('.scroller').focus();
      for (const key of ['Home', 'Space', 'Shift+ArrowRight']) await page.keyboard.press(key);
      const selected = await frame.locator('.card[aria-selected="true"]').count();
      check(selected === 2, `${selected} cards selected after Home, Space, Shift+Right, expected 2`);
      check((await frame.locator('.selection-info').innerText()).trim() === '2 selected', 'the action bar does not say "2 selected"');
      check(await frame.getByRole('button', { name: 'Compare' }).isEnabled(), 'Compare is disabled for two finished takes');
      await saveShot(page, 'gallery');
      ctx.gallery = frame;
    },
  },
  {
    name: 'compare plays the two takes together and keeps one',
    async run(ctx) {
      const { page } = ctx;
      check(ctx.gallery, 'the gallery case failed');
      await ctx.gallery.getByRole('button', { name: 'Compare' }).click();
      const frame = await waitForWebview(page, '.compare .take-video', 'the compare view');
      const takes = await frame.locator('.take').count();
      check(takes === 2, `the compare view shows ${takes} takes`);
      const differing = await frame.locator('.param.differs .param-label').allInnerTexts();
      check(differing.includes('Seed'), `the differing parameters are [${differing.join(', ')}], expected Seed among them`);
      await frame.getByRole('button', { name: 'Play every video together' }).click();
      const times = () => frame.locator('.take-video').evaluateAll((vs) => vs.map((v) => ({ t: v.currentTime, paused: v.paused })));
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
      await saveShot(page, 'compare');
      await frame.getByRole('button', { name: 'Keep this one' }).first().click();
      const saved = page.locator('.notifications-toasts .notification-list-item', { hasText: /Saved generated-videos\// }).first();
      await saved.waitFor({ state: 'visible', timeout: 15000 }).catch(() => {
        throw new Check('"Keep this one" showed no "Saved generated-videos/…" notification');
      });
    },
  },
  {
    name: 'gallery: Delete removes a card after a confirmation',
    async run(ctx) {
      const { page } = ctx;
      check(ctx.gallery, 'the gallery case failed');
      await page.locator('.tabs-container .tab', { hasText: 'Video Gallery' }).first().click();
      const frame = await waitForWebview(page, '.gallery .scroller', 'the gallery');
      await frame.locator('.search').fill('failing');
      await waitFor(page, async () => ({ ok: (await frame.locator('.card').count()) === 1 }), 10000, () => 'searching "failing" does not show exactly the failed task');
      await frame.locator('.scroller').focus();
      await page.keyboard.press('Home');
      await page.keyboard.press('Delete');
      const dialog = page.locator('.monaco-dialog-box').first();
      await dialog.waitFor({ state: 'visible', timeout: 10000 }).catch(() => {
        throw new Check('Delete asked for no confirmation');
      });
      check(/Remove this task and delete its downloaded video/.test(await dialog.innerText()), 'the confirmation does not say what it removes');
      await dialog.getByRole('button', { name: 'Remove' }).click();
      await frame.locator('.empty-text', { hasText: 'No video matches these filters.' }).waitFor({ state: 'visible', timeout: 10000 }).catch(() => {
        throw new Check('the removed card is still shown');
      });
      check(!(await taskRow(page, treeLabel(FAIL_PROMPT)).count()), 'the removed task is still in the Tasks view');
    },
  },
  {
    name: 'a prompt file shows its lenses, and its Generate lens runs the block',
    async run(ctx) {
      const { page } = ctx;
      fs.writeFileSync(path.join(ctx.workspace, 'clips.md'), PROMPT_FILE);
      // Quick Open is the command palette without its ">".
      await page.keyboard.press('F1');
      const input = quickInput(page).locator('.quick-input-box input');
      await input.waitFor({ state: 'visible', timeout: 10000 });
      await input.fill('clips.md');
      await waitForQuickInput(page, 'clips.md in Quick Open', (q) => q.rows.some((r) => r.label === 'clips.md'));
      await page.keyboard.press('Enter');
      // "Variants…" follows "▶ Generate" (the gallery's variants command exists).
      const lenses = await waitForLenses(page, (lines) => lines.includes('▶ Generate | Variants…'), 20000, 'the "▶ Generate | Variants…" lenses above the block');
      check(lenses.lines.length === 1, `one lens line expected, got ${JSON.stringify(lenses.lines)}`);
      await page.locator('.editor-group-container.active .codelens-decoration a', { hasText: '▶ Generate' }).first().click({ timeout: 10000 });
      // Run on its own (AIVIDEO_TEST_GREP), no key was set before: the lens asks for it, nothing else.
      const asked = await waitForQuickInput(page, 'a key box', (q) => /API key/.test(q.title), 2500).catch(() => undefined);
      if (asked) {
        await quickInput(page).locator('.quick-input-box input').fill(API_KEY);
        await page.keyboard.press('Enter');
      }
      await waitForLenses(page, (lines) => lines.some((l) => /^▶ Generate \| Variants… \| ⟳ /.test(l)), 15000, 'a live status lens after Generate');
      const done = await waitForLenses(page, (lines) => lines.includes('▶ Generate | Variants… | ▶ Play | Save'), 30000, '"▶ Play | Save" lenses once the video was done');
      check(done.lines.length === 1, `one lens line expected, got ${JSON.stringify(done.lines)}`);
      await saveShot(page, 'prompt-file');
      ctx.promptFileGenerated = true;
    },
  },
  {
    name: 'the walkthrough shows its steps, ticked off as they were done',
    async run(ctx) {
      const { page } = ctx;
      const read = () =>
        page.evaluate(
          (sel) =>
            Array.from(document.querySelectorAll(sel)).map((step) => ({
              title: (step.querySelector('.step-title')?.textContent || '').trim(),
              done: step.getAttribute('aria-checked') === 'true',
              visible: step.getBoundingClientRect().height > 0,
            })),
          WALKTHROUGH_STEP,
        );
      // An open Welcome page keeps VS Code's own walkthrough (and just after startup it may still
      // switch to it): open ours on its own, and try again.
      let steps;
      for (let attempt = 1; !steps; attempt++) {
        await paletteCommand(page, 'View: Close All Editors');
        await runCommand(page, 'Welcome: Open Walkthrough', 'the list of walkthroughs', (q) => q.rows.some((r) => r.label === WALKTHROUGH_TITLE));
        await clickQuickPickRow(page, WALKTHROUGH_TITLE);
        steps = await waitFor(
          page,
          async () => {
            const all = (await read()).filter((st) => st.visible);
            return { all, ok: all.length === WALKTHROUGH_STEPS.length };
          },
          5000,
          (r) => `the walkthrough shows ${r.all.length} of its steps: ${JSON.stringify(r.all)}`,
        ).catch((e) => {
          if (attempt >= 3) throw e;
          return undefined;
        });
      }
      check(JSON.stringify(steps.all.map((st) => st.title)) === JSON.stringify(WALKTHROUGH_STEPS), `steps ${JSON.stringify(steps.all.map((st) => st.title))}`);
      // What the earlier cases did.
      const expected = {
        'Set an API key': !!ctx.generated || !!ctx.promptFileGenerated,
        'Generate a first video': !!ctx.generated || !!ctx.promptFileGenerated,
        'Play it': !!ctx.played,
        'Open the gallery': !!ctx.gallery,
        'Try a prompt file': !!ctx.promptFileGenerated,
      };
      const wrong = steps.all.filter((st) => st.done !== expected[st.title]);
      check(!wrong.length, `steps ticked off: ${steps.all.map((st) => `${st.title} ${st.done ? '✓' : '✗'}`).join(', ')}; expected: ${Object.entries(expected).map(([t, d]) => `${t} ${d ? '✓' : '✗'}`).join(', ')}`);
      // Every step's image loads (the last one selected stays on screen).
      for (const title of WALKTHROUGH_STEPS) {
        await page.locator(`${WALKTHROUGH_STEP} .step-title`, { hasText: title }).first().click({ timeout: 5000 });
        await waitFor(
          page,
          async () => {
            const img = await page.evaluate(() => {
              const el = Array.from(document.querySelectorAll('.gettingStartedContainer .getting-started-media img')).find((i) => i.getBoundingClientRect().width > 0);
              return el ? { alt: el.getAttribute('alt'), loaded: el.complete && el.naturalWidth > 0 } : undefined;
            });
            return { img, ok: !!img && img.loaded };
          },
          5000,
          (r) => `the image of step "${title}" did not load (${r.img ? `alt "${r.img.alt}"` : 'no image shown'})`,
        );
      }
      await saveShot(page, 'walkthrough');
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

/** Saves test-results/ui-<name>.png of a passing case, to look at. */
async function saveShot(page, name) {
  // Without notifications or a hover tooltip over what the case shows.
  for (const close of await page.locator('.notification-toast .codicon-notifications-clear').all()) await close.click({ timeout: 2000 }).catch(() => undefined);
  await page.mouse.move(0, 0);
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  await page.screenshot({ path: path.join(RESULTS_DIR, `ui-${name}.png`) });
}

/** Runs a palette command that opens no quick input of its own. */
async function paletteCommand(page, title) {
  await page.keyboard.press('F1');
  const input = quickInput(page).locator('.quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 10000 });
  await input.fill(`>${title}`);
  await quickInput(page).locator('.quick-input-list .monaco-list-row', { hasText: title }).first().click({ timeout: 10000 });
  await waitForQuickInputHidden(page);
}

/** The text of each CodeLens line of the active editor, e.g. "▶ Generate | ▶ Play | Save". */
async function lensLines(page) {
  return page.evaluate(() => Array.from(document.querySelectorAll('.editor-group-container.active .monaco-editor .codelens-decoration')).map((d) => (d.textContent || '').replace(/\u00a0/g, ' ').trim()));
}

/** Waits until the active editor's lens lines satisfy `predicate`; resolves with `{ lines }`. */
function waitForLenses(page, predicate, timeoutMs, what) {
  return waitFor(
    page,
    async () => {
      const lines = await lensLines(page);
      return { lines, ok: predicate(lines) };
    },
    timeoutMs,
    (r) => `expected ${what} (lenses: ${JSON.stringify(r.lines)})`,
    100,
  );
}

// ---- Runner ------------------------------------------------------------------------------------

const GREP = process.env.AIVIDEO_TEST_GREP ? new RegExp(process.env.AIVIDEO_TEST_GREP) : undefined;
const SELECTED = GREP ? CASES.filter((c) => GREP.test(c.name)) : CASES;

function copyFixtures(dest) {
  fs.mkdirSync(dest, { recursive: true });
  if (!fs.existsSync(FIXTURES)) return;
  for (const name of fs.readdirSync(FIXTURES)) fs.cpSync(path.join(FIXTURES, name), path.join(dest, name), { recursive: true });
}

function slug(name) {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}


async function main() {
  for (const f of [EXTENSION_BUNDLE, PLAYER_BUNDLE, EMULATOR_MODULE]) {
    if (!fs.existsSync(f)) throw new Error(`${path.relative(REPO, f)} is missing: build first (node esbuild.js)`);
  }
  PROVIDERS = providerLabels();
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
    console.log(`${passed} passed, ${SELECTED.length - passed} failed`);
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

    const ctx = { page, workspace };
    for (const c of SELECTED) {
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
    for (const c of SELECTED.slice(results.length)) {
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
    console.log(`0 passed, ${SELECTED.length} failed`);
    process.exit(1);
  },
);
