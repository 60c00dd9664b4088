// The gallery webview app (browser, bundled to dist/webview/gallery.js): a virtualized grid of
// every task with search, filters, sort, keyboard selection and actions. It builds its DOM with
// createElement/textContent only and talks to the panel through ./protocol. Only the cards in
// view (plus a row of margin) are in the DOM, and only cards in the viewport load video.

import '../common/l10n';

import * as l10n from '@vscode/l10n';

import { fitText } from '../../shared/guards';
import { taskClock } from '../../shared/time';
import { button, el, select, setOptions } from '../common/dom';
import {
  MAX_CARD_LABEL,
  readGalleryHostMessage,
  type GalleryAction,
  type GalleryWebviewMessage,
  type InspectedCard,
} from './galleryProtocol';
import {
  applyView,
  comparable,
  DATE_RANGES,
  EMPTY_FILTER,
  facets,
  isFilterActive,
  statusKind,
  type DateRange,
  type GalleryFilter,
  type GalleryTask,
  type SortOrder,
  type StatusKind,
} from './model';
import { clearSelection, EMPTY_SELECTION, move, moveForKey, pick, prune, selectAll, targets, type Selection } from './selection';
import { cardPosition, gridLayout, isInViewport, revealScrollTop, visibleRange, type GridLayout } from './virtual';

interface SavedState {
  filter: GalleryFilter;
  sort: SortOrder;
  scrollTop: number;
}

interface VsCodeApi {
  postMessage(message: GalleryWebviewMessage): void;
  getState(): unknown;
  setState(state: SavedState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const bootId = Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, '0')).join('');

const MIN_CARD_WIDTH = 220;
const GAP = 12;
const CAPTION_HEIGHT = 58;
function dateLabel(range: DateRange): string {
  switch (range) {
    case 'any':
      return l10n.t('Any date');
    case 'today':
      return l10n.t('Today');
    case 'week':
      return l10n.t('Last 7 days');
    case 'month':
      return l10n.t('Last 30 days');
  }
}

const STATUS_LABELS: Record<StatusKind, string> = { active: l10n.t('In progress'), succeeded: l10n.t('Done'), failed: l10n.t('Failed') };

// ---- State -----------------------------------------------------------------------------------

const tasks = new Map<string, GalleryTask>();
let loaded = false;
let shown: GalleryTask[] = [];
let shownIds: string[] = [];
let selection: Selection = EMPTY_SELECTION;
let layout: GridLayout | undefined;
let previewId: string | undefined;

function restoredState(): SavedState {
  const s = vscode.getState() as Partial<SavedState> | undefined;
  const f = (s?.filter ?? {}) as Partial<GalleryFilter>;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  return {
    filter: {
      query: str(f.query),
      provider: str(f.provider),
      model: str(f.model),
      status: (['active', 'succeeded', 'failed'] as const).find((k) => k === f.status) ?? '',
      date: DATE_RANGES.find((d) => d === f.date) ?? 'any',
    },
    sort: s?.sort === 'oldest' ? 'oldest' : 'newest',
    scrollTop: typeof s?.scrollTop === 'number' && s.scrollTop > 0 ? s.scrollTop : 0,
  };
}

const saved = restoredState();
let filter: GalleryFilter = saved.filter;
let sort: SortOrder = saved.sort;

function post(message: GalleryWebviewMessage): void {
  vscode.postMessage(message);
}

let saveTimer: ReturnType<typeof setTimeout> | undefined;
function saveState(): void {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => vscode.setState({ filter, sort, scrollTop: scroller.scrollTop }), 200);
}

// ---- Layout ----------------------------------------------------------------------------------

const app = document.getElementById('app') ?? document.body.appendChild(el('main', 'app'));
app.classList.add('gallery');
app.removeAttribute('aria-live');

const toolbar = el('div', 'toolbar');
toolbar.setAttribute('role', 'search');
const search = el('input', 'search');
search.type = 'search';
search.placeholder = l10n.t('Search prompts');
search.setAttribute('aria-label', l10n.t('Search prompts'));
search.value = filter.query;
search.addEventListener('input', () => setFilter({ query: search.value }));

