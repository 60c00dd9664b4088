// The message protocol between the spending panel (extension host) and the spending webview app:
// what the host shows (the chart's days and series, totals, the costliest takes, budgets, credit) and
// what the webview asks (open a take in the player, export CSV). Types and dependency-free guards only;
// each side ignores what fails its guard.
import { hasKeys, isId, isListOf, isNonNegative, isOptional, isRecord, isText } from '../../shared/guards';

export const MAX_DAYS = 366;
export const MAX_SERIES = 32;
export const MAX_ROWS = 500;

/** One provider's bars: USD per day, in the order of `days`. */
export interface SpendingSeries {
  label: string;
  values: number[];
}

export interface SpendingRow {
  label: string;
  /** "$4.10". */
  amount: string;
}

export interface SpendingTake {
  taskId: string;
  label: string;
  amount: string;
  /** "estimate" or "reported", localized. */
  detail: string;
  /** The task is still in the history with a video to play. */
  playable: boolean;
}

export interface SpendingView {
  /** Local days, oldest first ("2026-03-10"). */
  days: string[];
  series: SpendingSeries[];
  /** Headline lines: today, the period's total, the budgets, the provider's remaining credit. */
  lines: string[];
  byProvider: SpendingRow[];
  byModel: SpendingRow[];
  top: SpendingTake[];
}

export interface SpendingShowMessage {
  type: 'show';
  view: SpendingView;
}

export type SpendingHostMessage = SpendingShowMessage;

export type SpendingWebviewMessage = { type: 'ready' } | { type: 'open'; taskId: string } | { type: 'exportCsv' };

const isAmount = (v: unknown): v is number => isNonNegative(v);
const isRow = (x: unknown): x is SpendingRow => isRecord(x) && hasKeys(x, ['label', 'amount']) && isText(x.label) && isText(x.amount, 40);
const isLine = (x: unknown): x is string => isText(x);
const isDay = (x: unknown): x is string => typeof x === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(x);

function isSeries(x: unknown, days: number): x is SpendingSeries {
  return (
    isRecord(x) &&
    hasKeys(x, ['label', 'values']) &&
    isText(x.label, 200) &&
    isListOf(x.values, isAmount, MAX_DAYS) &&
    (x.values as number[]).length === days
  );
}

function isTake(x: unknown): x is SpendingTake {
  return (
    isRecord(x) &&
    hasKeys(x, ['taskId', 'label', 'amount', 'detail', 'playable']) &&
    isId(x.taskId) &&
    isText(x.label) &&
    isText(x.amount, 40) &&
    isText(x.detail, 200) &&
    typeof x.playable === 'boolean'
  );
}

export function isSpendingView(x: unknown): x is SpendingView {
  if (!isRecord(x) || !hasKeys(x, ['days', 'series', 'lines', 'byProvider', 'byModel', 'top'])) return false;
  if (!isListOf(x.days, isDay, MAX_DAYS)) return false;
  const n = (x.days as string[]).length;
  return (
    isListOf(x.series, (s): s is SpendingSeries => isSeries(s, n), MAX_SERIES) &&
    isListOf(x.lines, isLine, 20) &&
    isListOf(x.byProvider, isRow, MAX_ROWS) &&
    isListOf(x.byModel, isRow, MAX_ROWS) &&
    isListOf(x.top, isTake, 100)
  );
}

export function isSpendingHostMessage(x: unknown): x is SpendingHostMessage {
  return isRecord(x) && x.type === 'show' && hasKeys(x, ['type', 'view']) && isSpendingView(x.view);
}

export function isSpendingWebviewMessage(x: unknown): x is SpendingWebviewMessage {
  if (!isRecord(x)) return false;
  if (x.type === 'ready' || x.type === 'exportCsv') return hasKeys(x, ['type']);
  if (x.type === 'open') return hasKeys(x, ['type', 'taskId']) && isId(x.taskId);
  return false;
}

/** The chart's scale: a round top value at or above the largest day's total. */
export function chartTop(series: readonly SpendingSeries[], days: number): number {
  let max = 0;
  for (let d = 0; d < days; d++) {
    max = Math.max(
      max,
      series.reduce((s, x) => s + (x.values[d] ?? 0), 0),
    );
  }
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) if (max <= m * p) return m * p;
  return 10 * p;
}

export { isOptional };
