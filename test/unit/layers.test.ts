import * as assert from 'assert';
import { ESLint } from 'eslint';
import * as path from 'path';
import { ROOT } from '../support/paths';

const RULE = '@typescript-eslint/no-restricted-imports';

/** The layer-rule errors ESLint (this repository's config) reports for `code` as if it were the file at `file`. */
async function layerErrors(file: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT });
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return result.messages.filter((m) => m.ruleId === RULE).map((m) => m.message);
}

describe('layer rules (eslint.config.mjs)', function () {
  this.timeout(60_000);

  it('src/core may not import vscode, providers, the adapters or the webview', async function () {
    const file = 'src/core/layerProbe.ts';
    assert.match((await layerErrors(file, "import * as vscode from 'vscode';\nexport const x = vscode;\n")).join('\n'), /VS Code API/);
    assert.match((await layerErrors(file, "import { PROVIDERS } from '../providers';\nexport const x = PROVIDERS;\n")).join('\n'), /core knows no provider/);
    assert.match((await layerErrors(file, "import type { ProviderDescriptor } from '../providers/provider';\nexport type X = ProviderDescriptor;\n")).join('\n'), /core knows no provider/);
    assert.match((await layerErrors(file, "export { saveFolder } from '../vscode/config';\n")).join('\n'), /adapters/);
    assert.match((await layerErrors(file, "import type { PlayerMeta } from '../webview/protocol';\nexport type X = PlayerMeta;\n")).join('\n'), /webview/);
    assert.deepStrictEqual(await layerErrors(file, "import * as fs from 'fs';\nimport { ProviderError } from './errors';\nexport const x = [fs, ProviderError];\n"), []);
  });

  it('src/providers may import core but not vscode or the adapters', async function () {
    const file = 'src/providers/layerProbe.ts';
    assert.strictEqual((await layerErrors(file, "import { window } from 'vscode';\nexport const x = window;\n")).length, 1);
    assert.strictEqual((await layerErrors(file, "import { checkedBaseUrl } from '../vscode/config';\nexport const x = checkedBaseUrl;\n")).length, 1);
    assert.deepStrictEqual(await layerErrors(file, "import { requestJson } from '../core/http';\nexport const x = requestJson;\n"), []);
  });

  it('src/webview may import no Node built-in and not vscode', async function () {
    const file = 'src/webview/player/layerProbe.ts';
    for (const mod of ['fs', 'path', 'crypto', 'http', 'child_process', 'os', 'node:fs', 'fs/promises']) {
      assert.match((await layerErrors(file, `import * as m from '${mod}';\nexport const x = m;\n`)).join('\n'), /browser/, mod);
    }
    assert.strictEqual((await layerErrors(file, "import * as vscode from 'vscode';\nexport const x = vscode;\n")).length, 1);
    assert.deepStrictEqual(await layerErrors(file, "import { isHostMessage } from '../protocol';\nexport const x = isHostMessage;\n"), []);
  });
});
