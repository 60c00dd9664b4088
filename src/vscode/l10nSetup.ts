// Hands VS Code's translation bundle to @vscode/l10n, which core, providers and the vscode-free
// host modules use (they may not import `vscode`). extension.ts imports this first, so the bundle
// is in place before any other module builds a string; VS Code loads it before the extension.
import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';

if (vscode.l10n.bundle) l10n.config({ contents: vscode.l10n.bundle });
