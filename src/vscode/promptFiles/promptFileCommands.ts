// Commands of the editor: generating from a ```video block of a Markdown file (the lenses run
// them), going back from a task to its block, an example prompt file, and Generate Video from
// Selection, whose selected text becomes the prompt of the usual flow. A lens's click is
// interactive (its arguments end with INTERACTIVE, commands/invocation.ts): a missing key is asked
// for and Variants… asks how many. A script's call (document, line[, {count}]) gets errors instead
// of questions, and gives Variants its `count`. Media a block names outside the workspace (by real
// path, core/workspace/mediaRefs.ts) is never sent on the click itself: the click sends nothing and
// asks in a notification it does not wait for, whose button sends; a script's call is refused.
// Choose a Model for the Prompt Block (a retired model's quick fix) asks the server which models it
// lists and rewrites the block's model line: a click asks for a key if needed, then offers the list; a
// script names the model (or `null`: no model line, the server's default).
import * as vscode from 'vscode';

import { errorMessage } from '../../core/model/errors';
import { GenerateRequest, Task } from '../../core/model/task';
import { isOverBudget } from '../../core/money/budget';
import { blockAtLine, findVideoBlocks, providerOf, readVideoBlock, VideoBlock } from '../../core/request/promptBlocks';
import { outsideQuestion, outsideRefusal } from '../../core/workspace/mediaRefs';
import { PROVIDERS } from '../../providers';
import { CommandContext } from '../commands/context';
import { Invocation } from '../commands/invocation';
import { GenerateCommands } from '../generate/generateCommands';
import { resolveRequestMedia } from '../generate/mediaPaths';
import { generateVariants } from '../generate/variants';
import { KeyCommands } from '../keys/keyCommands';
import { providerContext } from '../keys/providerContext';
import { showError, showInfo, showWarning, withProgress } from '../notify';
import { promptCatalog } from './promptFileFeatures';

