// Find This Job's rules without a server: the window a lost create's job must have been made in, on the
// provider's clock as its Date header shows it, and that a job another task follows is never offered.
import * as assert from 'assert';

import { lostJobCandidates, lostJobWindow, skewRange, UNKNOWN_SKEW_MS, WINDOW_MARGIN_MS } from '../../../../src/core/engine/lostJob';
import type { ListedJob } from '../../../../src/core/provider/descriptor';

const SENT = Date.parse('2026-03-01T10:00:00.250Z');
const LOST = SENT + 30_000;
const task = { id: 'lost', provider: 'openai', createdAt: SENT, finishedAt: LOST, updatedAt: LOST };
const job = (remoteId: string, createdAt: number): ListedJob => ({ remoteId, createdAt, mode: 'text-to-video', model: 'sora-2' });
/** Asked a minute after the loss, answered 200 ms later. */
const ASKED = { from: LOST + 60_000, to: LOST + 60_200 };

describe('Find This Job: which listed job a lost create may have started', function () {
  it('the skew is a range: the Date header is whole seconds, sent at some moment while we asked', function () {
    const date = Math.floor((ASKED.from + 90_000) / 1000) * 1000;
    assert.deepStrictEqual(skewRange(ASKED, date), { min: date - ASKED.to, max: date + 1000 - ASKED.from });
    const { min, max } = skewRange(ASKED, date);
    assert.ok(min <= 90_000 && 90_000 <= max && max - min <= 1200, `${min}..${max}`);
    assert.deepStrictEqual(skewRange(ASKED, undefined), { min: -UNKNOWN_SKEW_MS, max: UNKNOWN_SKEW_MS }, 'no Date header: a wide slack');
  });

  it('the window runs from the send (a queued create: its claim) to the loss, moved by the skew, with a small margin', function () {
    const skew = { min: 89_800, max: 90_900 };
    assert.deepStrictEqual(lostJobWindow(task, skew), { from: SENT + 89_800 - WINDOW_MARGIN_MS, to: LOST + 90_900 + WINDOW_MARGIN_MS });
    const queued = { ...task, createdAt: SENT - 3_600_000, sentAt: SENT };
    assert.strictEqual(
      lostJobWindow(queued, skew).from,
      SENT + 89_800 - WINDOW_MARGIN_MS,
      'a queued create: from its claim, not its queueing',
    );
    const unfinished = { ...task, finishedAt: undefined };
    assert.strictEqual(lostJobWindow(unfinished, skew).to, LOST + 90_900 + WINDOW_MARGIN_MS, 'no finish time: the last update');
  });

  it('a server 90 s ahead: its own job is found, a retry made 20 s after the loss is not, nor one made before the send', function () {
    const date = Math.floor((ASKED.from + 90_000) / 1000) * 1000;
    const second = (ms: number) => Math.floor(ms / 1000) * 1000;
    const listed = {
      serverDate: date,
      jobs: [
        job('video_retry', second(LOST + 20_000 + 90_000)),
        job('video_own', second(SENT + 400 + 90_000)),
        job('video_before', second(SENT - 10_000 + 90_000)),
      ],
    };
    const found = lostJobCandidates(task, listed, ASKED, []);
    assert.deepStrictEqual(
      found.map((c) => c.shown.remoteId),
      ['video_own'],
    );
    assert.ok(Math.abs(found[0].shown.createdAt - (SENT + 400)) < 2000, "shown on this machine's clock (to the Date header's second)");
    const blind = lostJobCandidates(task, { jobs: listed.jobs }, ASKED, []);
    assert.deepStrictEqual(
      blind.map((c) => c.shown.remoteId),
      ['video_retry', 'video_own', 'video_before'],
      'without a Date header the window is two minutes wider on each side: all three fit, and the user is asked',
    );
  });

  it('a job made in the same second as the window opens still fits (whole-second times)', function () {
    const edge = Math.floor((SENT - WINDOW_MARGIN_MS) / 1000) * 1000;
    const listed = { serverDate: Math.floor(ASKED.from / 1000) * 1000, jobs: [job('video_edge', edge)] };
    assert.deepStrictEqual(
      lostJobCandidates(task, listed, ASKED, []).map((c) => c.shown.remoteId),
      ['video_edge'],
    );
  });

  it("never a job any other task of the provider follows; newest first; another provider's id is no conflict", function () {
    const jobs = [job('video_1', SENT + 1000), job('video_2', SENT + 2000), job('video_3', SENT + 3000)];
    const listed = { serverDate: Math.floor(ASKED.from / 1000) * 1000, jobs };
    const tasks = [
      task,
      { id: 'other', provider: 'openai', remoteId: 'video_2' },
      { id: 'elsewhere', provider: 'gateway', remoteId: 'video_3' },
      { id: 'lost-too', provider: 'openai', remoteId: '' },
    ].map((t) => ({ remoteId: '', ...t }));
    assert.deepStrictEqual(
      lostJobCandidates(task, listed, ASKED, tasks).map((c) => c.shown.remoteId),
      ['video_3', 'video_1'],
    );
  });
});
