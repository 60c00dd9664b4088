// Models known to be retired, bundled with the extension: a provider that shuts a model down does
// not always say so in a catalogue (OpenAI shut down its Videos API with no catalogue at all). A
// retirement is certain only on the provider's own API host; elsewhere (a gateway or a self-hosted
// server speaking the same protocol) the same name may mean another model, so it is only a warning.
import * as l10n from '@vscode/l10n';

export interface Retirement {
  /** The provider id the model was retired at. */
  provider: string;
  model: string;
  /** Who retired it, for messages ("OpenAI"). */
  by: string;
  /** `YYYY-MM-DD`. */
  date: string;
  /** What happened, and what to do, in a few words. */
  hint: string;
  /** The API hosts where the retirement is certain. */
  hosts: readonly string[];
}

const SORA_HINT = l10n.t('OpenAI shut down the Videos API and the Sora 2 models; choose a model another provider serves.');

export const RETIREMENTS: readonly Retirement[] = [
  { provider: 'openai', model: 'sora-2', by: 'OpenAI', date: '2026-09-24', hint: SORA_HINT, hosts: ['api.openai.com'] },
  { provider: 'openai', model: 'sora-2-pro', by: 'OpenAI', date: '2026-09-24', hint: SORA_HINT, hosts: ['api.openai.com'] },
];

/** The bundled retirement of this model at this provider, if any. */
export function retirementOf(providerId: string, modelId: string): Retirement | undefined {
  return RETIREMENTS.find((r) => r.provider === providerId && r.model === modelId);
}

/** Whether `baseUrl` is one of the retirement's own hosts (the retirement is then certain). */
export function retirementIsCertain(r: Retirement, baseUrl: string): boolean {
  let host: string;
  try {
    host = new URL(baseUrl).hostname.toLowerCase();
  } catch {
    return false;
  }
  return r.hosts.includes(host);
}
