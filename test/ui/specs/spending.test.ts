// The spending panel as a user sees it: a take charged by the provider (OpenRouter's Veo 3.1 through
// the Generate flow, the emulator reporting its cost), then **AI Video: Show Spending** from the
// palette, and what the page draws: the SVG chart with today's bar in a theme colour, the totals by
// provider and model, the costliest take (a click plays it), and the CSV export writing the ledger.
import * as fs from 'fs';
import * as path from 'path';

import { PROVIDERS } from '../../../src/providers';
import { commandTitle } from '../../support/manifest';
import { Check, check, waitFor } from '../check';
import { describeRows, generateRow, rowOf } from '../pages/quickInput';
import { treeLabel } from '../pages/tasksView';
import { GENERATE_COMMAND, GENERATE_FLOW_TITLE, TEXT_TO_VIDEO } from '../pages/workbench';
import { API_KEY, type UiCase } from '../suite';

/** Charged by the emulator at Veo 3.1's $0.40/s for 4 s. */
export const CHARGED_PROMPT = 'A charged take of a glass of water [duration=1500]';
const VEO = 'google/veo-3.1';
const PRICE = '$1.60';
const CSV_NAME = 'ai-video-spending.csv';

interface ChartState {
  bars: { title: string; height: number; fill: string }[];
  legend: string[];
  ticks: string[];
}

