// The pure state transitions and the poll plan, without an emulator, a store or a timer.
import * as assert from 'assert';

import { ProviderError } from '../../../../src/core/model/errors';
import { Task } from '../../../../src/core/model/task';
import { freshPollState, PollPlanner } from '../../../../src/core/polling/pollPlan';
import {
  applyProviderError,
  applyRemoteState,
  giveUpPatch,
  KEY_PAUSE_MS,
  MAX_TASK_ERROR,
  notSentPatch,
  patchTask,
  TransitionInput,
  uncertainPatch,
} from '../../../../src/core/polling/transitions';
import { RemoteState } from '../../../../src/core/provider/descriptor';

const NOW = 1_000_000;
const io: TransitionInput = { now: NOW, baseMs: 1000, maxUnknownPolls: 3, label: 'Pika', startedAt: NOW - 10_000 };

function task(over: Partial<Task> = {}): Task {
  return {
    id: 't1',
    provider: 'pika',
    remoteId: 'r1',
    mode: 'text-to-video',
    status: 'running',
    progress: 40,
    prompt: 'a cat',
    model: '1.5',
    createdAt: NOW - 10_000,
    updatedAt: NOW - 1000,
    videos: [],
    request: { provider: 'pika', prompt: 'a cat' },
    ...over,
  };
}

const state = (over: Partial<RemoteState>): RemoteState => ({ status: 'running', rawStatus: 'processing', videos: [], ...over });

