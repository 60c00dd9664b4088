// The money commands: `aiVideo.quote(request)` (a price, nothing sent), `aiVideo.getSpending({days})`
// (the ledger's totals for scripts) and **AI Video: Show Spending** (the panel). Scripts get plain
// objects; a bad argument rejects with the reason.
import * as vscode from 'vscode';

import { errorMessage } from '../../core/model/errors';
import { activeLimit } from '../../core/money/budget';
import type { SpendingSummary } from '../../core/money/ledger';
import type { PriceQuote } from '../../core/money/quote';
import { parseGenerateRequest } from '../../core/request/requestValidation';
import { PROVIDER_IDS } from '../../providers';
import { CommandContext } from '../commands/context';
import { budgetLimits } from '../config';
import { SpendingPanel } from '../panels/spending/spendingPanel';

/** What `aiVideo.getSpending` resolves with: the ledger's totals and the budgets as they stand today. */
export interface SpendingReport extends SpendingSummary {
  currency: 'USD';
  budgets: { dailyUsd?: number; agentDailyUsd?: number; dailyLeft?: number; agentLeft?: number };
}

const MAX_DAYS = 366;

export async function spendingReport(c: Pick<CommandContext, 'money'>, days: number): Promise<SpendingReport> {
  const summary = await c.money.keeper.summary(days);
  const limits = budgetLimits();
  const daily = activeLimit(limits.dailyUsd);
  const agent = activeLimit(limits.agentDailyUsd);
  const round = (n: number) => Math.round(n * 1e6) / 1e6;
  return {
    ...summary,
    currency: 'USD',
    budgets: {
      ...(daily !== undefined && { dailyUsd: daily, dailyLeft: round(daily - summary.today) }),
      ...(agent !== undefined && { agentDailyUsd: agent, agentLeft: round(agent - summary.todayAgent) }),
    },
  };
}

export function registerMoneyCommands(c: CommandContext): void {
  c.register('aiVideo.quote', async (_call, request): Promise<PriceQuote> => {
    let req;
    try {
      req = parseGenerateRequest(request, PROVIDER_IDS);
    } catch (e) {
      throw new Error(errorMessage(e));
    }
    return c.money.quoteLoaded(req);
  });
  c.register('aiVideo.getSpending', async (call): Promise<SpendingReport> => {
    const raw = call.options?.days;
    if (raw !== undefined && !(typeof raw === 'number' && Number.isInteger(raw) && raw >= 1 && raw <= MAX_DAYS)) {
      throw new Error(vscode.l10n.t('"days" must be a whole number from 1 to {0}.', MAX_DAYS));
    }
    return spendingReport(c, typeof raw === 'number' ? raw : 30);
  });
  c.register('aiVideo.showSpending', () => {
    SpendingPanel.show(c);
  });
}
