// @ts-check
// `node scripts/screenshot.js --readme`: refreshes the README's screenshots in media/screenshots/
// (tree, gallery, compare, player) from the real UI in code-server. A history of finished tasks is
// made by the real engine against the emulator before VS Code starts (seed-history.js); two more
// tasks are started through the Generate flow so the views also show work in progress. The
// workbench is driven by the UI suite's page objects (out/test/ui/pages: build first).
'use strict';

const fs = require('fs');
const path = require('path');
const { REPO } = require('./vscode-host');
const { uiSuite } = require('./demo');
const { seedHistory } = require('./seed-history');

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
  });
  fs.writeFileSync(file, JSON.stringify(settings, null, 2) + '\n');
  const seeded = await seedHistory({ emulator, userDataDir });
  console.log(`[screenshot] seeded ${seeded.tasks} tasks`);
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
}

module.exports = { prepareReadme, readmeShots };