const providerSelect = select(l10n.t('Provider'), [{ value: '', label: l10n.t('All providers') }], filter.provider, (v) =>
  setFilter({ provider: v, model: '' }),
);
const modelSelect = select(l10n.t('Model'), [{ value: '', label: l10n.t('All models') }], filter.model, (v) => setFilter({ model: v }));
const statusSelect = select(
  l10n.t('Status'),
  [
    { value: '', label: l10n.t('Any status') },
    ...(['succeeded', 'active', 'failed'] as const).map((k) => ({ value: k, label: STATUS_LABELS[k] })),
  ],
  filter.status,
  (v) => setFilter({ status: v as StatusKind | '' }),
);
const dateSelect = select(
  l10n.t('Date'),
  DATE_RANGES.map((d) => ({ value: d, label: dateLabel(d) })),
  filter.date,
  (v) => setFilter({ date: v as DateRange }),
);
const sortSelect = select(
  l10n.t('Sort order'),
  [
    { value: 'newest', label: l10n.t('Newest first') },
    { value: 'oldest', label: l10n.t('Oldest first') },
  ],
  sort,
  (v) => {
    sort = v === 'oldest' ? 'oldest' : 'newest';
    refreshView(true);
  },
);
const clearFilters = button(l10n.t('Clear filters'), 'secondary', () => {
  search.value = '';
  setFilter(EMPTY_FILTER);
});
const count = el('span', 'count');
count.setAttribute('role', 'status');
toolbar.append(search, providerSelect, modelSelect, statusSelect, dateSelect, clearFilters);

const actionBar = el('div', 'action-bar');
actionBar.setAttribute('role', 'toolbar');
actionBar.setAttribute('aria-label', l10n.t('Actions on the selected videos'));
const selectionInfo = el('span', 'selection-info');
const compareButton = button(l10n.t('Compare'), 'primary', () => runAction('compare'), l10n.t('Play 2 to 4 finished videos side by side'));
const saveButton = button(
  l10n.t('Save to Workspace'),
  'secondary',
  () => runAction('saveToWorkspace'),
  l10n.t('Copy the videos into the workspace'),
);
const regenerateButton = button(
  l10n.t('Regenerate'),
  'secondary',
  () => runAction('regenerate'),
  l10n.t('Start new tasks with the same settings'),
);
const continueButton = button(
  l10n.t('Continue from last frame…'),
  'secondary',
  () => runAction('continueFromLastFrame'),
  l10n.t('Start a new video from the last frame of this one'),
);
const removeButton = button(l10n.t('Remove'), 'secondary', () => runAction('remove'), l10n.t('Remove from the history (asks first)'));
const clearSelectionButton = button(l10n.t('Clear selection'), 'secondary', () => updateSelection(clearSelection(selection)));
const viewOptions = el('div', 'view-options');
viewOptions.append(count, sortSelect);
actionBar.append(
  selectionInfo,
  compareButton,
  saveButton,
  regenerateButton,
  continueButton,
  removeButton,
  clearSelectionButton,
  viewOptions,
);

const scroller = el('div', 'scroller');
scroller.tabIndex = 0;
scroller.setAttribute('role', 'listbox');
scroller.setAttribute('aria-multiselectable', 'true');
scroller.setAttribute('aria-label', l10n.t('Videos'));
const grid = el('div', 'grid');
scroller.append(grid);

const empty = el('div', 'empty');
const emptyText = el('p', 'empty-text');
const emptyGenerate = button(l10n.t('Generate Video…'), 'primary', () => post({ type: 'action', action: 'generate', taskIds: [] }));
const emptyClear = button(l10n.t('Clear filters'), 'secondary', () => {
  search.value = '';
  setFilter(EMPTY_FILTER);
});
empty.append(emptyText, emptyGenerate, emptyClear);

app.append(toolbar, actionBar, scroller, empty);

// ---- Cards -----------------------------------------------------------------------------------

