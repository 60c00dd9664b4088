// @ts-check
// `node scripts/screenshot.js --readme`: refreshes the README's screenshots in media/screenshots/
// (tree, gallery, compare, player, spending, and generate-price: the Generate flow's last step with
// its price) from the real UI in code-server. A history of finished tasks, charged into the spend
// ledger, is made by the real engine against the emulator before VS Code starts (seed-history.js),
// with the emulator's generated clips (a distinct picture per prompt, demo.js starts it so); two more
// tasks are started through the Generate flow so the views also show work in progress. The
// workbench is driven by the UI suite's page objects (out/test/ui/pages: build first).
'use strict';

const fs = require('fs');
const path = require('path');
const { REPO } = require('./vscode-host');
const { uiSuite } = require('./demo');
const { seedHistory, USER_PRICES } = require('./seed-history');

const OUT_DIR = path.join(REPO, 'media', 'screenshots');
const KEY = 'screenshot-key-0123456789';

/** @typedef {import('../test/ui/pages/workbench').Workbench} Workbench */

/**
 * Before VS Code starts: a dark theme, and the seeded history.
 * @param {{ emulator: import('./demo').Emulator, userDataDir: string }} options
 */
async function prepareReadme({ emulator, userDataDir }) {
  const file = path.join(userDataDir, 'User', 'settings.json');
  const settings = JSON.parse(fs.readFileSync(file, 'utf8'));
  Object.assign(settings, {
    'workbench.colorTheme': 'Default Dark Modern',
    'workbench.startupEditor': 'none',
    'chat.commandCenter.enabled': false,
    'window.commandCenter': false,
    'workbench.layoutControl.enabled': false,
    'aiVideo.prices': USER_PRICES,
  });
  fs.writeFileSync(file, JSON.stringify(settings, null, 2) + '\n');
  const seeded = await seedHistory({ emulator, userDataDir });
  console.log(`[screenshot] seeded ${seeded.tasks} tasks, ${seeded.charges} charges`);
}

/**
 * @param {import('playwright-core').Page} page
 * @param {string} name
 * @param {{ x: number, y: number, width: number, height: number }} [clip]
 */
async function save(page, name, clip) {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const file = path.join(OUT_DIR, `${name}.png`);
  await page.screenshot({ path: file, clip });
  console.log(`[screenshot] saved ${path.relative(REPO, file)}`);
}

/**
 * Starts a Pika task through the flow; the first one asks for the key.
 * @param {Workbench} wb
 * @param {string} prompt
 * @param {boolean} askKey
 */
async function generate(wb, prompt, askKey) {
  await wb.generateUpToOptions(prompt);
  await wb.quickInput.pick(/^\s*Generate( · .+)?\s*$/);
  if (askKey) {
    await wb.quickInput.waitFor('the key input box', (s) => /API key/.test(s.title) && s.rows.length === 0);
    await wb.quickInput.submit(KEY);
  }
  await wb.quickInput.waitHidden();
}

/** @param {Workbench} wb */
async function clearNotifications(wb) {
  await wb.paletteCommand('Notifications: Clear All Notifications').catch(() => undefined);
}

/**
 * Drags the side bar's edge so the Tasks view's descriptions fit.
 * @param {import('playwright-core').Page} page
 * @param {number} width
 */
async function widenSideBar(page, width) {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box) return;
  const x = box.x + box.width;
  const y = box.y + box.height / 2;
  await page.mouse.move(x - 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + width, y, { steps: 8 });
  await page.mouse.up();
}

/**
 * @param {import('playwright-core').Page} page
 * @param {{ emulator: import('./demo').Emulator }} demo
 */
