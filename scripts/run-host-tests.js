#!/usr/bin/env node
// @ts-check
// Runs the integration suite (out/test/integration/index.js) inside a real VS Code extension
// host: code-server (VS Code 1.100.3, see scripts/vscode-host.js) driven by headless Chromium
// through playwright-core. Works offline.
//
// Env:
//   AIVIDEO_TEST_GREP              only run tests whose full title matches (mocha grep)
//   AIVIDEO_HOST_TEST_TIMEOUT_MS   time limit for the whole run (default 15 minutes)
//   CHROMIUM_PATH                  browser executable (default /usr/bin/chromium)
//   AIVIDEO_KEEP_TEMP=1            keep the temporary user-data/workspace folders for inspection
//
// Two sessions share one user-data dir: the main run, then (when the main run left
// `resume-pending` in the shared state folder) code-server is stopped and started again, as a
// VS Code restart, and only the tests tagged @resume run: tasks created before the restart must
// resume and finish. A provider emulator runs in this process for both sessions so it outlives
// the extension host. Finally every log file is searched for the test API key.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const util = require('util');
const crypto = require('crypto');
const { ensureCodeServer, startCodeServer, findFreePort, launchChromium, chromiumPath, REPO } = require('./vscode-host');

const TIMEOUT_MS = Number(process.env.AIVIDEO_HOST_TEST_TIMEOUT_MS) || 15 * 60 * 1000;
const TESTS_ENTRY = path.join(REPO, 'out', 'test', 'integration', 'index.js');
const FIXTURES = path.join(REPO, 'test', 'fixtures');
const RESULTS_DIR = path.join(REPO, 'test-results');
const TEST_SETTINGS = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'git.autoRepositoryDetection': false,
  'window.restoreWindows': 'none',
};

/** Copies test/fixtures/* into `dest` (the workspace folder the tests open files from). */
function copyFixtures(dest) {
  fs.mkdirSync(dest, { recursive: true });
  if (!fs.existsSync(FIXTURES)) return;
  for (const name of fs.readdirSync(FIXTURES)) {
    fs.cpSync(path.join(FIXTURES, name), path.join(dest, name), { recursive: true });
  }
}

function listFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(p) : [p];
  });
}

/** Prints the extension host / server logs VS Code wrote under `<userDataDir>/logs/`. */
function printHostLogs(userDataDir) {
  // <logs>/<session>/remoteagent.log (server), <logs>/<session>/exthost<N>/remoteexthost.log (host)
  // and <logs>/<session>/exthost<N>/<extension id>/<channel>.log (each extension's log channel).
  const logs = listFiles(path.join(userDataDir, 'logs')).filter((f) => {
    const rel = path.relative(userDataDir, f);
    if (!rel.endsWith('.log') || /telemetry/i.test(path.basename(f))) return false;
    if (/[\\/]vscode\.[^\\/]+[\\/]/.test(rel)) return false; // built-in extensions' channels
    return /(^|[\\/])exthost[^\\/]*[\\/]/i.test(rel) || /^(remoteagent|remoteexthost|exthost|server)\.log$/i.test(path.basename(f));
  });
  if (logs.length === 0) {
    console.log(`(no extension host logs found under ${path.join(userDataDir, 'logs')})`);
    return;
  }
  for (const file of logs) {
    const text = fs.readFileSync(file, 'utf8');
    console.log(`\n===== ${path.relative(userDataDir, file)} (${text.length} chars) =====`);
    console.log(text.length > 200000 ? '…' + text.slice(-200000) : text);
  }
}

/** The host's console arrives as console.log's argument list (format string first, e.g. mocha's "  %d passing (%s)"). */
function formatLogArgs(args) {
  if (typeof args === 'string') return args;
  if (Array.isArray(args)) return util.format(...args);
  return util.format(args);
}

// Errors code-server logs on every start on an offline machine, all harmless: optional native
// modules that were not built, the unreachable extension gallery, the missing `vsda` module.
const KNOWN_NOISE = [
  /native-watchdog|Cannot find module '\.\/build\/Release\/watchdog'/,
  /@vscode[\\/]spdlog|Could not locate the bindings file/,
  /ENOTFOUND[\s\S]*getExtensions/,
  /vsda/,
];
const VERBOSE = process.env.AIVIDEO_HOST_VERBOSE === '1';

