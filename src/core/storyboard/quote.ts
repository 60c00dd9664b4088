// The quote for the shots a render will send: each request priced by its model's catalogue entry
// (provider/pricing.ts), summed. One small function, so the money module's quotes can take its place.
import type { GenerateRequest } from '../model/task';
import type { CatalogModel } from '../provider/catalogTypes';
import { priceOf } from '../provider/pricing';
import type { Quote } from './types';

/** The sum of the requests' prices; unknown (no amount) when any one is unknown. */
export async function quoteRequests(
  requests: readonly GenerateRequest[],
  modelOf: (request: GenerateRequest) => Promise<CatalogModel | undefined>,
): Promise<Quote> {
  let amount: number | undefined = 0;
  let estimate = false;
  for (const request of requests) {
    const model = await modelOf(request);
    const price = model ? priceOf(model, request) : undefined;
    if (price?.amount === undefined) amount = undefined;
    else if (amount !== undefined) amount += price.amount;
    if (!price || price.estimate) estimate = true;
  }
  return { ...(amount !== undefined ? { amount: Math.round(amount * 1e6) / 1e6 } : {}), currency: 'USD', estimate };
}
