import * as assert from 'assert';

import { TaskSource } from '../../../../src/core/model/task';
import { validateStoredTask } from '../../../../src/core/store/taskValidation';
import { pikaRequest, settled, sleep, useEngineSuite, waitForTask } from '../../../support/engineHarness';

describe('task source (the prompt block a task came from)', function () {
  this.timeout(30_000);
  const h = useEngineSuite({ durationMs: 300 });
  const source: TaskSource = { uri: 'file:///project/docs/clips.md', hash: '0123456789abcdef', line: 12 };

  it('is stored with the task, survives a restart, and is absent for tasks made otherwise', async () => {
    const first = await h.ws.engine();
    const fromBlock = await first.engine.generate(pikaRequest('from a block [duration=300]'), { source });
    const plain = await first.engine.generate(pikaRequest('from the palette [duration=300]'));
    assert.deepStrictEqual(fromBlock.source, source);
    assert.strictEqual('source' in plain, false);
    await waitForTask(first.engine, fromBlock.id, settled, 'to finish');
    await first.engine.flush();
    first.engine.dispose();
    await sleep(50);

    const second = await h.ws.engine();
    assert.deepStrictEqual(second.engine.getTask(fromBlock.id)!.source, source);
    assert.strictEqual(second.engine.getTask(plain.id)!.source, undefined);
  });

  it('a malformed source read back from disk is dropped, the task kept', () => {
    const base = { id: 't', provider: 'pika', status: 'queued', createdAt: 1, updatedAt: 1 };
    for (const bad of [
      { uri: 'file:///a.md', hash: 'x' },
      { uri: 5, hash: 'x', line: 1 },
      { uri: 'file:///a.md', hash: 'x', line: -1 },
      'file:///a.md',
    ]) {
      const t = validateStoredTask({ ...base, source: bad });
      assert.ok(t, 'the task is kept');
      assert.strictEqual(t.source, undefined, JSON.stringify(bad));
    }
    assert.deepStrictEqual(validateStoredTask({ ...base, source: { ...source, extra: 'dropped' } })!.source, source);
  });
});
