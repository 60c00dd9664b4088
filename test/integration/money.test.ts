// Money in the real extension host, against the emulator: a quote equals the catalogue's price, the
// provider's reported cost lands on the task and in the ledger, over-budget creates from a script and
// from the agent tool send nothing (the emulator's create count), a workspace cannot raise a budget
// (only tighten it), the status bar shows today's spend, and the spending panel opens with its chart.
import * as assert from 'assert';
import * as vscode from 'vscode';

import type { PriceQuote } from '../../src/core/money/quote';
import { priceOf } from '../../src/core/provider/pricing';
import { emulatorBaseUrl, type Emulator } from '../../src/emulator/server';
import type { SpendingReport } from '../../src/vscode/money/moneyCommands';
import { gen, setup, waitFor, waitForFinal } from './helpers';

const cfg = () => vscode.workspace.getConfiguration('aiVideo');
const creates = (e: Emulator) => e.requests().filter((r) => r.kind === 'create').length;
const veo = { provider: 'openrouter', model: 'google/veo-3.1', duration: 6, resolution: '1080p' };
const BUDGET_KEYS = ['budget.dailyUsd', 'budget.agentDailyUsd', 'budget.agentAllowUnknownPrices'];

function toolText(result: vscode.LanguageModelToolResult | null | undefined): string {
  assert.ok(result, 'the tool returned a result');
  return result.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
}

/** The confirmation's Markdown as plain text. */
function confirmationText(prepared: vscode.PreparedToolInvocation | null | undefined): string {
  const message = prepared?.confirmationMessages?.message;
  const md = typeof message === 'string' ? message : (message?.value ?? '');
  return md.replace(/&nbsp;/g, ' ').replace(/\\(.)/g, '$1');
}

