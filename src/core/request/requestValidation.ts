// Checks the argument of `aiVideo.generate(request)` / `api.generate(request)`: it comes from other
// extensions or scripts, so every field is validated and a clear message names the first bad one.
import * as l10n from '@vscode/l10n';

import { GenerateRequest } from '../model/task';

export class RequestError extends Error {}

/** Longest prompt a request may carry; ```video blocks are held to it too (promptBlocks.ts). */
export const MAX_PROMPT_LENGTH = 4000;

const STRING_FIELDS = ['model', 'negativePrompt', 'aspectRatio', 'image', 'lastFrame', 'video', 'pikaffect', 'style'] as const;
const KNOWN = new Set<string>(['provider', 'prompt', 'seed', 'duration', 'resolution', 'audio', 'images', 'options', ...STRING_FIELDS]);

/** The longest video any request may ask for, in seconds. */
export const MAX_DURATION_SECONDS = 600;
/** "720p", "1080p", "4k", "1280x720", "2048". */
const RESOLUTION_PATTERN = /^[0-9A-Za-z*:]{2,16}$/;

/** The request, checked field by field; `providerIds` are the registry's. */
export function parseGenerateRequest(x: unknown, providerIds: readonly string[]): GenerateRequest {
  if (!x || typeof x !== 'object' || Array.isArray(x)) {
    throw new RequestError(l10n.t('The generate request must be an object like {provider, prompt}.'));
  }
  const o = x as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !KNOWN.has(k));
  if (unknown.length) {
    throw new RequestError(
      unknown.length > 1
        ? l10n.t('Unknown fields in the generate request: {0}.', unknown.join(', '))
        : l10n.t('Unknown field in the generate request: {0}.', unknown[0]),
    );
  }
  if (typeof o.provider !== 'string' || !providerIds.includes(o.provider)) {
    throw new RequestError(l10n.t('"provider" must be one of {0}.', providerIds.join(', ')));
  }
  if (o.prompt !== undefined && typeof o.prompt !== 'string') throw new RequestError(l10n.t('"prompt" must be a string.'));
  const req: GenerateRequest = { provider: o.provider, prompt: typeof o.prompt === 'string' ? o.prompt : '' };
  if (req.prompt.length > MAX_PROMPT_LENGTH) throw new RequestError(l10n.t('"prompt" is too long (4000 characters at most).'));
  for (const k of STRING_FIELDS) {
    const v = o[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string' || v.trim() === '') throw new RequestError(l10n.t('"{0}" must be a non-empty string.', k));
    req[k] = v.trim();
  }
  if (o.seed !== undefined && o.seed !== null) {
    if (typeof o.seed !== 'number' || !Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff) {
      throw new RequestError(l10n.t('"seed" must be a whole number from 0 to 4294967295.'));
    }
    req.seed = o.seed;
  }
  if (o.duration !== undefined && o.duration !== null) {
    if (typeof o.duration !== 'number' || !Number.isFinite(o.duration) || o.duration <= 0 || o.duration > MAX_DURATION_SECONDS) {
      throw new RequestError(l10n.t('"duration" must be a number of seconds above 0 and at most {0}.', MAX_DURATION_SECONDS));
    }
    req.duration = o.duration;
  }
  if (o.resolution !== undefined && o.resolution !== null) {
    if (typeof o.resolution !== 'string' || !RESOLUTION_PATTERN.test(o.resolution.trim())) {
      throw new RequestError(l10n.t('"resolution" must be a resolution like "720p" or "1080p".'));
    }
    req.resolution = o.resolution.trim();
  }
  if (o.audio !== undefined && o.audio !== null) {
    if (typeof o.audio !== 'boolean') throw new RequestError(l10n.t('"audio" must be true or false.'));
    req.audio = o.audio;
  }
  if (o.images !== undefined && o.images !== null) {
    if (!Array.isArray(o.images) || o.images.some((i) => typeof i !== 'string' || i.trim() === '')) {
      throw new RequestError(l10n.t('"images" must be a list of paths or URLs.'));
    }
    if (o.images.length > 10) throw new RequestError(l10n.t('"images" takes at most 10 images.'));
    req.images = (o.images as string[]).map((i) => i.trim());
  }
  if (o.options !== undefined && o.options !== null) {
    if (typeof o.options !== 'object' || Array.isArray(o.options)) throw new RequestError(l10n.t('"options" must be an object.'));
    req.options = { ...(o.options as Record<string, unknown>) };
  }
  return req;
}
