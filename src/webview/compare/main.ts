// The compare webview app (browser, bundled to dist/webview/compare.js): 2 to 4 takes side by
// side with one set of controls (play/pause, seek, loop, frame step) driving all of them, and
// each take's parameters underneath with what differs highlighted.

import '../common/l10n';

import * as l10n from '@vscode/l10n';

import { formatElapsed } from '../../shared/time';
import { button, el } from '../common/dom';
import { MIN_COMPARE, readCompareHostMessage, type CompareItem, type CompareState, type CompareWebviewMessage } from './compareProtocol';
import { diffParams, diffPrompts } from './diff';

interface VsCodeApi {
  postMessage(message: CompareWebviewMessage): void;
  setState(state: CompareState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();

const DEFAULT_FPS = 24;
/** Others are pulled back to the leader when they drift further than this, in seconds. */
const MAX_DRIFT_S = 0.15;

let items: CompareItem[] = [];
let videos: HTMLVideoElement[] = [];
let looping = true;

// ---- Layout ----------------------------------------------------------------------------------

const app = document.getElementById('app') ?? document.body.appendChild(el('main', 'app'));
app.classList.add('compare');
app.removeAttribute('aria-live');

const status = el('p', 'status', l10n.t('Loading…'));
status.setAttribute('role', 'status');

const controls = el('div', 'controls');
controls.setAttribute('role', 'toolbar');
controls.setAttribute('aria-label', l10n.t('Playback of every video'));
const playButton = button(l10n.t('Play all'), 'primary', () => togglePlay());
const backButton = button(l10n.t('◀ Frame'), 'secondary', () => stepFrames(-1), l10n.t('One frame back (Left arrow)'));
backButton.setAttribute('aria-label', l10n.t('One frame back'));
const forwardButton = button(l10n.t('Frame ▶'), 'secondary', () => stepFrames(1), l10n.t('One frame forward (Right arrow)'));
forwardButton.setAttribute('aria-label', l10n.t('One frame forward'));
const loopButton = button(
  l10n.t('Loop'),
  'secondary',
  () => setLoop(!looping),
  l10n.t('Start all videos again together when the longest ends (L)'),
);
const soundButton = button(
  l10n.t('Sound off'),
  'secondary',
  () => setMuted(!videos[0]?.muted),
  l10n.t('Turn the sound of every video on or off'),
);
const seek = el('input', 'range seek');
seek.type = 'range';
seek.min = '0';
seek.step = '0.01';
seek.value = '0';
seek.setAttribute('aria-label', l10n.t('Position in every video'));
const time = el('span', 'time', '0:00 / 0:00');
controls.append(playButton, backButton, forwardButton, loopButton, soundButton, seek, time);

const takes = el('div', 'takes');
app.append(status, controls, takes);

// ---- Playback --------------------------------------------------------------------------------

/** The longest video: the clock the others follow and what the seek bar spans. */
function leader(): HTMLVideoElement | undefined {
  let best: HTMLVideoElement | undefined;
  for (const v of videos) {
    if (!best || (Number.isFinite(v.duration) ? v.duration : 0) > (Number.isFinite(best.duration) ? best.duration : 0)) best = v;
  }
  return best;
}

function durationOf(v: HTMLVideoElement): number {
  return Number.isFinite(v.duration) ? v.duration : 0;
}

function seekAll(t: number): void {
  for (const v of videos) v.currentTime = Math.max(0, Math.min(t, Math.max(0, durationOf(v) - 0.001)));
  renderTime();
}

function playing(): boolean {
  return videos.some((v) => !v.paused && !v.ended);
}

function togglePlay(): void {
  if (playing()) {
    for (const v of videos) v.pause();
    const lead = leader();
    if (lead) seekAll(lead.currentTime);
  } else {
    const lead = leader();
    const restart = !lead || lead.ended || lead.currentTime >= durationOf(lead) - 0.05;
    if (restart) seekAll(0);
    for (const v of videos) if (v.currentTime < durationOf(v) || restart) v.play().catch(() => undefined);
  }
  renderButtons();
}

function stepFrames(frames: number): void {
  for (const v of videos) v.pause();
  const lead = leader();
  if (!lead) return;
  const fps = items.reduce((max, it) => Math.max(max, it.fps ?? DEFAULT_FPS), 0) || DEFAULT_FPS;
  seekAll(lead.currentTime + frames / fps);
  renderButtons();
}

function setLoop(on: boolean): void {
  looping = on;
  renderButtons();
}

function setMuted(muted: boolean): void {
  for (const v of videos) v.muted = muted;
  renderButtons();
}

function renderButtons(): void {
  const on = playing();
  playButton.textContent = on ? l10n.t('Pause all') : l10n.t('Play all');
  playButton.setAttribute('aria-label', on ? l10n.t('Pause every video') : l10n.t('Play every video together'));
  loopButton.setAttribute('aria-pressed', String(looping));
  loopButton.classList.toggle('button-on', looping);
  const muted = videos[0]?.muted ?? true;
  soundButton.textContent = muted ? l10n.t('Sound off') : l10n.t('Sound on');
  soundButton.setAttribute('aria-pressed', String(!muted));
}

function renderTime(): void {
  const lead = leader();
  const total = lead ? durationOf(lead) : 0;
  const now = lead ? lead.currentTime : 0;
  seek.max = String(total || 0);
  seek.value = String(now);
  const fmt = (s: number) => `${formatElapsed(s * 1000)}.${String(Math.floor((s % 1) * 10))}`;
  time.textContent = `${fmt(now)} / ${fmt(total)}`;
  seek.setAttribute('aria-valuetext', l10n.t('{0} of {1}', fmt(now), fmt(total)));
}

/** Keeps the others on the leader's clock; restarts everyone together when looping. */
function onLeaderTime(): void {
  const lead = leader();
  if (!lead) return;
  for (const v of videos) {
    if (v === lead || v.paused || lead.currentTime >= durationOf(v)) continue;
    if (Math.abs(v.currentTime - lead.currentTime) > MAX_DRIFT_S) v.currentTime = lead.currentTime;
  }
  renderTime();
}

function onEnded(): void {
  if (videos.some((v) => !v.ended && !v.paused)) return;
  if (looping) {
    seekAll(0);
    for (const v of videos) v.play().catch(() => undefined);
  }
  renderButtons();
}

seek.addEventListener('input', () => seekAll(Number(seek.value)));

document.addEventListener('keydown', (e) => {
  const target = e.target as HTMLElement | null;
  if (target && (target.tagName === 'BUTTON' || target.tagName === 'INPUT') && (e.key === ' ' || e.key === 'Enter')) return;
  if (e.key === ' ') {
    e.preventDefault();
    togglePlay();
  } else if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
    if (target?.tagName === 'INPUT') return;
    e.preventDefault();
    stepFrames(e.key === 'ArrowLeft' ? -1 : 1);
  } else if (e.key.toLowerCase() === 'l' && !e.ctrlKey && !e.metaKey) {
    setLoop(!looping);
  }
});

// ---- Rendering -------------------------------------------------------------------------------

/** A parameter row's label in the display language; option keys (`camera.zoom`) stay as they are. */
function paramLabel(label: string): string {
  switch (label) {
    case 'Provider':
      return l10n.t('Provider');
    case 'Model':
      return l10n.t('Model');
    case 'Seed':
      return l10n.t('Seed');
    case 'Negative prompt':
      return l10n.t('Negative prompt');
    case 'Aspect ratio':
      return l10n.t('Aspect ratio');
    case 'Duration':
      return l10n.t('Duration');
    case 'Resolution':
      return l10n.t('Resolution');
    case 'Pikaffect':
      return l10n.t('Pikaffect');
    case 'Style':
      return l10n.t('Style');
    default:
      return label;
  }
}

function take(
  item: CompareItem,
  index: number,
  rows: ReturnType<typeof diffParams>[number],
  prompt: ReturnType<typeof diffPrompts>[number],
): HTMLElement {
  const section = el('section', 'take');
  section.setAttribute('aria-label', l10n.t('Take {0}: {1}', index + 1, item.title));
  const video = el('video', 'take-video');
  video.muted = true;
  video.playsInline = true;
  video.preload = 'auto';
  video.setAttribute('aria-label', l10n.t('Video of take {0}', index + 1));
  if (item.posterSrc) video.poster = item.posterSrc;
  video.src = item.videoSrc;
  video.addEventListener('loadedmetadata', renderTime);
  video.addEventListener('timeupdate', () => {
    if (video === leader()) onLeaderTime();
  });
  video.addEventListener('ended', onEnded);
  video.addEventListener('play', renderButtons);
  video.addEventListener('pause', renderButtons);
  videos.push(video);

  const head = el('div', 'take-head');
  head.append(
    el('h2', 'take-title', l10n.t('Take {0}', index + 1)),
    button(
      l10n.t('Keep this one'),
      'primary',
      () => vscode.postMessage({ type: 'keep', taskId: item.taskId }),
      l10n.t('Save this video to the workspace'),
    ),
  );

  const promptText = el('p', 'prompt');
  for (const token of prompt) {
    if (token.differs) {
      const mark = el('mark', 'differs', token.text);
      mark.title = l10n.t('Not in every prompt');
      promptText.append(mark);
    } else promptText.append(document.createTextNode(token.text));
  }

  const params = el('dl', 'params');
  for (const row of rows) {
    const wrap = el('div', row.differs ? 'param differs' : 'param');
    const dd = el('dd', 'param-value', row.value);
    if (row.differs) dd.append(el('span', 'visually-hidden', l10n.t(' (differs)')));
    wrap.append(el('dt', 'param-label', paramLabel(row.label)), dd);
    params.append(wrap);
  }
  section.append(video, head, promptText, params);
  return section;
}

function show(list: CompareItem[]): void {
  for (const v of videos) {
    v.pause();
    v.removeAttribute('src');
    v.load();
  }
  videos = [];
  items = list;
  vscode.setState({ taskIds: list.map((i) => i.taskId) });
  const rows = diffParams(list.map((i) => i.params));
  const prompts = diffPrompts(list.map((i) => i.prompt));
  takes.dataset.count = String(list.length);
  takes.replaceChildren(...list.map((item, i) => take(item, i, rows[i], prompts[i])));
  status.hidden = true;
  controls.hidden = false;
  renderButtons();
  renderTime();
}

/** Clears the takes and says why instead. */
function showUnavailable(text: string): void {
  show([]);
  status.textContent = text;
  status.hidden = false;
  controls.hidden = true;
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  // A malformed take is left out; the others are shown.
  const read = readCompareHostMessage(event.data);
  if (!read) return;
  const { message, dropped } = read;
  if (message.type === 'unavailable') {
    showUnavailable(message.message);
  } else if (message.items.length < MIN_COMPARE) {
    showUnavailable(l10n.t('These videos cannot be compared: fewer than two of them could be shown.'));
  } else {
    show(message.items);
    if (dropped > 0) {
      status.textContent = l10n.t('{0} of the videos could not be shown.', dropped);
      status.hidden = false;
    }
  }
});

controls.hidden = true;
renderButtons();
vscode.postMessage({ type: 'ready' });
