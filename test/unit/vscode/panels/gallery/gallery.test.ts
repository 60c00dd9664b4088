import * as assert from 'assert';

import type { Task } from '../../../../../src/core/model/task';
import { dayBucket, formatElapsed, startOfDay, taskClock } from '../../../../../src/shared/time';
import { toGalleryCards, toGalleryTask } from '../../../../../src/vscode/panels/gallery/galleryCards';
import {
  isGalleryHostMessage,
  isGalleryTask,
  isGalleryWebviewMessage,
  readGalleryHostMessage,
  readGalleryWebviewMessage,
} from '../../../../../src/webview/gallery/galleryProtocol';
import {
  applyView,
  comparable,
  EMPTY_FILTER,
  facets,
  isFilterActive,
  matcher,
  statusKind,
  type GalleryFilter,
  type GalleryTask,
} from '../../../../../src/webview/gallery/model';
import {
  clearSelection,
  EMPTY_SELECTION,
  move,
  moveForKey,
  moveIndex,
  pick,
  prune,
  selectAll,
  targets,
  type Selection,
} from '../../../../../src/webview/gallery/selection';
import { cardPosition, gridLayout, isInViewport, revealScrollTop, visibleRange } from '../../../../../src/webview/gallery/virtual';

// A fixed local time: Wednesday 2025-06-11 15:30.
const NOW = new Date(2025, 5, 11, 15, 30).getTime();
const HOUR = 3600_000;
const DAY = 24 * HOUR;

function card(id: string, over: Partial<GalleryTask> = {}): GalleryTask {
  return {
    id,
    prompt: `prompt ${id}`,
    provider: 'pika',
    providerLabel: 'Pika',
    model: '2.0',
    status: 'succeeded',
    progress: 100,
    createdAt: NOW - HOUR,
    videoCount: 1,
    ...over,
  };
}

const TASKS: GalleryTask[] = [
  card('boat', { prompt: 'A small Boat drifting at sunset', createdAt: NOW - 2 * HOUR, videoSrc: 'v1' }),
  card('fox', {
    prompt: 'A red fox in fresh snow',
    provider: 'gateway',
    providerLabel: 'Video gateway',
    model: 'kling-v1',
    createdAt: NOW - DAY - HOUR,
  }),
  card('cafe', { prompt: 'Rain outside a Café window', status: 'failed', error: 'Emulated failure', createdAt: NOW - 3 * DAY }),
  card('city', {
    prompt: 'City lights, a boat on the river',
    provider: 'hidream',
    providerLabel: 'HiDream',
    model: '',
    status: 'running',
    progress: 40,
    createdAt: NOW - 10 * DAY,
  }),
  card('queued', { prompt: 'waiting to start', status: 'queued', progress: 0, createdAt: NOW - 40 * DAY }),
];

const ids = (list: readonly GalleryTask[]) => list.map((t) => t.id);
const view = (f: Partial<GalleryFilter>, order: 'newest' | 'oldest' = 'newest') =>
  ids(applyView(TASKS, { ...EMPTY_FILTER, ...f }, order, NOW));

