// A storyboard in the editor: Render Storyboard (and Play Film once there is a film) above the first
// shot, and above each shot its state (up to date, stale, rendering, failed) and its cost: what the
// lockfile recorded for an up-to-date shot, the catalogue's price for one that would be rendered. The
// states come from the same plan a render makes (core/storyboard/plan.ts) and from the running render.
import * as fs from 'fs';
import * as vscode from 'vscode';

import { formatPrice, priceOf, usd } from '../../core/provider/pricing';
import { resolvedRequest } from '../../core/storyboard/hash';
import { isStoryboard, parseStoryboard } from '../../core/storyboard/parse';
import { planStoryboard } from '../../core/storyboard/plan';
import type { CommandId } from '../commands/commandIds';
import { INTERACTIVE } from '../commands/invocation';
import { promptCatalog } from '../promptFiles/promptFileFeatures';
import type { StoryboardRuns } from './storyboardCommands';
import { filmRel, placeOf, readLockAt, sha256File, shotRel } from './storyboardHost';

const SELECTOR: vscode.DocumentSelector = [{ language: 'markdown' }];

class StoryboardLenses implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly runs: StoryboardRuns) {}

  refresh(): void {
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const text = doc.getText();
    if (!isStoryboard(text)) return [];
    const catalog = promptCatalog();
    const board = parseStoryboard(text, catalog);
    if (!board.shots.length) return [];
    const out: vscode.CodeLens[] = [];
    const at = (line: number) => new vscode.Range(line, 0, line, 0);
    const lens = (line: number, title: string, command: CommandId | '', args: unknown[] = [], tooltip?: string) =>
      out.push(new vscode.CodeLens(at(line), { title, command, arguments: args, tooltip }));
    const first = board.shots[0].block.fenceLine;
    const key = doc.uri.toString();
    const running = this.runs.isRunning(key);
    lens(
      first,
      running ? vscode.l10n.t('⟳ Rendering storyboard…') : vscode.l10n.t('▶ Render Storyboard'),
      running ? '' : 'aiVideo.renderStoryboard',
      running ? [] : [doc.uri, INTERACTIVE],
      vscode.l10n.t('Render the shots that changed and join the film'),
    );
    const place = placeOf(doc.uri);
    if ('error' in place) return out;
    const root = place.root;
    const abs = (rel: string) => vscode.Uri.joinPath(vscode.Uri.file(root), ...rel.split('/')).fsPath;
    if (fs.existsSync(abs(filmRel(place)))) lens(first, vscode.l10n.t('Play Film'), 'aiVideo.playFilm', [doc.uri, INTERACTIVE]);

    const lock = await readLockAt(place.lockPath);
    const providerOf = (id: string) => catalog.providers.find((p) => p.id === id);
    const plan = await planStoryboard(
      board.shots,
      lock,
      { shotOutput: (id) => shotRel(place, id), sha256: (rel) => sha256File(abs(rel)) },
      providerOf,
    );
    for (const p of plan.shots) {
      const live = this.runs.stateOf(key, p.shot.id);
      const line = p.shot.block.fenceLine;
      let title: string;
      let tooltip: string | undefined;
      if (live?.state === 'failed') {
        title = vscode.l10n.t('✖ failed');
        tooltip = live.error;
      } else if (live) title = vscode.l10n.t('⟳ rendering');
      else if (p.upToDate) title = vscode.l10n.t('✓ up to date');
      else title = vscode.l10n.t('● stale');
      const recorded = p.upToDate ? lock?.shots[p.shot.id]?.cost : undefined;
      let cost: string;
      if (recorded) cost = usd(recorded.amount);
      else {
        const request = resolvedRequest(p.shot, providerOf(p.shot.request.provider));
        const provider = providerOf(request.provider);
        const model = provider && request.model ? catalog.model?.(provider, request.model) : undefined;
        cost = model ? formatPrice(priceOf(model, request)) : vscode.l10n.t('price unknown');
      }
      lens(line, `${p.shot.id}: ${title} · ${cost}`, '', [], tooltip);
    }
    return out;
  }
}

/** The storyboard lenses; they refresh as renders go and when a lockfile or an output changes. */
export function registerStoryboardLenses(runs: StoryboardRuns): vscode.Disposable {
  const lenses = new StoryboardLenses(runs);
  const watcher = vscode.workspace.createFileSystemWatcher('**/*.{json,mp4}');
  return vscode.Disposable.from(
    lenses,
    vscode.languages.registerCodeLensProvider(SELECTOR, lenses),
    runs.onDidChange(() => lenses.refresh()),
    watcher,
    watcher.onDidChange(() => lenses.refresh()),
    watcher.onDidCreate(() => lenses.refresh()),
    watcher.onDidDelete(() => lenses.refresh()),
  );
}
