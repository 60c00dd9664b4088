// The model catalogue: which models a provider serves at a base URL, what they take, what they cost
// and whether they are still served. Sources, in order: what the provider publishes (fetched when
// the provider is first used, never before; cached on disk per provider and base URL; refreshed in
// the background after a day; a failed refresh keeps the old copy), the snapshot bundled with the
// extension when the live one cannot be had, and the descriptor's own entries. Models a provider
// answered "not found" for are marked in the cache. Lookups (`peek`, `model`, `lifecycleOf`) are
// synchronous and read memory only, so pickers and diagnostics can call them freely.
import { createHash } from 'crypto';
import { promises as fs } from 'fs';
import * as path from 'path';
import * as l10n from '@vscode/l10n';

import { isJsonObject, obj } from '../../shared/json';
import { errorMessage } from '../model/errors';
import type { Logger } from '../model/events';
import type { GenerationMode } from '../model/task';
import { writeFileAtomic } from '../store/atomicFile';
import { parseCatalogModels } from './catalogParse';
import type { CatalogModel, CatalogSnapshot, ModelLifecycle } from './catalogTypes';
import type { ProviderContext, ProviderDescriptor } from './descriptor';
import { retirementIsCertain, retirementOf } from './retirements';

/** What the catalogue needs of a provider. */
export type CatalogProvider = Pick<ProviderDescriptor, 'id' | 'label' | 'catalog'>;

export interface ModelCatalogOptions {
  providers: Readonly<Record<string, CatalogProvider | undefined>>;
  /** Where the cached catalogues are kept, one file per provider and base URL. */
  cacheDir: string;
  /** Epoch ms (default Date.now): the age of a cached catalogue. */
  now?: () => number;
  log?: Logger;
  /** How long a first use waits for the provider's catalogue, ms (default 10 s). */
  waitMs?: number;
  /** How long a fetch may take before it is abandoned, ms (default 30 s). */
  fetchTimeoutMs?: number;
  /** A cached catalogue older than this is refreshed in the background, ms (default 24 h). */
  maxAgeMs?: number;
  /** After a failed fetch, the next one is not tried before this, ms (default 1 min). */
  retryMs?: number;
  /** The key and settings for a provider whose published catalogue is `keyed` (rejects when there is no key). */
  context?(providerId: string): Promise<Pick<ProviderContext, 'apiKey' | 'settings'>>;
}

/** A model's lifecycle as the catalogue, the bundled retirements and "not found" answers tell it. */
export interface LifecycleVerdict {
  state: ModelLifecycle['state'];
  /** `YYYY-MM-DD`. */
  date?: string;
  hint?: string;
  /** Only a certain retirement refuses a request before it is sent; an uncertain one warns. */
  certain: boolean;
  /**
   * Where it comes from: the bundled retirements (`by` names who retired it), the catalogue, or a
   * "model not found" answer at this base URL.
   */
  source: 'retirements' | 'catalog' | 'marked';
  by?: string;
}

export const CATALOG_WAIT_MS = 10_000;
export const CATALOG_MAX_AGE_MS = 24 * 60 * 60_000;
const FETCH_TIMEOUT_MS = 30_000;
const RETRY_MS = 60_000;
const CACHE_VERSION = 1;

interface View {
  snapshot: CatalogSnapshot;
  byId: Map<string, CatalogModel>;
  /** Each model's lifecycle as its source gives it, before "not found" marks. */
  sourceLifecycle: Map<string, ModelLifecycle | undefined>;
}

interface Entry {
  readonly providerId: string;
  readonly baseUrl: string;
  readonly file: string;
  live?: { models: CatalogModel[]; fetchedAt: number };
  /** Model id -> when the provider answered that it does not know it (epoch ms). */
  marks: Map<string, number>;
  loading?: Promise<void>;
  fetching?: Promise<boolean>;
  /** A fetch was tried in this session (so a later use does not wait again). */
  attempted: boolean;
  failedAt?: number;
  saving: Promise<void>;
  view?: View;
}

export class ModelCatalog {
  private readonly entries = new Map<string, Entry>();
  private readonly aborts = new Set<AbortController>();
  private readonly now: () => number;
  private readonly waitMs: number;
  private readonly fetchTimeoutMs: number;
  private readonly maxAgeMs: number;
  private readonly retryMs: number;
  private disposed = false;

