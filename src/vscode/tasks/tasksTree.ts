// The Tasks view: tasks newest first, under Today / Yesterday / This week / Older when
// `aiVideo.tasks.groupBy` is `day`; tasks made together (variants, several models) under one group
// node; a child per video when a task has several. An optional prompt filter narrows the list.
import * as vscode from 'vscode';

import { TaskEngine } from '../../core/engine/engine';
import { remedyFor } from '../../core/model/errors';
import { isActive, Task, TaskVideo } from '../../core/model/task';
import { escapeMarkdown as esc } from '../../core/net/sanitize';
import { actionsFor } from '../../core/provider/descriptor';
import { providerLabel, PROVIDERS } from '../../providers';
import { formatCost, formatWaiting } from '../../shared/format';
import { DAY_BUCKETS, dayBucket, taskClock, type DayBucket } from '../../shared/time';
import { foldText, queryWords } from '../../webview/gallery/model';
import { INTERACTIVE } from '../commands/invocation';
import { clipPrompt, TREE_LABEL_MAX } from './treeLabel';

export type TreeNode =
  | { kind: 'day'; bucket: DayBucket }
  | { kind: 'group'; groupId: string }
  | { kind: 'task'; taskId: string }
  | { kind: 'video'; taskId: string; index: number };

export type GroupBy = 'day' | 'none';

function statusWord(status: Task['status']): string {
  switch (status) {
    case 'waiting':
      return vscode.l10n.t('Waiting to send');
    case 'submitting':
      return vscode.l10n.t('Sending');
    case 'queued':
      return vscode.l10n.t('Queued');
    case 'running':
      return vscode.l10n.t('Running');
    case 'succeeded':
      return vscode.l10n.t('Done');
    case 'failed':
      return vscode.l10n.t('Failed');
  }
}

function dayLabel(bucket: DayBucket): string {
  switch (bucket) {
    case 'today':
      return vscode.l10n.t('Today');
    case 'yesterday':
      return vscode.l10n.t('Yesterday');
    case 'week':
      return vscode.l10n.t('This week');
    case 'older':
      return vscode.l10n.t('Older');
  }
}

export function shortPrompt(t: Pick<Task, 'prompt' | 'mode'>, max = TREE_LABEL_MAX): string {
  const p = clipPrompt(t.prompt, max);
  if (!p) {
    return t.mode === 'video-edit'
      ? vscode.l10n.t('(restyled video)')
      : t.mode === 'text-to-video'
        ? vscode.l10n.t('(no prompt)')
        : vscode.l10n.t('(animated image)');
  }
  return p;
}

/** Status, time ("1:12" while running, "took 2:40" once done) and provider. */
export function describeTask(t: Task, now = Date.now()): string {
  const who = `${providerLabel(t.provider)}${t.model ? ` ${t.model}` : ''}`;
  if (t.status === 'waiting') return `${formatWaiting(t.sendAfter, t.waitReason, now, vscode.l10n.t('waiting to send'))} · ${who}`;
  if (t.status === 'submitting') return `${vscode.l10n.t('sending…')} · ${who}`;
  const clock = taskClock(t, isActive(t), now, (e) => vscode.l10n.t('took {0}', e));
  if (t.status === 'running') return [`${t.progress}%`, clock, who, t.error ? vscode.l10n.t('retrying') : ''].filter(Boolean).join(' · ');
  if (t.status === 'queued') {
    return [vscode.l10n.t('Queued'), clock, who, t.error ? vscode.l10n.t('waiting') : ''].filter(Boolean).join(' · ');
  }
  if (t.status === 'failed') {
    return `${t.timedOut ? vscode.l10n.t('Timed out') : t.uncertain ? vscode.l10n.t('Unknown outcome') : vscode.l10n.t('Failed')} · ${t.error ?? ''}`;
  }
  const pending = t.videos.some((v) => !v.localPath && !v.downloadError);
  const broken = t.videos.some((v) => v.downloadError);
  return [who, pending ? vscode.l10n.t('downloading…') : broken ? vscode.l10n.t('download failed') : '', clock].filter(Boolean).join(' · ');
}

