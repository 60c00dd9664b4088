// The agent tool's generation plan, free of `vscode` so it is tested in plain Node. An input
// becomes a request once, in `prepareInvocation`, whose confirmation lists every parameter that
// sets the price. VS Code calls `invoke` only after the user accepted that confirmation, so the
// plan remembered for exactly the same input is the confirmed one: `invoke` sends it as it was,
// once, within ten minutes, and never plans again. Anything else (the check failed, the input
// changed, no prepareInvocation ran) sends nothing. The same holds with or without a chat session.
import * as l10n from '@vscode/l10n';

import { errorMessage } from '../../core/model/errors';
import type { GenerateRequest, GenerationMode, ProviderId } from '../../core/model/task';
import type { ProviderDescriptor } from '../../core/provider/descriptor';
import { describeValue, fieldsFor, readField, unsetText, writeField } from '../../core/provider/optionFields';
import { fieldFor } from '../../core/request/promptBlocks';
import { parseGenerateRequest } from '../../core/request/requestValidation';

export interface GenerateVideoInput {
  prompt: string;
  provider?: string;
  model?: string;
  imagePath?: string;
  aspectRatio?: string;
  seconds?: number;
  /** The neutral words every provider reads (its validate refuses what it does not take). */
  duration?: number;
  resolution?: string;
  audio?: boolean;
  /** The image the video ends on: a workspace path or an absolute one, like imagePath. */
  lastFramePath?: string;
  waitSeconds?: number;
}

/** What an input became: the request to send, or why there is none. */
export type Plan = { ok: true; request: GenerateRequest; mode: GenerationMode; notes: string[] } | { ok: false; message: string };

/** What planning reads from the host: the providers, which have a key, default models and files. */
export interface PlanContext {
  providers: Readonly<Record<ProviderId, ProviderDescriptor>>;
  ids: readonly ProviderId[];
  /** Providers with an API key, in the registry's order; the first is the default. */
  withKey: readonly ProviderId[];
  /** The model used when the input names none. */
  defaultModel(provider: ProviderDescriptor, mode: GenerationMode): string | undefined;
  /** A media path as the tool takes it: an https URL, or a file relative to the workspace or absolute. */
  resolveImage(ref: string): Promise<{ ok: true; value: string } | { ok: false; message: string }>;
}

/** Turns the tool input into a request. Only prepareInvocation calls it: invoke sends what it made. */
export async function planGeneration(raw: unknown, ctx: PlanContext): Promise<Plan> {
  const input = (raw && typeof raw === 'object' ? raw : {}) as Partial<GenerateVideoInput>;
  if (typeof input.prompt !== 'string' || !input.prompt.trim()) {
    return { ok: false, message: l10n.t('"prompt" is required: describe the video.') };
  }
  let provider: ProviderId;
  if (input.provider !== undefined) {
    const p = ctx.ids.find((id) => id === String(input.provider).toLowerCase());
    if (!p) {
      return {
        ok: false,
        message: l10n.t(
          'Unknown provider "{0}". Use one of: {1}. Providers with an API key: {2}.',
          String(input.provider),
          ctx.ids.join(', '),
          keyList(ctx.withKey),
        ),
      };
    }
    if (!ctx.withKey.includes(p)) return { ok: false, message: noKeyMessage(ctx.providers[p], ctx.withKey) };
    provider = p;
  } else if (ctx.withKey.length) provider = ctx.withKey[0];
  else return { ok: false, message: noKeyMessage(undefined, ctx.withKey) };

  const descriptor = ctx.providers[provider];
  const notes: string[] = [];
  const fields: Record<string, unknown> = { provider, prompt: input.prompt.trim() };
  const mode: GenerationMode = input.imagePath !== undefined ? 'image-to-video' : 'text-to-video';
  const model = input.model ?? ctx.defaultModel(descriptor, mode);
  if (model !== undefined) fields.model = model;
  if (input.aspectRatio !== undefined) fields.aspectRatio = input.aspectRatio;
  if (input.imagePath !== undefined) {
    const image = await ctx.resolveImage(String(input.imagePath));
    if (!image.ok) {
      return {
        ok: false,
        message: l10n.t('Image problem: {0} Give imagePath relative to the workspace root or as an absolute path.', image.message),
      };
    }
    fields.image = image.value;
  }
  if (input.duration !== undefined) fields.duration = input.duration;
  if (input.resolution !== undefined) fields.resolution = input.resolution;
  if (input.audio !== undefined) fields.audio = input.audio;
  if (input.lastFramePath !== undefined) {
    const last = await ctx.resolveImage(String(input.lastFramePath));
    if (!last.ok) {
      return {
        ok: false,
        message: l10n.t('Last frame problem: {0} Give lastFramePath relative to the workspace root or as an absolute path.', last.message),
      };
    }
    fields.lastFrame = last.value;
  }
  let request: GenerateRequest;
  try {
    request = parseGenerateRequest(fields, ctx.ids);
  } catch (e) {
    return { ok: false, message: errorMessage(e) };
  }
  if (input.seconds !== undefined) {
    const seconds = fieldFor(descriptor, 'seconds');
    if (seconds) writeField(request, seconds, input.seconds);
    else {
      notes.push(l10n.t('"seconds" was not sent: {0} has no length setting, so the video has the model\'s own length.', descriptor.label));
    }
  }
  const invalid = descriptor.validate(request);
  if (invalid) return { ok: false, message: invalid };
  return { ok: true, request, mode, notes };
}

function keyList(ids: readonly ProviderId[]): string {
  return ids.length ? ids.join(', ') : l10n.t('none');
}

