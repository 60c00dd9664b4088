// The CLI's configuration from the environment: variable names derived from setting names, keys as
// the extension reads them from the environment, base URLs checked like the settings, the engine's
// settings, and the manifest's defaults baked into the build.
import * as assert from 'assert';

import { CliConfig, envName, missingKeyMessage, settingDefaults } from '../../../src/cli/env';
import { ProviderError } from '../../../src/core/model/errors';
import { PROVIDER_LIST, PROVIDERS } from '../../../src/providers';
import { repoManifest } from '../../support/manifest';

const KEY = 'sk-cli-test-key-0123456789';

describe('cli/env', function () {
  it('names a variable after each setting', function () {
    assert.strictEqual(envName('openrouter.baseUrl'), 'AIVIDEO_OPENROUTER_BASE_URL');
    assert.strictEqual(envName('fal.apiUrl'), 'AIVIDEO_FAL_API_URL');
    assert.strictEqual(envName('hidream.userId'), 'AIVIDEO_HIDREAM_USER_ID');
    assert.strictEqual(envName('ffmpegPath'), 'AIVIDEO_FFMPEG_PATH');
    assert.strictEqual(envName('download.allowPrivateHosts'), 'AIVIDEO_DOWNLOAD_ALLOW_PRIVATE_HOSTS');
  });

  it("bakes in every provider's base URL default from the manifest", function () {
    const props = (repoManifest().manifest.contributes.configuration?.properties ?? {}) as Record<string, { default?: unknown }>;
    for (const p of PROVIDER_LIST) {
      assert.strictEqual(settingDefaults()[p.settings.baseUrl], props[`aiVideo.${p.settings.baseUrl}`].default, p.id);
    }
  });

  it('reads the key from AIVIDEO_<ID>_API_KEY or the provider’s own variable, and says which to set when none is', function () {
    const openrouter = PROVIDERS.openrouter;
    const own = new CliConfig({ OPENROUTER_API_KEY: KEY, AIVIDEO_OPENROUTER_BASE_URL: 'http://127.0.0.1:9/api/v1' });
    assert.strictEqual(own.context(openrouter).apiKey, KEY);
    assert.strictEqual(own.context(openrouter).baseUrl, 'http://127.0.0.1:9/api/v1');
    const ours = new CliConfig({ AIVIDEO_OPENROUTER_API_KEY: KEY, OPENROUTER_API_KEY: 'sk-other-0123456789' });
    assert.strictEqual(ours.context(openrouter).apiKey, KEY);
    assert.strictEqual(ours.context(openrouter).baseUrl, settingDefaults()['openrouter.baseUrl']);
    assert.throws(
      () => new CliConfig({}).context(openrouter),
      (e: unknown) =>
        e instanceof ProviderError &&
        e.kind === 'auth' &&
        /AIVIDEO_OPENROUTER_API_KEY/.test(e.message) &&
        /OPENROUTER_API_KEY/.test(e.message),
    );
    assert.match(missingKeyMessage(PROVIDERS.pika), /AIVIDEO_PIKA_API_KEY/);
    assert.deepStrictEqual(ours.knownSecrets(PROVIDER_LIST), [KEY]);
  });

  it('checks a base URL like the setting, naming the variable', function () {
    const cfg = new CliConfig({ AIVIDEO_PIKA_API_KEY: KEY, AIVIDEO_PIKA_BASE_URL: 'http://gateway.example/v1' });
    assert.throws(
      () => cfg.context(PROVIDERS.pika),
      (e: unknown) => e instanceof ProviderError && e.kind === 'config' && /AIVIDEO_PIKA_BASE_URL/.test(e.message),
    );
    const allowed = new CliConfig({ AIVIDEO_PIKA_BASE_URL: 'http://gateway.example/v1', AIVIDEO_ALLOW_INSECURE_HTTP: '1' });
    assert.strictEqual(allowed.baseUrl(PROVIDERS.pika), 'http://gateway.example/v1');
    assert.throws(() => new CliConfig({}).baseUrl(PROVIDERS.openai), /AIVIDEO_OPENAI_BASE_URL/);
  });

  it("passes a provider's extra settings from their variables", function () {
    const cfg = new CliConfig({ AIVIDEO_HIDREAM_API_KEY: KEY, AIVIDEO_HIDREAM_USER_ID: 'user-7' });
    assert.deepStrictEqual(cfg.context(PROVIDERS.hidream).settings, { userId: 'user-7' });
    assert.strictEqual(new CliConfig({ AIVIDEO_HIDREAM_API_KEY: KEY }).context(PROVIDERS.hidream).settings, undefined);
  });

  it('reads ffmpeg and the engine settings, with the manifest defaults when unset', function () {
    assert.strictEqual(new CliConfig({ AIVIDEO_FFMPEG_PATH: '/opt/ff/ffmpeg' }).ffmpegPath, '/opt/ff/ffmpeg');
    assert.strictEqual(new CliConfig({}).ffmpegPath, undefined);
    const s = new CliConfig({
      AIVIDEO_POLL_INTERVAL_SECONDS: '2',
      AIVIDEO_PIKA_MAX_CONCURRENT: '1',
      AIVIDEO_DOWNLOAD_ALLOW_PRIVATE_HOSTS: 'cdn.lan, media.lan',
    }).engineSettings(PROVIDER_LIST);
    assert.strictEqual(s.pollIntervalMs, 2000);
    assert.strictEqual(s.maxConcurrent?.pika, 1);
    assert.strictEqual(s.maxConcurrent?.gateway, 0);
    assert.deepStrictEqual(s.download?.allowPrivateHosts, ['cdn.lan', 'media.lan']);
    const d = new CliConfig({ AIVIDEO_POLL_INTERVAL_SECONDS: 'soon' }).engineSettings(PROVIDER_LIST);
    assert.strictEqual(d.pollIntervalMs, Number(settingDefaults().pollIntervalSeconds) * 1000);
    assert.strictEqual(d.giveUpMs, Number(settingDefaults().giveUpMinutes) * 60_000);
  });
});
