// Builds the extension bundle (node, cjs, `vscode` external), the webview apps (browser),
// and a transpiled copy of src/ and test/ in out/ for mocha and the in-host test runner.
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Problem-matcher friendly output, as in the official esbuild sample. */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      console.log('[watch] build finished');
    });
  },
};

function listTs(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return listTs(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/**
 * The manifest's setting defaults without the `aiVideo.` prefix: the CLI (src/cli/env.ts) has no
 * settings, only environment variables, and falls back to these.
 */
function settingDefaults() {
  const properties = require('./package.json').contributes.configuration.properties;
  const out = {};
  for (const [key, schema] of Object.entries(properties)) {
    if (schema.default !== undefined && (typeof schema.default !== 'object' || Array.isArray(schema.default)))
      out[key.replace(/^aiVideo\./, '')] = schema.default;
  }
  return { AIVIDEO_SETTING_DEFAULTS: JSON.stringify(out) };
}

/** The command-line tool (`ai-video-studio`): one file with no runtime dependencies, run by Node alone. */
function cliOptions(isProduction) {
  return {
    absWorkingDir: __dirname,
    minify: isProduction,
    sourcemap: false,
    logLevel: 'silent',
    entryPoints: ['src/cli/main.ts'],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
    define: settingDefaults(),
  };
}

/** The extension host bundle (the benchmark builds it in memory to measure it). */
function extensionOptions(isProduction) {
  return {
    absWorkingDir: __dirname,
    minify: isProduction,
    sourcemap: !isProduction,
    sourcesContent: false,
    logLevel: 'silent',
    entryPoints: ['src/extension.ts'],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    outfile: 'dist/extension.js',
    external: ['vscode'],
  };
}

async function main() {
  // A production build starts clean so no development source maps end up in the package.
  if (production) fs.rmSync('dist', { recursive: true, force: true });
  const common = {
    minify: production,
    sourcemap: !production,
    sourcesContent: false,
    logLevel: 'silent',
    plugins: watch ? [problemMatcher] : [],
  };
  const contexts = await Promise.all([
    esbuild.context({ ...extensionOptions(production), plugins: common.plugins }),
    esbuild.context({ ...cliOptions(production), plugins: common.plugins }),
    esbuild.context({
      ...common,
      // One bundle per webview app: dist/webview/<name>.js.
      entryPoints: {
        player: 'src/webview/player/main.ts',
        gallery: 'src/webview/gallery/main.ts',
        compare: 'src/webview/compare/main.ts',
        spending: 'src/webview/spending/main.ts',
      },
      bundle: true,
      format: 'iife',
      platform: 'browser',
      target: 'es2022',
      outdir: 'dist/webview',
    }),
    // Unbundled transpile of everything, for plain-Node unit tests, the emulator CLI and the in-host suite.
    esbuild.context({
      ...common,
      minify: false,
      sourcemap: true,
      entryPoints: [...listTs('src'), ...listTs('test')],
      bundle: false,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      outdir: 'out',
      outbase: '.',
      define: settingDefaults(),
    }),
  ]);
  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
    return;
  }
  const results = await Promise.all(contexts.map((c) => c.rebuild().catch((e) => e)));
  await Promise.all(contexts.map((c) => c.dispose()));
  const failed = results.filter((r) => r instanceof Error || (r.errors && r.errors.length));
  if (failed.length) {
    for (const f of failed) console.error(f.message ?? f.errors);
    process.exit(1);
  }
}

module.exports = { extensionOptions, cliOptions };

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
