// The cancel seam (ProviderClient.cancel, TaskEngine.cancel): a queued or running job is stopped at
// the provider once; accepted, the task ends failed ("Cancelled"); refused, the task is left as it was.
import * as assert from 'assert';

import { ProviderError } from '../../../../src/core/model/errors';
import { Task } from '../../../../src/core/model/task';
import { ProviderContext } from '../../../../src/core/provider/descriptor';
import {
  KEY,
  pikaRequest,
  running,
  ScriptedProvider,
  succeededNoVideo,
  useEngineSuite,
  waitFor,
  waitForTask,
} from '../../../support/engineHarness';

/** A scripted provider that can cancel: records each call, and answers with `answer()`. */
class CancellableProvider extends ScriptedProvider {
  readonly cancels: { remoteId: string; apiKey: string }[] = [];
  answer: () => Promise<void> = async () => undefined;

  async cancel(ctx: ProviderContext, task: Task): Promise<void> {
    this.cancels.push({ remoteId: task.remoteId, apiKey: ctx.apiKey });
    return this.answer();
  }
}

describe('cancelling a job at the provider', function () {
  this.timeout(20_000);
  const h = useEngineSuite({ durationMs: 600 });

  it('asks the provider once; the task ends failed with "Cancelled", is stored so and is polled no more', async () => {
    const provider = new CancellableProvider('pika', () => [running(10)]);
    const { engine } = await h.ws.engine({ providers: { pika: provider }, settings: { pollIntervalMs: 50 } });
    assert.strictEqual(engine.canCancel('pika'), true);
    const t = await engine.generate(pikaRequest('stop me'));
    await waitForTask(engine, t.id, (x) => x.status === 'running', 'to run');

    const done = await engine.cancel(t.id);
    assert.deepStrictEqual(provider.cancels, [{ remoteId: t.remoteId, apiKey: KEY }]);
    assert.strictEqual(done.status, 'failed');
    assert.strictEqual(done.error, 'Cancelled');
    assert.strictEqual(done.errorKind, 'cancelled');
    assert.ok(done.finishedAt);
    await engine.flush();
    const stored = h.ws.readStore().tasks.find((s) => s.id === t.id)!;
    assert.strictEqual(stored.status, 'failed');
    assert.strictEqual(stored.error, 'Cancelled');

    const polls = provider.polls.length;
    await engine.refresh();
    assert.strictEqual(provider.polls.length, polls, 'a cancelled task is not polled again');
    assert.strictEqual(engine.getTask(t.id)!.status, 'failed');
  });

  it('a refusal leaves the task untouched and still polled, and rejects with the provider error; nothing is retried', async () => {
    const provider = new CancellableProvider('pika', () => [running(10)]);
    provider.answer = async () => {
      throw new ProviderError({ kind: 'badRequest', status: 400, message: 'already completed' });
    };
    const { engine } = await h.ws.engine({ providers: { pika: provider }, settings: { pollIntervalMs: 50 } });
    const t = await engine.generate(pikaRequest('too late'));
    await waitForTask(engine, t.id, (x) => x.status === 'running', 'to run');
    const before = structuredClone(engine.getTask(t.id)!);

    await assert.rejects(engine.cancel(t.id), (e: unknown) => e instanceof ProviderError && e.message === 'already completed');
    assert.strictEqual(provider.cancels.length, 1);
    const after = engine.getTask(t.id)!;
    assert.strictEqual(after.status, 'running');
    assert.strictEqual(after.error, undefined);
    assert.strictEqual(after.errorKind, undefined);
    assert.strictEqual(after.finishedAt, undefined);
    assert.strictEqual(after.remoteId, before.remoteId);
    const polls = provider.polls.length;
    await waitFor('another poll', () => provider.polls.length > polls);
  });

  it('is refused before any request for a provider that cannot cancel', async () => {
    const plain = new ScriptedProvider('pika', () => [running(10)]);
    const { engine } = await h.ws.engine({ providers: { pika: plain }, settings: { pollIntervalMs: 50 } });
    assert.strictEqual(engine.canCancel('pika'), false);
    const t = await engine.generate(pikaRequest('no cancel here'));
    await assert.rejects(engine.cancel(t.id), /cannot cancel/);
    assert.strictEqual(engine.getTask(t.id)!.status === 'failed', false);
    await assert.rejects(engine.cancel('no-such-task'), /No task no-such-task/);
  });

  it('is refused before any request for a task that is no longer at the provider', async () => {
    const provider = new CancellableProvider('pika', () => [succeededNoVideo]);
    const second = await h.ws.engine({ providers: { pika: provider }, settings: { pollIntervalMs: 50 } });

    const finished = await second.engine.generate(pikaRequest('already done'));
    await waitForTask(second.engine, finished.id, (x) => x.status === 'succeeded', 'to succeed');
    await assert.rejects(second.engine.cancel(finished.id), /Only a queued or running task can be cancelled/);
    assert.deepStrictEqual(provider.cancels, []);
    assert.strictEqual(second.engine.getTask(finished.id)!.status, 'succeeded');
  });

  it('a job that finished while the cancel was out keeps its outcome', async () => {
    const provider = new CancellableProvider('pika', () => [running(10), succeededNoVideo]);
    let accept = () => {};
    provider.answer = () => new Promise<void>((resolve) => (accept = resolve));
    const { engine } = await h.ws.engine({ providers: { pika: provider }, settings: { pollIntervalMs: 50 } });
    const t = await engine.generate(pikaRequest('race'));
    await waitForTask(engine, t.id, (x) => x.status === 'running', 'to run');
    const cancelling = engine.cancel(t.id);
    await waitForTask(engine, t.id, (x) => x.status === 'succeeded', 'to succeed meanwhile');
    accept();
    const done = await cancelling;
    assert.strictEqual(done.status, 'succeeded');
    assert.strictEqual(done.error, undefined);
  });
});
