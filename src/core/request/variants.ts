// Planning a group of generations from one request: several takes of the same request (each with
// its own seed where the provider takes one), or the same prompt sent to several provider/model
// pairs. Pure: the caller sends each planned request through the engine's normal create path.
import * as l10n from '@vscode/l10n';

import { GenerateRequest, ProviderId } from '../model/task';

export const MIN_VARIANTS = 2;
export const MAX_VARIANTS = 4;
const MAX_SEED = 0xffffffff;

/** A message when `count` is not a whole number from 2 to 4, else undefined. */
export function checkVariantCount(count: unknown): string | undefined {
  if (typeof count !== 'number' || !Number.isInteger(count) || count < MIN_VARIANTS || count > MAX_VARIANTS) {
    return l10n.t('The variant count must be a whole number from {0} to {1}.', MIN_VARIANTS, MAX_VARIANTS);
  }
  return undefined;
}

/** A random seed from 0 to 4294967295. */
export function randomSeed(random: () => number = Math.random): number {
  return Math.floor(random() * (MAX_SEED + 1));
}

/**
 * `count` copies of `req` sharing `groupId`. Where `takesSeed` accepts a seed each gets a
 * different one (the request's own seed, if it has one, stays on the first); elsewhere the
 * provider picks and the copies differ by its randomness.
 */
export function planVariants(
  req: GenerateRequest,
  count: number,
  groupId: string,
  takesSeed: (req: GenerateRequest) => boolean,
  random: () => number = Math.random,
): GenerateRequest[] {
  const seeded = takesSeed({ ...req, seed: req.seed ?? 0 });
  const seeds = new Set<number>();
  if (seeded && req.seed !== undefined) seeds.add(req.seed);
  while (seeded && seeds.size < count) seeds.add(randomSeed(random));
  const list = [...seeds];
  return Array.from({ length: count }, (_, i) => {
    const { seed: _seed, ...rest } = req;
    return seeded ? { ...rest, seed: list[i], groupId } : { ...rest, groupId };
  });
}

export interface Target {
  provider: ProviderId;
  model?: string;
}

/**
 * `req` for another provider/model: the prompt, negative prompt, aspect ratio and media carry
 * over; the seed and provider-specific settings (options, Pikaffect, style) only to the same
 * provider, where they mean the same thing.
 */
export function retarget(req: GenerateRequest, target: Target): GenerateRequest {
  const { provider, model, options, pikaffect, style, seed, ...common } = req;
  const same = provider === target.provider;
  const out: GenerateRequest = { ...common, provider: target.provider };
  if (target.model) out.model = target.model;
  else if (same && model) out.model = model;
  if (same) Object.assign(out, options && { options }, pikaffect && { pikaffect }, style && { style }, seed !== undefined && { seed });
  return out;
}

export function targetKey(t: Target): string {
  return `${t.provider}:${t.model ?? ''}`;
}

/**
 * The request and its copies for `extra` pairs, all sharing `groupId`; a pair equal to the request's
 * own is sent once. Pairs `accepts` rejects (e.g. a mode the provider lacks) are left out.
 */
export function planTargets(
  req: GenerateRequest,
  extra: readonly Target[],
  groupId: string,
  accepts: (req: GenerateRequest) => boolean,
): GenerateRequest[] {
  const seen = new Set([targetKey({ provider: req.provider, model: req.model })]);
  const out: GenerateRequest[] = [{ ...req, groupId }];
  for (const t of extra) {
    if (seen.has(targetKey(t))) continue;
    seen.add(targetKey(t));
    const r = retarget(req, t);
    if (accepts(r)) out.push({ ...r, groupId });
  }
  return out;
}
