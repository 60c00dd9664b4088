import * as assert from 'assert';

import { CreateRateLimiter, Semaphore } from '../../../../src/core/engine/localLimits';
import {
  backoffDelayMs,
  estimateEnd,
  firstPollDelayMs,
  nextPollDelayMs,
  ProgressSamples,
  stageIntervalMs,
  withSample,
} from '../../../../src/core/polling/pollTiming';
import { formatDelay } from '../../../../src/core/polling/transitions';

describe('poll scheduler', () => {
  it('follows new-api guidance with a 5 s base: 5 s for 30 s, 10 s up to 2 min, 30 s after', () => {
    assert.strictEqual(stageIntervalMs(0, 5000), 5000);
    assert.strictEqual(stageIntervalMs(29_999, 5000), 5000);
    assert.strictEqual(stageIntervalMs(30_000, 5000), 10_000);
    assert.strictEqual(stageIntervalMs(119_999, 5000), 10_000);
    assert.strictEqual(stageIntervalMs(120_000, 5000), 30_000);
    assert.strictEqual(stageIntervalMs(3600_000, 5000), 30_000);
  });

  it('first poll 2-3 s after a create at the default base, never under 0.5 s nor over 3 s', () => {
    assert.strictEqual(firstPollDelayMs(5000), 2500);
    assert.strictEqual(firstPollDelayMs(100), 500);
    assert.strictEqual(firstPollDelayMs(60_000), 3000);
  });

  it('with an expected run time, the first poll comes an eighth of the way to the window the job may end in', () => {
    assert.strictEqual(firstPollDelayMs(5000, { runMs: 90_000, spreadMs: 13_500, rough: true }), 9563, 'a 90 s job: not at 2.5 s');
    assert.strictEqual(firstPollDelayMs(5000, { runMs: 12_000, spreadMs: 1_200 }), 2500, 'a short job: the usual first poll');
  });

  it('keeps the first sample (the lowest) and the first sighting of the latest value', () => {
    let s = withSample({}, 1000, 10);
    assert.deepStrictEqual(s, { firstSample: { at: 1000, progress: 10 }, lastSample: { at: 1000, progress: 10 } });
    s = withSample(s, 2000, 30);
    s = withSample(s, 3000, 30);
    assert.deepStrictEqual(
      s,
      { firstSample: { at: 1000, progress: 10 }, lastSample: { at: 2000, progress: 30 } },
      'a repeated value keeps its first sighting',
    );
    s = withSample(s, 4000, 5);
    assert.deepStrictEqual(
      s,
      { firstSample: { at: 4000, progress: 5 }, lastSample: { at: 4000, progress: 5 } },
      'progress went back: start over',
    );
  });

  it('predicts the end from the progress rate, with the spread the whole-percent rounding allows', () => {
    const t = { baseMs: 5000, createdAt: 0, now: 100_000 };
    assert.strictEqual(estimateEnd(t), undefined);
    assert.strictEqual(
      estimateEnd({ ...t, firstSample: { at: 80_000, progress: 10 }, lastSample: { at: 100_000, progress: 10 } }),
      undefined,
    );
    // 4% -> 14% in 20 s: 0.5%/s, 85% left to 99% = 170 s. Spread: (half a percent + 85% × 1/10) at 0.5%/s = 18 s.
    const samples = { firstSample: { at: 80_000, progress: 4 }, lastSample: { at: 100_000, progress: 14 } };
    assert.deepStrictEqual(estimateEnd({ ...t, ...samples }), { remainingMs: 170_000, spreadMs: 18_000 });
    assert.deepStrictEqual(estimateEnd({ ...t, ...samples, now: 110_000 }), { remainingMs: 160_000, spreadMs: 18_000 });
  });

  it('while queued, waits three times the age: 2.5 s, 10 s, 40 s, then every 30 s', () => {
    const q = { baseMs: 5000, createdAt: 0, status: 'queued' as const };
    assert.strictEqual(nextPollDelayMs({ ...q, now: 2500 }), 7500);
    assert.strictEqual(nextPollDelayMs({ ...q, now: 10_000 }), 30_000);
    assert.strictEqual(nextPollDelayMs({ ...q, now: 40_000 }), 30_000);
    assert.strictEqual(nextPollDelayMs({ ...q, now: 500 }), 2500, 'never sooner than the first poll');
  });

  it('with one sample, asks again after half the age, or sooner when the job could end before', () => {
    const r = { baseMs: 5000, createdAt: 0, now: 40_000, status: 'running' as const };
    const one = (progress: number) => ({ firstSample: { at: 40_000, progress }, lastSample: { at: 40_000, progress } });
    assert.strictEqual(nextPollDelayMs({ ...r, ...one(10) }), 20_000);
    // 60% in 40 s: even at that slowest rate 99% is 26 s away; ask at half of it.
    assert.strictEqual(nextPollDelayMs({ ...r, ...one(60) }), 13_000);
    // 10% -> 11%: a rate that says nothing yet is treated as none.
    assert.strictEqual(
      nextPollDelayMs({ ...r, firstSample: { at: 20_000, progress: 10 }, lastSample: { at: 40_000, progress: 11 } }),
      20_000,
    );
  });

  it('refines a far prediction at its earliest plausible end, then polls just after the end', () => {
    const r = { baseMs: 5000, createdAt: 0, status: 'running' as const };
    // 10% -> 20% in 10 s: 79 s to go, give or take 8.4 s.
    assert.strictEqual(
      nextPollDelayMs({ ...r, now: 100_000, firstSample: { at: 90_000, progress: 10 }, lastSample: { at: 100_000, progress: 20 } }),
      70_600,
    );
    // Never longer than the task's age, nor 2 minutes.
    assert.strictEqual(
      nextPollDelayMs({ ...r, now: 20_000, firstSample: { at: 10_000, progress: 10 }, lastSample: { at: 20_000, progress: 20 } }),
      20_000,
    );
    assert.strictEqual(
      nextPollDelayMs({ ...r, now: 300_000, firstSample: { at: 100_000, progress: 1 }, lastSample: { at: 300_000, progress: 11 } }),
      120_000,
    );
    // 1% -> 81% in 20 s: 4.5 s to go, give or take 0.2 s: 0.2 s after it.
    assert.strictEqual(
      nextPollDelayMs({ ...r, now: 20_000, firstSample: { at: 0, progress: 1 }, lastSample: { at: 20_000, progress: 81 } }),
      4700,
    );
  });

  it('follows up an overdue job after 1 s, then less often the longer it runs over', () => {
    const r = {
      baseMs: 5000,
      createdAt: 0,
      status: 'running' as const,
      firstSample: { at: 0, progress: 0 },
      lastSample: { at: 10_000, progress: 90 },
    };
    // 9%/s: 99% was due at 11 s.
    assert.strictEqual(nextPollDelayMs({ ...r, now: 12_000 }), 1000);
    assert.strictEqual(nextPollDelayMs({ ...r, now: 17_000 }), 3000);
    assert.strictEqual(nextPollDelayMs({ ...r, now: 25_000 }), 5000, 'at most the stage interval');
    assert.strictEqual(nextPollDelayMs({ ...r, now: 61_000 }), 10_000);
    assert.strictEqual(
      nextPollDelayMs({ ...r, now: 30_000, firstSample: { at: 30_000, progress: 99 }, lastSample: { at: 30_000, progress: 99 } }),
      1000,
      'at 99 % from the first sample',
    );
  });

  it('without progress, or with a status it does not know, keeps to the stage intervals', () => {
    const base = { baseMs: 5000, createdAt: 0, now: 60_000 };
    const samples = { firstSample: { at: 0, progress: 0 }, lastSample: { at: 50_000, progress: 90 } };
    assert.strictEqual(nextPollDelayMs({ ...base, status: 'running' }), 10_000);
    assert.strictEqual(nextPollDelayMs({ ...base, ...samples }), 10_000);
    assert.strictEqual(nextPollDelayMs({ ...base, now: 300_000 }), 30_000);
  });

  describe('following whole jobs (no network: each poll reads the job at that moment)', () => {
    type JobState = { status: 'queued' | 'running'; progress?: number } | { status: 'done'; endedAt: number };

    /** Polls one job the way the engine does; returns the polls made and how late the end was seen. */
    function follow(job: (ms: number) => JobState, baseMs = 5000): { polls: number; lateMs: number } {
      let now = firstPollDelayMs(baseMs);
      let samples: ProgressSamples = {};
      for (let polls = 1; polls < 1000; polls++) {
        const s = job(now);
        if (s.status === 'done') return { polls, lateMs: now - s.endedAt };
        if (s.status === 'running' && s.progress !== undefined) samples = withSample(samples, now, s.progress);
        now += nextPollDelayMs({ baseMs, now, createdAt: 0, status: s.status, ...samples });
      }
      throw new Error('never saw the end');
    }

    /** The emulator's curve: queued for the first 20 %, then 1-99 % in whole percents, held at 99 % for `holdMs`. */
    const emulatorJob =
      (durationMs: number, holdMs = 0) =>
      (ms: number): JobState => {
        if (ms >= durationMs + holdMs) return { status: 'done', endedAt: durationMs + holdMs };
        const queuedMs = 0.2 * durationMs;
        if (ms < queuedMs) return { status: 'queued', progress: 0 };
        return { status: 'running', progress: Math.min(99, Math.max(1, Math.round((99 * (ms - queuedMs)) / (durationMs - queuedMs)))) };
      };
    const curvedJob =
      (durationMs: number, curve: (fraction: number) => number) =>
      (ms: number): JobState =>
        ms >= durationMs
          ? { status: 'done', endedAt: durationMs }
          : { status: 'running', progress: Math.min(99, Math.max(1, Math.round(99 * curve(ms / durationMs)))) };

    it('sees jobs of 20 s to 6 min end within 1.5 s, with under a quarter of the polls of a 5 s poller', () => {
      let polls = 0;
      let naive = 0;
      for (const seconds of [18, 20, 22, 54, 60, 66, 162, 180, 198, 324, 360, 396]) {
        const r = follow(emulatorJob(seconds * 1000));
        assert.ok(r.lateMs >= 0 && r.lateMs <= 1500, `${seconds} s job seen ${r.lateMs} ms late`);
        polls += r.polls;
        naive += Math.ceil(seconds / 5);
      }
      assert.ok(polls <= 0.25 * naive, `${polls} polls against ${naive}`);
    });

    it('a job held at 99 % gets follow-ups that start tight and spread out', () => {
      const r = follow(emulatorJob(60_000, 60_000));
      assert.ok(r.lateMs <= 5000, `seen ${r.lateMs} ms late`);
      assert.ok(r.polls <= 20, `${r.polls} polls for a 2-minute job`);
    });

    it('progress that speeds up or slows down is still seen in time', () => {
      const faster = follow(curvedJob(120_000, (x) => x * x));
      assert.ok(faster.lateMs <= 12_000, `speeding up: seen ${faster.lateMs} ms late`);
      const slower = follow(curvedJob(120_000, Math.sqrt));
      assert.ok(slower.lateMs <= 1500, `slowing down: seen ${slower.lateMs} ms late`);
      assert.ok(slower.polls <= 15, `slowing down: ${slower.polls} polls`);
    });

    it('a provider without progress is polled on the stage intervals', () => {
      const r = follow((ms) => (ms >= 180_000 ? { status: 'done', endedAt: 180_000 } : { status: 'running' }));
      // 2.5 s, then 5 s to 30 s, 10 s to 2 min, 30 s after: 7 + 9 + 2 polls, the last at 182.5 s.
      assert.deepStrictEqual(r, { polls: 18, lateMs: 2500 });
    });
  });

  it('backs off by doubling with ±15% jitter, up to about 5 minutes', () => {
    for (let i = 0; i < 50; i++) {
      const d1 = backoffDelayMs(1, 1000);
      const d3 = backoffDelayMs(3, 1000);
      const d20 = backoffDelayMs(20, 1000);
      assert.ok(d1 >= 850 && d1 <= 1150, String(d1));
      assert.ok(d3 >= 3400 && d3 <= 4600, String(d3));
      assert.ok(d20 >= 255_000 && d20 <= 345_000, String(d20));
    }
  });

  it('never waits less than Retry-After', () => {
    for (let i = 0; i < 50; i++) {
      assert.ok(backoffDelayMs(1, 200, 7000) >= 7000);
      assert.ok(backoffDelayMs(6, 1000, 500) >= 500);
    }
    assert.strictEqual(backoffDelayMs(1, 100, 3600_000), 3600_000);
  });

  it('formats delays for messages', () => {
    assert.strictEqual(formatDelay(800), '800 ms');
    assert.strictEqual(formatDelay(7000), '7 s');
    assert.strictEqual(formatDelay(90_000), '90 s');
    assert.strictEqual(formatDelay(3600_000), '60 min');
  });
});

