// Prompt files: ```video blocks in Markdown get lenses (Generate, live status, Play/Save of the
// latest result), diagnostics, completion and hover. The parsing is core/request/promptBlocks.ts;
// the commands the lenses run are promptFileCommands.ts. A lens is a click: its arguments end with
// INTERACTIVE (commands/invocation.ts), which tells it from a script passing the same ids. Media a
// block names outside the workspace is shown with its real path (a warning, and the Generate lens's
// tooltip): Generate asks before uploading it.
import * as vscode from 'vscode';

import { TaskEngine } from '../../core/engine/engine';
import { GenerateRequest, isActive, Task } from '../../core/model/task';
import type { ModelCatalog } from '../../core/provider/catalog';
import type { CatalogModel } from '../../core/provider/catalogTypes';
import type { ModelOptions } from '../../core/provider/descriptor';
import type { ModelListCache } from '../../core/provider/modelList';
import { formatPrice, type PriceQuote } from '../../core/provider/pricing';
import {
  allowedValues,
  blockAtLine,
  BlockFile,
  BlockProblem,
  describeKey,
  findVideoBlocks,
  keysFor,
  LineSpan,
  modelHint,
  modelsFor,
  modeOf,
  PromptCatalog,
  providerOf,
  readVideoBlock,
  valuesFor,
  VideoBlock,
} from '../../core/request/promptBlocks';
import { isStoryboard, parseStoryboard } from '../../core/storyboard/parse';
import type { MediaRef } from '../../core/workspace/mediaRefs';
import { PROVIDER_LIST, providerLabel, PROVIDERS } from '../../providers';
import { literal } from '../../shared/links';
import type { CommandId } from '../commands/commandIds';
import { INTERACTIVE } from '../commands/invocation';
import { checkedBaseUrl, modelListSetting, onDidChange } from '../config';
import { resolveBlockMedia } from '../generate/mediaPaths';

const SELECTOR: vscode.DocumentSelector = [{ language: 'markdown' }];
/** The gallery's commands: their lenses show only while they exist. */
const VARIANTS_COMMAND: CommandId = 'aiVideo.generateVariants';
const COMPARE_COMMAND: CommandId = 'aiVideo.compare';
/** The Tasks view's own focus command (VS Code makes one for every view). */
const FOCUS_TASKS = 'aiVideo.tasks.focus';

/** The extension's model catalogue, set when prompt files are registered (blocks read capabilities and lifecycles from it). */
let models: ModelCatalog | undefined;
/** What servers listed at GET {base}/models this session (read without asking: a quick fix never waits on the network). */
let modelLists: ModelListCache | undefined;
/** The command a retired model's quick fix runs to fetch the server's list and choose from it (promptFileCommands.ts). */
const CHOOSE_MODEL: CommandId = 'aiVideo.chooseBlockModel';

/** The provider's base URL as set, or undefined when it is unset or refused (nothing is looked up then). */
function baseUrlOf(id: string): string | undefined {
  const p = PROVIDERS[id];
  if (!p) return undefined;
  try {
    return checkedBaseUrl(p);
  } catch {
    return undefined;
  }
}

/** The model's catalogue entry as known now (no waiting). */
function modelEntry(providerId: string, modelId: string | undefined): CatalogModel | undefined {
  const base = baseUrlOf(providerId);
  return models && base && modelId ? models.model(providerId, base, modelId) : undefined;
}

/** A model's own options (Replicate's schema) as known now: read from memory only. */
function modelOptionsEntry(providerId: string, modelId: string): ModelOptions | undefined {
  const base = baseUrlOf(providerId);
  return base ? PROVIDERS[providerId]?.modelOptions?.peek(base, modelId) : undefined;
}

