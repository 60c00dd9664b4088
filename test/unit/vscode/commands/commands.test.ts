import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

import { TASK_ACTION_IDS } from '../../../../src/core/provider/descriptor';
import { COMMAND_IDS } from '../../../../src/vscode/commands/commandIds';
import { CONTEXT_KEYS } from '../../../../src/vscode/commands/contextKeys';
import { ROOT } from '../../../support/paths';

const manifestText = fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8');
const manifest = JSON.parse(manifestText) as {
  contributes: {
    commands: { command: string }[];
    menus: Record<string, { command: string; alt?: string; when?: string }[]>;
    views?: Record<string, { id: string }[]>;
    keybindings?: { command: string; when?: string }[];
  };
};

/** Every `when` / `enablement` clause and walkthrough completion event anywhere in contributes, with where it is. */
function clauses(): { at: string; when?: string; event?: string }[] {
  const found: { at: string; when?: string; event?: string }[] = [];
  const walk = (x: unknown, at: string): void => {
    if (Array.isArray(x)) return x.forEach((v, i) => walk(v, `${at}[${i}]`));
    if (!x || typeof x !== 'object') return;
    for (const [k, v] of Object.entries(x)) {
      if ((k === 'when' || k === 'enablement') && typeof v === 'string') found.push({ at: `${at}.${k}`, when: v });
      else if (k === 'completionEvents' && Array.isArray(v)) v.forEach((e: string) => found.push({ at: `${at}.${k}`, event: e }));
      else walk(v, `${at}.${k}`);
    }
  };
  walk(manifest.contributes, 'contributes');
  return found;
}

/**
 * The `aiVideo.*` context keys a when clause reads. Values are not keys: the right side of a
 * comparison (`view == aiVideo.tasks`) and regular expressions (`viewItem =~ /^task\./`) are dropped.
 */
function contextKeysOf(when: string): string[] {
  const keysOnly = when
    .replace(/=~\s*\/(?:\\.|[^/\\])*\/[a-z]*/g, ' ')
    .replace(/(===?|!==?|>=?|<=?)\s*('[^']*'|"[^"]*"|[^\s&|()!]+)/g, ' ');
  return [...new Set(keysOnly.match(/\baiVideo\.[\w.-]+/g) ?? [])];
}

/** Every command the manifest names: menus, keybindings, onCommand events, `command:` links (in package.json and its nls files). */
function commandsNamed(): { at: string; command: string }[] {
  const named: { at: string; command: string }[] = [];
  for (const [menu, items] of Object.entries(manifest.contributes.menus)) {
    for (const item of items) for (const id of [item.command, item.alt]) if (id) named.push({ at: `menus.${menu}`, command: id });
  }
  for (const k of manifest.contributes.keybindings ?? []) named.push({ at: 'keybindings', command: k.command });
  for (const c of clauses()) if (c.event?.startsWith('onCommand:')) named.push({ at: c.at, command: c.event.slice('onCommand:'.length) });
  const texts = ['package.json', ...fs.readdirSync(ROOT).filter((f) => /^package\.nls(\.[\w-]+)?\.json$/.test(f))];
  for (const file of texts) {
    const text = file === 'package.json' ? manifestText : fs.readFileSync(path.join(ROOT, file), 'utf8');
    for (const m of text.matchAll(/command:([\w.-]+)/g)) named.push({ at: file, command: m[1] });
  }
  return named;
}

/** Registers the real command modules against a stand-in `vscode` module; returns the ids registered. */
function registeredIds(): string[] {
  const ids: string[] = [];
  const disposable = { dispose: () => undefined };
  class EventEmitter {
    event = () => disposable;
    fire(): void {}
    dispose(): void {}
  }
  const stub = { EventEmitter, commands: { registerCommand: (id: string) => (ids.push(id), disposable) } };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Module = require('module') as { _load(request: string, ...rest: unknown[]): unknown };
  const load = Module._load;
  Module._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? stub : load.call(this, request, ...rest);
  };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { registerCommands } = require('../../../../src/vscode/commands') as typeof import('../../../../src/vscode/commands');
    const deps = { engine: { onDidChangeTasks: () => disposable }, mediaRoot: { fsPath: '/media' } } as unknown as Parameters<
      typeof registerCommands
    >[0];
    registerCommands(deps).dispose();
  } finally {
    Module._load = load;
  }
  return ids;
}