describe('state transitions', () => {
  it('running with progress: progress never goes back, samples are kept, the next poll is planned, errors clear', () => {
    const t = task({ error: 'old problem', errorKind: 'server' });
    const tr = applyRemoteState(t, { ...freshPollState(NOW), failures: 2 }, state({ progress: 30 }), io);
    assert.strictEqual(tr.final, false);
    assert.deepStrictEqual(tr.patch, { status: 'running', progress: 40, rawStatus: 'processing', error: undefined, errorKind: undefined });
    assert.strictEqual(tr.poll!.failures, 0);
    assert.deepStrictEqual(tr.poll!.lastSample, { at: NOW, progress: 30 });
    assert.ok(tr.poll!.nextAt > NOW);
    const up = applyRemoteState(t, tr.poll!, state({ progress: 70 }), { ...io, now: NOW + 1000 });
    assert.strictEqual(up.patch.progress, 70);
    assert.deepStrictEqual(up.poll!.firstSample, { at: NOW, progress: 30 });
    assert.strictEqual(
      up.poll!.polledAt,
      NOW + 1000,
      'when a poll last found the job unfinished (a run time counts from between it and the end)',
    );
  });

  it('succeeded: final, progress 100, downloaded copies of the same URLs are kept', () => {
    const t = task({ videos: [{ url: 'https://cdn/a.mp4', localPath: '/media/a.mp4' }] });
    const tr = applyRemoteState(
      t,
      freshPollState(NOW),
      state({ status: 'succeeded', rawStatus: 'finished', videos: [{ url: 'https://cdn/a.mp4' }, { url: 'https://cdn/b.mp4' }] }),
      io,
    );
    assert.strictEqual(tr.final, true);
    assert.strictEqual(tr.patch.status, 'succeeded');
    assert.strictEqual(tr.patch.progress, 100);
    assert.strictEqual(tr.patch.finishedAt, NOW);
    assert.deepStrictEqual(
      tr.patch.videos!.map((v) => v.localPath),
      ['/media/a.mp4', undefined],
    );
  });

  it("failed: final with the provider's message, or a plain one when it sent none", () => {
    assert.deepStrictEqual(
      applyRemoteState(task(), freshPollState(NOW), state({ status: 'failed', rawStatus: 'error', error: 'Content rejected.' }), io).patch,
      {
        status: 'failed',
        rawStatus: 'error',
        error: 'Content rejected.',
        errorKind: 'business',
        videos: [],
        // A failed job costs nothing unless the provider reports a charge.
        cost: { amount: 0, currency: 'USD', source: 'estimate' },
        finishedAt: NOW,
      },
    );
    assert.strictEqual(
      applyRemoteState(task(), freshPollState(NOW), state({ status: 'failed', rawStatus: 'error' }), io).patch.error,
      'Pika reported the generation failed.',
    );
  });

  it('unknown status: counted, the status word shown; failed (timed out) past maxUnknownPolls', () => {
    let st = freshPollState(NOW);
    for (let i = 1; i <= 3; i++) {
      const tr = applyRemoteState(task({ status: 'queued' }), st, state({ status: 'unknown', rawStatus: 'weird' }), io);
      assert.strictEqual(tr.final, false);
      assert.strictEqual(tr.patch.status, 'queued');
      assert.strictEqual(tr.poll!.unknownPolls, i);
      st = tr.poll!;
    }
    const last = applyRemoteState(task(), st, state({ status: 'unknown', rawStatus: 'weird' }), io);
    assert.strictEqual(last.final, true);
    assert.strictEqual(last.patch.timedOut, true);
    assert.match(last.patch.error!, /kept reporting an unknown status \("weird"\) 4 times/);
  });

  it('404 and 400 end the task; a cancelled poll changes nothing', () => {
    for (const kind of ['notFound', 'badRequest'] as const) {
      const tr = applyProviderError(task(), freshPollState(NOW), new ProviderError({ kind, message: 'gone' }), undefined, io);
      assert.deepStrictEqual(tr, { patch: { status: 'failed', error: 'gone', errorKind: kind, finishedAt: NOW }, final: true });
    }
    const none = applyProviderError(task(), freshPollState(NOW), new ProviderError({ kind: 'cancelled', message: 'x' }), undefined, io);
    assert.deepStrictEqual(none, { patch: {}, final: false });
  });

  it('a rejected key pauses the whole provider until the key changes', () => {
    const tr = applyProviderError(
      task(),
      freshPollState(NOW),
      new ProviderError({ kind: 'auth', message: 'Pika rejected the API key.' }),
      undefined,
      io,
    );
    assert.deepStrictEqual(tr.pause, { until: NOW + KEY_PAUSE_MS, reason: 'key' });
    assert.strictEqual(tr.patch.error, 'Pika rejected the API key. Checking is paused until the key changes.');
    assert.strictEqual(tr.final, false);
  });

  it('a transient error backs off, doubling; Retry-After pauses the provider unless a longer pause is in force', () => {
    const e = new ProviderError({ kind: 'server', message: 'Pika had a server error (HTTP 502).' });
    const first = applyProviderError(task(), freshPollState(NOW), e, undefined, io);
    assert.strictEqual(first.poll!.failures, 1);
    assert.ok(first.poll!.nextAt - NOW >= 850 && first.poll!.nextAt - NOW <= 1150, String(first.poll!.nextAt - NOW));
    assert.match(first.patch.error!, /HTTP 502\)\. Retrying in (\d+ ms|1 s)\./);
    assert.strictEqual(first.pause, undefined);
    const second = applyProviderError(task(), first.poll!, e, undefined, io);
    assert.ok(second.poll!.nextAt - NOW >= 1700 && second.poll!.nextAt - NOW <= 2300);

    const limited = new ProviderError({ kind: 'rateLimited', message: 'slow down', retryAfterMs: 5000 });
    assert.deepStrictEqual(applyProviderError(task(), freshPollState(NOW), limited, undefined, io).pause, {
      until: NOW + 5000,
      reason: 'server',
    });
    assert.strictEqual(
      applyProviderError(task(), freshPollState(NOW), limited, { until: NOW + 9000, reason: 'server' }, io).pause,
      undefined,
    );
    assert.strictEqual(
      applyProviderError(task(), freshPollState(NOW), limited, { until: NOW + 60_000, reason: 'key' }, io).pause,
      undefined,
    );
  });

  it('give-up: failed, timed out, with the last problem', () => {
    assert.deepStrictEqual(giveUpPatch(task({ error: 'HTTP 502' }), 60 * 60_000, NOW), {
      status: 'failed',
      timedOut: true,
      errorKind: 'timeout',
      error: 'No result after 60 min; stopped checking. Use "Check Again" to resume. Last problem: HTTP 502',
      finishedAt: NOW,
    });
  });

  it('patchTask: deletes undefined fields, bumps updatedAt only on a change, strictly past the old one', () => {
    const t = task({ error: 'x', updatedAt: NOW + 50 });
    assert.strictEqual(patchTask(t, { progress: 40, rawStatus: undefined }, NOW), false);
    assert.strictEqual(t.updatedAt, NOW + 50);
    assert.strictEqual(patchTask(t, { error: undefined, progress: 41 }, NOW), true);
    assert.ok(!('error' in t));
    assert.strictEqual(t.progress, 41);
    assert.strictEqual(t.updatedAt, NOW + 51);
  });
});

