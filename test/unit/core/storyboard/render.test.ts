import * as assert from 'assert';

import { formatLock, parseLock } from '../../../../src/core/storyboard/lockfile';
import { parseStoryboard } from '../../../../src/core/storyboard/parse';
import { dependencyOrder, planStoryboard } from '../../../../src/core/storyboard/plan';
import { renderStoryboard, StoryboardError } from '../../../../src/core/storyboard/render';
import type { Lockfile } from '../../../../src/core/storyboard/types';
import { catalog, MemoryHost } from '../../../support/storyboardHost';

const md = (...lines: string[]) => lines.join('\n');
const shot = (id: string, prompt: string, ...lines: string[]) => ['```video', 'provider: pika', `id: ${id}`, ...lines, prompt, '```', ''];
/** a → b → c, and d on its own. */
const chain = (a = 'a fox', b = 'the fox runs') =>
  md(...shot('a', a), ...shot('b', b, 'after: a'), ...shot('c', 'the fox sleeps', 'after: b'), ...shot('d', 'a river'));
const render = (text: string, host: MemoryHost, options = {}) => renderStoryboard({ text, catalog }, host, options);
const states = (r: { shots: { id: string; state: string }[] }) => r.shots.map((s) => `${s.id}:${s.state}`).join(' ');
const lockOf = (host: MemoryHost) => parseLock(host.lockText!) as Lockfile;

