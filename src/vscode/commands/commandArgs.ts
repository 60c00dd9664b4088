// What each command takes from a script: command id -> the argument tuple of a script call (one that
// never asks; see commands/invocation.ts for the rule). Interactive callers (menus, tree items,
// the Explorer, lenses, buttons) pass other shapes, which the invocation rule recognizes. Registration
// (commands/context.ts) and executeCommand (commands/execute.ts) are typed by this map; the README's
// "Call the commands from scripts" lists the same.
import type { Uri } from 'vscode';

import type { WaitingEdit } from '../../core/engine/createQueue';
import type { GenerateRequest } from '../../core/model/task';
import type { TaskActionId } from '../../core/provider/descriptor';
import type { CommandId } from './commandIds';

/**
 * The options Animate Image and Restyle Video take after (uri, uris): a request's fields, and for
 * several images one video per image (`perImage: true`) or one from all.
 */
export type ExplorerPreset = Partial<GenerateRequest> & { perImage?: boolean };

/** Animate Between's options: the model (default: the first catalogued one taking a last frame), the prompt, and swap. */
export interface AnimateBetweenOptions extends Partial<Omit<GenerateRequest, 'image' | 'lastFrame'>> {
  swap?: boolean;
}

/** Options of the prompt-file block commands. */
export interface BlockCommandOptions {
  /** generateBlockVariants: how many takes (2 to 4). */
  count?: number;
}

/** Options of Render Storyboard. */
export interface StoryboardOptions {
  /** Plan and quote only: nothing is sent or written. */
  dryRun?: boolean;
}

/** No argument: such a command asks nothing, or is only for people (the Command Palette). */
type None = [];

