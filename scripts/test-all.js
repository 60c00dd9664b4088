#!/usr/bin/env node
// @ts-check
// `npm test`: type check, lint, a production build, unit tests in plain Node, the integration suite inside
// a real VS Code extension host, then the UI end-to-end tests (test/ui). Stops at the
// first failing step and ends with one line that totals the tests of every step.
'use strict';

const { spawn } = require('child_process');
const path = require('path');

const REPO = path.resolve(__dirname, '..');
const npx = (args) => ['npx', ['--no-install', ...args]];
const STEPS = [
  { name: 'typecheck', cmd: npx(['tsc', '-p', '.', '--noEmit']) },
  // The webview app on its own: browser types, no Node types.
  { name: 'typecheck webview', cmd: npx(['tsc', '-p', 'src/webview', '--noEmit']) },
  // The UI suite (DOM types for what it runs in the page) and the maintainer scripts (JS, `// @ts-check`).
  { name: 'typecheck ui', cmd: npx(['tsc', '-p', 'test/ui', '--noEmit']) },
  { name: 'typecheck scripts', cmd: npx(['tsc', '--noEmit', '--allowJs', '--checkJs', '-p', 'scripts']) },
  { name: 'lint', cmd: npx(['eslint', 'src', 'test', 'scripts', 'esbuild.js']) },
  // Formatting (prettier, .prettierrc.json): `npm run format` writes it.
  { name: 'format', cmd: npx(['prettier', '--check', 'src', 'test', 'scripts', 'media', 'esbuild.js', 'eslint.config.mjs']) },
  // The production bundle: the in-host and UI suites run what the package ships.
  { name: 'build', cmd: ['node', ['esbuild.js', '--production']] },
  // The host runner relays mocha's own lines too: only its "N passed, N failed" lines are counted.
  { name: 'unit', cmd: npx(['mocha']), counts: 'mocha' },
  { name: 'host', cmd: ['node', ['scripts/run-host-tests.js']], counts: 'plain' },
  // The workbench driven like a user (command palette, quick picks, Tasks view, player webview).
  { name: 'ui', cmd: ['node', ['out/test/ui/run.js']], counts: 'plain' },
];

function run(step) {
  return new Promise((resolve) => {
    const started = Date.now();
    const counts = { passed: 0, failed: 0, pending: 0 };
    const child = spawn(step.cmd[0], step.cmd[1], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) count(line, counts, step.counts);
    });
    child.on('close', (code) => {
      if (buffered) count(buffered, counts, step.counts);
      resolve({ code: code ?? 1, counts, seconds: (Date.now() - started) / 1000 });
    });
  });
}

/** Mocha's "N passing" / "N failing" / "N pending", and the host runner's "N passed, N failed" lines. */
function count(line, counts, kind) {
  let m;
  if (!kind) return;
  if (kind === 'mocha') {
    if ((m = /^\s*(\d+) passing\b/.exec(line))) counts.passed += Number(m[1]);
    else if ((m = /^\s*(\d+) failing\b/.exec(line))) counts.failed += Number(m[1]);
    else if ((m = /^\s*(\d+) pending\b/.exec(line))) counts.pending += Number(m[1]);
  } else if ((m = /^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/.exec(line.trim()))) {
    counts.passed += Number(m[1]);
    counts.failed += Number(m[2]);
    counts.pending += Number(m[3] ?? 0);
  }
}

async function main() {
  const total = { passed: 0, failed: 0, pending: 0 };
  const report = [];
  let failedStep;
  for (const step of STEPS) {
    console.log(`\n=== ${step.name} ===`);
    const r = await run(step);
    total.passed += r.counts.passed;
    total.failed += r.counts.failed;
    total.pending += r.counts.pending;
    report.push(
      `${step.name} ${r.code === 0 ? 'ok' : `FAILED (exit ${r.code})`} in ${r.seconds.toFixed(1)} s${r.counts.passed || r.counts.failed ? ` (${r.counts.passed} passed, ${r.counts.failed} failed)` : ''}`,
    );
    if (r.code !== 0) {
      failedStep = step.name;
      if (total.failed === 0) total.failed = 1; // a step that failed without a test count still fails the run
      break;
    }
  }
  console.log(`\n${report.join('\n')}`);
  console.log(`all: ${total.passed} passed, ${total.failed} failed${total.pending ? `, ${total.pending} skipped` : ''}`);
  process.exit(failedStep ? 1 : 0);
}

main();
