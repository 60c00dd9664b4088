// The core engine without VS Code, for the CLI: the same providers, create path (sent once, never
// retried by us; the local queue and per-provider limits), address guard and downloads as the
// extension, with the task history and downloads under the CLI's state folder and the configuration
// from the environment. `render` waits for one generation from create to downloaded file.
import * as fs from 'fs';
import * as path from 'path';
import * as l10n from '@vscode/l10n';

import { TaskEngine } from '../core/engine/engine';
import { ProviderError } from '../core/model/errors';
import type { Logger } from '../core/model/events';
import type { GenerateRequest, Task } from '../core/model/task';
import { redactingLogger } from '../core/net/sanitize';
import type { ModelCatalog } from '../core/provider/catalog';
import type { ProviderDescriptor } from '../core/provider/descriptor';
import { TaskStore } from '../core/store/taskStore';
import type { CliConfig } from './env';

export interface HeadlessOptions {
  providers: Readonly<Record<string, ProviderDescriptor>>;
  config: CliConfig;
  /** The CLI's state folder: tasks.json, videos/. */
  stateDir: string;
  catalog: ModelCatalog;
  /** Scrubbed of keys (fileLogger). */
  log: Logger;
}

/** A finished generation: the task and its first downloaded video. */
export interface Rendered {
  task: Task;
  file: string;
}

/** A log written to `<state>/cli.log`, scrubbed of every key first: stderr is kept for one line per shot. */
export function fileLogger(file: string, secrets: () => readonly string[]): Logger {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const write = (level: string) => (m: string) => {
    try {
      fs.appendFileSync(file, `${new Date().toISOString()} [${level}] ${m}\n`);
    } catch {
      // A log that cannot be written must not stop a render.
    }
  };
  return redactingLogger({ trace: () => undefined, info: write('info'), warn: write('warn'), error: write('error') }, secrets);
}

export class HeadlessEngine {
  readonly engine: TaskEngine;
  readonly catalog: ModelCatalog;
  readonly log: Logger;
  private readonly providerList: ProviderDescriptor[];

  constructor(opts: HeadlessOptions) {
    this.providerList = Object.values(opts.providers);
    this.log = opts.log;
    this.catalog = opts.catalog;
    const settings = opts.config.engineSettings(this.providerList);
    this.engine = new TaskEngine({
      providers: opts.providers,
      store: new TaskStore(path.join(opts.stateDir, 'tasks.json')),
      mediaDir: path.join(opts.stateDir, 'videos'),
      settings: () => settings,
      log: this.log,
      catalog: this.catalog,
      // One process: nothing else writes the history while it runs, except another CLI run, which the lease handles.
      watchStore: false,
      typicalRunSeconds: (id, model) => {
        const provider = opts.providers[id];
        if (!provider) return undefined;
        try {
          return this.catalog.model(id, opts.config.baseUrl(provider), model)?.capabilities.typicalRunSeconds;
        } catch {
          return undefined;
        }
      },
      context: async (id) => {
        const provider = opts.providers[id];
        if (!provider) throw new ProviderError({ kind: 'config', message: l10n.t('No provider "{0}" in this version.', id) });
        return opts.config.context(provider, this.log);
      },
    });
  }

  init(): Promise<void> {
    return this.engine.init();
  }

  /**
   * Sends the create once and waits until its video is downloaded. Rejects with the reason when the
   * create is refused, the job fails or the download fails. `signal` withdraws a create still waiting
   * in the local queue; a create that was sent is waited for (the job runs and is billed anyway).
   */
  async render(req: GenerateRequest, signal?: AbortSignal, onUpdate?: (task: Task) => void): Promise<Rendered> {
    if (signal?.aborted) throw abortError();
    const first = await this.engine.generate(req);
    return new Promise<Rendered>((resolve, reject) => {
      let done = false;
      const finish = (f: () => void) => {
        if (done) return;
        done = true;
        sub.dispose();
        signal?.removeEventListener('abort', onAbort);
        f();
      };
      const check = (): void => {
        const t = this.engine.getTask(first.id);
        if (!t) return finish(() => reject(new Error(l10n.t('The task was removed before it finished.'))));
        onUpdate?.(t);
        const outcome = outcomeOf(t);
        if (outcome instanceof Error) finish(() => reject(outcome));
        else if (outcome) finish(() => resolve({ task: structuredClone(t), file: outcome }));
      };
      const onAbort = (): void => {
        const t = this.engine.getTask(first.id);
        if (t?.status !== 'waiting') return;
        void this.engine.cancelWaiting(t.id).then((withdrawn) => withdrawn && finish(() => reject(abortError())));
      };
      const sub = this.engine.onDidChangeTasks((changed) => {
        if (changed.some((t) => t.id === first.id)) check();
      });
      signal?.addEventListener('abort', onAbort);
      check();
      if (signal?.aborted) onAbort();
    });
  }

  /** Waits for the history's writes, then stops every timer and request. */
  async dispose(): Promise<void> {
    await this.engine.flush().catch(() => undefined);
    this.engine.dispose();
  }
}

/** The downloaded file when the task is done, an Error when it failed, undefined while it goes on. */
function outcomeOf(t: Task): string | Error | undefined {
  if (t.status === 'failed') return new Error(t.error ?? l10n.t('The generation failed.'));
  if (t.status !== 'succeeded') return undefined;
  const video = t.videos[0];
  if (!video) return new Error(l10n.t('The provider reported success but returned no video.'));
  if (video.localPath) return video.localPath;
  if (video.downloadError) return new Error(l10n.t('The video could not be downloaded: {0}', video.downloadError));
  return undefined;
}

function abortError(): Error {
  const e = new Error(l10n.t('Cancelled before it was sent.'));
  e.name = 'AbortError';
  return e;
}
