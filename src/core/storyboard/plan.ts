// The plan of a render, the way a build system plans: shots in dependency order, and for each whether
// it is up to date. A shot is up to date when its hash (hash.ts) is the one the lockfile records and
// its output is present with the recorded sha256. A shot `after` one that will be rendered is stale
// too; so is one whose upstream frame is not known yet (the render then works out its hash from the
// frame and may still find it up to date).
import type { BlockProvider } from '../request/promptBlocks';
import { shotHash } from './hash';
import { upstreamOf } from './parse';
import type { Lockfile, PlannedShot, RenderHost, Shot, StoryboardPlan } from './types';

/** The shots, each after the one it continues, otherwise in file order. Shots on a cycle come last, in file order. */
export function dependencyOrder(shots: readonly Shot[]): Shot[] {
  const out: Shot[] = [];
  const placed = new Set<Shot>();
  let progress = true;
  while (progress && out.length < shots.length) {
    progress = false;
    for (const shot of shots) {
      if (placed.has(shot)) continue;
      const up = upstreamOf(shot, shots);
      if (up && !placed.has(up)) continue;
      out.push(shot);
      placed.add(shot);
      progress = true;
    }
  }
  return [...out, ...shots.filter((s) => !placed.has(s))];
}

export type PlanHost = Pick<RenderHost, 'shotOutput' | 'sha256'>;

/** The provider a shot's hash resolves defaults from (by the request's provider id). */
export type ProviderOf = (id: string) => Pick<BlockProvider, 'models' | 'options'> | undefined;

export async function planStoryboard(
  shots: readonly Shot[],
  lock: Lockfile | undefined,
  host: PlanHost,
  providerOf: ProviderOf,
): Promise<StoryboardPlan> {
  // Every recorded output is hashed at once: on a storyboard that is up to date, this is the plan's cost.
  const outputs = new Map<string, Promise<string | undefined>>();
  for (const shot of shots) {
    const entry = lock?.shots[shot.id];
    const rel = host.shotOutput(shot.id);
    if (entry && entry.output === rel) outputs.set(shot.id, host.sha256(rel));
  }
  const planned = new Map<string, PlannedShot>();
  const out: PlannedShot[] = [];
  for (const shot of dependencyOrder(shots)) {
    const up = upstreamOf(shot, shots);
    const upPlan = up && planned.get(up.id);
    const entry = lock?.shots[shot.id];
    let p: PlannedShot;
    if (up && (!upPlan || !upPlan.upToDate)) {
      p = { shot, upToDate: false, reason: 'upstream' };
    } else {
      const frame = up ? lock?.shots[up.id]?.lastFrameSha256 : undefined;
      if (up && frame === undefined) {
        p = { shot, upToDate: false, reason: 'upstream' };
      } else {
        const hash = shotHash(shot, providerOf(shot.request.provider), frame);
        const sha = await outputs.get(shot.id);
        const reason = !entry
          ? 'new'
          : entry.hash !== hash
            ? 'changed'
            : entry.output !== host.shotOutput(shot.id) || sha === undefined
              ? 'output-missing'
              : sha !== entry.sha256
                ? 'output-modified'
                : undefined;
        p = reason ? { shot, hash, upToDate: false, reason } : { shot, hash, upToDate: true };
      }
    }
    planned.set(shot.id, p);
    out.push(p);
  }
  // Settle every hashing started, so none is left running (and none rejects unobserved).
  await Promise.allSettled(outputs.values());
  return { shots: out };
}
