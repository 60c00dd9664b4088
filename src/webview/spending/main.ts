// The spending webview app (browser, bundled to dist/webview/spending.js): a bar chart of the last
// days by provider drawn as a small SVG in the theme's chart colours (no chart library), the totals
// by provider and model, the costliest takes (a click opens the player) and a CSV export button.
// Everything is built with DOM calls; the host's data passes the protocol's guard first.

import '../common/l10n';

import * as l10n from '@vscode/l10n';

import { button, el } from '../common/dom';
import { chartTop, isSpendingHostMessage, type SpendingView, type SpendingWebviewMessage } from './spendingProtocol';

interface VsCodeApi {
  postMessage(message: SpendingWebviewMessage): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const SVG = 'http://www.w3.org/2000/svg';
/** Series colours cycle through the theme's chart colours (media/spending.css, series-0 … series-5). */
const COLOURS = 6;
const WIDTH = 600;
const HEIGHT = 160;
const AXIS = 28;

const app = document.getElementById('app') ?? document.body.appendChild(el('main', 'app'));
app.classList.add('spending');
const status = el('p', 'status', l10n.t('Loading…'));
status.setAttribute('role', 'status');
app.append(status);

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

function chart(view: SpendingView): SVGSVGElement {
  const n = view.days.length;
  const top = chartTop(view.series, n);
  const root = svg('svg', { class: 'chart', viewBox: `0 0 ${WIDTH} ${HEIGHT + 16}`, role: 'img' });
  root.setAttribute('aria-label', l10n.t('Spending per day over the last {0} days, by provider', n));
  const plotW = WIDTH - AXIS;
  const slot = plotW / Math.max(1, n);
  const barW = Math.max(1, slot * 0.7);
  root.append(svg('line', { class: 'axis', x1: AXIS, y1: HEIGHT, x2: WIDTH, y2: HEIGHT }));
  for (const frac of [0.5, 1]) {
    const y = HEIGHT - frac * (HEIGHT - 8);
    root.append(svg('line', { class: 'grid', x1: AXIS, y1: y, x2: WIDTH, y2: y }));
    const label = svg('text', { class: 'tick', x: AXIS - 4, y: y + 3, 'text-anchor': 'end' });
    label.textContent = `$${+(top * frac).toFixed(2)}`;
    root.append(label);
  }
  for (let d = 0; d < n; d++) {
    let y = HEIGHT;
    view.series.forEach((s, i) => {
      const v = s.values[d] ?? 0;
      if (v <= 0) return;
      const h = (v / top) * (HEIGHT - 8);
      y -= h;
      const bar = svg('rect', { class: `bar series-${i % COLOURS}`, x: AXIS + d * slot + (slot - barW) / 2, y, width: barW, height: h });
      const title = svg('title', {});
      title.textContent = `${view.days[d]} · ${s.label}: $${v.toFixed(2)}`;
      bar.append(title);
      root.append(bar);
    });
  }
  for (const d of [0, n - 1]) {
    if (d < 0) continue;
    const t = svg('text', { class: 'tick', x: AXIS + d * slot + slot / 2, y: HEIGHT + 12, 'text-anchor': d === 0 ? 'start' : 'end' });
    t.textContent = view.days[d];
    root.append(t);
  }
  return root;
}

function legend(view: SpendingView): HTMLElement {
  const ul = el('ul', 'legend');
  view.series.forEach((s, i) => {
    const li = el('li');
    li.append(el('span', `swatch series-${i % COLOURS}`), el('span', undefined, s.label));
    ul.append(li);
  });
  return ul;
}

function table(caption: string, rows: { label: string; amount: string }[]): HTMLElement {
  const t = el('table', 'totals');
  t.append(el('caption', undefined, caption));
  if (!rows.length) {
    const tr = el('tr');
    tr.append(el('td', 'empty', l10n.t('Nothing spent in this period.')));
    t.append(tr);
  }
  for (const r of rows) {
    const tr = el('tr');
    tr.append(el('td', undefined, r.label), el('td', 'amount', r.amount));
    t.append(tr);
  }
  return t;
}

function render(view: SpendingView): void {
  const head = el('section', 'headline');
  for (const line of view.lines) head.append(el('p', undefined, line));
  const exportButton = button(l10n.t('Export CSV…'), 'secondary', () => vscode.postMessage({ type: 'exportCsv' }));
  head.append(exportButton);
  const top = el('ol', 'top');
  for (const take of view.top) {
    const li = el('li');
    const label = `${take.amount} · ${take.label} (${take.detail})`;
    if (take.playable) {
      li.append(button(label, 'secondary', () => vscode.postMessage({ type: 'open', taskId: take.taskId }), l10n.t('Play')));
    } else li.append(el('span', undefined, label));
    top.append(li);
  }
  const topSection = el('section', 'expensive');
  topSection.append(el('h2', undefined, l10n.t('Most expensive takes')), view.top.length ? top : el('p', 'empty', l10n.t('No takes yet.')));
  app.replaceChildren(
    head,
    el('h2', undefined, l10n.t('Last {0} days', view.days.length)),
    chart(view),
    legend(view),
    el('div', 'tables'),
    topSection,
  );
  app.querySelector('.tables')?.append(table(l10n.t('By provider'), view.byProvider), table(l10n.t('By model'), view.byModel));
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (isSpendingHostMessage(event.data)) render(event.data.view);
});
vscode.postMessage({ type: 'ready' });
