// Prompt files: ```video blocks in Markdown get lenses (Generate, live status, Play/Save of the
// latest result), diagnostics, completion and hover; tasks made from a block remember it, and
// "Reveal Prompt Source" goes back to it. The parsing itself is core/promptBlocks.ts.
import * as vscode from 'vscode';
import { TaskEngine } from '../core/engine';
import { errorMessage } from '../core/errors';
import { blockAtLine, BlockProblem, findVideoBlocks, keysFor, KeySpec, LineSpan, PromptCatalog, providerOf, readVideoBlock, valuesFor, VideoBlock } from '../core/promptBlocks';
import { GenerateRequest, isActive, PROVIDER_LABELS, ProviderId, Task } from '../core/types';
import { promptCatalog } from '../providers/promptKeys';
import { gatewayModels, onDidChange } from './config';
import { KeyStore } from './keys';
import { baseFolderOf, resolveMediaRef } from './mediaPaths';

export interface PromptFileDeps {
  engine: TaskEngine;
  keys: KeyStore;
  /** Asks for a provider's key when there is none; false when the user cancelled. */
  ensureKey(p: ProviderId): Promise<boolean>;
}

const SELECTOR: vscode.DocumentSelector = [{ language: 'markdown' }];
const VARIANTS_COMMAND = 'aiVideo.generateVariants';
const COMPARE_COMMAND = 'aiVideo.compare';
/**
 * The third argument of the block commands. A lens passes `interactive: true` (a click: a missing
 * key is asked for, Variants… asks how many); a script passes nothing and gets errors instead of
 * questions, and gives Variants its `count`.
 */
export interface BlockCommandOptions {
  interactive?: boolean;
  count?: number;
}

const catalog = (): PromptCatalog => promptCatalog(gatewayModels());

const toRange = (s: LineSpan) => new vscode.Range(s.line, s.start, s.line, s.end);

/** The document a command argument names (a URI or its string), or the active editor's. */
async function documentOf(arg: unknown): Promise<vscode.TextDocument | undefined> {
  if (arg instanceof vscode.Uri) return vscode.workspace.openTextDocument(arg);
  if (typeof arg === 'string') return vscode.workspace.openTextDocument(vscode.Uri.parse(arg));
  return vscode.window.activeTextEditor?.document;
}

/** Tasks made from this block as it is now, newest first. */
function tasksOf(engine: TaskEngine, uri: vscode.Uri, block: VideoBlock): Task[] {
  const key = uri.toString();
  return engine.getTasks().filter((t) => t.source?.uri === key && t.source.hash === block.hash);
}

