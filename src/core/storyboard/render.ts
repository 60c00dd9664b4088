// Rendering a storyboard: parse, plan, quote exactly what will be rendered, check the budget, ask
// once (an interactive caller), then render shots as their upstream shots finish, several at a time,
// copy each take to its output, join the film in file order and keep the lockfile. Cancelling stops
// shots not yet sent; sent ones finish and are kept. A failed shot skips the shots after it and the
// film; the others are kept. Nothing up to date is sent, and an unchanged storyboard rewrites nothing.
import * as l10n from '@vscode/l10n';

import { errorMessage } from '../model/errors';
import type { GenerateRequest } from '../model/task';
import { resolvedRequest, shotHash } from './hash';
import { emptyLock, formatLock } from './lockfile';
import { parseStoryboard, upstreamOf } from './parse';
import { planStoryboard, type ProviderOf } from './plan';
import type {
  Lockfile,
  ParsedStoryboard,
  PlannedShot,
  Quote,
  RenderHost,
  RenderOptions,
  RenderResult,
  Shot,
  ShotResult,
  StoryboardInput,
  StoryboardPlan,
} from './types';

/** A storyboard that cannot be rendered as it is (its problems, no shots, a refusal). */
export class StoryboardError extends Error {
  constructor(
    message: string,
    /** `budget` when the budget refused the run. */
    readonly reason?: 'problems' | 'empty' | 'budget',
  ) {
    super(message);
    this.name = 'StoryboardError';
  }
}

const DEFAULT_CONCURRENCY = 4;

/** The storyboard's shots, or a StoryboardError naming its first error. */
export function readStoryboard(input: StoryboardInput): ParsedStoryboard {
  const board = parseStoryboard(input.text, input.catalog);
  const first = board.problems.find((p) => p.severity === 'error');
  if (first) throw new StoryboardError(l10n.t('Line {0}: {1}', first.span.line + 1, first.message), 'problems');
  if (!board.shots.length) {
    throw new StoryboardError(l10n.t('This file has no shots: a storyboard shot is a ```video block with an "id:" line.'), 'empty');
  }
  return board;
}

function providerLookup(input: StoryboardInput): ProviderOf {
  return (id) => input.catalog.providers.find((p) => p.id === id);
}

/** The plan and its quote, as a dry run shows them; nothing is sent or written. */
export async function planRender(
  input: StoryboardInput,
  host: Pick<RenderHost, 'shotOutput' | 'sha256' | 'readLock' | 'quote'>,
): Promise<{ board: ParsedStoryboard; lock: Lockfile | undefined; plan: StoryboardPlan; quote: Quote }> {
  const board = readStoryboard(input);
  const lock = await host.readLock();
  const plan = await planStoryboard(board.shots, lock, host, providerLookup(input));
  const providers = providerLookup(input);
  const quote = await host.quote(
    plan.shots.filter((p) => !p.upToDate).map((p) => resolvedRequest(p.shot, providers(p.shot.request.provider))),
  );
  return { board, lock, plan, quote };
}

export async function renderStoryboard(input: StoryboardInput, host: RenderHost, options: RenderOptions = {}): Promise<RenderResult> {
  const { board, lock, plan, quote } = await planRender(input, host);
  const inFileOrder = <T extends { id: string }>(list: T[]) =>
    board.shots.map((s) => list.find((x) => x.id === s.id)).filter((x): x is T => !!x);
  const filmRel = host.filmOutput();
  const filmUpToDate = async (l: Lockfile | undefined) =>
    !!l?.film && l.film.output === filmRel && (await host.sha256(filmRel)) === l.film.sha256;

  if (options.dryRun) {
    const shots = inFileOrder(plan.shots.map((p): ShotResult => ({ id: p.shot.id, state: p.upToDate ? 'cached' : 'planned' })));
    const everyCached = plan.shots.every((p) => p.upToDate);
    return { quote, shots, ...(everyCached && (await filmUpToDate(lock)) ? { output: host.absolute(filmRel) } : {}) };
  }

  const toRender = plan.shots.filter((p) => !p.upToDate);
  if (toRender.length) {
    const refusal = await host.checkBudget?.(quote);
    if (refusal) throw new StoryboardError(refusal, 'budget');
    if (options.confirm && !(await options.confirm(plan, quote))) {
      return {
        quote,
        shots: inFileOrder(plan.shots.map((p): ShotResult => ({ id: p.shot.id, state: p.upToDate ? 'cached' : 'skipped' }))),
      };
    }
  }

  const run = new Run(input, host, options, board, lock, plan);
  const results = await run.shots();
  const shots = inFileOrder(results);
  let output: string | undefined;
  if (shots.every((s) => s.state === 'rendered' || s.state === 'cached')) {
    const anyRendered = shots.some((s) => s.state === 'rendered');
    if (!anyRendered && (await filmUpToDate(run.lock))) {
      host.progress?.({ kind: 'film', state: 'cached' });
    } else {
      host.progress?.({ kind: 'film', state: 'stitching' });
      await host.stitch(
        board.shots.map((s) => host.shotOutput(s.id)),
        filmRel,
      );
      const sha256 = await host.sha256(filmRel);
      if (!sha256) throw new Error(l10n.t('The film {0} was not written.', filmRel));
      run.lock.film = { output: filmRel, sha256 };
      host.progress?.({ kind: 'film', state: 'written' });
    }
    output = host.absolute(filmRel);
  }
  await run.saveLock();
  return { quote, shots, ...(output ? { output } : {}) };
}

