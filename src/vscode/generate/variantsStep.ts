// The "Variants" row of the generate flow's options page: one take, 2 to 4 takes of the same
// request, or the same prompt sent to several provider/model pairs. It edits a FanOut that the
// generate command reads once the flow is done.
import * as vscode from 'vscode';

import { GenerateRequest, GenerationMode } from '../../core/model/task';
import type { ProviderDescriptor } from '../../core/provider/descriptor';
import { MAX_VARIANTS, retarget, targetKey, type Target } from '../../core/request/variants';
import type { FlowOption } from './generateFlow';
import type { MultiStepInput } from './multiStepInput';
import type { FanOut } from './variants';

export interface VariantsStepDeps {
  /** The registry's providers, in order. */
  providers: readonly ProviderDescriptor[];
  /** Model ids a provider offers in a mode ([] for a provider without model choice). */
  models(p: ProviderDescriptor, mode: GenerationMode): Promise<string[]>;
  /** Whether a provider can take this request. */
  accepts(req: GenerateRequest): boolean;
}

type Item<T> = vscode.QuickPickItem & { value: T };

const variantsTitle = () => vscode.l10n.t('AI Video: Generate Video: variants');
const SEVERAL = '\u0000several';
const DONE = '\u0000done';

export function newFanOut(): FanOut {
  return { count: 1, targets: [] };
}

export function isGroup(f: FanOut): boolean {
  return f.count > 1 || f.targets.length > 0;
}

function targetLabel(deps: VariantsStepDeps, t: Target): string {
  const label = deps.providers.find((p) => p.id === t.provider)?.label ?? t.provider;
  return `${label}${t.model ? ` ${t.model}` : ''}`;
}

/** Other provider/model pairs that offer this mode and can take this request. */
async function candidates(deps: VariantsStepDeps, req: GenerateRequest, mode: GenerationMode): Promise<Target[]> {
  const own = targetKey({ provider: req.provider, model: req.model });
  const all: Target[] = [];
  for (const provider of deps.providers.filter((p) => p.modes.includes(mode))) {
    const models = await deps.models(provider, mode);
    for (const model of models.length ? models : [undefined]) all.push({ provider: provider.id, model });
  }
  return all.filter((t) => targetKey(t) !== own && deps.accepts(retarget(req, t)));
}

type Step = { step: number; totalSteps: number };

async function pickTargets(
  input: MultiStepInput,
  deps: VariantsStepDeps,
  req: GenerateRequest,
  mode: GenerationMode,
  fanOut: FanOut,
  step: Step,
): Promise<void> {
  const offered = await candidates(deps, req, mode);
  const chosen = new Set(fanOut.targets.map(targetKey));
  for (;;) {
    const items: Item<string>[] = [
      {
        label: `$(check) ${vscode.l10n.t('Done')}`,
        value: DONE,
        description: `${vscode.l10n.t('{0} models', chosen.size + 1)}: ${[{ provider: req.provider, model: req.model }, ...offered.filter((t) => chosen.has(targetKey(t)))].map((t) => targetLabel(deps, t)).join(', ')}`,
      },
      { label: vscode.l10n.t('Also send to'), kind: vscode.QuickPickItemKind.Separator, value: '' },
      ...offered.map((t) => ({
        label: `${chosen.has(targetKey(t)) ? '$(pass-filled)' : '$(circle-large-outline)'} ${targetLabel(deps, t)}`,
        value: targetKey(t),
      })),
    ];
    const picked = await input.showQuickPick({
      title: `${variantsTitle()}: ${vscode.l10n.t('several models')}`,
      ...step,
      items,
      placeholder: vscode.l10n.t('Toggle the models that also get this prompt, then Done'),
    });
    if (picked.value === DONE) break;
    if (chosen.has(picked.value)) chosen.delete(picked.value);
    else chosen.add(picked.value);
  }
  fanOut.targets = offered.filter((t) => chosen.has(targetKey(t)));
  fanOut.count = 1;
}

/** The options-page row; `fanOut` holds the choice. */
export function variantsOption(fanOut: FanOut, deps: VariantsStepDeps): FlowOption {
  return {
    label: vscode.l10n.t('Variants'),
    describe: () =>
      fanOut.targets.length
        ? vscode.l10n.t('{0} models', fanOut.targets.length + 1)
        : fanOut.count > 1
          ? vscode.l10n.t('{0} takes', fanOut.count)
          : '1',
    async edit(input, req, mode, step) {
      const items: Item<number | string>[] = [
        ...Array.from({ length: MAX_VARIANTS }, (_, i) => ({
          label: vscode.l10n.t('Variants: {0}', i + 1),
          value: i + 1,
          description:
            i === 0 ? vscode.l10n.t('one task') : vscode.l10n.t('{0} tasks, each with its own seed where the provider takes one', i + 1),
        })),
        { label: '', kind: vscode.QuickPickItemKind.Separator, value: '' },
        {
          label: `$(layers) ${vscode.l10n.t('Several models…')}`,
          value: SEVERAL,
          description: vscode.l10n.t('the same prompt to other provider/model pairs'),
        },
      ];
      const active = fanOut.targets.length ? items[items.length - 1] : items[fanOut.count - 1];
      const picked = await input.showQuickPick({
        title: variantsTitle(),
        ...step,
        items,
        activeItem: active,
        placeholder: vscode.l10n.t('How many takes?'),
      });
      if (picked.value === SEVERAL) await pickTargets(input, deps, req, mode, fanOut, step);
      else {
        fanOut.count = picked.value as number;
        fanOut.targets = [];
      }
    },
  };
}