export type CommandArgs = {
  /** A request (`provider`, `prompt`, `model`, `image`…): checked, then sent; resolves with the task. */
  'aiVideo.generate': [request: GenerateRequest];
  /** Stores a key for a provider id, or removes the stored one with `null`. */
  'aiVideo.setApiKey': [provider: string, key: string | null];
  /** Tests a provider id's key and address; resolves with what it said. */
  'aiVideo.testConnection': [provider: string];
  'aiVideo.refresh': None;
  /** Opens the player on a finished task's video (default the first). */
  'aiVideo.play': [taskId: string, videoIndex?: number];
  /** Image(s) on disk and the request's fields; without `perImage`, several images make one video where a provider can. */
  'aiVideo.animateImage': [image: Uri, images: Uri[], options: ExplorerPreset];
  /** A video on disk and the request's fields (`style` or `prompt`). */
  'aiVideo.restyleVideo': [video: Uri, videos: Uri[], options: ExplorerPreset];
  /** The same request again; a new random seed unless `sameSeed`. */
  'aiVideo.regenerate': [taskId: string, options?: { sameSeed?: boolean }];
  'aiVideo.checkAgain': [taskId: string];
  'aiVideo.retryDownload': [taskId: string];
  /** Resolves with the saved file's Uri. */
  'aiVideo.saveToWorkspace': [taskId: string, videoIndex?: number];
  'aiVideo.copyPrompt': [taskId: string];
  /** Removes the tasks and deletes their downloaded videos, without asking. */
  'aiVideo.removeTask': [taskIds: string | string[]];
  /** `{}`: removes every finished task without asking; resolves with how many. */
  'aiVideo.clearFinished': [options: Record<string, never>];
  'aiVideo.openVideosFolder': None;
  /** Shows the task's error as a notification (with its ways out); does not wait for it. */
  'aiVideo.showTaskError': [taskId: string];
  'aiVideo.showLog': None;
  /** Resolves with whether the create was still waiting (and is now cancelled, never sent). */
  'aiVideo.cancelWaiting': [taskId: string];
  /** Changes a waiting create's prompt and options. */
  'aiVideo.editWaiting': [taskId: string, edit: WaitingEdit];
  /** Looks an uncertain create up at the provider; resolves with the task. */
  'aiVideo.findLostJob': [taskId: string, remoteId?: string];
  'aiVideo.markFailed': [taskId: string];
  /** Asks the provider to stop a queued or running job; resolves with the task (failed, "Cancelled") once it did. */
  'aiVideo.cancelTask': [taskId: string];
  /** Resolves with the provider's site for an uncertain task; opens nothing. */
  'aiVideo.checkAccount': [taskId: string];
  'aiVideo.openGallery': None;
  /** Opens the compare panel on 2 to 4 finished tasks. */
  'aiVideo.compare': [taskIds: string[]];
  /** 2 to 4 takes of one request; resolves with the tasks. */
  'aiVideo.generateVariants': [request: GenerateRequest, count: number];
  /** Sets the Tasks view's prompt filter ('' clears it). */
  'aiVideo.filterTasks': [text: string];
  'aiVideo.clearTaskFilter': None;
  /** The ```video block at a 0-based line of a Markdown document (a Uri or its string). */
  'aiVideo.generateFromBlock': [document: Uri | string, line: number, options?: BlockCommandOptions];
  /** As generateFromBlock, with `{count}` takes. */
  'aiVideo.generateBlockVariants': [document: Uri | string, line: number, options: BlockCommandOptions & { count: number }];
  'aiVideo.newPromptFile': None;
  /** Opens the block a task was made from. */
  'aiVideo.revealPromptSource': [taskId: string];
  'aiVideo.generateFromSelection': None;
  /** Rewrites the model line of the ```video block at a 0-based line; `null` removes it (the server's default). Resolves with the model. */
  'aiVideo.chooseBlockModel': [document: Uri | string, line: number, options: { model: string | null }];
  /** Writes a finished task's first or last frame (of video `videoIndex`, default 0) as a PNG at the video's size; resolves with its path. */
  'aiVideo.extractFrame': [taskId: string, which: 'first' | 'last', videoIndex?: number];
  /** A new generation from the task's last frame (same provider and model unless `overrides` say otherwise); resolves like generate. */
  'aiVideo.continueFromLastFrame': [taskId: string, prompt: string, overrides?: Partial<GenerateRequest>];
  /** Two images as first and last frame (`swap` reverses them), with a model that takes both; resolves with the task. */
  'aiVideo.animateBetween': [first: Uri, images: Uri[], options: AnimateBetweenOptions];
  /**
   * Renders a storyboard (a Uri or its string): what changed is sent, the film is joined, the lockfile
   * kept. Resolves with `{quote, shots, output?}`; `{dryRun: true}` plans and quotes only.
   */
  'aiVideo.renderStoryboard': [document: Uri | string, options: StoryboardOptions];
  /** Makes a task made from a storyboard shot that shot's chosen take; resolves with the shot's file. */
  'aiVideo.useThisTake': [taskId: string];
  /**
   * Opens a storyboard's film in the player; resolves with its path. A string, or a Uri followed by `{}`, is a
   * script call (rejects when there is no film); a bare Uri is the Explorer's (commands/invocation.ts).
   */
  'aiVideo.playFilm': [document: Uri | string, options?: Record<string, never>];
  /** The price of a request, sent nowhere: `{amount?, currency: 'USD', estimate, basis}` (no amount when unknown). */
  'aiVideo.quote': [request: GenerateRequest];
  /** Totals of the spend ledger over the last `days` days (default 30): by day, provider and model, the costliest takes. */
  'aiVideo.getSpending': [options: { days?: number }];
  'aiVideo.showSpending': None;
} & {
  /** A provider's task action (remix…) with its text (the new prompt). */
  [K in `aiVideo.${TaskActionId}`]: [taskId: string, text: string];
};

// Every command has its entry, and nothing else has one.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _everyCommand: Exact<keyof CommandArgs, CommandId> = true;
void _everyCommand;