describe('poll plan', () => {
  const base = 1000;
  const planner = () => new PollPlanner(() => 60_000);

  it('a provider is asked once one of its tasks is due; tasks due within the alignment window ride along', () => {
    const p = planner();
    const a = task({ id: 'a' });
    const b = task({ id: 'b' });
    const c = task({ id: 'c' });
    const g = task({ id: 'g', provider: 'gateway' });
    p.track('a', NOW);
    p.track('b', NOW + 400);
    p.track('c', NOW + 5000);
    p.track('g', NOW + 3000);
    const plan = p.plan([a, b, c, g], NOW, base, () => false);
    assert.deepStrictEqual([...plan.due.keys()], ['pika']);
    assert.deepStrictEqual(
      plan.due.get('pika')!.map((t) => t.id),
      ['a', 'b'],
    );
    assert.strictEqual(
      p.nextDueAt([a, b, c, g], NOW, (x) => x === 'pika'),
      NOW + 3000,
    );
  });

  it('a provider that asks one request per task polls only the due ones: none is asked early', () => {
    const p = planner();
    const a = task({ id: 'a' });
    const b = task({ id: 'b' });
    const h = task({ id: 'h', provider: 'hidream' });
    const i = task({ id: 'i', provider: 'hidream' });
    p.track('a', NOW);
    p.track('b', NOW + 400);
    p.track('h', NOW);
    p.track('i', NOW + 400);
    const plan = p.plan(
      [a, b, h, i],
      NOW,
      base,
      () => false,
      (x) => x === 'hidream',
    );
    assert.deepStrictEqual(
      plan.due.get('pika')!.map((t) => t.id),
      ['a'],
    );
    assert.deepStrictEqual(
      plan.due.get('hidream')!.map((t) => t.id),
      ['h', 'i'],
      'a batching provider: one request for both',
    );
  });

  it('a provider with a poll in flight, a paused provider, and tasks without a provider id are left out', () => {
    const p = planner();
    const a = task({ id: 'a' });
    const lost = task({ id: 'lost', remoteId: '' });
    p.track('a', NOW);
    p.track('lost', NOW);
    assert.strictEqual(p.plan([a, lost], NOW, base, () => true).due.size, 0);
    assert.deepStrictEqual(p.plan([lost], NOW, base, () => false).due.size, 0);
    p.pause('pika', { until: NOW + 2000, reason: 'server' });
    assert.strictEqual(p.plan([a], NOW, base, () => false).due.size, 0);
    assert.strictEqual(
      p.nextDueAt([a], NOW, () => false),
      NOW + 2000,
    );
    p.liftKeyPauses();
    assert.strictEqual(p.pauseOf('pika')?.reason, 'server', 'only key pauses are lifted');
  });

  it('a paused task past its give-up time is given up; Check Again restarts the give-up clock', () => {
    const p = planner();
    const old = task({ id: 'old', createdAt: NOW - 61_000 });
    p.track('old', NOW);
    p.pause('pika', { until: NOW + 2000, reason: 'key' });
    assert.deepStrictEqual(
      p.plan([old], NOW, base, () => false).gaveUp.map((t) => t.id),
      ['old'],
    );
    p.resume('old', NOW);
    assert.strictEqual(p.giveUpAt(old), NOW + 60_000);
    assert.deepStrictEqual(p.resumedAt(), { old: NOW });
    p.forget('old');
    assert.deepStrictEqual(p.resumedAt(), {});
  });
});

describe("a task's error text", () => {
  const long = 'x'.repeat(500);
  const chars = (s: string | undefined) => Array.from(s ?? '').length;

  it("is at most 600 characters, the explanation after the provider's text kept whole", () => {
    assert.strictEqual(MAX_TASK_ERROR, 600);
    const uncertain = uncertainPatch(long, 'timeout', 'Pika', NOW).error!;
    assert.ok(chars(uncertain) <= 600, `${chars(uncertain)} characters`);
    assert.match(uncertain, /check your account there before generating again\.$/);
    const notSent = notSentPatch(new ProviderError({ kind: 'server', message: long }), NOW).error!;
    assert.ok(chars(notSent) <= 600 && /nothing was started\.$/.test(notSent), notSent.slice(-80));
    const retry = applyProviderError(task(), freshPollState(NOW), new ProviderError({ kind: 'server', message: long }), undefined, io).patch
      .error!;
    assert.ok(chars(retry) <= 600 && /Retrying in \d+ m?s\.$/.test(retry), retry.slice(-80));
    const key = applyProviderError(task(), freshPollState(NOW), new ProviderError({ kind: 'auth', message: long }), undefined, io).patch
      .error!;
    assert.ok(chars(key) <= 600 && /until the key changes\.$/.test(key), key.slice(-80));
    const gaveUp = giveUpPatch(task({ error: 'y'.repeat(600) }), 60_000, NOW).error!;
    assert.ok(chars(gaveUp) <= 600 && gaveUp.startsWith('No result after'), gaveUp.slice(0, 80));
  });

  it('is cut to 600 characters whatever sets it', () => {
    const t = task();
    patchTask(t, { error: '😀'.repeat(5000) }, NOW);
    assert.strictEqual(chars(t.error), 600);
    assert.ok(t.error!.endsWith('…'));
  });
});
