// A model's inputs as a JSON schema (Replicate publishes one per model version, as OpenAPI's
// `components.schemas.Input`): read here from untrusted JSON into a small, bounded description, then
// drawn as option rows and used to check an input before it is sent. What does not read is left out:
// an input of an unknown shape is kept as `other` (it may be given, but nothing is offered for it).
// Pure, so it is tested in plain Node.
import * as l10n from '@vscode/l10n';

import { obj } from '../../shared/json';
import { MAX_PROVIDER_WORD, sanitizeText } from '../net/sanitize';
import { joinOr } from './modelCapabilities';

interface InputBase {
  name: string;
  /** The schema's title or description, cleaned and short. */
  label?: string;
  required?: boolean;
}

export type SchemaInput =
  | (InputBase & { kind: 'enum'; values: readonly (string | number)[]; default?: string | number })
  | (InputBase & { kind: 'integer' | 'number'; min?: number; max?: number; default?: number })
  | (InputBase & { kind: 'boolean'; default?: boolean })
  | (InputBase & { kind: 'string'; uri: boolean; maxLength?: number; default?: string })
  /** An array or object input (reference images, a JSON argument): it may be given; nothing is offered for it. */
  | (InputBase & { kind: 'other'; array: boolean });

export interface InputSchema {
  /** In the schema's own order (`x-order`, then as listed). */
  inputs: readonly SchemaInput[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const MAX_INPUTS = 100;
const MAX_VALUES = 64;
const MAX_VALUE_LENGTH = 100;
const MAX_LABEL = 120;
/** The bounds of a number input that states none. */
export const UNBOUNDED = 1e12;

/** `latest_version.openapi_schema.components.schemas.Input` of a `GET /models/{owner}/{name}` answer; undefined when it has none. */
export function inputSchemaOfModel(model: unknown): InputSchema | undefined {
  const schemas = obj(obj(obj(obj(obj(model)?.latest_version)?.openapi_schema)?.components)?.schemas);
  if (!schemas) return undefined;
  return parseInputSchema(schemas.Input, schemas);
}

/** The `Input` object schema, its `$ref`s resolved against `schemas` (one level, as Replicate writes enums). */
export function parseInputSchema(input: unknown, schemas: Record<string, unknown> = {}): InputSchema | undefined {
  const o = obj(input);
  const props = obj(o?.properties);
  if (!o || !props) return undefined;
  const required = new Set(Array.isArray(o.required) ? o.required.filter((r): r is string => typeof r === 'string') : []);
  const entries = Object.entries(props)
    .filter(([name]) => NAME.test(name))
    .slice(0, MAX_INPUTS)
    .map(([name, raw], index) => ({ name, raw: obj(raw) ?? {}, index }));
  const order = (e: { raw: Record<string, unknown>; index: number }) =>
    typeof e.raw['x-order'] === 'number' && Number.isFinite(e.raw['x-order']) ? e.raw['x-order'] : MAX_INPUTS + e.index;
  entries.sort((a, b) => order(a) - order(b) || a.index - b.index);
  const inputs = entries.map((e) => readInput(e.name, resolve(e.raw, schemas), required.has(e.name)));
  return { inputs };
}

/** A property with its `$ref` (directly or in `allOf`/`anyOf`) merged in: the property's own keys win. */
function resolve(raw: Record<string, unknown>, schemas: Record<string, unknown>): Record<string, unknown> {
  const refOf = (v: unknown): Record<string, unknown> | undefined => {
    const ref = obj(v)?.$ref;
    const m = typeof ref === 'string' ? /^#\/components\/schemas\/([\w.-]{1,100})$/.exec(ref) : null;
    return m && Object.prototype.hasOwnProperty.call(schemas, m[1]) ? obj(schemas[m[1]]) : undefined;
  };
  const parts = [raw, ...['allOf', 'anyOf', 'oneOf'].flatMap((k) => (Array.isArray(raw[k]) ? (raw[k] as unknown[]).slice(0, 4) : []))];
  let merged: Record<string, unknown> = {};
  for (const part of parts.reverse()) {
    const target = refOf(part) ?? obj(part) ?? {};
    merged = { ...merged, ...target };
  }
  return { ...merged, ...raw };
}

function labelOf(raw: Record<string, unknown>): string | undefined {
  const text = typeof raw.description === 'string' ? raw.description : typeof raw.title === 'string' ? raw.title : undefined;
  const clean = text && sanitizeText(text, [], MAX_LABEL).trim();
  return clean || undefined;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= UNBOUNDED;

function readInput(name: string, raw: Record<string, unknown>, required: boolean): SchemaInput {
  const base: InputBase = { name, ...(labelOf(raw) ? { label: labelOf(raw) } : {}), ...(required ? { required } : {}) };
  const type = raw.type;
  if (Array.isArray(raw.enum)) {
    const values = [
      ...new Set(
        raw.enum.filter((v): v is string | number => (typeof v === 'string' && v !== '' && v.length <= MAX_VALUE_LENGTH) || finite(v)),
      ),
    ].slice(0, MAX_VALUES);
    if (values.length) {
      const def = values.includes(raw.default as string | number) ? { default: raw.default as string | number } : {};
      return { ...base, kind: 'enum', values, ...def };
    }
  }
  if (type === 'integer' || type === 'number') {
    const out: SchemaInput = { ...base, kind: type };
    const min = finite(raw.minimum) ? raw.minimum : undefined;
    const max = finite(raw.maximum) ? raw.maximum : undefined;
    if (min !== undefined) out.min = type === 'integer' ? Math.ceil(min) : min;
    if (max !== undefined) out.max = type === 'integer' ? Math.floor(max) : max;
    if (out.min !== undefined && out.max !== undefined && out.min > out.max) return { ...base, kind: 'other', array: false };
    if (finite(raw.default)) out.default = raw.default;
    return out;
  }
  if (type === 'boolean') return { ...base, kind: 'boolean', ...(typeof raw.default === 'boolean' ? { default: raw.default } : {}) };
  if (type === 'string') {
    const out: SchemaInput = { ...base, kind: 'string', uri: raw.format === 'uri' };
    if (typeof raw.maxLength === 'number' && Number.isInteger(raw.maxLength) && raw.maxLength > 0) out.maxLength = raw.maxLength;
    if (typeof raw.default === 'string' && raw.default.length <= 2000) out.default = raw.default;
    return out;
  }
  return { ...base, kind: 'other', array: type === 'array' };
}

export function inputNamed(schema: InputSchema, name: string): SchemaInput | undefined {
  return schema.inputs.find((i) => i.name === name);
}

/** The values a schema input's value may take, said for a message: "calm, dynamic or wild". */
function allowed(input: Extract<SchemaInput, { kind: 'enum' }>): string {
  return joinOr(input.values);
}

/**
 * Why `value` is not a valid value of `input`, or undefined when it is. `model` names the model in
 * the message.
 */
export function checkInputValue(model: string, input: SchemaInput, value: unknown): string | undefined {
  const name = input.name;
  switch (input.kind) {
    case 'enum':
      return input.values.includes(value as string | number)
        ? undefined
        : l10n.t('{0} takes {1} = {2}; "{3}" is not one of them.', model, name, allowed(input), shown(value));
    case 'integer':
    case 'number': {
      const whole = input.kind === 'integer';
      const ok = typeof value === 'number' && Number.isFinite(value) && (!whole || Number.isInteger(value));
      const inRange = ok && (input.min === undefined || value >= input.min) && (input.max === undefined || value <= input.max);
      if (inRange) return undefined;
      const min = input.min ?? -UNBOUNDED;
      const max = input.max ?? UNBOUNDED;
      return whole
        ? l10n.t('{0} takes {1} as a whole number from {2} to {3}; "{4}" is not.', model, name, min, max, shown(value))
        : l10n.t('{0} takes {1} as a number from {2} to {3}; "{4}" is not.', model, name, min, max, shown(value));
    }
    case 'boolean':
      return typeof value === 'boolean' ? undefined : l10n.t('{0} takes {1} as true or false.', model, name);
    case 'string':
      if (typeof value !== 'string') return l10n.t('{0} takes {1} as text.', model, name);
      return input.maxLength !== undefined && value.length > input.maxLength
        ? l10n.t('{0} takes {1} as text of at most {2} characters.', model, name, input.maxLength)
        : undefined;
    case 'other':
      if (input.array && !Array.isArray(value)) return l10n.t('{0} takes {1} as a list.', model, name);
      return undefined;
  }
}

/** A value as a message shows it: short, on one line. */
function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return sanitizeText(text, [], MAX_PROVIDER_WORD);
}

/**
 * Checks a whole input against the schema: every key is one of its inputs, every value valid, every
 * required input given. `model` names the model in messages.
 */
export function checkInput(model: string, schema: InputSchema, input: Readonly<Record<string, unknown>>): string | undefined {
  const names = schema.inputs.map((i) => i.name);
  for (const [key, value] of Object.entries(input)) {
    const found = inputNamed(schema, key);
    if (!found) return l10n.t('{0} has no input "{1}"; its inputs are: {2}.', model, shown(key), names.join(', '));
    const bad = checkInputValue(model, found, value);
    if (bad) return bad;
  }
  const missing = schema.inputs.find((i) => i.required && input[i.name] === undefined && !('default' in i && i.default !== undefined));
  if (missing) return l10n.t('{0} needs the input "{1}".', model, missing.name);
  return undefined;
}
