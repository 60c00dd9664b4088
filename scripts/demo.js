#!/usr/bin/env node
// @ts-check
// `npm start`: a clickable demo of the extension against the local provider emulator, offline.
//
//   node scripts/demo.js [--port 8080] [--emulator-port 0] [--desktop] [--no-check]
//
// Starts the emulator in this process, writes .demo/user-data/User/settings.json so that every
// provider's base URL (from the registry, out/src/providers) points at it, and starts code-server (a real VS Code in the browser, see
// scripts/vscode-host.js) with the extension installed as a symlink to this repository, so a
// rebuild (`npm run build`) plus "Developer: Reload Window" picks up changes.
// `--desktop` opens desktop VS Code instead when a `code` executable exists.
/* global setInterval */
'use strict';

const fs = require('fs');
const path = require('path');
const { spawn, execFileSync } = require('child_process');
const { ensureCodeServer, startCodeServer, findPortFrom, launchChromium, chromiumPath, REPO } = require('./vscode-host');

const MANIFEST = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
const EXTENSION_ID = `${MANIFEST.publisher}.${MANIFEST.name}`;
const EMULATOR_MODULE = path.join(REPO, 'out', 'src', 'emulator', 'server.js');
const REGISTRY_MODULE = path.join(REPO, 'out', 'src', 'providers', 'index.js');
const FIXTURES = path.join(REPO, 'test', 'fixtures');
const MEDIA_EXT = /\.(png|jpe?g|webp|gif|mp4|webm|mov)$/i;

/** Settings that make VS Code quiet in a demo; only written when the user has not set them. */
const DEFAULT_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.openRepositoryInParentFolders': 'never',
};

