// The storyboard render host of the CLI (core/storyboard/types.ts `RenderHost`): files under the root
// with the same names and lockfile as the extension writes, generations through the headless engine,
// frames and the film through ffmpeg (core/media), quotes from the model catalogue, the run's
// `--budget`, and each charge appended to the CLI's own spend ledger.
import { createHash, randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as l10n from '@vscode/l10n';

import type { Media } from '../core/media';
import type { GenerateRequest, Task } from '../core/model/task';
import { SpendLedger, type Spender } from '../core/money/ledger';
import { quoteRequest, sumQuotes, type PriceQuote, type QuoteSources } from '../core/money/quote';
import type { ProviderDescriptor } from '../core/provider/descriptor';
import { usd } from '../core/provider/pricing';
import { writeFileAtomic } from '../core/store/atomicFile';
import {
  LOCKFILE_SUFFIX,
  parseLock,
  resolvedRequest,
  type Lockfile,
  type Quote,
  type RenderHost,
  type RenderProgress,
  type Shot,
  type Take,
} from '../core/storyboard';
import type { CliConfig } from './env';
import type { HeadlessEngine } from './headless';

const WHO: Spender = 'cli';

export interface CliHostOptions {
  /** The storyboard, absolute. */
  file: string;
  root: string;
  /** The output folder, absolute. */
  out: string;
  stateDir: string;
  config: CliConfig;
  media: Media;
  /** Created on the first generation only: a dry run starts no engine. */
  engine(): Promise<HeadlessEngine>;
  provider(id: string): ProviderDescriptor | undefined;
  /** Model catalogue lookups for quotes (memory only). */
  quoteSources(req: GenerateRequest): QuoteSources;
  budget?: number;
  signal?: AbortSignal;
  progress?(event: RenderProgress): void;
}

/** The storyboard's name: its file name without `.md` (`film.md` -> `film`). */
export function storyboardName(file: string): string {
  return path.basename(file).replace(/\.(md|markdown)$/i, '');
}

/** The lockfile beside the Markdown file: `<name>.storyboard.lock.json`. */
export function lockfilePath(file: string): string {
  return path.join(path.dirname(file), `${storyboardName(file)}${LOCKFILE_SUFFIX}`);
}

export async function sha256File(file: string): Promise<string | undefined> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'EISDIR') return undefined;
    throw e;
  }
  return hash.digest('hex');
}

export class CliHost implements RenderHost {
  private readonly name: string;
  private readonly ledger: SpendLedger;
  /** The known part of the last quote: a price that is unknown counts 0 toward `--budget`. */
  private lastQuotes: PriceQuote[] = [];

  constructor(private readonly opts: CliHostOptions) {
    this.name = storyboardName(opts.file);
    this.ledger = new SpendLedger(path.join(opts.stateDir, 'ledger.jsonl'));
  }

  /** Root-relative with `/`. */
  private rel(abs: string): string {
    return path.relative(this.opts.root, abs).split(path.sep).join('/');
  }

  shotOutput(shotId: string): string {
    return this.rel(path.join(this.opts.out, this.name, `${shotId}.mp4`));
  }

  filmOutput(): string {
    return this.rel(path.join(this.opts.out, `${this.name}.mp4`));
  }

  absolute(rel: string): string {
    return path.resolve(this.opts.root, rel);
  }

  sha256(rel: string): Promise<string | undefined> {
    return sha256File(this.absolute(rel));
  }

