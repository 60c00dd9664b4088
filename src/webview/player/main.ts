// The player webview app (browser, bundled to dist/webview/player.js). It builds its DOM with
// createElement/textContent only, talks to the panel through the typed protocol, and keeps
// {taskId, videoIndex} (or {film} for a storyboard's film) in the webview state so the panel
// serializer can restore it. A film shows its shots and the actions a film has (no Regenerate).

import '../common/l10n';

import * as l10n from '@vscode/l10n';

import { formatDuration, formatResolution, metaFacts, type IntrinsicVideo, type MetaFact } from '../../shared/format';
import { button, el } from '../common/dom';
import {
  isHostMessage,
  isTaskPlayerState,
  type FilmAction,
  type FilmUnavailableMessage,
  type PlayerAction,
  type PlayerState,
  type ShowFilmMessage,
  type ShowMessage,
  type UnavailableMessage,
  type WebviewToHost,
} from './playerProtocol';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: PlayerState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();

/** `timeupdate` fires up to every frame in some engines; about four reports a second are enough. */
const PLAYBACK_REPORT_INTERVAL_MS = 250;
const MAX_ERROR_LENGTH = 2000;

let shown: ShowMessage | undefined;
let shownFilm: ShowFilmMessage | undefined;
/** The source the video element was given, whichever kind of view set it. */
let loadedSrc: string | undefined;
let lastPlaybackReport = 0;

function post(message: WebviewToHost): void {
  vscode.postMessage(message);
}

function runAction(action: PlayerAction, videoIndex?: number): void {
  if (!shown) return;
  post({ type: 'action', action, taskId: shown.taskId, videoIndex: videoIndex ?? shown.videoIndex });
}

function runFilmAction(action: FilmAction): void {
  if (shownFilm) post({ type: 'filmAction', action, film: shownFilm.film });
}

/** The actions a task and a film share, for whichever is shown. */
function openWith(action: 'openInVideoPreview' | 'openExternal'): void {
  if (shownFilm) runFilmAction(action);
  else runAction(action);
}

// ---- Layout ----------------------------------------------------------------------------------

const app = document.getElementById('app') ?? document.body.appendChild(el('main', 'app'));

const statusLine = el('p', 'status', l10n.t('Loading…'));

const stage = el('div', 'stage');
const video = el('video', 'video');
for (const flag of ['controls', 'autoplay', 'muted', 'playsinline', 'loop']) video.setAttribute(flag, '');
video.muted = true;
video.preload = 'auto';

const mediaError = el('div', 'media-error');
mediaError.setAttribute('role', 'alert');
const mediaErrorTitle = el('p', 'media-error-title', l10n.t('This video can’t be played in this panel.'));
const mediaErrorText = el('p', 'media-error-text');
const mediaErrorActions = el('div', 'media-error-actions');
mediaErrorActions.append(
  button(l10n.t('Open in VS Code video preview'), 'primary', () => openWith('openInVideoPreview')),
  button(l10n.t('Open externally'), 'secondary', () => openWith('openExternal')),
);
mediaError.append(mediaErrorTitle, mediaErrorText, mediaErrorActions);
stage.append(video, mediaError);

const picker = el('nav', 'picker');
picker.setAttribute('aria-label', l10n.t('Videos of this task'));

const meta = el('section', 'meta');
const title = el('h1', 'title');
const facts = el('dl', 'facts');
const promptBlock = el('div', 'text-block');
const promptText = el('p', 'prompt');
promptBlock.append(el('h2', 'label', l10n.t('Prompt')), promptText);
const negativeBlock = el('div', 'text-block');
const negativeText = el('p', 'prompt prompt-negative');
negativeBlock.append(el('h2', 'label', l10n.t('Negative prompt')), negativeText);
/** A film's shots, in the film's order, and why it may not be the latest. */
const shotsBlock = el('div', 'text-block');
const shotList = el('ol', 'shots');
shotsBlock.append(el('h2', 'label', l10n.t('Shots')), shotList);
const filmNote = el('p', 'film-note');
meta.append(facts, promptBlock, negativeBlock, shotsBlock, filmNote);

