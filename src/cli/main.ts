// `ai-video-studio`, the command line for CI (bundled as dist/cli.js): renders a storyboard with the
// same core, providers and lockfile as the extension, configured from the environment only. Without
// --yes it only plans and quotes; --budget, a missing key or a missing ffmpeg refuse the run before
// anything is sent. Progress goes to stderr, one line per shot; --json puts only the result object on
// stdout. Exit codes: args.ts `EXIT`.
import * as fs from 'fs';
import * as path from 'path';
import * as l10n from '@vscode/l10n';

import { createMedia, isFfmpegMissing } from '../core/media';
import { errorMessage } from '../core/model/errors';
import type { GenerateRequest } from '../core/model/task';
import { quoteRequest, type QuoteSources, type UserPrices } from '../core/money/quote';
import { ModelCatalog } from '../core/provider/catalog';
import type { ProviderDescriptor } from '../core/provider/descriptor';
import { formatPrice, usd } from '../core/provider/pricing';
import type { PromptCatalog } from '../core/request/promptBlocks';
import {
  parseStoryboard,
  planRender,
  renderStoryboard,
  resolvedRequest,
  StoryboardError,
  type Quote,
  type RenderProgress,
  type RenderResult,
  type StoryboardInput,
} from '../core/storyboard';
import { PROVIDER_LIST, PROVIDERS } from '../providers';
import { EXIT, parseArgs, usage, UsageError, type CliArgs } from './args';
import { CliConfig, envName, missingKeyMessage, type Env } from './env';
import { fileLogger, HeadlessEngine } from './headless';
import { CliHost, sha256File } from './host';
import { resolvePaths, stateDir } from './paths';

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Env;
  cwd: string;
  /** Stops the run like Ctrl-C: shots not yet sent are skipped, sent ones finish. */
  signal?: AbortSignal;
}

/** Why a run was refused before anything was sent; the word is what stderr and `--json` name. */
export type RefusalReason = 'budget' | 'key' | 'ffmpeg';

class Refusal extends Error {
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
  }
}

