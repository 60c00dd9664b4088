// Peak memory while downloading one large result through downloadToFile. Run as a child process
// (forked by bench.ts with --expose-gc) so the emulator serving the bytes, and everything the bench
// did before, stay out of the figures. Sends one DownloadFigures message over IPC, then exits.
import { promises as fs } from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';

import { downloadToFile } from '../core/net/download';

export interface MemorySample {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

export interface DownloadFigures {
  ok: boolean;
  error?: string;
  bytes: number;
  fileBytes: number;
  ms: number;
  samples: number;
  before: MemorySample;
  peak: MemorySample;
}

function sample(): MemorySample {
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}

/** `origin` is the provider base URL the result came from (the emulator: a loopback host it may use). */
export async function probe(url: string, dest: string, maxBytes: number, origin: string, everyMs = 20): Promise<DownloadFigures> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  await new Promise((r) => setTimeout(r, 50));
  const before = sample();
  const peak = { ...before };
  let samples = 0;
  const take = () => {
    const s = sample();
    samples++;
    for (const k of Object.keys(peak) as (keyof MemorySample)[]) peak[k] = Math.max(peak[k], s[k]);
  };
  const timer = setInterval(take, everyMs);
  const t0 = performance.now();
  try {
    const res = await downloadToFile(url, dest, { maxBytes, origin, attempts: 1 });
    const ms = performance.now() - t0;
    take();
    const fileBytes = (await fs.stat(res.path)).size;
    return { ok: true, bytes: res.bytes, fileBytes, ms, samples, before, peak };
  } catch (e) {
    take();
    return {
      ok: false,
      error: e instanceof Error ? e.message : String(e),
      bytes: 0,
      fileBytes: 0,
      ms: performance.now() - t0,
      samples,
      before,
      peak,
    };
  } finally {
    clearInterval(timer);
    await fs.rm(path.dirname(dest), { recursive: true, force: true }).catch(() => undefined);
  }
}

if (require.main === module) {
  const [url, dest, max, origin] = process.argv.slice(2);
  const send = (msg: unknown) =>
    process.send ? process.send(msg, () => process.exit(0)) : (console.log(JSON.stringify(msg)), process.exit(0));
  probe(url, dest, Number(max), origin)
    .then(send)
    .catch((e: unknown) => send({ ok: false, error: String(e) }));
}
