// Prompts kept as files: fenced ```video blocks in Markdown. Finding the blocks, reading their
// `key: value` lines into a generate request and saying what is wrong with them is pure text work,
// so it lives here; the keys themselves (names, values, providers) come from a catalog.
import { createHash } from 'crypto';
import { GenerateRequest, ProviderId } from './types';

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
  const body = bodyLines.map((l) => l.trimEnd()).join('\n').trim();
  const fenceSpan = { line: fenceLine, start: lines[fenceLine].length - lines[fenceLine].trimStart().length, end: lines[fenceLine].trimEnd().length };
  return { fenceLine, fenceSpan, endLine, closed, entries, textLines, body, hash: blockHash(body) };
}

export function blockHash(body: string): string {
  return createHash('sha256').update(body).digest('hex').slice(0, 16);
}

/** The block whose lines (fences included) contain `line`. */
export function blockAtLine(blocks: readonly VideoBlock[], line: number): VideoBlock | undefined {
  return blocks.find((b) => line >= b.fenceLine && line <= b.endLine);
}

// ---- the key catalog --------------------------------------------------------------------------

export type ValueSpec =
  | { kind: 'text' }
  | { kind: 'provider' }
  | { kind: 'model' }
  | { kind: 'choice'; values: readonly string[]; numeric?: boolean }
  | { kind: 'integer' | 'number'; min: number; max: number }
  | { kind: 'aspect' }
  | { kind: 'size' }
  /** A workspace-relative (or absolute) path, or an https URL. */
  | { kind: 'file' }
  /** Several of those, separated by commas. */
  | { kind: 'files'; min: number; max: number };

/** Request fields a key can set directly. */
type RequestField = 'provider' | 'model' | 'prompt' | 'negativePrompt' | 'aspectRatio' | 'seed' | 'image' | 'images' | 'video' | 'pikaffect' | 'style';

export interface KeySpec {
  key: string;
  /** What the key means, one sentence. */
  doc: string;
  value: ValueSpec;
  /** Where the value goes: a request field, or `options.<name>` (dots nest: `options.camera.zoom`). */
  target: RequestField | `options.${string}`;
  /** The providers that take this key; every provider when absent. */
  providers?: readonly ProviderId[];
  /** Why this key is left out of this request (a warning), e.g. an aspect ratio next to an image that sets it. */
  ignore?(req: GenerateRequest): string | undefined;
  /** Values offered in completion for kinds without a fixed list (e.g. common aspect ratios). */
  suggest?(provider: ProviderId): readonly string[];
}

export interface ModelList {
  ids: readonly string[];
  /** Any id may be typed (a gateway); otherwise only `ids` are valid (none: the provider has no model choice). */
  open: boolean;
}

export interface PromptCatalog {
  keys: readonly KeySpec[];
  providers: readonly ProviderId[];
  providerLabels: Readonly<Record<ProviderId, string>>;
  /** The provider of a block that names none. */
  defaultProvider: ProviderId;
  models: Readonly<Record<ProviderId, ModelList>>;
  /** Cross-field checks of the finished request (the provider's own validation); a message or undefined. */
  validate(req: GenerateRequest): string | undefined;
}

export type Severity = 'error' | 'warning';

export interface BlockProblem {
  severity: Severity;
  message: string;
  span: LineSpan;
}

/** A file the block refers to, for the caller to check on disk. */
export interface BlockFile {
  key: string;
  path: string;
  span: LineSpan;
}

export interface BlockReading {
  request: GenerateRequest;
  problems: BlockProblem[];
  files: BlockFile[];
}

const MODEL_ID = /^[\w.:/-]{1,100}$/;

/** Reads a block into a request (keys left out take the provider's defaults) and lists its problems. */
export function readVideoBlock(block: VideoBlock, catalog: PromptCatalog): BlockReading {
  const problems: BlockProblem[] = [];
  const files: BlockFile[] = [];
  const problem = (span: LineSpan, message: string, severity: Severity = 'error') => problems.push({ severity, message, span });
  const fence = block.fenceSpan;

  // Keys are matched without regard to case; the first of a repeated key counts.
  const seen = new Map<string, BlockEntry>();
  for (const e of block.entries) {
    const key = e.key.toLowerCase();
    if (seen.has(key)) problem(e.keySpan, `"${e.key}" is given twice (line ${seen.get(key)!.keySpan.line + 1}); keep one.`);
    else seen.set(key, e);
  }

  const providerEntry = seen.get('provider');
  let provider = catalog.defaultProvider;
  if (providerEntry) {
    const p = catalog.providers.find((id) => id === providerEntry.value.toLowerCase());
    if (p) provider = p;
    else if (providerEntry.value) problem(providerEntry.valueSpan, `Unknown provider "${providerEntry.value}". Use one of: ${catalog.providers.join(', ')}.`);
  }
  const label = catalog.providerLabels[provider];

  const request: GenerateRequest = { provider, prompt: '' };
  const prompt = block.textLines.map((t) => ({ line: t.span.line, text: t.text }));
  const set: { spec: KeySpec; entry: BlockEntry }[] = [];
  for (const e of seen.values()) {
    const spec = catalog.keys.find((k) => k.key.toLowerCase() === e.key.toLowerCase());
    if (!spec) {
      const near = closest(e.key, catalog.keys.map((k) => k.key));
      problem(e.keySpan, `Unknown key "${e.key}".${near ? ` Did you mean "${near}"?` : ''} Write text without "key:" to put it in the prompt.`);
      continue;
    }
    if (spec.providers && !spec.providers.includes(provider)) {
      problem(e.keySpan, `"${e.key}" is not a ${label} option (it applies to ${spec.providers.map((p) => catalog.providerLabels[p]).join(', ')}).`);
      continue;
    }
    if (!e.value) {
      problem(e.keySpan, `"${e.key}" needs a value.`);
      continue;
    }
    if (spec.value.kind === 'provider') continue;
    if (spec.target === 'prompt') {
      prompt.push({ line: e.keySpan.line, text: e.value });
      continue;
    }
    const value = parseValue(spec.value, e.value, provider, catalog);
    if (typeof value === 'object' && value !== null && 'invalid' in value) {
      problem(e.valueSpan, `${e.key}: ${value.invalid}`);
      continue;
    }
    if (spec.value.kind === 'file') files.push({ key: e.key, path: value as string, span: e.valueSpan });
    if (spec.value.kind === 'files') for (const p of value as string[]) files.push({ key: e.key, path: p, span: e.valueSpan });
    setTarget(request, spec.target, value);
    set.push({ spec, entry: e });
  }
  request.prompt = prompt
    .sort((a, b) => a.line - b.line)
    .map((p) => p.text)
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();

  for (const { spec, entry } of set) {
    const why = spec.ignore?.(request);
    if (!why) continue;
    setTarget(request, spec.target, undefined);
    problem(entry.keySpan, why, 'warning');
  }
  if (!block.closed) problem(fence, 'This video block has no closing fence.', 'warning');
  if (!problems.some((p) => p.severity === 'error')) {
    const invalid = catalog.validate(request);
    if (invalid) problem(providerEntry?.keySpan ?? fence, invalid);
  }
  return { request, problems, files };
}