interface CardView {
  root: HTMLDivElement;
  task: GalleryTask;
  /** The poster video, when the card has no poster image; its source is set only in the viewport. */
  posterVideo?: HTMLVideoElement;
  clock?: HTMLElement;
}

const cards = new Map<string, CardView>();

function cardDomId(id: string): string {
  return `card-${id}`;
}

function describe(t: GalleryTask, now: number): string {
  const kind = statusKind(t.status);
  const clock = taskClock(t, kind === 'active', now, (e) => l10n.t('took {0}', e));
  const model = t.model ? `${t.providerLabel} · ${t.model}` : t.providerLabel;
  const who = t.cost ? `${model} · ${t.cost}` : model;
  if (kind === 'active') return `${t.status === 'running' ? `${Math.round(t.progress)}%` : l10n.t('Queued')} · ${clock} · ${who}`;
  if (kind === 'failed') return `${l10n.t('Failed')} · ${who}`;
  return clock ? `${who} · ${clock}` : who;
}

function accessibleName(t: GalleryTask, now: number): string {
  const prompt = t.prompt.trim() || l10n.t('Untitled video');
  const kind = statusKind(t.status);
  const extra = kind === 'failed' && t.error ? `, ${t.error}` : '';
  // Cut to what the host's guard takes from an inspection (a prompt may have 10,000 characters).
  return fitText(`${prompt}, ${STATUS_LABELS[kind]}, ${describe(t, now)}${extra}`, MAX_CARD_LABEL);
}

function thumbContent(view: CardView): HTMLElement {
  const t = view.task;
  const thumb = el('div', 'thumb');
  const kind = statusKind(t.status);
  if (kind === 'succeeded' && t.posterSrc) {
    const img = el('img', 'poster');
    img.alt = '';
    img.decoding = 'async';
    img.src = t.posterSrc;
    thumb.append(img);
  } else if (kind === 'succeeded' && t.videoSrc) {
    const v = el('video', 'poster');
    v.muted = true;
    v.preload = 'metadata';
    v.setAttribute('aria-hidden', 'true');
    view.posterVideo = v;
    thumb.append(v);
  } else if (kind === 'succeeded') {
    thumb.append(el('span', 'thumb-note', t.videoCount ? l10n.t('Downloading…') : l10n.t('No video')));
  } else if (kind === 'failed') {
    thumb.classList.add('thumb-failed');
    thumb.append(el('span', 'thumb-icon', '⚠'), el('span', 'thumb-error', t.error || l10n.t('Generation failed.')));
  } else {
    thumb.classList.add('thumb-active');
    const bar = el('div', 'progress');
    bar.setAttribute('role', 'progressbar');
    bar.setAttribute('aria-label', l10n.t('Progress'));
    bar.setAttribute('aria-valuemin', '0');
    bar.setAttribute('aria-valuemax', '100');
    bar.setAttribute('aria-valuenow', String(Math.round(t.progress)));
    const fill = el('div', 'progress-fill');
    fill.style.width = `${Math.max(2, Math.min(100, t.progress))}%`;
    bar.append(fill);
    thumb.append(el('span', 'thumb-note', t.status === 'running' ? `${Math.round(t.progress)}%` : l10n.t('Queued')), bar);
  }
  if (t.videoCount > 1) thumb.append(el('span', 'badge', l10n.t('{0} videos', t.videoCount)));
  return thumb;
}

function buildCard(t: GalleryTask, now: number): CardView {
  const root = el('div', `card card-${statusKind(t.status)}`);
  root.id = cardDomId(t.id);
  root.setAttribute('role', 'option');
  root.dataset.id = t.id;
  const view: CardView = { root, task: t };
  const caption = el('div', 'caption');
  const prompt = el('div', 'card-prompt', t.prompt.trim() || l10n.t('Untitled video'));
  prompt.title = t.prompt;
  const meta = el('div', 'card-meta', describe(t, now));
  view.clock = meta;
  caption.append(prompt, meta);
  root.append(thumbContent(view), caption);
  root.setAttribute('aria-label', accessibleName(t, now));
  return view;
}

