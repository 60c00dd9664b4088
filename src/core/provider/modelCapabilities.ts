// What a catalogued model takes, checked against a request before anything is sent, and told in a
// line for pickers. Pure: the catalogue (catalog.ts) finds the model, these read it. A list the
// catalogue does not know refuses nothing; an empty one means the model takes no choice of it.
import * as l10n from '@vscode/l10n';

import type { GenerateRequest } from '../model/task';
import { durationOf, resolutionOf } from '../request/neutral';
import type { CatalogModel, ModelCapabilities } from './catalogTypes';

/** "4, 6 or 8"; "4 or 8"; "8". */
export function joinOr(values: readonly (string | number)[]): string {
  const items = values.map(String);
  if (items.length <= 1) return items[0] ?? '';
  return l10n.t('{0} or {1}', items.slice(0, -1).join(', '), items[items.length - 1]);
}

/** Whether the model takes this resolution: one it lists (any case), or a name it maps onto one it lists. */
export function acceptsResolution(caps: Pick<ModelCapabilities, 'resolutions' | 'resolutionAliases'>, value: string): boolean {
  if (!caps.resolutions) return true;
  const v = value.trim().toLowerCase();
  const listed = caps.resolutions.map((r) => r.toLowerCase());
  const alias = caps.resolutionAliases?.[v];
  return listed.includes(v) || (alias !== undefined && listed.includes(alias.toLowerCase()));
}

/**
 * A message when the model does not take what the request asks for (a length, resolution or aspect
 * ratio it does not make; a first or last frame, reference images, sound or a seed it does not
 * take), naming what it does take; undefined when nothing known refuses it.
 */
export function checkAgainstModel(model: CatalogModel, req: GenerateRequest): string | undefined {
  const caps = model.capabilities;
  const name = model.label || model.id;
  const duration = durationOf(req);
  if (duration !== undefined && caps.durations && !caps.durations.includes(duration)) {
    return caps.durations.length
      ? l10n.t('{0} takes {1} seconds.', name, joinOr(caps.durations))
      : l10n.t('{0} does not take a duration.', name);
  }
  const resolution = resolutionOf(req);
  if (resolution !== undefined && !acceptsResolution(caps, resolution)) {
    return caps.resolutions?.length
      ? l10n.t('{0} takes the resolution {1}.', name, joinOr(caps.resolutions))
      : l10n.t('{0} does not take a resolution.', name);
  }
  if (req.aspectRatio !== undefined && caps.aspectRatios && !caps.aspectRatios.includes(req.aspectRatio.trim())) {
    return caps.aspectRatios.length
      ? l10n.t('{0} takes the aspect ratio {1}.', name, joinOr(caps.aspectRatios))
      : l10n.t('{0} does not take an aspect ratio.', name);
  }
  if (req.image && caps.frames && !caps.frames.first) return l10n.t('{0} does not take a first frame (an image to start from).', name);
  if (req.lastFrame && caps.frames && !caps.frames.last) return l10n.t('{0} does not take a last frame.', name);
  const references = req.images?.length ?? 0;
  if (references > 0 && caps.referenceImages !== undefined && references > caps.referenceImages) {
    return caps.referenceImages === 0
      ? l10n.t('{0} does not take reference images.', name)
      : l10n.t('{0} takes at most {1} reference images.', name, caps.referenceImages);
  }
  if (req.audio === true && caps.audio === false) return l10n.t('{0} does not generate sound.', name);
  if (req.seed !== undefined && caps.seed === false) return l10n.t('{0} does not take a seed.', name);
  return undefined;
}

/** "4–8 s · 720p/1080p · first+last frame · audio": what the model takes, for pickers (the price is pricing.ts's). */
export function describeCapabilities(model: CatalogModel): string {
  const caps = model.capabilities;
  const parts: string[] = [];
  const d = caps.durations;
  if (d?.length) {
    const min = Math.min(...d);
    const max = Math.max(...d);
    parts.push(min === max ? l10n.t('{0} s', min) : l10n.t('{0}–{1} s', min, max));
  }
  if (caps.resolutions?.length) parts.push(caps.resolutions.join('/'));
  if (caps.frames?.first && caps.frames.last) parts.push(l10n.t('first+last frame'));
  else if (caps.frames?.first) parts.push(l10n.t('first frame'));
  else if (caps.frames?.last) parts.push(l10n.t('last frame'));
  if (caps.referenceImages) {
    parts.push(caps.referenceImages === 1 ? l10n.t('1 reference') : l10n.t('up to {0} references', caps.referenceImages));
  }
  if (caps.audio) parts.push(l10n.t('audio'));
  return parts.join(' · ');
}