/** The block keys of every registered provider, with the models the user's settings add and what the catalogue knows now. */
export function promptCatalog(): PromptCatalog {
  return {
    modelOptions: (p, id) => modelOptionsEntry(p.id, id),
    providers: PROVIDER_LIST,
    configuredModels: (p) => (p.models?.setting ? modelListSetting(p.models.setting) : []),
    model: (p, id) => modelEntry(p.id, id),
    lifecycle: (p, id) => {
      const base = baseUrlOf(p.id);
      return models && base ? models.lifecycleOf(p.id, base, id) : undefined;
    },
  };
}
const catalog = promptCatalog;

/** The diagnostic code of a model line naming a retired or deprecated model (its quick fix switches the model). */
const RETIRED_MODEL = 'retired-model';
/** How many models the quick fix offers to switch to. */
const SWITCH_CHOICES = 3;

const toRange = (s: LineSpan) => new vscode.Range(s.line, s.start, s.line, s.end);

/** Tasks made from this block as it is now, newest first. */
function tasksOf(engine: TaskEngine, uri: vscode.Uri, block: VideoBlock): Task[] {
  const key = uri.toString();
  return engine.getTasks().filter((t) => t.source?.uri === key && t.source.hash === block.hash);
}

/** Each file a block names, resolved by the block rules (`storage`: the extension's own, always allowed). */
async function blockMedia(doc: vscode.TextDocument, block: VideoBlock, storage: vscode.Uri): Promise<{ file: BlockFile; ref: MediaRef }[]> {
  const out: { file: BlockFile; ref: MediaRef }[] = [];
  for (const file of readVideoBlock(block, catalog()).files) out.push({ file, ref: await resolveBlockMedia(file.path, doc.uri, storage) });
  return out;
}

