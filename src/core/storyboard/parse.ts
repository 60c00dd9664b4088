// Reading a storyboard: the ```video blocks of a Markdown text that carry an `id:` are its shots
// (the prompt-block parser reads them, core/request/promptBlocks.ts); `after: <id>` chains a shot to
// another's last frame. The problems: a duplicate or unknown id, a cycle, `after` on a model that
// takes no first frame, and an `image:` beside `after:`.
import * as l10n from '@vscode/l10n';

import { literal } from '../../shared/links';
import { findVideoBlocks, providerOf, readVideoBlock, type BlockEntry, type PromptCatalog } from '../request/promptBlocks';
import type { ParsedStoryboard, Shot, StoryboardProblem } from './types';

/** A shot id: what a file name and a lockfile key can hold. */
export const SHOT_ID_PATTERN = /^[A-Za-z0-9][\w-]{0,63}$/;

const entryOf = (entries: readonly BlockEntry[], key: string) => entries.find((e) => e.key.toLowerCase() === key);

/** Whether a Markdown text is a storyboard: some ```video block carries an `id:`. */
export function isStoryboard(text: string): boolean {
  return findVideoBlocks(text).some((b) => entryOf(b.entries, 'id'));
}

export function parseStoryboard(text: string, catalog: PromptCatalog): ParsedStoryboard {
  const problems: StoryboardProblem[] = [];
  const shots: Shot[] = [];
  const seen = new Map<string, Shot>();
  for (const block of findVideoBlocks(text)) {
    const idEntry = entryOf(block.entries, 'id');
    if (!idEntry) continue;
    const id = idEntry.value;
    if (!SHOT_ID_PATTERN.test(id)) {
      problems.push({
        severity: 'error',
        message: l10n.t('id: use letters, digits, - and _ (up to 64), starting with a letter or digit.'),
        span: idEntry.valueSpan,
      });
      continue;
    }
    const reading = readVideoBlock(block, catalog);
    for (const p of reading.problems) problems.push({ ...p, shotId: id });
    const afterEntry = entryOf(block.entries, 'after');
    const shot: Shot = {
      id,
      index: shots.length,
      request: reading.request,
      mode: reading.mode,
      block,
      idSpan: idEntry.valueSpan,
      ...(afterEntry?.value ? { after: afterEntry.value } : {}),
    };
    const twin = seen.get(id.toLowerCase());
    if (twin) {
      problems.push({
        severity: 'error',
        message: l10n.t('The id "{0}" is already used by the shot at line {1}.', id, twin.block.fenceLine + 1),
        span: idEntry.valueSpan,
        shotId: id,
      });
      continue;
    }
    seen.set(id.toLowerCase(), shot);
    shots.push(shot);
    if (afterEntry && !afterEntry.value) {
      problems.push({ severity: 'error', message: l10n.t('"{0}" needs a value.', afterEntry.key), span: afterEntry.keySpan, shotId: id });
    }
    if (!afterEntry?.value) continue;
    const image = entryOf(block.entries, 'image');
    if (image?.value) {
      problems.push({
        severity: 'error',
        message: l10n.t('image: this shot starts on the last frame of "{0}" (after:); remove one of the two.', afterEntry.value),
        span: image.keySpan,
        shotId: id,
      });
    }
    const provider = providerOf(block, catalog);
    const model = reading.request.model ? catalog.model?.(provider, reading.request.model) : undefined;
    if (!provider.modes.includes('image-to-video') || model?.capabilities.frames?.first === false) {
      const name = reading.request.model ?? provider.label;
      problems.push({
        severity: 'error',
        message: l10n.t('after: {0} takes no first-frame image, so it cannot continue another shot.', name),
        span: afterEntry.keySpan,
        shotId: id,
      });
    }
  }
  // `after` names a shot of this storyboard, and following the chain never comes back.
  const byId = new Map(shots.map((s) => [s.id.toLowerCase(), s]));
  for (const shot of shots) {
    if (shot.after === undefined) continue;
    const span = entryOf(shot.block.entries, 'after')!.valueSpan;
    if (!byId.has(shot.after.toLowerCase())) {
      problems.push({
        severity: 'error',
        message: l10n.t('after: there is no shot with the id "{0}".', literal(shot.after)),
        span,
        shotId: shot.id,
      });
      continue;
    }
    const chain = cycleFrom(shot, byId);
    if (chain) {
      problems.push({
        severity: 'error',
        message: l10n.t('after: these shots wait on each other in a circle: {0}.', chain.join(' → ')),
        span,
        shotId: shot.id,
      });
    }
  }
  return { shots, problems };
}

/** The ids around the cycle `shot` is on (starting and ending with it), or undefined when it is on none. */
function cycleFrom(shot: Shot, byId: ReadonlyMap<string, Shot>): string[] | undefined {
  const path = [shot.id];
  const visited = new Set<string>([shot.id.toLowerCase()]);
  let at: Shot | undefined = shot;
  while (at?.after !== undefined) {
    const next = byId.get(at.after.toLowerCase());
    if (!next) return undefined;
    path.push(next.id);
    if (next === shot) return path;
    if (visited.has(next.id.toLowerCase())) return undefined;
    visited.add(next.id.toLowerCase());
    at = next;
  }
  return undefined;
}

/** The shot `after` names, if any. */
export function upstreamOf(shot: Shot, shots: readonly Shot[]): Shot | undefined {
  const after = shot.after?.toLowerCase();
  return after === undefined ? undefined : shots.find((s) => s.id.toLowerCase() === after);
}
