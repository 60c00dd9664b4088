// "$(device-camera-video) 2 generating · $4.10 today" in the status bar while tasks run or money was
// spent today; the tooltip gives today's totals per provider and what each budget leaves. A click
// focuses the Tasks view. Hidden when nothing runs and nothing was spent today.
import * as vscode from 'vscode';

import type { TaskEngine } from '../../core/engine/engine';
import { isActive } from '../../core/model/task';
import { activeLimit } from '../../core/money/budget';
import { usd } from '../../core/provider/pricing';
import { providerLabel } from '../../providers';
import { budgetLimits, onDidChange } from '../config';
import type { MoneyUi } from '../money/moneyUi';

export interface StatusBar extends vscode.Disposable {
  /** What the item shows, or undefined while it is hidden. */
  readonly shownText: string | undefined;
  /** Its tooltip's text while shown. */
  readonly shownTooltip: string | undefined;
  /** Reads today's spend again and redraws (resolves once drawn). */
  refresh(): Promise<void>;
}

export function registerStatusBar(engine: TaskEngine, money?: MoneyUi): StatusBar {
  const item = vscode.window.createStatusBarItem('aiVideo.generating', vscode.StatusBarAlignment.Left, 50);
  item.name = vscode.l10n.t('AI Video: tasks in progress');
  item.command = { command: 'aiVideo.tasks.focus', title: vscode.l10n.t('Show the AI Video tasks') };
  let shown = false;
  let tooltip = '';
  const update = () => {
    const active = engine.getTasks().filter(isActive).length;
    const today = money?.keeper.todayCached();
    const spent = today?.spent ?? 0;
    shown = active > 0 || spent > 0;
    if (!shown) {
      item.hide();
      return;
    }
    const parts = [
      ...(active ? [vscode.l10n.t('{0} generating', active)] : []),
      ...(spent > 0 ? [vscode.l10n.t('{0} today', usd(spent))] : []),
    ];
    item.text = `$(device-camera-video) ${parts.join(' · ')}`;
    const lines = [
      active === 0
        ? vscode.l10n.t('No video task in progress.')
        : active === 1
          ? vscode.l10n.t('1 video task in progress. Click to show it.')
          : vscode.l10n.t('{0} video tasks in progress. Click to show them.', active),
    ];
    if (today) {
      lines.push(vscode.l10n.t('Spent today: {0}', usd(spent)));
      for (const [p, v] of Object.entries(today.byProvider).sort((a, b) => b[1] - a[1])) lines.push(`- ${providerLabel(p)}: ${usd(v)}`);
      const limits = budgetLimits();
      const daily = activeLimit(limits.dailyUsd);
      const agent = activeLimit(limits.agentDailyUsd);
      if (daily !== undefined) lines.push(vscode.l10n.t('Daily budget {0}: {1} left', usd(daily), usd(Math.max(0, daily - spent))));
      if (agent !== undefined) {
        lines.push(vscode.l10n.t('Agent budget {0}: {1} left', usd(agent), usd(Math.max(0, agent - today.agent))));
      }
    }
    tooltip = lines.join('\n');
    item.tooltip = new vscode.MarkdownString(lines.map((l) => l.replace(/[\\`*_{}[\]()#+!|<>]/g, '\\$&')).join('  \n'));
    item.accessibilityInformation = {
      label: [
        active === 1 ? vscode.l10n.t('1 video task generating') : vscode.l10n.t('{0} video tasks generating', active),
        ...(spent > 0 ? [vscode.l10n.t('{0} spent today', usd(spent))] : []),
      ].join(', '),
    };
    item.show();
  };
  const refresh = async () => {
    if (money) await money.keeper.today().catch(() => undefined);
    update();
  };
  update();
  void refresh();
  // Charges land when tasks end (here, or in another window whose tasks this one follows): only then is the
  // ledger read again; progress and status updates (every poll) just redraw the count.
  const onTasks = engine.onDidChangeTasks((changed) => (changed.some((t) => !isActive(t)) ? void refresh() : update()));
  const subs = [item, onTasks, onDidChange(() => update())];
  if (money) subs.push(money.keeper.onDidCharge(() => void refresh()));
  const disposable = vscode.Disposable.from(...subs);
  return {
    get shownText() {
      return shown ? item.text : undefined;
    },
    get shownTooltip() {
      return shown ? tooltip : undefined;
    },
    refresh,
    dispose: () => disposable.dispose(),
  };
}
