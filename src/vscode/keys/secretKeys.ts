// API keys: stored in SecretStorage only, one entry per provider. When none is stored, a key may come
// from the extension host's environment; that one is only read, never written anywhere.
import * as vscode from 'vscode';

import { ProviderDescriptor } from '../../core/provider/descriptor';
import { ResolvedKey, resolveKey } from '../../core/provider/keySource';

const secretName = (id: string) => `aiVideo.apiKey.${id}`;

export class KeyStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<string>();
  readonly onDidChange = this.changed.event;
  private readonly sub: vscode.Disposable;
  private readonly byId: ReadonlyMap<string, ProviderDescriptor>;
  /** Every key value this window has read or stored, kept for the session so the log can remove them. */
  private readonly seen = new Set<string>();

  constructor(
    private readonly secrets: vscode.SecretStorage,
    providers: readonly ProviderDescriptor[],
    private readonly env: Readonly<Record<string, string | undefined>> = process.env,
  ) {
    this.byId = new Map(providers.map((p) => [p.id, p]));
    // Fires for changes from other windows too.
    this.sub = secrets.onDidChange((e) => {
      const p = providers.find((d) => secretName(d.id) === e.key);
      if (p) this.changed.fire(p.id);
    });
  }

  /** The key in use and where it comes from. */
  async resolve(id: string): Promise<ResolvedKey | undefined> {
    const provider = this.byId.get(id);
    if (!provider) return undefined;
    const resolved = resolveKey(provider, await this.secrets.get(secretName(id)), this.env);
    if (resolved) this.seen.add(resolved.key);
    return resolved;
  }

  async get(id: string): Promise<string | undefined> {
    return (await this.resolve(id))?.key;
  }

  async has(id: string): Promise<boolean> {
    return (await this.resolve(id)) !== undefined;
  }

  async set(id: string, key: string): Promise<void> {
    this.seen.add(key.trim());
    await this.secrets.store(secretName(id), key.trim());
  }

  /** The real keys, for the log filter (a removed key is still removed from later lines). */
  knownSecrets(): string[] {
    return [...this.seen];
  }

  /** Removes the stored key; an environment key stays in use. */
  async delete(id: string): Promise<void> {
    await this.secrets.delete(secretName(id));
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }
}
