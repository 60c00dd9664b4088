#!/usr/bin/env node
// @ts-check
// Takes the walkthrough's images (media/walkthrough/*.png) from the real UI: runs
// scripts/screenshot.js (code-server + the emulator) through the walkthrough's steps and moves the
// crops into media/walkthrough/. Build first (node esbuild.js).
//
//   node scripts/walkthrough-media.js
'use strict';

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const REPO = path.resolve(__dirname, '..');
const OUT = path.join(REPO, 'media', 'walkthrough');
const RESULTS = path.join(REPO, 'test-results');
const PROMPT = 'A paper boat drifting down a rainy street, cinematic [duration=3000]';
const MANIFEST = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
const HAS_GALLERY = MANIFEST.contributes.commands.some((c) => c.command === 'aiVideo.openGallery');

// [file name, screenshot.js crop region] in the order they are taken.
const SHOTS = {
  'set-key': '0,0,820,195',
  generate: '0,0,820,300',
  play: '0,0,1000,600',
  ...(HAS_GALLERY ? { gallery: '0,0,1000,620' } : {}),
  'prompt-file': '0,0,1000,330',
};
const crop = (name) => `crop:walkthrough-${name}:${SHOTS[name]}`;
const clearNotifications = 'command:Notifications: Clear All Notifications';

const steps = [
  'ai-video',
  // A key for Pika, then the key list again: Pika shows "key set".
  'command:AI Video: Set API Key…',
  'wait:800',
  'key:Enter',
  'wait:600',
  'type:demo-key-0123456789',
  'key:Enter',
  'wait:1200',
  clearNotifications,
  'command:AI Video: Set API Key…',
  'wait:1000',
  crop('set-key'),
  'key:Escape',
  // Pika, text to video, 2.0, the prompt, then the options page with Generate first.
  'command:AI Video: Generate Video…',
  'wait:800',
  'key:Enter',
  'wait:600',
  'key:Enter',
  'wait:600',
  'key:Enter',
  'wait:600',
  `type:${PROMPT}`,
  'key:Enter',
  'wait:1000',
  crop('generate'),
  'key:Enter',
  'wait:9000',
  clearNotifications,
  'click:A paper boat drifting',
  'wait:3000',
  crop('play'),
  ...(HAS_GALLERY ? ['command:AI Video: Open Gallery', 'wait:3000', crop('gallery')] : []),
  // The example prompt file, generated from its lens and finished: Generate, Play, Save.
  'command:AI Video: New Prompt File',
  'wait:2000',
  'click:▶ Generate',
  'wait:26000',
  clearNotifications,
  'wait:500',
  crop('prompt-file'),
];

const run = spawnSync(
  process.execPath,
  [path.join(__dirname, 'screenshot.js'), '--width', '1000', '--height', '650', '--name', 'walkthrough-end', ...steps],
  { stdio: 'inherit' },
);
if (run.status !== 0) process.exit(run.status ?? 1);
if (!HAS_GALLERY) console.log('[walkthrough-media] no aiVideo.openGallery command yet: gallery.png not taken');
fs.mkdirSync(OUT, { recursive: true });
for (const name of Object.keys(SHOTS)) {
  fs.renameSync(path.join(RESULTS, `walkthrough-${name}.png`), path.join(OUT, `${name}.png`));
  console.log(`[walkthrough-media] media/walkthrough/${name}.png`);
}
