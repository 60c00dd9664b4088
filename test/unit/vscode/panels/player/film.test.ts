// The player's film view in plain Node: what it says of a storyboard's film (filmPage.ts), and the
// protocol's film messages and saved state, which both sides check at runtime (playerProtocol.ts).
import * as assert from 'assert';

import type { Lockfile, LockShot } from '../../../../../src/core/storyboard/types';
import { filmMeta, type FilmFacts } from '../../../../../src/vscode/panels/player/filmPage';
import {
  FILM_ACTIONS,
  isFilmPlayerState,
  isHostMessage,
  isPlayerState,
  isTaskPlayerState,
  isWebviewMessage,
  MAX_FILM_SHOTS,
  type ShowFilmMessage,
} from '../../../../../src/webview/player/playerProtocol';

const SHA = 'a'.repeat(64);

function shot(over: Partial<LockShot> = {}): LockShot {
  return { hash: SHA, provider: 'pika', model: 'pika-2.2', output: 'generated-videos/fox/x.mp4', sha256: SHA, ...over };
}

function facts(over: Partial<FilmFacts> = {}): FilmFacts {
  const lock: Lockfile = {
    version: 1,
    shots: {
      chase: shot({ jobId: 'job-2', cost: { amount: 0.25, currency: 'USD' } }),
      opening: shot({ jobId: 'job-1', cost: { amount: 0.2, currency: 'USD' } }),
    },
    film: { output: 'generated-videos/fox.mp4', sha256: SHA },
  };
  return {
    name: 'fox',
    storyboard: 'fox.md',
    file: 'generated-videos/fox.mp4',
    shotIds: ['opening', 'chase'],
    lock,
    ...over,
  };
}

describe('player film view (filmPage)', () => {
  it('lists the shots in the storyboard’s order, with what the lockfile recorded, and the total cost', () => {
    const meta = filmMeta(facts({ durationOf: (s) => (s.jobId === 'job-1' ? 5 : undefined) }));
    assert.deepStrictEqual(meta, {
      title: 'fox',
      storyboard: 'fox.md',
      file: 'generated-videos/fox.mp4',
      shots: [
        { id: 'opening', model: 'pika · pika-2.2', duration: 5, cost: '$0.20' },
        { id: 'chase', model: 'pika · pika-2.2', cost: '$0.25' },
      ],
      cost: '$0.45',
    });
  });

  it('says "at least" when a shot has no recorded cost, and gives no total for mixed currencies', () => {
    const partial = facts();
    delete partial.lock!.shots.chase.cost;
    assert.strictEqual(filmMeta(partial).cost, 'at least $0.20');
    const mixed = facts();
    mixed.lock!.shots.chase.cost = { amount: 3, currency: 'EUR' };
    const meta = filmMeta(mixed);
    assert.strictEqual(meta.cost, undefined);
    assert.strictEqual(meta.shots[1].cost, '3 EUR');
  });

  it('ignores a nonsense duration', () => {
    for (const d of [Number.NaN, -1, Number.POSITIVE_INFINITY]) {
      assert.strictEqual(filmMeta(facts({ durationOf: () => d })).shots[0].duration, undefined, String(d));
    }
  });

  it('notes a film the lockfile does not record, a missing lockfile, and shots the lockfile lacks', () => {
    assert.strictEqual(filmMeta(facts()).note, undefined);
    const unrecorded = facts();
    delete unrecorded.lock!.film;
    assert.match(filmMeta(unrecorded).note ?? '', /does not record this film/);
    const none = filmMeta(facts({ lock: undefined }));
    assert.match(none.note ?? '', /no readable lockfile/);
    assert.deepStrictEqual(none.shots, [{ id: 'opening' }, { id: 'chase' }]);
    assert.strictEqual(none.cost, undefined);
    assert.match(filmMeta(facts({ shotIds: ['opening', 'chase', 'finale'] })).note ?? '', /not in the lockfile/);
  });

  it('falls back to the lockfile’s shots when the storyboard cannot be read', () => {
    assert.deepStrictEqual(
      filmMeta(facts({ shotIds: undefined })).shots.map((s) => s.id),
      ['chase', 'opening'],
    );
  });

  it('gives a message the webview accepts, even for a huge storyboard', () => {
    const key = 'file:///project/fox.md';
    const many = Array.from({ length: MAX_FILM_SHOTS + 50 }, (_, i) => `s${i}`);
    for (const f of [facts(), facts({ lock: undefined }), facts({ shotIds: many, name: 'x'.repeat(10_000) })]) {
      const message: ShowFilmMessage = { type: 'showFilm', film: key, video: { src: 'https://x/f.mp4' }, meta: filmMeta(f) };
      assert.ok(isHostMessage(structuredClone(message)), JSON.stringify(message).slice(0, 200));
    }
  });
});

