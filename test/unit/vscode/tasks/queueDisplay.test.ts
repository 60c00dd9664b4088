// How a create that is not at the provider yet reads back and shows: the stored queue fields, the
// "waiting to send" line, and the player's message for it.
import * as assert from 'assert';

import { Task, TASK_STATUSES } from '../../../../src/core/model/task';
import { validateStoredTask } from '../../../../src/core/store/taskValidation';
import { formatWaiting } from '../../../../src/shared/format';
import { planPlayerContent } from '../../../../src/vscode/panels/player/playerPage';

const NOW = 1_700_000_000_000;

function task(over: Partial<Task>): Task {
  return {
    id: 't',
    provider: 'hidream',
    remoteId: '',
    mode: 'text-to-video',
    status: 'waiting',
    progress: 0,
    prompt: 'queued up',
    model: '',
    createdAt: NOW,
    updatedAt: NOW,
    videos: [],
    request: { provider: 'hidream', prompt: 'queued up' },
    ...over,
  };
}

describe('creates not at the provider yet', () => {
  it('"waiting to send" with the time left, or the reason when no time is known', () => {
    assert.strictEqual(formatWaiting(NOW + 12_000, 'HiDream answered 429', NOW), 'waiting to send · 12 s');
    assert.strictEqual(formatWaiting(NOW + 11_001, undefined, NOW), 'waiting to send · 12 s');
    assert.strictEqual(formatWaiting(NOW + 95_000, undefined, NOW), 'waiting to send · 1:35');
    assert.strictEqual(formatWaiting(NOW - 1, '1 HiDream task under way', NOW), 'waiting to send · 1 HiDream task under way');
    assert.strictEqual(formatWaiting(undefined, undefined, NOW), 'waiting to send');
  });

  it('the player says a waiting create is not sent yet, and a submitting one is being sent', () => {
    const waiting = planPlayerContent(task({ sendAfter: NOW + 5000 }), 0, '/media', undefined, NOW);
    assert.deepStrictEqual(waiting, { kind: 'unavailable', message: 'Not sent yet: waiting to send · 5 s.' });
    assert.deepStrictEqual(planPlayerContent(task({ status: 'submitting' }), 0, '/media'), {
      kind: 'unavailable',
      message: 'The request is being sent.',
    });
  });

  it('the new statuses and queue fields read back from the history; malformed ones are dropped', () => {
    assert.deepStrictEqual(TASK_STATUSES, ['waiting', 'submitting', 'queued', 'running', 'succeeded', 'failed']);
    const stored = validateStoredTask(
      task({ status: 'submitting', sendAfter: NOW + 1, waitReason: 'behind 1 earlier create', sender: { owner: 'w1', pid: 42 } }),
    )!;
    assert.strictEqual(stored.status, 'submitting');
    assert.strictEqual(stored.sendAfter, NOW + 1);
    assert.strictEqual(stored.waitReason, 'behind 1 earlier create');
    assert.deepStrictEqual(stored.sender, { owner: 'w1', pid: 42 });
    const bad = validateStoredTask({ ...task({}), sendAfter: 'soon', sender: { owner: 1, pid: 'x' } })!;
    assert.strictEqual(bad.status, 'waiting');
    assert.strictEqual(bad.sendAfter, undefined);
    assert.strictEqual(bad.sender, undefined);
    assert.strictEqual(validateStoredTask({ ...task({}), status: 'sending' }), undefined, 'an unknown status is not a task');
  });
});