describe('gallery: filtering and sorting', () => {
  it('sorts newest first, or oldest first', () => {
    assert.deepStrictEqual(view({}), ['boat', 'fox', 'cafe', 'city', 'queued']);
    assert.deepStrictEqual(view({}, 'oldest'), ['queued', 'city', 'cafe', 'fox', 'boat']);
  });

  it('breaks ties in creation time by id so the order is stable', () => {
    const same = [card('b', { createdAt: 5 }), card('a', { createdAt: 5 }), card('c', { createdAt: 5 })];
    assert.deepStrictEqual(ids(applyView(same, EMPTY_FILTER, 'newest', NOW)), ['a', 'b', 'c']);
  });

  it('finds "the one with the boat": every word, any case, any order', () => {
    assert.deepStrictEqual(view({ query: 'boat' }), ['boat', 'city']);
    assert.deepStrictEqual(view({ query: '  BOAT   river ' }), ['city']);
    assert.deepStrictEqual(view({ query: 'river boat' }), ['city']);
    assert.deepStrictEqual(view({ query: 'submarine' }), []);
  });

  it('ignores accents in the search', () => {
    assert.deepStrictEqual(view({ query: 'cafe' }), ['cafe']);
    assert.deepStrictEqual(view({ query: 'CAFÉ' }), ['cafe']);
  });

  it('filters by provider, model and status kind', () => {
    assert.deepStrictEqual(view({ provider: 'gateway' }), ['fox']);
    assert.deepStrictEqual(view({ model: '2.0' }), ['boat', 'cafe', 'queued']);
    assert.deepStrictEqual(view({ status: 'failed' }), ['cafe']);
    assert.deepStrictEqual(view({ status: 'active' }), ['city', 'queued']);
    assert.deepStrictEqual(view({ status: 'succeeded', provider: 'pika' }), ['boat']);
  });

  it('counts any status that is not final as in progress (waiting, submitting…)', () => {
    assert.strictEqual(statusKind('waiting'), 'active');
    assert.strictEqual(statusKind('submitting'), 'active');
    assert.strictEqual(statusKind('succeeded'), 'succeeded');
    assert.strictEqual(statusKind('failed'), 'failed');
  });

  it('filters by date: today, the last 7 days, the last 30 days', () => {
    assert.deepStrictEqual(view({ date: 'today' }), ['boat']);
    assert.deepStrictEqual(view({ date: 'week' }), ['boat', 'fox', 'cafe']);
    assert.deepStrictEqual(view({ date: 'month' }), ['boat', 'fox', 'cafe', 'city']);
    assert.deepStrictEqual(view({ date: 'any' }), ['boat', 'fox', 'cafe', 'city', 'queued']);
  });

  it('"today" starts at local midnight', () => {
    const m = matcher({ ...EMPTY_FILTER, date: 'today' }, NOW);
    assert.ok(m(card('x', { createdAt: startOfDay(NOW) })));
    assert.ok(!m(card('y', { createdAt: startOfDay(NOW) - 1 })));
  });

  it('knows when a filter is active', () => {
    assert.ok(!isFilterActive(EMPTY_FILTER));
    assert.ok(!isFilterActive({ ...EMPTY_FILTER, query: '   ' }));
    assert.ok(isFilterActive({ ...EMPTY_FILTER, query: 'x' }));
    assert.ok(isFilterActive({ ...EMPTY_FILTER, date: 'week' }));
  });

  it('offers only providers and models some task has; models narrow to the chosen provider', () => {
    const all = facets(TASKS);
    assert.deepStrictEqual(
      all.providers.map((p) => p.id),
      ['hidream', 'pika', 'gateway'],
    );
    assert.deepStrictEqual(all.models, ['2.0', 'kling-v1']);
    assert.deepStrictEqual(facets(TASKS, 'gateway').models, ['kling-v1']);
  });

  it('compares only 2 to 4 finished takes with a video', () => {
    const done = (id: string) => card(id, { videoSrc: `v-${id}` });
    assert.ok(comparable([done('a'), done('b')]));
    assert.ok(comparable([done('a'), done('b'), done('c'), done('d')]));
    assert.ok(!comparable([done('a')]));
    assert.ok(!comparable([done('a'), done('b'), done('c'), done('d'), done('e')]));
    assert.ok(!comparable([done('a'), card('b')]), 'a take without a downloaded video');
    assert.ok(!comparable([done('a'), card('b', { status: 'running', videoSrc: 'x' })]));
  });
});

