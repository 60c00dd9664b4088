// The CLI's configuration comes from the environment only (a CI runner's secrets and variables), never
// from a settings file: each extension setting `aiVideo.<a.bCd>` has the variable `AIVIDEO_<A_B_CD>`
// (`aiVideo.openrouter.baseUrl` is AIVIDEO_OPENROUTER_BASE_URL, `aiVideo.fal.apiUrl` is
// AIVIDEO_FAL_API_URL); keys are read as the extension reads them from the environment
// (core/provider/keySource.ts). Unset variables take the manifest's defaults, baked in at build time.
import * as l10n from '@vscode/l10n';

import { DEFAULT_ENGINE_SETTINGS, EngineSettings } from '../core/engine/engine';
import { ProviderError } from '../core/model/errors';
import type { Logger } from '../core/model/events';
import { parseUserPrices, type UserPrices } from '../core/money/quote';
import { checkBaseUrl } from '../core/net/baseUrl';
import type { ProviderContext, ProviderDescriptor } from '../core/provider/descriptor';
import { envKeyNames, resolveKey } from '../core/provider/keySource';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The manifest's setting defaults (`contributes.configuration`, without the `aiVideo.` prefix), put in
 * by esbuild.js at build time, so the bundled CLI needs no package.json beside it.
 */
declare const AIVIDEO_SETTING_DEFAULTS: Readonly<Record<string, unknown>>;

export function settingDefaults(): Readonly<Record<string, unknown>> {
  return typeof AIVIDEO_SETTING_DEFAULTS === 'object' ? AIVIDEO_SETTING_DEFAULTS : {};
}

/** `openrouter.baseUrl` -> `AIVIDEO_OPENROUTER_BASE_URL`; `download.allowPrivateHosts` -> `AIVIDEO_DOWNLOAD_ALLOW_PRIVATE_HOSTS`. */
export function envName(setting: string): string {
  return `AIVIDEO_${setting
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase()}`;
}

/** A setting's value: its variable when set (not blank), else the manifest's default. */
function setting(env: Env, key: string, defaults: Readonly<Record<string, unknown>>): string {
  const v = env[envName(key)];
  if (v !== undefined && v.trim() !== '') return v.trim();
  const d = defaults[key];
  return typeof d === 'string' || typeof d === 'number' || typeof d === 'boolean' ? String(d) : '';
}

function flag(env: Env, key: string): boolean {
  return /^(1|true|yes|on)$/i.test(env[envName(key)]?.trim() ?? '');
}

/** The CLI's view of the environment: where each provider is, its key, ffmpeg, and the engine's settings. */
export class CliConfig {
  constructor(
    private readonly env: Env,
    private readonly defaults: Readonly<Record<string, unknown>> = settingDefaults(),
  ) {}

  /** Every key found, so logs and messages can be scrubbed of them. */
  knownSecrets(providers: readonly Pick<ProviderDescriptor, 'id' | 'envKeys'>[]): string[] {
    return providers.flatMap((p) => {
      const k = resolveKey(p, undefined, this.env);
      return k ? [k.key] : [];
    });
  }

  hasKey(provider: Pick<ProviderDescriptor, 'id' | 'envKeys'>): boolean {
    return resolveKey(provider, undefined, this.env) !== undefined;
  }

  /** The base URL a key may be sent to; a ProviderError('config') naming the variable when it may not. */
  baseUrl(provider: Pick<ProviderDescriptor, 'settings'>): string {
    const key = provider.settings.baseUrl;
    return checkBaseUrl(envName(key), setting(this.env, key, this.defaults), flag(this.env, 'allowInsecureHttp'));
  }

  /**
   * What a request to this provider is made with: base URL, key and extra settings. A missing key is a
   * ProviderError('auth') naming the variables that were read.
   */
  context(provider: ProviderDescriptor, log?: Logger): ProviderContext {
    const baseUrl = this.baseUrl(provider);
    const key = resolveKey(provider, undefined, this.env);
    if (!key) throw new ProviderError({ kind: 'auth', message: missingKeyMessage(provider) });
    const settings: Record<string, string> = {};
    for (const [name, settingKey] of Object.entries(provider.settings.extra ?? {})) {
      const v = setting(this.env, settingKey, this.defaults);
      if (v) settings[name] = v;
    }
    return { baseUrl, apiKey: key.key, ...(Object.keys(settings).length ? { settings } : {}), ...(log ? { log } : {}) };
  }

  /** A list setting (`gateway.models`): its variable, comma-separated, else the manifest's default list. */
  list(key: string): string[] {
    const v = this.env[envName(key)];
    if (v !== undefined && v.trim() !== '') {
      return v
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
    }
    const d = this.defaults[key];
    return Array.isArray(d) ? d.filter((x): x is string => typeof x === 'string') : [];
  }

  /** The user's own prices (`aiVideo.prices` as JSON in AIVIDEO_PRICES), and what in them does not read. */
  userPrices(): { prices: UserPrices; problems: string[] } {
    const raw = this.env[envName('prices')]?.trim();
    if (!raw) return { prices: new Map(), problems: [] };
    try {
      return parseUserPrices(JSON.parse(raw));
    } catch {
      return { prices: new Map(), problems: [l10n.t('{0} is not JSON: it is ignored.', envName('prices'))] };
    }
  }

  /** ffmpeg: AIVIDEO_FFMPEG_PATH, else undefined (look on the PATH). */
  get ffmpegPath(): string | undefined {
    return this.env[envName('ffmpegPath')]?.trim() || undefined;
  }

  /** The engine's settings, each from its variable or the manifest's default (as src/vscode/config.ts reads them). */
  engineSettings(providers: readonly Pick<ProviderDescriptor, 'id'>[]): EngineSettings {
    const num = (key: string, min: number, fallback: number): number => {
      const n = Number(setting(this.env, key, this.defaults));
      return Math.max(min, Number.isFinite(n) && setting(this.env, key, this.defaults) !== '' ? n : fallback);
    };
    const mb = 1024 * 1024;
    return {
      ...DEFAULT_ENGINE_SETTINGS,
      pollIntervalMs: num('pollIntervalSeconds', 1, DEFAULT_ENGINE_SETTINGS.pollIntervalMs / 1000) * 1000,
      giveUpMs: num('giveUpMinutes', 0, DEFAULT_ENGINE_SETTINGS.giveUpMs / 60_000) * 60_000,
      maxDownloadBytes: num('maxDownloadSizeMB', 1, DEFAULT_ENGINE_SETTINGS.maxDownloadBytes / mb) * mb,
      media: {
        maxImageBytes: num('maxImageSizeMB', 0.01, DEFAULT_ENGINE_SETTINGS.media.maxImageBytes / mb) * mb,
        maxVideoBytes: num('maxVideoSizeMB', 0.01, DEFAULT_ENGINE_SETTINGS.media.maxVideoBytes / mb) * mb,
      },
      download: {
        allowPrivateHosts: (this.env[envName('download.allowPrivateHosts')] ?? '')
          .split(',')
          .map((h) => h.trim())
          .filter(Boolean),
        allowInsecureHttp: flag(this.env, 'allowInsecureHttp'),
      },
      maxConcurrent: Object.fromEntries(providers.map((p) => [p.id, Math.floor(num(`${p.id}.maxConcurrent`, 0, 0))])),
    };
  }
}

export function missingKeyMessage(provider: Pick<ProviderDescriptor, 'id' | 'envKeys' | 'label'>): string {
  return l10n.t('No API key for {0}: set {1}.', provider.label, envKeyNames(provider).join(l10n.t(' or ')));
}