/** One render's shots: started as their upstream shots finish, at most `concurrency` at a time. */
class Run {
  readonly lock: Lockfile;
  private written: string;
  private readonly providers: ProviderOf;
  private readonly done = new Map<string, Promise<ShotResult>>();
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    input: StoryboardInput,
    private readonly host: RenderHost,
    private readonly options: RenderOptions,
    private readonly board: ParsedStoryboard,
    lock: Lockfile | undefined,
    private readonly plan: StoryboardPlan,
  ) {
    // The lockfile keeps the storyboard's shots only: a shot removed from the file leaves it.
    this.lock = structuredClone(lock ?? emptyLock());
    const ids = new Set(board.shots.map((s) => s.id));
    for (const id of Object.keys(this.lock.shots)) if (!ids.has(id)) delete this.lock.shots[id];
    this.written = lock ? formatLock(lock) : '';
    this.providers = providerLookup(input);
  }

  async shots(): Promise<ShotResult[]> {
    for (const p of this.plan.shots) this.done.set(p.shot.id, this.shot(p));
    return Promise.all(this.plan.shots.map((p) => this.done.get(p.shot.id)!));
  }

  /** Writes the lockfile when its text changed. */
  async saveLock(): Promise<void> {
    const text = formatLock(this.lock);
    if (text === this.written) return;
    await this.host.writeLock(text);
    this.written = text;
  }

  private async shot(p: PlannedShot): Promise<ShotResult> {
    const { shot } = p;
    const up = upstreamOf(shot, this.board.shots);
    if (up) {
      const upResult = await this.done.get(up.id)!;
      if (upResult.state !== 'rendered' && upResult.state !== 'cached') return this.report(shot, { id: shot.id, state: 'skipped' });
    }
    if (p.upToDate) return this.report(shot, { id: shot.id, state: 'cached' });
    this.host.progress?.({ kind: 'shot', id: shot.id, state: 'queued' });
    await this.slot();
    try {
      return await this.render(shot, up);
    } catch (e) {
      return this.report(shot, { id: shot.id, state: 'failed', error: errorMessage(e) });
    } finally {
      this.release();
    }
  }

  private async render(shot: Shot, up: Shot | undefined): Promise<ShotResult> {
    const request: GenerateRequest = structuredClone(shot.request);
    let frameSha: string | undefined;
    if (up) {
      const frame = await this.host.lastFrame(this.host.shotOutput(up.id));
      frameSha = frame.sha256;
      request.image = frame.path;
      const upEntry = this.lock.shots[up.id];
      if (upEntry && upEntry.lastFrameSha256 !== frameSha) upEntry.lastFrameSha256 = frameSha;
    }
    const hash = shotHash(shot, this.providers(shot.request.provider), frameSha);
    const out = this.host.shotOutput(shot.id);
    // Known only now that the upstream frame is: the shot may be up to date after all.
    const entry = this.lock.shots[shot.id];
    if (entry && entry.hash === hash && entry.output === out && (await this.host.sha256(out)) === entry.sha256) {
      await this.saveLock();
      return this.report(shot, { id: shot.id, state: 'cached' });
    }
    if (this.options.signal?.aborted) return this.report(shot, { id: shot.id, state: 'skipped' });
    this.host.progress?.({ kind: 'shot', id: shot.id, state: 'sending' });
    const take = await this.host.generate(shot, request);
    await this.host.copy(take.file, out);
    const sha256 = await this.host.sha256(out);
    if (!sha256) throw new Error(l10n.t('The copy {0} was not written.', out));
    this.lock.shots[shot.id] = {
      hash,
      provider: shot.request.provider,
      model: take.model,
      output: out,
      sha256,
      ...(take.seed !== undefined ? { seed: take.seed } : {}),
      ...(take.jobId !== undefined ? { jobId: take.jobId } : {}),
      ...(take.cost ? { cost: take.cost } : {}),
    };
    await this.saveLock();
    return this.report(shot, { id: shot.id, state: 'rendered', ...(take.taskId ? { taskId: take.taskId } : {}) });
  }

  private report(shot: Shot, result: ShotResult): ShotResult {
    if (result.state !== 'planned') {
      this.host.progress?.({ kind: 'shot', id: shot.id, state: result.state, ...(result.error ? { error: result.error } : {}) });
    }
    return result;
  }

  private slot(): Promise<void> {
    const limit = Math.max(1, this.options.concurrency ?? DEFAULT_CONCURRENCY);
    if (this.running < limit) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}
