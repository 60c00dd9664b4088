// Small readers for untrusted JSON (provider answers, files, messages): each returns the value in
// the expected shape, or undefined. Pure: every layer may import it.

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
export function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}
/** The one "is this a plain JSON object" guard: an object, not null, not an array. */
export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
export function obj(v: unknown): Record<string, unknown> | undefined {
  return isJsonObject(v) ? v : undefined;
}
/** Only http(s) URLs are accepted from a provider. */
export function httpUrl(v: unknown): string | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  try {
    const u = new URL(v);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}