function noKeyMessage(provider: ProviderDescriptor | undefined, withKey: readonly ProviderId[]): string {
  const lead = provider ? l10n.t('No API key is set for {0}.', provider.label) : l10n.t('No provider has an API key yet.');
  const others = withKey.length ? ' ' + l10n.t('Providers with a key: {0}.', withKey.join(', ')) : '';
  return `${lead}${others} ${l10n.t('Ask the user to run "AI Video: Set API Key…" (it stores the key in VS Code\'s secret storage), then try again.')}`;
}

/** The input as one string: keys sorted, unset keys left out. Two inputs match when these are equal. */
export function canonicalInput(input: unknown): string {
  return JSON.stringify(sorted(input)) ?? 'undefined';
}

function sorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sorted);
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, x]) => [k, sorted(x)]));
  }
  return v;
}

/** How long a confirmation stays good: a later invoke asks again (the agent calls the tool again). */
export const PLAN_TTL_MS = 10 * 60_000;
/** At most this many plans wait for their invoke; the oldest go first. */
const MAX_PLANS = 32;

/**
 * The plans prepareInvocation made (failed ones too, so invoke can say why), keyed by the input's
 * canonical form. `take` hands one out once: the newest for that input, while not expired.
 */
export class ConfirmedPlans {
  private entries: { key: string; plan: Plan; at: number }[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  /** Remembers what prepareInvocation showed for this input (a copy: later changes do not reach it). */
  remember(input: unknown, plan: Plan): void {
    this.prune();
    this.entries.push({ key: canonicalInput(input), plan: structuredClone(plan), at: this.now() });
    if (this.entries.length > MAX_PLANS) this.entries.splice(0, this.entries.length - MAX_PLANS);
  }

  /** The newest unexpired plan remembered for exactly this input, removed so it is used once. */
  take(input: unknown): Plan | undefined {
    this.prune();
    const key = canonicalInput(input);
    for (let i = this.entries.length - 1; i >= 0; i--) {
      if (this.entries[i].key === key) return this.entries.splice(i, 1)[0].plan;
    }
    return undefined;
  }

  /** Plans waiting for their invoke. */
  get size(): number {
    this.prune();
    return this.entries.length;
  }

  private prune(): void {
    const now = this.now();
    this.entries = this.entries.filter((e) => now - e.at < PLAN_TTL_MS);
  }
}

/** What invoke does: send the confirmed request, or send nothing and say why. */
export type SendDecision = { send: true; request: GenerateRequest; notes: string[] } | { send: false; message: string };

export function planToSend(plans: ConfirmedPlans, input: unknown): SendDecision {
  const plan = plans.take(input);
  if (!plan) {
    return {
      send: false,
      message: l10n.t(
        'No video was generated: nothing was confirmed for exactly this input (its check failed, it changed after the confirmation, or the confirmation is more than {0} minutes old). Call the tool again so that the user can confirm it.',
        PLAN_TTL_MS / 60_000,
      ),
    };
  }
  if (!plan.ok) return { send: false, message: l10n.t('No video was generated. {0}', plan.message) };
  return { send: true, request: plan.request, notes: plan.notes };
}

/** One line of the confirmation: a parameter and its value, as text (not Markdown). */
export interface ConfirmationLine {
  label: string;
  value: string;
}

/**
 * What the confirmation lists: the provider, the model, every option field that sets the price
 * (`price` in the descriptor, set or not), how many videos, each media input by its resolved path,
 * and the price last, once a quote for the request exists (`quote`; none is computed yet).
 */
export function confirmationLines(request: GenerateRequest, descriptor: ProviderDescriptor, quote?: string): ConfirmationLine[] {
  const out: ConfirmationLine[] = [
    { label: l10n.t('Provider'), value: descriptor.label },
    { label: l10n.t('Model'), value: request.model || l10n.t('provider default') },
  ];
  for (const field of fieldsFor(descriptor, modeOfRequest(request))) {
    if (!field.price) continue;
    const value = readField(request, field);
    const unset = field.unsetLabel !== undefined || field.default !== undefined ? unsetText(field) : l10n.t('provider default');
    out.push({ label: field.label, value: value === undefined ? unset : describeValue(field, value) });
  }
  // The neutral words that set the price (or what is made), when given.
  if (request.duration !== undefined) out.push({ label: l10n.t('Duration (seconds)'), value: String(request.duration) });
  if (request.resolution !== undefined) out.push({ label: l10n.t('Resolution'), value: request.resolution });
  if (request.audio !== undefined) out.push({ label: l10n.t('Audio'), value: request.audio ? l10n.t('yes') : l10n.t('no') });
  out.push({ label: l10n.t('Number of videos'), value: '1' });
  if (request.image) out.push({ label: l10n.t('Image'), value: request.image });
  if (request.lastFrame) out.push({ label: l10n.t('Last frame'), value: request.lastFrame });
  (request.images ?? []).forEach((path, i) => out.push({ label: l10n.t('Image {0}', i + 1), value: path }));
  if (request.video) out.push({ label: l10n.t('Video'), value: request.video });
  if (quote !== undefined) out.push({ label: l10n.t('Price'), value: quote });
  return out;
}

/** The mode a request's media ask for, as for a prompt block: a video restyles, images combine, an image animates. */
export function modeOfRequest(request: Pick<GenerateRequest, 'image' | 'images' | 'video'>): GenerationMode {
  return request.video ? 'video-edit' : request.images?.length ? 'ingredients' : request.image ? 'image-to-video' : 'text-to-video';
}
