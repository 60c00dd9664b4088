// Language model tools, so an agent (Copilot agent mode, any chat participant) can make a video
// and find its file: aiVideo_generateVideo, aiVideo_getTask, aiVideo_listTasks. Every outcome,
// failures included, comes back as text the model can act on; nothing is thrown at it.
import * as vscode from 'vscode';

import { TaskEngine } from '../../core/engine/engine';
import { errorMessage, redact } from '../../core/model/errors';
import { GenerateRequest, isActive, ProviderId, Task, TaskStatus } from '../../core/model/task';
import { isOverBudget } from '../../core/money/budget';
import { formatPrice, usd } from '../../core/provider/pricing';
import { modelsFor } from '../../core/request/promptBlocks';
import { PROVIDER_IDS, providerLabel, PROVIDERS } from '../../providers';
import { shorten } from '../../shared/text';
import { KeyStore } from '../keys/secretKeys';
import type { MoneyUi } from '../money/moneyUi';
import { promptCatalog } from '../promptFiles/promptFileFeatures';
import { confirmationLines, ConfirmedPlans, planGeneration, planToSend, type GenerateVideoInput } from './agentPlan';
import { resolveMediaRef } from './mediaPaths';

export type { GenerateVideoInput } from './agentPlan';

export const TOOL_NAMES = { generate: 'aiVideo_generateVideo', getTask: 'aiVideo_getTask', listTasks: 'aiVideo_listTasks' } as const;

export interface GetTaskInput {
  id: string;
}

export interface ListTasksInput {
  limit?: number;
  status?: string;
}

export interface ToolDeps {
  engine: TaskEngine;
  keys: KeyStore;
  /** Quotes and budgets: the confirmation shows the price and what the budget leaves; a create over it is not sent. */
  money?: MoneyUi;
}

const MAX_WAIT_SECONDS = 600;
const STATUS_WORDS: readonly TaskStatus[] = ['queued', 'running', 'succeeded', 'failed'];

/** The tool objects by name; registered with VS Code by `registerAgentTools`, driven directly by the in-host tests. */
export type AgentTools = Readonly<Record<ToolName, vscode.LanguageModelTool<never>>>;

export type ToolName = (typeof TOOL_NAMES)[keyof typeof TOOL_NAMES];