export const spendingPanel: UiCase = {
  name: 'Show Spending draws the chart, the totals and the costliest take of a charged task, and exports the CSV',
  async run(ctx) {
    const { page, wb } = ctx;
    const q = wb.quickInput;
    const openrouter = PROVIDERS.openrouter;
    await wb.openAiVideoView();

    // A key for OpenRouter, then Veo 3.1 for 4 s through the Generate flow (its last step quotes the price).
    await wb.runCommand(
      commandTitle('aiVideo.setApiKey'),
      'the provider list of "Set API Key"',
      (s) => /API keys/.test(s.title) && s.rows.some((r) => r.label === openrouter.label),
    );
    await q.pick(openrouter.label);
    await q.waitFor(`the ${openrouter.label} API key input box`, (s) => s.title.includes(`${openrouter.label} API key`));
    await q.submit(API_KEY);
    await q.waitHidden();
    await wb.runCommand(
      GENERATE_COMMAND,
      'the provider list',
      (s) => s.title.startsWith(GENERATE_FLOW_TITLE) && s.rows.some((r) => r.label === openrouter.label),
    );
    await q.pick(openrouter.label);
    await q.waitFor(`the ${openrouter.label} modes`, (s) => s.rows.some((r) => r.label === TEXT_TO_VIDEO));
    await q.pick(TEXT_TO_VIDEO);
    await q.waitFor(`${VEO} in the models`, (s) => /model/i.test(s.title) && !!rowOf(s, VEO)?.description);
    await q.pick(VEO);
    await q.waitFor('the prompt input box', (s) => /prompt/i.test(s.title) && s.inputType === 'text' && s.rows.length === 0);
    await q.submit(CHARGED_PROMPT);
    await q.waitFor('the options page', (s) => /options/i.test(s.title) && !!rowOf(s, 'Duration (seconds)'));
    await q.pick('Duration (seconds)');
    await q.waitFor('the durations', (s) => /Duration/.test(s.title) && s.rows.some((r) => r.label === '4'));
    await q.pick('4');
    const options = await q.waitFor('the options with 4 seconds', (s) => rowOf(s, 'Duration (seconds)')?.description === '4');
    const go = generateRow(options);
    check(
      go && new RegExp(`^Generate · (about )?\\${PRICE}$`).test(go.label),
      `the Generate row reads "${go?.label}", expected "Generate · ${PRICE}": ${describeRows(options)}`,
    );
    await q.pick(go.label);
    await q.waitHidden().catch(() => {
      throw new Check('the flow did not close after Generate');
    });
    const row = wb.tasks.row(treeLabel(CHARGED_PROMPT));
    await waitFor(
      page,
      async () => {
        const s = (await row.count()) ? await wb.tasks.state(row) : undefined;
        return { aria: s?.aria ?? '(no row)', ok: !!s && /, Done, /.test(s.aria) && !/downloading/.test(s.description) };
      },
      30000,
      (s) => `the charged task did not finish within 30 s (row "${s.aria}")`,
    );

    await wb.paletteCommand(commandTitle('aiVideo.showSpending'));
    const frame = await wb.webviews.waitFor('.spending svg.chart', 'the spending panel');
    // The ledger is charged when the task ends; the panel redraws on each charge.
    const chart = await waitFor(
      page,
      async () => {
        const s: ChartState = await frame.evaluate(() => ({
          bars: [...document.querySelectorAll('svg.chart rect.bar')].map((r) => ({
            title: r.querySelector('title')?.textContent ?? '',
            height: Number(r.getAttribute('height')),
            fill: getComputedStyle(r).fill,
          })),
          legend: [...document.querySelectorAll('.legend li')].map((li) => (li.textContent ?? '').trim()),
          ticks: [...document.querySelectorAll('svg.chart text.tick')].map((t) => t.textContent ?? ''),
        }));
        return { ...s, ok: s.bars.some((b) => b.title.includes(openrouter.label)) };
      },
      15000,
      (s) => `the chart has no ${openrouter.label} bar: bars [${s.bars.map((b) => b.title).join(' | ')}]`,
    );
    const today = chart.ticks[chart.ticks.length - 1];
    const bar = chart.bars.find((b) => b.title.includes(openrouter.label))!;
    check(/^\d{4}-\d{2}-\d{2}$/.test(today ?? ''), `the chart's last day label reads "${today}"`);
    check(bar.title === `${today} · ${openrouter.label}: ${PRICE}`, `the bar is titled "${bar.title}", expected today's ${PRICE}`);
    check(bar.height > 0, `the bar is ${bar.height} high`);
    // Drawn in a theme chart colour, not SVG's default black fill.
    check(bar.fill && !/^(none|rgb\(0, 0, 0\))$/.test(bar.fill), `the bar's fill is "${bar.fill}"`);
    check(chart.legend.includes(openrouter.label), `the legend reads [${chart.legend.join(', ')}]`);

    const tables = await frame.evaluate(() =>
      Object.fromEntries(
        [...document.querySelectorAll('table.totals')].map((t) => [
          (t.querySelector('caption')?.textContent ?? '').trim(),
          [...t.querySelectorAll('tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim()).join(' = ')),
        ]),
      ),
    );
    const shown = JSON.stringify(tables);
    check(tables['By provider']?.includes(`${openrouter.label} = ${PRICE}`), `no "${openrouter.label} ${PRICE}" row by provider: ${shown}`);
    check(
      tables['By model']?.includes(`${openrouter.label} ${VEO} = ${PRICE}`),
      `no "${openrouter.label} ${VEO} ${PRICE}" row by model: ${shown}`,
    );
    const headline = (await frame.locator('.headline p').allInnerTexts()).map((t) => t.trim());
    check(headline.includes(`Today: ${PRICE}`), `the headline reads [${headline.join(' | ')}]`);
    // OpenRouter's GET /key: the emulator's key has a credit limit (asked while the panel opens).
    await waitFor(
      page,
      async () => {
        const lines = (await frame.locator('.headline p').allInnerTexts()).map((t) => t.trim());
        return { lines, ok: lines.some((l) => /^OpenRouter credit left: \$[\d.]+ of \$[\d.]+$/.test(l)) };
      },
      15000,
      (s) => `no remaining credit in the headline: [${s.lines.join(' | ')}]`,
    );

    // No other case charges anything: the one take is the costliest.
    const takes = frame.locator('.expensive ol.top li');
    check((await takes.count()) === 1, `the costliest takes list ${await takes.count()} rows, expected the one charged take`);
    const take = (await takes.first().innerText()).trim();
    check(
      take.startsWith(`${PRICE} · ${openrouter.label} ${VEO}`) &&
        take.includes(CHARGED_PROMPT.slice(0, 30)) &&
        /reported by the provider/.test(take),
      `the costliest take reads "${take}"`,
    );
    const exportCsv = frame.getByRole('button', { name: 'Export CSV…' });
    check(await exportCsv.isEnabled(), 'no enabled "Export CSV…" button');
    await ctx.shot('spending');

    // A click on the take plays it.
    await takes.first().getByRole('button').click();
    await page
      .locator('.tabs-container .tab', { hasText: /▶.*A charged take/ })
      .first()
      .waitFor({ state: 'visible', timeout: 15000 })
      .catch(() => {
        throw new Check('clicking the costliest take opened no player tab for it');
      });

    // The export: the save dialog (code-server's own, a quick input) proposes the workspace's file.
    await wb.tab('AI Video Spending').click();
    const again = await wb.webviews.waitFor('.spending svg.chart', 'the spending panel again');
    await again.getByRole('button', { name: 'Export CSV…' }).click();
    const proposed = await waitFor(
      page,
      async () => {
        const s = await q.state();
        const value = s.visible && s.inputType === 'text' ? await q.input.inputValue().catch(() => '') : '';
        return { title: s.title, value, ok: value.endsWith(CSV_NAME) };
      },
      15000,
      (s) => `Export CSV… showed no save dialog proposing ${CSV_NAME} (title "${s.title}", value "${s.value}")`,
    );
    check(path.basename(proposed.value) === CSV_NAME, `the save dialog proposes "${proposed.value}"`);
    await page.keyboard.press('Enter');
    await wb
      .notification(/Exported the spending of the last 30 days/)
      .waitFor({ state: 'visible', timeout: 15000 })
      .catch(() => {
        throw new Check('the export showed no "Exported …" notification');
      });
    const csv = fs.readFileSync(path.join(ctx.workspace, CSV_NAME), 'utf8').trim().split('\n');
    check(csv[0] === 'time,provider,model,task,amount_usd,source,who', `the CSV header reads "${csv[0]}"`);
    // Every ledger record; the earlier case's failed take is there as a $0 charge.
    const rows = csv
      .slice(1)
      .map((line) => line.split(','))
      .filter((r) => Number(r[4]) > 0);
    const [, provider, model, task, amount, source, who] = rows[0] ?? [];
    check(
      rows.length === 1 &&
        provider === 'openrouter' &&
        model === VEO &&
        !!task &&
        Number(amount) === 1.6 &&
        source === 'provider' &&
        who === 'ui',
      `the CSV rows are [${csv.slice(1).join(' | ')}], expected one charge above $0 (openrouter, ${VEO}, 1.6, provider, ui)`,
    );
  },
};
