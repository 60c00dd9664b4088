// Typed access to the extension's settings: every setting is read here, and a setting left unset
// (or set to something unusable) reads as the manifest's default. Settings that decide where a key is
// sent are application-scoped (user settings only); `inspect` proves no workspace value is in play.
import * as vscode from 'vscode';

import { EngineSettings } from '../core/engine/engine';
import type { BudgetLimits } from '../core/money/budget';
import { parseUserPrices, type UserPrice } from '../core/money/quote';
import { checkBaseUrl } from '../core/net/baseUrl';
import { keyRoutingSettings, MODEL_ID_PATTERN, ProviderDescriptor } from '../core/provider/descriptor';
import { PROVIDER_LIST } from '../providers';

const SECTION = 'aiVideo';

function cfg(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SECTION);
}

/** The user-level value only: a workspace or folder value of a routing setting is never used. */
function userValue<T>(key: string): T | undefined {
  const i = cfg().inspect<T>(key);
  return i?.globalValue ?? i?.defaultValue;
}

/** The manifest's default of a setting. */
function manifestDefault<T>(key: string): T | undefined {
  return cfg().inspect<T>(key)?.defaultValue;
}

/** Names of routing settings that a workspace tries to set (ignored; reported to the user). */
export function workspaceRoutingOverrides(): string[] {
  return keyRoutingSettings(PROVIDER_LIST)
    .filter((k) => {
      const i = cfg().inspect(k);
      return i?.workspaceValue !== undefined || i?.workspaceFolderValue !== undefined;
    })
    .map((k) => `${SECTION}.${k}`);
}

/** The base URL a key may be sent to, or a ProviderError('config') saying why not (unset: set it). */
export function checkedBaseUrl(provider: Pick<ProviderDescriptor, 'settings'>): string {
  return checkBaseUrl(
    `${SECTION}.${provider.settings.baseUrl}`,
    String(userValue<string>(provider.settings.baseUrl) ?? ''),
    userValue<boolean>('allowInsecureHttp') === true,
  );
}

/**
 * The provider's extra settings (`settings.extra`) by the names it reads them under, empty ones left
 * out; and its other URLs (`settings.urls`), from user settings only and checked like the base URL
 * (a ProviderError('config') when one may not receive the key).
 */
export function providerSettings(provider: Pick<ProviderDescriptor, 'settings'>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, key] of Object.entries(provider.settings.extra ?? {})) {
    const v = String(cfg().get<string>(key) ?? '').trim();
    if (v) out[name] = v;
  }
  const insecure = userValue<boolean>('allowInsecureHttp') === true;
  for (const [name, key] of Object.entries(provider.settings.urls ?? {})) {
    out[name] = checkBaseUrl(`${SECTION}.${key}`, String(userValue<string>(key) ?? ''), insecure);
  }
  return out;
}

/** A list-of-model-ids setting, keeping only well-formed ids. */
export function modelListSetting(key: string): string[] {
  const v = cfg().get<unknown>(key);
  return Array.isArray(v) ? v.filter((m): m is string => typeof m === 'string' && MODEL_ID_PATTERN.test(m)) : [];
}

/** The workspace folder "Save to Workspace" writes into, as set (relative). */
export function saveFolder(): string {
  const v = String(cfg().get<string>('saveFolder') ?? '').trim();
  return v || String(manifestDefault<string>('saveFolder'));
}

/** How the Tasks view groups tasks (`tasks.groupBy`); an unknown value reads as the manifest's default. */
export function tasksGroupBy(): 'day' | 'none' {
  const v = cfg().get<unknown>('tasks.groupBy');
  return v === 'day' || v === 'none' ? v : manifestDefault<'day' | 'none'>('tasks.groupBy') === 'none' ? 'none' : 'day';
}

/** A number setting, at least `min`; one that is not a number reads as the manifest's default. */
function numberSetting(key: string, min: number): number {
  const v = Number(cfg().get<unknown>(key));
  return Math.max(min, Number.isFinite(v) ? v : Number(manifestDefault<number>(key)));
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((h): h is string => typeof h === 'string' && h.trim() !== '') : [];
}

/** Creates under way at once per provider (`aiVideo.<id>.maxConcurrent`); 0 is no limit. */
function maxConcurrent(): Record<string, number> {
  return Object.fromEntries(PROVIDER_LIST.map((p) => [p.id, Math.floor(numberSetting(`${p.id}.maxConcurrent`, 0))]));
}

export function engineSettings(): EngineSettings {
  return {
    pollIntervalMs: numberSetting('pollIntervalSeconds', 1) * 1000,
    giveUpMs: numberSetting('giveUpMinutes', 0) * 60_000,
    maxDownloadBytes: numberSetting('maxDownloadSizeMB', 1) * 1024 * 1024,
    media: {
      maxImageBytes: numberSetting('maxImageSizeMB', 0.01) * 1024 * 1024,
      maxVideoBytes: numberSetting('maxVideoSizeMB', 0.01) * 1024 * 1024,
    },
    maxUnknownPolls: 60,
    download: {
      allowPrivateHosts: stringList(userValue<unknown>('download.allowPrivateHosts')),
      allowInsecureHttp: userValue<boolean>('allowInsecureHttp') === true,
    },
    maxConcurrent: maxConcurrent(),
  };
}

export function onDidChange(listener: (e: vscode.ConfigurationChangeEvent) => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(SECTION)) listener(e);
  });
}

/** `aiVideo.ffmpegPath` (user settings only: a workspace must not choose the program run), blank: the PATH. */
export function ffmpegPathSetting(): string {
  return String(userValue<string>('ffmpegPath') ?? '').trim();
}

/**
 * A budget setting as it applies: the user's value, or a workspace (or folder) value only where it is
 * lower, so a repository can tighten a budget but never raise it. Unset, 0 or not a number: no limit.
 */
function budgetSetting(key: string): number | undefined {
  const i = cfg().inspect<unknown>(key);
  const limit = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined);
  let value = limit(i?.globalValue);
  for (const local of [i?.workspaceValue, i?.workspaceFolderValue]) {
    const l = limit(local);
    if (l !== undefined && (value === undefined || l < value)) value = l;
  }
  return value;
}

/** `aiVideo.budget.*`: each the user's value, tightened (never raised) by a workspace. */
export function budgetLimits(): BudgetLimits {
  const i = cfg().inspect<unknown>('budget.agentAllowUnknownPrices');
  // "Lower" for a switch: a workspace can turn it off, never on.
  const allow = i?.globalValue === true && i?.workspaceValue !== false && i?.workspaceFolderValue !== false;
  return {
    dailyUsd: budgetSetting('budget.dailyUsd'),
    agentDailyUsd: budgetSetting('budget.agentDailyUsd'),
    agentAllowUnknownPrices: allow,
  };
}

/** `aiVideo.prices`, the user's own prices (entries that do not read are left out and named). */
export function userPriceSetting(): { prices: Map<string, UserPrice>; problems: string[] } {
  return parseUserPrices(cfg().get<unknown>('prices'));
}
