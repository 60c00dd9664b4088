// Every notification goes through src/vscode/notify.ts, which neutralizes link syntax in its text
// (a message can carry a block value, a file name or an error): no other file of the VS Code layer
// calls vscode.window's message or progress functions itself, so a new call cannot forget.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

import { ROOT } from '../../support/paths';

const HELPER = 'src/vscode/notify.ts';
/** A direct call (or a reference that could be called later) of a notification function. */
const DIRECT = /\bshow(?:Error|Warning|Information)Message\b|\bwindow\s*\.\s*withProgress\b|\bwithProgress\s*\}\s*=/;
/**
 * Files other work in progress owns at the time of writing; their calls move to the helper when that
 * work lands. Every file here is checked to still exist and still need the exemption.
 */
const PENDING = new Set<string>([]);

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    return e.isDirectory() ? sources(rel) : e.name.endsWith('.ts') ? [rel] : [];
  });
}

describe('notifications go through one helper', () => {
  const files = [...sources('src/vscode'), 'src/extension.ts'];

  it(`no file of the VS Code layer but ${HELPER} shows a notification itself`, () => {
    assert.ok(files.includes(HELPER), 'the helper exists');
    const offenders: string[] = [];
    for (const file of files) {
      if (file === HELPER || PENDING.has(file)) continue;
      fs.readFileSync(path.join(ROOT, file), 'utf8')
        .split('\n')
        .forEach((line, i) => DIRECT.test(line) && offenders.push(`${file}:${i + 1}: ${line.trim()}`));
    }
    assert.deepStrictEqual(offenders, [], 'call the functions of src/vscode/notify.ts instead');
  });

  it('every pending exemption is still needed', () => {
    for (const file of PENDING) {
      const text = fs.existsSync(path.join(ROOT, file)) ? fs.readFileSync(path.join(ROOT, file), 'utf8') : '';
      assert.ok(DIRECT.test(text), `${file} no longer calls vscode.window itself: remove it from PENDING`);
    }
  });

  it('the helper neutralizes the text of every message, detail and progress title', () => {
    const text = fs.readFileSync(path.join(ROOT, HELPER), 'utf8');
    for (const fn of ['showErrorMessage', 'showWarningMessage', 'showInformationMessage', 'withProgress']) {
      assert.ok(text.includes(`.${fn}(`), fn);
    }
    for (const part of ['noLinks(message)', 'noLinks(first.detail)', 'noLinks(options.title)', 'noLinks(v.message)']) {
      assert.ok(text.includes(part), part);
    }
  });
});
