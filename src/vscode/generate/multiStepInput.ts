// A small multi-step input helper in the style of the official multi-step-input sample: step
// counter, back button, validation, and cancellation that unwinds cleanly.
import * as vscode from 'vscode';

export class InputFlowAction {
  static readonly back = new InputFlowAction();
  static readonly cancel = new InputFlowAction();
}

export type InputStep = (input: MultiStepInput) => Thenable<InputStep | void>;

interface Common {
  title: string;
  step: number;
  totalSteps: number;
}

export interface PickParams<T extends vscode.QuickPickItem> extends Common {
  items: T[];
  activeItem?: T;
  placeholder: string;
  matchOnDescription?: boolean;
}

export interface InputParams extends Common {
  value: string;
  prompt: string;
  placeholder?: string;
  password?: boolean;
  validate?: (value: string) => string | undefined;
}

export class MultiStepInput {
  private current?: vscode.QuickInput;
  private steps: InputStep[] = [];

  static async run(start: InputStep): Promise<boolean> {
    const input = new MultiStepInput();
    return input.stepThrough(start);
  }

  /** Resolves true when the flow completed, false when cancelled. */
  private async stepThrough(start: InputStep): Promise<boolean> {
    let step: InputStep | void = start;
    try {
      while (step) {
        this.steps.push(step);
        if (this.current) {
          this.current.enabled = false;
          this.current.busy = true;
        }
        try {
          step = await step(this);
        } catch (err) {
          if (err === InputFlowAction.back) {
            this.steps.pop();
            step = this.steps.pop();
          } else if (err === InputFlowAction.cancel) {
            return false;
          } else {
            throw err;
          }
        }
      }
      return true;
    } finally {
      this.current?.dispose();
    }
  }

  showQuickPick<T extends vscode.QuickPickItem>(p: PickParams<T>): Promise<T> {
    const disposables: vscode.Disposable[] = [];
    return new Promise<T>((resolve, reject) => {
      const input = vscode.window.createQuickPick<T>();
      this.prepare(input, p, reject, disposables);
      input.placeholder = p.placeholder;
      input.items = p.items;
      input.matchOnDescription = p.matchOnDescription ?? true;
      if (p.activeItem) input.activeItems = [p.activeItem];
      disposables.push(
        input.onDidAccept(() => {
          const sel = input.selectedItems[0] ?? input.activeItems[0];
          if (sel) resolve(sel);
        }),
      );
      this.replace(input);
    }).finally(() => disposables.forEach((d) => d.dispose()));
  }

  showInputBox(p: InputParams): Promise<string> {
    const disposables: vscode.Disposable[] = [];
    return new Promise<string>((resolve, reject) => {
      const input = vscode.window.createInputBox();
      this.prepare(input, p, reject, disposables);
      input.value = p.value;
      input.prompt = p.prompt;
      input.placeholder = p.placeholder;
      input.password = p.password ?? false;
      const check = (v: string) => {
        input.validationMessage = p.validate?.(v);
        return !input.validationMessage;
      };
      disposables.push(
        input.onDidChangeValue((v) => check(v)),
        input.onDidAccept(() => {
          if (check(input.value)) resolve(input.value);
        }),
      );
      this.replace(input);
    }).finally(() => disposables.forEach((d) => d.dispose()));
  }

  /** What every step shares: title and step counter, the Back button, and hiding as cancel. */
  private prepare(
    input: vscode.QuickPick<vscode.QuickPickItem> | vscode.InputBox,
    p: Common,
    reject: (reason: InputFlowAction) => void,
    disposables: vscode.Disposable[],
  ): void {
    input.title = p.title;
    input.step = p.step;
    input.totalSteps = p.totalSteps;
    input.ignoreFocusOut = true;
    input.buttons = this.steps.length > 1 ? [vscode.QuickInputButtons.Back] : [];
    disposables.push(
      input.onDidTriggerButton((b) => {
        if (b === vscode.QuickInputButtons.Back) reject(InputFlowAction.back);
      }),
      input.onDidHide(() => reject(InputFlowAction.cancel)),
    );
  }

  private replace(input: vscode.QuickInput): void {
    const old = this.current;
    this.current = input;
    input.show();
    old?.dispose();
  }
}
