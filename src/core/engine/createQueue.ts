// The create path. A create is sent once, never retried. It is recorded before it goes out
// (`submitting`), so a window closed in the middle leaves a visible task, and a create that could
// not be recorded is not sent at all (nothing on disk would know of a billed job); its outcome is then
// exactly one of: accepted (`queued`), held in the local queue (`waiting`: a 429, a Retry-After, a
// rate or concurrency limit; it never reached the provider, so sending it later bills nothing
// twice), certainly not started (a refusal, a failure before the body was sent, a cancelled
// upload), or uncertain (the answer was lost after the body was sent: the job may be running, and
// billed, at the provider).
//
// Only the polling window sends queued creates, and it claims each one under the store's lock
// first, so two windows never send the same create: a claim counts only when it is the first
// change of the stored version in journal order (TaskStore.compareAndSet), which also holds when a
// window froze under the lock and another took it over. A waiting task changes only that way too
// (claim, edit, cancel), so no window can overwrite a claim with an older copy.
import { randomUUID } from 'crypto';
import * as l10n from '@vscode/l10n';

import { Clock } from '../model/clock';
import { errorMessage, isProviderError, ProviderError } from '../model/errors';
import { Logger } from '../model/events';
import { GenerateRequest, GenerationMode, ProviderId, Spender, Task, TaskSource } from '../model/task';
import type { CreateMoney } from '../money/moneyKeeper';
import { createdPatch, notSentPatch, patchTask, uncertainPatch } from '../polling/transitions';
import type { ModelCatalog } from '../provider/catalog';
import { ModelOptions, ProviderClient, ProviderContext, ResolvedMedia } from '../provider/descriptor';
import { checkAgainstModel } from '../provider/modelCapabilities';
import type { PriceQuote } from '../provider/pricing';
import { MediaLimits, resolveMedia } from '../request/media';
import { parseGenerateRequest } from '../request/requestValidation';
import { TaskStore } from '../store/taskStore';
import { Admission, CreateGate, Hold } from './createAdmission';
import { LostJobCandidate, lostJobCandidates } from './lostJob';
import { senderGone, senderOf } from './sender';

export interface GenerateOptions {
  /** The prompt block the task is made from. */
  source?: TaskSource;
  /** Bytes of the create's body sent so far, while it is being sent. */
  onUploadProgress?(sent: number, total: number): void;
  /** Cancels the create while its body is still being sent: it then certainly did not start, and no task is kept. */
  cancelUpload?: AbortSignal;
  /** Who starts it (default a script): the ledger records it and the agent budget counts it. */
  who?: Spender;
  /** The person was told the create breaks a budget and chose to send it anyway. */
  overBudget?: boolean;
}

/** Find This Job found several jobs the create may have started, and none was chosen: nothing was adopted. */
export interface LostJobChoice {
  task: Task;
  /** Newest first. */
  candidates: LostJobCandidate[];
}

/** Picks one of several jobs by its id; undefined picks none. */
export type ChooseLostJob = (candidates: LostJobCandidate[]) => Promise<string | undefined>;

export function isLostJobChoice(found: Task | LostJobChoice | undefined): found is LostJobChoice {
  return found !== undefined && 'candidates' in found;
}

/** What of a waiting create can be changed before it is sent (not its media, which decide where it goes). */
const EDITABLE = [
  'prompt',
  'negativePrompt',
  'aspectRatio',
  'seed',
  'duration',
  'resolution',
  'audio',
  'model',
  'pikaffect',
  'style',
  'options',
] as const;
export type WaitingEdit = Partial<Pick<GenerateRequest, (typeof EDITABLE)[number]>>;

