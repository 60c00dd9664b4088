// The models a provider offers (ProviderDescriptor.models): its fixed list, a settings list and what
// the provider itself lists, the latter cached per provider, base URL and key (and read without
// asking by what must not wait, such as a prompt block's quick fixes).
import { createHash } from 'crypto';

import type { GenerationMode } from '../model/task';
import type { ProviderContext, ProviderDescriptor } from './descriptor';

export const MODEL_LIST_TTL_MS = 10 * 60_000;

/** Fixed models for this mode, then configured ones, then listed ones; each id once. */
export function modelChoices(
  provider: Pick<ProviderDescriptor, 'models'>,
  mode: GenerationMode,
  configured: readonly string[],
  listed: readonly string[],
): string[] {
  const fixed = (provider.models?.fixed ?? []).filter((m) => !m.modes || m.modes.includes(mode)).map((m) => m.id);
  return [...new Set([...fixed, ...configured, ...listed])];
}

export class ModelListCache {
  private readonly entries = new Map<string, { fingerprint: string; baseUrl: string; at: number; ids: string[] }>();

  constructor(
    private readonly ttlMs = MODEL_LIST_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** What the provider lists; asked again when the base URL or key changed, or the answer is older than the TTL. */
  async get(provider: Pick<ProviderDescriptor, 'id' | 'models'>, ctx: ProviderContext): Promise<string[]> {
    const list = provider.models?.list;
    if (!list) return [];
    const fingerprint = `${ctx.baseUrl} ${createHash('sha256').update(ctx.apiKey).digest('hex')}`;
    const cached = this.entries.get(provider.id);
    if (cached && cached.fingerprint === fingerprint && this.now() - cached.at <= this.ttlMs) return cached.ids;
    const ids = await list(ctx);
    this.entries.set(provider.id, { fingerprint, baseUrl: ctx.baseUrl, at: this.now(), ids });
    return ids;
  }

  /**
   * What the provider last listed at this base URL, whatever its age or key, without asking it;
   * undefined when it has not been asked this session. For offers that must not wait on the network
   * (a quick fix): an id the server has dropped since is refused by the server, not sent blindly.
   */
  peek(providerId: string, baseUrl: string): readonly string[] | undefined {
    const cached = this.entries.get(providerId);
    return cached && cached.baseUrl === baseUrl ? cached.ids : undefined;
  }
}