describe('gallery: selection model', () => {
  const list = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
  const grid = { columns: 3, pageRows: 2 };

  it('moves through a grid with the arrow keys, clamped at the edges', () => {
    assert.strictEqual(moveIndex(-1, 'right', 7, grid), 0, 'the first key press focuses the first card');
    assert.strictEqual(moveIndex(0, 'right', 7, grid), 1);
    assert.strictEqual(moveIndex(0, 'left', 7, grid), 0);
    assert.strictEqual(moveIndex(1, 'down', 7, grid), 4);
    assert.strictEqual(moveIndex(4, 'up', 7, grid), 1);
    assert.strictEqual(moveIndex(1, 'up', 7, grid), 1, 'no row above');
    assert.strictEqual(moveIndex(5, 'down', 7, grid), 6, 'into a shorter last row: its last card');
    assert.strictEqual(moveIndex(6, 'down', 7, grid), 6, 'no row below');
    assert.strictEqual(moveIndex(3, 'end', 7, grid), 6);
    assert.strictEqual(moveIndex(3, 'home', 7, grid), 0);
    assert.strictEqual(moveIndex(0, 'pageDown', 7, grid), 6);
    assert.strictEqual(moveIndex(6, 'pageUp', 7, grid), 0);
    assert.strictEqual(moveIndex(0, 'down', 0, grid), -1, 'nothing to focus');
  });

  it('maps keys to moves', () => {
    assert.strictEqual(moveForKey('ArrowDown'), 'down');
    assert.strictEqual(moveForKey('PageUp'), 'pageUp');
    assert.strictEqual(moveForKey('x'), undefined);
  });

  it('arrow keys move the focus without changing the selection', () => {
    let s: Selection = pick(EMPTY_SELECTION, list, 'a');
    s = move(s, list, 'right', grid);
    s = move(s, list, 'down', grid);
    assert.strictEqual(s.focus, 'e');
    assert.deepStrictEqual(s.selected, ['a']);
  });

  it('Space (pick) selects the focused card alone', () => {
    let s = pick(EMPTY_SELECTION, list, 'b');
    s = pick(s, list, 'd');
    assert.deepStrictEqual(s.selected, ['d']);
    assert.strictEqual(s.focus, 'd');
  });

  it('Ctrl toggles cards in and out of the selection, kept in display order', () => {
    let s = pick(EMPTY_SELECTION, list, 'd');
    s = pick(s, list, 'b', { toggle: true });
    s = pick(s, list, 'f', { toggle: true });
    assert.deepStrictEqual(s.selected, ['b', 'd', 'f']);
    s = pick(s, list, 'd', { toggle: true });
    assert.deepStrictEqual(s.selected, ['b', 'f']);
  });

  it('Shift+arrows extend a range from the anchor, and shrink it when going back', () => {
    let s = pick(EMPTY_SELECTION, list, 'b');
    s = move(s, list, 'right', grid, { shift: true });
    s = move(s, list, 'down', grid, { shift: true });
    assert.deepStrictEqual(s.selected, ['b', 'c', 'd', 'e', 'f']);
    s = move(s, list, 'up', grid, { shift: true });
    assert.deepStrictEqual(s.selected, ['b', 'c']);
    assert.strictEqual(s.anchor, 'b');
  });

  it('Shift+click adds a range to what Ctrl selected before', () => {
    let s = pick(EMPTY_SELECTION, list, 'a');
    s = pick(s, list, 'e', { toggle: true });
    s = pick(s, list, 'g', { shift: true });
    assert.deepStrictEqual(s.selected, ['a', 'e', 'f', 'g']);
  });

  it('select all, clear, and what actions apply to', () => {
    let s = pick(EMPTY_SELECTION, list, 'c');
    s = selectAll(s, list);
    assert.deepStrictEqual(s.selected, list);
    s = clearSelection(s);
    assert.deepStrictEqual(s.selected, []);
    assert.deepStrictEqual(targets(s), ['c'], 'without a selection, the focused card');
    assert.deepStrictEqual(targets(EMPTY_SELECTION), []);
  });

  it('drops ids that left the list (a filter or a removal)', () => {
    let s = pick(EMPTY_SELECTION, list, 'b');
    s = pick(s, list, 'e', { toggle: true });
    const pruned = prune(s, ['a', 'b', 'c']);
    assert.deepStrictEqual(pruned.selected, ['b']);
    assert.strictEqual(pruned.focus, undefined);
    assert.strictEqual(prune(s, list).selected, s.selected, 'an unchanged selection keeps its identity');
  });
});

