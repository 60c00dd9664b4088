// Groups of generations: `aiVideo.generateVariants(request, count)` and the flow's "Variants" /
// "Several models" choice both plan their requests in src/core/request/variants.ts and send each one
// through the engine's normal create path (one create per task, never retried). When every task
// of a group this window watched has finished, one notification offers Compare.
import { randomUUID } from 'crypto';
import * as vscode from 'vscode';

import type { TaskEngine } from '../../core/engine/engine';
import { errorMessage } from '../../core/model/errors';
import type { Logger } from '../../core/model/events';
import { GenerateRequest, isActive, ProviderId, Spender, Task, TaskSource } from '../../core/model/task';
import type { ProviderClient } from '../../core/provider/descriptor';
import { parseGenerateRequest } from '../../core/request/requestValidation';
import { checkVariantCount, planTargets, planVariants, type Target } from '../../core/request/variants';
import { shortTitle } from '../../shared/format';
import { MAX_COMPARE } from '../../webview/compare/compareProtocol';
import { executeClick } from '../commands/execute';
import type { MoneyUi } from '../money/moneyUi';
import { showInfo, showWarning } from '../notify';

export interface GroupDeps {
  engine: TaskEngine;
  /** The registry's providers by id. */
  providers: Readonly<Record<ProviderId, ProviderClient>>;
  log: Logger;
  /** Quotes and budgets: a group whose sum breaks a budget sends none of its creates. */
  money?: Pick<MoneyUi, 'admitGroup'>;
  /** Who starts the group (default a script), and whether the person chose to pass a budget. */
  who?: Spender;
  overBudget?: boolean;
}

/** What the flow asked for beyond one task: several takes, or several provider/model pairs. */
export interface FanOut {
  count: number;
  targets: Target[];
}

export function accepts(providers: GroupDeps['providers'], req: GenerateRequest): boolean {
  return providers[req.provider]?.validate(req) === undefined;
}

/**
 * Sends every planned request at once and resolves when each create was answered: with the tasks
 * created, in plan order. Rejects only when none was created (with the first error).
 */
export async function sendGroup(deps: GroupDeps, plan: GenerateRequest[], source?: TaskSource): Promise<Task[]> {
  const who = deps.who ?? 'script';
  if (!deps.overBudget) await deps.money?.admitGroup(plan, who, deps.engine.getTasks());
  const results = await Promise.allSettled(plan.map((r) => deps.engine.generate(r, { source, who, overBudget: deps.overBudget })));
  const tasks = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  for (const f of failures) deps.log.warn(`A task of group ${plan[0]?.groupId ?? ''} was not created: ${errorMessage(f)}`);
  if (tasks.length === 0 && failures.length) throw failures[0];
  return tasks;
}

/** `aiVideo.generateVariants(request, count)`: asks nothing; throws on a bad argument. A prompt block's variants remember it (`source`). */
export async function generateVariants(deps: GroupDeps, request: unknown, count: unknown, source?: TaskSource): Promise<Task[]> {
  const bad = checkVariantCount(count);
  if (bad) throw new Error(bad);
  let req: GenerateRequest;
  try {
    req = parseGenerateRequest(request, Object.keys(deps.providers));
  } catch (e) {
    throw new Error(errorMessage(e));
  }
  const plan = planVariants(req, count as number, randomUUID(), (r) => accepts(deps.providers, r));
  return sendGroup(deps, plan, source);
}

/** The requests of a flow's fan-out, sharing one new group id (just `req` when there is none). */
export function planFanOut(deps: GroupDeps, req: GenerateRequest, fanOut: FanOut): GenerateRequest[] {
  const groupId = randomUUID();
  if (fanOut.targets.length) return planTargets(req, fanOut.targets, groupId, (r) => accepts(deps.providers, r));
  if (fanOut.count > 1) return planVariants(req, fanOut.count, groupId, (r) => accepts(deps.providers, r));
  return [req];
}

/** One notification per group this window saw running, once all of it has finished. */
export function notifyGroupsFinished(engine: TaskEngine): vscode.Disposable {
  const watching = new Set<string>();
  for (const t of engine.getTasks()) if (t.groupId && isActive(t)) watching.add(t.groupId);
  return engine.onDidChangeTasks((changed) => {
    for (const t of changed) if (t.groupId && isActive(t)) watching.add(t.groupId);
    for (const groupId of new Set(changed.map((t) => t.groupId))) {
      if (!groupId || !watching.has(groupId)) continue;
      const members = engine.getTasks().filter((t) => t.groupId === groupId);
      const settled = (t: Task) =>
        t.status === 'failed' || (t.status === 'succeeded' && t.videos.every((v) => v.localPath || v.downloadError));
      if (!members.every(settled)) continue;
      watching.delete(groupId);
      const ready = members.filter((t) => t.status === 'succeeded' && t.videos.some((v) => v.localPath)).reverse();
      const failed = members.length - ready.length;
      const title = shortTitle(members[0]?.prompt, 40);
      const done = failed
        ? vscode.l10n.t('Done: {0} takes of "{1}" ({2} failed).', members.length, title, failed)
        : vscode.l10n.t('Done: {0} takes of "{1}".', members.length, title);
      if (ready.length >= 2) {
        const ids = ready.slice(0, MAX_COMPARE).map((t) => t.id);
        void showInfo(done, vscode.l10n.t('Compare')).then((c) => c && executeClick('aiVideo.compare', ids));
      } else {
        void showWarning(done, vscode.l10n.t('Open Gallery')).then((c) => c && executeClick('aiVideo.openGallery'));
      }
    }
  });
}