export interface CreateHost {
  readonly clock: Clock;
  readonly log: Logger;
  readonly store: TaskStore;
  /** This window's id (the lease owner). */
  readonly owner: string;
  /** How long after a failed claim to try again, ms. */
  readonly claimRetryMs: number;
  settings(): { media: MediaLimits; maxConcurrent?: Partial<Record<ProviderId, number>> };
  /** Models as data: a request the model does not take is refused before it is sent. */
  readonly catalog?: ModelCatalog;
  /** Quotes and budgets: a create that breaks a budget is refused before anything is recorded or sent. */
  readonly money?: CreateMoney;
  provider(id: ProviderId): ProviderClient | undefined;
  providerIds(): string[];
  /** Base URL and key, with the engine's defaults (timeout, cancellation). */
  context(id: ProviderId): Promise<ProviderContext>;
  tasks(): Iterable<Task>;
  get(id: string): Task | undefined;
  add(task: Task): void;
  update(task: Task, patch: Partial<Task>): boolean;
  /** Takes in a version of a task written to the store. */
  adopt(task: Task): void;
  remove(ids: string[]): Promise<void>;
  /** Starts polling an accepted task. */
  track(task: Task): void;
  /** Writes now; never rejects (a failure is logged, and told to the user once). */
  persistNow(): Promise<void>;
  /** Writes now, like persistNow, but rejects when the history could not be written. */
  recordNow(): Promise<void>;
  fire(tasks: Task[]): void;
  schedule(): void;
}

/** A create being sent this long is left over even if its sender still seems to run (a pid reused where start times are unknown). */
const STALE_SUBMIT_MS = 6 * 60 * 60_000;

export class CreateQueue {
  private readonly gate: CreateGate;
  /** Creates this window is sending, by task id. */
  private readonly sending = new Map<string, Promise<unknown>>();
  /** A claim that failed is not tried again before this time (the store may be unwritable). */
  private readonly claimBackoff = new Map<string, number>();
  private dispatching: Promise<void> | undefined;
  private stopped = false;
  /** Budget checks run one after the other; creates admitted but not yet tasks hold their quote here. */
  private admitting: Promise<unknown> = Promise.resolve();
  private readonly reserved = new Set<Task>();

  constructor(private readonly host: CreateHost) {
    this.gate = new CreateGate((p) => host.settings().maxConcurrent?.[p] ?? 0);
  }

  /** The window is closing: creates it was sending keep their `submitting` record, settled by the next load. */
  stop(): void {
    this.stopped = true;
  }

  isSending(id: string): boolean {
    return this.sending.has(id);
  }

  inFlight(): Promise<unknown>[] {
    return [...this.sending.values()];
  }

  /**
   * Validates, resolves media and sends the create, or holds it in the local queue. Resolves once
   * the provider accepted it (`queued`), or at once when it is held (`waiting`); rejects when it
   * certainly did not start (no task is kept) or when its outcome is unknown (an uncertain task is kept).
   */
  async generate(input: GenerateRequest, opts: GenerateOptions = {}): Promise<Task> {
    const { host } = this;
    const { groupId, ...rest } = input;
    const req: GenerateRequest = { ...rest, prompt: (input.prompt ?? '').trim() };
    const provider = host.provider(req.provider);
    if (!provider) {
      throw new ProviderError({
        kind: 'input',
        message: l10n.t('Provider "{0}" is not supported. Use one of: {1}.', String(req.provider), host.providerIds().join(', ')),
      });
    }
    const invalid = provider.validate(req);
    if (invalid) throw new ProviderError({ kind: 'input', message: invalid });
    const ctx = await host.context(req.provider);
    const refused = (await this.catalogRefusal(req, ctx.baseUrl)) ?? (await this.modelRefusal(provider, ctx, req));
    if (refused) throw new ProviderError({ kind: 'input', message: refused });
    const who = opts.who ?? 'script';
    const quote = host.money?.quote(req, ctx.baseUrl);
    const reservation = quote && (await this.admit(quote, who, opts.overBudget === true));
    let media: ResolvedMedia;
    try {
      media = await resolveMedia(req, host.settings().media);
    } catch (e) {
      if (reservation) this.reserved.delete(reservation);
      throw e;
    }
    const now = host.clock.now();
    const task: Task = {
      id: randomUUID(),
      provider: req.provider,
      remoteId: '',
      mode: 'text-to-video',
      status: 'submitting',
      progress: 0,
      prompt: req.prompt,
      model: req.model ?? '',
      createdAt: now,
      updatedAt: now,
      videos: [],
      request: req,
      ...(groupId ? { groupId } : {}),
      ...(opts.source && { source: { ...opts.source } }),
      startedBy: who,
      // The quote made now is the cost until the provider reports one.
      ...(quote?.amount !== undefined && { cost: { amount: quote.amount, currency: 'USD' as const, source: 'estimate' as const } }),
    };
    const hold = this.gate.hold(provider, task, host.tasks(), now);
    if (hold) {
      Object.assign(task, { status: 'waiting' }, holdFields(hold));
      host.add(task);
      if (reservation) this.reserved.delete(reservation);
      await host.persistNow();
      host.log.info(`A ${provider.label} create waits to be sent: ${hold.reason}.`);
      host.fire([task]);
      host.schedule();
      return task;
    }
    task.sender = senderOf(host.owner, now);
    host.add(task);
    if (reservation) this.reserved.delete(reservation);
    return this.track(task.id, this.send(task, provider, ctx, media, opts, true));
  }

