// Budget arithmetic: today's spend + waiting + in-flight quotes + the new quote against the daily
// and the agent budget; unknown prices count 0, except for an agent while an agent budget is set.
import * as assert from 'assert';

import { BudgetInput, checkBudget } from '../../../../src/core/money/budget';

const quote = (amount?: number) => ({ ...(amount !== undefined ? { amount } : {}), currency: 'USD' as const, estimate: false, basis: '' });
const input = (o: Partial<BudgetInput>): BudgetInput => ({
  quote: quote(2),
  who: 'script',
  spentToday: 0,
  spentTodayAgent: 0,
  pending: 0,
  pendingAgent: 0,
  limits: {},
  ...o,
});

describe('checkBudget', () => {
  it('no limit (unset or 0): always ok', () => {
    assert.deepStrictEqual(checkBudget(input({ spentToday: 1e5 })), { ok: true, left: {} });
    assert.deepStrictEqual(checkBudget(input({ spentToday: 1e5, limits: { dailyUsd: 0, agentDailyUsd: 0 }, who: 'agent' })), {
      ok: true,
      left: {},
    });
  });

  it('adds today, waiting and in-flight quotes and the new quote; says "budget" with the quote, the spend and the limit', () => {
    const ok = checkBudget(input({ spentToday: 5, pending: 3, limits: { dailyUsd: 10 } }));
    assert.deepStrictEqual(ok, { ok: true, left: { daily: 0 } }, 'exactly at the limit is allowed');
    const over = checkBudget(input({ spentToday: 5, pending: 3.4, quote: quote(4), limits: { dailyUsd: 10 } }));
    assert.ok(!over.ok);
    assert.strictEqual(over.budget, 'daily');
    assert.strictEqual(over.total, 12.4);
    assert.strictEqual(over.limit, 10);
    assert.strictEqual(
      over.message,
      "This brings today's spend to $12.40, over your $10.00 daily budget: this create $4.00, today $8.40 so far (charged, waiting and in flight).",
    );
  });

  it('the agent budget counts only what agents started, and only for an agent', () => {
    const limits = { dailyUsd: 100, agentDailyUsd: 5 };
    const agent = checkBudget(input({ who: 'agent', spentToday: 50, spentTodayAgent: 2, pendingAgent: 2, limits }));
    assert.ok(!agent.ok && agent.budget === 'agent' && agent.total === 6 && agent.message.includes('agent budget'));
    assert.deepStrictEqual(checkBudget(input({ who: 'ui', spentToday: 50, spentTodayAgent: 2, pendingAgent: 2, limits })), {
      ok: true,
      left: { daily: 48 },
    });
    assert.deepStrictEqual(checkBudget(input({ who: 'agent', spentToday: 50, spentTodayAgent: 1, limits })), {
      ok: true,
      left: { daily: 48, agent: 2 },
    });
  });

  it('an unknown price counts 0; an agent with an agent budget is refused unless unknown prices are allowed', () => {
    assert.ok(checkBudget(input({ quote: quote(), spentToday: 10, limits: { dailyUsd: 10 } })).ok);
    assert.ok(checkBudget(input({ who: 'agent', quote: quote(), limits: { dailyUsd: 10 } })).ok, 'no agent budget: allowed');
    const refused = checkBudget(input({ who: 'agent', quote: quote(), limits: { agentDailyUsd: 10 } }));
    assert.ok(!refused.ok && refused.budget === 'agentUnknownPrice');
    assert.ok(refused.message.includes('budget') && refused.message.includes('aiVideo.budget.agentAllowUnknownPrices'));
    assert.ok(checkBudget(input({ who: 'agent', quote: quote(), limits: { agentDailyUsd: 10, agentAllowUnknownPrices: true } })).ok);
  });
});
