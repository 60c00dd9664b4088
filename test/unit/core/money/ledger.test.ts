// The spend ledger: two processes appending at once lose nothing, a writer killed mid-append costs
// at most its own record (the torn line is skipped and the next append starts a fresh line), the file
// only ever grows (never rewritten in place), a task's last record counts, and the totals by day,
// provider and model.
import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import {
  ledgerCsv,
  LedgerRecord,
  localDay,
  parseLedgerLine,
  SpendLedger,
  startOfLocalDay,
  summarize,
} from '../../../../src/core/money/ledger';
import { sleep, tempDir } from '../../../support/engineHarness';

const CHILD = path.join(__dirname, '../../../support/ledgerWriterChild.js');

function writer(file: string, prefix: string, count: number): { done: Promise<string[]>; kill(): void; acks(): number } {
  const child = spawn(process.execPath, [CHILD, file, prefix, String(count), '250'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.on('data', (d) => (err += String(d)));
  const done = new Promise<string[]>((resolve, reject) =>
    child.on('exit', (code, signal) => {
      if (code !== 0 && signal !== 'SIGKILL') reject(new Error(`writer failed: ${err}`));
      else {
        resolve(
          out
            .split('\n')
            .filter((l) => l.startsWith('ack '))
            .map((l) => l.slice(4)),
        );
      }
    }),
  );
  return { done, kill: () => child.kill('SIGKILL'), acks: () => out.split('\nack ').length - (out.startsWith('ack ') ? 0 : 1) };
}

const rec = (taskId: string, at: number, extra: Partial<LedgerRecord> = {}): LedgerRecord => ({
  at,
  provider: 'openrouter',
  model: 'google/veo-3.1',
  taskId,
  amount: 1,
  source: 'estimate',
  who: 'ui',
  ...extra,
});

describe('spend ledger', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir('aivideo-ledger-')));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('two processes appending at once: every acknowledged record is there, each line whole', async function () {
    this.timeout(60_000);
    const file = path.join(dir, 'spending.jsonl');
    const [a, b] = [writer(file, 'a', 60), writer(file, 'b', 60)];
    const acked = [...(await a.done), ...(await b.done)];
    assert.strictEqual(acked.length, 120);
    const records = await new SpendLedger(file).records();
    assert.deepStrictEqual(records.map((r) => r.taskId).sort(), [...acked].sort());
    const lines = fs.readFileSync(file, 'utf8').split('\n').slice(0, -1);
    assert.strictEqual(lines.length, 120, 'one line per record, none torn or merged');
    assert.ok(lines.every((l) => parseLedgerLine(l)));
  });

  it('a writer killed mid-append loses no acknowledged record, and the next append starts a fresh line', async function () {
    this.timeout(60_000);
    const file = path.join(dir, 'spending.jsonl');
    const acked: string[] = [];
    for (let run = 0; run < 8; run++) {
      const w = writer(file, `run${run}`, 1000);
      const want = 1 + Math.floor(Math.random() * 20);
      const deadline = Date.now() + 10_000;
      while (w.acks() < want && Date.now() < deadline) await sleep(1);
      await sleep(Math.random() * 4);
      w.kill();
      acked.push(...(await w.done));
      // The killed writer may have left its lock behind: the next one breaks it once stale.
    }
    // A torn last line, as a kill between two writes of one record leaves it.
    fs.appendFileSync(file, '{"at":1,"provider":"openrouter","mod');
    const ledger = new SpendLedger(file, { staleLockMs: 250 });
    await ledger.append(rec('after-crash', Date.now()));
    const ids = new Set((await ledger.records()).map((r) => r.taskId));
    for (const id of acked) assert.ok(ids.has(id), `acknowledged ${id} is missing`);
    assert.ok(ids.has('after-crash'));
    const text = fs.readFileSync(file, 'utf8');
    assert.ok(text.includes('"mod\n{"at":'), 'the record after the torn line starts on a line of its own');
  });

  it('only appends: what was in the file stays byte for byte, and a reader takes in just the tail', async function () {
    const file = path.join(dir, 'spending.jsonl');
    const ledger = new SpendLedger(file);
    await ledger.append(rec('t1', 1000));
    const before = fs.readFileSync(file);
    const ino = fs.statSync(file).ino;
    const reader = new SpendLedger(file);
    assert.strictEqual((await reader.records()).length, 1);
    await ledger.append(rec('t2', 2000, { amount: 2 }));
    assert.strictEqual(fs.statSync(file).ino, ino);
    assert.ok(fs.readFileSync(file).subarray(0, before.length).equals(before));
    assert.deepStrictEqual(
      (await reader.records()).map((r) => r.taskId),
      ['t1', 't2'],
    );
    assert.deepStrictEqual(
      (await reader.records(1500)).map((r) => r.taskId),
      ['t2'],
    );
  });

  it("a task's last record counts (Check Again, a provider's later report); bad lines are skipped", async function () {
    const file = path.join(dir, 'spending.jsonl');
    const ledger = new SpendLedger(file);
    await ledger.append(rec('t1', 1000, { amount: 0 }));
    fs.appendFileSync(file, 'not json\n{"at":5,"provider":"x","model":"m","taskId":"z","amount":-1,"source":"estimate","who":"ui"}\n');
    await ledger.append(rec('t1', 3000, { amount: 2.5, source: 'provider' }));
    const all = await new SpendLedger(file).records();
    assert.deepStrictEqual(
      all.map((r) => [r.taskId, r.amount, r.source]),
      [['t1', 2.5, 'provider']],
    );
  });

  it('no file yet: no records', async function () {
    assert.deepStrictEqual(await new SpendLedger(path.join(dir, 'none.jsonl')).records(), []);
  });
});

