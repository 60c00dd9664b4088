// Save to Workspace writes only inside the workspace (links are resolved), and the sidecar JSON
// people commit holds no absolute local path and no signed-URL token.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';

import { ProviderError } from '../../../../src/core/model/errors';
import type { Task } from '../../../../src/core/model/task';
import { sidecarFor } from '../../../../src/core/workspace/sidecar';
import { ensureSaveFolder, portableInput, saveFolderSetting, withoutQuery } from '../../../../src/core/workspace/workspacePaths';
import { tempDir } from '../../../support/engineHarness';

describe('the save folder', () => {
  let dir: string;
  let ws: string;
  let outside: string;
  beforeEach(() => {
    dir = tempDir('aivideo-save-');
    ws = path.join(dir, 'workspace');
    outside = path.join(dir, 'elsewhere');
    fs.mkdirSync(ws);
    fs.mkdirSync(outside);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function refused(rel: string, message: RegExp): Promise<void> {
    await assert.rejects(ensureSaveFolder(ws, rel), (e: unknown) => {
      assert.ok(e instanceof ProviderError);
      assert.strictEqual(e.kind, 'config');
      assert.match(e.message, message);
      return true;
    });
  }

  it('reads the setting as a relative folder and refuses one that climbs out', () => {
    assert.strictEqual(saveFolderSetting(undefined), 'generated-videos');
    assert.strictEqual(saveFolderSetting('  '), 'generated-videos');
    assert.strictEqual(saveFolderSetting('/media\\clips/'), 'media/clips');
    assert.strictEqual(saveFolderSetting('.'), '');
    assert.strictEqual(saveFolderSetting('a/../b'), 'b');
    for (const bad of ['..', '../x', 'a/../../x']) assert.throws(() => saveFolderSetting(bad), /inside the workspace/);
  });

  it('creates nested folders inside the workspace', async () => {
    await ensureSaveFolder(ws, 'media/clips');
    assert.ok(fs.statSync(path.join(ws, 'media', 'clips')).isDirectory());
  });

  it('refuses a committed link named generated-videos that leads elsewhere, and writes nothing there', async () => {
    fs.symlinkSync(outside, path.join(ws, 'generated-videos'));
    await refused('generated-videos', /"generated-videos" in the workspace is a link to a folder outside the workspace/);
    await refused('generated-videos/sub', /outside the workspace/);
    assert.deepStrictEqual(fs.readdirSync(outside), []);
  });

  it('refuses a link at any level, and a link to nothing', async () => {
    fs.mkdirSync(path.join(ws, 'media'));
    fs.symlinkSync(outside, path.join(ws, 'media', 'clips'));
    await refused('media/clips', /"media\/clips" .* outside the workspace/);
    fs.symlinkSync(path.join(dir, 'gone'), path.join(ws, 'dangling'));
    await refused('dangling', /link to something that does not exist/);
    assert.strictEqual(fs.existsSync(path.join(dir, 'gone')), false);
  });

  it('accepts a link to a folder inside the workspace, and refuses a file', async () => {
    fs.mkdirSync(path.join(ws, 'real'));
    fs.symlinkSync(path.join(ws, 'real'), path.join(ws, 'alias'));
    await ensureSaveFolder(ws, 'alias');
    fs.writeFileSync(path.join(ws, 'afile'), 'x');
    await refused('afile', /is a file, not a folder/);
  });
});

describe('the sidecar JSON', () => {
  const ws = path.resolve('/projects/demo');
  const signed = 'https://cdn.example/v/abc.mp4?X-Amz-Signature=deadbeef&token=secret#t=5';
  const task: Task = {
    id: 't1',
    provider: 'pika',
    remoteId: 'r1',
    mode: 'ingredients',
    status: 'succeeded',
    progress: 100,
    prompt: 'A fox',
    model: '2.0',
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    finishedAt: 1_700_000_060_000,
    videos: [{ url: signed, localPath: '/home/someone/.config/storage/videos/t1/1-abc.mp4', seed: 7 }],
    request: {
      provider: 'pika',
      prompt: 'A fox',
      images: [
        path.join(ws, 'images', 'fox.png'),
        pathToFileURL(path.join(ws, 'b c.png')).toString(),
        '/home/someone/Pictures/private/cat.jpg',
        'https://img.example/x.png?sig=1',
      ],
    },
  };

  it('records inputs relative to the workspace (or by base name) and URLs without query or fragment', () => {
    const json = sidecarFor(task, 0, 'Pika', ws) as { inputs: { images: string[] }; request: { images: string[] }; sourceUrl: string };
    const expected = ['images/fox.png', 'b c.png', 'cat.jpg', 'https://img.example/x.png'];
    assert.deepStrictEqual(json.inputs.images, expected);
    assert.deepStrictEqual(json.request.images, expected);
    assert.strictEqual(json.sourceUrl, 'https://cdn.example/v/abc.mp4');
    const text = JSON.stringify(json);
    for (const leak of ['/home/someone', ws, 'Signature', 'secret', 'sig=1', '#t=5']) {
      assert.ok(!text.includes(leak), `the sidecar holds ${leak}`);
    }
  });

  it('records the strings in free-form options as inputs are: paths relative or base names, URLs without query, nested too', () => {
    const options = {
      camera: 'pan_left',
      mime: 'image/png',
      strength: 0.4,
      init: '/home/someone/Pictures/private/a.png',
      inWorkspace: path.join(ws, 'assets', 'd.png'),
      climbing: '../../someone/e.png',
      ref: 'https://x.example/a.png?X-Amz-Signature=deadbeef&token=secret',
      storage: 's3://bucket/key.png?sig=1',
      nested: { list: [pathToFileURL('/home/someone/b.png').toString(), { deep: 'C:\\Users\\someone\\c.png' }], flag: true },
    };
    const json = sidecarFor({ ...task, request: { ...task.request, options } }, 0, 'Pika', ws) as {
      options: Record<string, unknown>;
      request: { options: Record<string, unknown> };
    };
    const expected = {
      camera: 'pan_left',
      mime: 'image/png',
      strength: 0.4,
      init: 'a.png',
      inWorkspace: 'assets/d.png',
      climbing: 'e.png',
      ref: 'https://x.example/a.png',
      storage: 'key.png',
      nested: { list: ['b.png', { deep: 'c.png' }], flag: true },
    };
    assert.deepStrictEqual(json.options, expected);
    assert.deepStrictEqual(json.request.options, expected);
    const text = JSON.stringify(json);
    for (const leak of ['someone', ws, 'Signature', 'secret', 'sig=1']) assert.ok(!text.includes(leak), `the sidecar holds ${leak}`);
  });

  it('records base names when there is no workspace folder on disk', () => {
    const json = sidecarFor(
      { ...task, request: { provider: 'hidream', prompt: '', video: path.join(ws, 'clips', 'in.mp4') } },
      0,
      'HiDream',
      undefined,
    ) as { inputs: { video: string } };
    assert.strictEqual(json.inputs.video, 'in.mp4');
  });

  it('strips queries, fragments and user info from URLs; keeps odd inputs to a base name', () => {
    assert.strictEqual(withoutQuery('https://user:pw@cdn.example/a.mp4?x=1#y'), 'https://cdn.example/a.mp4');
    assert.strictEqual(portableInput('relative/path.png', ws), 'path.png');
  });
});
