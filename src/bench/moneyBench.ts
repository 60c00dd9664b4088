// The money part of `npm run bench`: how long a quote takes from the warm model catalogue (every
// create, the Generate row, each prompt-block lens and the agent's confirmation ask for one), and how
// long one append to the spend ledger takes once it holds 100,000 records (under its lock, written
// and flushed to disk, as every finished task is charged), with the time to read that ledger once.
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';

import type { GenerateRequest } from '../core/model/task';
import { LedgerRecord, SpendLedger, startOfLocalDay } from '../core/money/ledger';
import { MoneyKeeper } from '../core/money/moneyKeeper';
import type { UserPrice } from '../core/money/quote';
import { ModelCatalog } from '../core/provider/catalog';
import { emulatorBaseUrl, startEmulator } from '../emulator/server';
import { providerLabel, PROVIDERS } from '../providers';

export interface MoneyFigures {
  /** Median of one quote from the warm catalogue, µs. */
  quoteUs: number;
  quotes: number;
  /** Median of one ledger append with `records` records in the ledger, ms. */
  ledgerAppendMs: number;
  appends: number;
  records: number;
  /** Reading the whole ledger once (a new window's first status bar), ms. */
  ledgerReadMs: number;
}

const QUOTES = 50_000;
const RECORDS = 100_000;
const APPENDS = 200;

function median(times: Float64Array): number {
  times.sort();
  return times[Math.floor(times.length / 2)];
}

export async function moneyBench(): Promise<MoneyFigures> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aivideo-bench-money-'));
  const emulator = await startEmulator({ port: 0 });
  const catalog = new ModelCatalog({ providers: PROVIDERS, cacheDir: path.join(dir, 'catalog') });
  try {
    const baseUrl = emulatorBaseUrl(emulator.baseUrl, 'openrouter');
    const snap = await catalog.models('openrouter', baseUrl);
    if (snap.source !== 'provider') throw new Error(`OpenRouter's catalogue did not come from the emulator (${snap.source})`);
    const prices = new Map<string, UserPrice>([['gateway', { perVideo: 0.5 }]]);
    const ledger = new SpendLedger(path.join(dir, 'spending.jsonl'));
    const money = new MoneyKeeper({ ledger, catalog, providerLabel, userPrices: () => prices, limits: () => ({}) });
    const requests: GenerateRequest[] = snap.models.flatMap((m) =>
      [undefined, ...(m.capabilities.durations ?? [])].map((duration) => ({
        provider: 'openrouter',
        prompt: '',
        model: m.id,
        ...(duration !== undefined && { duration }),
      })),
    );
    const quoteTimes = new Float64Array(QUOTES);
    let sink = 0;
    for (let i = 0; i < QUOTES; i++) {
      const req = requests[i % requests.length];
      const start = process.hrtime.bigint();
      sink += money.quote(req, baseUrl).amount ?? 1;
      quoteTimes[i] = Number(process.hrtime.bigint() - start) / 1000;
    }
    if (sink < 0) throw new Error('unreachable');

    // A ledger of 100,000 records over the last 90 days, written at once.
    const now = Date.now();
    const lines: string[] = [];
    for (let i = 0; i < RECORDS; i++) {
      const record: LedgerRecord = {
        at: now - Math.floor((i / RECORDS) * 90 * 86_400_000),
        provider: i % 3 ? 'openrouter' : 'gateway',
        model: i % 2 ? 'google/veo-3.1' : 'minimax/hailuo-02',
        taskId: `bench-${i}`,
        amount: (i % 17) / 10,
        source: i % 4 ? 'provider' : 'estimate',
        who: 'ui',
      };
      lines.push(JSON.stringify(record));
    }
    await fs.writeFile(ledger.file, `${lines.join('\n')}\n`);
    const readStart = process.hrtime.bigint();
    await new SpendLedger(ledger.file).records(startOfLocalDay(now));
    const ledgerReadMs = Number(process.hrtime.bigint() - readStart) / 1e6;
    const appendTimes = new Float64Array(APPENDS);
    for (let i = 0; i < APPENDS; i++) {
      const record: LedgerRecord = {
        at: Date.now(),
        provider: 'openrouter',
        model: 'google/veo-3.1',
        taskId: `new-${i}`,
        amount: 1.6,
        source: 'provider',
        who: 'agent',
      };
      const start = process.hrtime.bigint();
      await ledger.append(record);
      appendTimes[i] = Number(process.hrtime.bigint() - start) / 1e6;
    }
    return {
      quoteUs: median(quoteTimes),
      quotes: QUOTES,
      ledgerAppendMs: median(appendTimes),
      appends: APPENDS,
      records: RECORDS,
      ledgerReadMs,
    };
  } finally {
    catalog.dispose();
    await emulator.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
}