describe('gallery: virtualization math', () => {
  const layout = gridLayout({ width: 1000, minCardWidth: 220, gap: 12, captionHeight: 64 });

  it('fits as many columns as the width allows', () => {
    assert.strictEqual(layout.columns, 4);
    assert.strictEqual(layout.cardWidth, Math.floor((1000 - 36) / 4));
    assert.strictEqual(layout.cardHeight, Math.round((layout.cardWidth * 9) / 16) + 64);
    assert.strictEqual(
      gridLayout({ width: 100, minCardWidth: 220, gap: 12, captionHeight: 64 }).columns,
      1,
      'a narrow panel still has one column',
    );
  });

  it('keeps only the rows in view (plus overscan) of 2,000 cards', () => {
    const r = visibleRange(2000, layout, 0, 800, 1);
    const rowsInView = Math.ceil(800 / layout.rowStride) + 1;
    assert.strictEqual(r.start, 0);
    assert.ok(r.end - r.start <= rowsInView * layout.columns, `${r.end - r.start} cards in the DOM`);
    assert.strictEqual(r.totalHeight, 500 * layout.rowStride - layout.gap);
  });

  it('follows the scroll offset', () => {
    const row = layout.rowStride;
    const r = visibleRange(2000, layout, 100 * row + 10, 2 * row, 1);
    assert.strictEqual(r.start, 99 * 4);
    assert.strictEqual(r.end, 104 * 4);
    const bottom = visibleRange(2000, layout, r.totalHeight, 2 * row, 1);
    assert.strictEqual(bottom.end, 2000);
  });

  it('handles an empty list and a partial last row', () => {
    assert.deepStrictEqual(visibleRange(0, layout, 0, 500), { start: 0, end: 0, totalHeight: 0 });
    assert.strictEqual(visibleRange(6, layout, 0, 5000).end, 6);
  });

  it('positions cards and scrolls the focused one into view', () => {
    assert.deepStrictEqual(cardPosition(5, layout), { top: layout.rowStride, left: layout.cardWidth + layout.gap });
    const top = cardPosition(40, layout).top;
    assert.strictEqual(revealScrollTop(40, layout, 0, 600), top + layout.cardHeight - 600, 'scrolls down just enough');
    assert.strictEqual(revealScrollTop(0, layout, top, 600), 0, 'scrolls up to the card');
    assert.strictEqual(revealScrollTop(40, layout, top, 600), top, 'already visible: no move');
  });

  it('loads videos only for cards intersecting the viewport', () => {
    assert.ok(isInViewport(0, layout, 0, 300));
    assert.ok(!isInViewport(40, layout, 0, 300));
    assert.ok(!isInViewport(0, layout, layout.cardHeight, 300), 'scrolled past');
  });
});

describe('gallery: time display', () => {
  it('formats elapsed clocks', () => {
    assert.strictEqual(formatElapsed(0), '0:00');
    assert.strictEqual(formatElapsed(72_000), '1:12');
    assert.strictEqual(formatElapsed(160_900), '2:40');
    assert.strictEqual(formatElapsed(3723_000), '1:02:03');
    assert.strictEqual(formatElapsed(-5), '0:00');
  });

  it('shows time so far while running and "took" once done', () => {
    assert.strictEqual(taskClock({ createdAt: NOW - 72_000 }, true, NOW), '1:12');
    assert.strictEqual(taskClock({ createdAt: 1000, finishedAt: 161_000 }, false, NOW), 'took 2:40');
    assert.strictEqual(taskClock({ createdAt: 1000 }, false, NOW), undefined);
  });

  it('buckets by local day', () => {
    assert.strictEqual(dayBucket(NOW - HOUR, NOW), 'today');
    assert.strictEqual(dayBucket(startOfDay(NOW) - 1, NOW), 'yesterday');
    assert.strictEqual(dayBucket(startOfDay(NOW, 1), NOW), 'yesterday');
    assert.strictEqual(dayBucket(startOfDay(NOW, 1) - 1, NOW), 'week');
    assert.strictEqual(dayBucket(startOfDay(NOW, 7), NOW), 'week');
    assert.strictEqual(dayBucket(startOfDay(NOW, 7) - 1, NOW), 'older');
  });
});

