// Money as the UI and the commands see it: quotes for a request (the provider's base URL resolved
// here, the catalogue read from memory or its warm cache), the budget check of a group before any of
// it is sent, and the one question an interactive call may get when a create breaks a budget: a
// notification "… Send anyway?" that the command does not wait for (commands/invocation.ts).
import * as vscode from 'vscode';

import { errorMessage } from '../../core/model/errors';
import type { GenerateRequest, Spender, Task } from '../../core/model/task';
import { isOverBudget, OverBudgetError } from '../../core/money/budget';
import type { MoneyKeeper } from '../../core/money/moneyKeeper';
import { sumQuotes, type PriceQuote } from '../../core/money/quote';
import type { ModelCatalog } from '../../core/provider/catalog';
import { PROVIDERS } from '../../providers';
import { checkedBaseUrl } from '../config';
import { showWarning } from '../notify';

export interface MoneyUi {
  readonly keeper: MoneyKeeper;
  /** The quote from what is in memory now (no I/O): for pickers and lenses. */
  quote(req: GenerateRequest): PriceQuote;
  /** The quote once the provider's catalogue is loaded (its cache, or its first fetch): for `aiVideo.quote`. */
  quoteLoaded(req: GenerateRequest): Promise<PriceQuote>;
  /** Several creates sent together: rejects with OverBudgetError when their sum breaks a budget. */
  admitGroup(reqs: readonly GenerateRequest[], who: Spender, tasks: Iterable<Task>): Promise<void>;
  /**
   * Tells a person their create breaks a budget, in a notification the command does not wait for;
   * "Send anyway" runs `send` (which then sends without the check).
   */
  offerSendAnyway(e: OverBudgetError, send: () => Promise<unknown>, log: { error(m: string): void }): void;
}

function baseUrlOf(provider: string): string {
  const p = PROVIDERS[provider];
  if (!p) return '';
  try {
    return checkedBaseUrl(p);
  } catch {
    return '';
  }
}

export function moneyUi(keeper: MoneyKeeper, catalog: ModelCatalog): MoneyUi {
  return {
    keeper,
    quote: (req) => keeper.quote(req, baseUrlOf(req.provider)),
    async quoteLoaded(req) {
      const base = baseUrlOf(req.provider);
      if (base && req.model) await catalog.models(req.provider, base);
      return keeper.quote(req, base);
    },
    async admitGroup(reqs, who, tasks) {
      if (reqs.length === 0) return;
      await keeper.admit(sumQuotes(reqs.map((r) => keeper.quote(r, baseUrlOf(r.provider)))), who, tasks);
    },
    offerSendAnyway(e, send, log) {
      const anyway = vscode.l10n.t('Send Anyway');
      void showWarning(vscode.l10n.t('{0} Send anyway?', e.message), anyway).then(async (choice) => {
        if (choice !== anyway) return;
        try {
          await send();
        } catch (err) {
          log.error(`Generate failed: ${errorMessage(err)}`);
          void showWarning(errorMessage(err));
        }
      });
    },
  };
}

export { isOverBudget };
