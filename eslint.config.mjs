import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const VSCODE = { name: 'vscode', message: 'Only src/vscode and src/extension.ts touch the VS Code API.' };
const layer = (group, message) => ({ group, message });
const NO_VSCODE_FOLDER = layer(['**/vscode/*', '**/extension'], 'The VS Code adapters (src/vscode, src/extension.ts) are imported by nothing below them.');
const NO_PROVIDERS = layer(['**/providers', '**/providers/*'], 'core knows no provider: take the registry (src/providers/index.ts) as a parameter.');
const NO_WEBVIEW = layer(['**/webview/*'], 'core does not import the webview app or its protocol.');

/** The import rule of one layer (README, "Layers"). */
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
  // Layers: core imports nothing from providers, vscode or webview; providers never touch vscode;
  // the webview app runs in a browser: no Node built-ins, no vscode.
  { files: ['src/core/**/*.ts'], rules: restrict([VSCODE], [NO_PROVIDERS, NO_VSCODE_FOLDER, NO_WEBVIEW]) },
  { files: ['src/providers/**/*.ts'], rules: restrict([VSCODE], [NO_VSCODE_FOLDER, NO_WEBVIEW]) },
  {
    files: ['src/webview/**/*.ts'],
    rules: restrict(
      [VSCODE, ...builtinModules.map((name) => ({ name, message: 'The webview app runs in a browser: no Node built-ins.' }))],
      [layer(['node:*'], 'The webview app runs in a browser: no Node built-ins.'), NO_VSCODE_FOLDER, layer(['**/providers', '**/providers/*'], 'The webview gets what it shows in messages, not from providers.')],
    ),
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
