// Host-side pure part of the player's film view, kept free of `vscode` so it is unit-tested in plain
// Node: what the player says of a storyboard's film (its shots in the storyboard's order, what the
// lockfile recorded of each, the total cost), fitted so the webview's guard accepts it.

import * as l10n from '@vscode/l10n';

import type { Lockfile, LockShot } from '../../../core/storyboard/types';
import { formatUsd } from '../../../shared/format';
import { fitText, MAX_ID_LENGTH } from '../../../shared/guards';
import { shorten } from '../../../shared/text';
import { MAX_FILM_SHOTS, type FilmMeta, type FilmShot } from '../../../webview/player/playerProtocol';

export interface FilmFacts {
  /** The storyboard's name (its file name without `.md`). */
  name: string;
  /** Workspace-relative paths of the storyboard and the film, `/`-separated. */
  storyboard: string;
  file: string;
  /** The shots' ids in file order; undefined when the storyboard could not be read (the lockfile's order then). */
  shotIds: string[] | undefined;
  /** The lockfile, undefined when there is none or it is unreadable. */
  lock: Lockfile | undefined;
  /** A shot's duration in seconds when it is known without opening the file (its task reported it). */
  durationOf?: (shot: LockShot) => number | undefined;
}

function money(amount: number, currency: string): string {
  return currency === 'USD' ? formatUsd(amount) : `${Number(amount.toFixed(4))} ${currency}`;
}

function finite(n: number | undefined): number | undefined {
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** The total of the recorded costs: "$0.40", "at least $0.40" when some shot has none, undefined when none has one or currencies differ. */
function totalCost(shots: (LockShot | undefined)[]): string | undefined {
  const costs = shots.map((s) => s?.cost);
  const known = costs.filter((c): c is { amount: number; currency: string } => !!c && Number.isFinite(c.amount) && c.amount >= 0);
  if (!known.length || new Set(known.map((c) => c.currency)).size > 1) return undefined;
  const sum = money(
    known.reduce((a, c) => a + c.amount, 0),
    known[0].currency,
  );
  return known.length === costs.length ? sum : l10n.t('at least {0}', sum);
}

/** What the player shows of a film. */
export function filmMeta(f: FilmFacts): FilmMeta {
  const ids = (f.shotIds ?? Object.keys(f.lock?.shots ?? {})).slice(0, MAX_FILM_SHOTS);
  const recorded = ids.map((id) => (f.lock && Object.hasOwn(f.lock.shots, id) ? f.lock.shots[id] : undefined));
  const shots = ids.map((id, i): FilmShot => {
    const lock = recorded[i];
    const shot: FilmShot = { id: shorten(id, MAX_ID_LENGTH) };
    if (!lock) return shot;
    shot.model = fitText(`${lock.provider} · ${lock.model}`, 600);
    const duration = finite(f.durationOf?.(lock));
    if (duration !== undefined) shot.duration = duration;
    if (lock.cost && Number.isFinite(lock.cost.amount) && lock.cost.amount >= 0) shot.cost = money(lock.cost.amount, lock.cost.currency);
    return shot;
  });
  const meta: FilmMeta = { title: fitText(f.name), storyboard: fitText(f.storyboard), file: fitText(f.file), shots };
  const cost = totalCost(recorded);
  if (cost) meta.cost = cost;
  if (!f.lock) {
    meta.note = l10n.t(
      'The storyboard has no readable lockfile, so what went into this film is not known. Render the storyboard to record it.',
    );
  } else if (f.lock.film?.output !== f.file) {
    meta.note = l10n.t('The lockfile does not record this film: it may not hold the chosen takes. Render the storyboard to join it again.');
  } else if (recorded.some((s) => !s)) {
    meta.note = l10n.t('Some shots of the storyboard are not in the lockfile: the film may be older than the storyboard.');
  }
  return meta;
}
