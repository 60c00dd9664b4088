// The lockfile `<name>.storyboard.lock.json` beside a storyboard: per shot what was made (hash,
// provider, model, seed, job id, cost, output path and sha256) and the film's path and sha256. Made to
// be committed and diffed: keys sorted, two-space indent, one trailing newline, so the same content is
// always the same text. Reading it checks every field: a hand-edited or damaged lockfile is refused
// with a message (the render then treats every shot as new), never trusted half-way.
import * as l10n from '@vscode/l10n';

import { isJsonObject, num } from '../../shared/json';
import { sortKeys } from './hash';
import { SHOT_ID_PATTERN } from './parse';
import type { Lockfile, LockShot } from './types';

export const LOCKFILE_SUFFIX = '.storyboard.lock.json';

const SHA256 = /^[0-9a-f]{64}$/;

/** The lockfile's text: sorted keys, stable formatting. */
export function formatLock(lock: Lockfile): string {
  return `${JSON.stringify(sortKeys(lock), null, 2)}\n`;
}

/** A root-relative path as the lockfile keeps it: `/`-separated, not absolute, never climbing out. */
export function isRelativePath(p: unknown): p is string {
  if (typeof p !== 'string' || p === '' || p.length > 1000) return false;
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p) || p.includes('\\')) return false;
  return p.split('/').every((part) => part !== '' && part !== '..' && part !== '.');
}

function isText(v: unknown, max = 200): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= max;
}

function readShot(v: unknown): LockShot | undefined {
  if (!isJsonObject(v)) return undefined;
  const { hash, provider, model, seed, jobId, cost, output, sha256, lastFrameSha256 } = v;
  if (typeof hash !== 'string' || !SHA256.test(hash) || !isText(provider) || !isText(model)) return undefined;
  if (!isRelativePath(output) || typeof sha256 !== 'string' || !SHA256.test(sha256)) return undefined;
  const shot: LockShot = { hash, provider, model, output, sha256 };
  if (seed !== undefined) {
    if (typeof seed !== 'number' || !Number.isInteger(seed)) return undefined;
    shot.seed = seed;
  }
  if (jobId !== undefined) {
    if (!isText(jobId, 500)) return undefined;
    shot.jobId = jobId;
  }
  if (cost !== undefined) {
    const amount = isJsonObject(cost) ? num(cost.amount) : undefined;
    if (!isJsonObject(cost) || amount === undefined || amount < 0 || !isText(cost.currency, 10)) return undefined;
    shot.cost = { amount, currency: cost.currency };
  }
  if (lastFrameSha256 !== undefined) {
    if (typeof lastFrameSha256 !== 'string' || !SHA256.test(lastFrameSha256)) return undefined;
    shot.lastFrameSha256 = lastFrameSha256;
  }
  return shot;
}

/** Reads a lockfile's text; `{error}` says what is wrong with it. */
export function parseLock(text: string): Lockfile | { error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { error: l10n.t('The storyboard lockfile is not valid JSON.') };
  }
  if (!isJsonObject(raw) || raw.version !== 1 || !isJsonObject(raw.shots)) {
    return { error: l10n.t('The storyboard lockfile is not one this version reads (version 1 with "shots").') };
  }
  const lock: Lockfile = { version: 1, shots: {} };
  for (const [id, v] of Object.entries(raw.shots)) {
    const shot = SHOT_ID_PATTERN.test(id) ? readShot(v) : undefined;
    if (!shot) return { error: l10n.t('The storyboard lockfile has an unreadable entry for the shot "{0}".', id.slice(0, 64)) };
    lock.shots[id] = shot;
  }
  if (raw.film !== undefined) {
    const film = raw.film;
    if (!isJsonObject(film) || !isRelativePath(film.output) || typeof film.sha256 !== 'string' || !SHA256.test(film.sha256)) {
      return { error: l10n.t('The storyboard lockfile has an unreadable film entry.') };
    }
    lock.film = { output: film.output, sha256: film.sha256 };
  }
  return lock;
}

/** An empty lockfile. */
export function emptyLock(): Lockfile {
  return { version: 1, shots: {} };
}
