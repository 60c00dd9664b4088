import * as assert from 'assert';

import type { CatalogModel } from '../../../../src/core/provider/catalogTypes';
import { findVideoBlocks, readVideoBlock } from '../../../../src/core/request/promptBlocks';
import { isStoryboard, parseStoryboard } from '../../../../src/core/storyboard/parse';
import { catalog } from '../../../support/storyboardHost';

const md = (...lines: string[]) => lines.join('\n');
const shot = (...lines: string[]) => ['```video', 'provider: pika', ...lines, '```', ''];
const messages = (text: string) => parseStoryboard(text, catalog).problems.map((p) => p.message);

describe('storyboard: parse', () => {
  it('takes the blocks with an id as shots, in file order, and leaves the others', () => {
    const text = md(...shot('id: a', 'a fox'), ...shot('a plain prompt block'), ...shot('id: b', 'after: a', 'the fox runs'));
    const board = parseStoryboard(text, catalog);
    assert.deepStrictEqual(board.problems, []);
    assert.deepStrictEqual(
      board.shots.map((s) => [s.id, s.after, s.request.prompt, s.mode]),
      [
        ['a', undefined, 'a fox', 'text-to-video'],
        ['b', 'a', 'the fox runs', 'image-to-video'],
      ],
    );
    assert.ok(isStoryboard(text));
    assert.ok(!isStoryboard(md(...shot('just a prompt'))));
  });

  it('reads id and after as shot keys, not as unknown block keys', () => {
    const [block] = findVideoBlocks(md(...shot('id: a', 'after: b', 'a fox')));
    assert.deepStrictEqual(
      readVideoBlock(block, catalog).problems.map((p) => p.message),
      [],
    );
  });

  it('reports a duplicate id and an unknown after', () => {
    const found = messages(md(...shot('id: a', 'one'), ...shot('id: A', 'two'), ...shot('id: c', 'after: zz', 'three')));
    assert.deepStrictEqual(found, ['The id "A" is already used by the shot at line 1.', 'after: there is no shot with the id "zz".']);
  });

  it('reports a cycle on every shot of it, naming the circle', () => {
    const found = messages(md(...shot('id: a', 'after: c', 'one'), ...shot('id: b', 'after: a', 'two'), ...shot('id: c', 'after: b', 'x')));
    assert.deepStrictEqual(found, [
      'after: these shots wait on each other in a circle: a → c → b → a.',
      'after: these shots wait on each other in a circle: b → a → c → b.',
      'after: these shots wait on each other in a circle: c → b → a → c.',
    ]);
    assert.deepStrictEqual(messages(md(...shot('id: a', 'after: a', 'one'))), [
      'after: these shots wait on each other in a circle: a → a.',
    ]);
  });

  it('refuses an image beside after, and after on a model that takes no first frame', () => {
    assert.deepStrictEqual(messages(md(...shot('id: a', 'one'), ...shot('id: b', 'after: a', 'image: cat.png', 'two'))), [
      'image: this shot starts on the last frame of "a" (after:); remove one of the two.',
    ]);
    const noFirst = {
      ...catalog,
      model: (_p: unknown, id: string) => ({ id, capabilities: { frames: { first: false, last: false } } }) as unknown as CatalogModel,
    };
    const text = md(...shot('id: a', 'one'), ...shot('id: b', 'after: a', 'model: 1.5', 'two'));
    assert.deepStrictEqual(
      parseStoryboard(text, noFirst).problems.map((p) => p.message),
      ['after: 1.5 takes no first-frame image, so it cannot continue another shot.'],
    );
    assert.deepStrictEqual(messages(text), []);
  });

  it('refuses an id that cannot be a file name', () => {
    assert.deepStrictEqual(messages(md(...shot('id: ../x', 'one'))), [
      'id: use letters, digits, - and _ (up to 64), starting with a letter or digit.',
    ]);
  });
});
