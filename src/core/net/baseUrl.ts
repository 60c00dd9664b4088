// Whether a provider's base URL setting may receive the key: set, a URL, no credentials in it, and
// https (plain http only for loopback or when the user allows it). Pure, so the rules and their
// messages are tested in plain Node; src/vscode/config.ts reads the settings and calls it.
import * as l10n from '@vscode/l10n';

import { ProviderError } from '../model/errors';
import { isLoopbackHost } from './addressGuard';

/**
 * The base URL without trailing slashes, or a ProviderError('config') saying why no request may be
 * made. `setting` is the setting's full name; an empty value means no server is set (a provider with
 * no default address), which says to set one.
 */
export function checkBaseUrl(setting: string, value: string | undefined, allowInsecureHttp: boolean): string {
  const raw = (value ?? '').trim();
  if (raw === '') {
    throw new ProviderError({ kind: 'config', message: l10n.t('No server is set: set {0} to your server. Nothing was sent.', setting) });
  }
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ProviderError({ kind: 'config', message: l10n.t('The setting {0} ("{1}") is not a valid URL.', setting, raw) });
  }
  if (u.username || u.password) {
    throw new ProviderError({ kind: 'config', message: l10n.t('The setting {0} must not contain credentials.', setting) });
  }
  if (u.protocol === 'https:') return raw.replace(/\/+$/, '');
  if (u.protocol === 'http:' && (isLoopbackHost(u.hostname) || allowInsecureHttp)) return raw.replace(/\/+$/, '');
  throw new ProviderError({
    kind: 'config',
    message: l10n.t(
      'Refusing to send your key over {0} to {1}: {2} must use https (plain http is allowed for localhost, or with {3}).',
      u.protocol.replace(':', ''),
      u.host,
      setting,
      'aiVideo.allowInsecureHttp',
    ),
  });
}
