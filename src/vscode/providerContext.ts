// The base URL, key and extra settings a provider request is made with, or a ProviderError saying
// why no request may be made (untrusted workspace overriding routing, bad base URL, no key).
import * as vscode from 'vscode';
import { ProviderError } from '../core/errors';
import { Logger } from '../core/events';
import { ProviderContext, ProviderDescriptor } from '../core/provider';
import { checkedBaseUrl, providerSettings, workspaceRoutingOverrides } from './config';
import { KeyStore } from './keys';

export async function providerContext(provider: ProviderDescriptor, keys: KeyStore, log: Logger): Promise<ProviderContext> {
  const overrides = workspaceRoutingOverrides();
  if (overrides.length && !vscode.workspace.isTrusted) {
    throw new ProviderError({
      kind: 'config',
      message: `This untrusted workspace sets ${overrides.join(', ')}; keys are not sent while it is untrusted. Trust the workspace or remove those settings.`,
    });
  }
  const baseUrl = checkedBaseUrl(provider);
  const apiKey = await keys.get(provider.id);
  if (!apiKey) throw new ProviderError({ kind: 'auth', message: `No API key set for ${provider.label}. Run "AI Video: Set API Key…".` });
  const settings = providerSettings(provider);
  return { baseUrl, apiKey, log, ...(Object.keys(settings).length ? { settings } : {}) };
}
