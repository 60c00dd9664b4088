import * as assert from 'assert';

import { freshPollState } from '../../../../src/core/polling/pollPlan';
import { nextPollDelayMs } from '../../../../src/core/polling/pollTiming';
import { RunTimes, typicalEstimate } from '../../../../src/core/polling/runTimes';
import { applyRemoteState } from '../../../../src/core/polling/transitions';
import { makeTask } from '../../../support/helpers';

const done = (id: string, model: string, ms: number, extra: { provider?: string; status?: 'succeeded' | 'failed' } = {}) => ({
  id,
  provider: extra.provider ?? 'openrouter',
  model,
  status: extra.status ?? ('succeeded' as const),
  createdAt: 1_000,
  finishedAt: 1_000 + ms,
});

describe('run times of finished tasks', () => {
  it('per provider and model: one run gives a window of 15 % either way (at least 1 s)', () => {
    const r = new RunTimes();
    assert.strictEqual(r.estimate('openrouter', 'google/veo-3.1'), undefined);
    r.record(done('a', 'google/veo-3.1', 60_000));
    assert.deepStrictEqual(r.estimate('openrouter', 'google/veo-3.1'), { runMs: 60_000, spreadMs: 9_000 });
    r.record(done('d', 'alibaba/wan-2.6', 5_000));
    assert.deepStrictEqual(r.estimate('openrouter', 'alibaba/wan-2.6'), { runMs: 5_000, spreadMs: 1_000 });
    assert.strictEqual(r.estimate('other', 'google/veo-3.1'), undefined, 'another provider is another history');
  });

  it('learns the spread of the runs: their range, widened by range / (n - 1) either side', () => {
    const r = new RunTimes();
    r.record(done('a', 'm', 80_000));
    r.record(done('b', 'm', 90_000));
    // Two runs 10 s apart: the next may fall 10 s beyond either.
    assert.deepStrictEqual(r.estimate('openrouter', 'm'), { runMs: 85_000, spreadMs: 15_000 });
    r.record(done('c', 'm', 84_000));
    r.record(done('c', 'm', 70_000));
    assert.deepStrictEqual(r.estimate('openrouter', 'm'), { runMs: 85_000, spreadMs: 10_000 }, 'a task is counted once');
    for (let i = 0; i < 8; i++) r.record(done(`e${i}`, 'm', 82_000 + i * 1_000));
    // Eleven runs over 80-90 s: the window is barely wider than their range.
    assert.deepStrictEqual(r.estimate('openrouter', 'm'), { runMs: 85_000, spreadMs: 6_000 });
  });

  it('runs that agree closely still leave 5 % either way', () => {
    const r = new RunTimes();
    for (let i = 0; i < 5; i++) r.record(done(`s${i}`, 'm', 100_000 + i * 100));
    assert.deepStrictEqual(r.estimate('openrouter', 'm'), { runMs: 100_200, spreadMs: 5_010 });
  });

  it('a job counts as ending halfway between the last poll that found it unfinished and the one that found it done', () => {
    const r = new RunTimes();
    r.record(done('a', 'm', 64_000), 1_000 + 60_000);
    assert.strictEqual(r.estimate('openrouter', 'm')?.runMs, 62_000);
    r.record(done('b', 'n', 64_000), 1_000 + 70_000);
    assert.strictEqual(r.estimate('openrouter', 'n')?.runMs, 64_000, 'a poll time after the end is ignored');
  });

  it('only succeeded tasks count, and only the most recent twelve', () => {
    const r = new RunTimes();
    r.record(done('f', 'm', 1_000, { status: 'failed' }));
    assert.strictEqual(r.estimate('openrouter', 'm'), undefined);
    for (let i = 0; i < 12; i++) r.record(done(`old${i}`, 'm', 500_000));
    for (let i = 0; i < 12; i++) r.record(done(`new${i}`, 'm', 30_000));
    assert.deepStrictEqual(r.estimate('openrouter', 'm'), { runMs: 30_000, spreadMs: 1_500 });
  });

  it("a catalogue's typical run time is a rough guide: 15 % either way", () => {
    assert.deepStrictEqual(typicalEstimate(90), { runMs: 90_000, spreadMs: 13_500, rough: true });
    assert.strictEqual(typicalEstimate(undefined), undefined);
    assert.strictEqual(typicalEstimate(0), undefined);
  });
});