/** @param {string[]} argv */
function parseArgs(argv) {
  const opts = { port: 8080, emulatorPort: 0, desktop: false, check: true, help: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].includes('=') ? argv[i].split(/=(.*)/s) : [argv[i], undefined];
    const num = () => {
      const v = inline !== undefined ? inline : argv[++i];
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${flag} needs a port number, got ${v}`);
      return n;
    };
    if (flag === '--port') opts.port = num();
    else if (flag === '--emulator-port') opts.emulatorPort = num();
    else if (flag === '--desktop') opts.desktop = true;
    else if (flag === '--no-check') opts.check = false;
    else if (flag === '--help' || flag === '-h') opts.help = true;
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return opts;
}

/**
 * JSON with comments and trailing commas (VS Code's settings.json dialect) -> object.
 * @param {string} text
 * @returns {unknown}
 */
function parseJsonc(text) {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      i = text.indexOf('*/', i + 2);
      if (i < 0) break;
      i++;
    } else {
      out += c;
    }
  }
  out = out.replace(/,(\s*[}\]])/g, '$1');
  return out.trim() ? JSON.parse(out) : {};
}

/**
 * Merges the emulator settings into `<userDataDir>/User/settings.json`, keeping everything else
 * the user set there in earlier runs.
 * @param {string} userDataDir
 * @param {string} emulatorBaseUrl
 * @returns {string} the settings file
 */
function writeSettings(userDataDir, emulatorBaseUrl) {
  const file = path.join(userDataDir, 'User', 'settings.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  /** @type {object} */
  let current = {};
  if (fs.existsSync(file)) {
    try {
      const parsed = parseJsonc(fs.readFileSync(file, 'utf8'));
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      current = parsed;
    } catch (e) {
      const backup = `${file}.bak`;
      fs.copyFileSync(file, backup);
      const reason = e instanceof Error ? e.message : e;
      console.warn(
        `[demo] could not read ${path.relative(REPO, file)} (${reason}); saved it as ${path.basename(backup)} and started fresh`,
      );
      current = {};
    }
  }
  /** @type {Record<string, unknown>} */
  const merged = { ...DEFAULT_SETTINGS, ...current };
  // Each provider at its own base path on the emulator (OpenRouter's is /openrouter/api/v1): nothing reaches a real host.
  const baseOf = require(EMULATOR_MODULE).emulatorBaseUrl;
  for (const p of providers()) merged[`aiVideo.${p.settings.baseUrl}`] = baseOf(emulatorBaseUrl, p.id);
  merged['aiVideo.pollIntervalSeconds'] = 2;
  fs.writeFileSync(file, JSON.stringify(merged, null, 2) + '\n');
  return file;
}

/**
 * Copies the fixture images and videos into the demo workspace (existing files are refreshed).
 * @param {string} workspace
 * @returns {string[]} the names copied
 */
function copyFixtureMedia(workspace) {
  fs.mkdirSync(workspace, { recursive: true });
  if (!fs.existsSync(FIXTURES)) return [];
  const names = fs.readdirSync(FIXTURES).filter((n) => MEDIA_EXT.test(n) && fs.statSync(path.join(FIXTURES, n)).isFile());
  for (const name of names) fs.copyFileSync(path.join(FIXTURES, name), path.join(workspace, name));
  return names;
}

/**
 * Installs the extension into code-server's extensions folder as a symlink to the repository
 * (`<id>-<version>` -> repo). code-server 4.100.3 scans the folder at start and records the
 * extension in extensions.json itself. Stale links of other versions are removed.
 * @param {string} extensionsDir
 * @returns {string} the link
 */
function linkExtension(extensionsDir) {
  fs.mkdirSync(extensionsDir, { recursive: true });
  const linkName = `${EXTENSION_ID}-${MANIFEST.version}`;
  const link = path.join(extensionsDir, linkName);
  for (const name of fs.readdirSync(extensionsDir)) {
    if (name.toLowerCase().startsWith(`${EXTENSION_ID}-`) && name !== linkName) {
      fs.rmSync(path.join(extensionsDir, name), { recursive: true, force: true });
    }
  }
  let ok = false;
  try {
    ok = fs.lstatSync(link).isSymbolicLink() && fs.realpathSync(link) === fs.realpathSync(REPO);
  } catch {
    ok = false;
  }
  if (!ok) {
    fs.rmSync(link, { recursive: true, force: true });
    fs.symlinkSync(REPO, link, 'dir');
  }
  // Drop entries of other versions of this extension from the profile's list.
  const listFile = path.join(extensionsDir, 'extensions.json');
  if (fs.existsSync(listFile)) {
    try {
      /** @type {{ identifier?: { id?: string }, relativeLocation?: string }[]} */
      const list = JSON.parse(fs.readFileSync(listFile, 'utf8'));
      const kept = list.filter(
        (e) => !(e && e.identifier && String(e.identifier.id).toLowerCase() === EXTENSION_ID && e.relativeLocation !== linkName),
      );
      if (kept.length !== list.length) fs.writeFileSync(listFile, JSON.stringify(kept));
    } catch {
      fs.rmSync(listFile, { force: true }); // code-server rebuilds it from the folder
    }
  }
  return link;
}

/**
 * The registered providers (descriptors), from the build.
 * @returns {typeof import('../src/providers').PROVIDER_LIST}
 */
function providers() {
  if (!fs.existsSync(REGISTRY_MODULE)) throw new Error(`${path.relative(REPO, REGISTRY_MODULE)} is missing: build first (node esbuild.js)`);
  return require(REGISTRY_MODULE).PROVIDER_LIST;
}

/**
 * @param {number} port
 * @returns {Promise<Emulator>}
 */
async function startEmulator(port) {
  if (!fs.existsSync(EMULATOR_MODULE)) {
    throw new Error(`${path.relative(REPO, EMULATOR_MODULE)} is missing: build first (npm start builds, or node esbuild.js)`);
  }
  /** @type {typeof import('../src/emulator/server').startEmulator} */
  const start = require(EMULATOR_MODULE).startEmulator;
  return start({ port, durationMs: 20000, clips: 'generated', log: (line) => console.log(`[emulator] ${line}`) });
}

/**
 * The UI suite's compiled modules (build first): its page objects drive the workbench, and its
 * manifest helpers resolve `%key%` titles through package.nls.json as VS Code does.
 * @returns {{ Workbench: typeof import('../test/ui/pages/workbench').Workbench, manifest: typeof import('../test/support/manifest') }}
 */
function uiSuite() {
  const out = path.join(REPO, 'out', 'test');
  const workbench = path.join(out, 'ui', 'pages', 'workbench.js');
  if (!fs.existsSync(workbench)) throw new Error('out/test/ui is missing: build first (node esbuild.js)');
  return { Workbench: require(workbench).Workbench, manifest: require(path.join(out, 'support', 'manifest.js')) };
}

/**
 * Opens the command palette (F1), types `text`, returns the labels of the listed items.
 * @param {import('playwright-core').Page} page
 * @param {string} text
 * @returns {Promise<string[]>}
 */
async function paletteItems(page, text) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input').first();
  await input.waitFor({ state: 'visible', timeout: 15000 });
  await input.fill(`>${text}`);
  await page.waitForTimeout(800);
  const labels = await page.$$eval('.quick-input-list .monaco-list-row', (rows) =>
    rows.map((r) => (r.getAttribute('aria-label') || r.textContent || '').trim()),
  );
  return labels;
}

/**
 * Looks at the running demo in headless Chromium: the "AI Video" activity bar container, its
 * "Tasks" view and the extension's commands in the palette. Saves a screenshot.
 * @param {string} url
 * @param {string} screenshotFile
 */
async function verifyInBrowser(url, screenshotFile) {
  const { Workbench, manifest } = uiSuite();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60000 });
    await new Workbench(page).openAiVideoView();
    const commands = await paletteItems(page, 'AI Video');
    fs.mkdirSync(path.dirname(screenshotFile), { recursive: true });
    await page.screenshot({ path: screenshotFile });
    await page.keyboard.press('Escape');
    // Commands with a commandPalette `when` clause may be hidden right now; expect the others, by
    // their titles as the palette shows them ("AI Video: Generate Video…", not "%command.generate.title%").
    const { manifest: json, nls } = manifest.repoManifest();
    return { commands, missing: manifest.missingFromPalette(commands, json, nls) };
  } finally {
    await browser.close().catch(() => undefined);
  }
}

function findDesktopCode() {
  if (process.env.VSCODE_EXECUTABLE_PATH && fs.existsSync(process.env.VSCODE_EXECUTABLE_PATH)) return process.env.VSCODE_EXECUTABLE_PATH;
  try {
    const found = execFileSync('sh', ['-c', 'command -v code'], { encoding: 'utf8' }).trim();
    return found || undefined;
  } catch {
    return undefined;
  }
}

/** @typedef {Awaited<ReturnType<typeof import('../src/emulator/server').startEmulator>>} Emulator */

/**
 * Starts the emulator, prepares `<root>/` and starts code-server with the extension. Used by screenshot.js too.
 * `prepare({ emulator, userDataDir })`, when given, runs before VS Code starts (e.g. to seed a task history).
 * @param {{ root: string, port: number, emulatorPort?: number, quiet?: boolean,
 *   prepare?: (o: { emulator: Emulator, userDataDir: string }) => Promise<void> }} options
 */
async function startDemo({ root, port, emulatorPort = 0, quiet = false, prepare }) {
  const emulator = await startEmulator(emulatorPort);
  const userDataDir = path.join(root, 'user-data');
  const extensionsDir = path.join(root, 'extensions');
  const workspace = path.join(root, 'workspace');
  writeSettings(userDataDir, emulator.baseUrl);
  if (prepare) {
    try {
      await prepare({ emulator, userDataDir });
    } catch (e) {
      await emulator.close().catch(() => undefined);
      throw e;
    }
  }
  copyFixtureMedia(workspace);
  linkExtension(extensionsDir);
  fs.mkdirSync(root, { recursive: true });
  const logFile = path.join(root, 'code-server.log');
  const logStream = fs.createWriteStream(logFile, { flags: 'w' });
  let server;
  try {
    server = await startCodeServer({
      port,
      userDataDir,
      extensionsDir,
      folder: workspace,
      onOutput: (text) => logStream.write(text),
      echo: !quiet && process.env.AIVIDEO_DEMO_VERBOSE === '1',
    });
  } catch (e) {
    await emulator.close().catch(() => undefined);
    logStream.end();
    throw e;
  }
  let stopped = false;
  return {
    url: server.url,
    emulator,
    server,
    workspace,
    userDataDir,
    logFile,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop().catch(() => undefined);
      await emulator.close().catch(() => undefined);
      logStream.end();
    },
  };
}

function printUsage() {
  console.log(`Usage: npm start -- [--port 8080] [--emulator-port N] [--desktop] [--no-check]
  --port           code-server port on 127.0.0.1 (default 8080, or the next free one)
  --emulator-port  provider emulator port (default: any free port)
  --desktop        open desktop VS Code (\`code\` on PATH or VSCODE_EXECUTABLE_PATH) instead of code-server
  --no-check       skip the headless-browser check of the UI`);
}

/** @param {string} emulatorUrl */
function printHints(emulatorUrl) {
  console.log(
    `  Provider emulator:   ${emulatorUrl}  (${providers()
      .map((p) => p.label)
      .join(', ')}; tasks finish after about 20 s)`,
  );
  console.log('  API keys:            enter any key when asked; prompts containing [fail], [reject] or [never] show the failure paths');
  console.log('  Settings:            every aiVideo.*.baseUrl setting points at the emulator, aiVideo.pollIntervalSeconds = 2');
}

/**
 * @param {string} codeExe
 * @param {ReturnType<typeof parseArgs>} opts
 */
async function runDesktop(codeExe, opts) {
  const root = path.join(REPO, '.demo');
  const emulator = await startEmulator(opts.emulatorPort);
  const userDataDir = path.join(root, 'desktop-user');
  const extensionsDir = path.join(root, 'desktop-ext');
  const workspace = path.join(root, 'workspace');
  writeSettings(userDataDir, emulator.baseUrl);
  copyFixtureMedia(workspace);
  fs.mkdirSync(extensionsDir, { recursive: true });
  const args = [
    `--extensionDevelopmentPath=${REPO}`,
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    '--wait',
    '--new-window',
    workspace,
  ];
  console.log(`\n[demo] starting desktop VS Code: ${codeExe} ${args.join(' ')}\n`);
  printHints(emulator.baseUrl);
  console.log('  Stop:                close the VS Code window or press Ctrl+C here\n');
  const child = spawn(codeExe, args, { stdio: 'inherit' });
  /** @param {number} code */
  const stop = async (code) => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await emulator.close().catch(() => undefined);
    process.exit(code);
  };
  process.once('SIGINT', () => stop(130));
  process.once('SIGTERM', () => stop(143));
  child.on('error', (e) => {
    console.error(`[demo] could not start ${codeExe}: ${e.message}`);
    stop(1);
  });
  child.on('exit', (code) => stop(code || 0));
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`[demo] ${e instanceof Error ? e.message : e}`);
    printUsage();
    return process.exit(2);
  }
  if (opts.help) {
    printUsage();
    return;
  }
  if (opts.desktop) {
    const codeExe = findDesktopCode();
    if (codeExe) return runDesktop(codeExe, opts);
    console.log(
      '[demo] desktop VS Code is not installed (no `code` on PATH, VSCODE_EXECUTABLE_PATH not set): using code-server in the browser instead.',
    );
  }

  await ensureCodeServer();
  const port = await findPortFrom(opts.port || 8080);
  if (opts.port && port !== opts.port) console.log(`[demo] port ${opts.port} is busy, using ${port}`);
  const root = path.join(REPO, '.demo');
  const demo = await startDemo({ root, port, emulatorPort: opts.emulatorPort });

  let stopping = false;
  /** @param {number} code */
  const shutdown = async (code) => {
    if (stopping) return;
    stopping = true;
    console.log('\n[demo] stopping code-server and the emulator…');
    await demo.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => shutdown(0));
  process.on('SIGTERM', () => shutdown(0));
  demo.server.exited.then(({ code }) => {
    if (!stopping) {
      console.error(`[demo] code-server exited unexpectedly (code ${code}); its output is in ${path.relative(REPO, demo.logFile)}`);
      shutdown(1);
    }
  });

  if (opts.check) {
    if (!fs.existsSync(chromiumPath())) {
      console.log(`[demo] UI check skipped: no Chromium at ${chromiumPath()} (set CHROMIUM_PATH)`);
    } else {
      const shot = path.join(REPO, 'test-results', 'demo.png');
      try {
        const { commands, missing } = await verifyInBrowser(demo.url, shot);
        if (missing.length) console.warn(`[demo] warning: commands missing from the palette: ${missing.join(', ')}`);
        console.log(
          `[demo] UI check passed: "AI Video" view container and ${commands.length} AI Video commands are there (screenshot: ${path.relative(REPO, shot)})`,
        );
      } catch (e) {
        const reason = String(e instanceof Error ? e.message : e).split('\n')[0];
        console.warn(`[demo] warning: UI check failed (${reason}); code-server keeps running, see ${path.relative(REPO, demo.logFile)}`);
      }
    }
  }

  console.log('');
  console.log('  AI Video Studio demo is running.');
  console.log('');
  console.log(`  Open in your browser: ${demo.url}`);
  console.log('                        (click the film icon "AI Video" in the activity bar on the left)');
  printHints(demo.emulator.baseUrl);
  console.log(
    `  Workspace:           ${path.relative(REPO, demo.workspace)}/ (fixture images and videos; right-click one to generate from it)`,
  );
  console.log(`  code-server log:     ${path.relative(REPO, demo.logFile)}`);
  console.log('  After a rebuild (npm run build), run "Developer: Reload Window" in the page to load the new code.');
  console.log('  Stop:                Ctrl+C');
  console.log('');
  // Keep the event loop alive until Ctrl+C (the servers keep it alive too; this is belt and braces).
  setInterval(() => undefined, 1 << 30);
}

module.exports = { startDemo, uiSuite, paletteItems, writeSettings, linkExtension, copyFixtureMedia, parseJsonc, providers, EXTENSION_ID };

if (require.main === module) {
  main().catch((e) => {
    console.error(`[demo] ${e && e.stack ? e.stack : e}`);
    process.exit(1);
  });
}
