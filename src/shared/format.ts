// Display formatting for the player: pure functions with no `vscode`, DOM or Node dependency,
// used by the webview app (metadata block) and the panel (its title).

import * as l10n from '@vscode/l10n';

import type { TaskStatus } from './taskStatus';

/** What the player shows of a task (the player protocol's `show` message carries it). */
export interface PlayerMeta {
  /** Short title derived from the prompt. */
  title: string;
  provider: string;
  providerLabel: string;
  model: string;
  prompt: string;
  negativePrompt?: string;
  seed?: number;
  /** Seconds. */
  duration?: number;
  width?: number;
  height?: number;
  fps?: number;
  /** Epoch milliseconds. */
  createdAt: number;
  /** The provider's task id. */
  remoteId: string;
  videoCount: number;
  status: TaskStatus;
  /** The provider's actions on this task (remix…), shown as buttons. */
  taskActions: { id: string; label: string }[];
  /** What it cost: "$2.40", "≈ $2.40 (estimate)". */
  cost?: string;
}

export { shortTitle } from './text';

function trimDecimal(n: number, digits: number): string {
  return n.toFixed(digits).replace(/\.?0+$/, '');
}

/** `5 s`, `7.5 s`, `1:05`, `1:02:03`; undefined when unknown. */
export function formatDuration(seconds: number | undefined): string | undefined {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return undefined;
  if (seconds < 60) return `${trimDecimal(seconds, 1)} s`;
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** `1280 × 720 (16:9)`; the ratio only when it reduces to small numbers. Undefined when unknown. */
export function formatResolution(width: number | undefined, height: number | undefined): string | undefined {
  if (!width || !height || !Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    return undefined;
  }
  const d = gcd(width, height);
  const ratio = width / d <= 32 && height / d <= 32 ? ` (${width / d}:${height / d})` : '';
  return `${width} × ${height}${ratio}`;
}

/** `24 fps`, `23.98 fps`. */
export function formatFps(fps: number | undefined): string | undefined {
  if (!fps || !Number.isFinite(fps) || fps < 0) return undefined;
  return `${trimDecimal(fps, 2)} fps`;
}

/** A create held in the local queue: `waiting to send · 12 s`, or why it waits when no time is known. */
export function formatWaiting(sendAfter: number | undefined, reason: string | undefined, now: number, waiting = 'waiting to send'): string {
  if (sendAfter !== undefined && sendAfter > now) return `${waiting} · ${formatDuration(Math.ceil((sendAfter - now) / 1000))}`;
  return reason ? `${waiting} · ${reason}` : waiting;
}

/** `2025-01-02 13:04` in local time. */
export function formatDate(epochMs: number): string | undefined {
  const d = new Date(epochMs);
  if (!Number.isFinite(epochMs) || Number.isNaN(d.getTime())) return undefined;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** "$0.40", "$0.035", "$12.3456": at least two decimals, at most four, no float noise. */
export function formatUsd(n: number): string {
  return `$${n.toFixed(4).replace(/0{1,2}$/, '')}`;
}

/** A task's cost as every view shows it: "$2.40" as the provider reported it, "≈ $2.40 (estimate)" otherwise, "no charge" for 0. */
export function formatCost(cost: { amount: number; source: 'provider' | 'estimate' } | undefined): string | undefined {
  if (!cost || !Number.isFinite(cost.amount) || cost.amount < 0) return undefined;
  // A failed take is charged nothing (unless the provider says otherwise): not "≈ $0.00 (estimate)".
  if (cost.amount === 0) return l10n.t('no charge');
  return cost.source === 'provider' ? formatUsd(cost.amount) : l10n.t('≈ {0} (estimate)', formatUsd(cost.amount));
}

/** What the video element knows once its metadata has loaded. */
export interface IntrinsicVideo {
  width?: number;
  height?: number;
  duration?: number;
}

export interface MetaFact {
  label: string;
  value: string;
}

/** The label/value rows of the metadata block; the task's own values win over the element's. */
export function metaFacts(meta: PlayerMeta, intrinsic: IntrinsicVideo = {}): MetaFact[] {
  const duration = formatDuration(meta.duration ?? intrinsic.duration);
  const fps = formatFps(meta.fps);
  const resolution = formatResolution(meta.width, meta.height) ?? formatResolution(intrinsic.width, intrinsic.height);
  const rows: Array<[string, string | undefined]> = [
    [l10n.t('Provider'), meta.model ? `${meta.providerLabel} · ${meta.model}` : meta.providerLabel],
    [l10n.t('Duration'), duration && fps ? `${duration} · ${fps}` : (duration ?? fps)],
    [l10n.t('Resolution'), resolution],
    [l10n.t('Seed'), meta.seed === undefined ? undefined : String(meta.seed)],
    [l10n.t('Cost'), meta.cost],
    [l10n.t('Created'), formatDate(meta.createdAt)],
    [l10n.t('Provider task'), meta.remoteId || undefined],
  ];
  return rows.filter((r): r is [string, string] => r[1] !== undefined).map(([label, value]) => ({ label, value }));
}
