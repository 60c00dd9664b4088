import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as l10n from '@vscode/l10n';
import { getL10nJson } from '@vscode/l10n-dev';

import { modeLabel } from '../../src/core/model/task';
import { validateKeyInput } from '../../src/core/provider/keySource';
import { buildAppHtml } from '../../src/vscode/panels/appPage';
import { ROOT } from '../support/paths';

function readJson(file: string): Record<string, string> {
  return JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8')) as Record<string, string>;
}

function listTs(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return listTs(p);
    return /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Every `%key%` placeholder in the manifest, however deep. */
function manifestKeys(value: unknown, out = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    const m = /^%(.+)%$/.exec(value);
    if (m) out.add(m[1]);
  } else if (Array.isArray(value)) for (const v of value) manifestKeys(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) manifestKeys(v, out);
  return out;
}

/** What a translation must keep: `{0}`-style placeholders and command links, in any order. */
function invariants(text: string): string[] {
  return [...(text.match(/\{\d+\}|\(command:[^)]+\)/g) ?? [])].sort();
}

function compareTranslations(english: Record<string, string>, chinese: Record<string, string>, what: string): void {
  const missing = Object.keys(english).filter((k) => !(k in chinese));
  const stale = Object.keys(chinese).filter((k) => !(k in english));
  const untranslated = Object.keys(english).filter((k) => typeof chinese[k] !== 'string' || !chinese[k].trim());
  const placeholders = Object.keys(english).filter((k) => k in chinese && invariants(english[k]).join() !== invariants(chinese[k]).join());
  assert.deepStrictEqual(missing, [], `${what}: without a zh-CN entry`);
  assert.deepStrictEqual(stale, [], `${what}: zh-CN entries whose English no longer exists`);
  assert.deepStrictEqual(untranslated, [], `${what}: empty zh-CN entries`);
  assert.deepStrictEqual(placeholders, [], `${what}: placeholders or command links differ between English and zh-CN`);
}

/**
 * Why a walkthrough description's inline code would render wrong, or undefined when it is fine. The
 * walkthrough renders code between double backticks (``video``) and shows a single backtick as it
 * is, while Markdown pairs runs of equal length: so code must be written ``like this``, in pairs.
 */