describe('command ids', function () {
  it('COMMAND_IDS is exactly the commands package.json contributes, each once', function () {
    const contributed = manifest.contributes.commands.map((c) => c.command);
    assert.strictEqual(new Set(COMMAND_IDS).size, COMMAND_IDS.length, 'COMMAND_IDS has a duplicate');
    assert.strictEqual(new Set(contributed).size, contributed.length, 'package.json contributes a command twice');
    assert.deepStrictEqual(
      contributed.filter((id) => !(COMMAND_IDS as readonly string[]).includes(id)),
      [],
      'contributed but not in COMMAND_IDS',
    );
    assert.deepStrictEqual(
      COMMAND_IDS.filter((id) => !contributed.includes(id)),
      [],
      'in COMMAND_IDS but not contributed',
    );
  });

  it('menus, keybindings, walkthrough events and command links name only commands that exist', function () {
    // VS Code makes a `<view>.focus` command for every contributed view.
    const viewFocus = Object.values(manifest.contributes.views ?? {})
      .flat()
      .map((v) => `${v.id}.focus`);
    const known = new Set<string>([...COMMAND_IDS, ...viewFocus]);
    const named = commandsNamed();
    const scanned = (prefix: string) => named.some((n) => n.at.startsWith(prefix));
    assert.ok(scanned('menus.') && scanned('package.nls'), 'the scan finds menus and links');
    const unknown = named.filter((n) => n.command.startsWith('aiVideo.') && !known.has(n.command)).map((n) => `${n.at}: ${n.command}`);
    assert.deepStrictEqual(unknown, []);
    // Menus may name only the extension's own commands.
    assert.deepStrictEqual(
      named.filter((n) => n.at.startsWith('menus.') && !known.has(n.command)),
      [],
    );
  });

  it('contextKeysOf reads keys, not the values they are compared with', function () {
    assert.deepStrictEqual(contextKeysOf('view == aiVideo.tasks && !aiVideo.tasksFiltered'), ['aiVideo.tasksFiltered']);
    const regex = 'view == aiVideo.tasks && viewItem =~ /^task\\.aiVideo\\.x/ && aiVideo.a || aiVideo.b != aiVideo.c';
    assert.deepStrictEqual(contextKeysOf(regex), ['aiVideo.a', 'aiVideo.b']);
    const compared = "resourceFilename in aiVideo.list && aiVideo.n >= 2 && aiVideo.s == 'aiVideo.v'";
    assert.deepStrictEqual(contextKeysOf(compared), ['aiVideo.list', 'aiVideo.n', 'aiVideo.s']);
  });

  it('every aiVideo context key a when clause or walkthrough reads is in CONTEXT_KEYS, and every one of them is read', function () {
    const used = new Map<string, string>();
    for (const c of clauses()) {
      const onContext = c.event?.startsWith('onContext:') ? c.event.slice('onContext:'.length) : undefined;
      const keys = contextKeysOf(c.when ?? onContext ?? '');
      for (const k of keys) used.set(k, c.at);
    }
    assert.ok(used.size > 0, 'the scan finds the context keys the manifest reads');
    const declared: readonly string[] = CONTEXT_KEYS;
    const undeclared = [...used].filter(([k]) => !declared.includes(k)).map(([k, at]) => `${at}: ${k}`);
    assert.deepStrictEqual(undeclared, [], 'read but not in CONTEXT_KEYS');
    assert.deepStrictEqual(
      declared.filter((k) => !used.has(k)),
      [],
      'in CONTEXT_KEYS but read by no when clause or walkthrough',
    );
    assert.strictEqual(new Set(declared).size, declared.length, 'CONTEXT_KEYS has a duplicate');
  });

  it('the extension registers every command of COMMAND_IDS and no other', function () {
    const ids = registeredIds();
    assert.strictEqual(new Set(ids).size, ids.length, `a command is registered twice: ${ids.join(', ')}`);
    assert.deepStrictEqual([...ids].sort(), [...COMMAND_IDS].sort());
  });

  it('each task action has a command and a Tasks view menu entry keyed on its context flag', function () {
    const itemMenu = manifest.contributes.menus['view/item/context'];
    for (const id of TASK_ACTION_IDS) {
      const entry = itemMenu.find((m) => m.command === `aiVideo.${id}`);
      assert.ok(entry, `no Tasks view menu entry for aiVideo.${id}`);
      assert.match(entry.when ?? '', new RegExp(`action-${id}`));
    }
  });
});
