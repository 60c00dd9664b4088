#!/usr/bin/env node
// @ts-check
// `npm run package:cli`: an npm tarball of the command-line tool alone, `dist/ai-video-studio-cli-<version>.tgz`.
// It holds one bundled file (src/cli/main.ts with the core and providers inside, no runtime
// dependencies), its own minimal package.json with the `ai-video-studio` bin, the licence and a
// short README, so `npx <tarball> render …` works on a machine with only Node. Prints the tarball's path.
'use strict';

const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const esbuild = require('esbuild');

const REPO = path.resolve(__dirname, '..');
// The same options as the repository build (not type-checked here: esbuild.js is not part of scripts/).
const { cliOptions } = require(path.join(REPO, 'esbuild.js'));
const NAME = 'ai-video-studio-cli';

async function main() {
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'aivideo-cli-pack-'));
  try {
    await esbuild.build({ ...cliOptions(true), outfile: path.join(stage, 'cli.js') });
    fs.chmodSync(path.join(stage, 'cli.js'), 0o755);
    const pkg = {
      name: NAME,
      version: manifest.version,
      description: 'Render AI video storyboards from Markdown in CI: the AI Video Studio command line.',
      license: manifest.license,
      bin: { 'ai-video-studio': 'cli.js' },
      files: ['cli.js'],
      engines: { node: '>=20' },
    };
    fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
    fs.copyFileSync(path.join(REPO, 'LICENSE'), path.join(stage, 'LICENSE'));
    fs.writeFileSync(
      path.join(stage, 'README.md'),
      [
        '# ai-video-studio (command line)',
        '',
        'Renders the storyboard in a Markdown file the way AI Video Studio does in VS Code, with the same lockfile.',
        '',
        '```sh',
        'ai-video-studio render film.md --dry-run',
        'ai-video-studio render film.md --yes --budget 5',
        'ai-video-studio --help',
        '```',
        '',
      ].join('\n'),
    );
    const dest = path.join(REPO, 'dist');
    fs.mkdirSync(dest, { recursive: true });
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dest], {
      cwd: stage,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      shell: process.platform === 'win32',
    });
    const [{ filename }] = JSON.parse(out);
    console.log(path.join(dest, filename));
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
