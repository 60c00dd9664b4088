// Context keys that tick off the "Get started" walkthrough's steps by themselves (see
// contributes.walkthroughs). Played and gallery are read from the open tabs: a tree item's or a
// notification's command runs inside the extension host, where the walkthrough's onCommand never sees it.
import * as vscode from 'vscode';

import { TaskEngine } from '../core/engine/engine';
import { PROVIDER_IDS } from '../providers';
import type { ContextKey } from './commands/contextKeys';
import { setContext } from './commands/execute';
import { KeyStore } from './keys/secretKeys';

export const WALKTHROUGH_CONTEXT = {
  keySet: 'aiVideo.walkthrough.keySet',
  generated: 'aiVideo.walkthrough.generated',
  played: 'aiVideo.walkthrough.played',
  galleryOpened: 'aiVideo.walkthrough.galleryOpened',
  promptFileUsed: 'aiVideo.walkthrough.promptFileUsed',
} as const satisfies Record<string, ContextKey>;

/** Webview panels whose opening ticks a step off, by the end of their view type. */
const PANELS: [viewType: string, key: ContextKey][] = [
  ['aiVideo.player', WALKTHROUGH_CONTEXT.played],
  ['aiVideo.gallery', WALKTHROUGH_CONTEXT.galleryOpened],
];

export function trackWalkthrough(engine: TaskEngine, keys: KeyStore): vscode.Disposable {
  const set = (key: ContextKey, value: boolean) => void setContext(key, value);
  const checkKeys = async () => set(WALKTHROUGH_CONTEXT.keySet, (await Promise.all(PROVIDER_IDS.map((p) => keys.has(p)))).some(Boolean));
  const checkTasks = () => {
    const tasks = engine.getTasks();
    set(WALKTHROUGH_CONTEXT.generated, tasks.length > 0);
    set(
      WALKTHROUGH_CONTEXT.promptFileUsed,
      tasks.some((t) => t.source),
    );
  };
  // Once seen, a panel stays counted: closing the player does not undo "Play it".
  const seen = new Set<string>();
  const checkTabs = () => {
    for (const tab of vscode.window.tabGroups.all.flatMap((g) => g.tabs)) {
      if (!(tab.input instanceof vscode.TabInputWebview)) continue;
      const viewType = tab.input.viewType;
      for (const [type, key] of PANELS) if (viewType.endsWith(type)) seen.add(key);
    }
    for (const [, key] of PANELS) set(key, seen.has(key));
  };
  void checkKeys();
  checkTasks();
  checkTabs();
  return vscode.Disposable.from(
    keys.onDidChange(() => void checkKeys()),
    engine.onDidChangeTasks(checkTasks),
    vscode.window.tabGroups.onDidChangeTabs(checkTabs),
  );
}
