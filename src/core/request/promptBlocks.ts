// Prompts kept as files: fenced ```video blocks in Markdown. Finding the blocks, reading their
// `key: value` lines into a generate request and saying what is wrong with them is pure text work,
// so it lives here. The keys are drawn from the providers' descriptors: a few common ones (provider,
// model, prompt, media) and each provider's option fields under their own names.
import { createHash } from 'crypto';
import * as l10n from '@vscode/l10n';

import { literal, noLinks } from '../../shared/links';
import { GenerateRequest, GenerationMode, modeLabel } from '../model/task';
import type { LifecycleVerdict } from '../provider/catalog';
import type { CatalogModel } from '../provider/catalogTypes';
import { MODEL_ID_PATTERN, type OptionField, type ProviderDescriptor } from '../provider/descriptor';
import { checkAgainstModel, joinOr } from '../provider/modelCapabilities';
import { modelChoices } from '../provider/modelList';
import { writeField, type FieldValue } from '../provider/optionFields';
import { MAX_PROMPT_LENGTH } from './requestValidation';

/** A span of one line: `start` and `end` are character columns. */
export interface LineSpan {
  line: number;
  start: number;
  end: number;
}

export interface BlockEntry {
  key: string;
  value: string;
  keySpan: LineSpan;
  valueSpan: LineSpan;
}

export interface VideoBlock {
  /** Line of the opening fence. */
  fenceLine: number;
  fenceSpan: LineSpan;
  /** Line of the closing fence, or the document's last line when the block is not closed. */
  endLine: number;
  closed: boolean;
  /** `key: value` lines, in order. */
  entries: BlockEntry[];
  /** Lines of plain text: the prompt, together with any `prompt:` value, in the order written. */
  textLines: { span: LineSpan; text: string }[];
  /** The body between the fences. */
  body: string;
  /** Identifies the block's text: editing the block gives a new hash (a fresh history). */
  hash: string;
}

const OPEN_FENCE = /^( {0,3})(`{3,}|~{3,})\s*video(?:\s.*)?$/i;
const KEY_LINE = /^(\s*)([A-Za-z][\w.-]*)(\s*):(?!\/\/)\s*(.*?)\s*$/;

/** Every fenced `video` block of a Markdown text, in order. */
export function findVideoBlocks(text: string): VideoBlock[] {
  const lines = text.split(/\r?\n/);
  const blocks: VideoBlock[] = [];
  let fence: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (fence !== undefined) {
      // Fences of other languages are skipped whole: a ```video inside them is just text.
      if (isClosingFence(line, fence)) fence = undefined;
      continue;
    }
    const other = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (!other) continue;
    const open = OPEN_FENCE.exec(line);
    if (!open) {
      fence = other[1];
      continue;
    }
    let end = i + 1;
    while (end < lines.length && !isClosingFence(lines[end], open[2])) end++;
    const closed = end < lines.length;
    blocks.push(readBlock(lines, i, closed ? end : lines.length - 1, closed));
    i = end;
  }
  return blocks;
}

function isClosingFence(line: string, fence: string): boolean {
  const m = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line);
  return !!m && m[1][0] === fence[0] && m[1].length >= fence.length;
}

function readBlock(lines: string[], fenceLine: number, endLine: number, closed: boolean): VideoBlock {
  const bodyLines = lines.slice(fenceLine + 1, closed ? endLine : endLine + 1);
  const entries: BlockEntry[] = [];
  const textLines: VideoBlock['textLines'] = [];
  bodyLines.forEach((text, i) => {
    const line = fenceLine + 1 + i;
    if (!text.trim()) return;
    const m = KEY_LINE.exec(text);
    if (m) {
      const keyStart = m[1].length;
      const keyEnd = keyStart + m[2].length;
      const valueStart = m[4] ? text.indexOf(m[4], keyEnd + m[3].length + 1) : text.trimEnd().length;
      entries.push({
        key: m[2],
        value: m[4],
        keySpan: { line, start: keyStart, end: keyEnd },
        valueSpan: { line, start: valueStart, end: valueStart + m[4].length },
      });
    } else {
      const start = text.length - text.trimStart().length;
      textLines.push({ span: { line, start, end: text.trimEnd().length }, text: text.trim() });
    }
  });
  const body = bodyLines
    .map((l) => l.trimEnd())
    .join('\n')
    .trim();
  const fenceSpan = {
    line: fenceLine,
    start: lines[fenceLine].length - lines[fenceLine].trimStart().length,
    end: lines[fenceLine].trimEnd().length,
  };
  return { fenceLine, fenceSpan, endLine, closed, entries, textLines, body, hash: blockHash(body) };
}

