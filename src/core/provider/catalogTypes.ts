// What a model is, as data: what it accepts (capabilities), what it costs (prices) and whether it is
// still served (lifecycle). Models are born and retired monthly, so none of this is a constant in a
// provider file: a provider publishes it (OpenRouter's catalogue), a dated snapshot bundled with the
// extension stands in when it cannot be had, and providers that publish nothing describe their own.
// Types only: the catalogue that fetches, caches and answers lives beside it (catalog.ts).
import type { GenerationMode } from '../model/task';

/**
 * What a model accepts. A list left undefined is unknown: nothing is offered or refused on its
 * account; an empty list means the model takes no choice of it (a request that gives one is refused).
 * A flag left undefined is unknown too; false means the model does not take it.
 */
export interface ModelCapabilities {
  /** Lengths it makes, in seconds, ascending. */
  durations?: readonly number[];
  /** The length it makes when none is asked for. */
  defaultDuration?: number;
  /** Resolutions such as "720p", in the provider's order (the first is the default when none is given). */
  resolutions?: readonly string[];
  /**
   * Names the provider maps onto its own resolutions, lower case ("1080p" -> "2048" where the provider
   * counts in its own terms): a request may give either.
   */
  resolutionAliases?: Readonly<Record<string, string>>;
  /** Width:height ratios such as "16:9". */
  aspectRatios?: readonly string[];
  /** Which frames it takes as images: the first (image-to-video) and the last. */
  frames?: { first: boolean; last: boolean };
  /** How many reference images ("ingredients") it takes at most; 0 when none, undefined when unknown. */
  referenceImages?: number;
  /** It can generate sound. */
  audio?: boolean;
  /** It takes a seed. */
  seed?: boolean;
  /** How long a job typically takes, in seconds: predicts when to poll a provider that reports no progress. */
  typicalRunSeconds?: number;
}

/** One price: USD per second of video or per video, for one resolution or (no resolution) every other. */
export interface PriceRule {
  unit: 'second' | 'video';
  usd: number;
  /** Applies to this resolution only; a rule without one applies to every resolution that has none of its own. */
  resolution?: string;
}

export interface ModelPrices {
  rules: readonly PriceRule[];
  /** Price entries this version does not understand: while any is present, the price is unknown, never wrong. */
  unknown?: readonly string[];
}

export type ModelLifecycle =
  | { state: 'available' }
  | { state: 'deprecated'; date: string }
  /** `hint`: what to use instead, in a few words. */
  | { state: 'retired'; date: string; hint?: string };

export interface CatalogModel {
  id: string;
  label: string;
  modes: readonly GenerationMode[];
  capabilities: ModelCapabilities;
  prices?: ModelPrices;
  lifecycle?: ModelLifecycle;
}

/** Where a provider's model list came from. */
export type CatalogSource = 'provider' | 'bundled' | 'descriptor';

export interface CatalogSnapshot {
  models: readonly CatalogModel[];
  source: CatalogSource;
  /** Epoch ms when it was fetched (provider), or the date it was compiled (bundled, `YYYY-MM-DD`). */
  fetchedAt?: number;
  asOf?: string;
}
