// The spending panel (**AI Video: Show Spending**): the last 30 days of the spend ledger by provider
// as a chart, the totals by provider and model, the 20 costliest takes (a click opens the player), a
// CSV export, and the credit OpenRouter says is left where the key has a limit (`GET /key`, asked only
// while the panel opens). The app lives in src/webview/spending; both sides speak its protocol file.
// The lifecycle (one open panel, restore, ready handshake, disposal) is the panel base's.
import { promises as fs } from 'fs';
import * as os from 'os';
import * as vscode from 'vscode';

import { errorMessage } from '../../../core/model/errors';
import { ledgerCsv } from '../../../core/money/ledger';
import { usd } from '../../../core/provider/pricing';
import { providerLabel, PROVIDERS } from '../../../providers';
import { openRouterCredit } from '../../../providers/openrouter';
import {
  isSpendingWebviewMessage,
  MAX_ROWS,
  MAX_SERIES,
  type SpendingHostMessage,
  type SpendingView,
  type SpendingWebviewMessage,
} from '../../../webview/spending/spendingProtocol';
import type { CommandContext } from '../../commands/context';
import { executeClick } from '../../commands/execute';
import { providerContext } from '../../keys/providerContext';
import { spendingReport } from '../../money/moneyCommands';
import { showError, showInfo } from '../../notify';
import { AppPanel, PanelSlot, readWhole, type PanelPlace, type PanelSpec } from '../panelBase';

const DAYS = 30;

const SPEC: PanelSpec<SpendingWebviewMessage> = {
  app: 'spending',
  name: 'Spending',
  pageTitle: () => vscode.l10n.t('AI Video spending'),
  read: readWhole(isSpendingWebviewMessage),
};

type Host = Pick<CommandContext, 'money' | 'engine' | 'keys' | 'log' | 'context' | 'mediaRoot'>;

export class SpendingPanel extends AppPanel<SpendingHostMessage, SpendingWebviewMessage> {
  static readonly viewType = 'aiVideo.spending';
  private static readonly slot = new PanelSlot<SpendingPanel>(SpendingPanel.viewType);
  private credit: string | undefined;
  /** The view last posted, for the in-host tests. */
  lastView: SpendingView | undefined;

  static get current(): SpendingPanel | undefined {
    return SpendingPanel.slot.current;
  }

  static show(host: Host): SpendingPanel {
    const place = { extensionUri: host.context.extensionUri, mediaRoot: host.mediaRoot };
    return SpendingPanel.slot.show(
      place,
      vscode.l10n.t('AI Video Spending'),
      (open) => void open.refresh(),
      (panel) => new SpendingPanel(panel, place, host),
    );
  }

  static registerSerializer(host: Host): vscode.Disposable {
    const place = { extensionUri: host.context.extensionUri, mediaRoot: host.mediaRoot };
    return SpendingPanel.slot.registerSerializer(place, host.log, (panel) => new SpendingPanel(panel, place, host));
  }

  private constructor(
    panel: vscode.WebviewPanel,
    place: PanelPlace,
    private readonly host: Host,
  ) {
    super(SpendingPanel.slot, panel, place, host.log, SPEC);
    this.disposables.add(host.money.keeper.onDidCharge(() => void this.refresh()));
    void this.askCredit();
  }

  protected onReady(): void {
    void this.refresh();
  }

  protected onMessage(message: Exclude<SpendingWebviewMessage, { type: 'ready' }>): void {
    if (message.type === 'open') void executeClick('aiVideo.play', message.taskId);
    else void this.exportCsv();
  }

  /** Reads the ledger and posts the view. */
  async refresh(): Promise<void> {
    try {
      const view = await this.build();
      this.lastView = view;
      this.postWhenChanged({ type: 'show', view });
    } catch (e) {
      this.host.log.warn(`Spending: could not read the spend ledger: ${errorMessage(e)}`);
    }
  }

