// The manifest as a user sees it: package.json with its `%key%` placeholders resolved through
// package.nls.json (what VS Code does when it loads the extension). The UI suite takes palette
// titles, welcome buttons, walkthrough steps and setting names from here instead of copying them,
// and `npm start` (scripts/demo.js, from out/) checks the palette against the same titles.
import * as fs from 'fs';
import * as path from 'path';

import type { CommandId } from '../../src/vscode/commands/commandIds';
import { ROOT } from './paths';

export interface ManifestCommand {
  command: string;
  title: string;
  category?: string;
}

export interface Manifest {
  name: string;
  publisher: string;
  contributes: {
    commands: ManifestCommand[];
    menus?: Record<string, { command: string; when?: string }[]>;
    viewsWelcome?: { view: string; contents: string }[];
    walkthroughs?: { id: string; title: string; steps: { id: string; title: string }[] }[];
    configuration?: { properties: Record<string, unknown> };
  };
}

export type Nls = Readonly<Record<string, string>>;

/** `%key%` replaced by its entry in `nls`; any other text as it is. An unknown key stays as it is, so a check still shows it. */
export function localize(text: string, nls: Nls): string {
  const m = /^%(.+)%$/.exec(text);
  return m && typeof nls[m[1]] === 'string' ? nls[m[1]] : text;
}

/** A command as the Command Palette lists it: "Category: Title", both resolved (e.g. "AI Video: Generate Video…"). */
export function paletteTitle(command: ManifestCommand, nls: Nls): string {
  const title = localize(command.title, nls);
  return command.category ? `${localize(command.category, nls)}: ${title}` : title;
}

/**
 * The palette titles of the commands the palette always lists: those without a `commandPalette`
 * menu entry (an entry's `when` clause may hide the command right now).
 */
export function alwaysListedTitles(manifest: Manifest, nls: Nls): string[] {
  const conditional = new Set((manifest.contributes.menus?.commandPalette ?? []).map((m) => m.command));
  return manifest.contributes.commands.filter((c) => !conditional.has(c.command)).map((c) => paletteTitle(c, nls));
}

/** The button labels of a view's welcome content (markdown links on lines of their own). */
export function welcomeButtons(manifest: Manifest, nls: Nls, view: string): string[] {
  const contents = (manifest.contributes.viewsWelcome ?? []).filter((w) => w.view === view).map((w) => localize(w.contents, nls));
  return contents.flatMap((c) => c.split('\n').flatMap((line) => /^\[([^\]]+)\]\([^)]+\)$/.exec(line.trim())?.slice(1, 2) ?? []));
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8')) as T;
}

/** package.json and its English package.nls.json, read once. */
let cached: { manifest: Manifest; nls: Nls } | undefined;
export function repoManifest(): { manifest: Manifest; nls: Nls } {
  cached ??= { manifest: readJson<Manifest>('package.json'), nls: readJson<Nls>('package.nls.json') };
  return cached;
}

/** One of our commands in package.json; throws for an id the manifest does not contribute. */
function manifestCommand(id: CommandId): ManifestCommand {
  const command = repoManifest().manifest.contributes.commands.find((c) => c.command === id);
  if (!command) throw new Error(`package.json contributes no command ${id}`);
  return command;
}

/** The palette title of one of our commands, e.g. "AI Video: Set API Key…". */
export function commandTitle(id: CommandId): string {
  return paletteTitle(manifestCommand(id), repoManifest().nls);
}

/** The title of one of our commands without its category, as a menu or an inline action shows it (e.g. "Play Video"). */
export function commandLabel(id: CommandId): string {
  return localize(manifestCommand(id).title, repoManifest().nls);
}

/** A setting's full name, checked against `contributes.configuration` (so a renamed setting fails loudly). */
export function settingName(name: `aiVideo.${string}`): string {
  if (!(name in (repoManifest().manifest.contributes.configuration?.properties ?? {}))) {
    throw new Error(`package.json declares no setting ${name}`);
  }
  return name;
}

/** The extension's id as VS Code spells it (publisher.name). */
export function extensionId(): string {
  const { manifest } = repoManifest();
  return `${manifest.publisher}.${manifest.name}`;
}

/**
 * The always-listed commands whose palette title is in none of `labels` (the palette rows' texts):
 * what `npm start` warns about. Titles are compared resolved, as the palette shows them.
 */
export function missingFromPalette(labels: readonly string[], manifest: Manifest, nls: Nls): string[] {
  return alwaysListedTitles(manifest, nls).filter((title) => !labels.some((label) => label.includes(title)));
}
