// The generate flow's step counter, computed from the steps that will actually be shown (a step
// with a single choice, or nothing to choose, is skipped). No `vscode` import: tested in plain Node.

export type FlowStep = 'provider' | 'mode' | 'model' | 'media' | 'prompt' | 'options';

export interface FlowShape {
  /** Providers offered at the first step; with one (or a preset provider) the step is skipped. */
  providerChoices: number;
  modeChoices: number;
  /** The provider has models to choose from. */
  modelStep: boolean;
  /** The mode needs media that was not chosen beforehand (Explorer). */
  mediaStep: boolean;
}

export function flowSteps(shape: FlowShape): FlowStep[] {
  const steps: FlowStep[] = [];
  if (shape.providerChoices > 1) steps.push('provider');
  if (shape.modeChoices > 1) steps.push('mode');
  if (shape.modelStep) steps.push('model');
  if (shape.mediaStep) steps.push('media');
  steps.push('prompt', 'options');
  return steps;
}

/** "(step/totalSteps)" of a step as the flow now looks. */
export function stepCounter(shape: FlowShape, step: FlowStep): { step: number; totalSteps: number } {
  const steps = flowSteps(shape);
  return { step: steps.indexOf(step) + 1, totalSteps: steps.length };
}
