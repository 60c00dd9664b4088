import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

// Layers (README, "Layers"): each folder of src/ may import only what its row allows. The patterns
// match at any depth (`**/core/**`), so a file in a nested folder is held to its layer's rule.
const VSCODE = { name: 'vscode', message: 'Only src/vscode and src/extension.ts touch the VS Code API.' };
const NODE_BUILTINS = (message) => builtinModules.map((name) => ({ name, message }));
const layer = (group, message) => ({ group, message });
const NODE_PREFIX = (message) => layer(['node:*'], message);
const NO_VSCODE_FOLDER = layer(
  ['**/vscode/**', '**/extension'],
  'The VS Code adapters (src/vscode, src/extension.ts) are imported by nothing below them.',
);
const NO_PROVIDERS = layer(
  ['**/providers', '**/providers/**'],
  'core knows no provider: take the registry (src/providers/index.ts) as a parameter.',
);
const NO_WEBVIEW = layer(['**/webview/**'], 'core does not import the webview app or its protocol.');
const NO_CORE_FROM_SHARED = layer(
  ['**/core', '**/core/**', '**/emulator/**', '**/bench/**'],
  'src/shared is imported by every layer and imports none of them.',
);
const SHARED_PURE = 'src/shared is pure: no Node built-ins (it runs in the webview too).';
const BROWSER = 'The webview app runs in a browser: no Node built-ins.';

/** The import rule of one layer. */
const restrict = (paths, patterns) => ({ '@typescript-eslint/no-restricted-imports': ['error', { paths, patterns }] });

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', '.demo/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'off',
      eqeqeq: ['error', 'smart'],
      curly: ['error', 'multi-line'],
      'no-console': 'off',
    },
  },
  // shared: pure code every layer may import; it imports no layer, no Node built-in, no vscode.
  {
    files: ['src/shared/**/*.ts'],
    rules: restrict(
      [VSCODE, ...NODE_BUILTINS(SHARED_PURE)],
      [
        NODE_PREFIX(SHARED_PURE),
        NO_VSCODE_FOLDER,
        NO_CORE_FROM_SHARED,
        layer(['**/providers', '**/providers/**', '**/webview/**'], 'src/shared is imported by every layer and imports none of them.'),
      ],
    ),
  },
  // core imports nothing from providers, vscode or webview; providers never touch vscode.
  { files: ['src/core/**/*.ts'], rules: restrict([VSCODE], [NO_PROVIDERS, NO_VSCODE_FOLDER, NO_WEBVIEW]) },
  { files: ['src/providers/**/*.ts'], rules: restrict([VSCODE], [NO_VSCODE_FOLDER, NO_WEBVIEW]) },
  // The CLI runs the core and providers with Node alone: no vscode, no adapters, no webview, no test tools.
  {
    files: ['src/cli/**/*.ts'],
    rules: restrict(
      [VSCODE],
      [
        NO_VSCODE_FOLDER,
        layer(['**/webview/**', '**/emulator/**', '**/bench/**'], 'The CLI ships alone: it runs the core and providers, nothing else.'),
      ],
    ),
  },
  // The webview apps run in a browser: no Node built-ins, no vscode; they get what they show in messages.
  {
    files: ['src/webview/**/*.ts'],
    rules: restrict(
      [VSCODE, ...NODE_BUILTINS(BROWSER)],
      [
        NODE_PREFIX(BROWSER),
        NO_VSCODE_FOLDER,
        layer(
          ['**/providers', '**/providers/**', '**/core', '**/core/**'],
          'The webview gets what it shows in messages, not from core or providers.',
        ),
      ],
    ),
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        URL: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
