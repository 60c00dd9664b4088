import * as assert from 'assert';

import { formatLock, parseLock } from '../../../../src/core/storyboard/lockfile';
import type { Lockfile } from '../../../../src/core/storyboard/types';

const H = (c: string) => c.repeat(64);

const lock: Lockfile = {
  version: 1,
  film: { sha256: H('f'), output: 'videos/board.mp4' },
  shots: {
    b: {
      sha256: H('2'),
      output: 'videos/board/b.mp4',
      model: '2.0',
      provider: 'pika',
      hash: H('b'),
      seed: 7,
      cost: { currency: 'USD', amount: 0.5 },
    },
    a: {
      output: 'videos/board/a.mp4',
      hash: H('a'),
      provider: 'pika',
      model: '2.0',
      sha256: H('1'),
      jobId: 'job-1',
      lastFrameSha256: H('c'),
    },
  },
};

describe('storyboard: lockfile', () => {
  it('writes sorted keys with stable formatting, whatever order the object was built in', () => {
    const text = formatLock(lock);
    assert.strictEqual(
      text,
      [
        '{',
        '  "film": {',
        '    "output": "videos/board.mp4",',
        `    "sha256": "${H('f')}"`,
        '  },',
        '  "shots": {',
        '    "a": {',
        `      "hash": "${H('a')}",`,
        '      "jobId": "job-1",',
        `      "lastFrameSha256": "${H('c')}",`,
        '      "model": "2.0",',
        '      "output": "videos/board/a.mp4",',
        '      "provider": "pika",',
        `      "sha256": "${H('1')}"`,
        '    },',
        '    "b": {',
        '      "cost": {',
        '        "amount": 0.5,',
        '        "currency": "USD"',
        '      },',
        `      "hash": "${H('b')}",`,
        '      "model": "2.0",',
        '      "output": "videos/board/b.mp4",',
        '      "provider": "pika",',
        '      "seed": 7,',
        `      "sha256": "${H('2')}"`,
        '    }',
        '  },',
        '  "version": 1',
        '}',
        '',
      ].join('\n'),
    );
    const shuffled: Lockfile = JSON.parse(JSON.stringify({ shots: { a: lock.shots.a, b: lock.shots.b }, version: 1, film: lock.film }));
    assert.strictEqual(formatLock(shuffled), text);
  });

  it('round-trips: parse(format(lock)) is the lock, and formats to the same text', () => {
    const parsed = parseLock(formatLock(lock));
    assert.deepStrictEqual(parsed, lock);
    assert.strictEqual(formatLock(parsed as Lockfile), formatLock(lock));
  });

  it('refuses a damaged or hostile lockfile with a message', () => {
    const bad = (patch: (l: Record<string, unknown>) => void) => {
      const l = JSON.parse(formatLock(lock));
      patch(l);
      return parseLock(JSON.stringify(l));
    };
    assert.deepStrictEqual(parseLock('{'), { error: 'The storyboard lockfile is not valid JSON.' });
    assert.ok('error' in bad((l) => (l.version = 2)));
    assert.ok('error' in bad((l) => ((l.shots as Record<string, { output: string }>).a.output = '../../etc/passwd')));
    assert.ok('error' in bad((l) => ((l.shots as Record<string, { output: string }>).a.output = '/abs/a.mp4')));
    assert.ok('error' in bad((l) => ((l.shots as Record<string, { sha256: string }>).a.sha256 = 'nope')));
    assert.ok('error' in bad((l) => ((l.shots as Record<string, unknown>)['../x'] = lock.shots.a)));
    assert.ok('error' in bad((l) => ((l.film as { output: string }).output = 'C:/film.mp4')));
  });
});