describe('player protocol: films', () => {
  const key = 'file:///project/fox.md';
  const show: ShowFilmMessage = { type: 'showFilm', film: key, video: { src: 'https://x/f.mp4' }, meta: filmMeta(facts()) };
  const playback = {
    type: 'filmPlayback',
    film: key,
    currentTime: 1,
    duration: 10,
    paused: false,
    readyState: 4,
    videoWidth: 320,
    videoHeight: 180,
  };

  it('accepts the film messages of both sides', () => {
    assert.ok(isHostMessage(show));
    assert.ok(isHostMessage({ type: 'filmUnavailable', film: key, message: 'There is no film yet.' }));
    assert.ok(isWebviewMessage(playback));
    assert.ok(isWebviewMessage({ type: 'filmMediaError', film: key, message: 'codec' }));
    for (const action of FILM_ACTIONS) assert.ok(isWebviewMessage({ type: 'filmAction', action, film: key }), action);
  });

  it('offers a film no task actions', () => {
    for (const action of ['regenerate', 'continueFromLastFrame', 'saveToWorkspace', 'copyPrompt', 'selectVideo']) {
      assert.strictEqual(isWebviewMessage({ type: 'filmAction', action, film: key }), false, action);
    }
  });

  it('rejects malformed film messages', () => {
    const badHost: unknown[] = [
      { ...show, film: '' },
      { ...show, film: 'https://evil.example/fox.md' },
      { ...show, film: `file:///${'x'.repeat(5000)}` },
      { ...show, extra: 1 },
      { ...show, video: { src: '' } },
      { ...show, meta: { ...show.meta, shots: [{ id: '' }] } },
      { ...show, meta: { ...show.meta, shots: [{ id: 'a', duration: -1 }] } },
      { ...show, meta: { ...show.meta, shots: [{ id: 'a', html: '<b>' }] } },
      { ...show, meta: { ...show.meta, shots: 'opening' } },
      { ...show, meta: { ...show.meta, shots: Array.from({ length: MAX_FILM_SHOTS + 1 }, () => ({ id: 'a' })) } },
      { ...show, meta: { ...show.meta, cost: 3 } },
      { ...show, meta: { ...show.meta, title: undefined } },
      { type: 'filmUnavailable', film: key },
      { type: 'filmUnavailable', taskId: 't1', message: 'x' },
    ];
    for (const m of badHost) assert.strictEqual(isHostMessage(m), false, JSON.stringify(m).slice(0, 160));
    const badWebview: unknown[] = [
      { ...playback, film: 'untitled:fox.md' },
      { ...playback, taskId: 't1' },
      { ...playback, currentTime: -1 },
      { ...playback, readyState: 7 },
      { type: 'filmAction', action: 'openStoryboard' },
      { type: 'filmAction', action: 'openStoryboard', film: key, extra: true },
      { type: 'filmMediaError', film: key, message: 'x'.repeat(100_000) },
    ];
    for (const m of badWebview) assert.strictEqual(isWebviewMessage(m), false, JSON.stringify(m).slice(0, 160));
  });

  it('saves and restores a film as {film}, apart from a task’s {taskId, videoIndex}', () => {
    assert.ok(isFilmPlayerState({ film: key }));
    assert.ok(isPlayerState({ film: key }));
    assert.strictEqual(isTaskPlayerState({ film: key }), false);
    assert.strictEqual(isFilmPlayerState({ taskId: 't1', videoIndex: 0 }), false);
    for (const bad of [{ film: '' }, { film: 'https://x/y.md' }, { film: key, taskId: 't1' }, { film: 42 }]) {
      assert.strictEqual(isPlayerState(bad), false, JSON.stringify(bad));
    }
  });
});
