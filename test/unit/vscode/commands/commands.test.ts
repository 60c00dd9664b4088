import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { TASK_ACTION_IDS } from '../../../../src/core/provider/descriptor';
import { COMMAND_IDS } from '../../../../src/vscode/commands/commandIds';
import { ROOT } from '../../../support/paths';

const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  contributes: { commands: { command: string }[]; menus: Record<string, { command: string; when?: string }[]> };
};

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
    const deps = { engine: { onDidChangeTasks: () => disposable }, mediaRoot: { fsPath: '/media' } } as unknown as Parameters<typeof registerCommands>[0];
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
    assert.deepStrictEqual(contributed.filter((id) => !(COMMAND_IDS as readonly string[]).includes(id)), [], 'contributed but not in COMMAND_IDS');
    assert.deepStrictEqual(COMMAND_IDS.filter((id) => !contributed.includes(id)), [], 'in COMMAND_IDS but not contributed');
  });

  it('menus name only contributed commands', function () {
    for (const [menu, items] of Object.entries(manifest.contributes.menus)) {
      for (const item of items) assert.ok((COMMAND_IDS as readonly string[]).includes(item.command), `${menu} names ${item.command}`);
    }
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
