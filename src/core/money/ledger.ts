// The spend ledger: every charge, one JSON line each, in a file the caller names (the editor's is in
// its global storage, the CLI's under its state folder). It outlives the tasks it records (removing
// a task keeps its charge), and several processes share it: appends are made under the same kind of
// lock file as the task journal (store/atomicFile.ts), with one write and one fdatasync each, and the
// file is never rewritten in place. A writer that crashed mid-append leaves a torn last line: the
// next append starts on a fresh line, and readers skip what does not read, so one torn record costs
// only itself. A task's charge may be recorded again (Check Again, a provider's late report): per
// task the last line counts. Readers keep what they read and take in only the appended tail.
import { constants, promises as fs } from 'fs';
import * as path from 'path';

import { isJsonObject } from '../../shared/json';
import { isSpender, type Spender } from '../model/task';
import { withFileLock } from '../store/atomicFile';

export { isSpender, type Spender, SPENDERS } from '../model/task';

export interface LedgerRecord {
  /** When the charge was recorded, epoch ms. */
  at: number;
  provider: string;
  model: string;
  taskId: string;
  /** USD. */
  amount: number;
  /** Reported by the provider, or our quote at create time. */
  source: 'provider' | 'estimate';
  who: Spender;
}

const MAX_WORD = 200;
const NEWLINE = 0x0a;
const isWord = (v: unknown): v is string => typeof v === 'string' && v.length <= MAX_WORD;

/** One line of the ledger as a record; undefined when it does not read (a torn or foreign line). */
export function parseLedgerLine(line: string): LedgerRecord | undefined {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isJsonObject(o)) return undefined;
  const { at, provider, model, taskId, amount, source, who } = o;
  if (typeof at !== 'number' || !Number.isFinite(at) || !isWord(provider) || !isWord(model) || !isWord(taskId) || taskId === '') {
    return undefined;
  }
  if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0 || amount > 1e6) return undefined;
  if ((source !== 'provider' && source !== 'estimate') || !isSpender(who)) return undefined;
  return { at, provider, model, taskId, amount, source, who };
}

export interface LedgerOptions {
  /** A lock older than this was left by a crashed writer (default 5 s, as the task journal's). */
  staleLockMs?: number;
}

export class SpendLedger {
  private readonly lockFile: string;
  /** What was read: the file's inode, how far, and the last record of each task. */
  private read: { ino: number; offset: number } | undefined;
  private byTask = new Map<string, LedgerRecord>();
  private reading: Promise<void> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly opts: LedgerOptions = {},
  ) {
    this.lockFile = `${file}.lock`;
  }

  /** Appends one record (a fresh line after a torn one); resolves once it is on disk. */
  async append(record: LedgerRecord): Promise<void> {
    const line = JSON.stringify(record);
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    await withFileLock(
      this.lockFile,
      async (lock) => {
        const handle = await fs.open(this.file, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT, 0o600);
        try {
          const { size } = await handle.stat();
          let torn = false;
          if (size > 0) {
            const last = Buffer.alloc(1);
            await handle.read(last, 0, 1, size - 1);
            torn = last[0] !== NEWLINE;
          }
          const data = Buffer.from(`${torn ? '\n' : ''}${line}\n`);
          await lock.check();
          for (let done = 0; done < data.length;) done += (await handle.write(data, done, data.length - done)).bytesWritten;
          await handle.datasync();
        } finally {
          await handle.close();
        }
      },
      { staleMs: this.opts.staleLockMs },
    );
  }

  /**
   * The records at or after `since` (epoch ms; default all), one per task (its last line), in the
   * order they were recorded. Reads only what was appended since the last call.
   */
  async records(since = -Infinity): Promise<LedgerRecord[]> {
    const run = this.reading.then(() => this.catchUp());
    this.reading = run.catch(() => undefined);
    await run;
    const out: LedgerRecord[] = [];
    for (const r of this.byTask.values()) if (r.at >= since) out.push(r);
    return out.sort((a, b) => a.at - b.at);
  }

  private async catchUp(): Promise<void> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.file, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      this.read = undefined;
      this.byTask = new Map();
      return;
    }
    try {
      const { ino, size } = await handle.stat();
      if (!this.read || this.read.ino !== ino || size < this.read.offset) {
        this.read = { ino, offset: 0 };
        this.byTask = new Map();
      }
      const from = this.read.offset;
      if (size <= from) return;
      const buf = Buffer.allocUnsafe(size - from);
      let got = 0;
      while (got < buf.length) {
        const { bytesRead } = await handle.read(buf, got, buf.length - got, from + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      // Up to the last complete line: a line still being written (or torn) is read once it ends.
      const end = buf.lastIndexOf(NEWLINE, got - 1) + 1;
      if (end === 0) return;
      for (const line of buf.toString('utf8', 0, end - 1).split('\n')) {
        const r = parseLedgerLine(line);
        if (!r) continue;
        // Latest line wins: delete first so the map keeps recording order.
        this.byTask.delete(r.taskId);
        this.byTask.set(r.taskId, r);
      }
      this.read.offset = from + end;
    } finally {
      await handle.close();
    }
  }
}