/** Loads the poster video's first frame only while the card is in the viewport; unloads it otherwise. */
function setPosterLoaded(view: CardView, loaded: boolean): void {
  const v = view.posterVideo;
  if (!v || !view.task.videoSrc) return;
  const has = v.hasAttribute('src');
  if (loaded && !has) v.src = `${view.task.videoSrc}#t=0.1`;
  else if (!loaded && has) unloadVideo(v);
}

function unloadVideo(v: HTMLVideoElement): void {
  v.pause();
  v.removeAttribute('src');
  v.load();
}

function dropCard(id: string): void {
  const view = cards.get(id);
  if (!view) return;
  if (view.posterVideo) unloadVideo(view.posterVideo);
  if (previewId === id) stopPreview();
  view.root.remove();
  cards.delete(id);
}

// ---- Hover / focus preview -------------------------------------------------------------------

let previewVideo: HTMLVideoElement | undefined;
/** The card under the mouse: it plays rather than the keyboard-focused one. */
let hoverId: string | undefined;

function startPreview(id: string): void {
  if (previewId === id) return;
  stopPreview();
  const view = cards.get(id);
  const t = view?.task;
  if (!view || !t || statusKind(t.status) !== 'succeeded' || !t.videoSrc) return;
  const v = el('video', 'preview');
  v.muted = true;
  v.loop = true;
  v.playsInline = true;
  v.setAttribute('aria-hidden', 'true');
  v.src = t.videoSrc;
  view.root.querySelector('.thumb')?.append(v);
  previewVideo = v;
  previewId = id;
  v.play().catch(() => undefined);
}

function stopPreview(): void {
  if (previewVideo) {
    unloadVideo(previewVideo);
    previewVideo.remove();
  }
  previewVideo = undefined;
  previewId = undefined;
}

// ---- Rendering -------------------------------------------------------------------------------

function currentLayout(): GridLayout {
  return gridLayout({
    width: grid.clientWidth || scroller.clientWidth,
    minCardWidth: MIN_CARD_WIDTH,
    gap: GAP,
    captionHeight: CAPTION_HEIGHT,
  });
}

/** Puts the cards in view into the DOM (and only those), at their grid positions. */
function renderCards(): void {
  layout = currentLayout();
  const now = Date.now();
  const viewport = scroller.clientHeight;
  const top = scroller.scrollTop;
  const range = visibleRange(shown.length, layout, top, viewport, 1);
  grid.style.height = `${range.totalHeight}px`;
  const keep = new Set(shownIds.slice(range.start, range.end));
  for (const id of [...cards.keys()]) if (!keep.has(id)) dropCard(id);
  let active = false;
  for (let i = range.start; i < range.end; i++) {
    const t = shown[i];
    let view = cards.get(t.id);
    if (view && view.task !== t) {
      dropCard(t.id);
      view = undefined;
    }
    if (!view) {
      view = buildCard(t, now);
      cards.set(t.id, view);
      grid.append(view.root);
    }
    const pos = cardPosition(i, layout);
    view.root.style.transform = `translate(${pos.left}px, ${pos.top}px)`;
    view.root.style.width = `${layout.cardWidth}px`;
    view.root.style.height = `${layout.cardHeight}px`;
    const selected = selection.selected.includes(t.id);
    view.root.setAttribute('aria-selected', String(selected));
    view.root.classList.toggle('selected', selected);
    view.root.classList.toggle('focused', selection.focus === t.id);
    setPosterLoaded(view, isInViewport(i, layout, top, viewport));
    if (statusKind(t.status) === 'active') active = true;
  }
  if (selection.focus && cards.has(selection.focus)) scroller.setAttribute('aria-activedescendant', cardDomId(selection.focus));
  else scroller.removeAttribute('aria-activedescendant');
  setClockRunning(active);
}

let clockTimer: ReturnType<typeof setInterval> | undefined;