async function runSession({ phase, dirs, env, remaining: budget, output, setActive }) {
  const started = Date.now();
  const { userDataDir, extensionsDir, workspace } = dirs;
  let server;
  let browser;
  let page;
  let timer;
  let exitCode = 1;
  let failureReason = '';
  const browserErrors = [];
  let suppressed = 0;

  const cleanup = async () => {
    clearTimeout(timer);
    if (browser) await browser.close().catch(() => undefined);
    browser = undefined;
    if (server) await server.stop().catch(() => undefined);
    server = undefined;
  };
  setActive({ stop: cleanup });

  try {
    const port = await findFreePort();
    // Inherited by the extension host.
    server = await startCodeServer({ port, userDataDir, extensionsDir, env });
    console.log(`[host-tests] code-server ${server.url} ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    page = await context.newPage();
    page.on('pageerror', (err) => browserErrors.push(`pageerror: ${err && err.stack ? err.stack : err}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') browserErrors.push(`console.error: ${msg.text()}`);
    });

    let reportExit;
    const testsFinished = new Promise((resolve) => (reportExit = resolve));
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const line = formatLogArgs(args);
      output.push(line);
      if (!VERBOSE && KNOWN_NOISE.some((re) => re.test(line))) {
        suppressed++;
        return;
      }
      if (type === 'error') console.error(line);
      else console.log(line);
    });
    await page.exposeFunction('codeAutomationExit', (code) => {
      reportExit(Number(code));
    });

    const remote = `vscode-remote://127.0.0.1:${port}`;
    const payload = [
      ['extensionDevelopmentPath', `${remote}${REPO}`],
      ['extensionTestsPath', `${remote}${TESTS_ENTRY}`],
      ['skipWelcome', 'true'],
    ];
    const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const remaining = budget - (Date.now() - started);
    const timedOut = new Promise((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.max(remaining, 1000));
    });
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: Math.max(Math.min(remaining, 120000), 1000) });

    const result = await Promise.race([testsFinished, timedOut, server.exited.then(() => 'server-exit')]);
    if (result === 'timeout') {
      failureReason = `time limit of ${TIMEOUT_MS} ms reached (AIVIDEO_HOST_TEST_TIMEOUT_MS) in the ${phase} session`;
      exitCode = 1;
    } else if (result === 'server-exit') {
      failureReason = 'code-server exited during the test run';
      exitCode = 1;
    } else {
      exitCode = Number.isInteger(result) ? result : 1;
      if (exitCode !== 0) failureReason = `the tests finished with exit code ${exitCode}`;
    }
  } catch (err) {
    failureReason = err instanceof Error && err.stack ? err.stack : String(err);
    if (Date.now() - started >= budget)
      failureReason = `time limit of ${TIMEOUT_MS} ms reached (AIVIDEO_HOST_TEST_TIMEOUT_MS): ${failureReason}`;
    exitCode = 1;
  }

  if (exitCode !== 0) {
    console.log(`\n[host-tests] FAILED (${phase} session): ${failureReason}`);
    if (page) {
      fs.mkdirSync(RESULTS_DIR, { recursive: true });
      const shot = path.join(RESULTS_DIR, `host-failure-${phase}.png`);
      await page
        .screenshot({ path: shot, timeout: 15000 })
        .then(() => console.log(`[host-tests] screenshot: ${path.relative(REPO, shot)}`))
        .catch((e) => console.log(`[host-tests] screenshot failed: ${e.message}`));
    }
    printHostLogs(userDataDir);
    if (server) {
      console.log('\n===== code-server output =====');
      console.log(server.output());
    }
    if (browserErrors.length) {
      console.log('\n===== browser errors =====');
      console.log(browserErrors.slice(-100).join('\n'));
    }
  }
  await cleanup();
  if (suppressed) console.log(`[host-tests] ${suppressed} known-harmless host messages hidden (AIVIDEO_HOST_VERBOSE=1 shows them)`);
  console.log(`[host-tests] ${phase} session ${exitCode === 0 ? 'passed' : 'failed'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return exitCode;
}

/** Files under `dir` whose text contains `needle` (the API key must never be written anywhere). */
function filesContaining(dir, needle) {
  return listFiles(dir).filter((f) => {
    try {
      return fs.readFileSync(f).includes(needle);
    } catch {
      return false;
    }
  });
}

async function main() {
  const started = Date.now();
  if (!fs.existsSync(TESTS_ENTRY)) {
    throw new Error(`${path.relative(REPO, TESTS_ENTRY)} is missing: build first (node esbuild.js), or use npm run test:host`);
  }
  if (!fs.existsSync(chromiumPath())) {
    throw new Error(`Chromium not found at ${chromiumPath()}: install the Debian package "chromium" or set CHROMIUM_PATH`);
  }
  await ensureCodeServer();
  const bundle = path.join(REPO, 'dist', 'extension.js');
  if (!fs.existsSync(bundle)) throw new Error('dist/extension.js is missing: build first (node esbuild.js)');
  // A production build has no source map beside it: `npm test` builds one, so the shipped bundle is what runs here.
  const kind = fs.existsSync(`${bundle}.map`) ? 'development build' : 'production build';
  console.log(`[host-tests] the extension host loads dist/extension.js (${kind}, ${(fs.statSync(bundle).size / 1024).toFixed(1)} KB)`);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aivideo-host-'));
  const dirs = {
    userDataDir: path.join(tmp, 'user-data'),
    extensionsDir: path.join(tmp, 'extensions'),
    workspace: path.join(tmp, 'workspace'),
    state: path.join(tmp, 'state'),
  };
  fs.mkdirSync(path.join(dirs.userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(dirs.extensionsDir, { recursive: true });
  fs.mkdirSync(dirs.state, { recursive: true });
  const { startEmulator, emulatorUrlSettings } = require(path.join(REPO, 'out', 'src', 'emulator', 'server.js'));
  const { PROVIDER_LIST } = require(path.join(REPO, 'out', 'src', 'providers', 'index.js'));
  const emulator = await startEmulator({ port: 0, durationMs: 3000 });
  // Every provider points at the emulator from the first moment (OpenRouter at its own base path there),
  // so nothing the host does before a test's setup can reach a real provider's host.
  /** @type {Record<string, unknown>} */
  const settings = { ...TEST_SETTINGS };
  for (const p of PROVIDER_LIST) {
    for (const [key, url] of Object.entries(emulatorUrlSettings(emulator.baseUrl, p))) settings[`aiVideo.${key}`] = url;
  }
  fs.writeFileSync(path.join(dirs.userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2) + '\n');
  copyFixtures(dirs.workspace);
  // A fresh canary key per run: it must not show up in any log or output.
  const testKey = `test-key-${crypto.randomBytes(12).toString('hex')}`;
  const output = [];
  /** @type {Record<string, string>} */
  const env = {
    AIVIDEO_EXTERNAL_EMULATOR_URL: emulator.baseUrl,
    AIVIDEO_TEST_STATE_DIR: dirs.state,
    AIVIDEO_TEST_KEY: testKey,
    // A key handed to the extension host the way remote setups do (keys.test.ts); it holds the canary too.
    AIVIDEO_GATEWAY_API_KEY: `env-${testKey}`,
  };
  if (process.env.AIVIDEO_TEST_GREP) env.AIVIDEO_TEST_GREP = process.env.AIVIDEO_TEST_GREP;

  let active;
  const onSignal = (sig) => {
    console.log(`\n[host-tests] ${sig}: stopping`);
    Promise.resolve(active && active.stop())
      .then(() => emulator.close())
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let exitCode = 0;
  const sessions = [{ phase: 'main' }];
  for (let i = 0; i < sessions.length && exitCode === 0; i++) {
    const { phase } = sessions[i];
    const remaining = TIMEOUT_MS - (Date.now() - started);
    console.log(`[host-tests] session: ${phase}`);
    exitCode = await runSession({
      phase,
      dirs,
      env: { ...env, AIVIDEO_TEST_PHASE: phase },
      remaining,
      output,
      setActive: (s) => (active = s),
    });
    if (exitCode === 0 && phase === 'main' && fs.existsSync(path.join(dirs.state, 'resume-pending'))) sessions.push({ phase: 'resume' });
  }
  if (exitCode === 0) {
    // Logs and the extension's own storage (task history, downloads) must never hold the key.
    const leaks = [
      path.join(dirs.userDataDir, 'logs'),
      path.join(dirs.userDataDir, 'User', 'globalStorage', 'aivideo.ai-video-studio'),
    ].flatMap((d) => filesContaining(d, testKey));
    const printed = output.some((line) => line.includes(testKey));
    if (leaks.length || printed) {
      exitCode = 1;
      console.log(
        `\n[host-tests] FAILED: the API key appears in ${[...leaks.map((f) => path.relative(dirs.userDataDir, f)), ...(printed ? ['the extension host console'] : [])].join(', ')}`,
      );
    } else {
      console.log('[host-tests] the test API key appears in no log file and no console output');
    }
  }
  await emulator.close();
  if (process.env.AIVIDEO_KEEP_TEMP === '1') console.log(`[host-tests] kept temp folder ${tmp}`);
  else fs.rmSync(tmp, { recursive: true, force: true });
  console.log(`[host-tests] ${exitCode === 0 ? 'passed' : 'failed'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`[host-tests] ${err && err.message ? err.message : err}`);
    process.exit(1);
  },
);