/** Registers the tools; the result also holds the tool objects (`api.testing.agentTool`). */
export function registerAgentTools(deps: ToolDeps): vscode.Disposable & { readonly tools: AgentTools } {
  const { engine, keys } = deps;
  // What prepareInvocation planned, by input: invoke sends only from here (see agentPlan.ts).
  const plans = new ConfirmedPlans();

  const generateTool: vscode.LanguageModelTool<GenerateVideoInput> = {
    async prepareInvocation(options) {
      const p = await planGeneration(options.input, {
        providers: PROVIDERS,
        ids: PROVIDER_IDS,
        withKey: await providersWithKeys(keys),
        defaultModel: (descriptor, mode) => modelsFor(promptCatalog(), descriptor, mode).ids[0],
        resolveImage: (ref) => resolveMediaRef(ref, vscode.workspace.workspaceFolders?.[0]?.uri),
      });
      plans.remember(options.input, p);
      // Nothing to confirm: invoke says why and sends nothing.
      if (!p.ok) return { invocationMessage: vscode.l10n.t('Checking the video request…') };
      const money = deps.money && (await priceLines(deps.money, engine, p.request));
      return {
        invocationMessage: vscode.l10n.t('Generating a video with {0}…', providerAndModel(p.request.provider, p.request.model)),
        confirmationMessages: confirmationFor(p.request, money?.price, money?.budget),
      };
    },
    async invoke(options, token) {
      const plan = planToSend(plans, options.input);
      if (!plan.send) return text(plan.message);
      let task: Task;
      try {
        task = await engine.generate(plan.request, { who: 'agent' });
      } catch (e) {
        // Over a budget: nothing was sent; the text says "budget", the quote, today's spend and the limit.
        if (isOverBudget(e)) return text(vscode.l10n.t('No video was generated: {0}', e.message));
        return text(vscode.l10n.t('No video was generated: {0}', redact(errorMessage(e))));
      }
      const wait = clampWait(options.input.waitSeconds);
      // A cancelled call ends the wait at once; VS Code then discards the result.
      const t = (wait > 0 ? await waitUntilSettled(engine, task.id, wait * 1000, token) : undefined) ?? task;
      const lines = [
        vscode.l10n.t('Created task {0} with {1}.', task.id, providerAndModel(task.provider, task.model)),
        ...plan.notes,
        ...describe(t),
      ];
      if (isActive(t)) {
        lines.push(
          vscode.l10n.t(
            'It is not finished yet: call {0} with {1} to check on it (videos usually take one to five minutes).',
            TOOL_NAMES.getTask,
            JSON.stringify({ id: t.id }),
          ),
        );
      } else if (t.status === 'succeeded' && t.videos.some((v) => v.localPath)) {
        lines.push(
          vscode.l10n.t("Copy the file where it is needed (for example into public/); the original stays in the extension's storage."),
        );
      }
      return text(lines.join('\n'));
    },
  };

  const getTaskTool: vscode.LanguageModelTool<GetTaskInput> = {
    invoke(options) {
      const id = typeof options.input?.id === 'string' ? options.input.id.trim() : '';
      const task = id ? engine.getTask(id) : undefined;
      if (!task) return text(vscode.l10n.t('No task with id "{0}". {1} lists the recent tasks with their ids.', id, TOOL_NAMES.listTasks));
      return text(
        [
          vscode.l10n.t('Task {0}', task.id),
          ...describe(task),
          vscode.l10n.t('Provider: {0}', providerAndModel(task.provider, task.model)),
          vscode.l10n.t('Prompt: {0}', task.prompt || '-'),
        ].join('\n'),
      );
    },
  };

  const listTasksTool: vscode.LanguageModelTool<ListTasksInput> = {
    invoke(options) {
      const input = options.input ?? {};
      const limit = Math.min(50, Math.max(1, Math.floor(Number(input.limit ?? 10)) || 10));
      const status = input.status === undefined ? undefined : String(input.status).toLowerCase();
      if (status !== undefined && !STATUS_WORDS.includes(status as TaskStatus)) {
        return text(vscode.l10n.t('Unknown status "{0}". Use one of: {1}.', status, STATUS_WORDS.join(', ')));
      }
      const tasks = engine.getTasks().filter((t) => status === undefined || statusWord(t) === status);
      if (!tasks.length) return text(status ? vscode.l10n.t('No {0} tasks.', status) : vscode.l10n.t('No video tasks yet.'));
      const lines = tasks.slice(0, limit).map((t) => {
        const file = t.videos.find((v) => v.localPath)?.localPath;
        const prompt = shorten(t.prompt, 60);
        return [
          t.id,
          statusWord(t),
          `${t.progress} %`,
          providerAndModel(t.provider, t.model),
          JSON.stringify(prompt),
          ...(file ? [file] : []),
        ].join(' · ');
      });
      if (tasks.length > limit) lines.push(vscode.l10n.t('({0} more not shown)', tasks.length - limit));
      return text(lines.join('\n'));
    },
  };

  const tools = {
    [TOOL_NAMES.generate]: generateTool,
    [TOOL_NAMES.getTask]: getTaskTool,
    [TOOL_NAMES.listTasks]: listTasksTool,
  } as unknown as AgentTools;
  const registered = vscode.Disposable.from(
    vscode.lm.registerTool(TOOL_NAMES.generate, generateTool),
    vscode.lm.registerTool(TOOL_NAMES.getTask, getTaskTool),
    vscode.lm.registerTool(TOOL_NAMES.listTasks, listTasksTool),
  );
  return Object.assign(registered, { tools });
}

/**
 * What the user confirms before a generation: who makes it, from what prompt, every parameter that
 * sets the price, and that it costs. `quote` is the price itself, once quotes exist.
 */