export function blockHash(body: string): string {
  return createHash('sha256').update(body).digest('hex').slice(0, 16);
}

/** The block whose lines (fences included) contain `line`. */
export function blockAtLine(blocks: readonly VideoBlock[], line: number): VideoBlock | undefined {
  return blocks.find((b) => line >= b.fenceLine && line <= b.endLine);
}

// ---- keys, drawn from the providers ---------------------------------------------------------

/** What a block needs of a provider: its descriptor's data and its own last check. */
export type BlockProvider = Pick<ProviderDescriptor, 'id' | 'label' | 'modes' | 'models' | 'options' | 'validate'>;

export interface PromptCatalog {
  /** In registry order; a block that names no provider uses the first. */
  providers: readonly BlockProvider[];
  /** Model ids the user's settings add for a provider (its `models.setting`). */
  configuredModels(provider: BlockProvider): readonly string[];
  /** The model's catalogue entry as known now (no waiting); undefined when the catalogue does not have it. */
  model?(provider: BlockProvider, modelId: string): CatalogModel | undefined;
  /** The model's lifecycle as known now (no waiting): a retired or deprecated model gets a warning. */
  lifecycle?(provider: BlockProvider, modelId: string): LifecycleVerdict | undefined;
}

/**
 * The provider-neutral keys: every provider reads them (a provider's own field of the same block name
 * wins), and the model's catalogue entry, when known, says which values it takes.
 */
export const NEUTRAL_KEYS = ['duration', 'resolution', 'audio', 'lastFrame'] as const;
export type NeutralKey = (typeof NEUTRAL_KEYS)[number];

function neutralDoc(key: NeutralKey): string {
  switch (key) {
    case 'duration':
      return l10n.t("How long the video is, in seconds. Without this line: the model's default.");
    case 'resolution':
      return l10n.t("The resolution, e.g. 720p or 1080p. Without this line: the model's default.");
    case 'audio':
      return l10n.t('true to generate sound with the video (where the model can), false for none.');
    case 'lastFrame':
      return l10n.t('An image the video ends on: a path relative to the workspace folder (or absolute), or an https URL.');
  }
}

/** The neutral key a block key names, unless the provider has its own field of that name. */
export function neutralKeyOf(provider: Pick<BlockProvider, 'options'>, key: string): NeutralKey | undefined {
  if (fieldFor(provider, key)) return undefined;
  return NEUTRAL_KEYS.find((k) => same(k, key));
}

/** Whether the model's catalogue entry says it takes this neutral key at all (unknown: yes). */
function modelTakes(model: CatalogModel | undefined, key: NeutralKey): boolean {
  const caps = model?.capabilities;
  if (!caps) return true;
  if (key === 'duration') return caps.durations === undefined || caps.durations.length > 0;
  if (key === 'resolution') return caps.resolutions === undefined || caps.resolutions.length > 0;
  if (key === 'audio') return caps.audio !== false;
  return !caps.frames || caps.frames.last;
}

/** What the model takes for a neutral key, in words ("google/veo-3.1 takes 4, 6 or 8 seconds."); undefined when unknown. */
export function modelHint(model: CatalogModel | undefined, key: string): string | undefined {
  const caps = model?.capabilities;
  if (!model || !caps) return undefined;
  const name = model.label || model.id;
  const k = NEUTRAL_KEYS.find((n) => same(n, key));
  if (k === 'duration' && caps.durations) {
    return caps.durations.length
      ? l10n.t('{0} takes {1} seconds.', name, joinOr(caps.durations))
      : l10n.t('{0} does not take a duration.', name);
  }
  if (k === 'resolution' && caps.resolutions) {
    return caps.resolutions.length
      ? l10n.t('{0} takes the resolution {1}.', name, joinOr(caps.resolutions))
      : l10n.t('{0} does not take a resolution.', name);
  }
  if (k === 'audio' && caps.audio !== undefined) {
    return caps.audio ? l10n.t('{0} can generate sound.', name) : l10n.t('{0} does not generate sound.', name);
  }
  if (k === 'lastFrame' && caps.frames) {
    return caps.frames.last ? l10n.t('{0} takes a last frame.', name) : l10n.t('{0} does not take a last frame.', name);
  }
  return undefined;
}

