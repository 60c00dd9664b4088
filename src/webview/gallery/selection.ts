// Keyboard and mouse selection in the gallery grid, as a pure reducer over the ids in display
// order. Arrow keys move the focus; Space selects the focused card; Shift extends a range from the
// anchor; Ctrl (Cmd on macOS) adds to or toggles in the selection. Ids that leave the list (a
// filter, a removal) drop out of the selection.

export interface Selection {
  /** The card with the keyboard focus, if any. */
  focus?: string;
  /** Where a Shift range starts. */
  anchor?: string;
  /** The selection as it was when the anchor was set: a range is added to it. */
  base: readonly string[];
  selected: readonly string[];
}

export const EMPTY_SELECTION: Selection = { base: [], selected: [] };

export type Move = 'left' | 'right' | 'up' | 'down' | 'home' | 'end' | 'pageUp' | 'pageDown';

export interface Modifiers {
  shift?: boolean;
  /** Ctrl, or Cmd on macOS. */
  toggle?: boolean;
}

export interface GridShape {
  columns: number;
  /** Rows one Page Up/Down moves. */
  pageRows: number;
}

const KEY_MOVES: Record<string, Move> = {
  ArrowLeft: 'left',
  ArrowRight: 'right',
  ArrowUp: 'up',
  ArrowDown: 'down',
  Home: 'home',
  End: 'end',
  PageUp: 'pageUp',
  PageDown: 'pageDown',
};

export function moveForKey(key: string): Move | undefined {
  return KEY_MOVES[key];
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n));
}

/** Index the focus lands on after `move` from `from` (-1: nothing focused yet) in a list of `count`. */
export function moveIndex(from: number, move: Move, count: number, grid: GridShape): number {
  if (count === 0) return -1;
  if (from < 0 || from >= count) return move === 'end' ? count - 1 : 0;
  const cols = Math.max(1, grid.columns);
  const page = cols * Math.max(1, grid.pageRows);
  switch (move) {
    case 'left':
      return clamp(from - 1, 0, count - 1);
    case 'right':
      return clamp(from + 1, 0, count - 1);
    case 'up':
      return from - cols >= 0 ? from - cols : from;
    case 'down':
      // From the last full row into a shorter last row, land on its last card.
      return from + cols < count ? from + cols : Math.floor(from / cols) < Math.floor((count - 1) / cols) ? count - 1 : from;
    case 'home':
      return 0;
    case 'end':
      return count - 1;
    case 'pageUp':
      return clamp(from - page, from % cols, count - 1);
    case 'pageDown':
      return from + page < count ? from + page : count - 1;
  }
}

function range(ids: readonly string[], a: string | undefined, b: string): string[] {
  const i = a === undefined ? -1 : ids.indexOf(a);
  const j = ids.indexOf(b);
  if (j < 0) return [];
  if (i < 0) return [b];
  return ids.slice(Math.min(i, j), Math.max(i, j) + 1);
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

/** Keeps only ids still in the list, in the list's order. */
export function prune(s: Selection, ids: readonly string[]): Selection {
  const present = new Set(ids);
  const keep = (list: readonly string[]) => ids.filter((id) => list.includes(id));
  const selected = s.selected.every((id) => present.has(id)) ? s.selected : keep(s.selected);
  return {
    focus: s.focus !== undefined && present.has(s.focus) ? s.focus : undefined,
    anchor: s.anchor !== undefined && present.has(s.anchor) ? s.anchor : undefined,
    base: s.base.every((id) => present.has(id)) ? s.base : keep(s.base),
    selected,
  };
}

/** Arrow keys and friends: the focus moves; with Shift the range from the anchor is selected. */
export function move(s: Selection, ids: readonly string[], m: Move, grid: GridShape, mods: Modifiers = {}): Selection {
  const from = s.focus === undefined ? -1 : ids.indexOf(s.focus);
  const to = moveIndex(from, m, ids.length, grid);
  if (to < 0) return s;
  const focus = ids[to];
  if (!mods.shift) return { ...s, focus };
  const anchor = s.anchor ?? s.focus ?? focus;
  const base = s.anchor === undefined ? s.selected : s.base;
  return { focus, anchor, base, selected: union(base, range(ids, anchor, focus)) };
}

/**
 * Space, or a click, on `id`: alone it selects just that card; with Ctrl it toggles the card in
 * the selection; with Shift it selects the range from the anchor.
 */
export function pick(s: Selection, ids: readonly string[], id: string, mods: Modifiers = {}): Selection {
  if (!ids.includes(id)) return s;
  if (mods.shift) {
    const anchor = s.anchor ?? s.focus ?? id;
    const base = s.anchor === undefined ? [] : s.base;
    return { focus: id, anchor, base, selected: union(base, range(ids, anchor, id)) };
  }
  if (mods.toggle) {
    const selected = s.selected.includes(id) ? s.selected.filter((x) => x !== id) : ids.filter((x) => x === id || s.selected.includes(x));
    return { focus: id, anchor: id, base: selected, selected };
  }
  return { focus: id, anchor: id, base: [id], selected: [id] };
}

export function selectAll(s: Selection, ids: readonly string[]): Selection {
  return { ...s, anchor: s.focus, base: ids.slice(), selected: ids.slice() };
}

export function clearSelection(s: Selection): Selection {
  return { focus: s.focus, anchor: s.focus, base: [], selected: [] };
}

/** What actions apply to: the selection, or the focused card when nothing is selected. */
export function targets(s: Selection): string[] {
  if (s.selected.length) return s.selected.slice();
  return s.focus !== undefined ? [s.focus] : [];
}
