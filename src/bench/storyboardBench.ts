// Planning a storyboard the way a build system does costs one hash of every output: this plans a
// 50-shot storyboard (a chain, each shot after the one before) whose outputs, 5 MB each, are all up
// to date, from the Markdown text to the quote, as a render or a dry run starts.
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';

import type { GenerateRequest } from '../core/model/task';
import type { PromptCatalog } from '../core/request/promptBlocks';
import { sha256File } from '../core/storyboard/fileHash';
import { shotHash } from '../core/storyboard/hash';
import { formatLock, parseLock } from '../core/storyboard/lockfile';
import { parseStoryboard } from '../core/storyboard/parse';
import { planRender } from '../core/storyboard/render';
import type { Lockfile } from '../core/storyboard/types';
import { PROVIDER_LIST } from '../providers';
import { Timing, timing } from './storeBench';

export const SHOTS = 50;
export const OUTPUT_BYTES = 5 * 1024 * 1024;
const RUNS = 5;

export interface StoryboardFigures {
  shots: number;
  outputBytes: number;
  plan: Timing;
  /** Shots the plan found up to date (all of them, or the figure means nothing). */
  upToDate: number;
}

/** The storyboard's text: SHOTS pika shots, each after the one before. */
function storyboardText(): string {
  const blocks: string[] = [];
  for (let i = 0; i < SHOTS; i++) {
    blocks.push(
      '```video',
      `id: shot-${i}`,
      'provider: pika',
      ...(i ? [`after: shot-${i - 1}`] : []),
      `Scene ${i}: the fox walks on`,
      '```',
      '',
    );
  }
  return blocks.join('\n');
}

export async function storyboardBench(): Promise<StoryboardFigures> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'aivideo-storyboard-bench-'));
  try {
    const catalog: PromptCatalog = { providers: PROVIDER_LIST, configuredModels: () => [] };
    const text = storyboardText();
    const board = parseStoryboard(text, catalog);
    const rel = (id: string) => `generated-videos/board/${id}.mp4`;
    fs.mkdirSync(path.join(root, 'generated-videos', 'board'), { recursive: true });
    const provider = (id: string) => catalog.providers.find((p) => p.id === id);
    // Up to date: each output on disk and a lockfile that records it, its hash and its last frame's.
    const lock: Lockfile = { version: 1, shots: {} };
    for (const shot of board.shots) {
      const file = path.join(root, ...rel(shot.id).split('/'));
      fs.writeFileSync(file, randomBytes(OUTPUT_BYTES));
      const frame = shot.index > 0 ? lock.shots[board.shots[shot.index - 1].id].lastFrameSha256 : undefined;
      lock.shots[shot.id] = {
        hash: shotHash(shot, provider(shot.request.provider), frame),
        provider: 'pika',
        model: '2.0',
        output: rel(shot.id),
        sha256: (await sha256File(file))!,
        lastFrameSha256: randomBytes(32).toString('hex'),
      };
    }
    const lockText = formatLock(lock);
    const host = {
      shotOutput: rel,
      sha256: (r: string) => sha256File(path.join(root, ...r.split('/'))),
      readLock: async () => {
        const l = parseLock(lockText);
        return 'error' in l ? undefined : l;
      },
      quote: async (requests: GenerateRequest[]) => ({ amount: requests.length, currency: 'USD' as const, estimate: false }),
    };
    const samples: number[] = [];
    let upToDate = 0;
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      const { plan } = await planRender({ text, catalog }, host);
      samples.push(performance.now() - started);
      upToDate = plan.shots.filter((p) => p.upToDate).length;
    }
    return { shots: SHOTS, outputBytes: OUTPUT_BYTES, plan: timing(samples), upToDate };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
