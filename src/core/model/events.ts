// A minimal event emitter with the shape of vscode.Event, so the core stays free of `vscode`.

export interface Disposable {
  dispose(): void;
}

export type Listener<T> = (e: T) => void;
export type Event<T> = (listener: Listener<T>) => Disposable;

export class Emitter<T> implements Disposable {
  private listeners = new Set<Listener<T>>();

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(e: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch {
        // A failing listener must not break the engine or other listeners.
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}

export interface Logger {
  trace(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export const silentLogger: Logger = { trace() {}, info() {}, warn() {}, error() {} };