  /**
   * The budget check, one create at a time: each counts the quotes of the creates admitted before it
   * that are not yet tasks (their media still being read), so creates started together cannot
   * overspend together. Resolves with this create's reservation (dropped once it is a task), or
   * rejects with OverBudgetError.
   */
  private admit(quote: PriceQuote, who: Spender, allowOver: boolean): Promise<Task> {
    const money = this.host.money!;
    const reservation = {
      id: `reservation-${randomUUID()}`,
      status: 'waiting',
      startedBy: who,
      ...(quote.amount !== undefined && { cost: { amount: quote.amount, currency: 'USD', source: 'estimate' } }),
    } as Task;
    const run = this.admitting.then(async () => {
      if (!allowOver) await money.admit(quote, who, [...this.host.tasks(), ...this.reserved]);
      this.reserved.add(reservation);
      return reservation;
    });
    this.admitting = run.catch(() => undefined);
    return run;
  }

  /** In the polling window: sends the waiting creates that may go now, oldest first. */
  dispatch(): Promise<void> {
    this.dispatching ??= this.doDispatch().finally(() => (this.dispatching = undefined));
    return this.dispatching;
  }

  /** When a waiting create may next go (now when one may; Infinity when none can before something changes). */
  nextSendAt(now: number): number {
    let next = Infinity;
    const admission = this.admission();
    for (const t of admission.waitingTasks) {
      if (this.sending.has(t.id)) continue;
      const provider = this.host.provider(t.provider);
      if (!provider) continue;
      const hold = this.gate.hold(provider, t, admission, now);
      next = Math.min(next, Math.max(hold ? (hold.until ?? Infinity) : now, this.claimBackoff.get(t.id) ?? 0));
    }
    return next;
  }

  /** Removes a waiting create before it is sent; false when it is no longer waiting (being sent, or gone). */
  async cancelWaiting(id: string): Promise<boolean> {
    const t = this.host.get(id);
    if (!t || !(await this.withdraw(id))) return false;
    await this.host.remove([id]);
    this.host.log.info(`A waiting ${this.labelOf(t.provider)} create was cancelled before it was sent.`);
    return true;
  }

  /** Takes a waiting create out of the stored queue under the store's lock, so no window sends it any more. */
  async withdraw(id: string): Promise<boolean> {
    const t = this.host.get(id);
    if (t?.status !== 'waiting') return false;
    return (await this.host.store.compareAndSet(id, (stored) => ((stored ?? t).status === 'waiting' ? 'remove' : undefined))) === 'removed';
  }

  /** Changes the prompt or options of a waiting create; rejects when it is no longer waiting or the result is invalid. */
  async editWaiting(id: string, edit: WaitingEdit): Promise<Task> {
    const { host } = this;
    const t = host.get(id);
    const provider = t && host.provider(t.provider);
    if (!t || !provider || t.status !== 'waiting') throw notWaiting();
    const merged: Record<string, unknown> = { ...t.request };
    for (const k of EDITABLE) if (k in edit) merged[k] = edit[k];
    let req: GenerateRequest;
    try {
      // Checked like a request from a script: the edit may come from one.
      req = parseGenerateRequest(merged, [t.provider]);
    } catch (e) {
      throw new ProviderError({ kind: 'input', message: errorMessage(e) });
    }
    req.prompt = req.prompt.trim();
    const invalid = provider.validate(req) ?? (await this.modelRefusal(provider, await host.context(t.provider), req));
    if (invalid) throw new ProviderError({ kind: 'input', message: invalid });
    const written = await this.changeWaiting(t, { request: req, prompt: req.prompt, model: req.model ?? '' });
    if (!written) throw notWaiting();
    return host.get(id) ?? written;
  }

