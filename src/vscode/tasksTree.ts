// The Tasks view: one item per task (newest first), a child per video when a task has several.
import * as vscode from 'vscode';
import { TaskEngine } from '../core/engine';
import { Task, TaskVideo } from '../core/types';
import { remedyFor } from '../core/errors';
import { actionsFor } from '../core/provider';
import { escapeMarkdown as esc } from '../core/sanitize';
import { PROVIDERS, providerLabel } from '../providers';
import { formatWaiting } from '../webview/format';

export type TreeNode = { kind: 'task'; taskId: string } | { kind: 'video'; taskId: string; index: number };

const STATUS_WORD: Record<Task['status'], string> = {
  waiting: 'Waiting to send',
  submitting: 'Sending',
  queued: 'Queued',
  running: 'Running',
  succeeded: 'Done',
  failed: 'Failed',
};

export function shortPrompt(t: Pick<Task, 'prompt' | 'mode'>, max = 28): string {
  const p = t.prompt.replace(/\s+/g, ' ').trim();
  if (!p) return t.mode === 'video-edit' ? '(restyled video)' : t.mode === 'text-to-video' ? '(no prompt)' : '(animated image)';
  return p.length > max ? `${p.slice(0, max - 1)}…` : p;
}

export function describeTask(t: Task, now = Date.now()): string {
  const who = `${providerLabel(t.provider)}${t.model ? ` ${t.model}` : ''}`;
  if (t.status === 'waiting') return `${formatWaiting(t.sendAfter, t.waitReason, now)} · ${who}`;
  if (t.status === 'submitting') return `sending… · ${who}`;
  if (t.status === 'running') return `${t.progress}% · ${who}${t.error ? ' · retrying' : ''}`;
  if (t.status === 'queued') return `Queued · ${who}${t.error ? ' · waiting' : ''}`;
  if (t.status === 'failed') return `${t.timedOut ? 'Timed out' : t.uncertain ? 'Unknown outcome' : 'Failed'} · ${t.error ?? ''}`;
  const pending = t.videos.some((v) => !v.localPath && !v.downloadError);
  const broken = t.videos.some((v) => v.downloadError);
  return `${who}${pending ? ' · downloading…' : broken ? ' · download failed' : ''}`;
}

function icon(t: Task): vscode.ThemeIcon {
  switch (t.status) {
    case 'waiting':
      return new vscode.ThemeIcon('history');
    case 'submitting':
      return new vscode.ThemeIcon('cloud-upload');
    case 'queued':
      return new vscode.ThemeIcon('clock');
    case 'running':
      return new vscode.ThemeIcon('loading~spin');
    case 'succeeded':
      return t.videos.some((v) => v.localPath)
        ? new vscode.ThemeIcon('play-circle', new vscode.ThemeColor('testing.iconPassed'))
        : new vscode.ThemeIcon('cloud-download');
    case 'failed':
      return new vscode.ThemeIcon(t.timedOut ? 'watch' : 'error', new vscode.ThemeColor('testing.iconFailed'));
  }
}

/**
 * `task.<status>` first so menus can match `viewItem =~ /^task\.succeeded/`, then flags
 * (`findable`: an uncertain create whose provider can list recent jobs), then `action-<id>` per
 * provider action.
 */
export function contextValue(t: Task, canFindLostJob = false): string {
  const flags = [`task.${t.status}`];
  if (t.timedOut) flags.push('timedOut');
  if (t.uncertain) flags.push('uncertain');
  if (t.uncertain && canFindLostJob) flags.push('findable');
  if (t.videos.some((v) => v.localPath)) flags.push('playable');
  if (t.videos.some((v) => v.downloadError)) flags.push('downloadFailed');
  if (t.errorKind) flags.push(`remedy-${remedyFor(t.errorKind)}`);
  for (const a of actionsFor(PROVIDERS[t.provider], t)) flags.push(`action-${a.id}`);
  return flags.join(' ');
}

function tooltip(t: Task): vscode.MarkdownString {
  // Untrusted, no HTML, and every text escaped: no link in it can run a command.
  const md = new vscode.MarkdownString(undefined, true);
  md.supportHtml = false;
  md.isTrusted = false;
  md.appendMarkdown(`**${esc(STATUS_WORD[t.status])}**${t.rawStatus ? ` (${esc(t.rawStatus)})` : ''} · ${esc(providerLabel(t.provider))} ${esc(t.model)} · ${esc(t.mode)}\n\n`);
  if (t.prompt) md.appendMarkdown(`${esc(t.prompt)}\n\n`);
  if (t.request.negativePrompt) md.appendMarkdown(`Negative: ${esc(t.request.negativePrompt)}\n\n`);
  if (t.status === 'running' || t.status === 'queued') md.appendMarkdown(`Progress: ${t.progress}%\n\n`);
  if (t.status === 'waiting') md.appendMarkdown(`Not sent yet${t.waitReason ? `: ${esc(t.waitReason)}` : ''}. It is sent on its own when allowed; it can be edited or cancelled until then.\n\n`);
  if (t.uncertain) md.appendMarkdown(`The outcome is unknown: the job may be running (and billed) at ${esc(providerLabel(t.provider))}. Check your account there, then mark it as failed or remove it.\n\n`);
  if (t.error) md.appendMarkdown(`$(warning) ${esc(t.error)}\n\n`);
  for (const v of t.videos) if (v.downloadError) md.appendMarkdown(`$(warning) Download failed: ${esc(v.downloadError)}\n\n`);
  md.appendMarkdown(`Created ${esc(new Date(t.createdAt).toLocaleString())}${t.remoteId ? ` · id ${esc(t.remoteId)}` : ''}`);
  return md;
}

