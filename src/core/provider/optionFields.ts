// Option fields as data (ProviderDescriptor.options): which apply, where their value lives in a
// GenerateRequest, how it reads, and how typed text becomes a value. The generate flow draws its
// options page from these; pure, so it is tested in plain Node.
import * as l10n from '@vscode/l10n';

import { isJsonObject } from '../../shared/json';
import type { GenerateRequest, GenerationMode } from '../model/task';
import type { CatalogModel } from './catalogTypes';
import type { OptionField, ProviderDescriptor } from './descriptor';

export type FieldValue = string | number | boolean;

/** The provider's fields offered in this mode, in the descriptor's order. */
export function fieldsFor(provider: Pick<ProviderDescriptor, 'options'>, mode: GenerationMode): OptionField[] {
  return provider.options.filter((f) => !f.modes || f.modes.includes(mode));
}

function path(field: OptionField): string[] {
  return field.key.split('.');
}

export function readField(req: GenerateRequest, field: OptionField): FieldValue | undefined {
  let cur: unknown = field.target === 'request' ? req : req.options;
  for (const part of path(field)) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return typeof cur === 'string' || typeof cur === 'number' || typeof cur === 'boolean' ? cur : undefined;
}

/** Sets the field (undefined unsets it); emptied nested objects are removed. */
export function writeField(req: GenerateRequest, field: OptionField, value: FieldValue | undefined): void {
  const parts = path(field);
  const root = field.target === 'request' ? (req as unknown as Record<string, unknown>) : (req.options ??= {});
  const parents: Record<string, unknown>[] = [root];
  for (const part of parts.slice(0, -1)) {
    const parent = parents[parents.length - 1];
    const next = parent[part];
    const child = isJsonObject(next) ? { ...next } : {};
    parent[part] = child;
    parents.push(child);
  }
  const last = parts[parts.length - 1];
  if (value === undefined) delete parents[parents.length - 1][last];
  else parents[parents.length - 1][last] = value;
  for (let i = parents.length - 1; i > 0; i--) {
    if (Object.keys(parents[i]).length === 0) delete parents[i - 1][parts[i - 1]];
  }
  if (field.target !== 'request' && req.options && Object.keys(req.options).length === 0) delete req.options;
}

/** How an unset field reads: "default (12)", "random", "none". */
export function unsetText(field: OptionField): string {
  if (field.unsetLabel) return field.unsetLabel;
  return field.default !== undefined ? l10n.t('default ({0})', String(field.default)) : l10n.t('none');
}

export function describeValue(field: OptionField, value: FieldValue | undefined): string {
  if (value === undefined) return unsetText(field);
  if (field.kind === 'boolean') return value ? l10n.t('yes') : l10n.t('no');
  return String(value);
}

/** Fields whose value is typed; enum and boolean fields are picked from a list. */
export type TypedField = Extract<OptionField, { kind: 'number' | 'text' }>;

/** Typed text as a value: `{value}` (no value = unset, for empty text) or `{error}`. */
export function parseFieldInput(field: TypedField, text: string): { value?: FieldValue; error?: undefined } | { error: string } {
  const t = text.trim();
  if (t === '') return {};
  if (field.kind === 'text') {
    if (t.length > field.maxLength) return { error: l10n.t('Keep it under {0} characters.', field.maxLength) };
    return field.format && !field.format.pattern.test(t) ? { error: field.format.hint } : { value: t };
  }
  const n = Number(t);
  if (!Number.isFinite(n) || n < field.min || n > field.max) {
    return { error: l10n.t('Enter a number from {0} to {1}.', field.min, field.max) };
  }
  if (field.integer && !Number.isInteger(n)) return { error: l10n.t('Enter a whole number.') };
  return { value: n };
}

/** The help line of a typed field. */
export function inputPrompt(field: TypedField): string {
  if (field.prompt) return field.prompt;
  if (field.kind === 'number') {
    return field.integer
      ? l10n.t('{0}: a whole number from {1} to {2}. Leave empty for {3}.', field.label, field.min, field.max, unsetText(field))
      : l10n.t('{0}: a number from {1} to {2}. Leave empty for {3}.', field.label, field.min, field.max, unsetText(field));
  }
  return l10n.t('{0}. Leave empty for {1}.', field.label, unsetText(field));
}

/**
 * The neutral rows a model's catalogue entry adds to the options page: Duration (only the lengths the
 * model takes), Resolution and Audio (when it can make sound). A row is left out when the model's
 * entry does not say, or when the provider's own fields already hold that key.
 */
export function modelFields(model: Pick<CatalogModel, 'capabilities'> | undefined, own: readonly OptionField[]): OptionField[] {
  if (!model) return [];
  const caps = model.capabilities;
  const taken = (key: string) => own.some((f) => f.target === 'request' && f.key === key);
  const out: OptionField[] = [];
  if (caps.durations?.length && !taken('duration')) {
    const unsetLabel = caps.defaultDuration !== undefined ? l10n.t('model default ({0} s)', caps.defaultDuration) : l10n.t('model default');
    out.push({
      kind: 'enum',
      key: 'duration',
      target: 'request',
      label: l10n.t('Duration (seconds)'),
      values: caps.durations,
      unsetLabel,
      price: true,
    });
  }
  if (caps.resolutions?.length && !taken('resolution')) {
    out.push({
      kind: 'enum',
      key: 'resolution',
      target: 'request',
      label: l10n.t('Resolution'),
      values: caps.resolutions,
      unsetLabel: l10n.t('model default'),
      price: true,
    });
  }
  if (caps.audio && !taken('audio')) {
    out.push({ kind: 'boolean', key: 'audio', target: 'request', label: l10n.t('Audio'), unsetLabel: l10n.t('model default') });
  }
  return out;
}

/**
 * Drops the neutral values (duration, resolution, audio) a model does not take, e.g. remembered from
 * another model: with `fields` the rows offered for it (modelFields), a value is kept only when its
 * row is offered and (for a list) the value is one of it.
 */
export function dropUnoffered(req: GenerateRequest, fields: readonly OptionField[]): void {
  for (const key of ['duration', 'resolution', 'audio'] as const) {
    if (req[key] === undefined) continue;
    const f = fields.find((x) => x.key === key && x.target === 'request');
    if (!f || (f.kind === 'enum' && !f.values.includes(req[key] as string | number))) delete req[key];
  }
}
