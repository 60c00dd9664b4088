import * as assert from 'assert';

import { describeKeySource, envKeyNames, resolveKey, validateKeyInput } from '../../../../src/core/provider/keySource';

describe('API key resolution', function () {
  const openai = { id: 'openai', envKeys: ['OPENAI_API_KEY'] };
  const pika = { id: 'pika' };

  it("names AIVIDEO_<ID>_API_KEY first, then the descriptor's own variables", function () {
    assert.deepStrictEqual(envKeyNames(pika), ['AIVIDEO_PIKA_API_KEY']);
    assert.deepStrictEqual(envKeyNames(openai), ['AIVIDEO_OPENAI_API_KEY', 'OPENAI_API_KEY']);
    assert.deepStrictEqual(envKeyNames({ id: 'my-gw', envKeys: ['AIVIDEO_MY_GW_API_KEY'] }), ['AIVIDEO_MY_GW_API_KEY']);
  });

  it('secret storage wins over the environment', function () {
    const r = resolveKey(openai, 'sk-stored', { OPENAI_API_KEY: 'sk-env', AIVIDEO_OPENAI_API_KEY: 'sk-env-2' });
    assert.deepStrictEqual(r, { key: 'sk-stored', source: { kind: 'secret' } });
  });

  it('without a stored key, the first set variable in order, trimmed', function () {
    assert.deepStrictEqual(resolveKey(openai, undefined, { OPENAI_API_KEY: ' sk-env \n' }), {
      key: 'sk-env',
      source: { kind: 'env', name: 'OPENAI_API_KEY' },
    });
    assert.deepStrictEqual(resolveKey(openai, '', { OPENAI_API_KEY: 'sk-b', AIVIDEO_OPENAI_API_KEY: 'sk-a' }), {
      key: 'sk-a',
      source: { kind: 'env', name: 'AIVIDEO_OPENAI_API_KEY' },
    });
  });

  it('a variable of another provider, an empty one or one that cannot be a header is not used', function () {
    assert.strictEqual(resolveKey(pika, undefined, { OPENAI_API_KEY: 'sk-env', AIVIDEO_GATEWAY_API_KEY: 'k' }), undefined);
    assert.strictEqual(resolveKey(pika, undefined, { AIVIDEO_PIKA_API_KEY: '   ' }), undefined);
    assert.strictEqual(resolveKey(pika, undefined, { AIVIDEO_PIKA_API_KEY: 'two words' }), undefined);
    assert.strictEqual(resolveKey(openai, undefined, { AIVIDEO_OPENAI_API_KEY: 'bad key', OPENAI_API_KEY: 'sk-good' })?.key, 'sk-good');
  });

  it('says where a key comes from', function () {
    assert.strictEqual(describeKeySource({ kind: 'secret' }), 'secret storage');
    assert.strictEqual(describeKeySource({ kind: 'env', name: 'OPENAI_API_KEY' }), 'environment variable OPENAI_API_KEY');
  });

  it('accepts only keys that can be header values', function () {
    assert.strictEqual(validateKeyInput('sk-abc_123.XYZ'), undefined);
    assert.match(validateKeyInput('')!, /Enter the key/);
    assert.match(validateKeyInput('a b')!, /no spaces/);
    assert.match(validateKeyInput('kéy')!, /no spaces or special/);
    assert.match(validateKeyInput('k'.repeat(4097))!, /too long/);
  });
});
