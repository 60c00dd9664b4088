// Shared setup for the in-host suite: the real extension, pointed at a provider emulator started
// inside the extension host, with keys set through the public command.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

import type { AiVideoApi } from '../../src/api';
import type { Task } from '../../src/core/model/task';
import { Emulator, emulatorUrlSettings, startEmulator } from '../../src/emulator/server';
import { PROVIDER_IDS, PROVIDER_LIST } from '../../src/providers';

export const EXTENSION_ID = 'aivideo.ai-video-studio';
/** The runner passes a fresh canary key and checks afterwards that no log contains it. */
export const TEST_KEY = process.env.AIVIDEO_TEST_KEY ?? 'test-key-0123456789';
/** An emulator run by the test runner itself: it outlives the extension host (restart tests). */
export const EXTERNAL_EMULATOR_URL = process.env.AIVIDEO_EXTERNAL_EMULATOR_URL;
/** A folder shared by the sessions of one runner invocation. */
export const STATE_DIR = process.env.AIVIDEO_TEST_STATE_DIR;

/** Points every provider at the emulator, each at its own base path there (OpenRouter's is /openrouter/api/v1), and its other URLs too (fal's prices). */
export async function pointProvidersAt(baseUrl: string): Promise<void> {
  const cfg = vscode.workspace.getConfiguration('aiVideo');
  for (const p of PROVIDER_LIST) {
    for (const [key, url] of Object.entries(emulatorUrlSettings(baseUrl, p))) await cfg.update(key, url, vscode.ConfigurationTarget.Global);
  }
}

/** Stores the test key for every registered provider through the public command. */
export async function setAllKeys(): Promise<void> {
  for (const p of PROVIDER_IDS) await vscode.commands.executeCommand('aiVideo.setApiKey', p, TEST_KEY);
}

let emulator: Emulator | undefined;
let api: AiVideoApi | undefined;

export async function getApi(): Promise<AiVideoApi> {
  if (api) return api;
  const ext = vscode.extensions.getExtension<AiVideoApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed in this host`);
  api = await ext.activate();
  return api;
}

/** Starts (once) the emulator and points every provider setting at it, with keys set. */
export async function setup(): Promise<{ api: AiVideoApi; emulator: Emulator }> {
  const a = await getApi();
  if (!emulator) {
    emulator = await startEmulator({ port: 0, durationMs: 3000 });
    await pointProvidersAt(emulator.baseUrl);
    await setAllKeys();
    await vscode.workspace.getConfiguration('aiVideo').update('pollIntervalSeconds', 1, vscode.ConfigurationTarget.Global);
  }
  return { api: a, emulator };
}

export async function waitFor<T>(
  what: string,
  fn: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`Timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}

/** Waits until the task is final and every video is downloaded (or failed). */
export async function waitForFinal(a: AiVideoApi, id: string, timeoutMs = 40_000): Promise<Task> {
  return waitFor(
    `task ${id} to finish`,
    () => {
      const t = a.getTask(id);
      if (!t) throw new Error(`task ${id} vanished`);
      if (t.status === 'failed') return t;
      if (t.status === 'succeeded' && t.videos.length > 0 && t.videos.every((v) => v.localPath || v.downloadError)) return t;
      return undefined;
    },
    timeoutMs,
  );
}

export function fixture(name: string): string {
  // The runner copies test/fixtures into the opened workspace; fall back to the repo copy.
  const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const inWs = ws ? path.join(ws, name) : undefined;
  if (inWs && fs.existsSync(inWs)) return inWs;
  return path.resolve(__dirname, '../../../test/fixtures', name);
}

export function assertPlayableFile(t: Task, index = 0): string {
  const p = t.videos[index]?.localPath;
  assert.ok(p, `video ${index} of task ${t.id} has no local file (${t.videos[index]?.downloadError ?? 'no error'})`);
  const head = fs.readFileSync(p).subarray(4, 8).toString('ascii');
  assert.strictEqual(head, 'ftyp', `${p} is not an MP4 file`);
  return p;
}

