// Where a provider's API key comes from: secret storage first, then the environment (remote and
// cloud setups hand secrets to the extension host as variables). Pure, so it is tested in plain Node.
import * as l10n from '@vscode/l10n';

import type { ProviderDescriptor } from './descriptor';

export type KeySource = { kind: 'secret' } | { kind: 'env'; name: string };

export interface ResolvedKey {
  key: string;
  source: KeySource;
}

/** Rejects keys that cannot be HTTP header values; undefined when the key is usable. */
export function validateKeyInput(v: string): string | undefined {
  const k = v.trim();
  if (!k) return l10n.t('Enter the key.');
  if (/[\s\u0000-\u001f\u007f]/.test(k) || /[^\x20-\x7e]/.test(k)) return l10n.t('A key has no spaces or special characters.');
  if (k.length > 4096) return l10n.t('That is too long to be a key.');
  return undefined;
}

/** The variables read for a provider's key, in order: `AIVIDEO_<ID>_API_KEY`, then the descriptor's own. */
export function envKeyNames(provider: Pick<ProviderDescriptor, 'id' | 'envKeys'>): string[] {
  const own = `AIVIDEO_${provider.id.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_API_KEY`;
  return [own, ...(provider.envKeys ?? []).filter((n) => n !== own)];
}

/** The key to use: the stored one when there is one, else the first usable environment variable. */
export function resolveKey(
  provider: Pick<ProviderDescriptor, 'id' | 'envKeys'>,
  stored: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): ResolvedKey | undefined {
  if (stored !== undefined && stored.trim() !== '') return { key: stored.trim(), source: { kind: 'secret' } };
  for (const name of envKeyNames(provider)) {
    const v = env[name]?.trim();
    if (v && validateKeyInput(v) === undefined) return { key: v, source: { kind: 'env', name } };
  }
  return undefined;
}

/** "secret storage", "environment variable OPENAI_API_KEY". */
export function describeKeySource(source: KeySource): string {
  return source.kind === 'secret' ? l10n.t('secret storage') : l10n.t('environment variable {0}', source.name);
}
