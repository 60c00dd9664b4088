// Gallery first paint: the gallery's webview bundle (dist/webview/gallery.js) loaded in headless
// Chromium with a stub `acquireVsCodeApi` that answers `ready` with a 2,000-task state message,
// as the panel does. Measures the time from the script's start to the first frame showing a card,
// on a fresh page each run; the median of the runs is the figure. Build first (node esbuild.js).
//
//   node out/src/bench/galleryBench.js [--runs 5] [--tasks 2000]
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chromium } from 'playwright-core';

import type { GalleryTask } from '../webview/gallery/model';

export interface GalleryFigures {
  tasks: number;
  runsMs: number[];
  medianMs: number;
  /** Cards in the DOM after the first paint: virtualization keeps this to a few rows. */
  cardsInDom: number;
}

const REPO = path.resolve(__dirname, '..', '..', '..');
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const WORDS = [
  'boat',
  'fox',
  'city',
  'rain',
  'forest',
  'neon',
  'ocean',
  'desert',
  'robot',
  'castle',
  'snow',
  'sunset',
  'dragon',
  'train',
  'garden',
];
const MODELS: Array<[string, string, string]> = [
  ['pika', 'Pika', '2.0'],
  ['pika', 'Pika', '1.5'],
  ['gateway', 'Video gateway', 'kling-v1'],
  ['gateway', 'Video gateway', 'veo3'],
  ['hidream', 'HiDream', ''],
];

/** A realistic history: mostly finished with posters or videos, some running, some failed. */
export function syntheticTasks(count: number, now = Date.now()): GalleryTask[] {
  return Array.from({ length: count }, (_, i) => {
    const [provider, providerLabel, model] = MODELS[i % MODELS.length];
    const prompt = `A ${WORDS[i % WORDS.length]} and a ${WORDS[(i * 7 + 3) % WORDS.length]} at ${WORDS[(i * 11 + 5) % WORDS.length]}, take ${i}`;
    const createdAt = now - i * 37 * 60_000;
    const base: GalleryTask = {
      id: `task-${i}`,
      prompt,
      provider,
      providerLabel,
      model,
      status: 'succeeded',
      progress: 100,
      createdAt,
      finishedAt: createdAt + 95_000,
      videoCount: 1,
      seed: i * 7919,
    };
    const kind = i % 10;
    if (kind < 5) return { ...base, videoSrc: 'sample.mp4', posterSrc: 'poster.jpg', duration: 5, width: 1280, height: 720 };
    if (kind < 8) return { ...base, videoSrc: 'sample.mp4', duration: 5 };
    if (kind === 8) return { ...base, status: 'running', progress: (i * 13) % 100, finishedAt: undefined, videoCount: 0 };
    return { ...base, status: 'failed', progress: 0, error: 'The provider reported the generation failed.', videoCount: 0 };
  });
}

/** The page: the state as data, the stub, the clock start, then the bundle. */
function pageHtml(): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<link rel="stylesheet" href="webview.css"><link rel="stylesheet" href="gallery.css">
</head><body>
<main id="app" class="app"></main>
<script src="state.js"></script>
<script src="stub.js"></script>
<script src="gallery.js"></script>
</body></html>`;
}

/** Answers `ready` like the panel, and records the first frame that shows a card. */
const STUB = `
window.__firstCardMs = undefined;
const observer = new MutationObserver(() => {
  if (window.__firstCardMs !== undefined || !document.querySelector('.card')) return;
  observer.disconnect();
  requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => { window.__firstCardMs = performance.now() - window.__t0; };
    channel.port2.postMessage(0);
  });
});
observer.observe(document.documentElement, { childList: true, subtree: true });
window.acquireVsCodeApi = () => ({
  postMessage(m) { if (m.type === 'ready') window.postMessage({ type: 'state', tasks: window.__tasks }, '*'); },
  getState() { return undefined; },
  setState() {},
});
window.__t0 = performance.now();
`;

async function preparePage(dir: string, count: number): Promise<string> {
  const copy = (from: string, to: string) => fs.copyFile(path.join(REPO, from), path.join(dir, to));
  await Promise.all([
    copy('dist/webview/gallery.js', 'gallery.js'),
    copy('media/webview.css', 'webview.css'),
    copy('media/gallery.css', 'gallery.css'),
    copy('test/fixtures/sample.mp4', 'sample.mp4'),
    copy('test/fixtures/poster.jpg', 'poster.jpg'),
    fs.writeFile(path.join(dir, 'state.js'), `window.__tasks = ${JSON.stringify(syntheticTasks(count))};`),
    fs.writeFile(path.join(dir, 'stub.js'), STUB),
    fs.writeFile(path.join(dir, 'index.html'), pageHtml()),
  ]);
  return path.join(dir, 'index.html');
}

function median(values: number[]): number {
  const s = values.slice().sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export async function galleryFirstPaint(options: { runs?: number; tasks?: number; executablePath?: string } = {}): Promise<GalleryFigures> {
  const runs = options.runs ?? 5;
  const count = options.tasks ?? 2000;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aivideo-gallery-bench-'));
  const browser = await chromium.launch({
    executablePath: options.executablePath ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    const url = `file://${await preparePage(dir, count)}`;
    const runsMs: number[] = [];
    let cardsInDom = 0;
    for (let i = 0; i < runs; i++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(url);
      const ms = await page.waitForFunction(() => (globalThis as unknown as { __firstCardMs?: number }).__firstCardMs, undefined, {
        timeout: 30_000,
      });
      runsMs.push(Math.round(((await ms.jsonValue()) as number) * 10) / 10);
      // Runs in the page: its DOM, not typed in this Node program.
      cardsInDom = await page.evaluate(
        () =>
          (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<unknown> } }).document.querySelectorAll('.card')
            .length,
      );
      await page.close();
    }
    return { tasks: count, runsMs, medianMs: median(runsMs), cardsInDom };
  } finally {
    await browser.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const arg = (name: string, def: number) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? Number(process.argv[i + 1]) : def;
  };
  galleryFirstPaint({ runs: arg('--runs', 5), tasks: arg('--tasks', 2000) }).then(
    (f) => console.log(JSON.stringify(f)),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
