// What the engine and the UI ask about money, in one place: the quote for a request (catalogue from
// memory + the user's prices), whether a create may go (today's charges from the ledger, the quotes
// of the creates waiting and in flight, the budgets), charging a finished task into the ledger, and
// the totals for the status bar, the spending panel and `aiVideo.getSpending`. No `vscode`: the
// settings come in as functions, so the extension, the tests and the benchmark build it alike.
import { Emitter, Event, Logger } from '../model/events';
import { isActive, Spender, Task, type GenerateRequest } from '../model/task';
import type { ModelCatalog } from '../provider/catalog';
import { BudgetLimits, BudgetVerdict, checkBudget, OverBudgetError } from './budget';
import { LedgerRecord, SpendingSummary, SpendLedger, startOfLocalDay, summarize } from './ledger';
import { PriceQuote, quoteRequest, UserPrices } from './quote';

/** What the create path needs of money (core/engine/createQueue.ts). */
export interface CreateMoney {
  /** The quote for a request sent to this base URL, from memory. */
  quote(req: GenerateRequest, baseUrl: string): PriceQuote;
  /** Rejects with OverBudgetError when the create would break a budget. */
  admit(quote: PriceQuote, who: Spender, tasks: Iterable<Task>): Promise<void>;
  /** A task reached its end: its cost goes into the ledger. */
  charge(task: Task): void;
}

export interface MoneyKeeperOptions {
  ledger: SpendLedger;
  catalog?: ModelCatalog;
  /** A provider's name for the basis ("OpenRouter"). */
  providerLabel(id: string): string;
  userPrices(): UserPrices;
  limits(): BudgetLimits;
  now?: () => number;
  log?: Logger;
}

/** What is not yet charged: the quotes of the creates waiting, being sent and at the provider. */
export function pendingQuotes(tasks: Iterable<Task>): { all: number; agent: number } {
  let all = 0;
  let agent = 0;
  for (const t of tasks) {
    if (!isActive(t) || !t.cost) continue;
    all += t.cost.amount;
    if (t.startedBy === 'agent') agent += t.cost.amount;
  }
  return { all, agent };
}

export class MoneyKeeper implements CreateMoney {
  private readonly changed = new Emitter<void>();
  private readonly now: () => number;
  /** Today's charges as last read (for the status bar, which cannot wait). */
  private last: { day: number; spent: number; agent: number; byProvider: Record<string, number> } | undefined;
  /** Charges being written, so a budget check right after a finish counts them. */
  private writing: Promise<void> = Promise.resolve();

  /** Fires when a charge was recorded (in this window). */
  readonly onDidCharge: Event<void> = this.changed.event;

  constructor(private readonly opts: MoneyKeeperOptions) {
    this.now = opts.now ?? Date.now;
  }

  quote(req: GenerateRequest, baseUrl: string): PriceQuote {
    const { catalog } = this.opts;
    const model = req.model && catalog ? catalog.model(req.provider, baseUrl, req.model) : undefined;
    const snap = model && catalog?.peek(req.provider, baseUrl);
    const label = this.opts.providerLabel(req.provider);
    const catalogName = snap ? (snap.source === 'bundled' ? `${label} bundled prices` : `${label} catalogue`) : undefined;
    return quoteRequest(req, { model, userPrices: this.opts.userPrices(), catalogName });
  }

  /** Today's charges (local day), read from the ledger. */
  async today(): Promise<{ spent: number; agent: number; byProvider: Record<string, number> }> {
    await this.writing;
    const now = this.now();
    const s = summarize(await this.opts.ledger.records(startOfLocalDay(now)), now, 1, 0);
    this.last = { day: startOfLocalDay(now), spent: s.today, agent: s.todayAgent, byProvider: s.byProvider };
    return this.last;
  }

  /** Today's charges as last read (undefined before the first read, or once the day changed). */
  todayCached(): { spent: number; agent: number; byProvider: Record<string, number> } | undefined {
    return this.last && this.last.day === startOfLocalDay(this.now()) ? this.last : undefined;
  }

  async verdict(quote: PriceQuote, who: Spender, tasks: Iterable<Task>): Promise<BudgetVerdict> {
    const today = await this.today();
    const pending = pendingQuotes(tasks);
    return checkBudget({
      quote,
      who,
      spentToday: today.spent,
      spentTodayAgent: today.agent,
      pending: pending.all,
      pendingAgent: pending.agent,
      limits: this.opts.limits(),
    });
  }

  async admit(quote: PriceQuote, who: Spender, tasks: Iterable<Task>): Promise<void> {
    const v = await this.verdict(quote, who, tasks);
    if (!v.ok) throw new OverBudgetError(v);
  }

  charge(task: Task): void {
    const cost = task.cost;
    if (!cost) return;
    const record: LedgerRecord = {
      at: this.now(),
      provider: task.provider,
      model: task.model,
      taskId: task.id,
      amount: cost.amount,
      source: cost.source,
      who: task.startedBy ?? 'script',
    };
    this.writing = this.writing
      .then(() => this.opts.ledger.append(record))
      .then(
        () => this.changed.fire(),
        (e: unknown) => this.opts.log?.warn(`Could not record the cost of task ${task.id} in the spend ledger: ${String(e)}`),
      );
  }

  /** Totals over the last `days` local days (today included). */
  async summary(days = 30, top = 20): Promise<SpendingSummary> {
    await this.writing;
    const now = this.now();
    const records = await this.opts.ledger.records(startOfLocalDay(now) - (days + 1) * 86_400_000);
    return summarize(records, now, days, top);
  }

  /** Every record over the last `days` days, for the CSV export. */
  async records(days: number): Promise<LedgerRecord[]> {
    await this.writing;
    return this.opts.ledger.records(startOfLocalDay(this.now()) - (days + 1) * 86_400_000);
  }

  /** Waits for charges being written. */
  flush(): Promise<void> {
    return this.writing;
  }
}
