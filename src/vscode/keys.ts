// API keys live in SecretStorage only, one entry per provider.
import * as vscode from 'vscode';
import { PROVIDER_IDS, ProviderId } from '../core/types';

const secretName = (p: ProviderId) => `aiVideo.apiKey.${p}`;

export class KeyStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ProviderId>();
  readonly onDidChange = this.changed.event;
  private readonly sub: vscode.Disposable;
  /** Every key value this window has read or stored, kept for the session so the log can remove them. */
  private readonly seen = new Set<string>();

  constructor(private readonly secrets: vscode.SecretStorage) {
    // Fires for changes from other windows too.
    this.sub = secrets.onDidChange((e) => {
      const p = PROVIDER_IDS.find((id) => secretName(id) === e.key);
      if (p) this.changed.fire(p);
    });
  }

  async get(p: ProviderId): Promise<string | undefined> {
    const v = (await this.secrets.get(secretName(p)))?.trim();
    if (!v) return undefined;
    this.seen.add(v);
    return v;
  }

  async set(p: ProviderId, key: string): Promise<void> {
    this.seen.add(key.trim());
    await this.secrets.store(secretName(p), key.trim());
  }

  /** The real keys, for the log filter (a removed key is still removed from later lines). */
  knownSecrets(): string[] {
    return [...this.seen];
  }

  async delete(p: ProviderId): Promise<void> {
    await this.secrets.delete(secretName(p));
  }

  async has(p: ProviderId): Promise<boolean> {
    return (await this.get(p)) !== undefined;
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }
}

/** Rejects keys that cannot be HTTP header values. */
export function validateKeyInput(v: string): string | undefined {
  const k = v.trim();
  if (!k) return 'Enter the key.';
  if (/[\s\u0000-\u001f\u007f]/.test(k) || /[^\x20-\x7e]/.test(k)) return 'A key has no spaces or special characters.';
  if (k.length > 4096) return 'That is too long to be a key.';
  return undefined;
}
