// The maintainer scripts the UI suite shares with `npm start`: code-server and Chromium
// (scripts/vscode-host.js), the emulator settings and the extension link (scripts/demo.js).
// scripts/ is JavaScript checked by tsc (`// @ts-check`, scripts/tsconfig.json) and is not compiled
// into out/, so it is loaded from the repository root; its types come from the files' own JSDoc.
import * as path from 'path';

import { ROOT } from '../support/paths';

function load<T>(file: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a computed path: scripts/ is not in out/
  return require(path.join(ROOT, 'scripts', file)) as T;
}

export const vscodeHost = load<typeof import('../../scripts/vscode-host')>('vscode-host.js');
export const demo = load<typeof import('../../scripts/demo')>('demo.js');