  constructor(private readonly opts: ModelCatalogOptions) {
    this.now = opts.now ?? Date.now;
    this.waitMs = opts.waitMs ?? CATALOG_WAIT_MS;
    this.fetchTimeoutMs = opts.fetchTimeoutMs ?? FETCH_TIMEOUT_MS;
    this.maxAgeMs = opts.maxAgeMs ?? CATALOG_MAX_AGE_MS;
    this.retryMs = opts.retryMs ?? RETRY_MS;
  }

  /**
   * The provider's models at this base URL. With no cached copy of what the provider publishes, waits
   * for it (at most `waitMs`); a cached copy is used at once, refreshed in the background once it is
   * older than a day. When the live catalogue cannot be had: the bundled snapshot, then own entries.
   */
  async models(providerId: string, baseUrl: string, opts: { signal?: AbortSignal } = {}): Promise<CatalogSnapshot> {
    const provider = this.opts.providers[providerId];
    if (!provider) return { models: [], source: 'descriptor' };
    const entry = this.entry(providerId, baseUrl);
    await this.load(entry);
    const published = provider.catalog?.published;
    if (published && !this.disposed) {
      const now = this.now();
      const mayTry = entry.failedAt === undefined || now - entry.failedAt >= this.retryMs;
      if (!entry.live && !entry.attempted) await this.wait(this.refresh(entry, provider), opts.signal);
      else if (mayTry && (!entry.live || now - entry.live.fetchedAt >= this.maxAgeMs)) void this.refresh(entry, provider);
    }
    return this.view(entry).snapshot;
  }

  /** What is known now of the provider's models at this base URL, from memory (no I/O); undefined when nothing is. */
  peek(providerId: string, baseUrl: string): CatalogSnapshot | undefined {
    if (!this.opts.providers[providerId]) return undefined;
    const snap = this.view(this.entry(providerId, baseUrl)).snapshot;
    return snap.models.length ? snap : undefined;
  }

  /** One model from memory; undefined when the catalogue does not know it. */
  model(providerId: string, baseUrl: string, modelId: string): CatalogModel | undefined {
    if (!this.opts.providers[providerId]) return undefined;
    return this.view(this.entry(providerId, baseUrl)).byId.get(modelId);
  }

  /** The provider answered that it does not know this model: it is marked retired or unknown at this base URL (kept on disk). */
  async markUnavailable(providerId: string, baseUrl: string, modelId: string): Promise<void> {
    if (!this.opts.providers[providerId]) return;
    const entry = this.entry(providerId, baseUrl);
    await this.load(entry);
    entry.marks.set(modelId, this.now());
    entry.view = undefined;
    await this.save(entry);
  }

  /**
   * The model's lifecycle: a retirement certain at this host (bundled table), a retirement the
   * catalogue states, a "not found" answer here, a bundled retirement elsewhere (uncertain: the name
   * may mean another model on this server), else what the catalogue says; undefined when unknown.
   */
  lifecycleOf(providerId: string, baseUrl: string, modelId: string): LifecycleVerdict | undefined {
    const retirement = retirementOf(providerId, modelId);
    if (retirement && retirementIsCertain(retirement, baseUrl)) {
      return { state: 'retired', date: retirement.date, hint: retirement.hint, certain: true, source: 'retirements', by: retirement.by };
    }
    const known = this.opts.providers[providerId] ? this.view(this.entry(providerId, baseUrl)) : undefined;
    const own = known?.sourceLifecycle.get(modelId);
    if (own?.state === 'retired') {
      return { state: 'retired', date: own.date, ...(own.hint ? { hint: own.hint } : {}), certain: true, source: 'catalog' };
    }
    const marked = this.entries.get(key(providerId, baseUrl))?.marks.get(modelId);
    if (marked !== undefined) {
      const label = this.opts.providers[providerId]?.label ?? providerId;
      return { state: 'retired', date: isoDate(marked), hint: markHint(label), certain: false, source: 'marked' };
    }
    if (retirement) {
      const { by, date } = retirement;
      const hint = l10n.t('{0} was retired at {1} on {2}; on this server the name may mean another model.', modelId, by, date);
      return { state: 'retired', date: retirement.date, hint, certain: false, source: 'retirements', by: retirement.by };
    }
    if (!known?.byId.has(modelId)) return undefined;
    if (own?.state === 'deprecated') return { state: 'deprecated', date: own.date, certain: true, source: 'catalog' };
    return { state: 'available', certain: true, source: 'catalog' };
  }

