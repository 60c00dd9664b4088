import * as assert from 'assert';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';

import { downloadToFile } from '../../../../src/core/net/download';
import { FIXTURES, pikaRequest, settled, tempDir, useEngineSuite, waitForTask } from '../../../support/engineHarness';

describe('posters and groups in the engine', function () {
  this.timeout(30_000);
  const h = useEngineSuite({ durationMs: 500 });

  it("downloads the provider's poster beside the video when it gives one (Pika videoPoster)", async () => {
    const { engine } = await h.ws.engine();
    const t = await engine.generate(pikaRequest('poster please [duration=500]'));
    const done = await waitForTask(engine, t.id, settled, 'to finish');
    const v = done.videos[0];
    assert.ok(v.localPath, v.downloadError);
    assert.ok(v.posterPath, 'a local poster path');
    assert.strictEqual(path.dirname(v.posterPath), path.dirname(v.localPath), 'in the task folder');
    assert.deepStrictEqual(fs.readFileSync(v.posterPath), fs.readFileSync(path.join(FIXTURES, 'poster.jpg')));
    const posters = h.emulator.requests('files').filter((r) => r.path.endsWith('poster.jpg'));
    assert.strictEqual(posters.length, 1);
    assert.ok(
      posters.every((r) => r.hadAuthorizationHeader === false),
      'a poster download never carries the key',
    );
  });

  it('has no poster when the provider gives none (the gateway)', async () => {
    const { engine } = await h.ws.engine();
    const t = await engine.generate({ provider: 'gateway', model: 'kling-v1', prompt: 'no poster [duration=500]' });
    const done = await waitForTask(engine, t.id, settled, 'to finish');
    assert.ok(done.videos[0].localPath);
    assert.strictEqual(done.videos[0].posterPath, undefined);
  });

  it('puts the group id on the task, not in the request kept for regenerate', async () => {
    const { engine } = await h.ws.engine();
    const t = await engine.generate({ ...pikaRequest('grouped [duration=500]'), groupId: 'group-1' });
    assert.strictEqual(t.groupId, 'group-1');
    assert.ok(!('groupId' in t.request));
    const body = h.emulator.requests('pika.generate').at(-1)!.body as Record<string, unknown>;
    assert.ok(!JSON.stringify(body).includes('group-1'), 'the group id is never sent to the provider');
    await engine.flush();
    assert.strictEqual(h.ws.readStore().tasks.find((s) => s.id === t.id)!.groupId, 'group-1', 'persisted');
  });
});

describe('image downloads (posters)', () => {
  let server: http.Server;
  let base = '';
  const dir = tempDir('aivideo-poster-');
  const jpeg = fs.readFileSync(path.join(FIXTURES, 'poster.jpg'));
  const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');

  before(async () => {
    // `/<content type>/<body>`: a real JPEG, or SVG text.
    server = http.createServer((req, res) => {
      const [, type, body] = (req.url ?? '/').split('/');
      res.writeHead(200, { 'Content-Type': decodeURIComponent(type) });
      res.end(body === 'svg' ? svg : jpeg);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((r) => server.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const get = (type: string, body: 'jpeg' | 'svg') =>
    downloadToFile(`${base}/${encodeURIComponent(type)}/${body}`, path.join(dir, 'p.jpg'), {
      origin: base,
      maxBytes: 1e6,
      attempts: 1,
      expect: 'image',
    });

  it('accepts raster images and refuses SVG, HTML and videos by their content type', async () => {
    for (const ok of ['image/jpeg', 'image/png', 'image/webp', 'application/octet-stream']) {
      assert.ok((await get(ok, 'jpeg')).bytes > 0, ok);
    }
    for (const bad of ['image/svg+xml', 'text/html', 'video/mp4']) {
      await assert.rejects(get(bad, 'jpeg'), /not an image/, bad);
    }
  });

  it('refuses SVG text whatever its content type says', async () => {
    await assert.rejects(get('image/png', 'svg'), /not an image/);
    await assert.rejects(get('application/octet-stream', 'svg'), /not an image/);
  });
});
