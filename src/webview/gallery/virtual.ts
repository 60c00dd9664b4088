// Virtualization math for the gallery grid: how many columns fit, and which cards a scroll
// position shows, so only those (plus a row or two of margin) are in the DOM.

export interface GridMetrics {
  /** Content width of the scrolling container, px. */
  width: number;
  minCardWidth: number;
  gap: number;
  /** Height of the card's text block under its 16:9 picture, px. */
  captionHeight: number;
}

export interface GridLayout {
  columns: number;
  cardWidth: number;
  cardHeight: number;
  /** Card height plus gap. */
  rowStride: number;
  gap: number;
}

export function gridLayout(m: GridMetrics): GridLayout {
  const width = Math.max(m.minCardWidth, m.width);
  const columns = Math.max(1, Math.floor((width + m.gap) / (m.minCardWidth + m.gap)));
  const cardWidth = Math.floor((width - m.gap * (columns - 1)) / columns);
  const cardHeight = Math.round((cardWidth * 9) / 16) + m.captionHeight;
  return { columns, cardWidth, cardHeight, rowStride: cardHeight + m.gap, gap: m.gap };
}

export interface VisibleRange {
  /** First index in the DOM. */
  start: number;
  /** One past the last index in the DOM. */
  end: number;
  /** Height of the whole grid, px. */
  totalHeight: number;
}

/** Cards whose rows intersect the viewport, with `overscanRows` extra rows above and below. */
export function visibleRange(count: number, layout: GridLayout, scrollTop: number, viewportHeight: number, overscanRows = 1): VisibleRange {
  const rows = Math.ceil(count / layout.columns);
  const totalHeight = rows > 0 ? rows * layout.rowStride - layout.gap : 0;
  if (count === 0) return { start: 0, end: 0, totalHeight };
  const top = Math.max(0, scrollTop);
  const firstRow = Math.max(0, Math.floor(top / layout.rowStride) - overscanRows);
  const lastRow = Math.min(rows - 1, Math.floor((top + Math.max(0, viewportHeight)) / layout.rowStride) + overscanRows);
  return { start: firstRow * layout.columns, end: Math.min(count, (lastRow + 1) * layout.columns), totalHeight };
}

/** Pixel position of card `index`. */
export function cardPosition(index: number, layout: GridLayout): { top: number; left: number } {
  const row = Math.floor(index / layout.columns);
  const col = index % layout.columns;
  return { top: row * layout.rowStride, left: col * (layout.cardWidth + layout.gap) };
}

/** The scrollTop that brings card `index` fully into view, moving as little as possible. */
export function revealScrollTop(index: number, layout: GridLayout, scrollTop: number, viewportHeight: number): number {
  const { top } = cardPosition(index, layout);
  const bottom = top + layout.cardHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return scrollTop;
}

/** Whether the card's box intersects the viewport (not counting overscan): only then may its video load. */
export function isInViewport(index: number, layout: GridLayout, scrollTop: number, viewportHeight: number): boolean {
  const { top } = cardPosition(index, layout);
  return top + layout.cardHeight > scrollTop && top < scrollTop + viewportHeight;
}