describe('storyboard: plan and render', () => {
  it('orders shots after the shot they continue, file order otherwise', () => {
    const board = parseStoryboard(
      md(...shot('c', 'x', 'after: b'), ...shot('a', 'y'), ...shot('b', 'z', 'after: a'), ...shot('d', 'w')),
      catalog,
    );
    assert.deepStrictEqual(
      dependencyOrder(board.shots).map((s) => s.id),
      ['a', 'b', 'd', 'c'],
    );
  });

  it('renders every shot of a new storyboard, continues from the upstream frame, writes the film and the lockfile', async () => {
    const host = new MemoryHost();
    const result = await render(chain(), host);
    assert.strictEqual(states(result), 'a:rendered b:rendered c:rendered d:rendered');
    assert.deepStrictEqual(result.quote, { amount: 2, currency: 'USD', estimate: false });
    assert.strictEqual(result.output, '/project/videos/board.mp4');
    assert.strictEqual(host.creates.length, 4);
    const b = host.creates.find((c) => c.shot === 'b')!;
    assert.match(b.request.image!, /^\/frames\//);
    assert.strictEqual(host.creates.find((c) => c.shot === 'a')!.request.image, undefined);
    // The film joins the shots in file order.
    assert.deepStrictEqual(
      host.files
        .get('videos/board.mp4')!
        .split('|')
        .map((s) => s.split(' from ')[0]),
      ['video of a fox', 'video of the fox runs', 'video of the fox sleeps', 'video of a river'],
    );
    const lock = lockOf(host);
    assert.deepStrictEqual(Object.keys(lock.shots), ['a', 'b', 'c', 'd']);
    assert.strictEqual(lock.shots.b.output, 'videos/board/b.mp4');
    assert.deepStrictEqual([lock.shots.b.jobId, lock.shots.b.model, lock.shots.b.seed], ['job-3', 'default', 3]);
    assert.ok(lock.shots.a.lastFrameSha256 && lock.shots.b.lastFrameSha256 && !lock.shots.d.lastFrameSha256);
    assert.strictEqual(lock.film?.output, 'videos/board.mp4');
  });

  it('sends nothing and rewrites nothing for an unchanged storyboard', async () => {
    const host = new MemoryHost();
    await render(chain(), host);
    const [writes, lockText, stitches] = [host.lockWrites, host.lockText, host.stitches];
    host.creates.length = 0;
    const again = await render(chain(), host);
    assert.strictEqual(states(again), 'a:cached b:cached c:cached d:cached');
    assert.deepStrictEqual(again.quote, { amount: 0, currency: 'USD', estimate: false });
    assert.strictEqual(again.output, '/project/videos/board.mp4');
    assert.deepStrictEqual([host.creates.length, host.lockWrites, host.lockText, host.stitches], [0, writes, lockText, stitches]);
  });

  it('renders a changed shot and the shots downstream of it (stale), nothing else', async () => {
    const host = new MemoryHost();
    await render(chain(), host);
    host.creates.length = 0;
    const plan = await planStoryboard(parseStoryboard(chain('a fox', 'the fox jumps'), catalog).shots, await host.readLock(), host, (id) =>
      catalog.providers.find((p) => p.id === id),
    );
    assert.deepStrictEqual(
      plan.shots.map((p) => `${p.shot.id}:${p.upToDate ? 'ok' : p.reason}`),
      ['a:ok', 'b:changed', 'c:upstream', 'd:ok'],
    );
    const r = await render(chain('a fox', 'the fox jumps'), host);
    assert.strictEqual(states(r), 'a:cached b:rendered c:rendered d:cached');
    assert.deepStrictEqual(
      host.creates.map((c) => c.shot),
      ['b', 'c'],
    );
    assert.strictEqual(r.quote.amount, 1, 'the quote names b and c');
  });

  it('a shot after one rendered in this run is rendered too, even when the new take ends on the same frame', async () => {
    const host = new MemoryHost();
    host.clip = 'the one sample clip';
    await render(chain(), host);
    host.creates.length = 0;
    const r = await render(chain('a red fox'), host);
    assert.strictEqual(states(r), 'a:rendered b:rendered c:rendered d:cached');
  });

  it('re-renders a shot whose output was changed or removed, and its downstream', async () => {
    const host = new MemoryHost();
    await render(chain(), host);
    host.creates.length = 0;
    host.files.set('videos/board/d.mp4', 'edited by hand');
    host.files.delete('videos/board/b.mp4');
    const r = await render(chain(), host);
    assert.strictEqual(states(r), 'a:cached b:rendered c:rendered d:rendered');
  });

  it('finds a shot up to date once its upstream frame is known, when the upstream take is the same', async () => {
    const host = new MemoryHost();
    await render(chain(), host);
    const lock = lockOf(host);
    delete lock.shots.a.lastFrameSha256;
    host.lockText = formatLock(lock);
    host.creates.length = 0;
    const r = await render(chain(), host);
    assert.strictEqual(states(r), 'a:cached b:cached c:cached d:cached');
    assert.strictEqual(host.creates.length, 0);
    assert.ok(lockOf(host).shots.a.lastFrameSha256, 'the frame hash is recorded again');
  });

  it('renders independent shots concurrently, within the limit', async () => {
    const text = md(...['a', 'b', 'c', 'd', 'e', 'f'].flatMap((id) => shot(id, `shot ${id}`)));
    const host = new MemoryHost();
    await render(text, host, { concurrency: 3 });
    assert.strictEqual(host.maxRunning, 3);
    const serial = new MemoryHost();
    await render(chain(), serial, { concurrency: 8 });
    assert.strictEqual(serial.maxRunning, 2, 'a and d together; b waits for a, c for b');
  });

  it('a failed shot skips the shots after it and the film; the others are kept', async () => {
    const host = new MemoryHost();
    host.failing.add('b');
    const r = await render(chain(), host);
    assert.strictEqual(states(r), 'a:rendered b:failed c:skipped d:rendered');
    assert.strictEqual(r.shots[1].error, 'b failed');
    assert.strictEqual(r.output, undefined);
    assert.strictEqual(host.stitches, 0);
    assert.deepStrictEqual(Object.keys(lockOf(host).shots), ['a', 'd']);
  });

  it('cancelling stops shots not yet sent; sent ones finish and are kept', async () => {
    const host = new MemoryHost();
    const abort = new AbortController();
    host.onGenerate = (s) => s.id === 'a' && abort.abort();
    const r = await render(chain(), host, { signal: abort.signal, concurrency: 1 });
    assert.strictEqual(states(r), 'a:rendered b:skipped c:skipped d:skipped');
    assert.deepStrictEqual(Object.keys(lockOf(host).shots), ['a']);
    assert.strictEqual(r.output, undefined);
  });

  it('a dry run plans and quotes, and sends and writes nothing', async () => {
    const host = new MemoryHost();
    const dry = await render(chain(), host, { dryRun: true });
    assert.strictEqual(states(dry), 'a:planned b:planned c:planned d:planned');
    assert.deepStrictEqual([host.creates.length, host.lockWrites, host.files.size], [0, 0, 0]);
    await render(chain(), host);
    const after = await render(chain('a cat'), host, { dryRun: true });
    assert.strictEqual(states(after), 'a:planned b:planned c:planned d:cached');
    assert.strictEqual(after.output, undefined);
    const same = await render(chain(), host, { dryRun: true });
    assert.strictEqual(same.output, '/project/videos/board.mp4');
  });

  it('asks once before sending, and the budget can refuse the run before anything is sent', async () => {
    const host = new MemoryHost();
    const asked: number[] = [];
    const no = await render(chain(), host, { confirm: async (_p: unknown, q: { amount: number }) => (asked.push(q.amount), false) });
    assert.deepStrictEqual(asked, [2]);
    assert.strictEqual(states(no), 'a:skipped b:skipped c:skipped d:skipped');
    host.checkBudget = async (q) => (q.amount! > 1 ? 'The daily budget of $1.00 would be exceeded.' : undefined);
    await assert.rejects(render(chain(), host), (e: StoryboardError) => e.reason === 'budget' && /budget/.test(e.message));
    assert.strictEqual(host.creates.length, 0);
  });

  it('refuses a storyboard with problems, naming the line', async () => {
    await assert.rejects(
      render(md(...shot('a', 'x', 'after: nope')), new MemoryHost()),
      /^StoryboardError: Line 4: after: there is no shot/,
    );
    await assert.rejects(render('no shots here', new MemoryHost()), (e: StoryboardError) => e.reason === 'empty');
  });

  it('hashes the resolved request: a default written out is no change, a catalogue plays no part', async () => {
    const host = new MemoryHost();
    await render(md(...shot('a', 'a fox')), host);
    host.creates.length = 0;
    // Pika makes 1.5 when no model is named (its descriptor's defaultFor), though it offers 2.0 first.
    const r = await render(md(...shot('a', 'a fox', 'model: 1.5')), host);
    assert.strictEqual(states(r), 'a:cached');
    assert.strictEqual(host.creates.length, 0);
    const withCatalogue = { ...catalog, model: () => undefined };
    const again = await renderStoryboard({ text: md(...shot('a', 'a fox')), catalog: withCatalogue }, host);
    assert.strictEqual(states(again), 'a:cached');
    const other = await renderStoryboard({ text: md(...shot('a', 'a fox', 'model: 2.0')), catalog }, host);
    assert.strictEqual(states(other), 'a:rendered', 'another model is a change');
  });
});
