// The base URL, key and extra settings a provider request is made with, or a ProviderError saying
// why no request may be made (untrusted workspace overriding routing, bad base URL, no key).
import * as vscode from 'vscode';

import { ProviderError } from '../../core/model/errors';
import { Logger } from '../../core/model/events';
import { ProviderContext, ProviderDescriptor } from '../../core/provider/descriptor';
import { checkedBaseUrl, providerSettings, workspaceRoutingOverrides } from '../config';
import { KeyStore } from './secretKeys';

export async function providerContext(provider: ProviderDescriptor, keys: KeyStore, log: Logger): Promise<ProviderContext> {
  const overrides = workspaceRoutingOverrides();
  if (overrides.length && !vscode.workspace.isTrusted) {
    throw new ProviderError({
      kind: 'config',
      message: vscode.l10n.t(
        'This untrusted workspace sets {0}; keys are not sent while it is untrusted. Trust the workspace or remove those settings.',
        overrides.join(', '),
      ),
    });
  }
  const baseUrl = checkedBaseUrl(provider);
  const apiKey = await keys.get(provider.id);
  if (!apiKey) {
    throw new ProviderError({
      kind: 'auth',
      message: vscode.l10n.t('No API key set for {0}. Run "AI Video: Set API Key…".', provider.label),
    });
  }
  const settings = providerSettings(provider);
  return { baseUrl, apiKey, log, ...(Object.keys(settings).length ? { settings } : {}) };
}
