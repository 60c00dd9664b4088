// Reads a catalogued model from untrusted JSON (a provider's published catalogue, the catalogue's
// cache file): every field is checked and only well-formed values are kept. A price rule that does
// not read is kept as unknown, so the price shows as unknown rather than wrong.
import { isJsonObject, obj } from '../../shared/json';
import { GENERATION_MODES, type GenerationMode } from '../model/task';
import type { CatalogModel, ModelCapabilities, ModelLifecycle, ModelPrices, PriceRule } from './catalogTypes';
import { MODEL_ID_PATTERN } from './descriptor';

const MAX_LIST = 64;
const MAX_WORD = 40;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const isWord = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '' && v.length <= MAX_WORD;
const isPositive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

function words(v: unknown): string[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return [...new Set(v.filter(isWord).map((w) => w.trim()))].slice(0, MAX_LIST);
}

function capabilities(v: unknown): ModelCapabilities {
  const o = obj(v) ?? {};
  const c: ModelCapabilities = {};
  if (Array.isArray(o.durations)) {
    c.durations = [...new Set(o.durations.filter((d): d is number => isPositive(d) && d <= 3600))].sort((a, b) => a - b).slice(0, MAX_LIST);
  }
  if (isPositive(o.defaultDuration)) c.defaultDuration = o.defaultDuration;
  const resolutions = words(o.resolutions);
  if (resolutions) c.resolutions = resolutions;
  if (isJsonObject(o.resolutionAliases)) {
    const aliases = Object.entries(o.resolutionAliases).filter((e): e is [string, string] => isWord(e[0]) && isWord(e[1]));
    if (aliases.length) c.resolutionAliases = Object.fromEntries(aliases.slice(0, MAX_LIST).map(([k, v]) => [k.toLowerCase(), v]));
  }
  const aspects = words(o.aspectRatios);
  if (aspects) c.aspectRatios = aspects;
  const frames = obj(o.frames);
  if (frames && typeof frames.first === 'boolean' && typeof frames.last === 'boolean') {
    c.frames = { first: frames.first, last: frames.last };
  }
  if (typeof o.referenceImages === 'number' && Number.isInteger(o.referenceImages) && o.referenceImages >= 0 && o.referenceImages <= 100) {
    c.referenceImages = o.referenceImages;
  }
  if (typeof o.audio === 'boolean') c.audio = o.audio;
  if (typeof o.seed === 'boolean') c.seed = o.seed;
  if (isPositive(o.typicalRunSeconds)) c.typicalRunSeconds = o.typicalRunSeconds;
  return c;
}

function prices(v: unknown): ModelPrices | undefined {
  const o = obj(v);
  if (!o || !Array.isArray(o.rules)) return undefined;
  const rules: PriceRule[] = [];
  const unknown: string[] = Array.isArray(o.unknown) ? o.unknown.filter((u): u is string => typeof u === 'string').slice(0, MAX_LIST) : [];
  for (const r of o.rules.slice(0, MAX_LIST)) {
    const rule = obj(r);
    const usdOk = typeof rule?.usd === 'number' && Number.isFinite(rule.usd) && rule.usd >= 0;
    const ok = rule && (rule.unit === 'second' || rule.unit === 'video') && usdOk;
    if (!ok || (rule.resolution !== undefined && !isWord(rule.resolution))) {
      unknown.push('unreadable price rule');
      continue;
    }
    const resolution = rule.resolution !== undefined ? { resolution: (rule.resolution as string).trim() } : {};
    rules.push({ unit: rule.unit as PriceRule['unit'], usd: rule.usd as number, ...resolution });
  }
  return { rules, ...(unknown.length ? { unknown } : {}) };
}

function lifecycle(v: unknown): ModelLifecycle | undefined {
  const o = obj(v);
  if (!o) return undefined;
  if (o.state === 'available') return { state: 'available' };
  if (typeof o.date !== 'string' || !DATE.test(o.date)) return undefined;
  if (o.state === 'deprecated') return { state: 'deprecated', date: o.date };
  if (o.state !== 'retired') return undefined;
  const hint = typeof o.hint === 'string' && o.hint.trim() && o.hint.length <= 300 ? { hint: o.hint.trim() } : {};
  return { state: 'retired', date: o.date, ...hint };
}

/** One model, or undefined when its id or modes do not read. */
export function parseCatalogModel(v: unknown): CatalogModel | undefined {
  const o = obj(v);
  if (!o || typeof o.id !== 'string' || !MODEL_ID_PATTERN.test(o.id)) return undefined;
  const isMode = (m: unknown): m is GenerationMode => (GENERATION_MODES as readonly unknown[]).includes(m);
  const modes = Array.isArray(o.modes) ? [...new Set(o.modes.filter(isMode))] : [];
  if (modes.length === 0) return undefined;
  const label = typeof o.label === 'string' && o.label.trim() && o.label.length <= 200 ? o.label.trim() : o.id;
  const model: CatalogModel = { id: o.id, label, modes, capabilities: capabilities(o.capabilities) };
  const p = prices(o.prices);
  if (p) model.prices = p;
  const l = lifecycle(o.lifecycle);
  if (l) model.lifecycle = l;
  return model;
}

/** The models of a list that read, each id once (the first wins). */
export function parseCatalogModels(v: unknown): CatalogModel[] {
  if (!Array.isArray(v)) return [];
  const seen = new Set<string>();
  const out: CatalogModel[] = [];
  for (const item of v.slice(0, 2000)) {
    const m = parseCatalogModel(item);
    if (m && !seen.has(m.id)) {
      seen.add(m.id);
      out.push(m);
    }
  }
  return out;
}
