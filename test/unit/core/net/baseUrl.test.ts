// The base URL rules (core/net/baseUrl.ts) that decide whether a provider's key may be sent anywhere:
// an unset base URL (the OpenAI-compatible provider has no default) says to set it.
import * as assert from 'assert';

import { ProviderError } from '../../../../src/core/model/errors';
import { checkBaseUrl } from '../../../../src/core/net/baseUrl';

const refusal = (value: string | undefined, allowInsecureHttp = false): ProviderError => {
  try {
    checkBaseUrl('aiVideo.openai.baseUrl', value, allowInsecureHttp);
  } catch (e) {
    assert.ok(e instanceof ProviderError && e.kind === 'config', String(e));
    return e;
  }
  assert.fail(`${JSON.stringify(value)} was accepted`);
};

describe('base URL settings', function () {
  it('an unset or blank base URL says to set it to your server, naming the setting', function () {
    for (const value of [undefined, '', '   ']) {
      assert.strictEqual(refusal(value).message, 'No server is set: set aiVideo.openai.baseUrl to your server. Nothing was sent.');
    }
  });

  it('https anywhere, http only on loopback or when allowed; trailing slashes dropped', function () {
    assert.strictEqual(
      checkBaseUrl('aiVideo.openai.baseUrl', ' https://videos.example.test/gw/v1/ ', false),
      'https://videos.example.test/gw/v1',
    );
    assert.strictEqual(checkBaseUrl('aiVideo.openai.baseUrl', 'http://127.0.0.1:8080/v1', false), 'http://127.0.0.1:8080/v1');
    assert.strictEqual(checkBaseUrl('aiVideo.openai.baseUrl', 'http://videos.example.test/v1', true), 'http://videos.example.test/v1');
    assert.match(
      refusal('http://videos.example.test/v1').message,
      /^Refusing to send your key over http to videos\.example\.test: aiVideo\.openai\.baseUrl must use https/,
    );
    assert.strictEqual(refusal('not a url').message, 'The setting aiVideo.openai.baseUrl ("not a url") is not a valid URL.');
    assert.strictEqual(
      refusal('https://user:pw@videos.example.test/v1').message,
      'The setting aiVideo.openai.baseUrl must not contain credentials.',
    );
  });
});
