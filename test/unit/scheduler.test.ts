import * as assert from 'assert';
import { formatDelay } from '../../src/core/transitions';
import { CreateRateLimiter, Semaphore } from '../../src/core/limiter';
import { backoffDelayMs, estimateRemainingMs, firstPollDelayMs, nextPollDelayMs, stageIntervalMs } from '../../src/core/scheduler';

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

  it('estimates the remaining time from the progress rate', () => {
    const t = { baseMs: 5000, now: 20_000, createdAt: 0 };
    assert.strictEqual(estimateRemainingMs(t), undefined);
    assert.strictEqual(estimateRemainingMs({ ...t, firstSample: { at: 0, progress: 10 }, lastSample: { at: 0, progress: 10 } }), undefined);
    // 10% -> 50% in 10 s: 4%/s, 49% left to 99% = 12.25 s after the last sample, 2.5 s of which have passed.
    assert.strictEqual(estimateRemainingMs({ ...t, now: 12_500, firstSample: { at: 0, progress: 10 }, lastSample: { at: 10_000, progress: 50 } }), 9750);
  });

  it('aims the next poll just past the expected end, within the stage interval and a floor', () => {
    const base = { baseMs: 5000, createdAt: 0 };
    // 99% due in 0.8 s: poll at about 1 s rather than 2 s.
    assert.strictEqual(nextPollDelayMs({ baseMs: 2000, createdAt: 0, now: 19_000, firstSample: { at: 0, progress: 0 }, lastSample: { at: 19_000, progress: 95 } }), 1000);
    // At 99% already: the floor (a quarter of the base), not the stage interval.
    assert.strictEqual(nextPollDelayMs({ baseMs: 2000, createdAt: 0, now: 19_000, firstSample: { at: 0, progress: 0 }, lastSample: { at: 19_000, progress: 99 } }), 500);
    // Far away: the stage interval.
    assert.strictEqual(nextPollDelayMs({ ...base, now: 10_000, firstSample: { at: 0, progress: 1 }, lastSample: { at: 10_000, progress: 2 } }), 5000);
    // Overdue estimate: never less than a quarter of the base.
    assert.strictEqual(nextPollDelayMs({ ...base, now: 30_000, firstSample: { at: 0, progress: 0 }, lastSample: { at: 10_000, progress: 90 } }), 1250);
    // No progress information: the stage interval.
    assert.strictEqual(nextPollDelayMs({ ...base, now: 60_000 }), 10_000);
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
    await assert.rejects(s.run(async () => Promise.reject(new Error('boom'))), /boom/);
    assert.strictEqual(await s.run(async () => 'still works'), 'still works');
  });
});
