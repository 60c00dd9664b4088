// The hash that says whether a shot changed: its request as resolved, that is its keys plus the
// defaults the provider's descriptor fills in (its first model for the mode, its option fields'
// defaults), never what a fetched catalogue says, so a catalogue refresh makes nothing stale; and
// for a shot `after` another, the sha256 of the frame it starts on.
import { createHash } from 'crypto';

import type { GenerateRequest } from '../model/task';
import { readField, writeField } from '../provider/optionFields';
import type { BlockProvider } from '../request/promptBlocks';
import type { Shot } from './types';

/** The shot's request with the descriptor's defaults filled in where the block leaves a key out. */
export function resolvedRequest(shot: Shot, provider: Pick<BlockProvider, 'models' | 'options'> | undefined): GenerateRequest {
  const req: GenerateRequest = structuredClone(shot.request);
  if (!provider) return req;
  if (req.model === undefined) {
    const model =
      provider.models?.defaultFor?.(shot.mode) ?? provider.models?.fixed?.find((m) => !m.modes || m.modes.includes(shot.mode))?.id;
    if (model) req.model = model;
  }
  for (const field of provider.options) {
    if (field.default === undefined || (field.modes && !field.modes.includes(shot.mode))) continue;
    if (readField(req, field) === undefined) writeField(req, field, field.default);
  }
  return req;
}

/** JSON with every object's keys sorted: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = sortKeys(v);
  }
  return out;
}

/** The shot's hash (hex sha256): its resolved request and, for `after`, the upstream frame's sha256. */
export function shotHash(
  shot: Shot,
  provider: Pick<BlockProvider, 'models' | 'options'> | undefined,
  upstreamFrameSha256?: string,
): string {
  const request = resolvedRequest(shot, provider);
  delete request.groupId;
  const material = { request, ...(shot.after !== undefined ? { after: shot.after, frame: upstreamFrameSha256 ?? '' } : {}) };
  return createHash('sha256').update(canonicalJson(material)).digest('hex');
}