const actions = el('div', 'actions');
actions.setAttribute('role', 'toolbar');
actions.setAttribute('aria-label', l10n.t('Video actions'));
actions.append(
  button(l10n.t('Preview in VS Code'), 'primary', () => runAction('openInVideoPreview'), l10n.t('Open in VS Code’s video preview')),
  button(l10n.t('Open externally'), 'secondary', () => runAction('openExternal'), l10n.t('Open with the default video app')),
  button(l10n.t('Reveal file'), 'secondary', () => runAction('revealInExplorer'), l10n.t('Show the downloaded file in the file manager')),
  button(l10n.t('Copy prompt'), 'secondary', () => runAction('copyPrompt')),
  button(l10n.t('Save to workspace…'), 'secondary', () => runAction('saveToWorkspace'), l10n.t('Copy the video into the workspace')),
  button(l10n.t('Regenerate'), 'secondary', () => runAction('regenerate'), l10n.t('Start a new task with the same request')),
  button(
    l10n.t('Continue from last frame…'),
    'secondary',
    () => runAction('continueFromLastFrame'),
    l10n.t('Start a new video from the last frame of this one'),
  ),
);
/** The provider's own actions on the task (remix…), after the common ones. */
const taskActions = el('span', 'task-actions');
actions.append(taskActions);

const filmActions = el('div', 'actions');
filmActions.setAttribute('role', 'toolbar');
filmActions.setAttribute('aria-label', l10n.t('Film actions'));
filmActions.append(
  button(l10n.t('Preview in VS Code'), 'primary', () => runFilmAction('openInVideoPreview'), l10n.t('Open in VS Code’s video preview')),
  button(l10n.t('Open externally'), 'secondary', () => runFilmAction('openExternal'), l10n.t('Open with the default video app')),
  button(l10n.t('Reveal in Explorer'), 'secondary', () => runFilmAction('revealInExplorer'), l10n.t('Show the film in the Explorer view')),
  button(
    l10n.t('Open storyboard'),
    'secondary',
    () => runFilmAction('openStoryboard'),
    l10n.t('Open the storyboard this film was rendered from'),
  ),
);

// Title and actions on top, where a notification toast (bottom right) never covers them; the
// video below is capped at about 60% of the panel so the details stay in view.
const header = el('header', 'header');
header.append(title, actions, filmActions);
const media = el('div', 'media');
media.append(stage, picker);
const body = el('div', 'body');
body.append(media, meta);

app.append(statusLine, header, body);

// ---- Rendering -------------------------------------------------------------------------------

function setContentVisible(visible: boolean): void {
  header.hidden = !visible;
  body.hidden = !visible;
  statusLine.hidden = visible;
  if (!visible) picker.hidden = true;
}

function intrinsic(): IntrinsicVideo {
  if (video.readyState < HTMLMediaElement.HAVE_METADATA) return {};
  return {
    width: video.videoWidth || undefined,
    height: video.videoHeight || undefined,
    duration: Number.isFinite(video.duration) ? video.duration : undefined,
  };
}

/** The rows of a film's details: its files, its cost, and what the video element knows (the shots are listed below). */
function filmFacts(film: ShowFilmMessage, known: IntrinsicVideo): MetaFact[] {
  const rows: Array<[string, string | undefined]> = [
    [l10n.t('Storyboard'), film.meta.storyboard],
    [l10n.t('File'), film.meta.file],
    [l10n.t('Duration'), formatDuration(known.duration)],
    [l10n.t('Resolution'), formatResolution(known.width, known.height)],
    [l10n.t('Cost'), film.meta.cost],
  ];
  return rows.filter((r): r is [string, string] => r[1] !== undefined).map(([label, value]) => ({ label, value }));
}

