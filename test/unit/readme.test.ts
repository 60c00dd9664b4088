// The README's contributor map and the provider docs name files and folders of this repository; a
// move that forgets them leaves a newcomer looking for paths that are gone. This test reads every
// repository path those Markdown files name (in backticks, or as a relative link) and fails on one
// that does not exist.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

import { ROOT } from '../support/paths';

/** Backticked text that names a repository path: it starts with one of the top-level folders. */
const REPO_PATH = /^(src|test|docs|scripts|media|l10n)\//;

/** `a/{b,c}/d` -> `a/b/d`, `a/c/d` (one level of braces at a time, nested ones too). */
function expandBraces(p: string): string[] {
  const m = /\{([^{}]*)\}/.exec(p);
  if (!m) return [p];
  return m[1].split(',').flatMap((alt) => expandBraces(p.slice(0, m.index) + alt + p.slice(m.index + m[0].length)));
}

/**
 * What must exist for a named path: the path itself, or, when a segment is a placeholder (`<id>`,
 * `*`, `**`), the folder before that segment (`src/providers/<id>.ts` needs `src/providers/`).
 */
function mustExist(named: string): string {
  const segments = named.split('/');
  const placeholder = segments.findIndex((s) => /[<>*]/.test(s));
  return placeholder === -1 ? named : `${segments.slice(0, placeholder).join('/')}/`;
}

/** The repository paths a Markdown text names: backticked ones (from the root) and relative link targets. */
function namedPaths(markdown: string): { backticked: string[]; links: string[] } {
  // Fenced blocks hold examples (a prompt file, API calls), not references to this repository.
  const text = markdown.replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  const backticked = [...text.matchAll(/(`+)([^`]+?)\1(?!`)/g)].map((m) => m[2].trim()).filter((p) => REPO_PATH.test(p) && !/\s/.test(p));
  const links = [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((m) => m[1].split('#')[0])
    .filter((target) => target !== '' && !/^[a-z][a-z0-9+.-]*:/i.test(target));
  return { backticked, links };
}

/** The paths `markdown` names that do not exist; `dir` is its folder (links are relative to it). */
function missingPaths(markdown: string, dir: string): string[] {
  const { backticked, links } = namedPaths(markdown);
  const missing: string[] = [];
  for (const named of backticked.flatMap(expandBraces)) {
    if (!fs.existsSync(path.join(ROOT, mustExist(named)))) missing.push(`\`${named}\``);
  }
  for (const target of links) {
    if (!fs.existsSync(path.join(ROOT, dir, decodeURIComponent(target)))) missing.push(`(${target})`);
  }
  return missing;
}

/** The missing paths of one Markdown file of the repository, as `file: path` lines. */
function missingIn(file: string): string[] {
  return missingPaths(fs.readFileSync(path.join(ROOT, file), 'utf8'), path.dirname(file)).map((m) => `${file}: ${m}`);
}

function markdownUnder(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return markdownUnder(rel);
    return e.name.endsWith('.md') ? [rel] : [];
  });
}

describe('paths named by the README and docs/', function () {
  it('reads backticked paths and relative links, resolving placeholders and braces', function () {
    const md = [
      'See `src/core/<concern>/`, `test/unit/` and ``src/a.ts``, not `npm test` or `src/a b`.',
      '![shot](media/x.png) [docs](docs/providers/README.md#sources) [web](https://example.com/a)',
      '```ts',
      "import '`src/in/a/fence.ts`';",
      '```',
    ].join('\n');
    const { backticked, links } = namedPaths(md);
    assert.deepStrictEqual(backticked, ['src/core/<concern>/', 'test/unit/', 'src/a.ts']);
    assert.deepStrictEqual(links, ['media/x.png', 'docs/providers/README.md']);
    assert.strictEqual(mustExist('src/providers/<id>.ts'), 'src/providers/');
    assert.strictEqual(mustExist('src/webview/**'), 'src/webview/');
    assert.strictEqual(mustExist('src/api.ts'), 'src/api.ts');
    assert.deepStrictEqual(expandBraces('src/vscode/panels/{player,gallery}/x'), [
      'src/vscode/panels/player/x',
      'src/vscode/panels/gallery/x',
    ]);
  });

  it('the README names only paths that exist', function () {
    const { backticked } = namedPaths(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
    assert.ok(backticked.length >= 30, `only ${backticked.length} paths found in the README: is the reader broken?`);
    assert.deepStrictEqual(missingIn('README.md'), []);
  });

  it('the docs/ pages name only paths that exist', function () {
    const pages = markdownUnder('docs');
    assert.ok(pages.includes('docs/providers/README.md'), pages.join(', '));
    assert.deepStrictEqual(pages.flatMap(missingIn), []);
  });

  it('reports a named path that does not exist', function () {
    const md = '`src/api.ts`, `src/no/such/file.ts`, `src/nowhere/<id>.ts`, [gone](gone.md), [here](README.md)';
    assert.deepStrictEqual(missingPaths(md, '.'), ['`src/no/such/file.ts`', '`src/nowhere/<id>.ts`', '(gone.md)']);
  });
});
