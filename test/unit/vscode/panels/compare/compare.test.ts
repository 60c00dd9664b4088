import * as assert from 'assert';

import type { Task } from '../../../../../src/core/model/task';
import { compareParams, toCompareItem } from '../../../../../src/vscode/panels/compare/compareParams';
import {
  isCompareHostMessage,
  isCompareState,
  isCompareWebviewMessage,
  readCompareHostMessage,
} from '../../../../../src/webview/compare/compareProtocol';
import { diffParams, diffPrompts, MISSING, tokenize } from '../../../../../src/webview/compare/diff';

function task(over: Partial<Task> = {}, request: Partial<Task['request']> = {}): Task {
  return {
    id: 't',
    provider: 'pika',
    remoteId: 'r',
    mode: 'text-to-video',
    status: 'succeeded',
    progress: 100,
    prompt: 'p',
    model: '2.0',
    createdAt: 1,
    updatedAt: 2,
    videos: [{ url: 'https://cdn/x.mp4', seed: 11, duration: 5, width: 1280, height: 720, localPath: '/m/x.mp4' }],
    request: { provider: 'pika', prompt: 'p', ...request },
    ...over,
  };
}

describe('compare: parameter differences', () => {
  it('lists the parameters of a task, options flattened', () => {
    const p = compareParams(
      task({}, { negativePrompt: 'fog', aspectRatio: '16:9', options: { motion: 2, camera: { zoom: 'in' } } }),
      'Pika',
    );
    assert.deepStrictEqual(p, {
      Provider: 'Pika',
      Model: '2.0',
      Seed: '11',
      'Negative prompt': 'fog',
      'Aspect ratio': '16:9',
      Duration: '5 s',
      Resolution: '1280 × 720 (16:9)',
      motion: '2',
      'camera.zoom': 'in',
    });
  });

  it('marks the rows whose values are not all equal, seed and model included', () => {
    const rows = diffParams([
      { Provider: 'Pika', Model: '2.0', Seed: '1', motion: '2' },
      { Provider: 'Pika', Model: '1.5', Seed: '2', motion: '2' },
    ]);
    const differs = (i: number) => Object.fromEntries(rows[i].map((r) => [r.label, r.differs]));
    assert.deepStrictEqual(differs(0), { Provider: false, Model: true, Seed: true, motion: false });
    assert.deepStrictEqual(differs(1), differs(0), 'both columns mark the same rows');
  });

  it('gives every take the same rows in the same order; a missing value differs', () => {
    const rows = diffParams([{ Seed: '1', zeta: 'a' }, { alpha: 'b', Seed: '1', Provider: 'Pika' }, { Seed: '1' }]);
    for (const r of rows) {
      assert.deepStrictEqual(
        r.map((x) => x.label),
        ['Provider', 'Seed', 'alpha', 'zeta'],
      );
    }
    assert.strictEqual(rows[0][0].value, MISSING);
    assert.ok(rows[0][0].differs);
    assert.ok(!rows[2][1].differs, 'the same seed everywhere');
  });

  it('highlights prompt words the other prompts lack, ignoring case and punctuation', () => {
    const [a, b] = diffPrompts(['A red fox runs, in snow.', 'a RED wolf runs in snow']);
    const marked = (tokens: { text: string; differs: boolean }[]) => tokens.filter((t) => t.differs).map((t) => t.text);
    assert.deepStrictEqual(marked(a), ['fox']);
    assert.deepStrictEqual(marked(b), ['wolf']);
    assert.strictEqual(a.map((t) => t.text).join(''), 'A red fox runs, in snow.', 'tokens join back to the prompt');
  });

  it('with three prompts, a word differs when any other prompt lacks it', () => {
    const [a, b, c] = diffPrompts(['boat at dawn', 'boat at dusk', 'boat at dawn']);
    assert.deepStrictEqual(
      a.filter((t) => t.differs).map((t) => t.text),
      ['dawn'],
    );
    assert.deepStrictEqual(
      b.filter((t) => t.differs).map((t) => t.text),
      ['dusk'],
    );
    assert.deepStrictEqual(
      c.filter((t) => t.differs).map((t) => t.text),
      ['dawn'],
    );
  });

  it('identical prompts differ nowhere; words keep apostrophes and hyphens', () => {
    assert.ok(
      diffPrompts(['same words', 'same words'])
        .flat()
        .every((t) => !t.differs),
    );
    assert.deepStrictEqual(tokenize("a dog's slow-motion run"), ['a', ' ', "dog's", ' ', 'slow-motion', ' ', 'run']);
  });
});

