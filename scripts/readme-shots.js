// `node scripts/screenshot.js --readme`: refreshes the README's screenshots in media/screenshots/
// (tree, gallery, compare, player) from the real UI in code-server. A history of finished tasks is
// made by the real engine against the emulator before VS Code starts (seed-history.js); two more
// tasks are started through the Generate flow so the views also show work in progress.
'use strict';

const fs = require('fs');
const path = require('path');
const { REPO } = require('./vscode-host');
const { openAiVideoView } = require('./demo');
const { seedHistory } = require('./seed-history');
const { clickQuickPickRow, generateUpToOptions, quickInput, waitForQuickInput, waitForQuickInputHidden, waitForWebview } = require('./workbench');

const OUT_DIR = path.join(REPO, 'media', 'screenshots');
const KEY = 'screenshot-key-0123456789';

/** Before VS Code starts: a dark theme, and the seeded history. */
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

async function save(page, name, clip) {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const file = path.join(OUT_DIR, `${name}.png`);
  await page.screenshot({ path: file, clip });
  console.log(`[screenshot] saved ${path.relative(REPO, file)}`);
}

async function palette(page, title) {
  await page.keyboard.press('F1');
  const input = quickInput(page).locator('.quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 10000 });
  await input.fill(`>${title}`);
  await quickInput(page).locator('.quick-input-list .monaco-list-row', { hasText: title }).first().click({ timeout: 10000 });
  await waitForQuickInputHidden(page);
}

/** Starts a Pika task through the flow; the first one asks for the key. */
async function generate(page, prompt, askKey) {
  await generateUpToOptions(page, prompt);
  await clickQuickPickRow(page, 'Generate');
  if (askKey) {
    await waitForQuickInput(page, 'the key input box', (s) => /API key/.test(s.title) && s.rows.length === 0);
    await quickInput(page).locator('.quick-input-box input').fill(KEY);
    await page.keyboard.press('Enter');
  }
  await waitForQuickInputHidden(page);
}

async function clearNotifications(page) {
  await palette(page, 'Notifications: Clear All Notifications').catch(() => undefined);
}

/** Drags the side bar's edge so the Tasks view's descriptions fit. */
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

async function readmeShots(page, demo) {
  await openAiVideoView(page);
  demo.emulator.setOptions({ durationMs: 120_000, queuedFraction: 0.02 });
  await generate(page, 'A jellyfish glowing in the deep sea, macro', true);
  await generate(page, 'Timelapse of clouds rolling over mountain peaks', false);
  await widenSideBar(page, 470);
  await page.waitForTimeout(4000);
  await clearNotifications(page);

  const sidebar = await page.locator('.part.sidebar').boundingBox();
  await save(page, 'tree', { x: 0, y: 0, width: Math.round(sidebar.x + sidebar.width), height: 620 });

  await palette(page, 'AI Video: Open Gallery');
  const gallery = await waitForWebview(page, '.gallery .card', 'the gallery');
  await gallery.waitForFunction(() => [...document.querySelectorAll('.card img.poster')].every((i) => i.complete) && document.querySelectorAll('.card').length > 6);
  await gallery.locator('.card', { hasText: 'rainy street' }).first().click();
  await gallery.locator('.card', { hasText: 'sunny canal' }).first().click({ modifiers: ['Control'] });
  // Playwright scrolled the clicked cards into view: back to the top, and play the fox on hover.
  await gallery.locator('.scroller').evaluate((s) => s.scrollTo(0, 0));
  await gallery.locator('.card', { hasText: 'red fox' }).first().hover();
  await page.waitForTimeout(1500);
  await clearNotifications(page);
  await save(page, 'gallery');

  await gallery.getByRole('button', { name: 'Compare' }).click();
  const compare = await waitForWebview(page, '.compare .take-video', 'the compare view');
  await compare.waitForFunction(() => [...document.querySelectorAll('video')].every((v) => v.readyState >= 2));
  await compare.getByRole('button', { name: 'Play every video together' }).click();
  await page.waitForTimeout(1200);
  await compare.getByRole('button', { name: 'Pause every video' }).click();
  await page.waitForTimeout(300);
  await save(page, 'compare');

  await page.locator('.sidebar .monaco-list-row', { hasText: 'A red fox running' }).first().locator('.label-name').click();
  const player = await waitForWebview(page, 'video.video', 'the player');
  await player.waitForFunction(() => document.querySelector('video.video').currentTime > 0.5);
  await clearNotifications(page);
  await save(page, 'player');
}

module.exports = { prepareReadme, readmeShots };