/** A one-second tick for the elapsed time of running cards, only while one is in the DOM. */
function setClockRunning(on: boolean): void {
  if (on && !clockTimer) {
    clockTimer = setInterval(() => {
      const now = Date.now();
      let any = false;
      for (const view of cards.values()) {
        if (statusKind(view.task.status) !== 'active' || !view.clock) continue;
        any = true;
        view.clock.textContent = describe(view.task, now);
      }
      if (!any) setClockRunning(false);
    }, 1000);
  } else if (!on && clockTimer) {
    clearInterval(clockTimer);
    clockTimer = undefined;
  }
}

function renderToolbar(): void {
  const all = [...tasks.values()];
  const f = facets(all, filter.provider);
  setOptions(
    providerSelect,
    [{ value: '', label: l10n.t('All providers') }, ...f.providers.map((p) => ({ value: p.id, label: p.label }))],
    filter.provider,
  );
  setOptions(modelSelect, [{ value: '', label: l10n.t('All models') }, ...f.models.map((m) => ({ value: m, label: m }))], filter.model);
  modelSelect.disabled = f.models.length === 0;
  statusSelect.value = filter.status;
  dateSelect.value = filter.date;
  sortSelect.value = sort;
  clearFilters.hidden = !isFilterActive(filter);
  const total = tasks.size === 1 ? l10n.t('1 video') : l10n.t('{0} videos', tasks.size);
  count.textContent = !loaded ? l10n.t('Loading…') : isFilterActive(filter) ? l10n.t('{0} of {1}', shown.length, total) : total;
}

function renderEmpty(): void {
  const none = loaded && shown.length === 0;
  empty.hidden = !none;
  scroller.hidden = none;
  if (!none) return;
  const filtered = tasks.size > 0;
  emptyText.textContent = filtered
    ? l10n.t('No video matches these filters.')
    : l10n.t('No videos yet. Generated videos appear here as they are made.');
  emptyGenerate.hidden = filtered;
  emptyClear.hidden = !filtered;
}

function renderActions(): void {
  const ids = targets(selection);
  const list = ids.map((id) => tasks.get(id)).filter((t): t is GalleryTask => !!t);
  const n = selection.selected.length;
  selectionInfo.textContent = n ? l10n.t('{0} selected', n) : list.length ? l10n.t('1 focused') : l10n.t('Nothing selected');
  compareButton.disabled = !comparable(list);
  saveButton.disabled = !list.some((t) => statusKind(t.status) === 'succeeded' && t.videoSrc);
  regenerateButton.disabled = list.length === 0;
  continueButton.disabled = !(list.length === 1 && statusKind(list[0].status) === 'succeeded' && list[0].videoSrc);
  removeButton.disabled = list.length === 0;
  clearSelectionButton.hidden = n === 0;
}

/** Filters and sorts again; with `resetScroll` the grid goes back to the top. */
function refreshView(resetScroll = false): void {
  shown = applyView([...tasks.values()], filter, sort, Date.now());
  shownIds = shown.map((t) => t.id);
  selection = prune(selection, shownIds);
  if (resetScroll) scroller.scrollTop = 0;
  renderToolbar();
  renderEmpty();
  renderCards();
  renderActions();
  saveState();
}

function setFilter(patch: Partial<GalleryFilter>): void {
  filter = { ...filter, ...patch };
  refreshView(true);
}

function updateSelection(next: Selection, reveal = false): void {
  selection = next;
  if (reveal && selection.focus && layout) {
    const index = shownIds.indexOf(selection.focus);
    if (index >= 0) scroller.scrollTop = revealScrollTop(index, layout, scroller.scrollTop, scroller.clientHeight);
  }
  renderCards();
  renderActions();
  if (!hoverId && document.activeElement === scroller && selection.focus) startPreview(selection.focus);
}

function runAction(action: GalleryAction, ids = targets(selection)): void {
  if (!ids.length) return;
  post({ type: 'action', action, taskIds: ids });
}

// ---- Input -----------------------------------------------------------------------------------

function pageRows(): number {
  return layout ? Math.max(1, Math.floor(scroller.clientHeight / layout.rowStride)) : 1;
}

