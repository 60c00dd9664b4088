// The model catalogue: what the provider publishes is fetched on first use only (never at
// construction), cached per provider and base URL with a fake clock deciding its age, refreshed in
// the background after a day, kept when a refresh fails; the bundled snapshot stands in when nothing
// live can be had; own entries come last; "not found" marks persist; lookups read memory only.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

import { ModelCatalog, type CatalogProvider } from '../../../../src/core/provider/catalog';
import type { CatalogModel } from '../../../../src/core/provider/catalogTypes';
import { PROVIDERS } from '../../../../src/providers';
import { tempDir } from '../../../support/engineHarness';

const BASE = 'https://videos.example.test/api/v1';
const DAY = 24 * 60 * 60_000;

const model = (id: string, extra: Partial<CatalogModel> = {}): CatalogModel => ({
  id,
  label: id,
  modes: ['text-to-video'],
  capabilities: { durations: [4, 6, 8] },
  ...extra,
});

/** A published() that counts its calls and answers as told: models, a failure, or never. */
class FakeSource {
  calls = 0;
  mode: 'ok' | 'fail' | 'hang' = 'ok';
  models: unknown[] = [model('live/a'), model('live/b')];
  private releases: (() => void)[] = [];

  published = (): Promise<CatalogModel[]> => {
    this.calls++;
    if (this.mode === 'fail') return Promise.reject(new Error('HTTP 503'));
    if (this.mode === 'hang') {
      return new Promise<CatalogModel[]>((resolve) => this.releases.push(() => resolve(this.models as CatalogModel[])));
    }
    return Promise.resolve(this.models as CatalogModel[]);
  };

  release(): void {
    for (const r of this.releases.splice(0)) r();
  }
}

