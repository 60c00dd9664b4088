// The video player webview panel: one reusable panel that plays a task's downloaded video, or a
// storyboard's film (src/vscode/storyboard/film.ts). The webview app lives in src/webview/player; both
// sides speak src/webview/player/playerProtocol.ts. Showing a film widens the webview's resource roots
// to the film's own folder, for this panel and while it shows that film; a task puts them back.
// The lifecycle (one open panel, restore, ready handshake, disposal) is the panel base's (panelBase.ts).

import * as fs from 'fs';
import * as vscode from 'vscode';

import { errorMessage } from '../../../core/model/errors';
import type { Task } from '../../../core/model/task';
import { TASK_ACTION_IDS, type TaskActionId } from '../../../core/provider/descriptor';
import { PROVIDERS } from '../../../providers';
import {
  isFilmPlayerState,
  isTaskPlayerState,
  isWebviewMessage,
  type ActionMessage,
  type FilmAction,
  type FilmActionMessage,
  type FilmPlaybackMessage,
  type HostToWebview,
  type PlaybackMessage,
  type PlayerAction,
  type WebviewToHost,
} from '../../../webview/player/playerProtocol';
import { showError, showWarning } from '../../notify';
import type { FilmContent } from '../../storyboard/film';
import { AppPanel, PanelSlot, readWhole, type PanelPlace, type PanelSpec } from '../panelBase';
import { webviewOptions } from '../webviewOptions';
import { isPathInside, panelTitle, planPlayerContent, type PlayerContent } from './playerPage';

/** Actions the extension implements; the panel handles the file and clipboard ones itself. */
export type HostPlayerAction = Extract<PlayerAction, 'saveToWorkspace' | 'regenerate' | 'continueFromLastFrame'>;

/** What the panel needs from the rest of the extension. */
export interface PlayerHost {
  getTask(id: string): Task | undefined;
  /** Fires when tasks change; the panel re-renders if what it shows changed (e.g. a download finished). */
  onDidChangeTasks: vscode.Event<unknown>;
  runAction(action: HostPlayerAction, taskId: string, videoIndex: number): void | Thenable<unknown>;
  /** One of the provider's actions on the task (remix…); asks for what it needs. */
  runTaskAction(action: TaskActionId, taskId: string): Thenable<unknown>;
  /** The film of the storyboard whose URI string is `key` (storyboard/film.ts). */
  loadFilm(key: string): Promise<FilmContent>;
  log: { info(msg: string): void; warn(msg: string): void };
}

function realPath(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}

const SPEC: PanelSpec<WebviewToHost> = {
  app: 'player',
  name: 'Player',
  pageTitle: () => vscode.l10n.t('Video player'),
  read: readWhole(isWebviewMessage),
};

export class PlayerPanel extends AppPanel<HostToWebview, WebviewToHost> {
  static readonly viewType = 'aiVideo.player';
  private static readonly slot = new PanelSlot<PlayerPanel>(PlayerPanel.viewType);

  /** The open player, if any. */
  static get current(): PlayerPanel | undefined {
    return PlayerPanel.slot.current;
  }

  /** Shows `taskId` in the player, creating the panel or reusing and revealing the open one. */
  static show(extensionUri: vscode.Uri, mediaRoot: vscode.Uri, host: PlayerHost, taskId: string, videoIndex = 0): PlayerPanel {
    const place = { extensionUri, mediaRoot };
    return PlayerPanel.slot.show(
      place,
      panelTitle(host.getTask(taskId)?.prompt),
      (open) => open.select(taskId, videoIndex),
      (panel) => new PlayerPanel(panel, place, host, { taskId, videoIndex }),
    );
  }

  /**
   * Shows the film of the storyboard `key` (its URI string), titled `name`, creating the panel or
   * reusing the open one. The returned promise settles once the film is read and its view posted.
   */
  static showFilm(extensionUri: vscode.Uri, mediaRoot: vscode.Uri, host: PlayerHost, key: string, name: string): Promise<PlayerPanel> {
    const place = { extensionUri, mediaRoot };
    const panel = PlayerPanel.slot.show(
      place,
      panelTitle(name),
      (open) => open.selectFilm(key),
      (created) => new PlayerPanel(created, place, host, { film: key }),
    );
    return panel.filmLoaded.then(() => panel);
  }

  /** Restores the panel after a reload from the webview state: `{taskId, videoIndex}`, or `{film}` for a film. */
  static registerSerializer(extensionUri: vscode.Uri, mediaRoot: vscode.Uri, host: PlayerHost): vscode.Disposable {
    const place = { extensionUri, mediaRoot };
    return PlayerPanel.slot.registerSerializer(place, host.log, (panel, state) =>
      isTaskPlayerState(state) || isFilmPlayerState(state) ? new PlayerPanel(panel, place, host, state) : undefined,
    );
  }

