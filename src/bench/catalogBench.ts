// The catalogue part of `npm run bench`: how long resolving a model's capabilities and price takes
// from a warm catalogue (the generate flow, prompt-block diagnostics and `validate` do it on every
// keystroke or request), and how many models the emulator's catalogue publishes.
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';

import { ModelCatalog } from '../core/provider/catalog';
import { priceOf } from '../core/provider/pricing';
import { emulatorBaseUrl, emulatorUrlSettings, startEmulator } from '../emulator/server';
import { PROVIDER_LIST, PROVIDERS } from '../providers';
import { BENCH_KEY } from './scenario';

export interface CatalogFigures {
  /** Median of one lookup (`model()` then `priceOf`), µs. */
  lookupUs: number;
  lookups: number;
  /** Models in the emulator's published catalogues (OpenRouter's `GET /videos/models`, fal's endpoints priced by its pricing route), fetched from the emulator. */
  models: number;
}

const LOOKUPS = 50_000;

export async function catalogBench(): Promise<CatalogFigures> {
  const cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'aivideo-bench-catalog-'));
  // Every provider points at the emulator, so a provider that publishes its catalogue is fetched from there.
  const emulator = await startEmulator({ port: 0 });
  // A catalogue behind the key (fal's prices) is read with the bench key, at the provider's other URLs on the emulator.
  const context = async (id: string) => {
    const p = PROVIDERS[id];
    const urls = emulatorUrlSettings(emulator.baseUrl, p);
    return {
      apiKey: BENCH_KEY,
      settings: Object.fromEntries(Object.entries(p.settings.urls ?? {}).map(([name, key]) => [name, urls[key]])),
    };
  };
  const catalog = new ModelCatalog({ providers: PROVIDERS, cacheDir, context });
  try {
    // Each provider at its base URL on the emulator (OpenRouter's has a path); the lookups go over every
    // provider's models, the count is of the published list only (the others' are bundled or own entries).
    const pairs: { provider: string; baseUrl: string; model: string }[] = [];
    let published = 0;
    for (const p of PROVIDER_LIST) {
      const baseUrl = emulatorBaseUrl(emulator.baseUrl, p.id);
      const snap = await catalog.models(p.id, baseUrl);
      for (const m of snap.models) pairs.push({ provider: p.id, baseUrl, model: m.id });
      if (p.catalog?.published) {
        if (snap.source !== 'provider') throw new Error(`${p.label}'s catalogue did not come from the emulator (${snap.source})`);
        published += snap.models.length;
      }
    }
    const times = new Float64Array(LOOKUPS);
    let sink = 0;
    for (let i = 0; i < LOOKUPS; i++) {
      const pair = pairs[i % pairs.length];
      const start = process.hrtime.bigint();
      const model = catalog.model(pair.provider, pair.baseUrl, pair.model);
      if (model) sink += priceOf(model, { provider: pair.provider, prompt: '' }).amount ?? 1;
      times[i] = Number(process.hrtime.bigint() - start) / 1000;
    }
    if (sink < 0) throw new Error('unreachable');
    times.sort();
    return { lookupUs: times[Math.floor(LOOKUPS / 2)], lookups: LOOKUPS, models: published };
  } finally {
    catalog.dispose();
    await emulator.close();
    await fs.rm(cacheDir, { recursive: true, force: true });
  }
}
