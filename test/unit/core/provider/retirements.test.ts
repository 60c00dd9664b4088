// Lifecycle: the bundled retirements (Sora 2 at OpenAI, 2026-09-24) are certain only on OpenAI's own
// API host; elsewhere the same name may mean another model, so they only warn. Merged with what the
// catalogue says and with "not found" marks.
import * as assert from 'assert';
import * as fs from 'fs';

import { ModelCatalog } from '../../../../src/core/provider/catalog';
import { retirementIsCertain, retirementOf, RETIREMENTS } from '../../../../src/core/provider/retirements';
import { PROVIDERS } from '../../../../src/providers';
import { tempDir } from '../../../support/engineHarness';

describe('retirements', function () {
  it('hold sora-2 and sora-2-pro at OpenAI, retired 2026-09-24, with a hint that the Videos API was shut down', function () {
    for (const id of ['sora-2', 'sora-2-pro']) {
      const r = retirementOf('openai', id);
      assert.ok(r, id);
      assert.strictEqual(r.date, '2026-09-24');
      assert.match(r.hint, /OpenAI shut down the Videos API/);
    }
    assert.strictEqual(retirementOf('gateway', 'sora-2'), undefined, 'only at the provider that retired it');
    assert.ok(RETIREMENTS.every((r) => /^\d{4}-\d{2}-\d{2}$/.test(r.date)));
  });

  it("are certain only on the provider's own host", function () {
    const r = retirementOf('openai', 'sora-2')!;
    assert.strictEqual(retirementIsCertain(r, 'https://api.openai.com/v1'), true);
    assert.strictEqual(retirementIsCertain(r, 'https://API.OpenAI.com/v1/'), true);
    assert.strictEqual(retirementIsCertain(r, 'https://litellm.example.test/v1'), false);
    assert.strictEqual(retirementIsCertain(r, 'https://api.openai.com.example.test/v1'), false);
    assert.strictEqual(retirementIsCertain(r, 'not a url'), false);
  });

  it('lifecycleOf: certain at OpenAI, a warning naming OpenAI and the date elsewhere', function () {
    const dir = tempDir('aivideo-retire-');
    const c = new ModelCatalog({ providers: PROVIDERS, cacheDir: dir });
    const atOpenAi = c.lifecycleOf('openai', 'https://api.openai.com/v1', 'sora-2-pro');
    assert.deepStrictEqual(atOpenAi && { ...atOpenAi, hint: undefined }, {
      state: 'retired',
      date: '2026-09-24',
      hint: undefined,
      certain: true,
      source: 'retirements',
      by: 'OpenAI',
    });
    const elsewhere = c.lifecycleOf('openai', 'http://127.0.0.1:4000/v1', 'sora-2');
    assert.strictEqual(elsewhere?.certain, false);
    assert.strictEqual(elsewhere?.state, 'retired');
    assert.strictEqual(elsewhere?.hint, 'sora-2 was retired at OpenAI on 2026-09-24; on this server the name may mean another model.');
    assert.strictEqual(c.lifecycleOf('openai', 'https://api.openai.com/v1', 'some-other-model'), undefined);
    c.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