describe('engine-side limits', () => {
  it('allows N creates per sliding minute per key, then says how long to wait', () => {
    const l = new CreateRateLimiter();
    for (let i = 0; i < 10; i++) {
      assert.deepStrictEqual(l.wait('hidream:txt2video', 10, 1000 + i * 100), { waitMs: 0 });
      l.record('hidream:txt2video', 1000 + i * 100);
    }
    assert.deepStrictEqual(l.wait('hidream:txt2video', 10, 5000), { waitMs: 56_000, reason: 'limit' });
    assert.deepStrictEqual(l.wait('hidream:video_edit', 2, 5000), { waitMs: 0 }, 'another module has its own window');
    assert.deepStrictEqual(l.wait('hidream:txt2video', 10, 61_000), { waitMs: 0 }, 'the oldest left the window');
    assert.deepStrictEqual(l.wait('pika:', undefined, 61_000), { waitMs: 0 }, 'no published limit');
  });

  it('only creates recorded as sent use up the budget', () => {
    const l = new CreateRateLimiter();
    assert.strictEqual(l.wait('k', 1, 0).waitMs, 0);
    for (let i = 1; i < 5; i++) assert.strictEqual(l.wait('k', 1, i * 1000).waitMs, 0, 'asking is not sending');
    l.record('k', 0);
    for (let i = 1; i < 5; i++) assert.strictEqual(l.wait('k', 1, i * 1000).waitMs, 60_000 - i * 1000);
    assert.strictEqual(l.wait('k', 1, 60_000).waitMs, 0);
  });

  it('holds creates back until a server Retry-After has passed', () => {
    const l = new CreateRateLimiter();
    l.blockUntil('pika:', 10_000);
    assert.deepStrictEqual(l.wait('pika:', undefined, 3000), { waitMs: 7000, reason: 'server' });
    assert.deepStrictEqual(l.wait('pika:', undefined, 10_000), { waitMs: 0 });
  });

  it('a semaphore runs at most N tasks at once, in order', async () => {
    const s = new Semaphore(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        s.run(async () => {
          running++;
          peak = Math.max(peak, running);
          order.push(i);
          await new Promise((r) => setTimeout(r, 5));
          running--;
        }),
      ),
    );
    assert.strictEqual(peak, 2);
    assert.deepStrictEqual(order, [0, 1, 2, 3, 4, 5]);
    await assert.rejects(
      s.run(async () => Promise.reject(new Error('boom'))),
      /boom/,
    );
    assert.strictEqual(await s.run(async () => 'still works'), 'still works');
  });
});
