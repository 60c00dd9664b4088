import * as assert from 'assert';
import * as path from 'path';
import { ESLint } from 'eslint';

import { ROOT } from '../support/paths';

const RULE = '@typescript-eslint/no-restricted-imports';

/** The layer-rule errors ESLint (this repository's config) reports for `code` as if it were the file at `file`. */
async function layerErrors(file: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT });
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return result.messages.filter((m) => m.ruleId === RULE).map((m) => m.message);
}

// Every probe sits in a nested folder: the rules hold at any depth, not only for a layer's top files.
describe('layer rules (eslint.config.mjs)', function () {
  this.timeout(60_000);

  it('src/shared imports no layer, no Node built-in and not vscode', async function () {
    const file = 'src/shared/deeper/layerProbe.ts';
    for (const mod of ['fs', 'path', 'node:crypto', 'fs/promises']) {
      assert.match((await layerErrors(file, `import * as m from '${mod}';\nexport const x = m;\n`)).join('\n'), /pure/, mod);
    }
    assert.match((await layerErrors(file, "import * as vscode from 'vscode';\nexport const x = vscode;\n")).join('\n'), /VS Code API/);
    assert.match(
      (await layerErrors(file, "import { TaskEngine } from '../../core/engine/engine';\nexport const x = TaskEngine;\n")).join('\n'),
      /imports none of them/,
    );
    assert.match(
      (await layerErrors(file, "import type { Task } from '../../core/model/task';\nexport type X = Task;\n")).join('\n'),
      /imports none of them/,
    );
    assert.match(
      (await layerErrors(file, "import { PROVIDERS } from '../../providers';\nexport const x = PROVIDERS;\n")).join('\n'),
      /imports none of them/,
    );
    assert.match(
      (
        await layerErrors(file, "import { isGalleryTask } from '../../webview/gallery/galleryProtocol';\nexport const x = isGalleryTask;\n")
      ).join('\n'),
      /imports none of them/,
    );
    assert.match((await layerErrors(file, "export { saveFolder } from '../../vscode/config';\n")).join('\n'), /adapters/);
    assert.deepStrictEqual(
      await layerErrors(file, "import * as l10n from '@vscode/l10n';\nimport { obj } from '../json';\nexport const x = [l10n, obj];\n"),
      [],
    );
  });

  it('src/core may not import vscode, providers, the adapters or the webview', async function () {
    const file = 'src/core/engine/layerProbe.ts';
    assert.match((await layerErrors(file, "import * as vscode from 'vscode';\nexport const x = vscode;\n")).join('\n'), /VS Code API/);
    assert.match(
      (await layerErrors(file, "import { PROVIDERS } from '../../providers';\nexport const x = PROVIDERS;\n")).join('\n'),
      /core knows no provider/,
    );
    assert.match(
      (await layerErrors(file, "import type { X } from '../../providers/clientKit';\nexport type Y = X;\n")).join('\n'),
      /core knows no provider/,
    );
    assert.match((await layerErrors(file, "export { saveFolder } from '../../vscode/config';\n")).join('\n'), /adapters/);
    assert.match((await layerErrors(file, "export { x } from '../../vscode/panels/player/playerPanel';\n")).join('\n'), /adapters/);
    assert.match(
      (
        await layerErrors(file, "import type { PlayerMeta } from '../../webview/player/playerProtocol';\nexport type X = PlayerMeta;\n")
      ).join('\n'),
      /webview/,
    );
    assert.deepStrictEqual(
      await layerErrors(
        file,
        "import * as fs from 'fs';\nimport { ProviderError } from '../model/errors';\nimport { obj } from '../../shared/json';\nexport const x = [fs, ProviderError, obj];\n",
      ),
      [],
    );
  });

  it('src/providers may import core and shared but not vscode or the adapters', async function () {
    const file = 'src/providers/nested/layerProbe.ts';
    assert.strictEqual((await layerErrors(file, "import { window } from 'vscode';\nexport const x = window;\n")).length, 1);
    assert.strictEqual(
      (await layerErrors(file, "import { checkedBaseUrl } from '../../vscode/config';\nexport const x = checkedBaseUrl;\n")).length,
      1,
    );
    assert.strictEqual((await layerErrors(file, "import { x } from '../../vscode/keys/secretKeys';\nexport const y = x;\n")).length, 1);
    assert.deepStrictEqual(
      await layerErrors(
        file,
        "import { requestJson } from '../../core/net/http';\nimport { str } from '../../shared/json';\nexport const x = [requestJson, str];\n",
      ),
      [],
    );
  });

  it('src/cli may import core, providers, shared and Node but not vscode, the adapters, the webview or the emulator', async function () {
    const file = 'src/cli/nested/layerProbe.ts';
    assert.match((await layerErrors(file, "import * as vscode from 'vscode';\nexport const x = vscode;\n")).join('\n'), /VS Code API/);
    assert.match((await layerErrors(file, "export { saveFolder } from '../../vscode/config';\n")).join('\n'), /adapters/);
    assert.match((await layerErrors(file, "export { startEmulator } from '../../emulator/server';\n")).join('\n'), /ships alone/);
    assert.match(
      (
        await layerErrors(file, "import type { PlayerMeta } from '../../webview/player/playerProtocol';\nexport type X = PlayerMeta;\n")
      ).join('\n'),
      /ships alone/,
    );
    assert.deepStrictEqual(
      await layerErrors(
        file,
        "import * as fs from 'fs';\nimport { TaskEngine } from '../../core/engine/engine';\nimport { PROVIDERS } from '../../providers';\nimport { obj } from '../../shared/json';\nexport const x = [fs, TaskEngine, PROVIDERS, obj];\n",
      ),
      [],
    );
  });

  it('src/webview may import no Node built-in, not vscode, and nothing from core or providers', async function () {
    const file = 'src/webview/player/deeper/layerProbe.ts';
    for (const mod of ['fs', 'path', 'crypto', 'http', 'child_process', 'os', 'node:fs', 'fs/promises']) {
      assert.match((await layerErrors(file, `import * as m from '${mod}';\nexport const x = m;\n`)).join('\n'), /browser/, mod);
    }
    assert.strictEqual((await layerErrors(file, "import * as vscode from 'vscode';\nexport const x = vscode;\n")).length, 1);
    assert.match(
      (await layerErrors(file, "import type { Task } from '../../../core/model/task';\nexport type X = Task;\n")).join('\n'),
      /messages/,
    );
    assert.match(
      (await layerErrors(file, "import { PROVIDERS } from '../../../providers';\nexport const x = PROVIDERS;\n")).join('\n'),
      /messages/,
    );
    assert.deepStrictEqual(
      await layerErrors(
        file,
        "import { isHostMessage } from '../playerProtocol';\nimport { formatElapsed } from '../../../shared/time';\nexport const x = [isHostMessage, formatElapsed];\n",
      ),
      [],
    );
  });
});