/** The warning a block naming a retired (or deprecated) model gets; undefined for an available or unknown one. */
export function lifecycleWarning(modelId: string, v: LifecycleVerdict | undefined): string | undefined {
  if (!v || v.state === 'available') return undefined;
  const date = v.date ?? '';
  if (v.state === 'deprecated') return l10n.t('{0} is deprecated and will be retired on {1}.', modelId, date);
  if (v.certain) {
    return v.hint ? l10n.t('{0} was retired on {1}. {2}', modelId, date, v.hint) : l10n.t('{0} was retired on {1}.', modelId, date);
  }
  if (v.source === 'retirements' && v.by) {
    return l10n.t('{0}: the name was retired at {1} on {2} and may mean something else on this server.', modelId, v.by, date);
  }
  return v.hint ? l10n.t('{0}: {1}', modelId, v.hint) : l10n.t('{0} is retired or unknown at this server.', modelId);
}

/** Keys every block may use, whatever the provider. */
export const COMMON_KEYS = ['provider', 'model', 'prompt', 'image', 'images', 'video'] as const;
type CommonKey = (typeof COMMON_KEYS)[number];

function commonDoc(key: CommonKey): string {
  switch (key) {
    case 'provider':
      return l10n.t('Which service makes the video. Without this line: the first provider.');
    case 'model':
      return l10n.t("The model, as the provider names it. Without this line: the provider's default.");
    case 'prompt':
      return l10n.t('What the video shows. Lines without a `key:` are part of the prompt too.');
    case 'image':
      return l10n.t('An image to animate: a path relative to the workspace folder (or absolute), or an https URL.');
    case 'images':
      return l10n.t('Several images to combine, separated by commas: workspace paths or https URLs.');
    case 'video':
      return l10n.t('A video to restyle: a workspace path or an https URL.');
  }
}

/**
 * Keys of a storyboard shot (core/storyboard/): `id` names the shot, `after` starts it on the last
 * frame of another shot. The storyboard reads them; a block read as a request leaves them out.
 */
export const SHOT_KEYS = ['id', 'after'] as const;

export function isShotKey(key: string): boolean {
  return SHOT_KEYS.some((k) => same(k, key));
}

/** The generation mode each media key asks for. */
const MEDIA_MODES: Partial<Record<CommonKey, GenerationMode>> = { image: 'image-to-video', images: 'ingredients', video: 'video-edit' };
const MAX_IMAGES = 10;

/** Shorter block names for a few option fields; every other field goes by its own key. */
const BLOCK_NAMES: Readonly<Record<string, string>> = { negativePrompt: 'negative', aspectRatio: 'aspect', duration: 'seconds' };