function fingerprint(t: Task, canFindLostJob: boolean): string {
  return JSON.stringify([shortPrompt(t), describeTask(t), contextValue(t, canFindLostJob), t.status, t.rawStatus, t.progress, t.error, t.videos.map((v) => [v.localPath, v.downloadError])]);
}

export class TasksTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | undefined | void>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly sub: vscode.Disposable;
  private readonly nodes = new Map<string, TreeNode>();
  /** What each rendered item shows: an item is refreshed only when this changes. */
  private readonly shown = new Map<string, string>();
  private countdown: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly engine: TaskEngine) {
    this.sub = engine.onDidChangeTasks((changed) => {
      // A task added, removed or changing its video count alters the list; otherwise update only it.
      const structural = changed.some((t) => !this.nodes.has(t.id) || !engine.getTask(t.id) || t.videos.length > 1);
      if (structural) {
        this.emitter.fire();
        return;
      }
      // Re-rendering an unchanged item gives its click command a new id; a click landing between
      // two renders would then run a discarded command. So identical items are left alone.
      this.refreshChanged(changed);
    });
  }

  /** Re-renders the given tasks whose item would look different; keeps the countdown of waiting creates going. */
  private refreshChanged(tasks: Iterable<Task>): void {
    for (const t of tasks) if (this.shown.get(t.id) !== this.fingerprint(t)) this.emitter.fire(this.nodes.get(t.id));
    this.armCountdown();
  }

  private fingerprint(t: Task): string {
    return fingerprint(t, this.engine.canFindLostJob(t.provider));
  }

  /** While a waiting create shows "waiting to send · 12 s", its item is refreshed every second; no timer otherwise. */
  private armCountdown(): void {
    if (this.countdown) return;
    const now = Date.now();
    if (!this.engine.getTasks().some((t) => t.status === 'waiting' && (t.sendAfter ?? 0) > now)) return;
    this.countdown = setTimeout(() => {
      this.countdown = undefined;
      this.refreshChanged(this.engine.getTasks().filter((t) => t.status === 'waiting'));
    }, 1000);
  }

  refresh(): void {
    this.emitter.fire();
  }

  getChildren(node?: TreeNode): TreeNode[] {
    if (!node) {
      return this.engine.getTasks().map((t) => {
        let n = this.nodes.get(t.id);
        if (!n) {
          n = { kind: 'task', taskId: t.id };
          this.nodes.set(t.id, n);
        }
        return n;
      });
    }
    const t = node.kind === 'task' ? this.engine.getTask(node.taskId) : undefined;
    if (!t || t.videos.length < 2) return [];
    return t.videos.map((_v, index) => ({ kind: 'video', taskId: t.id, index }));
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return node.kind === 'video' ? this.nodes.get(node.taskId) : undefined;
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const t = this.engine.getTask(node.taskId);
    if (!t) return new vscode.TreeItem('(removed)');
    if (node.kind === 'video') return this.videoItem(t, t.videos[node.index], node.index);
    this.shown.set(t.id, this.fingerprint(t));
    this.armCountdown();
    const item = new vscode.TreeItem(shortPrompt(t), t.videos.length > 1 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    item.id = `task:${t.id}`;
    item.description = describeTask(t);
    item.tooltip = tooltip(t);
    item.iconPath = icon(t);
    item.contextValue = contextValue(t, this.engine.canFindLostJob(t.provider));
    item.accessibilityInformation = { label: `${shortPrompt(t)}, ${STATUS_WORD[t.status]}, ${describeTask(t)}` };
    if (t.status === 'succeeded') item.command = { command: 'aiVideo.play', title: 'Play', arguments: [t.id] };
    else if (t.status === 'failed') item.command = { command: 'aiVideo.showTaskError', title: 'Show Error', arguments: [t.id] };
    return item;
  }

  private videoItem(t: Task, v: TaskVideo | undefined, index: number): vscode.TreeItem {
    const item = new vscode.TreeItem(`Video ${index + 1}`);
    item.id = `task:${t.id}:video:${index}`;
    item.description = v?.localPath ? [v.duration ? `${v.duration}s` : '', v.seed !== undefined ? `seed ${v.seed}` : ''].filter(Boolean).join(' · ') : v?.downloadError ? 'download failed' : 'downloading…';
    item.iconPath = new vscode.ThemeIcon(v?.localPath ? 'play' : 'cloud-download');
    item.contextValue = `video${v?.localPath ? ' playable' : ''}`;
    item.command = { command: 'aiVideo.play', title: 'Play', arguments: [t.id, index] };
    return item;
  }

  dispose(): void {
    if (this.countdown) clearTimeout(this.countdown);
    this.sub.dispose();
    this.emitter.dispose();
  }
}