export function registerPromptFiles(deps: PromptFileDeps): vscode.Disposable {
  const { engine } = deps;
  const subs: vscode.Disposable[] = [];

  // ---- generating from a block ------------------------------------------------------------

  /** The block's request with its media resolved, or the first thing that stops it. */
  const requestOf = async (doc: vscode.TextDocument, block: VideoBlock): Promise<{ request: GenerateRequest } | { error: string }> => {
    const reading = readVideoBlock(block, catalog());
    const first = reading.problems.find((p) => p.severity === 'error');
    if (first) return { error: vscode.l10n.t('Line {0}: {1}', first.span.line + 1, first.message) };
    const request = reading.request;
    const folder = baseFolderOf(doc.uri);
    for (const key of ['image', 'video'] as const) {
      const ref = request[key];
      if (ref === undefined) continue;
      const r = await resolveMediaRef(ref, folder);
      if (!r.ok) return { error: r.message };
      request[key] = r.value;
    }
    if (request.images) {
      const resolved: string[] = [];
      for (const ref of request.images) {
        const r = await resolveMediaRef(ref, folder);
        if (!r.ok) return { error: r.message };
        resolved.push(r.value);
      }
      request.images = resolved;
    }
    return { request };
  };

  /** Finds the block, reads it and makes sure there is a key; throws (for scripts) or shows the problem (for a click). */
  const prepare = async (uriArg: unknown, lineArg: unknown, opts: BlockCommandOptions | undefined) => {
    const interactive = opts?.interactive === true || uriArg === undefined;
    const fail = (message: string): undefined => {
      if (!interactive) throw new Error(message);
      void vscode.window.showErrorMessage(message);
      return undefined;
    };
    const doc = await documentOf(uriArg);
    if (!doc) return fail(vscode.l10n.t('Open a Markdown file with a ```video block.'));
    const line = typeof lineArg === 'number' ? lineArg : uriArg === undefined ? vscode.window.activeTextEditor?.selection.active.line : undefined;
    const block = line === undefined ? undefined : blockAtLine(findVideoBlocks(doc.getText()), line);
    if (!block) return fail(vscode.l10n.t('There is no ```video block at line {0} of {1}.', (line ?? 0) + 1, vscode.workspace.asRelativePath(doc.uri)));
    const read = await requestOf(doc, block);
    if ('error' in read) return fail(read.error);
    const provider = read.request.provider;
    if (!(await deps.keys.has(provider))) {
      if (!interactive) return fail(vscode.l10n.t('No API key set for {0}. Run "AI Video: Set API Key…".', PROVIDER_LABELS[provider]));
      if (!(await deps.ensureKey(provider))) return undefined;
    }
    return { interactive, request: read.request, fail, source: { uri: doc.uri.toString(), hash: block.hash, line: block.fenceLine } };
  };

  const generateFromBlock = async (uriArg?: unknown, lineArg?: unknown, opts?: BlockCommandOptions): Promise<Task | undefined> => {
    const p = await prepare(uriArg, lineArg, opts);
    if (!p) return undefined;
    try {
      return structuredClone(await engine.generate(p.request, { source: p.source }));
    } catch (e) {
      return p.fail(errorMessage(e));
    }
  };

  const generateBlockVariants = async (uriArg?: unknown, lineArg?: unknown, opts?: BlockCommandOptions): Promise<Task[] | undefined> => {
    const p = await prepare(uriArg, lineArg, opts);
    if (!p) return undefined;
    let count = opts?.count;
    if (count === undefined && p.interactive) {
      const pick = await vscode.window.showQuickPick(
        [2, 3, 4].map((n) => ({ label: vscode.l10n.t('{0} variants', n), n })),
        { title: vscode.l10n.t('Variants of this prompt'), placeHolder: vscode.l10n.t('How many videos? Each one is billed.') },
      );
      if (!pick) return undefined;
      count = pick.n;
    }
    if (count === undefined) return p.fail(vscode.l10n.t('Pass the number of variants (2 to 4) as "count" in the third argument.'));
    try {
      return await vscode.commands.executeCommand<Task[]>(VARIANTS_COMMAND, p.request, count);
    } catch (e) {
      return p.fail(errorMessage(e));
    }
  };

  const revealPromptSource = async (arg?: unknown): Promise<void> => {
    const id = typeof arg === 'string' ? arg : arg && typeof arg === 'object' && typeof (arg as { taskId?: unknown }).taskId === 'string' ? (arg as { taskId: string }).taskId : undefined;
    const source = id ? engine.getTask(id)?.source : undefined;
    if (!source) {
      void vscode.window.showInformationMessage(vscode.l10n.t('This task was not made from a prompt file.'));
      return;
    }
    let doc: vscode.TextDocument;
    try {
      doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(source.uri));
    } catch {
      void vscode.window.showWarningMessage(vscode.l10n.t('The prompt file {0} is gone.', vscode.Uri.parse(source.uri).fsPath));
      return;
    }
    const block = findVideoBlocks(doc.getText()).find((b) => b.hash === source.hash);
    const line = Math.min(block?.fenceLine ?? source.line, doc.lineCount - 1);
    const end = block ? block.endLine : line;
    await vscode.window.showTextDocument(doc, { selection: new vscode.Range(line, 0, end, doc.lineAt(end).text.length) });
    if (!block) void vscode.window.showInformationMessage(vscode.l10n.t('The block has been edited since this video was made; this is where it was.'));
  };

  const newPromptFile = async (): Promise<vscode.TextEditor> => {
    const content = [
      vscode.l10n.t('# Video prompts'),
      '',
      vscode.l10n.t('Each ```video block is one video: the lens above it generates it. Hover a key to see what it takes.'),
      '',
      '```video',
      'provider: pika',
      'model: 2.0',
      'aspect: 16:9',
      vscode.l10n.t('prompt: A paper boat drifting down a rainy street, cinematic'),
      '```',
      '',
    ].join('\n');
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content });
    return vscode.window.showTextDocument(doc);
  };

  const reg = (id: string, fn: (...args: never[]) => unknown) => subs.push(vscode.commands.registerCommand(id, fn as (...args: unknown[]) => unknown));
  reg('aiVideo.newPromptFile', newPromptFile);
  reg('aiVideo.generateFromBlock', generateFromBlock);
  reg('aiVideo.generateBlockVariants', generateBlockVariants);
  reg('aiVideo.revealPromptSource', revealPromptSource);

  // ---- lenses -------------------------------------------------------------------------------

  const lenses = new BlockLenses(engine);
  subs.push(lenses, vscode.languages.registerCodeLensProvider(SELECTOR, lenses));

  // ---- diagnostics --------------------------------------------------------------------------

  const diagnostics = vscode.languages.createDiagnosticCollection('aiVideo.prompts');
  subs.push(diagnostics);
  const pending = new Map<string, ReturnType<typeof setTimeout>>();
  const check = async (doc: vscode.TextDocument) => {
    if (doc.languageId !== 'markdown') return;
    const version = doc.version;
    const found = await diagnose(doc);
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

  return vscode.Disposable.from(...subs);
}

