import * as assert from 'assert';

import { gateway } from '../../../src/providers/gateway';
import { hidream } from '../../../src/providers/hidream';
import { pika } from '../../../src/providers/pika';
import { httpUrl, num, obj, str } from '../../../src/shared/json';
import { combineStatuses, parseProgress } from '../../../src/shared/taskStatus';

describe('status normalization of each descriptor (docs/providers/README.md)', function () {
  it('Pika videos[].status', function () {
    assert.strictEqual(pika.normalizeStatus('queued', undefined), 'queued');
    assert.strictEqual(pika.normalizeStatus('pending', undefined), 'queued');
    assert.strictEqual(pika.normalizeStatus('pending', 0), 'queued');
    assert.strictEqual(pika.normalizeStatus('pending', 35), 'running');
    assert.strictEqual(pika.normalizeStatus('finished', 100), 'succeeded');
    assert.strictEqual(pika.normalizeStatus('error', undefined), 'failed');
    assert.strictEqual(pika.normalizeStatus('failed', undefined), 'failed');
    assert.strictEqual(pika.normalizeStatus('Finished', 100), 'succeeded', 'case-insensitive');
    assert.strictEqual(pika.normalizeStatus('mystery', 50), 'unknown');
    assert.strictEqual(pika.normalizeStatus(3, undefined), 'unknown');
    assert.strictEqual(pika.normalizeStatus(undefined, undefined), 'unknown');
  });

  it('gateway flat status', function () {
    assert.strictEqual(gateway.normalizeStatus('queued'), 'queued');
    assert.strictEqual(gateway.normalizeStatus('in_progress'), 'running');
    assert.strictEqual(gateway.normalizeStatus('processing'), 'running');
    assert.strictEqual(gateway.normalizeStatus('completed'), 'succeeded');
    assert.strictEqual(gateway.normalizeStatus('succeeded'), 'succeeded');
    assert.strictEqual(gateway.normalizeStatus('failed'), 'failed');
  });

  it('gateway envelope data.status', function () {
    for (const s of ['NOT_START', 'SUBMITTED', 'QUEUED']) assert.strictEqual(gateway.normalizeStatus(s), 'queued', s);
    assert.strictEqual(gateway.normalizeStatus('IN_PROGRESS'), 'running');
    assert.strictEqual(gateway.normalizeStatus('SUCCESS'), 'succeeded');
    assert.strictEqual(gateway.normalizeStatus('FAILURE'), 'failed');
    assert.strictEqual(gateway.normalizeStatus('UNKNOWN'), 'unknown');
    assert.strictEqual(gateway.normalizeStatus('mystery'), 'unknown');
    assert.strictEqual(gateway.normalizeStatus(null), 'unknown');
  });

  it('HiDream task_status', function () {
    assert.strictEqual(hidream.normalizeStatus(0), 'queued');
    assert.strictEqual(hidream.normalizeStatus(1), 'succeeded');
    assert.strictEqual(hidream.normalizeStatus(2), 'running');
    assert.strictEqual(hidream.normalizeStatus(3), 'failed');
    assert.strictEqual(hidream.normalizeStatus(4), 'failed');
    assert.strictEqual(hidream.normalizeStatus(7), 'unknown');
    assert.strictEqual(hidream.normalizeStatus(-1), 'unknown');
    assert.strictEqual(hidream.normalizeStatus(undefined), 'unknown');
  });
});

