#!/usr/bin/env node
// @ts-check
// Renders media/marketplace-icon.svg to media/icon.png (128×128, the Marketplace icon) in headless
// Chromium, so no image tool beyond the test browser is needed: node scripts/render-icon.js
'use strict';

const fs = require('fs');
const path = require('path');
const { launchChromium, REPO } = require('./vscode-host');

async function main() {
  const svg = fs.readFileSync(path.join(REPO, 'media', 'marketplace-icon.svg'), 'utf8');
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 128, height: 128 } });
    await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
    const out = path.join(REPO, 'media', 'icon.png');
    await page.locator('svg').screenshot({ path: out, omitBackground: true });
    console.log(`saved ${path.relative(REPO, out)}`);
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