/** Opens the player on a task and waits until the webview reports currentTime advancing. */
export async function assertPlays(a: AiVideoApi, taskId: string, videoIndex = 0): Promise<void> {
  await vscode.commands.executeCommand('aiVideo.play', taskId, videoIndex);
  const first = await waitFor(
    'the player to report playback',
    () => {
      const p = a.testing.player();
      const pb = p?.lastPlayback as { taskId?: string; currentTime?: number } | undefined;
      return p &&
        p.taskId === taskId &&
        p.videoIndex === videoIndex &&
        pb &&
        pb.taskId === taskId &&
        typeof pb.currentTime === 'number' &&
        pb.currentTime > 0
        ? pb.currentTime
        : undefined;
    },
    30_000,
  );
  await waitFor(
    'currentTime to advance',
    () => {
      const pb = a.testing.player()?.lastPlayback as { currentTime?: number } | undefined;
      return pb && typeof pb.currentTime === 'number' && pb.currentTime !== first ? true : undefined;
    },
    15_000,
  );
}

export interface ShownMessage {
  level: 'info' | 'warning' | 'error';
  message: string;
  modal: boolean;
}

/**
 * Records the notifications and modal dialogs the extension shows (its `vscode.window` is the one
 * this suite gets) instead of showing them; a modal one is answered with `answer`. Call restore().
 */
export function captureMessages(answer?: string): { shown: ShownMessage[]; restore(): void } {
  const win = vscode.window as unknown as Record<'showInformationMessage' | 'showWarningMessage' | 'showErrorMessage', unknown>;
  const originals = {
    showInformationMessage: win.showInformationMessage,
    showWarningMessage: win.showWarningMessage,
    showErrorMessage: win.showErrorMessage,
  };
  const shown: ShownMessage[] = [];
  const fake =
    (level: ShownMessage['level']) =>
    (message: string, ...rest: unknown[]): Promise<string | undefined> => {
      const first = rest[0] as { modal?: unknown } | undefined;
      const modal = typeof first === 'object' && first !== null && first.modal === true;
      shown.push({ level, message, modal });
      return Promise.resolve(modal ? answer : undefined);
    };
  win.showInformationMessage = fake('info');
  win.showWarningMessage = fake('warning');
  win.showErrorMessage = fake('error');
  return { shown, restore: () => Object.assign(win, originals) };
}

/**
 * Records every question the extension would ask (quick picks, input boxes, and through
 * captureMessages every notification and modal dialog) instead of showing it: showQuickPick and
 * showInputBox resolve as cancelled; createQuickPick and createInputBox (the multi-step flows) throw
 * after recording. Call restore().
 */
export function captureQuestions(): { asked: string[]; messages: ShownMessage[]; restore(): void } {
  const win = vscode.window as unknown as Record<'showQuickPick' | 'showInputBox' | 'createQuickPick' | 'createInputBox', unknown>;
  const originals = Object.fromEntries(
    (['showQuickPick', 'showInputBox', 'createQuickPick', 'createInputBox'] as const).map((n) => [n, win[n]]),
  );
  const asked: string[] = [];
  const title = (o: unknown) => ((o && typeof o === 'object' && (o as { title?: unknown }).title) || '') as string;
  win.showQuickPick = (_items: unknown, options?: unknown) => (asked.push(`quick pick ${title(options)}`), Promise.resolve(undefined));
  win.showInputBox = (options?: unknown) => (asked.push(`input box ${title(options)}`), Promise.resolve(undefined));
  for (const name of ['createQuickPick', 'createInputBox'] as const) {
    win[name] = () => {
      asked.push(name);
      throw new Error(`${name} was called`);
    };
  }
  const messages = captureMessages(undefined);
  return {
    asked,
    messages: messages.shown,
    restore: () => {
      messages.restore();
      Object.assign(win, originals);
    },
  };
}

/** `aiVideo.generate` as a script calls it (a request object: it asks nothing). */
export function gen(req: Record<string, unknown>): Promise<Task> {
  return Promise.resolve(vscode.commands.executeCommand<Task>('aiVideo.generate', req));
}

/** Writes a Markdown file of these lines into the workspace folder and opens it in an editor. */
export async function promptFile(name: string, ...lines: string[]): Promise<vscode.TextDocument> {
  const uri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, name);
  await vscode.workspace.fs.writeFile(uri, Buffer.from(lines.join('\n')));
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc);
  return doc;
}