/** The flow's prompt box takes up to this many characters. */
const MAX_PROMPT = 2000;
/** A model id a script may write into a block: one word, no fence characters. */
const MODEL_ID = /^[^\s`]{1,200}$/;
/** How long Choose a Model waits for the server's list. */
const LIST_TIMEOUT_MS = 10_000;

/** The document a command argument names (a URI or its string), or the active editor's. */
async function documentOf(arg: unknown): Promise<vscode.TextDocument | undefined> {
  if (arg instanceof vscode.Uri) return vscode.workspace.openTextDocument(arg);
  if (typeof arg === 'string') return vscode.workspace.openTextDocument(vscode.Uri.parse(arg));
  return vscode.window.activeTextEditor?.document;
}

export function registerPromptBlockCommands(
  c: CommandContext,
  { ensureKey }: KeyCommands,
  { generateInteractive }: GenerateCommands,
): void {
  /** The block's request with its media resolved (and the real paths of media outside the workspace), or the first thing that stops it. */
  const requestOf = async (
    doc: vscode.TextDocument,
    block: VideoBlock,
  ): Promise<{ request: GenerateRequest; outside: string[] } | { error: string }> => {
    const reading = readVideoBlock(block, promptCatalog());
    const first = reading.problems.find((p) => p.severity === 'error');
    if (first) return { error: vscode.l10n.t('Line {0}: {1}', first.span.line + 1, first.message) };
    const request = reading.request;
    const media = await resolveRequestMedia(request, doc.uri, c.context.globalStorageUri);
    return 'error' in media ? media : { request, outside: media.outside };
  };

  /** Finds the block, reads it and makes sure there is a key; throws (for scripts) or shows the problem (for a click). */
  const prepare = async (call: Invocation, uriArg: unknown, lineArg: unknown) => {
    const interactive = call.interactive;
    const fail = (message: string): undefined => {
      if (!interactive) throw new Error(message);
      void showError(message);
      return undefined;
    };
    const doc = await documentOf(uriArg);
    if (!doc) return fail(vscode.l10n.t('Open a Markdown file with a ```video block.'));
    const line =
      typeof lineArg === 'number' ? lineArg : uriArg === undefined ? vscode.window.activeTextEditor?.selection.active.line : undefined;
    const block = line === undefined ? undefined : blockAtLine(findVideoBlocks(doc.getText()), line);
    if (!block) {
      return fail(
        vscode.l10n.t('There is no ```video block at line {0} of {1}.', (line ?? 0) + 1, vscode.workspace.asRelativePath(doc.uri)),
      );
    }
    const read = await requestOf(doc, block);
    if ('error' in read) return fail(read.error);
    // A script never uploads what lies outside the workspace: only a person confirms that.
    if (read.outside.length && !interactive) return fail(outsideRefusal(read.outside));
    const provider = PROVIDERS[read.request.provider];
    if (!(await c.keys.has(provider.id))) {
      if (!interactive) return fail(vscode.l10n.t('No API key set for {0}. Run "AI Video: Set API Key…".', provider.label));
      if (!(await ensureKey(provider))) return undefined;
    }
    const source = { uri: doc.uri.toString(), hash: block.hash, line: block.fenceLine };
    return { interactive, request: read.request, outside: read.outside, provider, fail, source };
  };

  /**
   * Sends at once, or, when the block names media outside the workspace, asks in a notification it
   * does not wait for (showing the real paths) and sends only when its button is pressed.
   */
  const sendOrAsk = async <T>(p: NonNullable<Awaited<ReturnType<typeof prepare>>>, send: () => Promise<T>): Promise<T | undefined> => {
    if (!p.outside.length) {
      try {
        return await send();
      } catch (e) {
        return p.fail(errorMessage(e));
      }
    }
    const upload = vscode.l10n.t('Upload and Generate');
    void showWarning(outsideQuestion(p.outside, p.provider.label), upload).then(async (choice) => {
      if (choice !== upload) return;
      try {
        await send();
      } catch (e) {
        await c.explain(e, p.provider.id);
      }
    });
    return undefined;
  };

  const generateFromBlock = async (call: Invocation, uriArg?: unknown, lineArg?: unknown): Promise<Task | undefined> => {
    const p = await prepare(call, uriArg, lineArg);
    if (!p) return undefined;
    const send = async (overBudget: boolean) =>
      structuredClone(await c.engine.generate(p.request, { source: p.source, who: 'promptFile', overBudget }));
    return sendOrAsk(p, async () => {
      try {
        return await send(false);
      } catch (e) {
        // A lens click over a budget: one question it does not wait for; a script's call rejects.
        if (!p.interactive || !isOverBudget(e)) throw e;
        c.money.offerSendAnyway(e, () => send(true), c.log);
        return undefined;
      }
    });
  };

  const generateBlockVariants = async (call: Invocation, uriArg?: unknown, lineArg?: unknown): Promise<Task[] | undefined> => {
    const p = await prepare(call, uriArg, lineArg);
    if (!p) return undefined;
    let count = typeof call.options?.count === 'number' ? call.options.count : undefined;
    if (count === undefined && p.interactive) {
      const pick = await vscode.window.showQuickPick(
        [2, 3, 4].map((n) => ({ label: vscode.l10n.t('{0} variants', n), n })),
        { title: vscode.l10n.t('Variants of this prompt'), placeHolder: vscode.l10n.t('How many videos? Each one is billed.') },
      );
      if (!pick) return undefined;
      count = pick.n;
    }
    if (count === undefined) return p.fail(vscode.l10n.t('Pass the number of variants (2 to 4) as "count" in the third argument.'));
    const n = count;
    const send = async (overBudget: boolean) =>
      (
        await generateVariants(
          { engine: c.engine, providers: PROVIDERS, log: c.log, money: c.money, who: 'promptFile', overBudget },
          p.request,
          n,
          p.source,
        )
      ).map((t) => structuredClone(t));
    return sendOrAsk(p, async () => {
      try {
        return await send(false);
      } catch (e) {
        // The takes together over a budget: for a lens click, one question it does not wait for.
        if (!p.interactive || !isOverBudget(e)) throw e;
        c.money.offerSendAnyway(e, () => send(true), c.log);
        return undefined;
      }
    });
  };

  const revealPromptSource = async (call: Invocation): Promise<void> => {
    const id = call.taskIds[0];
    const source = id ? c.engine.getTask(id)?.source : undefined;
    if (!source) {
      void showInfo(vscode.l10n.t('This task was not made from a prompt file.'));
      return;
    }
    let doc: vscode.TextDocument;
    try {
      doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(source.uri));
    } catch {
      void showWarning(vscode.l10n.t('The prompt file {0} is gone.', vscode.Uri.parse(source.uri).fsPath));
      return;
    }
    const block = findVideoBlocks(doc.getText()).find((b) => b.hash === source.hash);
    const line = Math.min(block?.fenceLine ?? source.line, doc.lineCount - 1);
    const end = block ? block.endLine : line;
    await vscode.window.showTextDocument(doc, { selection: new vscode.Range(line, 0, end, doc.lineAt(end).text.length) });
    if (!block) void showInfo(vscode.l10n.t('The block has been edited since this video was made; this is where it was.'));
  };

  /**
   * Rewrites the block's model line to `model`, or removes it (`undefined`); with no model line, one is
   * added under the fence. True when the edit applied.
   */
  const setModelLine = async (doc: vscode.TextDocument, block: VideoBlock, model: string | undefined): Promise<boolean> => {
    const entry = block.entries.find((e) => e.key.toLowerCase() === 'model');
    const edit = new vscode.WorkspaceEdit();
    if (entry && model !== undefined) {
      const v = entry.valueSpan;
      edit.replace(doc.uri, new vscode.Range(v.line, v.start, v.line, v.end), model);
    } else if (entry) edit.delete(doc.uri, new vscode.Range(entry.keySpan.line, 0, entry.keySpan.line + 1, 0));
    else if (model !== undefined) edit.insert(doc.uri, new vscode.Position(block.fenceLine + 1, 0), `model: ${model}\n`);
    else return true;
    return vscode.workspace.applyEdit(edit);
  };

  const chooseBlockModel = async (call: Invocation, uriArg?: unknown, lineArg?: unknown): Promise<string | null | undefined> => {
    const interactive = call.interactive;
    const fail = (message: string): undefined => {
      if (!interactive) throw new Error(message);
      void showError(message);
      return undefined;
    };
    const doc = await documentOf(uriArg);
    const line = typeof lineArg === 'number' ? lineArg : undefined;
    const block = doc && line !== undefined ? blockAtLine(findVideoBlocks(doc.getText()), line) : undefined;
    if (!doc || !block) {
      return fail(vscode.l10n.t('There is no ```video block at line {0}.', (line ?? 0) + 1));
    }
    const provider = PROVIDERS[providerOf(block, promptCatalog()).id];
    const list = provider?.models?.list ? provider.models : undefined;
    if (!provider || !list) {
      return fail(
        vscode.l10n.t(
          '{0} does not list its models; type the model id in the block.',
          provider?.label ?? providerOf(block, promptCatalog()).label,
        ),
      );
    }
    if (!interactive) {
      const model = call.options?.model;
      if (model === null && list.optional) {
        return (await setModelLine(doc, block, undefined)) ? null : fail(vscode.l10n.t('The block could not be edited.'));
      }
      if (typeof model !== 'string' || !MODEL_ID.test(model)) {
        return fail(
          vscode.l10n.t('Pass the model id as "model" in the third argument (null removes the model line where the server has a default).'),
        );
      }
      return (await setModelLine(doc, block, model)) ? model : fail(vscode.l10n.t('The block could not be edited.'));
    }
    if (!(await c.keys.has(provider.id)) && !(await ensureKey(provider))) return undefined;
    let ids: readonly string[];
    try {
      ids = await withProgress(
        { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Asking {0} for its models…', provider.label) },
        async () => c.modelLists.get(provider, { ...(await providerContext(provider, c.keys, c.log)), timeoutMs: LIST_TIMEOUT_MS }),
      );
    } catch (e) {
      c.log.warn(`Model list of ${provider.label}: ${errorMessage(e)}`);
      void c.explain(e, provider.id);
      return undefined;
    }
    const current = block.entries.find((e) => e.key.toLowerCase() === 'model')?.value;
    type Item = vscode.QuickPickItem & { model: string | null };
    const items: Item[] = ids.map((id) => ({ label: id, model: id, description: id === current ? vscode.l10n.t('current') : undefined }));
    if (list.optional) items.push({ label: vscode.l10n.t("No model line (the server's default)"), model: null });
    if (!ids.length) void showInfo(vscode.l10n.t('{0} lists no video models; type the model id in the block.', provider.label));
    if (!items.length) return undefined;
    const pick = await vscode.window.showQuickPick(items, {
      title: vscode.l10n.t('Model for this block ({0})', provider.label),
      placeHolder: vscode.l10n.t('The models the server lists'),
    });
    if (!pick) return undefined;
    // The document may have changed while the list came: the block is found again.
    const now = blockAtLine(findVideoBlocks(doc.getText()), block.fenceLine);
    if (!now) return fail(vscode.l10n.t('The block has changed; run the quick fix again.'));
    return (await setModelLine(doc, now, pick.model ?? undefined)) ? pick.model : fail(vscode.l10n.t('The block could not be edited.'));
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

  const generateFromSelection = async (): Promise<Task | Task[] | undefined> => {
    const editor = vscode.window.activeTextEditor;
    const selected = editor ? editor.selections.map((s) => editor.document.getText(s)).join(' ') : '';
    const prompt = selected.replace(/\s+/g, ' ').trim().slice(0, MAX_PROMPT);
    if (!prompt) {
      void showInfo(vscode.l10n.t('Select the text to use as the prompt first.'));
      return undefined;
    }
    const task = await generateInteractive({ prompt });
    return task && structuredClone(task);
  };

  c.register('aiVideo.newPromptFile', newPromptFile);
  c.register('aiVideo.generateFromBlock', generateFromBlock);
  c.register('aiVideo.generateBlockVariants', generateBlockVariants);
  c.register('aiVideo.revealPromptSource', revealPromptSource);
  c.register('aiVideo.generateFromSelection', generateFromSelection);
  c.register('aiVideo.chooseBlockModel', chooseBlockModel);
}
