// The "Variants" row of the generate flow's options page: one take, 2 to 4 takes of the same
// request, or the same prompt sent to several provider/model pairs. It edits a FanOut that the
// generate command reads once the flow is done.
import * as vscode from 'vscode';
import type { ProviderDescriptor } from '../core/provider';
import { GenerateRequest, GenerationMode } from '../core/types';
import { MAX_VARIANTS, retarget, targetKey, type Target } from '../core/variants';
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

const TITLE = 'AI Video: Generate Video: variants';
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

async function pickTargets(input: MultiStepInput, deps: VariantsStepDeps, req: GenerateRequest, mode: GenerationMode, fanOut: FanOut, step: Step): Promise<void> {
  const offered = await candidates(deps, req, mode);
  const chosen = new Set(fanOut.targets.map(targetKey));
  for (;;) {
    const items: Item<string>[] = [
      { label: '$(check) Done', value: DONE, description: `${chosen.size + 1} models: ${[{ provider: req.provider, model: req.model }, ...offered.filter((t) => chosen.has(targetKey(t)))].map((t) => targetLabel(deps, t)).join(', ')}` },
      { label: 'Also send to', kind: vscode.QuickPickItemKind.Separator, value: '' },
      ...offered.map((t) => ({ label: `${chosen.has(targetKey(t)) ? '$(pass-filled)' : '$(circle-large-outline)'} ${targetLabel(deps, t)}`, value: targetKey(t) })),
    ];
    const picked = await input.showQuickPick({ title: `${TITLE}: several models`, ...step, items, placeholder: 'Toggle the models that also get this prompt, then Done' });
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
    label: 'Variants',
    describe: () => (fanOut.targets.length ? `${fanOut.targets.length + 1} models` : fanOut.count > 1 ? `${fanOut.count} takes` : '1'),
    async edit(input, req, mode, step) {
      const items: Item<number | string>[] = [
        ...Array.from({ length: MAX_VARIANTS }, (_, i) => ({ label: `Variants: ${i + 1}`, value: i + 1, description: i === 0 ? 'one task' : `${i + 1} tasks, each with its own seed where the provider takes one` })),
        { label: '', kind: vscode.QuickPickItemKind.Separator, value: '' },
        { label: '$(layers) Several models…', value: SEVERAL, description: 'the same prompt to other provider/model pairs' },
      ];
      const active = fanOut.targets.length ? items[items.length - 1] : items[fanOut.count - 1];
      const picked = await input.showQuickPick({ title: TITLE, ...step, items, activeItem: active, placeholder: 'How many takes?' });
      if (picked.value === SEVERAL) await pickTargets(input, deps, req, mode, fanOut, step);
      else {
        fanOut.count = picked.value as number;
        fanOut.targets = [];
      }
    },
  };
}