/** Runs one command line; resolves with the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const err = (line: string) => io.stderr.write(`${line}\n`);
  let args: CliArgs;
  try {
    const parsed = parseArgs(argv);
    if (parsed.command === 'help') {
      io.stdout.write(`${usage()}\n`);
      return EXIT.ok;
    }
    args = parsed;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`ai-video-studio: ${e.message}`);
    err(l10n.t('Run "ai-video-studio --help" for the usage.'));
    return EXIT.usage;
  }
  const run = new CliRun(args, io);
  try {
    return await run.go();
  } catch (e) {
    if (e instanceof Refusal) {
      err(e.message);
      if (args.json) io.stdout.write(`${JSON.stringify({ refused: e.reason, message: e.message, ...run.quoteOut() })}\n`);
      return EXIT.refused;
    }
    if (e instanceof StoryboardError && e.reason === 'budget') {
      err(e.message);
      if (args.json) io.stdout.write(`${JSON.stringify({ refused: 'budget', message: e.message, ...run.quoteOut() })}\n`);
      return EXIT.refused;
    }
    // A storyboard's own problems name the file and the line, as a compiler would.
    const message = e instanceof StoryboardError ? `${args.file}: ${e.message}` : `ai-video-studio: ${errorMessage(e)}`;
    err(message);
    if (args.json) io.stdout.write(`${JSON.stringify({ error: e instanceof StoryboardError ? message : errorMessage(e) })}\n`);
    return EXIT.failed;
  } finally {
    await run.dispose();
  }
}

class CliRun {
  private readonly config: CliConfig;
  private readonly paths;
  private readonly state: string;
  private readonly catalog: ModelCatalog;
  private readonly log;
  private engine: Promise<HeadlessEngine> | undefined;
  private quote: Quote | undefined;
  private readonly costs = new Map<string, number>();
  private readonly userPrices: UserPrices;
  /** The film, as shown on the film's line (relative to the working directory). */
  private filmPath = '';

  constructor(
    private readonly args: CliArgs,
    private readonly io: CliIo,
  ) {
    this.config = new CliConfig(io.env);
    this.paths = resolvePaths(io.cwd, args.file, args.root, args.out);
    this.state = stateDir(io.env);
    const secrets = this.config.knownSecrets(PROVIDER_LIST);
    this.log = fileLogger(path.join(this.state, 'cli.log'), () => secrets);
    this.catalog = new ModelCatalog({ providers: PROVIDERS, cacheDir: path.join(this.state, 'catalog'), log: this.log });
    const prices = this.config.userPrices();
    for (const problem of prices.problems) this.err(problem);
    this.userPrices = prices.prices;
  }

  private err(line: string): void {
    this.io.stderr.write(`${line}\n`);
  }

  quoteOut(): { quote?: Quote } {
    return this.quote ? { quote: this.quote } : {};
  }

  async go(): Promise<number> {
    const { args, paths } = this;
    let text: string;
    try {
      text = await fs.promises.readFile(paths.file, 'utf8');
    } catch (e) {
      throw new Error(l10n.t('Cannot read {0}: {1}', args.file, errorMessage(e)));
    }
    await this.warmCatalogs(text);
    const input: StoryboardInput = { text, catalog: this.promptCatalog() };
    const media = createMedia({
      ffmpegPath: this.config.ffmpegPath,
      allowedRoots: [paths.root, paths.out, this.state],
      env: { ...this.io.env },
    });
    const host = new CliHost({
      file: paths.file,
      root: paths.root,
      out: paths.out,
      stateDir: this.state,
      config: this.config,
      media,
      engine: () => this.startEngine(),
      provider: (id) => PROVIDERS[id],
      quoteSources: (req) => this.quoteSources(req),
      budget: args.budget,
      signal: this.io.signal,
      progress: (event) => this.progress(event),
    });
    this.filmPath = path.relative(this.io.cwd, host.absolute(host.filmOutput()));
    const planned = await planRender(input, host);
    this.quote = planned.quote;
    const providers = (id: string) => PROVIDERS[id];
    const toRender = planned.plan.shots.filter((p) => !p.upToDate);
    for (const p of toRender) {
      const req = resolvedRequest(p.shot, providers(p.shot.request.provider));
      const q = quoteRequest(req, this.quoteSources(req));
      if (q.amount !== undefined) this.costs.set(p.shot.id, q.amount);
    }
    const dryRun = args.dryRun || !args.yes;
    if (dryRun) {
      const result = await renderStoryboard(input, host, { dryRun: true });
      for (const s of result.shots) this.shotLine(s.id, s.state, s.state === 'planned' ? this.priceOf(s.id) : '');
      this.err(this.quoteLine(planned.quote, toRender.length));
      if (!args.dryRun && toRender.length) this.err(l10n.t('Nothing was sent: run with --yes to render {0} shot(s).', toRender.length));
      this.print(result, args.command === 'quote');
      return EXIT.ok;
    }

    // Before anything is sent: every key the shots to render need, ffmpeg, the budget.
    const missing = [...new Set(toRender.map((p) => p.shot.request.provider))]
      .map((id) => PROVIDERS[id])
      .filter((p): p is ProviderDescriptor => !!p && !this.config.hasKey(p));
    if (missing.length) {
      throw new Refusal('key', `${l10n.t('Refused (key): nothing was sent.')} ${missing.map((p) => missingKeyMessage(p)).join(' ')}`);
    }
    const filmRel = host.filmOutput();
    const filmCurrent = !!planned.lock?.film && (await sha256File(host.absolute(filmRel))) === planned.lock.film.sha256;
    if (toRender.length || !filmCurrent) {
      try {
        await media.tools();
      } catch (e) {
        if (!isFfmpegMissing(e)) throw e;
        throw new Refusal(
          'ffmpeg',
          l10n.t(
            'Refused (ffmpeg): nothing was sent. ffmpeg and ffprobe are needed for frames and the film and were not found ({0}). Install ffmpeg (Debian/Ubuntu: apt-get install ffmpeg, macOS: brew install ffmpeg, Windows: winget install ffmpeg) or set {1} to the ffmpeg program.',
            e.looked,
            envName('ffmpegPath'),
          ),
        );
      }
    }
    const refusal = await host.checkBudget();
    if (refusal) throw new Refusal('budget', refusal);
    if (host.knownQuote.unknown && args.budget !== undefined) {
      this.err(l10n.t('Note: {0} shot(s) have no known price; they count $0 toward --budget.', host.knownQuote.unknown));
    }

    const result = await renderStoryboard(input, host, { signal: this.io.signal });
    const count = (state: string) => result.shots.filter((s) => s.state === state).length;
    this.err(
      l10n.t('{0} rendered, {1} cached, {2} failed, {3} skipped.', count('rendered'), count('cached'), count('failed'), count('skipped')),
    );
    this.print(result, false);
    const failed = result.shots.filter((s) => s.state === 'failed');
    if (failed.length) {
      this.err(l10n.t('{0} shot(s) failed: {1}. The film was not written.', failed.length, failed.map((s) => s.id).join(', ')));
      return EXIT.failed;
    }
    if (!result.output || !fs.existsSync(result.output)) {
      this.err(l10n.t('The film was not written.'));
      return EXIT.failed;
    }
    return EXIT.ok;
  }

  async dispose(): Promise<void> {
    const engine = await this.engine?.catch(() => undefined);
    await engine?.dispose();
    this.catalog.dispose();
  }

  private startEngine(): Promise<HeadlessEngine> {
    this.engine ??= (async () => {
      const engine = new HeadlessEngine({
        providers: PROVIDERS,
        config: this.config,
        stateDir: this.state,
        catalog: this.catalog,
        log: this.log,
      });
      await engine.init();
      return engine;
    })();
    return this.engine;
  }

  /** Loads the catalogues of the providers the storyboard uses, so checks and quotes read them from memory. */
  private async warmCatalogs(text: string): Promise<void> {
    const board = parseStoryboard(text, { providers: PROVIDER_LIST, configuredModels: () => [] });
    const ids = new Set(board.shots.map((s) => s.request.provider));
    await Promise.all(
      [...ids].map(async (id) => {
        const provider = PROVIDERS[id];
        const base = provider && this.baseUrlOf(provider);
        if (base) await this.catalog.models(id, base).catch(() => undefined);
      }),
    );
  }

  private baseUrlOf(provider: ProviderDescriptor): string | undefined {
    try {
      return this.config.baseUrl(provider);
    } catch {
      return undefined;
    }
  }

  private catalogModel(req: GenerateRequest) {
    const provider = PROVIDERS[req.provider];
    const base = provider && this.baseUrlOf(provider);
    return base && req.model ? this.catalog.model(req.provider, base, req.model) : undefined;
  }

  private quoteSources(req: GenerateRequest): QuoteSources {
    return { model: this.catalogModel(req), userPrices: this.userPrices };
  }

  private promptCatalog(): PromptCatalog {
    return {
      providers: PROVIDER_LIST,
      configuredModels: (p) => (p.models?.setting ? this.config.list(p.models.setting) : []),
      model: (p, id) => {
        const provider = PROVIDERS[p.id];
        const base = provider && this.baseUrlOf(provider);
        return base ? this.catalog.model(p.id, base, id) : undefined;
      },
      lifecycle: (p, id) => {
        const provider = PROVIDERS[p.id];
        const base = provider && this.baseUrlOf(provider);
        return base ? this.catalog.lifecycleOf(p.id, base, id) : undefined;
      },
    };
  }

  private priceOf(id: string): string {
    const amount = this.costs.get(id);
    return amount !== undefined ? usd(amount) : l10n.t('price unknown');
  }

  /** One line per shot as it ends (and the film), on stderr. */
  private progress(event: RenderProgress): void {
    if (event.kind === 'film') {
      if (event.state !== 'stitching') this.shotLine(l10n.t('film'), event.state, this.filmPath);
      return;
    }
    if (event.state === 'rendered') this.shotLine(event.id, event.state, this.costs.has(event.id) ? this.priceOf(event.id) : '');
    else if (event.state === 'cached' || event.state === 'skipped') this.shotLine(event.id, event.state, '');
    else if (event.state === 'failed') this.shotLine(event.id, event.state, event.error ?? '');
  }

  private shotLine(id: string, state: string, detail: string): void {
    this.err(`  ${id.padEnd(16)} ${state.padEnd(9)} ${detail}`.trimEnd());
  }

  private quoteLine(quote: Quote, count: number): string {
    const price =
      quote.amount === undefined
        ? l10n.t('price unknown')
        : formatPrice({ amount: quote.amount, currency: 'USD', estimate: quote.estimate, basis: '' });
    return l10n.t('Quote: {0} for {1} shot(s) to render.', price, count);
  }

  /** `--json`: the result object alone on stdout. `quote` without it: the quote on stdout. */
  private print(result: RenderResult, quoteOnStdout: boolean): void {
    if (this.args.json) this.io.stdout.write(`${JSON.stringify(result)}\n`);
    else if (quoteOnStdout) {
      this.io.stdout.write(`${result.quote.amount === undefined ? l10n.t('price unknown') : usd(result.quote.amount)}\n`);
    }
  }
}

/** The process: Ctrl-C stops unsent shots (a second one quits at once); the exit code is set, not forced. */
function main(): void {
  const abort = new AbortController();
  let interrupted = false;
  process.on('SIGINT', () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(
      `${l10n.t('Stopping: shots not yet sent are skipped; sent ones finish and are kept. Ctrl-C again to quit now.')}\n`,
    );
    abort.abort();
  });
  runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    signal: abort.signal,
  })
    .then((code) => {
      process.exitCode = code;
    })
    .catch((e: unknown) => {
      process.stderr.write(`ai-video-studio: ${errorMessage(e)}\n`);
      process.exitCode = EXIT.failed;
    });
}

if (require.main === module) main();