describe('gallery: cards and protocol', () => {
  const task: Task = {
    id: 't1',
    provider: 'pika',
    remoteId: 'r1',
    mode: 'text-to-video',
    status: 'succeeded',
    progress: 100,
    prompt: 'A boat',
    model: '2.0',
    createdAt: NOW - 100_000,
    updatedAt: NOW,
    finishedAt: NOW - 10_000,
    groupId: 'g1',
    videos: [{ url: 'https://cdn/x.mp4', seed: 42, localPath: '/media/t1/1-x.mp4', posterPath: '/media/t1/1-poster.jpg', duration: 5 }],
    request: { provider: 'pika', prompt: 'A boat', seed: 7 },
  };

  it('maps a task to a card with webview URIs only for local files', () => {
    const c = toGalleryTask(task, 'Pika', (p) => `vscode-resource:${p}`)!;
    assert.strictEqual(c.videoSrc, 'vscode-resource:/media/t1/1-x.mp4');
    assert.strictEqual(c.posterSrc, 'vscode-resource:/media/t1/1-poster.jpg');
    assert.strictEqual(c.seed, 42, "the video's own seed wins over the request's");
    assert.strictEqual(c.groupId, 'g1');
    assert.strictEqual(c.providerLabel, 'Pika');
    assert.ok(isGalleryTask(c));
    const running = toGalleryTask({ ...task, status: 'running', progress: 30, videos: [] }, 'Pika', () => 'x')!;
    assert.strictEqual(running.videoSrc, undefined);
    assert.strictEqual(running.seed, 7);
    assert.ok(isGalleryTask(running));
    const hidden = toGalleryTask(task, 'Pika', () => undefined)!;
    assert.ok(!('videoSrc' in hidden), 'a file the panel may not show is left out');
  });

  it('checks host messages field by field', () => {
    const c = toGalleryTask(task, 'Pika', (p) => `x:${p}`)!;
    assert.ok(isGalleryHostMessage({ type: 'state', tasks: [c] }));
    assert.ok(isGalleryHostMessage({ type: 'update', tasks: [], removed: ['t1'] }));
    assert.ok(isGalleryHostMessage({ type: 'inspect', requestId: 'r' }));
    assert.ok(!isGalleryHostMessage({ type: 'state', tasks: [{ ...c, progress: 101 }] }));
    assert.ok(!isGalleryHostMessage({ type: 'state', tasks: [{ ...c, extra: 1 }] }), 'unknown keys');
    assert.ok(!isGalleryHostMessage({ type: 'state', tasks: [{ ...c, createdAt: Number.NaN }] }));
    assert.ok(!isGalleryHostMessage({ type: 'update', tasks: [] }), 'missing removed');
    assert.ok(!isGalleryHostMessage({ type: 'show' }));
  });

  it('fits every text field of a card on the host, so a 10,001+ character prompt still passes the guard', () => {
    const long = 'a boat at dawn '.repeat(1000);
    assert.ok(long.length > 10_000);
    const c = toGalleryTask(
      { ...task, status: 'failed', prompt: long, model: 'm'.repeat(5000), error: 'e'.repeat(5000) },
      'P'.repeat(5000),
      () => 'x:'.padEnd(9000, 'u'),
    )!;
    assert.ok(isGalleryTask(c), 'the fitted card passes the guard');
    assert.ok(isGalleryHostMessage({ type: 'state', tasks: [c] }), 'so does the state message holding it');
    assert.ok(
      c.prompt.length <= 10_000 && c.prompt.endsWith('…') && long.startsWith(c.prompt.slice(0, -1)),
      'the prompt is cut, not replaced',
    );
    assert.ok(c.error!.length <= 500);
    assert.ok(!('videoSrc' in c), 'a URI the guard would refuse is left out, not the card');
    assert.strictEqual(c.id, task.id, 'the id is exact');
  });

  it('drops (and reports) a task whose id cannot be a card, and keeps the others', () => {
    const dropped: string[] = [];
    const cards = toGalleryCards(
      [{ ...task, id: '' }, task, { ...task, id: 'i'.repeat(300) }],
      () => 'Pika',
      (p) => `x:${p}`,
      (t) => dropped.push(t.id),
    );
    assert.deepStrictEqual(
      cards.map((c) => c.id),
      ['t1'],
    );
    assert.deepStrictEqual(
      dropped.map((id) => id.length),
      [0, 300],
    );
    assert.strictEqual(
      toGalleryTask({ ...task, id: 'i'.repeat(300) }, 'Pika', () => undefined),
      undefined,
      'ids are never cut',
    );
  });

  it('a message with one malformed card still shows the others', () => {
    const good = toGalleryTask(task, 'Pika', (p) => `x:${p}`)!;
    const other = { ...good, id: 't2' };
    const bad = { ...good, id: 't3', prompt: 'x'.repeat(10_001) };
    const state = readGalleryHostMessage({ type: 'state', tasks: [good, bad, other, { id: 't4' }, 'junk'] });
    assert.ok(state && state.message.type === 'state');
    assert.deepStrictEqual(
      state.message.tasks.map((t) => t.id),
      ['t1', 't2'],
    );
    assert.strictEqual(state.dropped, 3);
    const update = readGalleryHostMessage({ type: 'update', tasks: [bad, other], removed: ['t1', '', 7] });
    assert.ok(update && update.message.type === 'update');
    assert.deepStrictEqual([update.message.tasks.map((t) => t.id), update.message.removed], [['t2'], ['t1']]);
    assert.ok(!isGalleryHostMessage({ type: 'state', tasks: [good, bad] }), 'the strict guard still sees the bad card');
    assert.strictEqual(readGalleryHostMessage({ type: 'state', tasks: 'all' }), undefined, 'the message itself must be well formed');
    assert.strictEqual(readGalleryHostMessage({ type: 'state', tasks: [], extra: 1 }), undefined);
  });

  it('an inspection with one malformed card keeps the others', () => {
    const card = (id: string, label = 'x') => ({ id, status: 'running', label, selected: false });
    const m = readGalleryWebviewMessage({
      type: 'inspection',
      requestId: 'r',
      bootId: 'b',
      total: 3,
      matching: 3,
      cards: [card('a'), card('b', 'l'.repeat(20_000)), card('c')],
    });
    assert.ok(m && m.type === 'inspection');
    assert.deepStrictEqual(
      m.cards.map((c) => c.id),
      ['a', 'c'],
    );
    assert.strictEqual(
      readGalleryWebviewMessage({ type: 'action', action: 'remove', taskIds: ['a', ''] }),
      undefined,
      'an action is refused whole',
    );
  });

  it('checks webview messages: actions need task ids, except generate', () => {
    assert.ok(isGalleryWebviewMessage({ type: 'ready' }));
    assert.ok(isGalleryWebviewMessage({ type: 'action', action: 'compare', taskIds: ['a', 'b'] }));
    assert.ok(isGalleryWebviewMessage({ type: 'action', action: 'generate', taskIds: [] }));
    assert.ok(!isGalleryWebviewMessage({ type: 'action', action: 'remove', taskIds: [] }));
    assert.ok(!isGalleryWebviewMessage({ type: 'action', action: 'format-disk', taskIds: ['a'] }));
    assert.ok(!isGalleryWebviewMessage({ type: 'action', action: 'play', taskIds: [''] }));
    assert.ok(
      isGalleryWebviewMessage({
        type: 'inspection',
        requestId: 'r',
        bootId: 'b',
        total: 1,
        matching: 1,
        cards: [{ id: 'a', status: 'running', label: 'x', selected: false }],
      }),
    );
    assert.ok(!isGalleryWebviewMessage({ type: 'inspection', requestId: 'r', bootId: 'b', total: 1, matching: 1, cards: [{ id: 'a' }] }));
  });
});
