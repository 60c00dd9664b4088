#!/usr/bin/env node
// @ts-check
// A real VS Code extension host without downloading desktop VS Code: installs the `code-server`
// npm package (which bundles VS Code's server, Node extension host and web workbench) into the
// git-ignored tool folder `.vscode-test/code-server/` and starts it.
//
//   node scripts/vscode-host.js --install     install once (idempotent), print the entry path
//
// Used by run-host-tests.js, demo.js, screenshot.js and the UI suite (test/ui/run.ts). The install
// avoids code-server's postinstall (it refuses root, builds kerberos and downloads ripgrep from
// GitHub) and builds the one native module that is needed to start (argon2), plus, best effort, the
// logger (spdlog).
// Env AIVIDEO_SKIP_NATIVE_EXTRAS=1 skips the optional build.
/* global setInterval, clearInterval */
'use strict';

const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const net = require('net');
const path = require('path');

const CODE_SERVER_VERSION = '4.100.3';
const REPO = path.resolve(__dirname, '..');
const TOOL_DIR = path.join(REPO, '.vscode-test', 'code-server');
const MARKER = path.join(TOOL_DIR, '.installed');
const LOCK = path.join(TOOL_DIR, '.installing');
const PKG_DIR = path.join(TOOL_DIR, 'node_modules', 'code-server');
const ENTRY = path.join(PKG_DIR, 'out', 'node', 'entry.js');
const READY_TEXT = 'HTTP server listening on';

/** @param {number} ms */
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isInstalled() {
  try {
    return fs.readFileSync(MARKER, 'utf8').trim() === CODE_SERVER_VERSION && fs.existsSync(ENTRY);
  } catch {
    return false;
  }
}

/** @param {number} pid */
function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return /** @type {NodeJS.ErrnoException} */ (e).code === 'EPERM';
  }
}

/**
 * Takes the install lock (a directory holding the owner's pid); waits while another live process holds it.
 * @param {(message: string) => void} log
 */
async function acquireLock(log) {
  const deadline = Date.now() + 15 * 60 * 1000;
  let announced = false;
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      fs.writeFileSync(path.join(LOCK, 'pid'), String(process.pid));
      return;
    } catch (e) {
      if (/** @type {NodeJS.ErrnoException} */ (e).code !== 'EEXIST') throw e;
    }
    let owner = NaN;
    try {
      owner = Number(fs.readFileSync(path.join(LOCK, 'pid'), 'utf8'));
    } catch {
      // The owner may not have written its pid yet.
    }
    if (Number.isInteger(owner) && owner > 0 && !pidAlive(owner)) {
      fs.rmSync(LOCK, { recursive: true, force: true });
      continue;
    }
    if (isInstalled()) return;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for another code-server install (lock ${LOCK})`);
    if (!announced) log(`[vscode-host] waiting for another process installing code-server (pid ${owner})…`);
    announced = true;
    await sleep(1000);
  }
}

/**
 * @param {string} cmd
 * @param {string[]} args
 * @param {string} cwd
 * @param {Record<string, string>} extraEnv
 * @param {(message: string) => void} log
 */
function run(cmd, args, cwd, extraEnv, log) {
  log(`[vscode-host] (${path.relative(REPO, cwd) || '.'}) ${cmd} ${args.join(' ')}`);
  execFileSync(cmd, args, {
    cwd,
    // stdout of npm goes to our stderr so that `--install` keeps stdout for the entry path.
    stdio: ['ignore', process.stderr, process.stderr],
    env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', ...extraEnv },
  });
}

/**
 * Installs code-server into `.vscode-test/code-server/` unless the marker file records this
 * version already. Returns the absolute path of code-server's `entry.js`.
 * @param {{ log?: (message: string) => void }} [options]
 * @returns {Promise<string>}
 */
async function ensureCodeServer(options = {}) {
  const log = options.log || ((m) => console.error(m));
  if (isInstalled()) return ENTRY;
  fs.mkdirSync(TOOL_DIR, { recursive: true });
  await acquireLock(log);
  try {
    if (isInstalled()) return ENTRY; // another process finished it while we waited
    const started = Date.now();
    log(`[vscode-host] installing code-server@${CODE_SERVER_VERSION} into ${path.relative(REPO, TOOL_DIR)}/ …`);
    // Own package.json, so npm treats this folder as the project root instead of walking up to the
    // extension's package.json (and never touches the extension's node_modules or lock file).
    fs.writeFileSync(
      path.join(TOOL_DIR, 'package.json'),
      JSON.stringify({ name: 'aivideo-code-server-tool', private: true, description: 'Tool folder for tests; git-ignored.' }, null, 2) +
        '\n',
    );
    fs.rmSync(MARKER, { force: true });
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    run(npm, ['install', `code-server@${CODE_SERVER_VERSION}`, '--ignore-scripts', '--no-save', '--no-package-lock'], TOOL_DIR, {}, log);
    const vscodeDir = path.join(PKG_DIR, 'lib', 'vscode');
    run(npm, ['install', '--omit=dev', '--ignore-scripts', '--no-package-lock'], vscodeDir, {}, log);
    const asar = path.join(vscodeDir, 'node_modules.asar');
    fs.rmSync(asar, { recursive: true, force: true });
    fs.symlinkSync('node_modules', asar);
    run(npm, ['rebuild', 'argon2'], TOOL_DIR, { npm_config_yes: 'true' }, log);
    // Optional extras (about 45 s of C++): without spdlog the server and extension host write no
    // log files (run-host-tests prints them on failure), without native-watchdog the host logs a
    // harmless error. Everything works without them, so a failed build is only a warning.
    if (process.env.AIVIDEO_SKIP_NATIVE_EXTRAS !== '1') {
      try {
        run(npm, ['rebuild', '@vscode/spdlog', 'native-watchdog'], vscodeDir, { npm_config_yes: 'true' }, log);
      } catch (e) {
        const reason = e instanceof Error ? e.message : e;
        log(`[vscode-host] warning: building @vscode/spdlog and native-watchdog failed (${reason}); continuing without log files`);
      }
    }
    if (!fs.existsSync(ENTRY)) throw new Error(`code-server installed but ${ENTRY} is missing`);
    fs.writeFileSync(MARKER, CODE_SERVER_VERSION + '\n');
    log(`[vscode-host] code-server ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return ENTRY;
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}