describe('compare: protocol', () => {
  const item = { taskId: 'a', title: 'A', prompt: 'p', videoSrc: 'x:a.mp4', params: { Seed: '1' } };

  it('shows 2 to 4 takes; anything else is rejected', () => {
    assert.ok(isCompareHostMessage({ type: 'show', items: [item, { ...item, taskId: 'b', fps: 24 }] }));
    assert.ok(!isCompareHostMessage({ type: 'show', items: [item] }));
    assert.ok(!isCompareHostMessage({ type: 'show', items: [item, item, item, item, item] }));
    assert.ok(!isCompareHostMessage({ type: 'show', items: [item, { ...item, params: { Seed: 1 } }] }), 'parameter values are strings');
    assert.ok(!isCompareHostMessage({ type: 'show', items: [item, { ...item, fps: 0 }] }));
    assert.ok(isCompareHostMessage({ type: 'unavailable', message: 'gone' }));
  });

  it('fits every parameter, title and prompt on the host: one 20,000-character value is accepted', () => {
    const huge = 'v'.repeat(20_000);
    const options = {
      note: huge,
      [`k${'e'.repeat(300)}`]: 'long key',
      ...Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`o${i}`, i])),
    };
    const long = task({ id: 'a', prompt: 'p '.repeat(8000), model: 'm'.repeat(5000) }, { options, negativePrompt: huge });
    const items = [long, task({ id: 'b' })].map((t) => toCompareItem(t, 'Pika'.repeat(2000), '/m', (f) => `x:${f}`));
    assert.ok(items[0] && items[1]);
    const message = { type: 'show', items };
    assert.ok(isCompareHostMessage(message), 'the view is accepted');
    assert.ok(items[0].params.note.length <= 4000 && items[0].params.note.endsWith('…'));
    assert.ok(items[0].prompt.length <= 10_000);
    assert.ok(Object.keys(items[0].params).length <= 200);
  });

  it('leaves out a take whose id or file cannot be shown', () => {
    assert.strictEqual(
      toCompareItem(task({ id: 'i'.repeat(300) }), 'Pika', '/m', (f) => `x:${f}`),
      undefined,
    );
    assert.strictEqual(
      toCompareItem(task({ status: 'failed' }), 'Pika', '/m', (f) => `x:${f}`),
      undefined,
    );
    assert.strictEqual(
      toCompareItem(task(), 'Pika', '/elsewhere', (f) => `x:${f}`),
      undefined,
    );
  });

  it('a bad take is dropped, not the whole view', () => {
    const bad = { ...item, taskId: 'c', params: { note: 'v'.repeat(20_000) } };
    const read = readCompareHostMessage({ type: 'show', items: [item, bad, { ...item, taskId: 'b' }] });
    assert.ok(read && read.message.type === 'show');
    assert.deepStrictEqual([read.message.items.map((i) => i.taskId), read.dropped], [['a', 'b'], 1]);
    const few = readCompareHostMessage({ type: 'show', items: [item, bad] });
    assert.ok(few && few.message.type === 'show', 'fewer than two good takes: the webview says it cannot compare');
    assert.deepStrictEqual([few.message.items.length, few.dropped], [1, 1]);
    assert.ok(!isCompareHostMessage({ type: 'show', items: [item, bad] }), 'the strict guard still sees the bad take');
    assert.strictEqual(readCompareHostMessage({ type: 'show', items: 'x' }), undefined);
    assert.strictEqual(readCompareHostMessage({ type: 'show', items: [item] }), undefined, 'the host sends 2 to 4');
  });

  it('checks webview messages and the saved state', () => {
    assert.ok(isCompareWebviewMessage({ type: 'ready' }));
    assert.ok(isCompareWebviewMessage({ type: 'keep', taskId: 'a' }));
    assert.ok(!isCompareWebviewMessage({ type: 'keep' }));
    assert.ok(!isCompareWebviewMessage({ type: 'keep', taskId: 'a', extra: 1 }));
    assert.ok(isCompareState({ taskIds: ['a', 'b'] }));
    assert.ok(!isCompareState({ taskIds: ['a'] }));
  });
});