  /** An uncertain task the user checked at the provider: it did not start. */
  markFailed(id: string): Task | undefined {
    const t = this.host.get(id);
    if (!t?.uncertain) return undefined;
    this.host.update(t, {
      uncertain: undefined,
      error: l10n.t('Marked as failed after checking {0}: the create did not start there.', this.labelOf(t.provider)),
    });
    void this.host.persistNow();
    this.host.fire([t]);
    return t;
  }

  canFindLostJob(provider: ProviderId): boolean {
    return typeof this.host.provider(provider)?.listLostJobs === 'function';
  }

  /**
   * Asks the provider (where it can list recent jobs) for the job an uncertain create may have
   * started: one made while the create was out that no task follows yet. One such job is adopted
   * and followed; none, and the task says it did not start; several, and `choose` picks one (the
   * user, or a script naming it). Not chosen, nothing is adopted and the candidates are returned.
   */
  async findLostJob(id: string, choose?: ChooseLostJob): Promise<Task | LostJobChoice | undefined> {
    const { host } = this;
    const t = host.get(id);
    const provider = t && host.provider(t.provider);
    if (!t?.uncertain || !provider) return undefined;
    if (!provider.listLostJobs) {
      throw new ProviderError({ kind: 'input', message: l10n.t('{0} cannot list recent jobs; check your account there.', provider.label) });
    }
    const ctx = await host.context(t.provider);
    const askedAt = { from: host.clock.now(), to: 0 };
    const listed = await provider.listLostJobs(ctx, t);
    askedAt.to = host.clock.now();
    const fits = () => lostJobCandidates(host.get(id) ?? t, listed, askedAt, host.tasks());
    const first = fits();
    const choosing = first.length > 1 ? choose : undefined;
    const chosen = choosing && (await choosing(first.map((c) => c.shown)));
    const cur = host.get(id);
    if (!cur?.uncertain) return cur;
    // Read again after the wait: another task may have adopted one of the jobs meanwhile.
    const fit = fits();
    const job = choosing ? fit.find((c) => c.job.remoteId === chosen) : fit.length === 1 ? fit[0] : undefined;
    // Several fit and none was chosen (or the one chosen no longer fits): nothing is adopted.
    if (!job && (choosing || fit.length > 1)) return { task: cur, candidates: fit.map((c) => c.shown) };
    if (job) {
      host.update(cur, createdPatch(job.job, ctx.baseUrl));
      host.track(cur);
      host.log.info(`Found the lost ${provider.label} job ${job.job.remoteId}; following it.`);
    } else {
      host.update(cur, { uncertain: undefined, error: l10n.t('{0} lists no job for this create: it did not start.', provider.label) });
    }
    await host.persistNow();
    host.fire([cur]);
    host.schedule();
    return cur;
  }

  /**
   * Submitting records that no window is sending any more (the window closed, or crashed, before the
   * answer came) become uncertain. Resolves with the tasks that changed.
   */
  settleLeftovers(): Task[] {
    const { host } = this;
    const now = host.clock.now();
    const changed: Task[] = [];
    for (const t of host.tasks()) {
      if (t.status !== 'submitting' || this.sending.has(t.id)) continue;
      const s = t.sender;
      if (s && s.owner !== host.owner && !senderGone(s) && now - (s.since ?? t.updatedAt) < STALE_SUBMIT_MS) continue;
      const cause = l10n.t('The window that was sending this create closed before the answer came.');
      host.update(t, uncertainPatch(cause, undefined, this.labelOf(t.provider), now));
      changed.push(t);
    }
    if (changed.length) {
      host.log.warn(`${changed.length} create(s) were left being sent by a closed window; their outcome is unknown.`);
      void host.persistNow();
      host.fire(changed);
    }
    return changed;
  }