/**
 * Resolves with a TCP port that is free on `host` right now (picked by the OS).
 * @returns {Promise<number>}
 */
function findFreePort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const { port } = /** @type {import('net').AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

/**
 * True when `port` can be bound on `host`.
 * @param {number} port
 * @returns {Promise<boolean>}
 */
function isPortFree(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/**
 * `preferred` if it is free, else the next free port above it (up to 100 tries), else any free port.
 * @param {number} preferred
 */
async function findPortFrom(preferred, host = '127.0.0.1') {
  for (let p = preferred; p < preferred + 100 && p < 65536; p++) {
    if (await isPortFree(p, host)) return p;
  }
  return findFreePort(host);
}

/** @type {Set<import('child_process').ChildProcess>} */
const running = new Set();

/**
 * @param {import('child_process').ChildProcess} child
 * @param {NodeJS.Signals} signal
 */
function killGroup(child, signal) {
  if (!child.pid || child.exitCode !== null || child.signalCode !== null) return;
  try {
    // Detached: the child leads its own process group, which also holds code-server's VS Code
    // server and extension host processes.
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

// Last resort if the parent exits without stopping its servers (e.g. an uncaught error).
process.on('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
});

/**
 * @typedef {object} CodeServerOptions
 * @property {number} port
 * @property {string} [host] 127.0.0.1 by default
 * @property {string} userDataDir
 * @property {string} extensionsDir
 * @property {string} [folder] opened by default
 * @property {Record<string, string>} [env] added to the inherited environment; the extension host inherits it
 * @property {string[]} [extraArgs]
 * @property {number} [timeoutMs]
 * @property {boolean} [echo] copy its output to ours
 * @property {(text: string) => void} [onOutput]
 * @property {(message: string) => void} [log] progress of a first install
 */

/**
 * Starts code-server (installing it first if needed). Resolves once it prints "HTTP server
 * listening on"; rejects if it exits early or is not ready within `timeoutMs`.
 * @param {CodeServerOptions} opts
 * @returns {Promise<{ url: string, port: number, process: import('child_process').ChildProcess,
 *   exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>, output: () => string, stop: () => Promise<void> }>}
 */
async function startCodeServer(opts) {
  const {
    port,
    host = '127.0.0.1',
    userDataDir,
    extensionsDir,
    folder,
    env = {},
    extraArgs = [],
    timeoutMs = 90000,
    echo = false,
    onOutput,
  } = opts;
  if (!port) throw new Error('startCodeServer: port is required');
  if (!userDataDir || !extensionsDir) throw new Error('startCodeServer: userDataDir and extensionsDir are required');
  const entry = await ensureCodeServer(opts);
  fs.mkdirSync(userDataDir, { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  const args = [
    entry,
    '--auth',
    'none',
    '--bind-addr',
    `${host}:${port}`,
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    // Its own config file (code-server would otherwise create ~/.config/code-server/config.yaml).
    '--config',
    path.join(userDataDir, 'code-server-config.yaml'),
    ...extraArgs,
  ];
  if (folder) args.push(folder);
  const childEnv = { ...process.env, ...env };
  // A password from the caller's environment would otherwise be ignored noisily (we use --auth none).
  delete childEnv.PASSWORD;
  delete childEnv.HASHED_PASSWORD;
  const child = spawn(process.execPath, args, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
  running.add(child);
  let output = '';
  /** @param {NodeJS.WriteStream} stream */
  const onData = (stream) => (/** @type {Buffer} */ chunk) => {
    const text = chunk.toString();
    output += text;
    if (output.length > 2_000_000) output = output.slice(-1_000_000);
    if (echo) stream.write(text);
    if (onOutput) onOutput(text);
  };
  child.stdout.on('data', onData(process.stdout));
  child.stderr.on('data', onData(process.stderr));
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );

  async function stop() {
    if (child.exitCode !== null || child.signalCode !== null) return;
    killGroup(child, 'SIGTERM');
    const t = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
    killGroup(child, 'SIGKILL'); // leftovers of the group, if any
  }

  await new Promise((resolve, reject) => {
    let done = false;
    /** @param {Error} [err] */
    const finish = (err) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearInterval(poll);
      if (err) reject(err);
      else resolve(undefined);
    };
    const timer = setTimeout(() => {
      stop().finally(() => finish(new Error(`code-server was not ready within ${timeoutMs} ms. Output:\n${output}`)));
    }, timeoutMs);
    const poll = setInterval(() => {
      if (output.includes(READY_TEXT)) finish();
    }, 50);
    exited.then(({ code, signal }) => finish(new Error(`code-server exited early (code ${code}, signal ${signal}). Output:\n${output}`)));
  });

  return {
    url: `http://${host}:${port}/`,
    port,
    process: child,
    exited,
    output: () => output,
    stop,
  };
}

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--autoplay-policy=no-user-gesture-required',
];

function chromiumPath() {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium';
}

/**
 * Headless Debian Chromium through playwright-core (never `playwright install`: it downloads).
 * @param {{ headless?: boolean }} [options]
 */
async function launchChromium(options = {}) {
  const executablePath = chromiumPath();
  if (!fs.existsSync(executablePath)) {
    throw new Error(
      `Chromium not found at ${executablePath}: install the Debian package "chromium" (apt-get install chromium) or set CHROMIUM_PATH`,
    );
  }
  const { chromium } = require('playwright-core');
  return chromium.launch({ executablePath, headless: options.headless !== false, args: CHROMIUM_ARGS });
}

module.exports = {
  CODE_SERVER_VERSION,
  CHROMIUM_ARGS,
  chromiumPath,
  launchChromium,
  REPO,
  TOOL_DIR,
  ensureCodeServer,
  startCodeServer,
  findFreePort,
  findPortFrom,
  isPortFree,
};

if (require.main === module) {
  const argv = process.argv.slice(2);
  if (argv.includes('--install')) {
    ensureCodeServer()
      .then((entry) => console.log(entry))
      .catch((e) => {
        console.error(`[vscode-host] install failed: ${e && e.message ? e.message : e}`);
        process.exit(1);
      });
  } else {
    console.error('usage: node scripts/vscode-host.js --install');
    process.exit(2);
  }
}