/** `storage`: the extension's global storage, where media may always come from (frames it extracted). */
export function registerPromptFiles(
  engine: TaskEngine,
  storage: vscode.Uri,
  catalogue?: ModelCatalog,
  listed?: ModelListCache,
  /** Reads (and caches) a model's own options; false when nothing was tried (no key yet), rejects when they cannot be read. */
  loadModelOptions?: (providerId: string, model: string) => Promise<boolean>,
  quote?: (req: GenerateRequest) => PriceQuote,
): vscode.Disposable {
  const subs: vscode.Disposable[] = [];
  models = catalogue;
  modelLists = listed;
  subs.push({
    dispose: () => {
      models = models === catalogue ? undefined : models;
      modelLists = modelLists === listed ? undefined : modelLists;
    },
  });

  // ---- lenses -------------------------------------------------------------------------------

  const lenses = new BlockLenses(engine, storage, quote);
  subs.push(lenses, vscode.languages.registerCodeLensProvider(SELECTOR, lenses));

  // ---- diagnostics --------------------------------------------------------------------------

  const diagnostics = vscode.languages.createDiagnosticCollection('aiVideo.prompts');
  subs.push(diagnostics);
  const pending = new Map<string, ReturnType<typeof setTimeout>>();
  // Diagnostics never wait for a catalogue: the providers an open block uses get theirs fetched in the
  // background (once per provider and base URL in this session), and the diagnostics are redone when it comes.
  const requested = new Set<string>();
  const fetchCatalogues = (doc: vscode.TextDocument) => {
    for (const block of findVideoBlocks(doc.getText())) {
      const id = providerOf(block, catalog()).id;
      // A model known by its schema: read once in this session (retried after a key is set), then checked again.
      const model = block.entries.find((e) => e.key.toLowerCase() === 'model')?.value?.trim();
      const base = baseUrlOf(id);
      if (loadModelOptions && model && base && PROVIDERS[id]?.modelOptions && !modelOptionsEntry(id, model)) {
        const key = `${id} ${base} ${model}`;
        if (!requested.has(key)) {
          requested.add(key);
          void loadModelOptions(id, model).then(
            (tried) => (tried ? checkAll() : requested.delete(key)),
            () => undefined,
          );
        }
      }
    }
    if (!models) return;
    for (const block of findVideoBlocks(doc.getText())) {
      const id = providerOf(block, catalog()).id;
      const base = baseUrlOf(id);
      if (!base || requested.has(`${id} ${base}`)) continue;
      requested.add(`${id} ${base}`);
      void models.models(id, base).then(
        () => checkAll(),
        () => undefined,
      );
    }
  };
  const check = async (doc: vscode.TextDocument) => {
    if (doc.languageId !== 'markdown') return;
    fetchCatalogues(doc);
    const version = doc.version;
    const found = await diagnose(doc, storage);
    // A newer check of an edited document wins.
    if (doc.isClosed || doc.version !== version) return;
    diagnostics.set(doc.uri, found);
  };
  const schedule = (doc: vscode.TextDocument) => {
    if (doc.languageId !== 'markdown') return;
    const key = doc.uri.toString();
    clearTimeout(pending.get(key));
    pending.set(
      key,
      setTimeout(() => {
        pending.delete(key);
        void check(doc);
      }, 300),
    );
  };
  const checkAll = () => vscode.workspace.textDocuments.forEach((d) => void check(d));
  subs.push(
    vscode.workspace.onDidOpenTextDocument((d) => void check(d)),
    vscode.workspace.onDidChangeTextDocument((e) => schedule(e.document)),
    vscode.workspace.onDidCloseTextDocument((d) => {
      clearTimeout(pending.get(d.uri.toString()));
      diagnostics.delete(d.uri);
    }),
    // A file named by a block may appear or go away.
    vscode.workspace.onDidCreateFiles(checkAll),
    vscode.workspace.onDidDeleteFiles(checkAll),
    vscode.workspace.onDidRenameFiles(checkAll),
    onDidChange(checkAll),
    { dispose: () => pending.forEach((t) => clearTimeout(t)) },
  );
  checkAll();

  // ---- completion and hover -----------------------------------------------------------------

  subs.push(vscode.languages.registerCompletionItemProvider(SELECTOR, { provideCompletionItems: complete }, ':', ' '));
  subs.push(vscode.languages.registerHoverProvider(SELECTOR, { provideHover: hover }));
  subs.push(
    vscode.languages.registerCodeActionsProvider(
      SELECTOR,
      { provideCodeActions: switchModel },
      { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
    ),
  );

  return vscode.Disposable.from(...subs);
}

async function diagnose(doc: vscode.TextDocument, storage: vscode.Uri): Promise<vscode.Diagnostic[]> {
  const blocks = findVideoBlocks(doc.getText());
  if (!blocks.length) return [];
  const c = catalog();
  const out: vscode.Diagnostic[] = [];
  const add = (p: BlockProblem) => {
    const d = new vscode.Diagnostic(
      toRange(p.span),
      p.message,
      p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
    );
    d.source = 'AI Video';
    if (p.code) d.code = RETIRED_MODEL;
    out.push(d);
  };
  // A storyboard's own problems: ids, `after` (its blocks' problems come below, with every block's).
  const text = doc.getText();
  if (isStoryboard(text)) {
    parseStoryboard(text, c)
      .problems.filter((p) => !p.fromBlock)
      .forEach(add);
  }
  for (const block of blocks) {
    const reading = readVideoBlock(block, c);
    reading.problems.forEach(add);
    for (const { file, ref } of await blockMedia(doc, block, storage)) {
      if (!ref.ok) add({ severity: 'error', message: `${file.key}: ${ref.message}`, span: file.span });
      else if (ref.outside) {
        const message = vscode.l10n.t(
          '{0}: "{1}" is outside the workspace; Generate asks before uploading it.',
          file.key,
          literal(ref.outside, 1000),
        );
        add({ severity: 'warning', message, span: file.span });
      }
    }
  }
  return out;
}

/** Lenses above each block; refreshed only when what they show changes (a refresh re-issues their commands). */
class BlockLenses implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly sub: vscode.Disposable;
  private commands: { at: number; ids: Promise<Set<string>> } | undefined;
  /** Per document: what its lenses showed last time. */
  private readonly shown = new Map<string, string>();

  constructor(
    private readonly engine: TaskEngine,
    private readonly storage: vscode.Uri,
    /** The price of a block's request (from memory): the Generate lens shows it ("▶ Generate · $3.20"). */
    private readonly quote?: (req: GenerateRequest) => PriceQuote,
  ) {
    this.sub = engine.onDidChangeTasks((tasks) => {
      const docs = new Set(tasks.map((t) => t.source?.uri).filter((u): u is string => !!u));
      const open = vscode.workspace.textDocuments.filter((d) => docs.has(d.uri.toString()));
      void Promise.all(open.map(async (d) => this.shown.get(d.uri.toString()) !== fingerprint(await this.lensesOf(d)))).then((stale) => {
        if (stale.some(Boolean)) this.changed.fire();
      });
    });
  }

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const lenses = await this.lensesOf(doc);
    this.shown.set(doc.uri.toString(), fingerprint(lenses));
    return lenses;
  }

  private async lensesOf(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const blocks = findVideoBlocks(doc.getText());
    if (!blocks.length) return [];
    const available = await this.availableCommands();
    const out: vscode.CodeLens[] = [];
    for (const block of blocks) {
      const range = new vscode.Range(block.fenceLine, 0, block.fenceLine, 0);
      const lens = (title: string, command: CommandId | typeof FOCUS_TASKS, args: unknown[], tooltip?: string) =>
        out.push(new vscode.CodeLens(range, { title, command, arguments: args, tooltip }));
      const at = [doc.uri, block.fenceLine, INTERACTIVE];
      const label = providerOf(block, catalog()).label;
      const outside = [
        ...new Set((await blockMedia(doc, block, this.storage)).flatMap(({ ref }) => (ref.ok && ref.outside ? [ref.outside] : []))),
      ];
      const tooltip = outside.length
        ? vscode.l10n.t(
            'Generate a video from this block (with {0}). It uploads files from outside the workspace, so it asks first: {1}',
            label,
            outside.join(', '),
          )
        : vscode.l10n.t('Generate a video from this block (with {0})', label);
      const price = this.quote?.(readVideoBlock(block, catalog()).request);
      lens(
        price ? vscode.l10n.t('▶ Generate · {0}', formatPrice(price)) : vscode.l10n.t('▶ Generate'),
        'aiVideo.generateFromBlock',
        at,
        price ? `${tooltip} · ${price.basis}` : tooltip,
      );
      if (available.has(VARIANTS_COMMAND)) {
        lens(vscode.l10n.t('Variants…'), 'aiVideo.generateBlockVariants', at, vscode.l10n.t('Generate several takes of this block'));
      }
      const tasks = tasksOf(this.engine, doc.uri, block);
      const latest = tasks[0];
      if (!latest) continue;
      if (isActive(latest)) {
        lens(
          latest.status === 'running' ? vscode.l10n.t('⟳ {0} %', latest.progress) : vscode.l10n.t('⟳ queued'),
          FOCUS_TASKS,
          [],
          vscode.l10n.t('Show the Tasks view'),
        );
      } else if (latest.status === 'failed') {
        lens(vscode.l10n.t('✖ Failed'), 'aiVideo.showTaskError', [latest.id, INTERACTIVE], latest.error);
      } else if (latest.videos.some((v) => v.localPath)) {
        lens(vscode.l10n.t('▶ Play'), 'aiVideo.play', [latest.id, INTERACTIVE]);
        lens(
          vscode.l10n.t('Save'),
          'aiVideo.saveToWorkspace',
          [latest.id, INTERACTIVE],
          vscode.l10n.t('Save the video (and its settings) to the workspace'),
        );
      } else {
        lens(vscode.l10n.t('⟳ downloading'), FOCUS_TASKS, []);
      }
      const playable = tasks.filter((t) => t.status === 'succeeded' && t.videos.some((v) => v.localPath)).slice(0, 4);
      if (available.has(COMPARE_COMMAND) && playable.length >= 2) {
        lens(
          vscode.l10n.t('Compare'),
          COMPARE_COMMAND,
          [playable.map((t) => t.id), INTERACTIVE],
          vscode.l10n.t('Compare the latest {0} videos of this block', playable.length),
        );
      }
    }
    return out;
  }

  /** Commands registered by anyone (variants and compare come with the gallery), asked at most every 5 s. */
  private availableCommands(): Promise<Set<string>> {
    if (!this.commands || Date.now() - this.commands.at > 5000) {
      this.commands = { at: Date.now(), ids: Promise.resolve(vscode.commands.getCommands(true)).then((ids) => new Set(ids)) };
    }
    return this.commands.ids;
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }
}

