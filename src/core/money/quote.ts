// A quote: what a request will cost, worked out before anything is sent. Prices come from the
// model catalogue (a provider's published prices, fal pricing, bundled entries: provider/pricing.ts)
// and from the user's own prices in `aiVideo.prices`, which map "<provider>" or "<provider>:<model>"
// to `{perSecond}` or `{perVideo}` in USD for providers that publish none (gateways, Pika, HiDream).
// The most specific entry wins: the user's price for the model, then the catalogue's price for the
// model, then the user's price for the whole provider. An unknown price has no amount, never $0.
// Pure and synchronous: the caller finds the catalogue entry (from memory), this prices it.
import * as l10n from '@vscode/l10n';

import { isJsonObject } from '../../shared/json';
import type { GenerateRequest } from '../model/task';
import type { CatalogModel } from '../provider/catalogTypes';
import { priceOf, usd, type PriceQuote } from '../provider/pricing';
import { durationOf } from '../request/neutral';

export type { PriceQuote };

/** One entry of `aiVideo.prices`: USD per second of video and/or per video. */
export interface UserPrice {
  perSecond?: number;
  perVideo?: number;
}

/** `aiVideo.prices` as read: key ("<provider>" or "<provider>:<model>") -> price. */
export type UserPrices = ReadonlyMap<string, UserPrice>;

const KEY = /^[a-z0-9][a-z0-9-]*(:\S{1,200})?$/;
const isPrice = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v < 1e6;

/** Reads `aiVideo.prices`; entries that do not read are left out and named in `problems`. */
export function parseUserPrices(v: unknown): { prices: Map<string, UserPrice>; problems: string[] } {
  const prices = new Map<string, UserPrice>();
  const problems: string[] = [];
  if (v === undefined || v === null) return { prices, problems };
  if (!isJsonObject(v)) return { prices, problems: [l10n.t('aiVideo.prices must be an object.')] };
  for (const [key, raw] of Object.entries(v)) {
    const o = isJsonObject(raw) ? raw : undefined;
    const entry: UserPrice = {};
    if (o && isPrice(o.perSecond)) entry.perSecond = o.perSecond;
    if (o && isPrice(o.perVideo)) entry.perVideo = o.perVideo;
    const extra = o ? Object.keys(o).filter((k) => k !== 'perSecond' && k !== 'perVideo') : [];
    const bad = o && ((o.perSecond !== undefined && !isPrice(o.perSecond)) || (o.perVideo !== undefined && !isPrice(o.perVideo)));
    if (!KEY.test(key) || !o || bad || extra.length || (entry.perSecond === undefined && entry.perVideo === undefined)) {
      problems.push(l10n.t('aiVideo.prices: "{0}" is not "<provider>" or "<provider>:<model>" with perSecond or perVideo in USD.', key));
      continue;
    }
    prices.set(key, entry);
  }
  return { prices, problems };
}

export interface QuoteSources {
  /** The model's catalogue entry (from memory), when the catalogue knows it. */
  model?: CatalogModel;
  /** The user's `aiVideo.prices`. */
  userPrices?: UserPrices;
  /** Whose catalogue priced it, for the basis: "OpenRouter catalogue", "bundled prices". */
  catalogName?: string;
}

/** The quote for `req`: the user's model price, else the catalogue's, else the user's provider price; else unknown. */
export function quoteRequest(req: GenerateRequest, sources: QuoteSources): PriceQuote {
  const { model, userPrices } = sources;
  const own = req.model !== undefined ? userPrices?.get(`${req.provider}:${req.model}`) : undefined;
  if (own) return fromUserPrice(own, req, model);
  if (model) {
    const q = priceOf(model, req);
    if (q.amount !== undefined) return sources.catalogName ? { ...q, basis: `${q.basis} (${sources.catalogName})` } : q;
  }
  const providerWide = userPrices?.get(req.provider);
  if (providerWide) return fromUserPrice(providerWide, req, model);
  return unknownQuote();
}

export function unknownQuote(): PriceQuote {
  return { currency: 'USD', estimate: true, basis: l10n.t('price unknown') };
}

function fromUserPrice(p: UserPrice, req: GenerateRequest, model: CatalogModel | undefined): PriceQuote {
  const caps = model?.capabilities;
  const asked = durationOf(req);
  const duration = asked ?? caps?.defaultDuration ?? (caps?.durations?.length ? Math.min(...caps.durations) : undefined);
  const parts: string[] = [];
  let amount = 0;
  if (p.perSecond !== undefined) {
    if (duration === undefined || !Number.isFinite(duration) || duration < 0) return unknownQuote();
    amount += p.perSecond * duration;
    parts.push(l10n.t('{0} × {1} s', l10n.t('{0}/s', usd(p.perSecond)), duration));
  }
  if (p.perVideo !== undefined) {
    amount += p.perVideo;
    parts.push(l10n.t('{0}/video', usd(p.perVideo)));
  }
  return {
    amount: Math.round(amount * 1e6) / 1e6,
    currency: 'USD',
    estimate: p.perSecond !== undefined && asked === undefined,
    basis: `${parts.join(' + ')} (${l10n.t('your aiVideo.prices')})`,
  };
}

/** Several creates sent together (variants, several models): the sum, unknown when any price is. */
export function sumQuotes(quotes: readonly PriceQuote[]): PriceQuote {
  const unknown = quotes.filter((q) => q.amount === undefined).length;
  if (quotes.length === 0) return { amount: 0, currency: 'USD', estimate: false, basis: '' };
  if (unknown) {
    const known = quotes.reduce((s, q) => s + (q.amount ?? 0), 0);
    return {
      currency: 'USD',
      estimate: true,
      basis:
        unknown === quotes.length
          ? l10n.t('price unknown')
          : l10n.t('price unknown for {0} of {1} creates; the others {2}', unknown, quotes.length, usd(Math.round(known * 1e6) / 1e6)),
    };
  }
  const amount = Math.round(quotes.reduce((s, q) => s + (q.amount ?? 0), 0) * 1e6) / 1e6;
  return {
    amount,
    currency: 'USD',
    estimate: quotes.some((q) => q.estimate),
    basis: quotes.length === 1 ? quotes[0].basis : l10n.t('{0} creates', quotes.length),
  };
}