async function readmeShots(page, demo) {
  const { Workbench, manifest } = uiSuite();
  const wb = new Workbench(page);
  await wb.openAiVideoView();
  demo.emulator.setOptions({ durationMs: 120_000, queuedFraction: 0.02 });
  await generate(wb, 'A jellyfish glowing in the deep sea, macro', true);
  await generate(wb, 'Timelapse of clouds rolling over mountain peaks', false);
  await widenSideBar(page, 470);
  await page.waitForTimeout(4000);
  await clearNotifications(wb);

  const sidebar = await page.locator('.part.sidebar').boundingBox();
  if (!sidebar) throw new Error('the side bar is not shown');
  await save(page, 'tree', { x: 0, y: 0, width: Math.round(sidebar.x + sidebar.width), height: 620 });

  await wb.paletteCommand(manifest.commandTitle('aiVideo.openGallery'));
  const gallery = await wb.webviews.waitFor('.gallery .card', 'the gallery');
  await gallery.waitForFunction(
    () =>
      [...document.querySelectorAll('.card img.poster')].every((i) => /** @type {HTMLImageElement} */ (i).complete) &&
      document.querySelectorAll('.card').length > 6,
  );
  await gallery.locator('.card', { hasText: 'rainy street' }).first().click();
  await gallery
    .locator('.card', { hasText: 'sunny canal' })
    .first()
    .click({ modifiers: ['Control'] });
  // Playwright scrolled the clicked cards into view: back to the top, and play the fox on hover.
  await gallery.locator('.scroller').evaluate((s) => s.scrollTo(0, 0));
  await gallery.locator('.card', { hasText: 'red fox' }).first().hover();
  await page.waitForTimeout(1500);
  await clearNotifications(wb);
  await save(page, 'gallery');

  await gallery.getByRole('button', { name: 'Compare' }).click();
  const compare = await wb.webviews.waitFor('.compare .take-video', 'the compare view');
  await compare.waitForFunction(() => [...document.querySelectorAll('video')].every((v) => v.readyState >= 2));
  await compare.getByRole('button', { name: 'Play every video together' }).click();
  await page.waitForTimeout(1200);
  await compare.getByRole('button', { name: 'Pause every video' }).click();
  await page.waitForTimeout(300);
  await save(page, 'compare');

  await page.locator('.sidebar .monaco-list-row', { hasText: 'A red fox running' }).first().locator('.label-name').click();
  const player = await wb.webviews.waitFor('video.video', 'the player');
  await player.waitForFunction(() => (document.querySelector(/** @type {'video'} */ ('video.video'))?.currentTime ?? 0) > 0.5);
  await clearNotifications(wb);
  await save(page, 'player');

  await wb.paletteCommand(manifest.commandTitle('aiVideo.showSpending'));
  const spending = await wb.webviews.waitFor('.spending svg.chart rect.bar', 'the spending panel');
  await spending.waitForFunction(() => document.querySelectorAll('.expensive ol.top li').length > 3);
  await page.waitForTimeout(800);
  await clearNotifications(wb);
  await save(page, 'spending');

  await generatePriceShot(page, wb);
}

/**
 * The Generate flow's options page for OpenRouter's Veo 3.1 at 8 s: the price on its last row.
 * @param {import('playwright-core').Page} page
 * @param {Workbench} wb
 */
async function generatePriceShot(page, wb) {
  const q = wb.quickInput;
  const { commandTitle } = uiSuite().manifest;
  await wb.runCommand(commandTitle('aiVideo.setApiKey'), 'the key list', (s) => s.rows.some((r) => r.label === 'OpenRouter'));
  await q.pick('OpenRouter');
  await q.waitFor('the OpenRouter key input box', (s) => /OpenRouter API key/.test(s.title));
  await q.submit(KEY);
  await q.waitHidden();
  const generate = commandTitle('aiVideo.generate');
  await wb.runCommand(generate, 'the provider list', (s) => s.rows.some((r) => r.label === 'OpenRouter'));
  await q.pick('OpenRouter');
  await q.waitFor('the modes', (s) => s.rows.some((r) => r.label === 'Text to video'));
  await q.pick('Text to video');
  await q.waitFor('the priced models', (s) => s.rows.some((r) => r.label === 'google/veo-3.1' && /\$/.test(r.description)));
  await q.pick('google/veo-3.1');
  await q.waitFor('the prompt box', (s) => /prompt/i.test(s.title) && s.rows.length === 0);
  await q.submit('A paper boat drifting down a rainy street at dusk, cinematic');
  await q.waitFor('the options', (s) => s.rows.some((r) => r.label === 'Duration (seconds)'));
  await q.pick('Duration (seconds)');
  await q.waitFor('the durations', (s) => s.rows.some((r) => r.label === '8'));
  await q.pick('8');
  await q.waitFor('the priced Generate row', (s) => s.rows.some((r) => /^Generate · (about )?\$/.test(r.label)));
  await page.mouse.move(0, 0);
  await page.waitForTimeout(500);
  const box = await q.widget.boundingBox();
  if (!box) throw new Error('the Generate flow is not shown');
  const pad = 24;
  await save(page, 'generate-price', {
    x: Math.max(0, Math.round(box.x - pad)),
    y: 0,
    width: Math.round(box.width + 2 * pad),
    height: Math.round(box.y + box.height + pad),
  });
  await q.dismiss();
}

module.exports = { prepareReadme, readmeShots };