  private readonly playbackEmitter = new vscode.EventEmitter<PlaybackMessage | FilmPlaybackMessage>();
  readonly onDidReportPlayback: vscode.Event<PlaybackMessage | FilmPlaybackMessage> = this.playbackEmitter.event;

  /** The task shown, undefined while a film is. */
  private shownTaskId: string | undefined;
  private shownVideoIndex = 0;
  /** The storyboard (URI string) whose film is shown, undefined while a task is. */
  private shownFilm: string | undefined;
  /** What was last read of the shown film; undefined until the first read ends. */
  private film: FilmContent | undefined;
  /** The film folder added to the webview's resource roots, if any. */
  private filmRoot: string | undefined;
  private filmRead: Promise<void> = Promise.resolve();
  private latestPlayback: PlaybackMessage | FilmPlaybackMessage | undefined;

  private constructor(
    panel: vscode.WebviewPanel,
    place: PanelPlace,
    private readonly host: PlayerHost,
    shown: { taskId: string; videoIndex: number } | { film: string },
  ) {
    super(PlayerPanel.slot, panel, place, host.log, SPEC);
    this.disposables.add(this.playbackEmitter);
    this.disposables.add(
      host.onDidChangeTasks(() => {
        if (this.shownTaskId !== undefined) this.render(false);
      }),
    );
    if ('film' in shown) {
      panel.title = panelTitle(filmName(shown.film));
      this.selectFilm(shown.film);
    } else {
      this.shownTaskId = shown.taskId;
      this.shownVideoIndex = shown.videoIndex;
      panel.title = panelTitle(host.getTask(shown.taskId)?.prompt);
    }
  }

  /** The task shown; undefined while a film is. */
  get taskId(): string | undefined {
    return this.shownTaskId;
  }

  get videoIndex(): number {
    return this.shownVideoIndex;
  }

  /** The latest playback report of the shown task or film, if any. */
  get lastPlayback(): PlaybackMessage | FilmPlaybackMessage | undefined {
    return this.latestPlayback;
  }

  /** Settles when the shown film has been read (and its view posted, once the page is ready). */
  get filmLoaded(): Promise<void> {
    return this.filmRead;
  }

  /** The film shown, as last read: its storyboard, and its file and shots or why it cannot be played. */
  get filmShown(): { storyboard: string; file?: string; title?: string; shots?: string[]; message?: string } | undefined {
    if (this.shownFilm === undefined) return undefined;
    const film = this.film;
    if (!film) return { storyboard: this.shownFilm };
    if (film.kind === 'unavailable') return { storyboard: this.shownFilm, message: film.message };
    return { storyboard: this.shownFilm, file: film.file, title: film.meta.title, shots: film.meta.shots.map((s) => s.id) };
  }

  private select(taskId: string, videoIndex: number): void {
    if (taskId !== this.shownTaskId || videoIndex !== this.shownVideoIndex) this.latestPlayback = undefined;
    this.shownTaskId = taskId;
    this.shownVideoIndex = videoIndex;
    this.shownFilm = undefined;
    this.film = undefined;
    this.setFilmRoot(undefined);
    this.render(true);
  }

  private selectFilm(key: string): void {
    if (key !== this.shownFilm) {
      this.latestPlayback = undefined;
      this.film = undefined;
    }
    this.shownTaskId = undefined;
    this.shownVideoIndex = 0;
    this.shownFilm = key;
    this.filmRead = this.readFilm(true);
  }

  /** Reads the shown film again (the file may have been rendered again, or removed) and posts its view. */
  private async readFilm(force: boolean): Promise<void> {
    const key = this.shownFilm;
    if (key === undefined) return;
    let film: FilmContent;
    try {
      film = await this.host.loadFilm(key);
    } catch (error) {
      film = { kind: 'unavailable', message: vscode.l10n.t('The film could not be read: {0}', errorMessage(error)) };
    }
    if (this.disposed || key !== this.shownFilm) return;
    this.film = film;
    this.setFilmRoot(film.kind === 'film' ? film.folder : undefined);
    this.render(force);
  }

  /** Lets the webview load from the film's folder (and only while it shows that film). */
  private setFilmRoot(folder: string | undefined): void {
    if (folder === this.filmRoot || this.disposed) return;
    this.filmRoot = folder;
    // A change of the roots reloads the page; it says `ready` again and gets the view then.
    this.panel.webview.options = webviewOptions(this.place.extensionUri, this.place.mediaRoot, folder ? [vscode.Uri.file(folder)] : []);
  }

