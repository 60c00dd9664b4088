#!/usr/bin/env node
// @ts-check
// Screenshots of the extension's UI for humans to look at: starts what `npm start` starts (emulator,
// settings, code-server with the extension) in a temporary folder, opens it in headless Chromium,
// runs the given steps and saves PNGs to test-results/. Build first (node esbuild.js).
//
//   node scripts/screenshot.js [--name NAME] [--width 1400] [--height 900] [step ...]
//   node scripts/screenshot.js --readme     refresh media/screenshots/*.png (see readme-shots.js)
//
// Steps, in order:
//   ai-video              show the "AI Video" view container (clicks its activity bar icon)
//   command:<title>       run a command by its palette title, e.g. "command:AI Video: Set API Key…"
//   click:<text>          click the first element showing this text (e.g. a tree item)
//   type:<text>           type text (e.g. into an open input box)
//   key:<key>             press a key: Enter, Escape, ArrowDown, …
//   wait:<ms>             wait
//   shot:<name>           save test-results/<name>.png now
//   crop:<name>:<x>,<y>,<w>,<h>   save only that part of the page (CSS pixels)
//   crop:<name>:<selector>        save only the first element matching a CSS selector
// A final test-results/<NAME>.png (default "screenshot") is always saved.
//
// Example: node scripts/screenshot.js ai-video "command:AI Video: Generate Video…" wait:1500 shot:generate
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { ensureCodeServer, findFreePort, launchChromium, REPO } = require('./vscode-host');
const { startDemo, uiSuite } = require('./demo');
const { prepareReadme, readmeShots } = require('./readme-shots');

const RESULTS = path.join(REPO, 'test-results');

/** @param {string[]} argv */
function parseArgs(argv) {
  /** @type {{ name: string, width: number, height: number, steps: string[], help?: boolean, readme?: boolean }} */
  const opts = { name: 'screenshot', width: 1400, height: 900, steps: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--name') opts.name = argv[++i];
    else if (a === '--width') opts.width = Number(argv[++i]);
    else if (a === '--height') opts.height = Number(argv[++i]);
    else if (a === '--help' || a === '-h') opts.help = true;
    else if (a === '--readme') opts.readme = true;
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else opts.steps.push(a);
  }
  return opts;
}

async function shoot(page, name, region) {
  fs.mkdirSync(RESULTS, { recursive: true });
  const file = path.join(RESULTS, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  const box = region && /^\d+,\d+,\d+,\d+$/.test(region) ? region.split(',').map(Number) : undefined;
  if (region && !box) await page.locator(region).first().screenshot({ path: file, timeout: 15000 });
  else await page.screenshot({ path: file, clip: box && { x: box[0], y: box[1], width: box[2], height: box[3] } });
  console.log(`[screenshot] saved ${path.relative(REPO, file)}`);
}

async function runStep(page, step) {
  const colon = step.indexOf(':');
  const kind = colon < 0 ? step : step.slice(0, colon);
  const arg = colon < 0 ? '' : step.slice(colon + 1);
  console.log(`[screenshot] step ${step}`);
  switch (kind) {
    case 'ai-video':
      await new (uiSuite().Workbench)(page).openAiVideoView();
      break;
    case 'command': {
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input').first();
      await input.waitFor({ state: 'visible', timeout: 15000 });
      await input.fill(`>${arg}`);
      await page.waitForTimeout(600);
      await page.keyboard.press('Enter');
      await page.waitForTimeout(400);
      break;
    }
    case 'click':
      await page.getByText(arg, { exact: false }).first().click({ timeout: 15000 });
      break;
    case 'type':
      await page.keyboard.type(arg);
      break;
    case 'key':
      await page.keyboard.press(arg);
      break;
    case 'wait':
      await page.waitForTimeout(Number(arg) || 1000);
      break;
    case 'shot':
      await shoot(page, arg || 'step');
      break;
    case 'crop': {
      const [name, ...region] = arg.split(':');
      await shoot(page, name || 'step', region.join(':'));
      break;
    }
    default:
      throw new Error(`unknown step "${step}" (see the top of scripts/screenshot.js)`);
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.help) {
    console.log(
      fs
        .readFileSync(__filename, 'utf8')
        .split('\n')
        .slice(1, 19)
        .map((l) => l.replace(/^\/\/ ?/, ''))
        .join('\n'),
    );
    return 0;
  }
  await ensureCodeServer();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'aivideo-shot-'));
  let demo;
  let browser;
  let page;
  const stopAll = async () => {
    if (browser) await browser.close().catch(() => undefined);
    if (demo) await demo.stop();
    fs.rmSync(root, { recursive: true, force: true });
  };
  process.once('SIGINT', () => stopAll().finally(() => process.exit(130)));
  try {
    demo = await startDemo({ root, port: await findFreePort(), quiet: true, prepare: opts.readme ? prepareReadme : undefined });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: opts.width, height: opts.height } });
    await page.goto(demo.url, { waitUntil: 'domcontentloaded', timeout: 60000 });
    await new (uiSuite().Workbench)(page).waitForExtensionUi();
    await page.waitForTimeout(1500); // let the first notifications and views settle
    if (opts.readme) {
      await readmeShots(page, demo);
      return 0;
    }
    for (const step of opts.steps) await runStep(page, step);
    await shoot(page, opts.name);
    return 0;
  } catch (e) {
    console.error(`[screenshot] ${e instanceof Error ? e.message : e}`);
    if (page) await shoot(page, `${opts.name}-error`).catch(() => undefined);
    if (demo) console.error(`[screenshot] code-server output:\n${demo.server.output().slice(-5000)}`);
    return 1;
  } finally {
    await stopAll();
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`[screenshot] ${e && e.stack ? e.stack : e}`);
    process.exit(1);
  },
);