function fingerprint(lenses: vscode.CodeLens[]): string {
  return JSON.stringify(lenses.map((l) => [l.range.start.line, l.command]));
}

/** The block around `pos` and the text of its line before the cursor, when the cursor is inside the body. */
function blockContext(doc: vscode.TextDocument, pos: vscode.Position): { block: VideoBlock; before: string } | undefined {
  const block = blockAtLine(findVideoBlocks(doc.getText()), pos.line);
  if (!block || pos.line === block.fenceLine || (block.closed && pos.line === block.endLine)) return undefined;
  return { block, before: doc.lineAt(pos.line).text.slice(0, pos.character) };
}

function complete(doc: vscode.TextDocument, pos: vscode.Position): vscode.CompletionItem[] | undefined {
  const ctx = blockContext(doc, pos);
  if (!ctx) return undefined;
  const c = catalog();
  const provider = providerOf(ctx.block, c);
  const mode = modeOf(ctx.block);
  const keyPart = /^\s*([\w.-]*)$/.exec(ctx.before);
  if (keyPart) {
    const used = new Set(ctx.block.entries.filter((e) => e.keySpan.line !== pos.line).map((e) => e.key.toLowerCase()));
    const range = new vscode.Range(pos.line, pos.character - keyPart[1].length, pos.line, pos.character);
    const model = modelEntry(provider.id, ctx.block.entries.find((e) => e.key.toLowerCase() === 'model')?.value);
    return keysFor(provider, mode, used, model).map((offer, i) => {
      const item = new vscode.CompletionItem(offer.key, vscode.CompletionItemKind.Property);
      item.insertText = `${offer.key}: `;
      item.range = range;
      item.detail = offer.field ? allowedValues(offer.field) : undefined;
      item.documentation = new vscode.MarkdownString(offer.doc);
      item.sortText = String(i).padStart(3, '0');
      if (valuesFor(c, provider, mode, offer.key, model).length) item.command = { command: 'editor.action.triggerSuggest', title: '' };
      return item;
    });
  }
  const valuePart = /^\s*([\w.-]+)\s*:\s*(\S*)$/.exec(ctx.before);
  if (!valuePart) return undefined;
  const range = new vscode.Range(pos.line, pos.character - valuePart[2].length, pos.line, pos.character);
  const model = modelEntry(provider.id, ctx.block.entries.find((e) => e.key.toLowerCase() === 'model')?.value);
  return valuesFor(c, provider, mode, valuePart[1], model).map((v, i) => {
    const item = new vscode.CompletionItem(v, vscode.CompletionItemKind.Value);
    item.range = range;
    item.sortText = String(i).padStart(3, '0');
    if (PROVIDERS[v] && valuePart[1].toLowerCase() === 'provider') item.detail = providerLabel(v);
    return item;
  });
}