  /** The shown task's content, with the file checked on disk (exists, and no symlink out of mediaRoot). */
  private content(): PlayerContent {
    const task = this.shownTaskId === undefined ? undefined : this.host.getTask(this.shownTaskId);
    const content = planPlayerContent(task, this.shownVideoIndex, this.place.mediaRoot.fsPath, task && PROVIDERS[task.provider]);
    if (content.kind !== 'video') return content;
    const file = realPath(content.localPath);
    const root = realPath(this.place.mediaRoot.fsPath);
    if (!file || !root) {
      return { kind: 'unavailable', message: vscode.l10n.t('The downloaded video file is missing. Download it again to play it.') };
    }
    if (!isPathInside(root, file)) {
      return {
        kind: 'unavailable',
        message: vscode.l10n.t("The video file is outside the extension's media folder, so the player cannot load it."),
      };
    }
    return content;
  }

  private message(): HostToWebview | undefined {
    if (this.shownFilm !== undefined) return this.filmMessage(this.shownFilm);
    const taskId = this.shownTaskId ?? '';
    const content = this.content();
    if (content.kind === 'unavailable') {
      return { type: 'unavailable', taskId, message: content.message };
    }
    this.shownVideoIndex = content.videoIndex;
    const src = this.panel.webview.asWebviewUri(vscode.Uri.file(content.localPath)).toString();
    return { type: 'show', taskId, videoIndex: content.videoIndex, video: { src }, meta: content.meta };
  }

  /** The film's view; undefined until it has been read. */
  private filmMessage(key: string): HostToWebview | undefined {
    const film = this.film;
    if (!film) return undefined;
    if (film.kind === 'unavailable') return { type: 'filmUnavailable', film: key, message: film.message };
    const src = this.panel.webview.asWebviewUri(vscode.Uri.file(film.file)).toString();
    return { type: 'showFilm', film: key, video: { src }, meta: film.meta };
  }

  /** Posts the current view: `force` re-posts it (a new selection), otherwise only when it changed. */
  private render(force: boolean): void {
    if (this.disposed) return;
    this.panel.title =
      this.shownFilm !== undefined
        ? panelTitle(this.film?.kind === 'film' ? this.film.meta.title : filmName(this.shownFilm))
        : panelTitle(this.shownTaskId === undefined ? undefined : this.host.getTask(this.shownTaskId)?.prompt);
    const message = this.message();
    if (!message) return;
    if (force) this.post(message);
    else this.postWhenChanged(message);
  }

  protected onReady(): void {
    if (this.shownFilm !== undefined) {
      // Shown again after a reload or hidden: the film may have been rendered again or removed since.
      this.render(false);
      this.filmRead = this.readFilm(false);
      return;
    }
    this.render(false);
  }

  protected onMessage(message: Exclude<WebviewToHost, { type: 'ready' }>): void {
    switch (message.type) {
      case 'filmPlayback':
        if (message.film !== this.shownFilm) return;
        this.latestPlayback = message;
        this.playbackEmitter.fire(message);
        return;
      case 'filmMediaError':
        if (message.film !== this.shownFilm) return;
        this.host.log.warn(`Player: film of ${message.film}: ${message.message}`);
        return;
      case 'filmAction':
        if (message.film !== this.shownFilm) {
          this.host.log.info(`Player: ignored "${message.action}" for a film that is no longer shown.`);
          return;
        }
        this.onFilmAction(message);
        return;
      case 'playback':
        if (message.taskId !== this.shownTaskId) return;
        this.latestPlayback = message;
        this.playbackEmitter.fire(message);
        return;
      case 'mediaError':
        if (message.taskId !== this.shownTaskId) return;
        this.host.log.warn(`Player: task ${message.taskId}: ${message.message}`);
        return;
      case 'action':
        if (message.taskId !== this.shownTaskId) {
          this.host.log.info(`Player: ignored "${message.action}" for task ${message.taskId}, which is no longer shown.`);
          return;
        }
        this.onAction(message);
        return;
      case 'taskAction': {
        const action = TASK_ACTION_IDS.find((id) => id === message.action);
        const taskId = this.shownTaskId;
        if (message.taskId !== taskId || taskId === undefined || !action) {
          this.host.log.info(`Player: ignored "${message.action}" for task ${message.taskId}.`);
          return;
        }
        this.host.runTaskAction(action, taskId).then(undefined, (error: unknown) => {
          this.host.log.warn(`Player: "${action}" failed: ${errorMessage(error)}`);
          showError(vscode.l10n.t('Could not {0} the video: {1}', action, errorMessage(error)));
        });
        return;
      }
    }
  }

