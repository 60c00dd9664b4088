// What the CLI tests share: a workspace with a two-shot storyboard (`drift` after `opening`), the
// environment that points the CLI at an in-process emulator with its state in a temp folder, and
// runs of the CLI in this process (runCli) or as a real process (dist/cli.js or an installed copy).
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { runCli } from '../../src/cli/main';
import { emulatorBaseUrl } from '../../src/emulator/server';

export const CLI_KEY = 'sk-cli-test-key-0123456789';

export const TWO_SHOTS = [
  '# A paper boat',
  '',
  '```video',
  'provider: pika',
  'id: opening',
  'A paper boat on a rainy street',
  '```',
  '',
  '```video',
  'provider: pika',
  'id: drift',
  'after: opening',
  'The boat drifts into a drain',
  '```',
  '',
].join('\n');

export interface CliWorkspace {
  /** A folder with `.git`: the root. */
  root: string;
  /** `<root>/boards/film.md`. */
  file: string;
  /** XDG_STATE_HOME. */
  state: string;
  lockfile: string;
  film: string;
  dispose(): void;
}

export function cliWorkspace(text = TWO_SHOTS): CliWorkspace {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'aivideo-cli-')));
  const root = path.join(dir, 'repo');
  fs.mkdirSync(path.join(root, '.git'), { recursive: true });
  fs.mkdirSync(path.join(root, 'boards'));
  const file = path.join(root, 'boards', 'film.md');
  fs.writeFileSync(file, text);
  return {
    root,
    file,
    state: path.join(dir, 'state'),
    lockfile: path.join(root, 'boards', 'film.storyboard.lock.json'),
    film: path.join(root, 'generated-videos', 'film.mp4'),
    dispose: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** The environment of a CLI run against the emulator: the key, the base URL, fast polls, the state folder, the PATH. */
export function cliEnv(emulatorUrl: string, ws: CliWorkspace, extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: path.dirname(ws.state),
    XDG_STATE_HOME: ws.state,
    AIVIDEO_PIKA_API_KEY: CLI_KEY,
    AIVIDEO_PIKA_BASE_URL: emulatorBaseUrl(emulatorUrl, 'pika'),
    AIVIDEO_POLL_INTERVAL_SECONDS: '1',
    ...extra,
  };
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** runCli in this process, its output captured. */
export async function runInProcess(argv: string[], env: Record<string, string>, cwd: string, signal?: AbortSignal): Promise<CliOutcome> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    env,
    cwd,
    signal,
  });
  return { code, stdout, stderr };
}

/** A real process: `node <script> ...argv` (the bundle, or an installed bin). */
export function runProcess(command: string, argv: string[], env: Record<string, string>, cwd: string): Promise<CliOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