  /** Ids of the models known at this base URL that are not retired (in this mode, when given), for messages. */
  availableIds(providerId: string, baseUrl: string, mode?: GenerationMode): string[] {
    const snap = this.peek(providerId, baseUrl);
    if (!snap) return [];
    const usable = (m: CatalogModel) =>
      (!mode || m.modes.includes(mode)) && this.lifecycleOf(providerId, baseUrl, m.id)?.state !== 'retired';
    return snap.models.filter(usable).map((m) => m.id);
  }

  /** Abandons fetches under way; lookups keep answering from memory. */
  dispose(): void {
    this.disposed = true;
    for (const a of this.aborts) a.abort();
    this.aborts.clear();
  }

  // ---- internals ---------------------------------------------------------------------------------

  private entry(providerId: string, baseUrl: string): Entry {
    const k = key(providerId, baseUrl);
    let e = this.entries.get(k);
    if (!e) {
      const hash = createHash('sha256').update(baseUrl).digest('hex').slice(0, 16);
      const file = path.join(this.opts.cacheDir, `${providerId}-${hash}.json`);
      e = { providerId, baseUrl, file, marks: new Map(), attempted: false, saving: Promise.resolve() };
      this.entries.set(k, e);
    }
    return e;
  }

  /** Reads the cache file once per entry; anything that does not read is ignored. */
  private load(entry: Entry): Promise<void> {
    entry.loading ??= (async () => {
      let text: string;
      try {
        text = await fs.readFile(entry.file, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
          this.opts.log?.warn(`Model catalogue cache unreadable (${errorMessage(e)}); ignored.`);
        }
        return;
      }
      const cached = readCache(text, entry);
      if (!cached) {
        this.opts.log?.warn(`The cached model catalogue of ${entry.providerId} is not valid; ignored.`);
        return;
      }
      // What this session learned meanwhile wins over the file.
      if (cached.live && (!entry.live || entry.live.fetchedAt < cached.live.fetchedAt)) entry.live = cached.live;
      for (const [id, at] of cached.marks) if (!entry.marks.has(id)) entry.marks.set(id, at);
      entry.view = undefined;
    })();
    return entry.loading;
  }

  /** Fetches what the provider publishes; concurrent calls share one fetch. Resolves with whether it succeeded. */
  private refresh(entry: Entry, provider: CatalogProvider): Promise<boolean> {
    const published = provider.catalog?.published;
    if (!published) return Promise.resolve(false);
    entry.fetching ??= (async () => {
      const abort = new AbortController();
      this.aborts.add(abort);
      const timer = setTimeout(() => abort.abort(), this.fetchTimeoutMs);
      timer.unref?.();
      try {
        const keyed = provider.catalog?.keyed ? await this.keyedContext(provider) : {};
        const fetched = published({ ...keyed, baseUrl: entry.baseUrl, signal: abort.signal, timeoutMs: this.fetchTimeoutMs });
        const answer = await Promise.race([fetched, aborted(abort.signal)]);
        const models = parseCatalogModels(answer);
        if (models.length === 0) throw new Error('the catalogue lists no model');
        const fetchedAt = this.now();
        entry.live = { models, fetchedAt };
        entry.failedAt = undefined;
        // A model the provider lists again is no longer marked.
        for (const m of models) if (m.lifecycle?.state !== 'retired') entry.marks.delete(m.id);
        entry.view = undefined;
        await this.save(entry);
        this.opts.log?.info(`Model catalogue of ${provider.label}: ${models.length} model(s).`);
        return true;
      } catch (e) {
        entry.failedAt = this.now();
        const fallback = entry.live ? 'keeping the cached one' : 'using the bundled one';
        this.opts.log?.warn(`Could not fetch the model catalogue of ${provider.label} (${errorMessage(e)}); ${fallback}.`);
        return false;
      } finally {
        clearTimeout(timer);
        this.aborts.delete(abort);
        entry.attempted = true;
        entry.fetching = undefined;
      }
    })();
    return entry.fetching;
  }

