// The provider registry: a provider is one module exporting a descriptor, listed here once.
// Everything else (ids, labels, the generate flow, settings, keys, scripts) iterates this list.
// Every client is guarded: what it answers is sanitized before anything stores or shows it.
import type { ProviderDescriptor } from '../core/provider/descriptor';
import { guardProvider } from '../core/provider/guardedClient';
import { fal } from './fal';
import { gateway } from './gateway';
import { hidream } from './hidream';
import { openai } from './openai';
import { openrouter } from './openrouter';
import { pika } from './pika';
import { replicate } from './replicate';

export const PROVIDER_LIST: readonly ProviderDescriptor[] = [pika, gateway, hidream, openrouter, openai, fal, replicate].map(guardProvider);

export const PROVIDERS: Readonly<Record<string, ProviderDescriptor>> = Object.fromEntries(PROVIDER_LIST.map((p) => [p.id, p]));
export const PROVIDER_IDS: readonly string[] = PROVIDER_LIST.map((p) => p.id);

export function isProviderId(x: unknown): x is string {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(PROVIDERS, x);
}

/** The label of a registered provider; the id itself for one this build lacks (old history). */
export function providerLabel(id: string): string {
  return isProviderId(id) ? PROVIDERS[id].label : id;
}