  /**
   * What the catalogue refuses in this request, read before anything is sent: a model retired for
   * certain at this base URL, or a length, resolution, frame… the model does not take. A retirement
   * that is not certain here (another server may serve something else under the name) is only logged.
   */
  private async catalogRefusal(req: GenerateRequest, baseUrl: string): Promise<string | undefined> {
    const { catalog } = this.host;
    if (!catalog || !req.model) return undefined;
    await catalog.models(req.provider, baseUrl);
    const life = catalog.lifecycleOf(req.provider, baseUrl, req.model);
    if (life?.state === 'retired') {
      if (life.certain) {
        const retired = l10n.t('{0} was retired on {1}. {2}', req.model, life.date ?? '?', life.hint ?? '');
        return withAvailable(retired, catalog.availableIds(req.provider, baseUrl, modeOf(req)));
      }
      this.host.log.warn(`Model ${req.model} at ${this.labelOf(req.provider)}: ${life.hint ?? 'retired'}; sent anyway.`);
    }
    const model = catalog.model(req.provider, baseUrl, req.model);
    return model && checkAgainstModel(model, req);
  }

  /**
   * What the model's own inputs refuse in this request (a provider that publishes them per model, as
   * Replicate's schemas): read before anything is sent, the schema fetched and cached when needed. A
   * model the provider does not know is marked in the catalogue and refused.
   */
  private async modelRefusal(provider: ProviderClient, ctx: ProviderContext, req: GenerateRequest): Promise<string | undefined> {
    if (!provider.modelOptions || !req.model) return undefined;
    let options: ModelOptions | undefined;
    try {
      options = await provider.modelOptions.load(ctx, req.model);
    } catch (e) {
      if (isProviderError(e) && e.modelNotFound && this.host.catalog) {
        await this.host.catalog.markUnavailable(req.provider, ctx.baseUrl, req.model).catch(() => undefined);
        return withAvailable(errorMessage(e), this.host.catalog.availableIds(req.provider, ctx.baseUrl, modeOf(req)));
      }
      if (isProviderError(e)) {
        // Its kind kept (a rejected key asks for a key); nothing was sent, so nothing may have started.
        throw new ProviderError({
          kind: e.kind,
          status: e.status,
          retryAfterMs: e.retryAfterMs,
          message: l10n.t('The inputs of {0} could not be read at {1}, so nothing was sent: {2}', req.model, provider.label, e.message),
        });
      }
      throw e;
    }
    return options?.check(req);
  }

  /**
   * A create answered "model not found": the model is marked unavailable at this base URL, and the
   * error says so and names the models that are.
   */
  private async modelNotFound(task: Task, provider: ProviderClient, baseUrl: string, err: ProviderError): Promise<ProviderError> {
    const { catalog } = this.host;
    const model = task.request.model;
    if (!catalog || !model || !isModelNotFound(err)) return err;
    await catalog
      .markUnavailable(task.provider, baseUrl, model)
      .catch((e: unknown) => this.host.log.warn(`Could not mark model ${model}: ${errorMessage(e)}`));
    const message = l10n.t('{0} answered that the model "{1}" does not exist: it is retired or unknown there.', provider.label, model);
    return new ProviderError({
      kind: err.kind,
      status: err.status,
      providerCode: err.providerCode,
      message: withAvailable(message, catalog.availableIds(task.provider, baseUrl, modeOf(task.request))),
    });
  }

  /** The counts that decide holds, from every task this window knows. */
  private admission(): Admission {
    return this.gate.admission(this.host.tasks(), (id) => this.host.provider(id));
  }

  private labelOf(provider: ProviderId): string {
    return this.host.provider(provider)?.label ?? provider;
  }

  private track<T>(id: string, run: Promise<T>): Promise<T> {
    const done = run.then(
      () => undefined,
      () => undefined,
    );
    this.sending.set(id, done);
    void done.then(() => {
      if (this.sending.get(id) === done) this.sending.delete(id);
    });
    return run;
  }

