// Money in the create path, real providers against the emulator: the quote made at create time is
// the task's cost until the provider reports one, a failed job costs 0, each end is charged into the
// ledger with who started it, and a create that would break a budget is refused with zero requests
// sent (waiting and in-flight creates count, and creates started together cannot overspend together).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

import { isOverBudget, type BudgetLimits } from '../../../../src/core/money/budget';
import { SpendLedger } from '../../../../src/core/money/ledger';
import { MoneyKeeper } from '../../../../src/core/money/moneyKeeper';
import type { UserPrice } from '../../../../src/core/money/quote';
import { PROVIDERS } from '../../../../src/providers';
import { tempDir, useEngineSuite, waitFor, waitForTask } from '../../../support/engineHarness';

describe('money in the create path', function () {
  this.timeout(30_000);
  const suite = useEngineSuite({ durationMs: 300 });
  let dir: string;
  let limits: BudgetLimits;
  let ledger: SpendLedger;
  let money: MoneyKeeper;

  beforeEach(() => {
    dir = tempDir('aivideo-money-');
    limits = {};
    ledger = new SpendLedger(path.join(dir, 'spending.jsonl'));
    const prices = new Map<string, UserPrice>([['gateway', { perVideo: 2 }]]);
    money = new MoneyKeeper({ ledger, providerLabel: (id) => PROVIDERS[id]?.label ?? id, userPrices: () => prices, limits: () => limits });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const sent = () => suite.emulator.requests().filter((r) => r.route === 'gateway.create').length;

  it('the quote is the cost until the provider reports one; a failed job costs 0; each end is charged with who started it', async function () {
    const { engine } = await suite.ws.engine({ money });
    const ok = await engine.generate({ provider: 'gateway', prompt: 'a fox', model: 'veo3' }, { who: 'agent' });
    assert.deepStrictEqual(ok.cost, { amount: 2, currency: 'USD', source: 'estimate' });
    assert.strictEqual(ok.startedBy, 'agent');
    const bad = await engine.generate({ provider: 'gateway', prompt: 'a fox [fail]', model: 'veo3' }, { who: 'ui' });
    await waitForTask(engine, ok.id, (t) => t.status === 'succeeded', 'succeeded');
    const failed = await waitForTask(engine, bad.id, (t) => t.status === 'failed', 'failed');
    assert.deepStrictEqual(failed.cost, { amount: 0, currency: 'USD', source: 'estimate' });
    await money.flush();
    const records = await waitFor('two charges', async () => (await ledger.records()).length === 2 || undefined);
    assert.ok(records);
    const byTask = new Map((await ledger.records()).map((r) => [r.taskId, r]));
    assert.deepStrictEqual(
      [byTask.get(ok.id)?.amount, byTask.get(ok.id)?.who, byTask.get(bad.id)?.amount, byTask.get(bad.id)?.who],
      [2, 'agent', 0, 'ui'],
    );
    assert.strictEqual((await money.today()).spent, 2);
  });

  it('over the daily budget: nothing is sent, and the error says "budget" with the quote, the spend and the limit', async function () {
    limits = { dailyUsd: 3 };
    const { engine } = await suite.ws.engine({ money });
    await engine.generate({ provider: 'gateway', prompt: 'one', model: 'veo3' });
    assert.strictEqual(sent(), 1);
    await assert.rejects(engine.generate({ provider: 'gateway', prompt: 'two', model: 'veo3' }), (e: unknown) => {
      assert.ok(isOverBudget(e));
      assert.strictEqual(
        e.message,
        "This brings today's spend to $4.00, over your $3.00 daily budget: this create $2.00, today $2.00 so far (charged, waiting and in flight).",
      );
      return true;
    });
    assert.strictEqual(sent(), 1, 'the refused create sent nothing');
    assert.strictEqual(engine.getTasks().length, 1, 'and left no task');
    const anyway = await engine.generate({ provider: 'gateway', prompt: 'two', model: 'veo3' }, { overBudget: true, who: 'ui' });
    assert.strictEqual(anyway.status === 'queued' || anyway.status === 'running', true);
    assert.strictEqual(sent(), 2, 'a person who chose "Send anyway" sends it');
  });

  it('creates started together cannot overspend together', async function () {
    limits = { dailyUsd: 5 };
    const { engine } = await suite.ws.engine({ money });
    const results = await Promise.allSettled(
      [1, 2, 3, 4].map((n) => engine.generate({ provider: 'gateway', prompt: `take ${n}`, model: 'veo3' })),
    );
    assert.strictEqual(results.filter((r) => r.status === 'fulfilled').length, 2);
    assert.ok(results.filter((r) => r.status === 'rejected').every((r) => isOverBudget((r as PromiseRejectedResult).reason)));
    assert.strictEqual(sent(), 2);
  });
});
