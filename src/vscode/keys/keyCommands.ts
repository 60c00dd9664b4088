// Key commands: Set API Key (showing where each key comes from), Test Connection, and the key prompt
// a generation asks before its first create. Script calls (commands/invocation.ts) pass the provider
// (and the key) and are never asked.
import * as vscode from 'vscode';

import { errorMessage } from '../../core/model/errors';
import { ProviderDescriptor } from '../../core/provider/descriptor';
import { describeKeySource, validateKeyInput } from '../../core/provider/keySource';
import { isProviderId, PROVIDER_IDS, PROVIDER_LIST, PROVIDERS } from '../../providers';
import { CommandContext } from '../commands/context';
import { Invocation } from '../commands/invocation';
import { checkedBaseUrl } from '../config';
import { showInfo, withProgress } from '../notify';
import { providerContext } from './providerContext';

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
    vscode.window.showInputBox({
      title: vscode.l10n.t('{0} API key', p.label),
      prompt,
      password: true,
      ignoreFocusOut: true,
      validateInput: validateKeyInput,
    });

  const ensureKey = async (p: ProviderDescriptor): Promise<boolean> => {
    if (await keys.has(p.id)) return true;
    const key = await askKey(p, vscode.l10n.t("Enter your {0} API key. It is kept in VS Code's secret storage only.", p.label));
    if (!key) return false;
    await store(p, key);
    return true;
  };

  /** "$(key) key set (secret storage)", "$(key) key set (environment variable X)", "no key". */
  const keyDescription = async (p: ProviderDescriptor): Promise<string> => {
    const resolved = await keys.resolve(p.id);
    return resolved ? `$(key) ${vscode.l10n.t('key set ({0})', describeKeySource(resolved.source))}` : vscode.l10n.t('no key');
  };

  const testConnection = async (call: Invocation, provider?: unknown): Promise<string | undefined> => {
    if (!call.interactive && !isProviderId(provider)) throw unknownProvider(provider);
    const p = isProviderId(provider)
      ? PROVIDERS[provider]
      : (
          await vscode.window.showQuickPick(
            PROVIDER_LIST.map((d) => ({ label: d.label, provider: d })),
            { title: vscode.l10n.t('AI Video: Test connection') },
          )
        )?.provider;
    if (!p) return undefined;
    try {
      const ctx = { ...(await providerContext(p, keys, log)), timeoutMs: 15_000 };
      const result = await withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Testing {0}…', p.label) },
        () => p.testConnection(ctx),
      );
      log.info(result);
      void showInfo(result);
      return result;
    } catch (e) {
      log.warn(`Connection test for ${p.label} failed: ${errorMessage(e)}`);
      void c.explain(e, p.id);
      return errorMessage(e);
    }
  };

  const setApiKey = async (call: Invocation, provider?: unknown, key?: unknown): Promise<void> => {
    if ((provider !== undefined || !call.interactive) && !isProviderId(provider)) throw unknownProvider(provider);
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
    if (!call.interactive) throw new Error(vscode.l10n.t('Pass the key as the second argument (or null to remove the stored key).'));
    let p = isProviderId(provider) ? PROVIDERS[provider] : undefined;
    if (!p) {
      const items = await Promise.all(
        PROVIDER_LIST.map(async (d) => ({ label: d.label, provider: d, description: await keyDescription(d) })),
      );
      const pick = await vscode.window.showQuickPick(items, {
        title: vscode.l10n.t('AI Video: API keys'),
        placeHolder: vscode.l10n.t('Choose a provider'),
      });
      if (!pick) return;
      p = pick.provider;
    }
    const resolved = await keys.resolve(p.id);
    let action = 'set';
    if (resolved) {
      const stored = resolved.source.kind === 'secret';
      const choice = await vscode.window.showQuickPick(
        [
          {
            label: `$(key) ${stored ? vscode.l10n.t('Enter a new key') : vscode.l10n.t('Store a key (used instead of the environment variable)')}`,
            action: 'set',
          },
          { label: `$(plug) ${vscode.l10n.t('Test connection')}`, action: 'test' },
          ...(stored ? [{ label: `$(trash) ${vscode.l10n.t('Remove the key')}`, action: 'remove' }] : []),
        ],
        {
          title: vscode.l10n.t('{0} API key', p.label),
          placeHolder: vscode.l10n.t('The key in use comes from {0}', describeKeySource(resolved.source)),
        },
      );
      if (!choice) return;
      action = choice.action;
    }
    if (action === 'test') {
      await testConnection(call, p.id);
      return;
    }
    if (action === 'remove') {
      await keys.delete(p.id);
      log.info(`API key for ${p.label} removed.`);
      const left = await keys.resolve(p.id);
      void showInfo(
        left
          ? vscode.l10n.t('{0} key removed. The key from {1} is used now.', p.label, describeKeySource(left.source))
          : vscode.l10n.t('{0} key removed.', p.label),
      );
      return;
    }
    const entered = await askKey(p, vscode.l10n.t("Stored in VS Code's secret storage only; sent only to {0}.", safeHost(p)));
    if (!entered) return;
    await store(p, entered);
    // Asked after the work is done: the command does not wait for it.
    const saved = p.id;
    void showInfo(vscode.l10n.t('{0} key saved.', p.label), vscode.l10n.t('Test Connection')).then(
      (next) => next && testConnection(call, saved),
    );
  };

  c.register('aiVideo.setApiKey', setApiKey);
  c.register('aiVideo.testConnection', testConnection);
  return { ensureKey };
}

function unknownProvider(provider: unknown): Error {
  return new Error(vscode.l10n.t('Unknown provider "{0}". Use one of: {1}.', String(provider), PROVIDER_IDS.join(', ')));
}

function safeHost(p: ProviderDescriptor): string {
  try {
    return new URL(checkedBaseUrl(p)).host;
  } catch {
    return vscode.l10n.t('the configured base URL');
  }
}