  /** The key and settings a keyed catalogue is fetched with; throws (a failed fetch) without a key. */
  private async keyedContext(provider: CatalogProvider): Promise<Pick<ProviderContext, 'apiKey' | 'settings'>> {
    const ctx = await this.opts.context?.(provider.id);
    if (!ctx?.apiKey) throw new Error(`no ${provider.label} key to fetch its catalogue with`);
    return { apiKey: ctx.apiKey, ...(ctx.settings ? { settings: ctx.settings } : {}) };
  }

  /** Waits for `fetch` at most `waitMs`, or until the caller gives up. */
  private async wait(fetch: Promise<boolean>, signal?: AbortSignal): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.waitMs);
      signal?.addEventListener('abort', () => resolve(), { once: true });
    });
    try {
      await Promise.race([fetch, gaveUp]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Writes the entry's cache file; writes of one entry go one after the other. */
  private save(entry: Entry): Promise<void> {
    const write = async () => {
      const data = {
        version: CACHE_VERSION,
        provider: entry.providerId,
        baseUrl: entry.baseUrl,
        ...(entry.live ? { fetchedAt: entry.live.fetchedAt, models: entry.live.models } : {}),
        unavailable: Object.fromEntries(entry.marks),
      };
      try {
        await writeFileAtomic(entry.file, JSON.stringify(data));
      } catch (e) {
        this.opts.log?.warn(`Could not write the model catalogue cache: ${errorMessage(e)}`);
      }
    };
    entry.saving = entry.saving.then(write);
    return entry.saving;
  }

  private view(entry: Entry): View {
    if (entry.view) return entry.view;
    const sources = this.opts.providers[entry.providerId]?.catalog;
    const base = entry.live?.models ?? sources?.bundled?.models ?? [];
    const models: CatalogModel[] = [];
    const byId = new Map<string, CatalogModel>();
    const sourceLifecycle = new Map<string, ModelLifecycle | undefined>();
    const label = this.opts.providers[entry.providerId]?.label ?? entry.providerId;
    for (const m of [...base, ...(sources?.own ?? [])]) {
      if (byId.has(m.id)) continue;
      const at = entry.marks.get(m.id);
      const marked = at !== undefined && m.lifecycle?.state !== 'retired';
      const shown = marked ? { ...m, lifecycle: { state: 'retired' as const, date: isoDate(at), hint: markHint(label) } } : m;
      models.push(shown);
      byId.set(m.id, shown);
      sourceLifecycle.set(m.id, m.lifecycle);
    }
    const snapshot: CatalogSnapshot = entry.live
      ? { models, source: 'provider', fetchedAt: entry.live.fetchedAt }
      : sources?.bundled
        ? { models, source: 'bundled', asOf: sources.bundled.asOf }
        : { models, source: 'descriptor' };
    entry.view = { snapshot, byId, sourceLifecycle };
    return entry.view;
  }
}

function key(providerId: string, baseUrl: string): string {
  return `${providerId}\n${baseUrl}`;
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function markHint(providerLabel: string): string {
  return l10n.t('{0} answered that it does not know this model (retired or unknown).', providerLabel);
}

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('timed out')), { once: true }));
}

/** The cache file's content, when it is this entry's and reads. */
function readCache(text: string, entry: Entry): { live?: Entry['live']; marks: Map<string, number> } | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const o = obj(json);
  if (!o || o.version !== CACHE_VERSION || o.provider !== entry.providerId || o.baseUrl !== entry.baseUrl) return undefined;
  const marks = new Map<string, number>();
  if (isJsonObject(o.unavailable)) {
    for (const [id, at] of Object.entries(o.unavailable)) if (typeof at === 'number' && Number.isFinite(at) && at > 0) marks.set(id, at);
  }
  if (o.models === undefined) return { marks };
  const models = parseCatalogModels(o.models);
  const fetchedAt = o.fetchedAt;
  if (models.length === 0 || typeof fetchedAt !== 'number' || !Number.isFinite(fetchedAt) || fetchedAt <= 0) return { marks };
  return { live: { models, fetchedAt }, marks };
}