describe('parseProgress', function () {
  it('integers 0-100 (Pika, gateway flat)', function () {
    assert.strictEqual(parseProgress(0), 0);
    assert.strictEqual(parseProgress(42), 42);
    assert.strictEqual(parseProgress(100), 100);
    assert.strictEqual(parseProgress(42.6), 43);
  });

  it('percent strings (gateway envelope)', function () {
    assert.strictEqual(parseProgress('30%'), 30);
    assert.strictEqual(parseProgress(' 45 % '), 45);
    assert.strictEqual(parseProgress('100%'), 100);
    assert.strictEqual(parseProgress('12.5%'), 13);
    assert.strictEqual(parseProgress('0%'), 0);
    assert.strictEqual(parseProgress('60'), 60);
  });

  it('0-1 fractions (HiDream task_completion) when asked', function () {
    assert.strictEqual(parseProgress(0.3, true), 30);
    assert.strictEqual(parseProgress(0.42, true), 42);
    assert.strictEqual(parseProgress(1, true), 100);
    assert.strictEqual(parseProgress(0, true), 0);
    assert.strictEqual(parseProgress('0.75', true), 75);
  });

  it('clamps to 100 and rejects garbage', function () {
    assert.strictEqual(parseProgress(150), 100);
    assert.strictEqual(parseProgress(1.5, true), 100);
    assert.strictEqual(parseProgress(-5), undefined);
    assert.strictEqual(parseProgress('-5%'), undefined);
    assert.strictEqual(parseProgress('abc'), undefined);
    assert.strictEqual(parseProgress(''), undefined);
    assert.strictEqual(parseProgress(NaN), undefined);
    assert.strictEqual(parseProgress(Infinity), undefined);
    assert.strictEqual(parseProgress(null), undefined);
    assert.strictEqual(parseProgress({ value: 3 }), undefined);
  });
});

describe('combineStatuses', function () {
  it('nothing known is unknown', function () {
    assert.strictEqual(combineStatuses([]), 'unknown');
  });

  it('all final: succeeded when any succeeded, else failed', function () {
    assert.strictEqual(combineStatuses(['succeeded', 'succeeded']), 'succeeded');
    assert.strictEqual(combineStatuses(['succeeded', 'failed']), 'succeeded');
    assert.strictEqual(combineStatuses(['failed', 'failed']), 'failed');
  });

  it('some still working: running; all waiting: queued', function () {
    assert.strictEqual(combineStatuses(['queued', 'running']), 'running');
    assert.strictEqual(combineStatuses(['queued', 'succeeded']), 'running');
    assert.strictEqual(combineStatuses(['queued', 'queued']), 'queued');
  });

  it('an unknown sub-status with nothing running keeps the task unknown', function () {
    assert.strictEqual(combineStatuses(['queued', 'unknown']), 'unknown');
    assert.strictEqual(combineStatuses(['unknown']), 'unknown');
    assert.strictEqual(combineStatuses(['running', 'unknown']), 'running');
  });
});

describe('JSON field helpers', function () {
  it('str only accepts non-empty strings', function () {
    assert.strictEqual(str('a'), 'a');
    assert.strictEqual(str(''), undefined);
    assert.strictEqual(str(5), undefined);
  });

  it('num accepts finite numbers and numeric strings', function () {
    assert.strictEqual(num(3183047765), 3183047765);
    assert.strictEqual(num('5'), 5);
    assert.strictEqual(num(' '), undefined);
    assert.strictEqual(num('x'), undefined);
    assert.strictEqual(num(NaN), undefined);
    assert.strictEqual(num(null), undefined);
  });

  it('obj accepts plain objects only', function () {
    assert.deepStrictEqual(obj({ a: 1 }), { a: 1 });
    assert.strictEqual(obj([1]), undefined);
    assert.strictEqual(obj(null), undefined);
    assert.strictEqual(obj('x'), undefined);
  });

  it('httpUrl keeps http(s) URLs and drops everything else', function () {
    assert.strictEqual(httpUrl('https://cdn.pika.art/v1/a.mp4'), 'https://cdn.pika.art/v1/a.mp4');
    assert.strictEqual(httpUrl('http://127.0.0.1:9/files/x.mp4'), 'http://127.0.0.1:9/files/x.mp4');
    assert.strictEqual(httpUrl('javascript:alert(1)'), undefined);
    assert.strictEqual(httpUrl('file:///etc/passwd'), undefined);
    assert.strictEqual(httpUrl('not a url'), undefined);
    assert.strictEqual(httpUrl(''), undefined);
    assert.strictEqual(httpUrl(42), undefined);
  });
});
