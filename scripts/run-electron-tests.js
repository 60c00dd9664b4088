#!/usr/bin/env node
// @ts-check
// Runs the integration suite (out/test/integration/index.js, the same entry as run-host-tests.js)
// in desktop VS Code through @vscode/test-electron.
//
// Env:
//   VSCODE_EXECUTABLE_PATH   a local desktop VS Code executable (otherwise it is downloaded into
//                            .vscode-test/, which needs internet access)
//   VSCODE_VERSION           version to download (default "stable")
//   AIVIDEO_TEST_GREP        only run tests whose full title matches
// Headless Linux needs a display: without DISPLAY this re-runs itself under `xvfb-run -a` when
// that exists.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const REPO = path.resolve(__dirname, '..');
const TESTS_ENTRY = path.join(REPO, 'out', 'test', 'integration', 'index.js');
const FIXTURES = path.join(REPO, 'test', 'fixtures');

function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

async function resolveExecutable() {
  const fromEnv = process.env.VSCODE_EXECUTABLE_PATH;
  if (fromEnv) {
    if (!fs.existsSync(fromEnv)) throw new Error(`VSCODE_EXECUTABLE_PATH points at ${fromEnv}, which does not exist.`);
    return fromEnv;
  }
  const { downloadAndUnzipVSCode } = require('@vscode/test-electron');
  try {
    return await downloadAndUnzipVSCode({
      version: process.env.VSCODE_VERSION || 'stable',
      cachePath: path.join(REPO, '.vscode-test'),
      timeout: 20000,
    });
  } catch (e) {
    const reason = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new Error(
      `Desktop VS Code is not available: it cannot be downloaded from here (${reason}), so set VSCODE_EXECUTABLE_PATH to a local VS Code executable (the Electron binary in the install folder, e.g. <install dir>/code, not the bin/code launcher) or run the same suite offline with \`npm run test:host\`.`,
    );
  }
}

async function main() {
  if (!fs.existsSync(TESTS_ENTRY)) {
    throw new Error(`${path.relative(REPO, TESTS_ENTRY)} is missing: build first (node esbuild.js), or use npm run test:electron`);
  }
  const vscodeExecutablePath = await resolveExecutable();
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY && !process.env.AIVIDEO_UNDER_XVFB) {
    if (onPath('xvfb-run')) {
      const r = spawnSync('xvfb-run', ['-a', process.execPath, __filename, ...process.argv.slice(2)], {
        stdio: 'inherit',
        env: { ...process.env, AIVIDEO_UNDER_XVFB: '1' },
      });
      return r.status === null ? 1 : r.status;
    }
    console.warn('[electron-tests] no DISPLAY and no xvfb-run: desktop VS Code will probably fail to start (apt-get install xvfb)');
  }

  const { runTests } = require('@vscode/test-electron');

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aivideo-electron-'));
  const workspace = path.join(tmp, 'workspace');
  const userDataDir = path.join(tmp, 'user-data');
  const extensionsDir = path.join(tmp, 'extensions');
  fs.mkdirSync(workspace, { recursive: true });
  if (fs.existsSync(FIXTURES)) {
    for (const name of fs.readdirSync(FIXTURES)) fs.cpSync(path.join(FIXTURES, name), path.join(workspace, name), { recursive: true });
  }
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify(
      { 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'update.mode': 'none', 'git.enabled': false },
      null,
      2,
    ),
  );

  // A key from the environment, as remote setups hand them over (keys.test.ts).
  /** @type {Record<string, string>} */
  const extensionTestsEnv = { AIVIDEO_GATEWAY_API_KEY: 'env-test-key-0123456789' };
  if (process.env.AIVIDEO_TEST_GREP) extensionTestsEnv.AIVIDEO_TEST_GREP = process.env.AIVIDEO_TEST_GREP;
  try {
    await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: REPO,
      extensionTestsPath: TESTS_ENTRY,
      launchArgs: [
        workspace,
        '--disable-extensions',
        '--disable-workspace-trust',
        '--user-data-dir',
        userDataDir,
        '--extensions-dir',
        extensionsDir,
      ],
      extensionTestsEnv,
    });
    return 0;
  } catch (e) {
    console.error(`[electron-tests] ${e instanceof Error ? e.message : e}`);
    return 1;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`[electron-tests] ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  },
);
