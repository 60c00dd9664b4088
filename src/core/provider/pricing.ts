// What a request to a catalogued model costs, from its price rules (catalogTypes.ts): per second
// of video or per video, for a resolution or for every other one. A price this version cannot read
// makes the amount unknown, never wrong. Pure: the catalogue finds the model, this prices it.
import * as l10n from '@vscode/l10n';

import { formatUsd } from '../../shared/format';
import type { GenerateRequest } from '../model/task';
import { durationOf, resolutionOf } from '../request/neutral';
import type { CatalogModel, PriceRule } from './catalogTypes';

export interface PriceQuote {
  /** USD; undefined when the price is unknown. */
  amount?: number;
  currency: 'USD';
  /** The request left the length or resolution to the model: the amount is for its default. */
  estimate: boolean;
  /** How it was worked out: "$0.60/s × 8 s at 1080p"; "price unknown" when unknown. */
  basis: string;
}

/** "$0.40", "$0.035": at least two decimals, at most four, no float noise (shared/format.ts). */
export const usd = formatUsd;

function unknown(): PriceQuote {
  return { currency: 'USD', estimate: true, basis: l10n.t('price unknown') };
}

/** The rules that price this resolution: its own where it has any, else the generic ones. */
function rulesFor(rules: readonly PriceRule[], resolution: string | undefined): PriceRule[] {
  const r = resolution?.toLowerCase();
  const own = r === undefined ? [] : rules.filter((x) => x.resolution?.toLowerCase() === r);
  return own.length ? own : rules.filter((x) => x.resolution === undefined);
}

function rateText(rule: PriceRule): string {
  return rule.unit === 'second' ? l10n.t('{0}/s', usd(rule.usd)) : l10n.t('{0}/video', usd(rule.usd));
}

/**
 * The price of `req` on `model`. No resolution in the request: the model's first listed one. No
 * duration: the model's default length, else its shortest.
 */
export function priceOf(model: CatalogModel, req: GenerateRequest): PriceQuote {
  const prices = model.prices;
  if (!prices || prices.unknown?.length || prices.rules.length === 0) return unknown();
  const caps = model.capabilities;
  const askedResolution = resolutionOf(req);
  const resolution = askedResolution ?? caps.resolutions?.[0];
  const askedDuration = durationOf(req);
  const duration = askedDuration ?? caps.defaultDuration ?? (caps.durations?.length ? Math.min(...caps.durations) : undefined);
  const rules = rulesFor(prices.rules, resolution);
  if (rules.length === 0) return unknown();
  let amount = 0;
  const parts: string[] = [];
  for (const rule of rules) {
    if (!(Number.isFinite(rule.usd) && rule.usd >= 0)) return unknown();
    if (rule.unit === 'second') {
      if (duration === undefined || !Number.isFinite(duration)) return unknown();
      amount += rule.usd * duration;
      parts.push(l10n.t('{0} × {1} s', rateText(rule), duration));
    } else {
      amount += rule.usd;
      parts.push(rateText(rule));
    }
  }
  const basis = parts.join(' + ');
  return {
    amount: Math.round(amount * 1e6) / 1e6,
    currency: 'USD',
    // Defaults chosen here decide the amount: a length for a per-second price, a resolution where prices differ by it.
    estimate:
      (rules.some((r) => r.unit === 'second') && askedDuration === undefined) ||
      (askedResolution === undefined && prices.rules.some((r) => r.resolution)),
    basis: resolution !== undefined ? l10n.t('{0} at {1}', basis, resolution) : basis,
  };
}

/** "$3.20", "≈ $3.20" for an estimate, "price unknown". */
export function formatPrice(p: PriceQuote): string {
  if (p.amount === undefined) return l10n.t('price unknown');
  return p.estimate ? l10n.t('≈ {0}', usd(p.amount)) : usd(p.amount);
}

/** The model's rate for pickers, at its first listed resolution: "$0.40/s", "$0.50/video"; "price unknown". */
export function priceLabel(model: CatalogModel): string {
  const prices = model.prices;
  if (!prices || prices.unknown?.length) return l10n.t('price unknown');
  const rules = rulesFor(prices.rules, model.capabilities.resolutions?.[0]);
  if (rules.length === 0 || rules.some((r) => !(Number.isFinite(r.usd) && r.usd >= 0))) return l10n.t('price unknown');
  return rules.map(rateText).join(' + ');
}