  /** Sends `task` (status submitting) once and records the outcome. */
  private async send(
    task: Task,
    provider: ProviderClient,
    ctx: ProviderContext,
    media: ResolvedMedia,
    opts: GenerateOptions,
    direct: boolean,
  ): Promise<Task> {
    const { host } = this;
    const key = this.gate.keyOf(provider, task.request);
    this.gate.sent(key, host.clock.now());
    // On disk before the request goes out (a queued create was written by its claim); if it cannot be, it does not go out.
    if (direct) {
      try {
        await host.recordNow();
      } catch (e) {
        return this.notRecorded(task, e);
      }
    }
    host.fire([task]);
    let created;
    try {
      created = await provider.create(
        { ...ctx, onUploadProgress: opts.onUploadProgress, uploadSignal: opts.cancelUpload },
        task.request,
        media,
        randomUUID(),
      );
    } catch (e) {
      const err = isProviderError(e) && !e.mayHaveStarted ? await this.modelNotFound(task, provider, ctx.baseUrl, e) : e;
      return this.notCreated(task, provider, key, err, direct);
    }
    this.gate.accepted(key);
    host.update(task, createdPatch(created, ctx.baseUrl));
    // Stored the moment the create returns an id, before any UI sees it.
    await host.persistNow();
    host.track(task);
    host.log.info(`Created ${provider.label} task ${task.remoteId} (${task.mode}, model ${task.model}).`);
    host.fire([task]);
    host.schedule();
    return task;
  }

  /** A create whose `submitting` record could not be written: it is not sent, and not kept. */
  private async notRecorded(task: Task, cause: unknown): Promise<never> {
    this.host.log.warn(`A ${this.labelOf(task.provider)} create was not sent: its record could not be written (${errorMessage(cause)}).`);
    await this.host.remove([task.id]);
    const message = l10n.t('Could not record the create; nothing was sent. ({0})', errorMessage(cause));
    throw new ProviderError({ kind: 'config', message });
  }

  private async notCreated(task: Task, provider: ProviderClient, key: string, e: unknown, direct: boolean): Promise<Task> {
    const { host } = this;
    const now = host.clock.now();
    const err = isProviderError(e) ? e : new ProviderError({ kind: 'malformed', message: errorMessage(e), mayHaveStarted: true });
    if (this.stopped) {
      if (direct) throw err;
      return task;
    }
    if (err.mayHaveStarted) {
      // Never silence: the job may be running (and billed) at the provider.
      host.update(task, uncertainPatch(err.message, err.kind, provider.label, now));
      await host.persistNow();
      host.fire([task]);
      host.log.warn(`Create for ${provider.label} lost its answer: ${err.message}`);
      if (direct) throw err;
      return task;
    }
    if (err.kind === 'rateLimited') {
      // Never sent: back to the queue until the provider's Retry-After.
      const hold: Hold = {
        until: this.gate.rejected(key, err.retryAfterMs, now),
        reason: l10n.t('{0} answered 429 (too many requests)', provider.label),
      };
      host.update(task, { status: 'waiting', sender: undefined, ...holdFields(hold) });
      await host.persistNow();
      host.log.warn(`A ${provider.label} create was not sent (${err.message}); it waits in the queue.`);
      host.fire([task]);
      host.schedule();
      return task;
    }
    if (direct) {
      // Certainly not started: no trace is kept, and the caller hears why.
      await host.remove([task.id]);
      throw err;
    }
    host.update(task, notSentPatch(err, now));
    await host.persistNow();
    host.log.warn(`A queued ${provider.label} create was not sent: ${err.message}`);
    host.fire([task]);
    return task;
  }