/** A local poster (a file path) when the task has one, otherwise a status icon. */
function icon(t: Task): vscode.ThemeIcon | vscode.Uri {
  switch (t.status) {
    case 'waiting':
      return new vscode.ThemeIcon('history');
    case 'submitting':
      return new vscode.ThemeIcon('cloud-upload');
    case 'queued':
      return new vscode.ThemeIcon('clock');
    case 'running':
      return new vscode.ThemeIcon('loading~spin');
    case 'succeeded': {
      const poster = t.videos.find((v) => v.localPath && v.posterPath)?.posterPath;
      if (poster) return vscode.Uri.file(poster);
      return t.videos.some((v) => v.localPath)
        ? new vscode.ThemeIcon('play-circle', new vscode.ThemeColor('testing.iconPassed'))
        : new vscode.ThemeIcon('cloud-download');
    }
    case 'failed':
      return new vscode.ThemeIcon(t.timedOut ? 'watch' : 'error', new vscode.ThemeColor('testing.iconFailed'));
  }
}

/**
 * `task.<status>` first so menus can match `viewItem =~ /^task\.succeeded/`, then flags
 * (`findable`: an uncertain create whose provider can list recent jobs; `cancellable`: a queued or
 * running task whose provider can stop it), then `action-<id>` per provider action.
 */
export function contextValue(t: Task, canFindLostJob = false, canCancel = false): string {
  const flags = [`task.${t.status}`];
  if (t.timedOut) flags.push('timedOut');
  if (t.uncertain) flags.push('uncertain');
  if (t.uncertain && canFindLostJob) flags.push('findable');
  if (canCancel && (t.status === 'queued' || t.status === 'running') && t.remoteId) flags.push('cancellable');
  if (t.videos.some((v) => v.localPath)) flags.push('playable');
  if (t.videos.some((v) => v.downloadError)) flags.push('downloadFailed');
  if (t.errorKind) flags.push(`remedy-${remedyFor(t.errorKind)}`);
  for (const a of actionsFor(PROVIDERS[t.provider], t)) flags.push(`action-${a.id}`);
  if (t.source) flags.push('hasSource');
  return flags.join(' ');
}

function tooltip(t: Task): vscode.MarkdownString {
  // Untrusted, no HTML, and every text escaped: no link in it can run a command.
  const md = new vscode.MarkdownString(undefined, true);
  md.supportHtml = false;
  md.isTrusted = false;
  md.appendMarkdown(
    `**${esc(statusWord(t.status))}**${t.rawStatus ? ` (${esc(t.rawStatus)})` : ''} · ${esc(providerLabel(t.provider))} ${esc(t.model)} · ${esc(t.mode)}\n\n`,
  );
  if (t.prompt) md.appendMarkdown(`${esc(t.prompt)}\n\n`);
  if (t.request.negativePrompt) md.appendMarkdown(`${vscode.l10n.t('Negative: {0}', esc(t.request.negativePrompt))}\n\n`);
  if (t.status === 'running' || t.status === 'queued') md.appendMarkdown(`${vscode.l10n.t('Progress: {0}%', t.progress)}\n\n`);
  if (t.status === 'waiting') {
    const notSent = t.waitReason ? vscode.l10n.t('Not sent yet: {0}.', esc(t.waitReason)) : vscode.l10n.t('Not sent yet.');
    md.appendMarkdown(`${notSent} ${vscode.l10n.t('It is sent on its own when allowed; it can be edited or cancelled until then.')}\n\n`);
  }
  if (t.uncertain) {
    md.appendMarkdown(
      `${vscode.l10n.t('The outcome is unknown: the job may be running (and billed) at {0}. Check your account there, then mark it as failed or remove it.', esc(providerLabel(t.provider)))}\n\n`,
    );
  }
  if (t.error) md.appendMarkdown(`$(warning) ${esc(t.error)}\n\n`);
  const cost = formatCost(t.cost);
  if (cost) md.appendMarkdown(`${esc(vscode.l10n.t('Cost: {0}', cost))}\n\n`);
  for (const v of t.videos) {
    if (v.downloadError) md.appendMarkdown(`$(warning) ${vscode.l10n.t('Download failed: {0}', esc(v.downloadError))}\n\n`);
  }
  md.appendMarkdown(
    vscode.l10n.t('Created {0}', esc(new Date(t.createdAt).toLocaleString())) +
      (t.remoteId ? ` · ${vscode.l10n.t('id {0}', esc(t.remoteId))}` : ''),
  );
  return md;
}

