// Budget arithmetic, pure: before a create is sent, today's spend (the ledger), the creates waiting
// in the local queue and those in flight (their quotes) and the new quote are added up and compared
// with each limit that applies. A limit of 0 or none is no limit. A price that is unknown counts 0,
// except that while an agent budget is set an agent's create with an unknown price is refused unless
// the user allowed it (`aiVideo.budget.agentAllowUnknownPrices`). Every refusal says "budget" and
// gives the quote, today's spend and the limit; what to do with it (ask, reject, tell the agent) is
// the caller's.
import * as l10n from '@vscode/l10n';

import { formatPrice, usd, type PriceQuote } from '../provider/pricing';
import type { Spender } from './ledger';

export interface BudgetLimits {
  /** USD a day for every create from every source; undefined or 0: no limit. */
  dailyUsd?: number;
  /** USD a day for creates started by the language-model tools; undefined or 0: no limit. */
  agentDailyUsd?: number;
  /** An agent's create whose price is unknown may go while an agent budget is set. */
  agentAllowUnknownPrices?: boolean;
}

export interface BudgetInput {
  quote: PriceQuote;
  who: Spender;
  /** Charged today (the ledger), USD: everything, and what agents started. */
  spentToday: number;
  spentTodayAgent: number;
  /** Quotes of the creates waiting and in flight (not yet charged), USD: everything, and what agents started. */
  pending: number;
  pendingAgent: number;
  limits: BudgetLimits;
}

export type BudgetVerdict =
  | {
      ok: true;
      /** What each budget would leave after this create, USD (only the budgets that are set). */ left: { daily?: number; agent?: number };
    }
  | {
      ok: false;
      budget: 'daily' | 'agent' | 'agentUnknownPrice';
      /** Today's spend with this create, and the limit broken, USD. */
      total: number;
      limit: number;
      message: string;
    };

const round = (n: number) => Math.round(n * 1e6) / 1e6;

/** A limit that is set: a positive finite number; anything else is no limit. */
export function activeLimit(v: number | undefined): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
}

export function checkBudget(input: BudgetInput): BudgetVerdict {
  const { quote, who, limits } = input;
  const price = quote.amount ?? 0;
  const daily = activeLimit(limits.dailyUsd);
  const agent = who === 'agent' ? activeLimit(limits.agentDailyUsd) : undefined;
  const sofar = round(input.spentToday + input.pending);
  const total = round(sofar + price);
  const agentSofar = round(input.spentTodayAgent + input.pendingAgent);
  const agentTotal = round(agentSofar + price);
  if (agent !== undefined && quote.amount === undefined && !limits.agentAllowUnknownPrices) {
    return {
      ok: false,
      budget: 'agentUnknownPrice',
      total: agentTotal,
      limit: agent,
      message: l10n.t(
        'Not sent: the price of this create is unknown, and your agent budget ({0} a day; {1} spent today) refuses unknown prices unless aiVideo.budget.agentAllowUnknownPrices is true.',
        usd(agent),
        usd(agentSofar),
      ),
    };
  }
  if (daily !== undefined && total > daily + 1e-9) {
    return { ok: false, budget: 'daily', total, limit: daily, message: overMessage(quote, sofar, total, daily, l10n.t('daily budget')) };
  }
  if (agent !== undefined && agentTotal > agent + 1e-9) {
    return {
      ok: false,
      budget: 'agent',
      total: agentTotal,
      limit: agent,
      message: overMessage(quote, agentSofar, agentTotal, agent, l10n.t('daily agent budget')),
    };
  }
  const left: { daily?: number; agent?: number } = {};
  if (daily !== undefined) left.daily = round(daily - total);
  if (agent !== undefined) left.agent = round(agent - agentTotal);
  return { ok: true, left };
}

function overMessage(quote: PriceQuote, sofar: number, total: number, limit: number, which: string): string {
  return l10n.t(
    "This brings today's spend to {0}, over your {1} {2}: this create {3}, today {4} so far (charged, waiting and in flight).",
    usd(total),
    usd(limit),
    which,
    formatPrice(quote),
    usd(sofar),
  );
}

/** A create refused by a budget: nothing was sent. */
export class OverBudgetError extends Error {
  constructor(readonly verdict: Extract<BudgetVerdict, { ok: false }>) {
    super(verdict.message);
    this.name = 'OverBudgetError';
  }
}

export function isOverBudget(e: unknown): e is OverBudgetError {
  return e instanceof OverBudgetError || (e instanceof Error && e.name === 'OverBudgetError' && 'verdict' in e);
}
