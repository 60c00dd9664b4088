// The pure parts of the panel base: the ready handshake with "post when changed" (PostGate) and the
// disposables a panel releases when it closes (DisposableStore). The panels themselves run in the host tests.
import * as assert from 'assert';

import { DisposableStore, PostGate } from '../../../../src/vscode/panels/panelState';

type Msg = { type: 'show'; id: string } | { type: 'inspect'; n: number };

function gate(keyOf?: (m: Msg) => string) {
  const posted: Msg[] = [];
  return { posted, gate: new PostGate<Msg>((m) => posted.push(m), keyOf) };
}

describe('panel base: PostGate', () => {
  it('posts nothing before ready, then only the latest queued message', () => {
    const { posted, gate: g } = gate();
    assert.strictEqual(g.ready, false);
    g.post({ type: 'show', id: 'a' });
    g.postWhenChanged({ type: 'show', id: 'b' });
    assert.deepStrictEqual(posted, []);
    g.open();
    assert.strictEqual(g.ready, true);
    assert.deepStrictEqual(posted, [{ type: 'show', id: 'b' }]);
    g.open();
    assert.strictEqual(posted.length, 1, 'a queued message is posted once');
  });

  it('posts at once while ready', () => {
    const { posted, gate: g } = gate();
    g.open();
    assert.deepStrictEqual(posted, [], 'nothing was queued');
    g.post({ type: 'inspect', n: 1 });
    g.post({ type: 'inspect', n: 1 });
    assert.strictEqual(posted.length, 2, 'post always posts');
  });

  it('postWhenChanged skips a message identical to the last one posted', () => {
    const { posted, gate: g } = gate();
    g.open();
    assert.strictEqual(g.postWhenChanged({ type: 'show', id: 'a' }), true);
    assert.strictEqual(g.postWhenChanged({ type: 'show', id: 'a' }), false);
    assert.strictEqual(g.postWhenChanged({ type: 'show', id: 'b' }), true);
    assert.strictEqual(g.postWhenChanged({ type: 'show', id: 'a' }), true, 'compared with the last one, not any earlier one');
    g.post({ type: 'show', id: 'c' });
    assert.strictEqual(g.postWhenChanged({ type: 'show', id: 'c' }), false, 'a forced post counts as the last one posted');
    assert.deepStrictEqual(
      posted.map((m) => (m.type === 'show' ? m.id : m.n)),
      ['a', 'b', 'a', 'c'],
    );
  });

  it('a page discarded (hidden) gets nothing, and its next ready starts fresh', () => {
    const { posted, gate: g } = gate();
    g.open();
    g.postWhenChanged({ type: 'show', id: 'a' });
    g.close();
    assert.strictEqual(g.ready, false);
    g.postWhenChanged({ type: 'show', id: 'a' });
    assert.strictEqual(posted.length, 1, 'nothing is posted to a discarded page');
    g.open();
    assert.strictEqual(posted.length, 2, 'the message queued while hidden reaches the new page');
    assert.strictEqual(g.postWhenChanged({ type: 'show', id: 'a' }), false);
  });

  it('a reloaded page with nothing queued gets the same view again', () => {
    const { posted, gate: g } = gate();
    g.open();
    g.postWhenChanged({ type: 'show', id: 'a' });
    g.close();
    g.open();
    assert.strictEqual(g.postWhenChanged({ type: 'show', id: 'a' }), true, 'the new page has seen nothing');
    assert.strictEqual(posted.length, 2);
  });

  it('close drops what was queued for the old page', () => {
    const { posted, gate: g } = gate();
    g.post({ type: 'show', id: 'a' });
    g.close();
    g.open();
    assert.deepStrictEqual(posted, []);
  });

  it('compares by the given key', () => {
    const { posted, gate: g } = gate((m) => m.type);
    g.open();
    g.postWhenChanged({ type: 'show', id: 'a' });
    assert.strictEqual(g.postWhenChanged({ type: 'show', id: 'b' }), false);
    assert.strictEqual(g.postWhenChanged({ type: 'inspect', n: 1 }), true);
    assert.strictEqual(posted.length, 2);
  });
});

describe('panel base: DisposableStore', () => {
  it('disposes every item once, in the order added', () => {
    const store = new DisposableStore();
    const order: number[] = [];
    const item = store.add({ dispose: () => order.push(1) });
    store.add({ dispose: () => order.push(2) });
    assert.strictEqual(typeof item.dispose, 'function', 'add returns the item');
    assert.strictEqual(store.isDisposed, false);
    store.dispose();
    store.dispose();
    assert.deepStrictEqual(order, [1, 2]);
    assert.strictEqual(store.isDisposed, true);
  });

  it('disposes at once what is added after it was disposed', () => {
    const store = new DisposableStore();
    store.dispose();
    let disposed = 0;
    store.add({ dispose: () => disposed++ });
    assert.strictEqual(disposed, 1);
  });

  it('disposes the others when one throws, then rethrows the first error', () => {
    const store = new DisposableStore();
    const done: string[] = [];
    store.add({
      dispose: () => {
        throw new Error('first');
      },
    });
    store.add({
      dispose: () => {
        throw new Error('second');
      },
    });
    store.add({ dispose: () => done.push('third') });
    assert.throws(() => store.dispose(), /first/);
    assert.deepStrictEqual(done, ['third']);
  });
});