describe('ModelCatalog', function () {
  let dir: string;
  let clock: number;
  let source: FakeSource;
  let catalogs: ModelCatalog[];

  const provider = (extra: Partial<CatalogProvider['catalog']> = {}): CatalogProvider => ({
    id: 'router',
    label: 'Router',
    catalog: {
      published: source.published,
      bundled: { asOf: '2026-11-01', models: [model('bundled/x')] },
      own: [model('own/y')],
      ...extra,
    },
  });
  const make = (p: CatalogProvider = provider(), opts: { waitMs?: number; fetchTimeoutMs?: number } = {}) => {
    const c = new ModelCatalog({ providers: { router: p }, cacheDir: dir, now: () => clock, ...opts });
    catalogs.push(c);
    return c;
  };
  const ids = (snap: { models: readonly CatalogModel[] } | undefined) => snap?.models.map((m) => m.id);
  /** Lets background work (a refresh and its write) finish. */
  const settle = () => new Promise((r) => setTimeout(r, 30));

  beforeEach(function () {
    dir = tempDir('aivideo-catalog-');
    clock = Date.UTC(2026, 11, 1);
    source = new FakeSource();
    catalogs = [];
  });
  afterEach(function () {
    for (const c of catalogs) c.dispose();
    source.release();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('fetches nothing until a provider is first used, and only that provider', async function () {
    const other = new FakeSource();
    const c = new ModelCatalog({
      providers: { router: provider(), other: { id: 'other', label: 'Other', catalog: { published: other.published } } },
      cacheDir: dir,
      now: () => clock,
    });
    catalogs.push(c);
    assert.strictEqual(source.calls, 0);
    assert.deepStrictEqual(ids(c.peek('router', BASE)), ['bundled/x', 'own/y'], 'peek tells what is known now: the bundled snapshot');
    assert.strictEqual(source.calls, 0, 'peek never fetches');
    assert.deepStrictEqual(fs.readdirSync(dir), [], 'nothing written');
    await c.models('router', BASE);
    assert.deepStrictEqual([source.calls, other.calls], [1, 0]);
  });

  it('with no cached copy, the first use waits for the fetch; then the published models come first, own entries after', async function () {
    const c = make();
    const snap = await c.models('router', BASE);
    assert.deepStrictEqual(ids(snap), ['live/a', 'live/b', 'own/y']);
    assert.strictEqual(snap.source, 'provider');
    assert.strictEqual(snap.fetchedAt, clock);
    assert.strictEqual(c.model('router', BASE, 'live/b')?.capabilities.durations?.join(), '4,6,8');
    assert.strictEqual(c.model('router', BASE, 'bundled/x'), undefined, 'the bundled snapshot is not used beside a live one');
  });

  it('concurrent first uses share one fetch', async function () {
    source.mode = 'hang';
    const c = make();
    const all = Promise.all([c.models('router', BASE), c.models('router', BASE), c.models('router', BASE)]);
    await settle();
    source.release();
    const snaps = await all;
    assert.strictEqual(source.calls, 1);
    for (const s of snaps) assert.deepStrictEqual(ids(s), ['live/a', 'live/b', 'own/y']);
  });

  it('a cached copy younger than a day is used without fetching; an older one is used at once and refreshed in the background', async function () {
    await make().models('router', BASE);
    assert.strictEqual(source.calls, 1);

    // A new window (a new catalogue) reads the cache file.
    clock += DAY - 1;
    source.models = [model('live/new')];
    const fresh = make();
    assert.deepStrictEqual(ids(await fresh.models('router', BASE)), ['live/a', 'live/b', 'own/y']);
    assert.strictEqual(source.calls, 1, 'younger than a day: no fetch');

    clock += 2;
    source.mode = 'hang';
    const stale = make();
    assert.deepStrictEqual(
      ids(await stale.models('router', BASE)),
      ['live/a', 'live/b', 'own/y'],
      'the old copy, without waiting for the hanging refresh',
    );
    assert.strictEqual(source.calls, 2, 'refreshed in the background');
    source.release();
    await settle();
    assert.deepStrictEqual(ids(stale.peek('router', BASE)), ['live/new', 'own/y'], 'the refresh replaced it');
    assert.deepStrictEqual(ids(await make().models('router', BASE)), ['live/new', 'own/y'], 'and was written to the cache');
  });

  it('a failed refresh keeps the old copy', async function () {
    await make().models('router', BASE);
    clock += 2 * DAY;
    source.mode = 'fail';
    const c = make();
    assert.deepStrictEqual(ids(await c.models('router', BASE)), ['live/a', 'live/b', 'own/y']);
    await settle();
    assert.strictEqual(source.calls, 2);
    assert.deepStrictEqual(ids(c.peek('router', BASE)), ['live/a', 'live/b', 'own/y']);
    assert.deepStrictEqual(ids(await make().models('router', BASE)), ['live/a', 'live/b', 'own/y'], 'the cache file still holds it');
  });

  it('when the live catalogue cannot be had (failure, hang, nothing that reads), the bundled snapshot stands in', async function () {
    source.mode = 'fail';
    const failed = await make().models('router', BASE);
    assert.deepStrictEqual([ids(failed), failed.source, failed.asOf], [['bundled/x', 'own/y'], 'bundled', '2026-11-01']);

    source.mode = 'hang';
    const hung = await make(provider(), { waitMs: 20 }).models('router', 'https://other.example.test/v1');
    assert.deepStrictEqual([ids(hung), hung.source], [['bundled/x', 'own/y'], 'bundled'], 'waited at most waitMs');

    source.mode = 'ok';
    source.models = [{ id: 'bad id with spaces', modes: ['text-to-video'] }, { id: 'no-modes', modes: [] }, 'junk'];
    const junk = await make().models('router', 'https://third.example.test/v1');
    assert.deepStrictEqual(ids(junk), ['bundled/x', 'own/y']);
  });

  it('after a failed first fetch, later uses do not wait again; a retry waits for the retry interval', async function () {
    source.mode = 'fail';
    const c = make();
    await c.models('router', BASE);
    await c.models('router', BASE);
    assert.strictEqual(source.calls, 1, 'no second try within the retry interval');
    source.mode = 'ok';
    clock += 61_000;
    assert.deepStrictEqual(ids(await c.models('router', BASE)), ['bundled/x', 'own/y'], 'the retry runs in the background');
    await settle();
    assert.strictEqual(source.calls, 2);
    assert.deepStrictEqual(ids(c.peek('router', BASE)), ['live/a', 'live/b', 'own/y']);
  });

  it('caches per base URL: another base URL is fetched on its own', async function () {
    const c = make();
    await c.models('router', BASE);
    await c.models('router', 'https://mirror.example.test/v1');
    assert.strictEqual(source.calls, 2);
    assert.strictEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.json')).length, 2);
  });

  it('validates everything read back from the cache: a tampered or foreign file is ignored', async function () {
    await make().models('router', BASE);
    const [file] = fs.readdirSync(dir);
    const json = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(path.join(dir, file), JSON.stringify({ ...json, baseUrl: 'https://evil.example.test/v1' }));
    source.models = [model('live/refetched')];
    assert.deepStrictEqual(
      ids(await make().models('router', BASE)),
      ['live/refetched', 'own/y'],
      'a file for another base URL is not used',
    );
    fs.writeFileSync(path.join(dir, file), '{ not json');
    assert.deepStrictEqual(ids(await make().models('router', BASE)), ['live/refetched', 'own/y']);
    assert.strictEqual(source.calls, 3);
    const models = [{ ...model('ok/one'), capabilities: { durations: [8, 'x', -1, 4], audio: 'yes', frames: { first: true } } }];
    fs.writeFileSync(path.join(dir, file), JSON.stringify({ ...json, fetchedAt: clock, models }));
    const c = make();
    await c.models('router', BASE);
    assert.deepStrictEqual(c.model('router', BASE, 'ok/one')?.capabilities, { durations: [4, 8] }, 'only the well-formed values');
  });

  it('providers that publish nothing: their own entries, and nothing is fetched', async function () {
    const c = new ModelCatalog({ providers: PROVIDERS, cacheDir: dir, now: () => clock });
    catalogs.push(c);
    const pika = await c.models('pika', 'https://pika.example.test');
    assert.deepStrictEqual([ids(pika), pika.source], [['2.0', '1.5'], 'descriptor']);
    assert.deepStrictEqual(ids(await c.models('hidream', 'https://hidream.example.test')), ['txt2video', 'img2video', 'video_edit']);
    assert.ok(ids(await c.models('gateway', 'https://gateway.example.test'))?.includes('kling-v1'));
    assert.strictEqual(c.peek('nope', BASE), undefined);
    assert.deepStrictEqual(await c.models('nope', BASE), { models: [], source: 'descriptor' });
  });

  it('markUnavailable marks the model retired or unknown at that base URL only, on disk too', async function () {
    const c = make();
    await c.models('router', BASE);
    await c.markUnavailable('router', BASE, 'live/b');
    assert.strictEqual(c.model('router', BASE, 'live/b')?.lifecycle?.state, 'retired');
    assert.deepStrictEqual(c.availableIds('router', BASE), ['live/a', 'own/y']);
    assert.deepStrictEqual(c.lifecycleOf('router', BASE, 'live/b'), {
      state: 'retired',
      date: '2026-12-01',
      hint: 'Router answered that it does not know this model (retired or unknown).',
      certain: false,
      source: 'marked',
    });
    await c.markUnavailable('router', BASE, 'typed/custom');
    assert.strictEqual(
      c.lifecycleOf('router', BASE, 'typed/custom')?.source,
      'marked',
      'a model the catalogue does not list is marked too',
    );
    assert.strictEqual(c.lifecycleOf('router', 'https://mirror.example.test/v1', 'live/b'), undefined);

    const next = make();
    await next.models('router', BASE);
    assert.strictEqual(next.lifecycleOf('router', BASE, 'live/b')?.state, 'retired', 'kept in the cache');
    assert.deepStrictEqual(next.availableIds('router', BASE), ['live/a', 'own/y']);
    assert.strictEqual(source.calls, 1);
  });

  it('a fresh catalogue that lists a marked model again clears the mark', async function () {
    const c = make();
    await c.models('router', BASE);
    await c.markUnavailable('router', BASE, 'live/a');
    clock += 2 * DAY;
    await c.models('router', BASE);
    await settle();
    assert.strictEqual(c.lifecycleOf('router', BASE, 'live/a')?.state, 'available');
  });

  it('availableIds filters by mode', async function () {
    source.models = [
      model('t2v'),
      model('i2v', { modes: ['image-to-video'] }),
      model('gone', { lifecycle: { state: 'retired', date: '2026-07-30' } }),
    ];
    const c = make(provider({ own: [] }));
    await c.models('router', BASE);
    assert.deepStrictEqual(c.availableIds('router', BASE), ['t2v', 'i2v']);
    assert.deepStrictEqual(c.availableIds('router', BASE, 'image-to-video'), ['i2v']);
    assert.deepStrictEqual(c.lifecycleOf('router', BASE, 'gone'), {
      state: 'retired',
      date: '2026-07-30',
      certain: true,
      source: 'catalog',
    });
    assert.deepStrictEqual(c.lifecycleOf('router', BASE, 't2v'), { state: 'available', certain: true, source: 'catalog' });
    assert.strictEqual(c.lifecycleOf('router', BASE, 'never-heard-of'), undefined);
  });
});