export function blockKeyOf(field: OptionField): string {
  return BLOCK_NAMES[field.key] ?? field.key;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export function isCommonKey(key: string): key is CommonKey {
  return COMMON_KEYS.some((k) => same(k, key));
}

/** The provider's option field a block key names. */
export function fieldFor(provider: Pick<BlockProvider, 'options'>, key: string): OptionField | undefined {
  return provider.options.find((f) => same(blockKeyOf(f), key));
}

export function defaultProvider(catalog: PromptCatalog): BlockProvider {
  return catalog.providers[0];
}

/** The provider a block names, or the default (also for a block still being written). */
export function providerOf(block: VideoBlock, catalog: PromptCatalog): BlockProvider {
  const v = block.entries.find((e) => same(e.key, 'provider'))?.value;
  return catalog.providers.find((p) => v !== undefined && same(p.id, v)) ?? defaultProvider(catalog);
}

/** The mode a block's media keys ask for: a video restyles, several images combine, one image animates. */
export function modeOf(block: VideoBlock): GenerationMode {
  const has = (k: CommonKey) => block.entries.some((e) => same(e.key, k) && e.value);
  // A shot `after` another starts on that shot's last frame: an image to animate.
  const after = block.entries.some((e) => same(e.key, 'after') && e.value);
  return has('video') ? 'video-edit' : has('images') ? 'ingredients' : has('image') || after ? 'image-to-video' : 'text-to-video';
}

/** The model ids offered for a provider in a mode; `open` when any id may be typed. */
export function modelsFor(catalog: PromptCatalog, provider: BlockProvider, mode: GenerationMode): { ids: string[]; open: boolean } {
  return { ids: modelChoices(provider, mode, catalog.configuredModels(provider), []), open: provider.models?.custom === true };
}

/** A key a block may still use with this provider in this mode (completion), with a line about it. */
export interface KeyOffer {
  key: string;
  doc: string;
  field?: OptionField;
}

/** Keys a block of this provider and mode can still take, common ones first; `used` holds lower-case keys. */
export function keysFor(provider: BlockProvider, mode: GenerationMode, used: ReadonlySet<string>, model?: CatalogModel): KeyOffer[] {
  const common = COMMON_KEYS.filter((k) => {
    const needs = MEDIA_MODES[k];
    return !needs || provider.modes.includes(needs);
  }).map((k): KeyOffer => ({ key: k, doc: commonDoc(k) }));
  // The neutral keys the model takes (all of them while its entry is unknown).
  const neutral = NEUTRAL_KEYS.filter((k) => neutralKeyOf(provider, k) && modelTakes(model, k)).map((k): KeyOffer => {
    const hint = modelHint(model, k);
    return { key: k, doc: hint ? `${neutralDoc(k)} ${hint}` : neutralDoc(k) };
  });
  const fields = provider.options
    .filter((f) => !f.modes || f.modes.includes(mode))
    .map((f): KeyOffer => ({ key: blockKeyOf(f), doc: f.label, field: f }));
  return [...common, ...neutral, ...fields].filter((o) => !used.has(o.key.toLowerCase()));
}

/** The values to offer for a key (completion): providers, models, an enum's values. */
export function valuesFor(
  catalog: PromptCatalog,
  provider: BlockProvider,
  mode: GenerationMode,
  key: string,
  model?: CatalogModel,
): string[] {
  if (same(key, 'provider')) return catalog.providers.map((p) => p.id);
  if (same(key, 'model')) return modelsFor(catalog, provider, mode).ids;
  const neutral = neutralKeyOf(provider, key);
  if (neutral === 'duration') return (model?.capabilities.durations ?? []).map(String);
  if (neutral === 'resolution') return [...(model?.capabilities.resolutions ?? [])];
  if (neutral === 'audio') return model?.capabilities.audio === false ? [] : ['true', 'false'];
  if (neutral) return [];
  const field = fieldFor(provider, key);
  return field?.kind === 'enum' ? field.values.map(String) : field?.kind === 'boolean' ? ['true', 'false'] : [];
}

/** What a key means and takes, for a hover: the common meaning, or each provider's field of that name. */
export function describeKey(
  catalog: PromptCatalog,
  key: string,
): { key: string; doc: string } | { key: string; fields: { provider: BlockProvider; field: OptionField }[] } | undefined {
  const common = COMMON_KEYS.find((k) => same(k, key));
  if (common) return { key: common, doc: commonDoc(common) };
  const neutral = NEUTRAL_KEYS.find((k) => same(k, key));
  if (neutral && catalog.providers.every((p) => !fieldFor(p, key))) return { key: neutral, doc: neutralDoc(neutral) };
  const fields = catalog.providers.flatMap((provider) => {
    const field = fieldFor(provider, key);
    return field ? [{ provider, field }] : [];
  });
  return fields.length ? { key: blockKeyOf(fields[0].field), fields } : undefined;
}

/** What a field accepts, in words. */
export function allowedValues(field: OptionField): string {
  switch (field.kind) {
    case 'number':
      return field.integer
        ? l10n.t('a whole number from {0} to {1}', field.min, field.max)
        : l10n.t('a number from {0} to {1}', field.min, field.max);
    case 'enum':
      return l10n.t('one of {0}', field.values.join(', '));
    case 'text':
      return l10n.t('text, up to {0} characters', field.maxLength);
    case 'boolean':
      return l10n.t('true or false');
  }
}

// ---- reading a block ------------------------------------------------------------------------

export type Severity = 'error' | 'warning';

export interface BlockProblem {
  severity: Severity;
  message: string;
  span: LineSpan;
  /** `retired-model`: the model line names a retired or deprecated model (a quick fix switches it). */
  code?: 'retired-model';
}

/** A file the block refers to, for the caller to check on disk. */
export interface BlockFile {
  key: string;
  path: string;
  span: LineSpan;
}

export interface BlockReading {
  request: GenerateRequest;
  mode: GenerationMode;
  problems: BlockProblem[];
  files: BlockFile[];
}

/** Reads a block into a request (keys left out take the provider's defaults) and lists its problems. */
export function readVideoBlock(block: VideoBlock, catalog: PromptCatalog): BlockReading {
  const problems: BlockProblem[] = [];
  const files: BlockFile[] = [];
  // Messages quote what the block says, and the block may say `[Click](command:…)`: no link survives.
  const problem = (span: LineSpan, message: string, severity: Severity = 'error', code?: BlockProblem['code']) =>
    problems.push({ severity, message: noLinks(message), span, ...(code ? { code } : {}) });
  // Neutral values, checked against the model's catalogue entry once the model line is read.
  const neutralEntries: { key: NeutralKey; entry: BlockEntry }[] = [];
  let modelEntry: BlockEntry | undefined;

  // Keys are matched without regard to case; the first of a repeated key counts.
  const seen = new Map<string, BlockEntry>();
  for (const e of block.entries) {
    const key = e.key.toLowerCase();
    if (seen.has(key)) problem(e.keySpan, l10n.t('"{0}" is given twice (line {1}); keep one.', e.key, seen.get(key)!.keySpan.line + 1));
    else seen.set(key, e);
  }

  const providerEntry = seen.get('provider');
  const provider = providerOf(block, catalog);
  if (providerEntry?.value && !same(provider.id, providerEntry.value)) {
    problem(
      providerEntry.valueSpan,
      l10n.t('Unknown provider "{0}". Use one of: {1}.', literal(providerEntry.value), catalog.providers.map((p) => p.id).join(', ')),
    );
  }
  const mode = modeOf(block);
  const request: GenerateRequest = { provider: provider.id, prompt: '' };
  const prompt = block.textLines.map((t) => ({ span: t.span, text: t.text }));

  for (const e of seen.values()) {
    if (same(e.key, 'provider') || isShotKey(e.key)) continue;
    if (!e.value) {
      problem(e.keySpan, l10n.t('"{0}" needs a value.', e.key));
      continue;
    }
    if (isCommonKey(e.key)) {
      const key = COMMON_KEYS.find((k) => same(k, e.key))!;
      const needs = MEDIA_MODES[key];
      if (needs && !provider.modes.includes(needs)) {
        const able = catalog.providers.filter((p) => p.modes.includes(needs)).map((p) => p.id);
        const what = modeLabel(needs).toLowerCase();
        const others = able.join(', ');
        problem(
          e.keySpan,
          able.length > 1
            ? l10n.t('{0} does not do "{1}"; {2} do.', provider.label, what, others)
            : able.length
              ? l10n.t('{0} does not do "{1}"; {2} does.', provider.label, what, others)
              : l10n.t('{0} does not do "{1}".', provider.label, what),
        );
        continue;
      }
      if (key === 'prompt') prompt.push({ span: e.valueSpan, text: e.value });
      else if (key === 'model') {
        const models = modelsFor(catalog, provider, mode);
        if (!provider.models) problem(e.valueSpan, l10n.t('{0} has no model choice; remove this line.', provider.label));
        else if (models.open ? !MODEL_ID_PATTERN.test(e.value) : !models.ids.includes(e.value)) {
          problem(
            e.valueSpan,
            models.open
              ? l10n.t('model: a model id is letters, digits and . _ - : / only.')
              : l10n.t('model: {0} models here are {1}.', provider.label, models.ids.join(', ')),
          );
        } else {
          request.model = e.value;
          modelEntry = e;
        }
      } else if (key === 'images') {
        const list = e.value
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean);
        if (list.length < 2 || list.length > MAX_IMAGES) {
          problem(e.valueSpan, l10n.t('images: give 2 to {0} paths separated by commas.', MAX_IMAGES));
        } else {
          request.images = list;
          for (const path of list) files.push({ key, path, span: e.valueSpan });
        }
      } else {
        request[key] = e.value;
        files.push({ key, path: e.value, span: e.valueSpan });
      }
      continue;
    }
    const field = fieldFor(provider, e.key);
    const neutral = field ? undefined : neutralKeyOf(provider, e.key);
    if (neutral) {
      const invalid = readNeutral(request, neutral, e.value);
      if (invalid) problem(e.valueSpan, `${neutral}: ${invalid}`);
      else {
        neutralEntries.push({ key: neutral, entry: e });
        if (neutral === 'lastFrame') files.push({ key: neutral, path: e.value, span: e.valueSpan });
      }
      continue;
    }
    if (!field) {
      const others = catalog.providers.filter((p) => fieldFor(p, e.key));
      if (others.length) {
        problem(
          e.keySpan,
          l10n.t('"{0}" is not a {1} option (it applies to {2}).', e.key, provider.label, others.map((p) => p.label).join(', ')),
        );
      } else {
        const near = closest(e.key, [...COMMON_KEYS, ...NEUTRAL_KEYS, ...catalog.providers.flatMap((p) => p.options.map(blockKeyOf))]);
        problem(
          e.keySpan,
          near
            ? l10n.t('Unknown key "{0}". Did you mean "{1}"? Write text without "key:" to put it in the prompt.', e.key, near)
            : l10n.t('Unknown key "{0}". Write text without "key:" to put it in the prompt.', e.key),
        );
      }
      continue;
    }
    if (field.modes && !field.modes.includes(mode)) {
      problem(
        e.keySpan,
        l10n.t(
          '{0} does not use {1} for {2}; this line is left out.',
          provider.label,
          field.label.toLowerCase(),
          modeLabel(mode).toLowerCase(),
        ),
        'warning',
      );
      continue;
    }
    const value = parseValue(field, e.value);
    if (typeof value === 'object') problem(e.valueSpan, `${e.key}: ${value.invalid}`);
    else writeField(request, field, value);
  }
  prompt.sort((a, b) => a.span.line - b.span.line);
  request.prompt = prompt
    .map((p) => p.text)
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
  // The same limit as a generate request's: a longer prompt is an error, so the block sends nothing.
  if (request.prompt.length > MAX_PROMPT_LENGTH) {
    problem(prompt[0].span, l10n.t('The prompt is {0} characters long; {1} at most.', request.prompt.length, MAX_PROMPT_LENGTH));
  }

  // What the model's catalogue entry says, as known now: each neutral value it does not take, and its lifecycle.
  if (request.model && modelEntry) {
    const model = catalog.model?.(provider, request.model);
    if (model) {
      for (const { key, entry } of neutralEntries) {
        const one: GenerateRequest = { provider: provider.id, prompt: '', [key]: request[key] };
        const refused = checkAgainstModel(model, one);
        if (refused) problem(entry.valueSpan, `${key}: ${refused}`);
      }
    }
    const warning = lifecycleWarning(request.model, catalog.lifecycle?.(provider, request.model));
    if (warning) problem(modelEntry.valueSpan, warning, 'warning', 'retired-model');
  }

  if (!block.closed) problem(block.fenceSpan, l10n.t('This video block has no closing fence.'), 'warning');
  if (!problems.some((p) => p.severity === 'error')) {
    const invalid = provider.validate(request);
    if (invalid) problem(providerEntry?.keySpan ?? block.fenceSpan, invalid);
  }
  return { request, mode, problems, files };
}

