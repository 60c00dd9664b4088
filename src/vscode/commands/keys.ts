// Key commands: Set API Key (showing where each key comes from), Test Connection, and the key prompt
// a generation asks before its first create.
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import { describeKeySource, validateKeyInput } from '../../core/keys';
import { ProviderDescriptor } from '../../core/provider';
import { isProviderId, PROVIDER_IDS, PROVIDER_LIST, PROVIDERS } from '../../providers';
import { checkedBaseUrl } from '../config';
import { providerContext } from '../providerContext';
import { CommandContext } from './context';

export interface KeyCommands {
  /** Asks for a key when there is none (stored or from the environment); false when the user cancelled. */
  ensureKey(provider: ProviderDescriptor): Promise<boolean>;
}

export function registerKeyCommands(c: CommandContext): KeyCommands {
  const { keys, log } = c;

  const store = async (p: ProviderDescriptor, key: string): Promise<void> => {
    await keys.set(p.id, key);
    log.info(`API key for ${p.label} stored.`);
  };

  const askKey = (p: ProviderDescriptor, prompt: string): Thenable<string | undefined> =>
    vscode.window.showInputBox({ title: `${p.label} API key`, prompt, password: true, ignoreFocusOut: true, validateInput: validateKeyInput });

  const ensureKey = async (p: ProviderDescriptor): Promise<boolean> => {
    if (await keys.has(p.id)) return true;
    const key = await askKey(p, `Enter your ${p.label} API key. It is kept in VS Code's secret storage only.`);
    if (!key) return false;
    await store(p, key);
    return true;
  };

  /** "$(key) key set (secret storage)", "$(key) key set (environment variable X)", "no key". */
  const keyDescription = async (p: ProviderDescriptor): Promise<string> => {
    const resolved = await keys.resolve(p.id);
    return resolved ? `$(key) key set (${describeKeySource(resolved.source)})` : 'no key';
  };

  const testConnection = async (provider?: unknown): Promise<string | undefined> => {
    const p = isProviderId(provider)
      ? PROVIDERS[provider]
      : (await vscode.window.showQuickPick(PROVIDER_LIST.map((d) => ({ label: d.label, provider: d })), { title: 'AI Video: Test connection' }))?.provider;
    if (!p) return undefined;
    try {
      const ctx = { ...(await providerContext(p, keys, log)), timeoutMs: 15_000 };
      const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Testing ${p.label}…` }, () => p.testConnection(ctx));
      log.info(result);
      void vscode.window.showInformationMessage(result);
      return result;
    } catch (e) {
      log.warn(`Connection test for ${p.label} failed: ${errorMessage(e)}`);
      void c.explain(e, p.id);
      return errorMessage(e);
    }
  };

  const setApiKey = async (provider?: unknown, key?: unknown): Promise<void> => {
    if (provider !== undefined && !isProviderId(provider)) throw new Error(`Unknown provider "${String(provider)}". Use one of: ${PROVIDER_IDS.join(', ')}.`);
    if (isProviderId(provider) && typeof key === 'string') {
      const bad = validateKeyInput(key);
      if (bad) throw new Error(bad);
      await store(PROVIDERS[provider], key);
      return;
    }
    // Scripts remove a stored key with `null`; a key from the environment stays in use.
    if (isProviderId(provider) && key === null) {
      await keys.delete(provider);
      log.info(`API key for ${PROVIDERS[provider].label} removed.`);
      return;
    }
    let p = isProviderId(provider) ? PROVIDERS[provider] : undefined;
    if (!p) {
      const items = await Promise.all(PROVIDER_LIST.map(async (d) => ({ label: d.label, provider: d, description: await keyDescription(d) })));
      const pick = await vscode.window.showQuickPick(items, { title: 'AI Video: API keys', placeHolder: 'Choose a provider' });
      if (!pick) return;
      p = pick.provider;
    }
    const resolved = await keys.resolve(p.id);
    let action = 'set';
    if (resolved) {
      const stored = resolved.source.kind === 'secret';
      const choice = await vscode.window.showQuickPick(
        [
          { label: stored ? '$(key) Enter a new key' : '$(key) Store a key (used instead of the environment variable)', action: 'set' },
          { label: '$(plug) Test connection', action: 'test' },
          ...(stored ? [{ label: '$(trash) Remove the key', action: 'remove' }] : []),
        ],
        { title: `${p.label} API key`, placeHolder: `The key in use comes from ${describeKeySource(resolved.source)}` },
      );
      if (!choice) return;
      action = choice.action;
    }
    if (action === 'test') {
      await testConnection(p.id);
      return;
    }
    if (action === 'remove') {
      await keys.delete(p.id);
      log.info(`API key for ${p.label} removed.`);
      const left = await keys.resolve(p.id);
      void vscode.window.showInformationMessage(`${p.label} key removed.${left ? ` The key from ${describeKeySource(left.source)} is used now.` : ''}`);
      return;
    }
    const entered = await askKey(p, `Stored in VS Code's secret storage only; sent only to ${safeHost(p)}.`);
    if (!entered) return;
    await store(p, entered);
    const next = await vscode.window.showInformationMessage(`${p.label} key saved.`, 'Test Connection');
    if (next) await testConnection(p.id);
  };

  c.register('aiVideo.setApiKey', setApiKey);
  c.register('aiVideo.testConnection', testConnection);
  return { ensureKey };
}

function safeHost(p: ProviderDescriptor): string {
  try {
    return new URL(checkedBaseUrl(p)).host;
  } catch {
    return 'the configured base URL';
  }
}