function hover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
  const ctx = blockContext(doc, pos);
  const entry = ctx?.block.entries.find(
    (e) => e.keySpan.line === pos.line && pos.character >= e.keySpan.start && pos.character <= e.keySpan.end,
  );
  if (!ctx || !entry) return undefined;
  const c = catalog();
  const info = describeKey(c, entry.key);
  const md = new vscode.MarkdownString();
  if (!info) {
    md.appendText(vscode.l10n.t('Not a key of video blocks.'));
    return new vscode.Hover(md, toRange(entry.keySpan));
  }
  md.appendMarkdown(`**${info.key}**`);
  if ('doc' in info) {
    md.appendMarkdown(': ').appendText(info.doc);
    if (info.key === 'model') {
      const provider = providerOf(ctx.block, c);
      const models = modelsFor(c, provider, modeOf(ctx.block));
      md.appendMarkdown('\n\n').appendText(
        !provider.models
          ? vscode.l10n.t('{0} has no model choice.', provider.label)
          : models.open
            ? vscode.l10n.t('{0}: for example {1}, or any model id.', provider.label, models.ids.join(', '))
            : vscode.l10n.t('{0}: {1}.', provider.label, models.ids.join(', ')),
      );
    }
    const provider = providerOf(ctx.block, c);
    const hint = modelHint(modelEntry(provider.id, ctx.block.entries.find((e) => e.key.toLowerCase() === 'model')?.value), info.key);
    if (hint) md.appendMarkdown('\n\n').appendText(hint);
  } else {
    for (const { provider, field } of info.fields) {
      md.appendMarkdown('\n\n').appendText(vscode.l10n.t('{0} ({1}): {2}.', field.label, provider.label, allowedValues(field)));
    }
  }
  return new vscode.Hover(md, toRange(entry.keySpan));
}