  private onAction(message: ActionMessage): void {
    const { action, taskId } = message;
    const videoIndex = message.videoIndex ?? this.shownVideoIndex;
    switch (action) {
      case 'selectVideo':
        this.select(taskId, videoIndex);
        return;
      case 'copyPrompt': {
        const task = this.host.getTask(taskId);
        if (!task) return;
        this.run(
          action,
          vscode.env.clipboard.writeText(task.prompt).then(() => {
            vscode.window.setStatusBarMessage(`$(check) ${vscode.l10n.t('Prompt copied')}`, 3000);
          }),
        );
        return;
      }
      case 'openExternal':
      case 'revealInExplorer':
      case 'openInVideoPreview': {
        const content = this.content();
        if (content.kind === 'unavailable') {
          showWarning(content.message);
          return;
        }
        const uri = vscode.Uri.file(content.localPath);
        const work =
          action === 'openExternal'
            ? vscode.env.openExternal(uri)
            : action === 'revealInExplorer'
              ? vscode.commands.executeCommand('revealFileInOS', uri)
              : vscode.commands.executeCommand('vscode.openWith', uri, 'vscode.videoPreview');
        this.run(action, work);
        return;
      }
      case 'saveToWorkspace':
      case 'regenerate':
      case 'continueFromLastFrame':
        try {
          this.run(action, this.host.runAction(action, taskId, videoIndex));
        } catch (error) {
          this.fail(action, error);
        }
        return;
    }
  }

  private onFilmAction(message: FilmActionMessage): void {
    const { action, film: key } = message;
    const fail = (error: unknown) => {
      this.host.log.warn(`Player: "${action}" on a film failed: ${errorMessage(error)}`);
      showError(filmFailureText(action, errorMessage(error)));
    };
    if (action === 'openStoryboard') {
      vscode.window.showTextDocument(vscode.Uri.parse(key, true)).then(undefined, fail);
      return;
    }
    const film = this.film;
    if (!film || film.kind === 'unavailable' || !fs.existsSync(film.file)) {
      showWarning(film?.kind === 'unavailable' ? film.message : vscode.l10n.t('The film file is gone. Render the storyboard again.'));
      return;
    }
    const uri = vscode.Uri.file(film.file);
    const work =
      action === 'openExternal'
        ? vscode.env.openExternal(uri)
        : action === 'revealInExplorer'
          ? vscode.commands.executeCommand('revealInExplorer', uri)
          : vscode.commands.executeCommand('vscode.openWith', uri, 'vscode.videoPreview');
    work.then(undefined, fail);
  }

  private run(action: PlayerAction, work: void | Thenable<unknown>): void {
    const thenable = work as Thenable<unknown> | undefined;
    if (typeof thenable?.then === 'function') thenable.then(undefined, (error: unknown) => this.fail(action, error));
  }

  private fail(action: PlayerAction, error: unknown): void {
    this.host.log.warn(`Player: "${action}" failed: ${errorMessage(error)}`);
    showError(failureText(action, errorMessage(error)));
  }
}

/** A storyboard's name from its URI string, until its film has been read. */
function filmName(key: string): string {
  const last = key.split('/').pop() ?? key;
  let name = last;
  try {
    name = decodeURIComponent(last);
  } catch {
    // Keep it as written.
  }
  return name.replace(/\.(md|markdown)$/i, '');
}

function filmFailureText(action: FilmAction, error: string): string {
  switch (action) {
    case 'openExternal':
      return vscode.l10n.t('Could not open the film externally: {0}', error);
    case 'revealInExplorer':
      return vscode.l10n.t('Could not reveal the film: {0}', error);
    case 'openInVideoPreview':
      return vscode.l10n.t('Could not open the video preview: {0}', error);
    case 'openStoryboard':
      return vscode.l10n.t('Could not open the storyboard: {0}', error);
  }
}

function failureText(action: PlayerAction, error: string): string {
  switch (action) {
    case 'openExternal':
      return vscode.l10n.t('Could not open the video externally: {0}', error);
    case 'revealInExplorer':
      return vscode.l10n.t('Could not reveal the video file: {0}', error);
    case 'openInVideoPreview':
      return vscode.l10n.t('Could not open the video preview: {0}', error);
    case 'copyPrompt':
      return vscode.l10n.t('Could not copy the prompt: {0}', error);
    case 'saveToWorkspace':
      return vscode.l10n.t('Could not save the video to the workspace: {0}', error);
    case 'regenerate':
      return vscode.l10n.t('Could not regenerate the video: {0}', error);
    case 'selectVideo':
      return vscode.l10n.t('Could not switch videos: {0}', error);
    case 'continueFromLastFrame':
      return vscode.l10n.t('Could not continue from the last frame: {0}', error);
  }
}
