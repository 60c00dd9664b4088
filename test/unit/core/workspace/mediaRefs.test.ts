// Media written in a ```video block must lie, by real path, inside the workspace (or the extension's
// own storage); anything else is flagged `outside` with its real path so the lens asks first, and
// absolute paths are refused in untrusted workspaces. Without rules (a script's request, an agent's
// tool call) any local file is accepted as before.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

import { resolveMedia } from '../../../../src/core/workspace/mediaRefs';
import { tempDir } from '../../../support/engineHarness';

describe('media named in a video block', () => {
  let dir: string;
  let ws: string;
  let storage: string;
  let outsideFile: string;
  beforeEach(() => {
    dir = fs.realpathSync(tempDir('aivideo-media-'));
    ws = path.join(dir, 'workspace');
    storage = path.join(dir, 'storage');
    fs.mkdirSync(path.join(ws, 'assets'), { recursive: true });
    fs.mkdirSync(path.join(storage, 'frames'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'assets', 'cat.png'), 'x');
    fs.writeFileSync(path.join(storage, 'frames', 'f1.png'), 'x');
    outsideFile = path.join(dir, 'passport-scan.png');
    fs.writeFileSync(outsideFile, 'x');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const rules = (trusted = true) => ({ roots: [ws, storage], trusted });

  it('a path inside the workspace is used as it is', async () => {
    assert.deepStrictEqual(await resolveMedia('assets/cat.png', ws, rules()), { ok: true, value: path.join(ws, 'assets', 'cat.png') });
    assert.deepStrictEqual(await resolveMedia(path.join(ws, 'assets', 'cat.png'), ws, rules()), {
      ok: true,
      value: path.join(ws, 'assets', 'cat.png'),
    });
    assert.deepStrictEqual(await resolveMedia('https://cdn.example/cat.png', ws, rules(false)), {
      ok: true,
      value: 'https://cdn.example/cat.png',
    });
  });

  it('../ and absolute paths that leave the workspace are outside, with their real path', async () => {
    assert.deepStrictEqual(await resolveMedia('../passport-scan.png', ws, rules()), { ok: true, value: outsideFile, outside: outsideFile });
    assert.deepStrictEqual(await resolveMedia('assets/../../passport-scan.png', ws, rules()), {
      ok: true,
      value: outsideFile,
      outside: outsideFile,
    });
    assert.deepStrictEqual(await resolveMedia(outsideFile, ws, rules()), { ok: true, value: outsideFile, outside: outsideFile });
  });

  it('a link inside the workspace that leads outside is outside (by real path); one that stays inside is not', async () => {
    fs.symlinkSync(outsideFile, path.join(ws, 'assets', 'innocent.png'));
    fs.symlinkSync(dir, path.join(ws, 'up'));
    fs.symlinkSync(path.join(ws, 'assets', 'cat.png'), path.join(ws, 'alias.png'));
    assert.deepStrictEqual(await resolveMedia('assets/innocent.png', ws, rules()), { ok: true, value: outsideFile, outside: outsideFile });
    assert.deepStrictEqual(await resolveMedia('up/passport-scan.png', ws, rules()), { ok: true, value: outsideFile, outside: outsideFile });
    const alias = await resolveMedia('alias.png', ws, rules());
    assert.ok(alias.ok && !alias.outside, JSON.stringify(alias));
  });

  it("files in the extension's own storage are always allowed", async () => {
    const frame = path.join(storage, 'frames', 'f1.png');
    assert.deepStrictEqual(await resolveMedia(frame, ws, rules()), { ok: true, value: frame });
  });

  it('absolute paths are refused in an untrusted workspace, even inside it; relative ones still work', async () => {
    for (const ref of [outsideFile, path.join(ws, 'assets', 'cat.png')]) {
      const r = await resolveMedia(ref, ws, rules(false));
      assert.ok(!r.ok && /untrusted/.test(r.message), JSON.stringify(r));
    }
    assert.deepStrictEqual(await resolveMedia('assets/cat.png', ws, rules(false)), { ok: true, value: path.join(ws, 'assets', 'cat.png') });
    assert.deepStrictEqual(await resolveMedia('../passport-scan.png', ws, rules(false)), {
      ok: true,
      value: outsideFile,
      outside: outsideFile,
    });
  });

  it('without rules (a script or an agent) any local file is accepted, as before', async () => {
    assert.deepStrictEqual(await resolveMedia('../passport-scan.png', ws), { ok: true, value: outsideFile });
    assert.deepStrictEqual(await resolveMedia(outsideFile, undefined), { ok: true, value: outsideFile });
  });

  it('says what is wrong: a missing file (quoted), a folder, another scheme, no folder for a relative path', async () => {
    const missing = await resolveMedia('assets/nope.png', ws, rules());
    assert.deepStrictEqual(missing, { ok: false, message: `File not found: "${path.join(ws, 'assets', 'nope.png')}"` });
    const problem = async (ref: string, folder: string | undefined) => {
      const r = await resolveMedia(ref, folder, rules());
      assert.ok(!r.ok, `${ref} was accepted`);
      return r.message;
    };
    assert.match(await problem('assets', ws), /is a folder/);
    assert.match(await problem('ftp://h/x.png', ws), /only https URLs/);
    assert.match(await problem('x.png', undefined), /no folder to take it from/);
  });
});
