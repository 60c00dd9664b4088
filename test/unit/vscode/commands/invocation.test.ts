// The invocation rule (src/vscode/commands/invocation.ts): which calls may ask, and which tasks a call is about.
import * as assert from 'assert';

import { INTERACTIVE, isInteractiveMarker, parseInvocation } from '../../../../src/vscode/commands/invocation';

/** A vscode.Uri's JSON form: the rule recognizes a Uri by its shape. */
const uri = (path: string) => ({ scheme: 'file', authority: '', path, query: '', fragment: '' });
const node = (taskId: string) => ({ kind: 'task' as const, taskId });

describe('parseInvocation: who called, about which tasks', function () {
  describe('interactive calls (may ask)', function () {
    it('no argument: the Command Palette, a keybinding, a title bar button', function () {
      assert.deepStrictEqual(parseInvocation([]), { interactive: true, taskIds: [], args: [] });
      assert.strictEqual(parseInvocation([undefined]).interactive, true);
      assert.strictEqual(parseInvocation([null]).interactive, true);
    });

    it('a Tasks view item, with the multi-selection when there is one', function () {
      const a = node('a');
      assert.deepStrictEqual(parseInvocation([a]), { interactive: true, taskIds: ['a'], node: a, args: [a] });
      const call = parseInvocation([a, [a, node('b'), node('a')]]);
      assert.strictEqual(call.interactive, true);
      assert.deepStrictEqual(call.taskIds, ['a', 'b'], 'the selection, each once');
      assert.deepStrictEqual(parseInvocation([a, []]).taskIds, ['a'], 'an empty selection is the clicked item');
    });

    it('a video, a group or a day of the Tasks view', function () {
      assert.deepStrictEqual(parseInvocation([{ kind: 'video', taskId: 'v', index: 1 }]).taskIds, ['v']);
      const group = parseInvocation([{ kind: 'group', groupId: 'g' }]);
      assert.deepStrictEqual([group.interactive, group.taskIds, group.node], [true, [], { kind: 'group', groupId: 'g' }]);
      assert.strictEqual(parseInvocation([{ kind: 'day', bucket: 'today' }]).interactive, true);
    });

    it('the Explorer (Uri, Uri[]) and the editor menus (Uri, {groupId})', function () {
      const one = uri('/w/cat.png');
      const two = uri('/w/dog.jpg');
      const explorer = parseInvocation([one, [one, two]]);
      assert.deepStrictEqual([explorer.interactive, explorer.uris, explorer.taskIds, explorer.options], [true, [one, two], [], undefined]);
      assert.deepStrictEqual(parseInvocation([one]).uris, [one]);
      const editor = parseInvocation([one, { groupId: 1, editorIndex: 0 }]);
      assert.deepStrictEqual([editor.interactive, editor.uris, editor.options], [true, [one], undefined]);
    });

    it('any call ending with the marker { interactive: true }: lenses, tree item clicks, buttons; the marker is stripped', function () {
      assert.ok(isInteractiveMarker(INTERACTIVE));
      const lens = parseInvocation(['t1', { interactive: true }]);
      assert.deepStrictEqual(lens, { interactive: true, taskIds: ['t1'], args: ['t1'] });
      assert.deepStrictEqual(parseInvocation([['a', 'b'], INTERACTIVE]).taskIds, ['a', 'b']);
      const block = parseInvocation([uri('/w/p.md'), 3, INTERACTIVE]);
      assert.deepStrictEqual([block.interactive, block.args.length], [true, 2]);
      const click = parseInvocation(['t1', 0, INTERACTIVE]);
      assert.deepStrictEqual(click.args, ['t1', 0], 'a tree item click on a video: the index stays');
      assert.strictEqual(parseInvocation([undefined, INTERACTIVE]).interactive, true);
    });
  });

  describe('script calls (never ask)', function () {
    it('a bare task id, or an array of ids', function () {
      assert.deepStrictEqual(parseInvocation(['t1']), { interactive: false, taskIds: ['t1'], args: ['t1'] });
      assert.deepStrictEqual(parseInvocation([['a', 'b', 'a']]), { interactive: false, taskIds: ['a', 'b'], args: [['a', 'b', 'a']] });
      assert.deepStrictEqual(parseInvocation([[]]).taskIds, []);
    });

    it('a request or options object, `{}` included, anywhere in the arguments', function () {
      const request = { provider: 'pika', prompt: 'x' };
      assert.deepStrictEqual(parseInvocation([request]), { interactive: false, taskIds: [], options: request, args: [request] });
      assert.deepStrictEqual(parseInvocation([{}]), { interactive: false, taskIds: [], options: {}, args: [{}] });
      const regenerate = parseInvocation(['t1', { sameSeed: true }]);
      assert.deepStrictEqual([regenerate.interactive, regenerate.taskIds, regenerate.options], [false, ['t1'], { sameSeed: true }]);
    });

    it('a Uri followed by a line number or options: not a menu', function () {
      const doc = uri('/w/p.md');
      assert.strictEqual(parseInvocation([doc, 0]).interactive, false);
      const explorerScript = parseInvocation([doc, [doc], { prompt: 'x' }]);
      assert.deepStrictEqual([explorerScript.interactive, explorerScript.uris, explorerScript.options], [false, [doc], { prompt: 'x' }]);
      assert.strictEqual(parseInvocation([doc, 0, { count: 3 }]).options?.count, 3);
    });

    it('an object that only looks like the marker is options: {interactive: true, count: 3}, {interactive: false}', function () {
      assert.strictEqual(parseInvocation([{ interactive: true, count: 3 }]).interactive, false);
      assert.strictEqual(parseInvocation(['t1', { interactive: false }]).interactive, false);
      assert.strictEqual(parseInvocation([{ interactive: 'yes' }]).interactive, false);
    });

    it('a provider id and a key, text, numbers: strings name their ids, the rest is left to the command', function () {
      const call = parseInvocation(['pika', 'the-key']);
      assert.deepStrictEqual([call.interactive, call.taskIds, call.args], [false, ['pika'], ['pika', 'the-key']]);
      assert.strictEqual(parseInvocation([3]).interactive, false);
      assert.strictEqual(parseInvocation([undefined, 'key']).interactive, false, 'an argument after an undefined first one');
      assert.deepStrictEqual(parseInvocation(['t1', undefined]).args, ['t1', undefined], 'args are kept as given');
    });

    it('an object with a kind that is no Tasks view item is options, not a node', function () {
      const other = parseInvocation([{ kind: 'sunset', taskId: 'a' }]);
      assert.deepStrictEqual([other.interactive, other.taskIds, other.node], [false, [], undefined]);
    });
  });
});