function parseValue(spec: ValueSpec, raw: string, provider: ProviderId, catalog: PromptCatalog): unknown {
  switch (spec.kind) {
    case 'text':
    case 'provider':
      return raw;
    case 'model': {
      const models = catalog.models[provider];
      if (models.open) return MODEL_ID.test(raw) ? raw : { invalid: 'a model id is letters, digits and . _ - : / only.' };
      if (!models.ids.length) return { invalid: `${catalog.providerLabels[provider]} has no model choice; remove this line.` };
      return models.ids.includes(raw) ? raw : { invalid: `${catalog.providerLabels[provider]} models are ${models.ids.join(', ')}.` };
    }
    case 'choice': {
      const hit = spec.values.find((v) => v.toLowerCase() === raw.toLowerCase());
      if (hit === undefined) return { invalid: `use one of ${spec.values.join(', ')}.` };
      return spec.numeric ? Number(hit) : hit;
    }
    case 'integer':
    case 'number': {
      const n = Number(raw);
      const whole = spec.kind === 'integer';
      if (!/^[-+]?\d+(\.\d+)?$/.test(raw) || !Number.isFinite(n) || n < spec.min || n > spec.max || (whole && !Number.isInteger(n))) {
        return { invalid: `enter ${whole ? 'a whole number' : 'a number'} from ${spec.min} to ${spec.max}.` };
      }
      return n;
    }
    case 'aspect':
      return /^\d+(\.\d+)?:\d+(\.\d+)?$/.test(raw) && !/^0+(\.0+)?:|:0+(\.0+)?$/.test(raw) ? raw : { invalid: 'write it as width:height, like 16:9.' };
    case 'size':
      return /^\d{2,5}x\d{2,5}$/.test(raw) ? raw : { invalid: 'write it as widthxheight, like 1280x720.' };
    case 'file':
      return raw;
    case 'files': {
      const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
      if (list.length < spec.min || list.length > spec.max) return { invalid: `give ${spec.min} to ${spec.max} paths separated by commas.` };
      return list;
    }
  }
}

/** Sets (or, with `undefined`, removes) the request field or option a key writes. */
function setTarget(request: GenerateRequest, target: KeySpec['target'], value: unknown): void {
  const path = target.startsWith('options.') ? ['options', ...target.slice('options.'.length).split('.')] : [target];
  let node = request as unknown as Record<string, unknown>;
  for (const part of path.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
  if (value === undefined) delete node[path[path.length - 1]];
  else node[path[path.length - 1]] = value;
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

/** Keys a block of this provider can still take (for completion), in catalog order; `used` holds lower-case keys. */
export function keysFor(catalog: PromptCatalog, provider: ProviderId, used: ReadonlySet<string>): KeySpec[] {
  return catalog.keys.filter((k) => !used.has(k.key.toLowerCase()) && (!k.providers || k.providers.includes(provider)));
}

/** The values to offer for a key (completion) with this provider. */
export function valuesFor(spec: KeySpec, provider: ProviderId, catalog: PromptCatalog): string[] {
  switch (spec.value.kind) {
    case 'provider':
      return [...catalog.providers];
    case 'model':
      return [...catalog.models[provider].ids];
    case 'choice':
      return [...spec.value.values];
    default:
      return [...(spec.suggest?.(provider) ?? [])];
  }
}

/** The provider a block names, or the default (for completion before the block is complete). */
export function providerOf(block: VideoBlock, catalog: PromptCatalog): ProviderId {
  const v = block.entries.find((e) => e.key.toLowerCase() === 'provider')?.value.toLowerCase();
  return catalog.providers.find((p) => p === v) ?? catalog.defaultProvider;
}