/**
 * Quick fixes for a model line naming a retired model. "Switch to <id>" for a few models available at
 * the provider's base URL: its catalogue's, else what the server listed this session (GET {base}/models,
 * never asked from here: a code action does not wait on the network), else the models the provider
 * offers. Where the provider needs no model, "Remove the model line" (the server's default applies);
 * where it lists its models, "Choose a model from the server…", a command that asks the server and
 * rewrites the line.
 */
function switchModel(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
  const out: vscode.CodeAction[] = [];
  const blocks = findVideoBlocks(doc.getText());
  for (const d of context.diagnostics) {
    if (d.code !== RETIRED_MODEL) continue;
    const block = blockAtLine(blocks, d.range.start.line);
    if (!block) continue;
    const c = catalog();
    const provider = providerOf(block, c);
    const mode = modeOf(block);
    const current = doc.getText(d.range);
    const base = baseUrlOf(provider.id);
    const known = models && base ? models.availableIds(provider.id, base, mode) : [];
    const listed = provider.models?.list && base ? (modelLists?.peek(provider.id, base) ?? []) : [];
    const usable = (id: string) => !c.lifecycle?.(provider, id) || c.lifecycle(provider, id)?.state === 'available';
    // Without a catalogue at this base URL: what the server listed, then the provider's own offered models, none retired.
    const offered = known.length ? known : [...new Set([...listed, ...modelsFor(c, provider, mode).ids])].filter(usable);
    for (const id of offered.filter((m) => m !== current).slice(0, SWITCH_CHOICES)) {
      const action = new vscode.CodeAction(vscode.l10n.t('Switch to {0}', id), vscode.CodeActionKind.QuickFix);
      action.edit = new vscode.WorkspaceEdit();
      action.edit.replace(doc.uri, d.range, id);
      action.diagnostics = [d];
      out.push(action);
    }
    const line = d.range.start.line;
    if (provider.models?.optional) {
      const action = new vscode.CodeAction(
        vscode.l10n.t("Remove the model line (use the server's default)"),
        vscode.CodeActionKind.QuickFix,
      );
      action.edit = new vscode.WorkspaceEdit();
      action.edit.delete(doc.uri, new vscode.Range(line, 0, line + 1, 0));
      action.diagnostics = [d];
      out.push(action);
    }
    if (provider.models?.list) {
      const title = vscode.l10n.t('Choose a model from the server…');
      const action = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
      action.command = { command: CHOOSE_MODEL, title, arguments: [doc.uri, line, INTERACTIVE] };
      action.diagnostics = [d];
      out.push(action);
    }
  }
  return out;
}