export function confirmationFor(request: GenerateRequest, quote?: string, budget?: string): vscode.LanguageModelToolConfirmationMessages {
  const who = providerAndModel(request.provider, request.model);
  const message = new vscode.MarkdownString();
  message.appendMarkdown(vscode.l10n.t('**{0}** will generate a video from this prompt:', who));
  message.appendMarkdown('\n\n');
  message.appendText(request.prompt);
  message.appendMarkdown('\n\n');
  for (const line of confirmationLines(request, PROVIDERS[request.provider], quote)) {
    message.appendMarkdown('- ').appendText(`${line.label}: ${line.value}`).appendMarkdown('\n');
  }
  message.appendMarkdown('\n');
  message.appendMarkdown(vscode.l10n.t('This spends credits on your {0} account.', providerLabel(request.provider)));
  if (budget) message.appendMarkdown('\n\n').appendText(budget);
  return { title: vscode.l10n.t('Generate a video with {0}?', who), message };
}

/**
 * The price as the confirmation shows it, and a line on the budget: today's spend and what the budget
 * leaves after this create, or that the call will be refused and why.
 */
async function priceLines(money: MoneyUi, engine: TaskEngine, request: GenerateRequest): Promise<{ price: string; budget?: string }> {
  const quote = await money.quoteLoaded(request);
  const price = quote.amount === undefined ? formatPrice(quote) : `${formatPrice(quote)} (${quote.basis})`;
  const verdict = await money.keeper.verdict(quote, 'agent', engine.getTasks());
  const today = money.keeper.todayCached()?.spent ?? 0;
  if (!verdict.ok) return { price, budget: vscode.l10n.t('This call will be refused, nothing sent: {0}', verdict.message) };
  const left = [
    verdict.left.daily !== undefined ? vscode.l10n.t('daily budget: {0} left after this', usd(verdict.left.daily)) : undefined,
    verdict.left.agent !== undefined ? vscode.l10n.t('agent budget: {0} left after this', usd(verdict.left.agent)) : undefined,
  ].filter((x): x is string => !!x);
  const spent = vscode.l10n.t('Spent today: {0}.', usd(today));
  return { price, budget: left.length ? `${spent} ${left.join('; ')}.` : `${spent} ${vscode.l10n.t('No budget is set.')}` };
}

function text(value: string): vscode.LanguageModelToolResult {
  return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(value)]);
}

async function providersWithKeys(keys: KeyStore): Promise<ProviderId[]> {
  const has = await Promise.all(PROVIDER_IDS.map((p) => keys.has(p)));
  return PROVIDER_IDS.filter((_, i) => has[i]);
}

function providerAndModel(p: ProviderId, model: string | undefined): string {
  return model ? `${providerLabel(p)} ${model}` : providerLabel(p);
}

/** The four words the tools speak, whatever finer states a task has. */
function statusWord(t: Task): TaskStatus {
  return t.status === 'running' || t.status === 'succeeded' || t.status === 'failed' ? t.status : 'queued';
}

function describe(t: Task): string[] {
  const lines = [vscode.l10n.t('Status: {0}', statusWord(t)), vscode.l10n.t('Progress: {0} %', t.progress)];
  if (t.error) lines.push(vscode.l10n.t('Error: {0}', redact(t.error)));
  t.videos.forEach((v, i) => {
    if (v.localPath) lines.push(vscode.l10n.t('File {0}: {1}', i + 1, v.localPath));
    else if (v.downloadError) lines.push(vscode.l10n.t('File {0}: download failed ({1})', i + 1, v.downloadError));
    else if (t.status === 'succeeded') lines.push(vscode.l10n.t('File {0}: downloading', i + 1));
  });
  return lines;
}

function clampWait(v: unknown): number {
  const n = Math.floor(Number(v ?? 0));
  return Number.isFinite(n) ? Math.min(MAX_WAIT_SECONDS, Math.max(0, n)) : 0;
}

/** The task once it is final with every download settled, after `ms`, or on cancellation. */
function waitUntilSettled(engine: TaskEngine, id: string, ms: number, token: vscode.CancellationToken): Promise<Task | undefined> {
  const settled = (t: Task | undefined) =>
    !t || t.status === 'failed' || (t.status === 'succeeded' && t.videos.every((v) => v.localPath || v.downloadError));
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      sub.dispose();
      cancel.dispose();
      resolve(engine.getTask(id));
    };
    const sub = engine.onDidChangeTasks(() => {
      if (settled(engine.getTask(id))) finish();
    });
    const cancel = token.onCancellationRequested(finish);
    const timer = setTimeout(finish, ms);
    if (settled(engine.getTask(id)) || token.isCancellationRequested) finish();
  });
}
