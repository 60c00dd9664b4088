// The emulator's OpenRouter routes at the HTTP level: what the SDK test does not reach (no progress
// field, content before completion, a key on every route but the catalogue, its place beside the
// OpenAI-compatible routes that take any path prefix).
import * as assert from 'assert';

import { emulatedCost, OPENROUTER_BASE_PATH, OPENROUTER_MODELS } from '../../../src/emulator/openrouter';
import { emulatorBaseUrl } from '../../../src/emulator/server';
import { GOOD_KEY, useEmulator } from '../../support/helpers';

describe('OpenRouter emulator routes', function () {
  const h = useEmulator({ durationMs: 10_000 });
  const api = () => `${h.em.baseUrl}${OPENROUTER_BASE_PATH}`;
  const call = async (path: string, init: RequestInit & { key?: string | null } = {}) => {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (init.key !== null) headers.Authorization = `Bearer ${init.key ?? GOOD_KEY}`;
    const res = await fetch(`${api()}${path}`, { ...init, headers });
    const type = res.headers.get('content-type') ?? '';
    return {
      status: res.status,
      type,
      json: type.startsWith('application/json') ? ((await res.json()) as Record<string, unknown>) : undefined,
    };
  };
  const create = (body: Record<string, unknown>) => call('/videos', { method: 'POST', body: JSON.stringify(body) });

  it('the base URL to configure', function () {
    assert.strictEqual(emulatorBaseUrl(h.em.baseUrl, 'openrouter'), api());
    assert.strictEqual(emulatorBaseUrl(h.em.baseUrl, 'pika'), h.em.baseUrl);
  });

  it('statuses over time with no progress field; the content only once completed, index 0 only', async function () {
    const created = await create({ model: 'alibaba/wan-2.6', prompt: 'waves', duration: 10, resolution: '1080p' });
    assert.strictEqual(created.status, 202);
    const id = created.json!.id as string;
    assert.deepStrictEqual(created.json, { id, polling_url: `${OPENROUTER_BASE_PATH}/videos/${id}`, status: 'pending' });
    const seen: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      const job = (await call(`/videos/${id}`)).json!;
      assert.ok(!('progress' in job));
      seen.push(job.status);
      if (i === 1) assert.strictEqual((await call(`/videos/${id}/content?index=0`)).status, 409);
      h.advance(5_000);
    }
    assert.deepStrictEqual(seen, ['pending', 'in_progress', 'completed']);
    const done = (await call(`/videos/${id}`)).json!;
    assert.deepStrictEqual(done.usage, { cost: 1, is_byok: false });
    assert.strictEqual((await call(`/videos/${id}/content?index=1`)).status, 400);
    const content = await call(`/videos/${id}/content?index=0`);
    assert.deepStrictEqual([content.status, content.type], [200, 'video/mp4']);
  });

  it('a key on every route but the catalogue; errors in OpenRouter shape', async function () {
    assert.strictEqual((await call('/videos/models', { key: null })).status, 200);
    const refused = await call('/videos', { method: 'POST', key: null, body: '{}' });
    assert.deepStrictEqual(
      [refused.status, refused.json],
      [401, { error: { code: 401, message: 'No auth credentials found', metadata: null } }],
    );
    assert.strictEqual((await call('/key', { key: null })).status, 401);
    assert.deepStrictEqual((await call('/nothing/here')).json, {
      error: { code: 404, message: `No route for ${OPENROUTER_BASE_PATH}/nothing/here`, metadata: null },
    });
    const refs = await create({
      model: 'google/veo-3.1',
      prompt: 'x',
      input_references: [{ type: 'image_url', image_url: { url: 'https://x.test/a.png' } }],
    });
    assert.deepStrictEqual(
      [refs.status, (refs.json!.error as { message: string }).message],
      [400, 'google/veo-3.1 does not take reference images.'],
    );
    const last = await create({
      model: 'minimax/hailuo-02',
      prompt: 'x',
      frame_images: [{ type: 'image_url', image_url: { url: 'https://x.test/a.png' }, frame_type: 'last_frame' }],
    });
    assert.deepStrictEqual(
      [last.status, (last.json!.error as { message: string }).message],
      [400, 'minimax/hailuo-02 does not take a last_frame image.'],
    );
    const local = await create({
      model: 'google/veo-3.1',
      prompt: 'x',
      frame_images: [{ type: 'image_url', image_url: { url: '/etc/passwd' }, frame_type: 'first_frame' }],
    });
    assert.strictEqual(local.status, 400);
  });

  it("beside the OpenAI-compatible routes: neither takes the other's paths", async function () {
    assert.strictEqual((await fetch(`${h.em.baseUrl}/v1/models`, { headers: { Authorization: `Bearer ${GOOD_KEY}` } })).status, 200);
    await create({ model: 'google/veo-3.1', prompt: 'x' });
    assert.strictEqual(h.em.counts()['openrouter.create'], 1);
    assert.strictEqual(h.em.counts()['openai.create'], 0);
  });

  it('costs by the SKUs: a -<resolution> SKU first, then the generic one; per second or per video', function () {
    const [veo, hailuo, , bare] = OPENROUTER_MODELS;
    assert.strictEqual(emulatedCost(veo, 8, '720p'), 3.2);
    assert.strictEqual(emulatedCost(veo, 8, '1080p'), 4.8);
    assert.strictEqual(emulatedCost(hailuo, 10, '768p'), 0.28);
    assert.strictEqual(emulatedCost(hailuo, 10, '1080p'), 0.49);
    assert.strictEqual(emulatedCost(bare, 5, '720p'), 0);
  });
});