/** Midnight at the start of `now`'s local calendar day, epoch ms ("today" is the user's local day). */
export function startOfLocalDay(now: number): number {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** The local calendar day of `ms` as `YYYY-MM-DD`. */
export function localDay(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

export interface SpendingSummary {
  /** The first day counted (local, `YYYY-MM-DD`) and how many days. */
  from: string;
  days: number;
  /** USD over those days, and today. */
  total: number;
  today: number;
  /** Today by who started it. */
  todayAgent: number;
  byProvider: Record<string, number>;
  /** "<provider>:<model>" -> USD. */
  byModel: Record<string, number>;
  /** Local day -> provider -> USD, every day present (oldest first). */
  byDay: { day: string; byProvider: Record<string, number> }[];
  /** The most expensive records, most expensive first. */
  top: LedgerRecord[];
}

const round = (n: number) => Math.round(n * 1e6) / 1e6;

/** Totals of `records` over the last `days` local days up to `now` (today included). */
export function summarize(records: readonly LedgerRecord[], now: number, days = 30, topCount = 20): SpendingSummary {
  const n = Math.max(1, Math.min(3660, Math.floor(days)));
  const today = startOfLocalDay(now);
  const dayKeys: string[] = [];
  for (let i = n - 1; i >= 0; i--) {
    // Noon, so a daylight-saving change never skips or repeats a day.
    const d = new Date(today);
    d.setDate(d.getDate() - i);
    d.setHours(12);
    dayKeys.push(localDay(d.getTime()));
  }
  const first = new Date(today);
  first.setDate(first.getDate() - (n - 1));
  const from = first.getTime();
  const byDay = new Map(dayKeys.map((k) => [k, {} as Record<string, number>]));
  const s: SpendingSummary = {
    from: dayKeys[0],
    days: n,
    total: 0,
    today: 0,
    todayAgent: 0,
    byProvider: {},
    byModel: {},
    byDay: [],
    top: [],
  };
  const counted: LedgerRecord[] = [];
  for (const r of records) {
    if (r.at < from) continue;
    counted.push(r);
    s.total += r.amount;
    if (r.at >= today) {
      s.today += r.amount;
      if (r.who === 'agent') s.todayAgent += r.amount;
    }
    s.byProvider[r.provider] = (s.byProvider[r.provider] ?? 0) + r.amount;
    const mk = `${r.provider}:${r.model}`;
    s.byModel[mk] = (s.byModel[mk] ?? 0) + r.amount;
    const day = byDay.get(localDay(r.at));
    if (day) day[r.provider] = (day[r.provider] ?? 0) + r.amount;
  }
  s.total = round(s.total);
  s.today = round(s.today);
  s.todayAgent = round(s.todayAgent);
  for (const k of Object.keys(s.byProvider)) s.byProvider[k] = round(s.byProvider[k]);
  for (const k of Object.keys(s.byModel)) s.byModel[k] = round(s.byModel[k]);
  s.byDay = dayKeys.map((day) => ({ day, byProvider: Object.fromEntries(Object.entries(byDay.get(day)!).map(([p, v]) => [p, round(v)])) }));
  s.top = counted.sort((a, b) => b.amount - a.amount || b.at - a.at).slice(0, topCount);
  return s;
}

/** The records as CSV (time in ISO, then the fields), for the spending panel's export. */
export function ledgerCsv(records: readonly LedgerRecord[]): string {
  const cell = (v: string | number) => {
    const s = String(v);
    // A cell a spreadsheet would run as a formula is quoted with a leading apostrophe.
    const safe = /^[=+\-@\t\r]/.test(s) && typeof v === 'string' ? `'${s}` : s;
    return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const rows = [['time', 'provider', 'model', 'task', 'amount_usd', 'source', 'who'].join(',')];
  for (const r of records) {
    rows.push([new Date(r.at).toISOString(), r.provider, r.model, r.taskId, r.amount, r.source, r.who].map(cell).join(','));
  }
  return `${rows.join('\n')}\n`;
}