function backtickProblem(text: string): string | undefined {
  const runs = text.match(/`+/g) ?? [];
  const odd = runs.find((r) => r.length !== 2);
  if (odd) return `a run of ${odd.length} backtick(s): write inline code between double backticks`;
  if (runs.length % 2 !== 0) return 'an unclosed ``';
  return undefined;
}

describe('localization (English and Simplified Chinese)', function () {
  this.timeout(60_000);

  it('every %key% of package.json is in package.nls.json and package.nls.zh-cn.json, and nothing else is', function () {
    const keys = manifestKeys(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')));
    assert.ok(keys.size >= 50, `only ${keys.size} manifest strings`);
    const english = readJson('package.nls.json');
    assert.deepStrictEqual(
      [...keys].filter((k) => !(k in english)),
      [],
      'keys without an English text',
    );
    assert.deepStrictEqual(
      Object.keys(english).filter((k) => !keys.has(k)),
      [],
      'English texts no key uses',
    );
    compareTranslations(english, readJson('package.nls.zh-cn.json'), 'package.nls');
  });

  it('no walkthrough description has an unbalanced backtick (its inline code renders as code)', function () {
    for (const file of ['package.nls.json', 'package.nls.zh-cn.json']) {
      const texts = Object.entries(readJson(file)).filter(([k]) => /^walkthrough\..*description$/.test(k));
      assert.ok(texts.length >= 6, `${file}: only ${texts.length} walkthrough descriptions`);
      const problems = texts.flatMap(([k, text]) => {
        const problem = backtickProblem(text);
        return problem ? [`${k}: ${problem}`] : [];
      });
      assert.deepStrictEqual(problems, [], file);
    }
    assert.strictEqual(
      backtickProblem('Write prompts as ```video blocks'),
      'a run of 3 backtick(s): write inline code between double backticks',
    );
    assert.strictEqual(backtickProblem('a ``video block'), 'an unclosed ``');
    assert.strictEqual(backtickProblem('a `video` block'), 'a run of 1 backtick(s): write inline code between double backticks');
    assert.strictEqual(backtickProblem('fenced ``video`` blocks'), undefined);
  });

  it('the committed English bundle is what @vscode/l10n-dev extracts from src/ now', async function () {
    const files = listTs(path.join(ROOT, 'src')).map((f) => ({ contents: fs.readFileSync(f, 'utf8'), extension: path.extname(f) }));
    const extracted = await getL10nJson(files);
    assert.ok(Object.keys(extracted).length >= 300, `only ${Object.keys(extracted).length} strings extracted`);
    assert.deepStrictEqual(readJson('l10n/bundle.l10n.json'), extracted, 'l10n/bundle.l10n.json is stale: run `npm run l10n`');
  });

  it('every bundle string has a zh-CN translation with the same placeholders, and none is stale', function () {
    compareTranslations(readJson('l10n/bundle.l10n.json'), readJson('l10n/bundle.l10n.zh-cn.json'), 'bundle.l10n');
  });

  it('a webview page carries the bundle intact for webview/l10n.ts, and nothing in English', function () {
    const page = (strings?: unknown) =>
      buildAppHtml({
        cspSource: 'vscode-webview:',
        nonce: 'n0nce',
        scriptUri: 'app.js',
        styleUris: [],
        title: 'T',
        strings,
        lang: 'zh-cn',
      });
    const bundle = readJson('l10n/bundle.l10n.zh-cn.json');
    const attr = /data-strings="([^"]*)"/.exec(page(bundle))?.[1];
    assert.ok(attr, 'no data-strings attribute');
    const unescaped = attr
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
    assert.deepStrictEqual(JSON.parse(unescaped), bundle);
    assert.match(page(bundle), /<html lang="zh-cn">/);
    assert.doesNotMatch(page(undefined), /data-strings/);
  });

  describe('@vscode/l10n with the zh-CN bundle (what core and providers see in a Chinese VS Code)', function () {
    afterEach(() => l10n.config({ contents: {} }));

    it('returns the Chinese text with its placeholders filled', function () {
      l10n.config({ contents: readJson('l10n/bundle.l10n.zh-cn.json') });
      assert.strictEqual(l10n.t('Enter the key.'), '请输入密钥。');
      assert.strictEqual(l10n.t('Saved {0}', 'clips/fox.mp4'), '已保存 clips/fox.mp4');
      assert.strictEqual(l10n.t('Choose {0} to {1} videos (you chose {2}).', 2, 4, 5), '请选择 2 到 4 个视频（你选择了 5 个）。');
      assert.strictEqual(modeLabel('text-to-video'), '文生视频');
      assert.strictEqual(validateKeyInput('has space'), '密钥不能包含空格或特殊字符。');
    });

    it('modules that build strings when they load (provider labels) read Chinese once l10nSetup ran first', function () {
      // The modules load again, as in a fresh extension host; the ones the other tests use are put back after.
      const ours = (k: string) => k.includes(`${path.sep}out${path.sep}src${path.sep}`);
      const saved = Object.entries(require.cache).filter(([k]) => ours(k));
      const fresh = (id: string) => {
        for (const k of Object.keys(require.cache)) if (ours(k)) delete require.cache[k];
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        return require(id) as unknown;
      };
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const Module = require('module') as { _load(request: string, ...rest: unknown[]): unknown };
      const load = Module._load;
      const vscode = { l10n: { bundle: readJson('l10n/bundle.l10n.zh-cn.json') } };
      Module._load = function (request: string, ...rest: unknown[]) {
        return request === 'vscode' ? vscode : load.call(this, request, ...rest);
      };
      try {
        fresh('../../src/vscode/l10nSetup');
        const { PROVIDERS } = fresh('../../src/providers') as typeof import('../../src/providers');
        assert.strictEqual(PROVIDERS.gateway.label, '视频网关');
        assert.strictEqual(PROVIDERS.pika.options.find((f) => f.key === 'aspectRatio')?.label, '宽高比');
      } finally {
        Module._load = load;
        for (const k of Object.keys(require.cache)) if (ours(k)) delete require.cache[k];
        for (const [k, m] of saved) require.cache[k] = m;
      }
    });

    it('falls back to English, placeholders filled, without a bundle or for a string it lacks', function () {
      assert.strictEqual(modeLabel('image-to-video'), 'Image to video');
      assert.strictEqual(validateKeyInput(''), 'Enter the key.');
      l10n.config({ contents: readJson('l10n/bundle.l10n.zh-cn.json') });
      assert.strictEqual(l10n.t('Not in any bundle: {0}', 7), 'Not in any bundle: 7');
    });
  });
});
