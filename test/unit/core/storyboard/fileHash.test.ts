import * as assert from 'assert';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { Sha256Cache, sha256File } from '../../../../src/core/storyboard/fileHash';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('storyboard: file hashes', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aivideo-hash-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('hashes a file, and has no hash for a missing file or a folder', async () => {
    const file = path.join(dir, 'a.mp4');
    fs.writeFileSync(file, 'one');
    assert.strictEqual(await sha256File(file), sha('one'));
    assert.strictEqual(await sha256File(path.join(dir, 'none.mp4')), undefined);
    assert.strictEqual(await sha256File(dir), undefined);
  });

  it('the cache reads a file again once its size, time or inode changed, and forgets a removed one', async () => {
    const cache = new Sha256Cache();
    const file = path.join(dir, 'a.mp4');
    fs.writeFileSync(file, 'one');
    assert.strictEqual(await cache.sha256(file), sha('one'));
    fs.writeFileSync(file, 'two');
    fs.utimesSync(file, new Date(2001, 1, 1), new Date(2001, 1, 1));
    assert.strictEqual(await cache.sha256(file), sha('two'));
    fs.rmSync(file);
    assert.strictEqual(await cache.sha256(file), undefined);
    fs.writeFileSync(file, 'two');
    fs.utimesSync(file, new Date(2001, 1, 1), new Date(2001, 1, 1));
    assert.strictEqual(await cache.sha256(file), sha('two'));
  });
});