  private async doDispatch(): Promise<void> {
    const { host } = this;
    const waiting = [...host.tasks()]
      .filter((t) => t.status === 'waiting' && !this.sending.has(t.id))
      .sort((a, b) => a.createdAt - b.createdAt);
    // Counted once; after a claim, or before one when a write was awaited (tasks may change meanwhile), again.
    let admission: Admission | undefined;
    let stale = false;
    for (const t of waiting) {
      const provider = host.provider(t.provider);
      const now = host.clock.now();
      if (this.stopped) return;
      if (!provider || t.status !== 'waiting' || (this.claimBackoff.get(t.id) ?? 0) > now) continue;
      admission ??= this.admission();
      let hold = this.gate.hold(provider, t, admission, now);
      if (!hold && stale) {
        admission = this.admission();
        stale = false;
        hold = this.gate.hold(provider, t, admission, now);
      }
      if (hold) {
        const fields = holdFields(hold);
        if (fields.sendAfter !== t.sendAfter || fields.waitReason !== t.waitReason) {
          await this.changeWaiting(t, fields);
          stale = true;
        }
        continue;
      }
      admission = undefined;
      const claim: Partial<Task> = { status: 'submitting', sender: senderOf(host.owner, now), sendAfter: undefined, waitReason: undefined };
      const claimed = await this.changeWaiting(t, claim);
      if (!claimed) {
        this.claimBackoff.set(t.id, now + host.claimRetryMs);
        continue;
      }
      this.claimBackoff.delete(t.id);
      const cur = host.get(t.id);
      if (cur?.status === 'submitting') void this.track(cur.id, this.sendQueued(cur, provider));
    }
  }

  /** A claimed queued create: its context and media are read now, then it is sent. */
  private async sendQueued(task: Task, provider: ProviderClient): Promise<void> {
    // Where Find This Job starts looking, should the answer be lost.
    this.host.update(task, { sentAt: this.host.clock.now() });
    let ctx: ProviderContext;
    let media: ResolvedMedia;
    try {
      ctx = await this.host.context(task.provider);
      media = await resolveMedia(task.request, this.host.settings().media);
    } catch (e) {
      const err = isProviderError(e) ? e : new ProviderError({ kind: 'input', message: errorMessage(e) });
      this.host.update(task, notSentPatch(err, this.host.clock.now()));
      await this.host.persistNow();
      this.host.fire([task]);
      return;
    }
    await this.send(task, provider, ctx, media, {}, false).catch((e: unknown) =>
      this.host.log.error(`Sending a queued create failed: ${errorMessage(e)}`),
    );
  }

  /**
   * Changes a waiting task under the store's lock, from the version stored (so an edit made in
   * another window is what gets sent); undefined when it is no longer waiting there.
   */
  private async changeWaiting(t: Task, patch: Partial<Task>): Promise<Task | undefined> {
    const now = this.host.clock.now();
    let written;
    try {
      written = await this.host.store.compareAndSet(t.id, (stored) => {
        const base = structuredClone(stored ?? t);
        if (base.status !== 'waiting') return undefined;
        patchTask(base, patch, now);
        base.updatedAt = Math.max(base.updatedAt, t.updatedAt + 1);
        return base;
      });
    } catch (e) {
      this.host.log.error(`Could not update a waiting create: ${errorMessage(e)}`);
      return undefined;
    }
    if (!written || written === 'removed') return undefined;
    this.host.adopt(written);
    return written;
  }
}

/** The mode a request asks for, as its media say. */
function modeOf(req: GenerateRequest): GenerationMode {
  return req.video ? 'video-edit' : req.images?.length ? 'ingredients' : req.image ? 'image-to-video' : 'text-to-video';
}

/** A 404 to a create, or an answer saying the model does not exist. */
export function isModelNotFound(err: ProviderError): boolean {
  if (err.modelNotFound || err.kind === 'notFound' || err.providerCode === 'model_not_found') return true;
  return err.kind === 'badRequest' && /\bmodel\b[^.]*\b(not found|does not exist|unknown)\b|\bunknown model\b/i.test(err.message);
}

function withAvailable(message: string, ids: readonly string[]): string {
  return ids.length ? `${message} ${l10n.t('Available: {0}.', ids.join(', '))}` : message;
}

function holdFields(hold: Hold): Pick<Task, 'sendAfter' | 'waitReason'> {
  return { sendAfter: hold.until, waitReason: hold.reason };
}

function notWaiting(): ProviderError {
  return new ProviderError({
    kind: 'conflict',
    message: l10n.t('This create is no longer waiting (it is being sent, or was removed), so it cannot be changed.'),
  });
}