function renderFacts(): void {
  const rows = shownFilm ? filmFacts(shownFilm, intrinsic()) : shown ? metaFacts(shown.meta, intrinsic()) : undefined;
  if (!rows) return;
  facts.replaceChildren(
    ...rows.map(({ label, value }) => {
      const row = el('div', 'fact');
      row.append(el('dt', 'label', label), el('dd', 'fact-value', value));
      return row;
    }),
  );
}

function renderPicker(message: ShowMessage): void {
  const count = message.meta.videoCount;
  picker.hidden = count <= 1;
  if (count <= 1) {
    picker.replaceChildren();
    return;
  }
  const buttons = Array.from({ length: count }, (_, i) => {
    const current = i === message.videoIndex;
    const b = button(String(i + 1), current ? 'primary' : 'secondary', () => {
      if (!current) runAction('selectVideo', i);
    });
    b.classList.add('picker-button');
    b.setAttribute('aria-label', l10n.t('Video {0} of {1}', i + 1, count));
    b.setAttribute('aria-pressed', String(current));
    return b;
  });
  picker.replaceChildren(el('span', 'label picker-label', l10n.t('Video')), ...buttons);
}

function hideMediaError(): void {
  mediaError.hidden = true;
  video.classList.remove('video-failed');
}

function clearVideo(): void {
  video.pause();
  video.removeAttribute('src');
  video.removeAttribute('poster');
  video.load();
}

/** Gives the video element a new source; the same one keeps playing. */
function load(source: ShowMessage['video']): void {
  if (loadedSrc === source.src) return;
  loadedSrc = source.src;
  hideMediaError();
  lastPlaybackReport = 0;
  if (source.posterSrc) video.poster = source.posterSrc;
  else video.removeAttribute('poster');
  video.src = source.src;
}

/** Shows the parts of a task's view, or those of a film's. */
function setMode(film: boolean): void {
  actions.hidden = film;
  filmActions.hidden = !film;
  promptBlock.hidden = film;
  shotsBlock.hidden = !film;
  if (film) {
    negativeBlock.hidden = true;
    picker.hidden = true;
  } else filmNote.hidden = true;
}

function show(message: ShowMessage): void {
  shown = message;
  shownFilm = undefined;
  vscode.setState({ taskId: message.taskId, videoIndex: message.videoIndex });
  setContentVisible(true);
  setMode(false);
  load(message.video);
  title.textContent = message.meta.title;
  title.title = message.meta.prompt;
  promptText.textContent = message.meta.prompt;
  negativeText.textContent = message.meta.negativePrompt ?? '';
  negativeBlock.hidden = !message.meta.negativePrompt;
  renderFacts();
  renderPicker(message);
  taskActions.replaceChildren(
    ...message.meta.taskActions.map((a) =>
      button(a.label, 'secondary', () => shown && post({ type: 'taskAction', action: a.id, taskId: shown.taskId })),
    ),
  );
}

function showFilm(message: ShowFilmMessage): void {
  shown = undefined;
  shownFilm = message;
  vscode.setState({ film: message.film });
  setContentVisible(true);
  setMode(true);
  load(message.video);
  title.textContent = message.meta.title;
  title.title = message.meta.storyboard;
  renderFacts();
  shotList.replaceChildren(
    ...message.meta.shots.map((shot) => {
      const item = el('li', 'shot');
      const details = [shot.model, formatDuration(shot.duration), shot.cost].filter((d): d is string => !!d);
      item.append(el('span', 'shot-id', shot.id));
      if (details.length) item.append(el('span', 'shot-details', details.join(' · ')));
      return item;
    }),
  );
  filmNote.textContent = message.meta.note ?? '';
  filmNote.hidden = !message.meta.note;
}

