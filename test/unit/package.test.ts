// The .vsix holds what the manifest points at (translations, walkthrough images, bundles) and
// nothing of the sources, tests or development builds. Uses vsce's own file listing.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { listFiles, PackageManager } from '@vscode/vsce';

import { ROOT } from '../support/paths';

interface Manifest {
  main: string;
  icon: string;
  l10n: string;
  contributes: { walkthroughs?: { steps: { media: { image?: string; markdown?: string } }[] }[] };
}

describe('the packaged extension', function () {
  this.timeout(30_000);
  let files: string[];
  let manifest: Manifest;

  before(async function () {
    manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Manifest;
    files = (await listFiles({ cwd: ROOT, packageManager: PackageManager.None })).map((f) => f.split(path.sep).join('/'));
  });

  it('holds every file the manifest refers to', function () {
    const rel = (p: string) => path.posix.normalize(p.replace(/^\.\//, ''));
    const required = [
      rel(manifest.main),
      rel(manifest.icon),
      'package.nls.json',
      ...fs.readdirSync(ROOT).filter((f) => /^package\.nls\..+\.json$/.test(f)),
      ...fs.readdirSync(path.join(ROOT, manifest.l10n)).map((f) => `${rel(manifest.l10n)}/${f}`),
      ...(manifest.contributes.walkthroughs ?? []).flatMap((w) =>
        w.steps.flatMap((s) => [s.media.image, s.media.markdown].filter((m): m is string => !!m).map(rel)),
      ),
      ...fs
        .readdirSync(path.join(ROOT, 'dist', 'webview'))
        .filter((f) => f.endsWith('.js'))
        .map((f) => `dist/webview/${f}`),
    ];
    assert.ok(
      required.some((f) => f.includes('zh-cn')),
      'the Chinese translations are among them',
    );
    const missing = required.filter((f) => !files.includes(f));
    assert.deepStrictEqual(missing, [], 'left out of the package');
  });

  it('leaves out sources, tests, source maps and README screenshots', function () {
    const unwanted = files.filter((f) => /^(src|test|out|scripts|node_modules|media\/screenshots)\//.test(f) || f.endsWith('.map'));
    assert.deepStrictEqual(unwanted, []);
  });
});
