// Typed access to the extension's settings. Settings that decide where a key is sent are
// application-scoped (user settings only); `inspect` is used to prove no workspace value is in play.
import * as vscode from 'vscode';
import { EngineSettings } from '../core/engine';
import { ProviderError } from '../core/errors';
import { isLoopbackHost } from '../core/netGuard';
import { ProviderId } from '../core/types';
import { DEFAULT_GATEWAY_MODELS } from '../providers/gateway';

const SECTION = 'aiVideo';

/** Settings that route an API key somewhere. */
export const KEY_ROUTING_SETTINGS = ['pika.baseUrl', 'gateway.baseUrl', 'hidream.baseUrl', 'allowInsecureHttp'] as const;

function cfg(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SECTION);
}

export function baseUrlSetting(provider: ProviderId): string {
  return `${provider}.baseUrl`;
}

/** The user-level value only: a workspace or folder value of a routing setting is never used. */
function userValue<T>(key: string, fallback: T): T {
  const i = cfg().inspect<T>(key);
  return (i?.globalValue ?? i?.defaultValue ?? fallback) as T;
}

/** Names of routing settings that a workspace tries to set (ignored; reported to the user). */
export function workspaceRoutingOverrides(): string[] {
  return KEY_ROUTING_SETTINGS.filter((k) => {
    const i = cfg().inspect(k);
    return i?.workspaceValue !== undefined || i?.workspaceFolderValue !== undefined;
  }).map((k) => `${SECTION}.${k}`);
}

/** The base URL a key may be sent to, or a ProviderError('config') saying why not. */
export function checkedBaseUrl(provider: ProviderId): string {
  const raw = String(userValue<string>(baseUrlSetting(provider), '')).trim();
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ProviderError({ kind: 'config', message: `The setting ${SECTION}.${baseUrlSetting(provider)} ("${raw}") is not a valid URL.` });
  }
  if (u.username || u.password) {
    throw new ProviderError({ kind: 'config', message: `The setting ${SECTION}.${baseUrlSetting(provider)} must not contain credentials.` });
  }
  if (u.protocol === 'https:') return raw.replace(/\/+$/, '');
  if (u.protocol === 'http:' && (isLoopbackHost(u.hostname) || userValue<boolean>('allowInsecureHttp', false))) return raw.replace(/\/+$/, '');
  throw new ProviderError({
    kind: 'config',
    message: `Refusing to send your key over ${u.protocol.replace(':', '')} to ${u.host}: ${SECTION}.${baseUrlSetting(provider)} must use https (plain http is allowed for localhost, or with ${SECTION}.allowInsecureHttp).`,
  });
}

export function hidreamUserId(): string | undefined {
  const v = String(cfg().get<string>('hidream.userId', '') ?? '').trim();
  return v || undefined;
}

/** Model ids offered for the gateway (`aiVideo.gateway.models`, well-formed ones only). */
export function gatewayModels(): string[] {
  const configured = cfg().get<unknown>('gateway.models');
  const ids = Array.isArray(configured) ? configured.filter((m): m is string => typeof m === 'string' && /^[\w.:/-]{1,100}$/.test(m)) : [];
  return ids.length ? ids : [...DEFAULT_GATEWAY_MODELS];
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((h): h is string => typeof h === 'string' && h.trim() !== '') : [];
}

export function engineSettings(): EngineSettings {
  const c = cfg();
  const num = (key: string, def: number, min: number) => {
    const v = Number(c.get<number>(key, def));
    return Number.isFinite(v) ? Math.max(min, v) : def;
  };
  return {
    pollIntervalMs: num('pollIntervalSeconds', 5, 1) * 1000,
    giveUpMs: num('giveUpMinutes', 60, 0) * 60_000,
    maxDownloadBytes: num('maxDownloadSizeMB', 500, 1) * 1024 * 1024,
    media: {
      maxImageBytes: num('maxImageSizeMB', 10, 0.01) * 1024 * 1024,
      maxVideoBytes: num('maxVideoSizeMB', 100, 0.01) * 1024 * 1024,
    },
    maxUnknownPolls: 60,
    download: {
      allowPrivateHosts: stringList(userValue<unknown>('download.allowPrivateHosts', [])),
      allowInsecureHttp: userValue<boolean>('allowInsecureHttp', false) === true,
    },
  };
}

export function onDidChange(listener: (e: vscode.ConfigurationChangeEvent) => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(SECTION)) listener(e);
  });
}
