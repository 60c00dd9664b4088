// The command line of `ai-video-studio`: `render <file.md> [flags]`, `quote <file.md> [flags]` and
// `--help`, parsed into one typed object or a UsageError saying what is wrong. Pure, so every bad
// argument and its message is tested in plain Node.
import * as l10n from '@vscode/l10n';

export type CliCommand = 'render' | 'quote';

export interface CliArgs {
  command: CliCommand;
  /** The storyboard, as given (resolved against the working directory by the caller). */
  file: string;
  /** Plan and quote only (always the case for `quote`, and for `render` without `--yes`). */
  dryRun: boolean;
  /** Spending allowed: without it nothing is sent. */
  yes: boolean;
  /** The most the run may cost, in USD. */
  budget?: number;
  root?: string;
  out?: string;
  json: boolean;
}

export type ParsedArgs = CliArgs | { command: 'help' };

/** A bad command line: the message says what is wrong; the exit code is EXIT.usage. */
export class UsageError extends Error {}

/** The exit codes, as the README and `--help` state them. */
export const EXIT = {
  /** The film exists and matches the lockfile (or a dry run planned without error). */
  ok: 0,
  /** A shot failed, the storyboard has errors, or a file could not be read or written. */
  failed: 1,
  /** Bad arguments. */
  usage: 2,
  /** A refusal before anything was sent: budget, a missing key, a missing ffmpeg. */
  refused: 3,
} as const;

export function usage(): string {
  return [
    l10n.t('Usage:'),
    '  ai-video-studio render <file.md> [--dry-run] [--yes] [--budget USD] [--root DIR] [--out DIR] [--json]',
    '  ai-video-studio quote  <file.md> [--root DIR] [--out DIR] [--json]',
    '',
    l10n.t('Renders the storyboard in a Markdown file: only shots that changed are sent, then the film is stitched.'),
    l10n.t('Without --yes nothing is sent: the plan and its quote are shown.'),
    '',
    l10n.t('Options:'),
    `  --dry-run       ${l10n.t('plan and quote only, send nothing')}`,
    `  --yes           ${l10n.t('allow spending: send the shots that need rendering')}`,
    `  --budget USD    ${l10n.t('refuse the run, before sending anything, when its quote is over this amount')}`,
    `  --root DIR      ${l10n.t('the workspace root (default: the nearest folder above the file with .git or .vscode)')}`,
    `  --out DIR       ${l10n.t('where outputs go (default: <root>/generated-videos)')}`,
    `  --json          ${l10n.t('print only the result object on stdout')}`,
    '',
    l10n.t('Environment:'),
    `  AIVIDEO_<ID>_API_KEY    ${l10n.t("a provider's key (or its own variable: OPENROUTER_API_KEY, …)")}`,
    `  AIVIDEO_<ID>_BASE_URL   ${l10n.t("a provider's base URL")}`,
    `  AIVIDEO_FFMPEG_PATH     ${l10n.t('ffmpeg (default: ffmpeg on the PATH)')}`,
    `  XDG_STATE_HOME          ${l10n.t('where the task history and the spend ledger are kept (ai-video-studio/)')}`,
    '',
    l10n.t('Exit codes: 0 done (or planned), 1 a shot failed, 2 bad arguments, 3 refused (budget, key, ffmpeg).'),
  ].join('\n');
}

const FLAGS = new Set(['--dry-run', '--yes', '--json']);
const VALUED = new Set(['--budget', '--root', '--out']);
/** Flags `quote` takes: it never sends, so spending flags are a mistake worth saying. */
const QUOTE_FLAGS = new Set(['--json', '--root', '--out', '--dry-run']);

export function parseArgs(argv: readonly string[]): ParsedArgs {
  if (argv.length === 0) throw new UsageError(l10n.t('No command given.'));
  if (argv.includes('--help') || argv.includes('-h') || argv[0] === 'help') return { command: 'help' };
  const [command, ...rest] = argv;
  if (command !== 'render' && command !== 'quote') throw new UsageError(l10n.t('Unknown command "{0}": use render or quote.', command));
  const args: CliArgs = { command, file: '', dryRun: command === 'quote', yes: false, json: false };
  const files: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (!arg.startsWith('-') || arg === '-') {
      files.push(arg);
      continue;
    }
    if (arg === '--') {
      files.push(...rest.slice(i + 1));
      break;
    }
    if (!FLAGS.has(flag) && !VALUED.has(flag)) throw new UsageError(l10n.t('Unknown option {0}.', flag));
    if (command === 'quote' && !QUOTE_FLAGS.has(flag)) throw new UsageError(l10n.t('{0} is for render: quote never sends anything.', flag));
    if (FLAGS.has(flag)) {
      if (eq > 0) throw new UsageError(l10n.t('{0} takes no value.', flag));
      if (flag === '--dry-run') args.dryRun = true;
      else if (flag === '--yes') args.yes = true;
      else args.json = true;
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : rest[++i];
    if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) throw new UsageError(l10n.t('{0} needs a value.', flag));
    if (flag === '--budget') args.budget = parseBudget(value);
    else if (flag === '--root') args.root = value;
    else args.out = value;
  }
  if (files.length === 0) throw new UsageError(l10n.t('Name the storyboard: {0} <file.md>.', command));
  if (files.length > 1) throw new UsageError(l10n.t('One storyboard at a time (got {0}).', files.join(', ')));
  args.file = files[0];
  if (args.dryRun && args.yes) throw new UsageError(l10n.t('--dry-run and --yes contradict each other: choose one.'));
  return args;
}

/** A USD amount: a plain non-negative number ("5", "12.50", "$3" too). */
function parseBudget(value: string): number {
  const text = value.trim().replace(/^\$/, '');
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !Number.isFinite(n)) {
    throw new UsageError(l10n.t('--budget takes an amount in USD, like 5 or 12.50 (got "{0}").', value));
  }
  return n;
}