async function diagnose(doc: vscode.TextDocument): Promise<vscode.Diagnostic[]> {
  const blocks = findVideoBlocks(doc.getText());
  if (!blocks.length) return [];
  const c = catalog();
  const folder = baseFolderOf(doc.uri);
  const out: vscode.Diagnostic[] = [];
  const add = (p: BlockProblem) => {
    const d = new vscode.Diagnostic(toRange(p.span), p.message, p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
    d.source = 'AI Video';
    out.push(d);
  };
  for (const block of blocks) {
    const reading = readVideoBlock(block, c);
    reading.problems.forEach(add);
    for (const f of reading.files) {
      const r = await resolveMediaRef(f.path, folder);
      if (!r.ok) add({ severity: 'error', message: `${f.key}: ${r.message}`, span: f.span });
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

  constructor(private readonly engine: TaskEngine) {
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
      const lens = (title: string, command: string, args: unknown[], tooltip?: string) => out.push(new vscode.CodeLens(range, { title, command, arguments: args, tooltip }));
      const at = [doc.uri, block.fenceLine, { interactive: true }];
      lens(vscode.l10n.t('▶ Generate'), 'aiVideo.generateFromBlock', at, vscode.l10n.t('Generate a video from this block (with {0})', PROVIDER_LABELS[providerOf(block, catalog())]));
      if (available.has(VARIANTS_COMMAND)) lens(vscode.l10n.t('Variants…'), 'aiVideo.generateBlockVariants', at, vscode.l10n.t('Generate several takes of this block'));
      const tasks = tasksOf(this.engine, doc.uri, block);
      const latest = tasks[0];
      if (!latest) continue;
      if (isActive(latest)) {
        lens(latest.status === 'running' ? vscode.l10n.t('⟳ {0} %', latest.progress) : vscode.l10n.t('⟳ queued'), 'aiVideo.tasks.focus', [], vscode.l10n.t('Show the Tasks view'));
      } else if (latest.status === 'failed') {
        lens(vscode.l10n.t('✖ Failed'), 'aiVideo.showTaskError', [latest.id], latest.error);
      } else if (latest.videos.some((v) => v.localPath)) {
        lens(vscode.l10n.t('▶ Play'), 'aiVideo.play', [latest.id]);
        lens(vscode.l10n.t('Save'), 'aiVideo.saveToWorkspace', [latest.id], vscode.l10n.t('Save the video (and its settings) to the workspace'));
      } else {
        lens(vscode.l10n.t('⟳ downloading'), 'aiVideo.tasks.focus', []);
      }
      const playable = tasks.filter((t) => t.status === 'succeeded' && t.videos.some((v) => v.localPath)).slice(0, 4);
      if (available.has(COMPARE_COMMAND) && playable.length >= 2) {
        lens(vscode.l10n.t('Compare'), COMPARE_COMMAND, [playable.map((t) => t.id)], vscode.l10n.t('Compare the latest {0} videos of this block', playable.length));
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
  const keyPart = /^\s*([\w.-]*)$/.exec(ctx.before);
  if (keyPart) {
    const used = new Set(ctx.block.entries.filter((e) => e.keySpan.line !== pos.line).map((e) => e.key.toLowerCase()));
    const range = new vscode.Range(pos.line, pos.character - keyPart[1].length, pos.line, pos.character);
    return keysFor(c, provider, used).map((spec, i) => {
      const item = new vscode.CompletionItem(spec.key, vscode.CompletionItemKind.Property);
      item.insertText = `${spec.key}: `;
      item.range = range;
      item.detail = allowedValues(spec, provider, c);
      item.documentation = new vscode.MarkdownString(spec.doc);
      item.sortText = String(i).padStart(3, '0');
      if (valuesFor(spec, provider, c).length) item.command = { command: 'editor.action.triggerSuggest', title: '' };
      return item;
    });
  }
  const valuePart = /^\s*([\w.-]+)\s*:\s*(\S*)$/.exec(ctx.before);
  const spec = valuePart && c.keys.find((k) => k.key.toLowerCase() === valuePart[1].toLowerCase());
  if (!valuePart || !spec) return undefined;
  const range = new vscode.Range(pos.line, pos.character - valuePart[2].length, pos.line, pos.character);
  return valuesFor(spec, provider, c).map((v, i) => {
    const item = new vscode.CompletionItem(v, vscode.CompletionItemKind.Value);
    item.range = range;
    item.sortText = String(i).padStart(3, '0');
    if (spec.value.kind === 'provider') item.detail = PROVIDER_LABELS[v as ProviderId];
    return item;
  });
}

function hover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
  const ctx = blockContext(doc, pos);
  const entry = ctx?.block.entries.find((e) => e.keySpan.line === pos.line && pos.character >= e.keySpan.start && pos.character <= e.keySpan.end);
  if (!ctx || !entry) return undefined;
  const c = catalog();
  const spec = c.keys.find((k) => k.key.toLowerCase() === entry.key.toLowerCase());
  const md = new vscode.MarkdownString();
  if (!spec) {
    md.appendMarkdown(vscode.l10n.t('Not a key of video blocks. Known keys: {0}.', c.keys.map((k) => k.key).join(', ')));
    return new vscode.Hover(md, toRange(entry.keySpan));
  }
  const provider = providerOf(ctx.block, c);
  md.appendMarkdown(`**${spec.key}**: `).appendText(spec.doc);
  md.appendMarkdown('\n\n').appendText(allowedValues(spec, provider, c));
  if (spec.providers) md.appendMarkdown('\n\n').appendText(vscode.l10n.t('For: {0}', spec.providers.map((p) => PROVIDER_LABELS[p]).join(', ')));
  return new vscode.Hover(md, toRange(entry.keySpan));
}

/** "Values: …" for a key, in words. */
function allowedValues(spec: KeySpec, provider: ProviderId, c: PromptCatalog): string {
  const v = spec.value;
  switch (v.kind) {
    case 'integer':
      return vscode.l10n.t('Values: a whole number from {0} to {1}', v.min, v.max);
    case 'number':
      return vscode.l10n.t('Values: a number from {0} to {1}', v.min, v.max);
    case 'aspect':
      return vscode.l10n.t('Values: width:height, such as {0}', valuesFor(spec, provider, c).join(', '));
    case 'size':
      return vscode.l10n.t('Values: widthxheight, such as {0}', valuesFor(spec, provider, c).join(', '));
    case 'file':
      return vscode.l10n.t('Values: a path relative to the workspace folder, or an https URL');
    case 'files':
      return vscode.l10n.t('Values: {0} to {1} paths or https URLs, separated by commas', v.min, v.max);
    case 'text':
      return vscode.l10n.t('Values: any text');
    case 'model':
      if (c.models[provider].open) return vscode.l10n.t('Values: a model id, such as {0}', c.models[provider].ids.join(', '));
      return c.models[provider].ids.length ? vscode.l10n.t('Values: {0}', c.models[provider].ids.join(', ')) : vscode.l10n.t('{0} has no model choice', PROVIDER_LABELS[provider]);
    case 'provider':
    case 'choice':
      return vscode.l10n.t('Values: {0}', valuesFor(spec, provider, c).join(', '));
  }
}
