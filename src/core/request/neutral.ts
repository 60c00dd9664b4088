// The provider-neutral words of a request (duration, resolution), read the same way by every
// provider: the neutral field first, then the places older requests put them (OpenAI's
// `options.seconds`, the gateway's `options.duration`, HiDream's `options.resolution`), so scripts
// and prompt blocks written before the neutral fields keep working.
import type { GenerateRequest } from '../model/task';

/**
 * The length asked for, in seconds: `duration`, else `options.seconds`, else `options.duration`;
 * undefined when none is given. A legacy value that is not a number reads as NaN, so a check refuses it.
 */
export function durationOf(req: Pick<GenerateRequest, 'duration' | 'options'>): number | undefined {
  if (req.duration !== undefined) return req.duration;
  for (const key of ['seconds', 'duration']) {
    const v = req.options?.[key];
    if (v === undefined || v === null) continue;
    if (typeof v === 'number') return v;
    return typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  }
  return undefined;
}

/** The resolution asked for: `resolution`, else `options.resolution` (a number reads as its digits); undefined when none. */
export function resolutionOf(req: Pick<GenerateRequest, 'resolution' | 'options'>): string | undefined {
  if (req.resolution !== undefined) return req.resolution;
  const v = req.options?.resolution;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}