/** Reads a neutral key's value onto the request; the reason when it cannot be read. */
function readNeutral(request: GenerateRequest, key: NeutralKey, raw: string): string | undefined {
  switch (key) {
    case 'duration': {
      const m = /^(\d+(?:\.\d+)?)\s*s?$/i.exec(raw);
      const n = m ? Number(m[1]) : NaN;
      if (!(n > 0 && n <= 600)) return l10n.t('give the length in seconds, e.g. 8.');
      request.duration = n;
      return undefined;
    }
    case 'resolution':
      if (!/^[\w.:-]{1,20}$/.test(raw)) return l10n.t('give a resolution such as 720p or 1080p.');
      request.resolution = raw;
      return undefined;
    case 'audio':
      if (/^(true|yes)$/i.test(raw)) request.audio = true;
      else if (/^(false|no)$/i.test(raw)) request.audio = false;
      else return l10n.t('use true or false.');
      return undefined;
    case 'lastFrame':
      request.lastFrame = raw;
      return undefined;
  }
}

function parseValue(field: OptionField, raw: string): FieldValue | { invalid: string } {
  switch (field.kind) {
    case 'number': {
      const n = Number(raw);
      const ok = /^[-+]?\d+(\.\d+)?$/.test(raw) && n >= field.min && n <= field.max && (!field.integer || Number.isInteger(n));
      return ok ? n : { invalid: l10n.t('enter {0}.', allowedValues(field)) };
    }
    case 'enum': {
      const hit = field.values.find((v) => same(String(v), raw));
      return hit ?? { invalid: l10n.t('use {0}.', allowedValues(field)) };
    }
    case 'text':
      return raw.length <= field.maxLength ? raw : { invalid: l10n.t('keep it under {0} characters.', field.maxLength) };
    case 'boolean':
      return /^(true|yes)$/i.test(raw) ? true : /^(false|no)$/i.test(raw) ? false : { invalid: l10n.t('use true or false.') };
  }
}

/** The candidate within two edits of `word`, if any (for "did you mean"). */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d <= 2 && (!best || d < best.d)) best = { c, d };
  }
  return best?.c;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}
