// The vscode-free parts of the panel base (panelBase.ts), kept pure so they are unit-tested in plain
// Node: the ready handshake with "post when changed" (PostGate), and the list of disposables a panel
// releases when it closes (DisposableStore).

/** Anything with a `dispose()`, such as a `vscode.Disposable`. */
export interface DisposableLike {
  dispose(): unknown;
}

/**
 * What a panel posts to its webview. Nothing is posted before the page says it is `ready` (a page
 * that has not loaded its script yet would lose the message): until then only the latest message is
 * kept, and `open()` posts it. `postWhenChanged` skips a message identical to the last one posted,
 * so task-store churn does not re-post an unchanged view.
 */
export class PostGate<M> {
  private isReady = false;
  private queued: { message: M } | undefined;
  /** Key of the last message posted to the current page; a fresh page has seen nothing. */
  private lastKey: string | undefined;

  constructor(
    private readonly deliver: (message: M) => void,
    private readonly keyOf: (message: M) => string = (m) => JSON.stringify(m),
  ) {}

  /** The page posted `ready` and has not been discarded since. */
  get ready(): boolean {
    return this.isReady;
  }

  /** Posts `message` now when the page is ready; before that keeps it (only the latest) for `open()`. */
  post(message: M): void {
    if (!this.isReady) {
      this.queued = { message };
      return;
    }
    this.lastKey = this.keyOf(message);
    this.deliver(message);
  }

  /** Like `post`, but skips a message identical to the last one posted to this page. Says whether it was posted or queued. */
  postWhenChanged(message: M): boolean {
    if (this.isReady && this.keyOf(message) === this.lastKey) return false;
    this.post(message);
    return true;
  }

  /** The page posted `ready`: a fresh page has seen nothing, and gets the queued message if there is one. */
  open(): void {
    this.isReady = true;
    this.lastKey = undefined;
    const queued = this.queued;
    this.queued = undefined;
    if (queued) this.post(queued.message);
  }

  /** The page is gone (hidden without retained context, or closed): nothing is posted until the next `open()`. */
  close(): void {
    this.isReady = false;
    this.lastKey = undefined;
    this.queued = undefined;
  }
}

/** Disposables released together, once; one added after that is disposed at once. */
export class DisposableStore implements DisposableLike {
  private readonly items: DisposableLike[] = [];
  private disposed = false;

  get isDisposed(): boolean {
    return this.disposed;
  }

  add<T extends DisposableLike>(item: T): T {
    if (this.disposed) item.dispose();
    else this.items.push(item);
    return item;
  }

  /** Disposes every item in the order added; one that throws does not stop the others, and the first error is rethrown. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    let first: { error: unknown } | undefined;
    for (const item of this.items.splice(0)) {
      try {
        item.dispose();
      } catch (error) {
        first ??= { error };
      }
    }
    if (first) throw first.error;
  }
}