  async readLock(): Promise<Lockfile | undefined> {
    let text: string;
    try {
      text = await fs.promises.readFile(lockfilePath(this.opts.file), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    const lock = parseLock(text);
    if ('error' in lock) {
      throw new Error(l10n.t('The lockfile {0} cannot be read: {1}', path.basename(lockfilePath(this.opts.file)), lock.error));
    }
    return lock;
  }

  async writeLock(text: string): Promise<void> {
    await writeFileAtomic(lockfilePath(this.opts.file), text);
  }

  async generate(shot: Shot, request: GenerateRequest): Promise<Take> {
    const engine = await this.opts.engine();
    const resolved = resolvedRequest(shot, this.opts.provider(shot.request.provider));
    const quote = quoteRequest(resolved, this.opts.quoteSources(resolved));
    let task: Task | undefined;
    try {
      const rendered = await engine.render(request, this.opts.signal, (t) => {
        task = t;
        if (t.status === 'queued' || t.status === 'running') this.opts.progress?.({ kind: 'shot', id: shot.id, state: 'rendering' });
      });
      task = rendered.task;
      const cost = costOf(rendered.task, quote);
      await this.charge(rendered.task, cost);
      const video = rendered.task.videos[0];
      const seed = video?.seed ?? rendered.task.request.seed;
      return {
        file: rendered.file,
        taskId: rendered.task.id,
        jobId: rendered.task.remoteId || undefined,
        model: rendered.task.model || request.model || '',
        ...(seed !== undefined ? { seed } : {}),
        ...(cost ? { cost: { amount: cost.amount, currency: 'USD' } } : {}),
      };
    } catch (e) {
      // A failed job costs nothing unless the provider reported a charge.
      if (task?.cost && task.cost.source === 'provider') await this.charge(task, task.cost).catch(() => undefined);
      throw e;
    }
  }

  async copy(file: string, rel: string): Promise<void> {
    const dest = this.absolute(rel);
    await fs.promises.mkdir(path.dirname(dest), { recursive: true });
    await fs.promises.copyFile(file, dest);
  }

  async lastFrame(rel: string): Promise<{ path: string; sha256: string }> {
    const dir = path.join(this.opts.stateDir, 'frames');
    await fs.promises.mkdir(dir, { recursive: true });
    // Not cut short by Ctrl-C: the core decides after the frame whether the shot is still sent (or skipped).
    const png = await this.opts.media.extractFrame(this.absolute(rel), 'last', path.join(dir, `${randomUUID()}.png`));
    const sha256 = await sha256File(png);
    if (!sha256) throw new Error(l10n.t('No frame could be read from {0}.', rel));
    return { path: png, sha256 };
  }

  async stitch(clips: string[], rel: string): Promise<void> {
    const out = this.absolute(rel);
    await fs.promises.mkdir(path.dirname(out), { recursive: true });
    await this.opts.media.stitch(
      clips.map((c) => this.absolute(c)),
      out,
    );
  }

  async quote(requests: GenerateRequest[]): Promise<Quote> {
    this.lastQuotes = requests.map((r) => quoteRequest(r, this.opts.quoteSources(r)));
    const sum = sumQuotes(this.lastQuotes);
    return { ...(sum.amount !== undefined ? { amount: sum.amount } : {}), currency: 'USD', estimate: sum.estimate };
  }

  /** The quote's known part (unknown prices count 0), and how many prices are unknown. */
  get knownQuote(): { amount: number; unknown: number } {
    return {
      amount: Math.round(this.lastQuotes.reduce((s, q) => s + (q.amount ?? 0), 0) * 1e6) / 1e6,
      unknown: this.lastQuotes.filter((q) => q.amount === undefined).length,
    };
  }

  async checkBudget(): Promise<string | undefined> {
    const budget = this.opts.budget;
    if (budget === undefined) return undefined;
    const { amount, unknown } = this.knownQuote;
    if (amount <= budget + 1e-9) return undefined;
    return unknown
      ? l10n.t(
          'Refused (budget): this run is quoted at {0} (and {1} shot(s) of unknown price), over --budget {2}. Nothing was sent.',
          usd(amount),
          unknown,
          usd(budget),
        )
      : l10n.t('Refused (budget): this run is quoted at {0}, over --budget {1}. Nothing was sent.', usd(amount), usd(budget));
  }

  progress(event: RenderProgress): void {
    this.opts.progress?.(event);
  }

  private async charge(task: Task, cost: { amount: number; source: 'provider' | 'estimate' } | undefined): Promise<void> {
    if (!cost) return;
    await this.ledger.append({
      at: Date.now(),
      provider: task.provider,
      model: task.model,
      taskId: task.id,
      amount: cost.amount,
      source: cost.source,
      who: WHO,
    });
  }
}

/** What a finished task cost: what the provider reported, else the quote made before it was sent (an estimate). */
function costOf(task: Task, quote: PriceQuote): { amount: number; source: 'provider' | 'estimate' } | undefined {
  if (task.cost) return { amount: task.cost.amount, source: task.cost.source };
  return quote.amount !== undefined ? { amount: quote.amount, source: 'estimate' } : undefined;
}