function fingerprint(t: Task, canFindLostJob: boolean, canCancel = false): string {
  return JSON.stringify([
    shortPrompt(t),
    describeTask(t),
    contextValue(t, canFindLostJob, canCancel),
    t.status,
    t.rawStatus,
    t.progress,
    t.error,
    t.cost,
    t.videos.map((v) => [v.localPath, v.posterPath, v.downloadError]),
  ]);
}

/** A group's line: "3 takes · 2 done" (or "3 models"). */
export function describeGroup(members: readonly Task[]): string {
  const models = new Set(members.map((t) => `${t.provider}:${t.model}`)).size;
  const done = members.filter((t) => t.status === 'succeeded').length;
  const failed = members.filter((t) => t.status === 'failed').length;
  const head = models > 1 ? vscode.l10n.t('{0} models', members.length) : vscode.l10n.t('{0} takes', members.length);
  return [head, vscode.l10n.t('{0} done', done), failed ? vscode.l10n.t('{0} failed', failed) : ''].filter(Boolean).join(' · ');
}

export class TasksTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | undefined | void>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly subs: vscode.Disposable[] = [];
  /** Nodes are kept so each element keeps its identity across refreshes (reveal needs it). */
  private readonly nodes = new Map<string, TreeNode>();
  /** What each rendered item shows: an item is refreshed only when this changes. */
  private readonly shown = new Map<string, string>();
  /** Ids of the tasks in the list as last drawn: a change to any other one redraws the list. */
  private listed = new Set<string>();
  private groupBy: GroupBy = 'day';
  private filterWords: string[] = [];
  private filterText = '';
  private clock: ReturnType<typeof setInterval> | undefined;
  private visible = true;

  constructor(private readonly engine: TaskEngine) {
    this.subs.push(
      engine.onDidChangeTasks((changed) => {
        // A task added or removed, a video count or a group changing alter the list; otherwise update only the items.
        const structural = changed.some((t) => !this.listed.has(t.id) || !engine.getTask(t.id) || t.videos.length > 1);
        this.updateClock();
        if (structural || (this.filterWords.length && changed.length)) {
          this.emitter.fire();
          return;
        }
        // Re-rendering an unchanged item gives its click command a new id; a click landing between
        // two renders would then run a discarded command. So identical items are left alone.
        for (const t of changed) {
          const print = fingerprint(t, engine.canFindLostJob(t.provider), engine.canCancel(t.provider));
          if (this.shown.get(t.id) !== print) this.emitter.fire(this.nodes.get(`task:${t.id}`));
          if (t.groupId) this.emitter.fire(this.nodes.get(`group:${t.groupId}`));
        }
      }),
    );
    this.updateClock();
  }

  refresh(): void {
    this.emitter.fire();
  }

  setGroupBy(groupBy: GroupBy): void {
    if (groupBy === this.groupBy) return;
    this.groupBy = groupBy;
    this.emitter.fire();
  }

  /** Narrows the list to tasks whose prompt has every word of `text`; '' shows everything. */
  setFilter(text: string): void {
    this.filterText = text.trim();
    this.filterWords = queryWords(this.filterText);
    this.emitter.fire();
  }

  get filter(): string {
    return this.filterText;
  }

  /** Tasks passing the filter, newest first. */
  matchingTasks(): Task[] {
    const tasks = this.engine.getTasks();
    if (!this.filterWords.length) return tasks;
    return tasks.filter((t) => this.filterWords.every((w) => foldText(t.prompt).includes(w)));
  }

  /** The running clocks tick only while the view is visible. */
  setVisible(visible: boolean): void {
    this.visible = visible;
    this.updateClock();
  }

  private updateClock(): void {
    const needed = this.visible && this.engine.hasActiveTasks();
    if (needed && !this.clock) {
      this.clock = setInterval(() => {
        for (const t of this.engine.getTasks()) if (isActive(t)) this.emitter.fire(this.nodes.get(`task:${t.id}`));
        this.updateClock();
      }, 1000);
    } else if (!needed && this.clock) {
      clearInterval(this.clock);
      this.clock = undefined;
    }
  }

  private node<T extends TreeNode>(key: string, make: () => T): T {
    let n = this.nodes.get(key) as T | undefined;
    if (!n) {
      n = make();
      this.nodes.set(key, n);
    }
    return n;
  }

  private taskNode(t: Task): TreeNode {
    return this.node(`task:${t.id}`, () => ({ kind: 'task', taskId: t.id }));
  }

  /** Tasks and groups in order: a group stands where its newest member would. */
  private entries(tasks: readonly Task[]): TreeNode[] {
    const out: TreeNode[] = [];
    const groups = new Set<string>();
    for (const t of tasks) {
      if (!t.groupId) out.push(this.taskNode(t));
      else if (!groups.has(t.groupId)) {
        groups.add(t.groupId);
        const groupId = t.groupId;
        out.push(this.node(`group:${groupId}`, () => ({ kind: 'group', groupId })));
      }
    }
    return out;
  }

  private members(groupId: string): Task[] {
    return this.matchingTasks()
      .filter((t) => t.groupId === groupId)
      .reverse();
  }

  getChildren(node?: TreeNode): TreeNode[] {
    const now = Date.now();
    if (!node) {
      const tasks = this.matchingTasks();
      this.listed = new Set(tasks.map((t) => t.id));
      if (this.groupBy === 'none') return this.entries(tasks);
      const present = new Set(tasks.map((t) => dayBucket(t.createdAt, now)));
      return DAY_BUCKETS.filter((b) => present.has(b)).map((bucket) => this.node(`day:${bucket}`, () => ({ kind: 'day', bucket })));
    }
    switch (node.kind) {
      case 'day':
        return this.entries(this.matchingTasks().filter((t) => dayBucket(t.createdAt, now) === node.bucket));
      case 'group':
        return this.members(node.groupId).map((t) => this.taskNode(t));
      case 'task': {
        const t = this.engine.getTask(node.taskId);
        if (!t || t.videos.length < 2) return [];
        return t.videos.map((_v, index) => ({ kind: 'video', taskId: t.id, index }));
      }
      case 'video':
        return [];
    }
  }

  getParent(node: TreeNode): TreeNode | undefined {
    switch (node.kind) {
      case 'day':
        return undefined;
      case 'video':
        return this.nodes.get(`task:${node.taskId}`);
      case 'group': {
        const newest = this.matchingTasks().find((t) => t.groupId === node.groupId);
        return newest && this.groupBy === 'day' ? this.nodes.get(`day:${dayBucket(newest.createdAt, Date.now())}`) : undefined;
      }
      case 'task': {
        const t = this.engine.getTask(node.taskId);
        if (!t) return undefined;
        if (t.groupId) return this.nodes.get(`group:${t.groupId}`);
        return this.groupBy === 'day' ? this.nodes.get(`day:${dayBucket(t.createdAt, Date.now())}`) : undefined;
      }
    }
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'day':
        return this.dayItem(node.bucket);
      case 'group':
        return this.groupItem(node.groupId);
      case 'video': {
        const t = this.engine.getTask(node.taskId);
        return t ? this.videoItem(t, t.videos[node.index], node.index) : new vscode.TreeItem(vscode.l10n.t('(removed)'));
      }
      case 'task':
        return this.taskItem(node.taskId);
    }
  }

  private dayItem(bucket: DayBucket): vscode.TreeItem {
    const item = new vscode.TreeItem(dayLabel(bucket), vscode.TreeItemCollapsibleState.Expanded);
    item.id = `day:${bucket}`;
    const count = this.matchingTasks().filter((t) => dayBucket(t.createdAt, Date.now()) === bucket).length;
    item.description = `${count}`;
    item.contextValue = 'day';
    item.accessibilityInformation = {
      label: count === 1 ? vscode.l10n.t('{0}, 1 task', dayLabel(bucket)) : vscode.l10n.t('{0}, {1} tasks', dayLabel(bucket), count),
    };
    return item;
  }

  private groupItem(groupId: string): vscode.TreeItem {
    const members = this.members(groupId);
    const first = members[0];
    const item = new vscode.TreeItem(first ? shortPrompt(first) : vscode.l10n.t('(group)'), vscode.TreeItemCollapsibleState.Expanded);
    item.id = `group:${groupId}`;
    item.description = describeGroup(members);
    item.iconPath = new vscode.ThemeIcon(members.some(isActive) ? 'loading~spin' : 'layers');
    const comparable = members.filter((t) => t.status === 'succeeded' && t.videos.some((v) => v.localPath)).length >= 2;
    item.contextValue = comparable ? 'group comparable' : 'group';
    item.tooltip = first?.prompt;
    item.accessibilityInformation = { label: vscode.l10n.t('Group: {0}, {1}', first ? shortPrompt(first, 60) : '', item.description) };
    return item;
  }

  private taskItem(taskId: string): vscode.TreeItem {
    const t = this.engine.getTask(taskId);
    if (!t) return new vscode.TreeItem(vscode.l10n.t('(removed)'));
    const canFind = this.engine.canFindLostJob(t.provider);
    const canCancel = this.engine.canCancel(t.provider);
    this.shown.set(t.id, fingerprint(t, canFind, canCancel));
    const item = new vscode.TreeItem(
      shortPrompt(t),
      t.videos.length > 1 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None,
    );
    item.id = `task:${t.id}`;
    item.description = describeTask(t);
    item.tooltip = tooltip(t);
    item.iconPath = icon(t);
    item.contextValue = contextValue(t, canFind, canCancel);
    item.accessibilityInformation = { label: `${shortPrompt(t)}, ${statusWord(t.status)}, ${describeTask(t)}` };
    if (t.status === 'succeeded') item.command = { command: 'aiVideo.play', title: vscode.l10n.t('Play'), arguments: [t.id, INTERACTIVE] };
    else if (t.status === 'failed') {
      item.command = { command: 'aiVideo.showTaskError', title: vscode.l10n.t('Show Error'), arguments: [t.id, INTERACTIVE] };
    }
    return item;
  }

  private videoItem(t: Task, v: TaskVideo | undefined, index: number): vscode.TreeItem {
    const item = new vscode.TreeItem(vscode.l10n.t('Video {0}', index + 1));
    item.id = `task:${t.id}:video:${index}`;
    item.description = v?.localPath
      ? [v.duration ? `${v.duration}s` : '', v.seed !== undefined ? vscode.l10n.t('seed {0}', v.seed) : ''].filter(Boolean).join(' · ')
      : v?.downloadError
        ? vscode.l10n.t('download failed')
        : vscode.l10n.t('downloading…');
    item.iconPath =
      v?.posterPath && v.localPath ? vscode.Uri.file(v.posterPath) : new vscode.ThemeIcon(v?.localPath ? 'play' : 'cloud-download');
    item.contextValue = `video${v?.localPath ? ' playable' : ''}`;
    item.command = { command: 'aiVideo.play', title: vscode.l10n.t('Play'), arguments: [t.id, index, INTERACTIVE] };
    return item;
  }

  dispose(): void {
    if (this.clock) clearInterval(this.clock);
    for (const d of this.subs) d.dispose();
    this.emitter.dispose();
  }
}
