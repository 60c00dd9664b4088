// The root rule (nearest folder with .git or .vscode, else the file's folder; --root wins), where
// outputs go, and the state folder.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { findRoot, resolvePaths, stateDir } from '../../../src/cli/paths';

describe('cli/paths', function () {
  let dir: string;
  beforeEach(() => (dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'aivideo-cli-paths-')))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('takes the nearest folder above the file holding .git or .vscode, else the file’s folder', function () {
    const deep = path.join(dir, 'repo', 'docs', 'films');
    fs.mkdirSync(deep, { recursive: true });
    const file = path.join(deep, 'trailer.md');
    assert.strictEqual(findRoot(file), deep);
    fs.mkdirSync(path.join(dir, 'repo', '.git'));
    assert.strictEqual(findRoot(file), path.join(dir, 'repo'));
    fs.mkdirSync(path.join(dir, 'repo', 'docs', '.vscode'));
    assert.strictEqual(findRoot(file), path.join(dir, 'repo', 'docs'));
  });

  it('resolves --root against the working directory and --out against the root', function () {
    fs.mkdirSync(path.join(dir, '.git'));
    assert.deepStrictEqual(resolvePaths(dir, 'films/a.md'), {
      file: path.join(dir, 'films', 'a.md'),
      root: dir,
      out: path.join(dir, 'generated-videos'),
    });
    assert.deepStrictEqual(resolvePaths(dir, 'films/a.md', 'films', 'media/videos'), {
      file: path.join(dir, 'films', 'a.md'),
      root: path.join(dir, 'films'),
      out: path.join(dir, 'films', 'media', 'videos'),
    });
  });

  it('keeps its state under $XDG_STATE_HOME, else ~/.local/state', function () {
    assert.strictEqual(stateDir({ XDG_STATE_HOME: '/var/state' }, '/home/u'), path.join('/var/state', 'ai-video-studio'));
    assert.strictEqual(stateDir({}, '/home/u'), path.join('/home/u', '.local', 'state', 'ai-video-studio'));
    assert.strictEqual(stateDir({ XDG_STATE_HOME: 'relative' }, '/home/u'), path.join('/home/u', '.local', 'state', 'ai-video-studio'));
  });
});