function showUnavailable(message: UnavailableMessage | FilmUnavailableMessage): void {
  if (message.type === 'filmUnavailable') {
    vscode.setState({ film: message.film });
  } else {
    const previous = vscode.getState();
    const videoIndex = isTaskPlayerState(previous) && previous.taskId === message.taskId ? previous.videoIndex : 0;
    vscode.setState({ taskId: message.taskId, videoIndex });
  }
  shown = undefined;
  shownFilm = undefined;
  loadedSrc = undefined;
  clearVideo();
  hideMediaError();
  statusLine.textContent = message.message;
  setContentVisible(false);
}

// ---- Media events ----------------------------------------------------------------------------

function reportPlayback(): void {
  if ((!shown && !shownFilm) || !video.currentSrc) return;
  const finite = (n: number) => (Number.isFinite(n) && n >= 0 ? n : 0);
  const state = {
    currentTime: finite(video.currentTime),
    duration: finite(video.duration),
    paused: video.paused,
    readyState: video.readyState,
    videoWidth: video.videoWidth,
    videoHeight: video.videoHeight,
  };
  if (shownFilm) post({ type: 'filmPlayback', film: shownFilm.film, ...state });
  else if (shown) post({ type: 'playback', taskId: shown.taskId, ...state });
}

const ERROR_REASONS: Record<number, string> = {
  1: 'loading was aborted',
  2: 'a network error stopped loading the file',
  3: 'the video could not be decoded',
  4: 'the file format or codec is not supported',
};

/** ERROR_REASONS (which the log gets in English) in the display language. */
function reasonText(code: number | undefined): string {
  switch (code) {
    case 1:
      return l10n.t('loading was aborted');
    case 2:
      return l10n.t('a network error stopped loading the file');
    case 3:
      return l10n.t('the video could not be decoded');
    case 4:
      return l10n.t('the file format or codec is not supported');
    default:
      return l10n.t('the video could not be loaded');
  }
}

function onMediaError(): void {
  if ((!shown && !shownFilm) || !video.getAttribute('src')) return;
  const error = video.error;
  const reason = (error && ERROR_REASONS[error.code]) ?? 'the video could not be loaded';
  const detail = error?.message ? ` (${error.message})` : '';
  mediaErrorText.textContent = l10n.t(
    'The player reported that {0}. VS Code’s built-in player may not support this codec; the VS Code video preview or your default video app may still play it.',
    reasonText(error?.code),
  );
  mediaErrorText.title = error?.message ?? '';
  mediaError.hidden = false;
  video.classList.add('video-failed');
  const what = shownFilm ? 'The film' : `Video ${(shown?.videoIndex ?? 0) + 1}`;
  const message =
    `${what} could not be played: ${reason}${detail}. ` +
    'The codec may be unsupported by the webview player; try "Open in VS Code video preview" or "Open externally".';
  if (shownFilm) post({ type: 'filmMediaError', film: shownFilm.film, message: message.slice(0, MAX_ERROR_LENGTH) });
  else if (shown) post({ type: 'mediaError', taskId: shown.taskId, message: message.slice(0, MAX_ERROR_LENGTH) });
}

for (const event of ['loadedmetadata', 'play', 'pause', 'ended']) video.addEventListener(event, reportPlayback);
video.addEventListener('loadedmetadata', renderFacts);
video.addEventListener('timeupdate', () => {
  const now = performance.now();
  if (now - lastPlaybackReport < PLAYBACK_REPORT_INTERVAL_MS) return;
  lastPlaybackReport = now;
  reportPlayback();
});
video.addEventListener('error', onMediaError);

// ---- Host messages ---------------------------------------------------------------------------

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = event.data;
  if (!isHostMessage(message)) {
    // Never left on "Loading…": say so when there is nothing else on screen.
    if (!shown && !shownFilm) {
      statusLine.textContent = l10n.t('The player could not show this task. Close the player and open it again from the Tasks view.');
    }
    return;
  }
  if (message.type === 'show') show(message);
  else if (message.type === 'showFilm') showFilm(message);
  else showUnavailable(message);
});

setContentVisible(false);
hideMediaError();
post({ type: 'ready' });