describe('spending summary', () => {
  it('totals by local day, provider and model over the last days; today and what agents spent', function () {
    const now = new Date(2026, 2, 10, 15, 0).getTime();
    const today = startOfLocalDay(now);
    const yesterday = today - 3_600_000;
    const old = today - 40 * 86_400_000;
    const records = [
      rec('a', today + 60_000, { amount: 1.2, who: 'agent' }),
      rec('b', today + 120_000, { amount: 0.4, provider: 'fal', model: 'kling' }),
      rec('c', yesterday, { amount: 3 }),
      rec('d', old, { amount: 100 }),
    ];
    const s = summarize(records, now, 30);
    assert.strictEqual(s.days, 30);
    assert.strictEqual(s.byDay.length, 30);
    assert.strictEqual(s.byDay[29].day, localDay(now));
    assert.deepStrictEqual(s.byDay[29].byProvider, { openrouter: 1.2, fal: 0.4 });
    assert.deepStrictEqual(s.byDay[28].byProvider, { openrouter: 3 });
    assert.strictEqual(s.total, 4.6);
    assert.strictEqual(s.today, 1.6);
    assert.strictEqual(s.todayAgent, 1.2);
    assert.deepStrictEqual(s.byProvider, { openrouter: 4.2, fal: 0.4 });
    assert.deepStrictEqual(s.byModel, { 'openrouter:google/veo-3.1': 4.2, 'fal:kling': 0.4 });
    assert.deepStrictEqual(
      s.top.map((r) => r.taskId),
      ['c', 'a', 'b'],
    );
  });

  it('CSV: a header, one row per record, formula-like cells defused', function () {
    const csv = ledgerCsv([rec('t1', Date.UTC(2026, 0, 2), { model: '=HYPERLINK("x")', amount: 0.5 })]);
    const [head, row] = csv.trimEnd().split('\n');
    assert.strictEqual(head, 'time,provider,model,task,amount_usd,source,who');
    assert.strictEqual(row, `2026-01-02T00:00:00.000Z,openrouter,"'=HYPERLINK(""x"")",t1,0.5,estimate,ui`);
  });
});