describe('poll timing without progress, from the expected run time', () => {
  const base = { baseMs: 5000, createdAt: 0 };
  const expected = { runMs: 60_000, spreadMs: 6_000 };
  it('one poll where the window starts, polls a quarter of the spread apart in it, then backing off', () => {
    assert.strictEqual(
      nextPollDelayMs({ ...base, now: 2_500, status: 'queued', expected }),
      51_500,
      'waits for the window, even while queued',
    );
    assert.strictEqual(
      nextPollDelayMs({ ...base, now: 2_500, status: 'running', expected: { runMs: 600_000, spreadMs: 60_000 } }),
      120_000,
      'at most 24 base intervals at once',
    );
    assert.strictEqual(nextPollDelayMs({ ...base, now: 54_000, status: 'running', expected }), 1_500);
    const rough = { ...expected, rough: true };
    assert.strictEqual(
      nextPollDelayMs({ ...base, now: 2_500, status: 'running', expected: rough }),
      7_500,
      "a catalogue's guess waits at most three times the age",
    );
    assert.strictEqual(
      nextPollDelayMs({ ...base, now: 1_000, status: 'running', expected: rough }),
      5_000,
      '…but never less than the stage interval',
    );
    assert.strictEqual(
      nextPollDelayMs({ ...base, now: 40_000, status: 'running', expected: rough }),
      14_000,
      '…and no later than the window',
    );
    assert.strictEqual(
      nextPollDelayMs({ ...base, now: 60_000, status: 'running', expected: { runMs: 60_000, spreadMs: 2_000 } }),
      1_000,
      'never closer than a fifth of the base',
    );
    assert.strictEqual(nextPollDelayMs({ ...base, now: 66_000, status: 'running', expected }), 1_000);
    assert.strictEqual(nextPollDelayMs({ ...base, now: 86_000, status: 'running', expected }), 10_000);
    assert.strictEqual(
      nextPollDelayMs({ ...base, now: 300_000, status: 'running', expected }),
      30_000,
      'never sparser than the stage interval once overdue',
    );
  });

  /** The times a task is polled at, from the first poll at 2.5 s until one finds it done at `endMs`. */
  function walk(expected: { runMs: number; spreadMs: number; rough?: boolean }, endMs: number): number[] {
    const at = [2_500];
    while (at[at.length - 1] < endMs && at.length < 100) {
      const now = at[at.length - 1];
      at.push(now + nextPollDelayMs({ ...base, now, status: 'running', expected }));
    }
    return at;
  }

  it("with a catalogue's typical time: a few growing gaps, then the window, then backing off", () => {
    const typical = typicalEstimate(90)!;
    const onTime = walk(typical, 90_000);
    assert.deepStrictEqual(
      onTime.slice(0, 5),
      [2_500, 10_000, 40_000, 76_500, 79_875],
      'three polls before the window (76.5 s), then 3.4 s apart',
    );
    assert.strictEqual(onTime.length, 8, 'a job as long as its catalogue says: eight polls, against eighteen every 5 s');
    assert.ok(onTime[onTime.length - 1] - 90_000 <= 13_500 / 4, 'seen within a quarter of the spread');
    const late = walk(typical, 200_000);
    assert.ok(late[late.length - 1] - 200_000 <= 30_000, 'a job far over its typical time is still seen within the stage interval');
    const early = walk(typical, 8_000);
    assert.deepStrictEqual(early, [2_500, 10_000], 'a job far shorter than typical is seen by the second poll');
    const short = walk(typical, 20_000);
    assert.deepStrictEqual(short, [2_500, 10_000, 40_000], '…or within three times its age');
  });

  it('progress, when a provider does report it, wins over the expectation', () => {
    const sampled = {
      ...base,
      now: 20_000,
      status: 'running' as const,
      firstSample: { at: 10_000, progress: 10 },
      lastSample: { at: 20_000, progress: 20 },
    };
    assert.strictEqual(nextPollDelayMs({ ...sampled, expected }), nextPollDelayMs(sampled));
  });

  it('a transition carries the expectation into the next poll time', () => {
    const task = makeTask('openrouter', 'j', { status: 'queued', createdAt: 0 });
    const io = { now: 2_500, baseMs: 5000, maxUnknownPolls: 5, label: 'OpenRouter', startedAt: 0 };
    const tr = applyRemoteState(task, freshPollState(0), { status: 'queued', rawStatus: 'pending', videos: [] }, { ...io, expected });
    assert.strictEqual(tr.poll?.nextAt, 54_000);
    const plain = applyRemoteState(task, freshPollState(0), { status: 'queued', rawStatus: 'pending', videos: [] }, io);
    assert.strictEqual(plain.poll?.nextAt, 10_000, 'without one, the queued schedule');
  });

  it('the cost a poll reports is carried onto the task', () => {
    const task = makeTask('openrouter', 'j', { status: 'running', createdAt: 0 });
    const io = { now: 70_000, baseMs: 5000, maxUnknownPolls: 5, label: 'OpenRouter', startedAt: 0 };
    const cost = { amount: 2.4, currency: 'USD' as const, source: 'provider' as const };
    const tr = applyRemoteState(
      task,
      freshPollState(0),
      { status: 'succeeded', rawStatus: 'completed', videos: [{ url: 'https://x.test/v.mp4' }], cost },
      io,
    );
    assert.deepStrictEqual(tr.patch.cost, cost);
    const failed = applyRemoteState(task, freshPollState(0), { status: 'failed', rawStatus: 'failed', videos: [] }, io);
    assert.deepStrictEqual(failed.patch.cost, { amount: 0, currency: 'USD', source: 'estimate' }, 'a failed job costs 0 unless reported');
    const charged = applyRemoteState(task, freshPollState(0), { status: 'failed', rawStatus: 'failed', videos: [], cost }, io);
    assert.deepStrictEqual(charged.patch.cost, cost);
  });
});