describe('Money: quotes, costs, budgets, spending', function () {
  this.timeout(90_000);
  const token = new vscode.CancellationTokenSource().token;

  afterEach(async () => {
    for (const key of BUDGET_KEYS) {
      await cfg().update(key, undefined, vscode.ConfigurationTarget.Global);
      await cfg().update(key, undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it("a quote equals the catalogue's price, sends nothing, and says how it was reached", async () => {
    const { api, emulator } = await setup();
    const before = emulator.requests().filter((r) => r.route === 'openrouter.create').length;
    const quote = await api.quote({ ...veo, prompt: 'a quote' });
    const model = api.testing.catalog.model('openrouter', emulatorBaseUrl(emulator.baseUrl, 'openrouter'), veo.model);
    assert.ok(model, 'the catalogue knows the model');
    assert.strictEqual(quote.amount, priceOf(model, { ...veo, prompt: '' }).amount);
    assert.strictEqual(quote.amount, 3.6);
    assert.deepStrictEqual([quote.currency, quote.estimate], ['USD', false]);
    assert.strictEqual(quote.basis, '$0.60/s × 6 s at 1080p (OpenRouter catalogue)');
    const viaCommand = await vscode.commands.executeCommand<PriceQuote>('aiVideo.quote', { ...veo, prompt: 'a quote' });
    assert.deepStrictEqual(viaCommand, quote);
    const unknown = await api.quote({ provider: 'gateway', model: 'kling-v1', prompt: 'no prices here' });
    assert.strictEqual(unknown.amount, undefined, 'a gateway publishes no prices: unknown, never $0');
    assert.strictEqual(emulator.requests().filter((r) => r.route === 'openrouter.create').length, before, 'nothing sent');
  });

  it("the provider's reported cost replaces the create-time estimate on the task and is charged into the ledger", async () => {
    const { api } = await setup();
    const before = (await api.getSpending({ days: 1 })).today;
    const t = await gen({ ...veo, prompt: 'a charged take [duration=1200]' });
    assert.deepStrictEqual(t.cost, { amount: 3.6, currency: 'USD', source: 'estimate' }, 'the quote at create time');
    assert.strictEqual(t.startedBy, 'script');
    const done = await waitForFinal(api, t.id);
    assert.strictEqual(done.status, 'succeeded', done.error);
    assert.deepStrictEqual(done.cost, { amount: 3.6, currency: 'USD', source: 'provider' });
    const report = await waitFor('the charge in the ledger', async () => {
      const r = await api.getSpending({ days: 1 });
      return r.top.some((x) => x.taskId === t.id) && r;
    });
    // Other suites' tasks may end meanwhile and be charged too: today grew by this take at least.
    assert.ok(Math.round((report.today - before) * 100) >= 360, `today grew by ${report.today - before}`);
    const rec = report.top.find((x) => x.taskId === t.id)!;
    assert.deepStrictEqual(
      [rec.provider, rec.model, rec.amount, rec.source, rec.who],
      ['openrouter', veo.model, 3.6, 'provider', 'script'],
    );
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('aiVideo.getSpending', { days: 0 })), /"days"/);
  });

  it("the status bar shows today's spend, with per-provider totals and what the budget leaves in its tooltip", async () => {
    const { api } = await setup();
    await cfg().update('budget.dailyUsd', 1000, vscode.ConfigurationTarget.Global);
    const spent = (await api.getSpending({ days: 1 })).today;
    assert.ok(spent > 0, 'an earlier test charged something today');
    await api.testing.refreshStatusBar();
    const text = api.testing.statusBarText() ?? '';
    assert.match(text, /^\$\(device-camera-video\) (\d+ generating · )?\$[\d.]+ today$/);
    assert.ok(text.includes(`$${spent.toFixed(2)}`) || text.includes(`$${spent}`), `${text} shows ${spent}`);
    const tooltip = api.testing.statusBarTooltip() ?? '';
    assert.match(tooltip, /- OpenRouter: \$[\d.]+/);
    assert.match(tooltip, /Daily budget \$1000\.00: \$[\d.]+ left/);
  });

  it('over the daily budget, a script create is refused with "budget", the quote, the spend and the limit, and sends nothing', async () => {
    const { emulator } = await setup();
    await cfg().update('budget.dailyUsd', 0.5, vscode.ConfigurationTarget.Global);
    const before = creates(emulator);
    await assert.rejects(gen({ ...veo, prompt: 'over budget [duration=500]' }), (e: Error) => {
      assert.match(e.message, /budget/);
      assert.match(e.message, /over your \$0\.50 daily budget: this create \$3\.60, today \$[\d.]+ so far/);
      return true;
    });
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('aiVideo.generateVariants', { ...veo, prompt: 'two over budget' }, 2)),
      /budget/,
    );
    assert.strictEqual(creates(emulator), before, 'no create was sent');
  });

  it('a workspace can tighten a budget but never raise it', async () => {
    const { api, emulator } = await setup();
    await cfg().update('budget.dailyUsd', 0.5, vscode.ConfigurationTarget.Global);
    await cfg().update('budget.dailyUsd', 100_000, vscode.ConfigurationTarget.Workspace);
    const raised: SpendingReport = await api.getSpending();
    assert.strictEqual(raised.budgets.dailyUsd, 0.5, "the workspace's higher value is ignored");
    const before = creates(emulator);
    await assert.rejects(gen({ ...veo, prompt: 'still over budget [duration=500]' }), /budget/);
    assert.strictEqual(creates(emulator), before);
    await cfg().update('budget.dailyUsd', undefined, vscode.ConfigurationTarget.Global);
    await cfg().update('budget.dailyUsd', 0.25, vscode.ConfigurationTarget.Workspace);
    assert.strictEqual((await api.getSpending()).budgets.dailyUsd, 0.25, 'a lower workspace value counts');
    await cfg().update('budget.agentAllowUnknownPrices', true, vscode.ConfigurationTarget.Workspace);
    await cfg().update('budget.agentDailyUsd', 100, vscode.ConfigurationTarget.Global);
    const tool = api.testing.agentTool('aiVideo_generateVideo')!;
    const input = { prompt: 'unknown price from a workspace switch [duration=500]', provider: 'gateway', model: 'kling-v1' };
    await tool.prepareInvocation!({ input }, token);
    const text = toolText(await tool.invoke({ input, toolInvocationToken: undefined }, token));
    assert.match(text, /aiVideo\.budget\.agentAllowUnknownPrices/, 'a workspace cannot turn unknown prices on');
    assert.strictEqual(creates(emulator), before);
  });

  it("over the agent budget the tool's confirmation says it will be refused, and the call sends nothing", async () => {
    const { api, emulator } = await setup();
    await cfg().update('budget.agentDailyUsd', 1, vscode.ConfigurationTarget.Global);
    const tool = api.testing.agentTool('aiVideo_generateVideo')!;
    const input = {
      prompt: 'an agent over budget [duration=500]',
      provider: 'openrouter',
      model: veo.model,
      duration: 6,
      resolution: '1080p',
    };
    const prepared = await tool.prepareInvocation!({ input }, token);
    const shown = confirmationText(prepared);
    assert.match(shown, /Price: \$3\.60/);
    assert.match(shown, /This call will be refused, nothing sent: .*over your \$1\.00 daily agent budget/);
    const before = creates(emulator);
    const text = toolText(await tool.invoke({ input, toolInvocationToken: undefined }, token));
    assert.match(text, /^No video was generated: .*budget.*\$3\.60/);
    assert.strictEqual(creates(emulator), before, 'no create was sent');
    assert.ok(!api.getTasks().some((t) => t.prompt === input.prompt), 'no task was made');

    await cfg().update('budget.agentDailyUsd', 1000, vscode.ConfigurationTarget.Global);
    const ok = await tool.prepareInvocation!({ input }, token);
    const okText = confirmationText(ok);
    assert.match(okText, /Spent today: \$[\d.]+\. agent budget: \$[\d.]+ left after this\./);
  });

  it('Show Spending opens the panel with the 30-day chart by provider, the totals and the costliest takes', async () => {
    const { api } = await setup();
    await vscode.commands.executeCommand('aiVideo.showSpending');
    const shown = await waitFor('the spending panel to be ready with its view', () => {
      const s = api.testing.spending();
      return s?.ready && s.view && s.view.series.length > 0 && s.view;
    });
    assert.strictEqual(shown.days.length, 30);
    const openrouter = shown.series.find((s) => s.label === 'OpenRouter');
    assert.ok(openrouter, 'OpenRouter has its bars');
    assert.strictEqual(openrouter.values.length, 30);
    assert.ok(openrouter.values[29] > 0, "today's bar");
    assert.ok(shown.byProvider.some((r) => r.label === 'OpenRouter'));
    assert.ok(shown.byModel.some((r) => r.label === `OpenRouter ${veo.model}`));
    assert.ok(shown.top.length > 0 && shown.top[0].amount.startsWith('$'));
    // OpenRouter's GET /key: the emulator's key has a credit limit.
    await waitFor('the remaining credit', () =>
      api.testing.spending()?.view?.lines.some((l) => /^OpenRouter credit left: \$[\d.]+ of \$[\d.]+$/.test(l)),
    );
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