scroller.addEventListener('keydown', (e) => {
  const toggle = e.ctrlKey || e.metaKey;
  const m = moveForKey(e.key);
  if (m) {
    e.preventDefault();
    updateSelection(
      move(selection, shownIds, m, { columns: layout?.columns ?? 1, pageRows: pageRows() }, { shift: e.shiftKey, toggle }),
      true,
    );
    return;
  }
  const focused = selection.focus;
  if (e.key === ' ') {
    e.preventDefault();
    if (focused) updateSelection(pick(selection, shownIds, focused, { shift: e.shiftKey, toggle }), true);
    else updateSelection(move(selection, shownIds, 'home', { columns: 1, pageRows: 1 }), true);
  } else if (e.key === 'Enter') {
    e.preventDefault();
    if (focused) runAction('play', [focused]);
  } else if (e.key === 'Delete') {
    e.preventDefault();
    runAction('remove');
  } else if (e.key.toLowerCase() === 'a' && toggle) {
    e.preventDefault();
    updateSelection(selectAll(selection, shownIds));
  } else if (e.key === 'Escape' && selection.selected.length) {
    e.preventDefault();
    updateSelection(clearSelection(selection));
  }
});

scroller.addEventListener('focus', () => {
  if (!selection.focus && shownIds.length) updateSelection({ ...selection, focus: shownIds[0] });
  else if (selection.focus && !hoverId) startPreview(selection.focus);
});
scroller.addEventListener('blur', () => stopPreview());

function cardIdOf(target: EventTarget | null): string | undefined {
  const card = target instanceof Element ? target.closest<HTMLElement>('.card') : null;
  return card?.dataset.id;
}

grid.addEventListener('click', (e) => {
  const id = cardIdOf(e.target);
  if (!id) return;
  scroller.focus({ preventScroll: true });
  updateSelection(pick(selection, shownIds, id, { shift: e.shiftKey, toggle: e.ctrlKey || e.metaKey }));
});
grid.addEventListener('dblclick', (e) => {
  const id = cardIdOf(e.target);
  if (id) runAction('play', [id]);
});
grid.addEventListener('mouseover', (e) => {
  hoverId = cardIdOf(e.target);
  if (hoverId) startPreview(hoverId);
});
grid.addEventListener('mouseleave', () => {
  hoverId = undefined;
  if (document.activeElement === scroller && selection.focus) startPreview(selection.focus);
  else stopPreview();
});

let scrollFrame = 0;
scroller.addEventListener('scroll', () => {
  if (scrollFrame) return;
  scrollFrame = requestAnimationFrame(() => {
    scrollFrame = 0;
    renderCards();
    saveState();
  });
});

new ResizeObserver(() => renderCards()).observe(scroller);

// ---- Host messages ---------------------------------------------------------------------------

function inspect(requestId: string): void {
  const inspected: InspectedCard[] = shownIds
    .filter((id) => cards.has(id))
    .map((id) => {
      const view = cards.get(id)!;
      return {
        id,
        status: view.task.status,
        label: view.root.getAttribute('aria-label') ?? '',
        selected: view.root.getAttribute('aria-selected') === 'true',
      };
    });
  post({ type: 'inspection', requestId, bootId, total: tasks.size, matching: shown.length, cards: inspected });
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  // A malformed card is left out; the others are shown.
  const message = readGalleryHostMessage(event.data)?.message;
  if (!message) return;
  switch (message.type) {
    case 'state': {
      const first = !loaded;
      tasks.clear();
      for (const t of message.tasks) tasks.set(t.id, t);
      loaded = true;
      refreshView();
      if (first && saved.scrollTop) {
        scroller.scrollTop = saved.scrollTop;
        renderCards();
      }
      return;
    }
    case 'update':
      for (const id of message.removed) tasks.delete(id);
      for (const t of message.tasks) tasks.set(t.id, t);
      refreshView();
      return;
    case 'inspect':
      inspect(message.requestId);
      return;
  }
});

refreshView();
post({ type: 'ready' });