  private async build(): Promise<SpendingView> {
    const r = await spendingReport(this.host, DAYS);
    // A provider, model or take charged $0 (a failed take) would show an empty series and $0.00 rows.
    const providers = Object.entries(r.byProvider)
      .filter(([, v]) => v > 0)
      .sort((a, b) => b[1] - a[1])
      .slice(0, MAX_SERIES);
    const lines = [
      vscode.l10n.t('Today: {0}', usd(r.today)),
      vscode.l10n.t('Last {0} days: {1}', DAYS, usd(r.total)),
      ...(r.budgets.dailyUsd !== undefined
        ? [vscode.l10n.t('Daily budget {0}: {1} left today', usd(r.budgets.dailyUsd), usd(Math.max(0, r.budgets.dailyLeft ?? 0)))]
        : []),
      ...(r.budgets.agentDailyUsd !== undefined
        ? [vscode.l10n.t('Agent budget {0}: {1} left today', usd(r.budgets.agentDailyUsd), usd(Math.max(0, r.budgets.agentLeft ?? 0)))]
        : []),
      ...(this.credit ? [this.credit] : []),
    ];
    const row = ([label, amount]: [string, number]) => ({ label, amount: usd(amount) });
    return {
      days: r.byDay.map((d) => d.day),
      series: providers.map(([id]) => ({ label: providerLabel(id), values: r.byDay.map((d) => d.byProvider[id] ?? 0) })),
      lines,
      byProvider: providers.map(([id, v]) => row([providerLabel(id), v])),
      byModel: Object.entries(r.byModel)
        .filter(([, v]) => v > 0)
        .sort((a, b) => b[1] - a[1])
        .slice(0, MAX_ROWS)
        .map(([key, v]) => {
          const [p, ...model] = key.split(':');
          return row([`${providerLabel(p)} ${model.join(':') || vscode.l10n.t('(default model)')}`, v]);
        }),
      top: r.top
        .filter((rec) => rec.amount > 0)
        .map((rec) => {
          const task = this.host.engine.getTask(rec.taskId);
          return {
            taskId: rec.taskId,
            label: `${providerLabel(rec.provider)} ${rec.model} · ${rec.at ? new Date(rec.at).toLocaleDateString() : ''}${task ? ` · ${task.prompt.slice(0, 60)}` : ''}`,
            amount: usd(rec.amount),
            detail: rec.source === 'provider' ? vscode.l10n.t('reported by the provider') : vscode.l10n.t('estimate'),
            playable: !!task && task.status === 'succeeded' && task.videos.some((v) => v.localPath),
          };
        }),
    };
  }

  /** OpenRouter's remaining credit, when a key is set and it has a limit. */
  private async askCredit(): Promise<void> {
    const provider = PROVIDERS.openrouter;
    if (!provider || !(await this.host.keys.has(provider.id))) return;
    try {
      const credit = await openRouterCredit(await providerContext(provider, this.host.keys, this.host.log));
      if (!credit) return;
      this.credit = vscode.l10n.t('{0} credit left: {1} of {2}', provider.label, usd(credit.remaining), usd(credit.limit));
      await this.refresh();
    } catch (e) {
      this.host.log.warn(`Spending: could not ask ${provider.label} for the key's credit: ${errorMessage(e)}`);
    }
  }

  private async exportCsv(): Promise<void> {
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(
        vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir()),
        'ai-video-spending.csv',
      ),
      filters: { CSV: ['csv'] },
      title: vscode.l10n.t('Export the spend ledger'),
    });
    if (!target) return;
    try {
      const csv = ledgerCsv(await this.host.money.keeper.records(DAYS));
      if (target.scheme === 'file') await fs.writeFile(target.fsPath, csv, 'utf8');
      else await vscode.workspace.fs.writeFile(target, Buffer.from(csv, 'utf8'));
      void showInfo(vscode.l10n.t('Exported the spending of the last {0} days.', DAYS));
    } catch (e) {
      void showError(vscode.l10n.t('Could not export: {0}', errorMessage(e)));
    }
  }
}
