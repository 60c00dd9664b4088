// The gallery's data and its pure view logic: what a card knows about a task, and the search,
// filters and sort order applied to the list. Shared by the host (which builds the cards) and the
// webview app; no `vscode`, DOM or Node dependency, so it is unit-tested in plain Node.

import { startOfDay } from '../../shared/time';

/** One task as a gallery card shows it. Paths are webview URIs, never file paths. */
export interface GalleryTask {
  id: string;
  prompt: string;
  provider: string;
  providerLabel: string;
  model: string;
  /** The engine's status word (`queued`, `running`, `succeeded`, `failed`, …). */
  status: string;
  /** 0-100. */
  progress: number;
  error?: string;
  /** Epoch milliseconds. */
  createdAt: number;
  finishedAt?: number;
  groupId?: string;
  seed?: number;
  /** Seconds. */
  duration?: number;
  width?: number;
  height?: number;
  videoCount: number;
  /** Webview URI of the first downloaded video. */
  videoSrc?: string;
  /** Webview URI of a downloaded poster or thumbnail of the first video. */
  posterSrc?: string;
  /** What it cost: "$2.40", "≈ $2.40 (estimate)". */
  cost?: string;
}

/** Statuses collapse to three kinds; anything not final counts as in progress. */
export type StatusKind = 'active' | 'succeeded' | 'failed';

export function statusKind(status: string): StatusKind {
  return status === 'succeeded' || status === 'failed' ? status : 'active';
}

export const DATE_RANGES = ['any', 'today', 'week', 'month'] as const;
export type DateRange = (typeof DATE_RANGES)[number];

export const SORT_ORDERS = ['newest', 'oldest'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

export interface GalleryFilter {
  /** Words that must all occur in the prompt (any case, any order). */
  query: string;
  /** Provider id, or '' for all. */
  provider: string;
  /** Model id, or '' for all. */
  model: string;
  /** A status kind, or '' for all. */
  status: StatusKind | '';
  date: DateRange;
}

export const EMPTY_FILTER: GalleryFilter = { query: '', provider: '', model: '', status: '', date: 'any' };

export function isFilterActive(f: GalleryFilter): boolean {
  return f.query.trim() !== '' || f.provider !== '' || f.model !== '' || f.status !== '' || f.date !== 'any';
}

/** Lower case, accents removed, so "cafe" finds "Café". */
export function foldText(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

export function queryWords(query: string): string[] {
  return foldText(query).split(/\s+/).filter(Boolean);
}

function earliest(range: DateRange, now: number): number {
  switch (range) {
    case 'any':
      return -Infinity;
    case 'today':
      return startOfDay(now);
    case 'week':
      return startOfDay(now, 6);
    case 'month':
      return startOfDay(now, 29);
  }
}

/** A predicate for `filter`; build it once per filtering, not per task. */
export function matcher(filter: GalleryFilter, now: number): (t: GalleryTask) => boolean {
  const words = queryWords(filter.query);
  const from = earliest(filter.date, now);
  return (t) =>
    (!filter.provider || t.provider === filter.provider) &&
    (!filter.model || t.model === filter.model) &&
    (!filter.status || statusKind(t.status) === filter.status) &&
    t.createdAt >= from &&
    (words.length === 0 || words.every((w) => foldText(t.prompt).includes(w)));
}

/** Newest first by default; ties keep a stable order by id. */
export function compareTasks(order: SortOrder): (a: GalleryTask, b: GalleryTask) => number {
  const sign = order === 'newest' ? -1 : 1;
  return (a, b) => sign * (a.createdAt - b.createdAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function applyView(tasks: readonly GalleryTask[], filter: GalleryFilter, order: SortOrder, now: number): GalleryTask[] {
  return tasks.filter(matcher(filter, now)).sort(compareTasks(order));
}

export interface Facets {
  providers: { id: string; label: string }[];
  /** Models of the chosen provider (of all providers when none is chosen), sorted. */
  models: string[];
}

/** The choices the provider and model filters offer: only values some task has. */
export function facets(tasks: readonly GalleryTask[], provider = ''): Facets {
  const providers = new Map<string, string>();
  const models = new Set<string>();
  for (const t of tasks) {
    providers.set(t.provider, t.providerLabel);
    if (t.model && (!provider || t.provider === provider)) models.add(t.model);
  }
  return {
    providers: [...providers].map(([id, label]) => ({ id, label })).sort((a, b) => a.label.localeCompare(b.label)),
    models: [...models].sort((a, b) => a.localeCompare(b)),
  };
}

/** The selected tasks Compare can take: 2 to 4 finished ones with a downloaded video. */
export function comparable(tasks: readonly GalleryTask[]): boolean {
  return tasks.length >= 2 && tasks.length <= 4 && tasks.every((t) => t.status === 'succeeded' && !!t.videoSrc);
}
