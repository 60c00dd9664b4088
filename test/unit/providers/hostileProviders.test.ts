// Every provider against a hostile gateway (the emulator's `[hostile]` marker and `hostile` fault):
// a command link, the caller's own key, control characters and 10 KB of text in its answers. What
// the engine stores, throws and logs must hold none of it.
import * as assert from 'assert';
import * as fs from 'fs';

import { ProviderError } from '../../../src/core/model/errors';
import { GenerateRequest, ProviderId, Task } from '../../../src/core/model/task';
import type { ProviderDescriptor, RemoteState } from '../../../src/core/provider/descriptor';
import { guardProvider } from '../../../src/core/provider/guardedClient';
import { PROVIDERS } from '../../../src/providers';
import { gateway } from '../../../src/providers/gateway';
import { useEngineSuite, waitForTask } from '../../support/engineHarness';
import { assertClean, sendJson, startStub } from '../../support/helpers';

/** Not shaped like a token: only the real-key removal can catch it. */
const KEY = 'plain-key-0123456789abcdef';
const KEYS = { pika: KEY, gateway: KEY, hidream: KEY };

const REQUESTS: Record<ProviderId, (prompt: string) => GenerateRequest> = {
  pika: (prompt) => ({ provider: 'pika', prompt }),
  gateway: (prompt) => ({ provider: 'gateway', model: 'kling-v1', prompt }),
  hidream: (prompt) => ({ provider: 'hidream', prompt }),
};
const CREATE_ROUTES: Record<ProviderId, string> = { pika: 'pika.generate', gateway: 'gateway.create', hidream: 'hidream.txt2video.create' };

describe('hostile provider text', function () {
  this.timeout(30_000);
  const suite = useEngineSuite({ durationMs: 300, clearFaultsAfterEach: true });

  /** The history file and every log line are clean too. */
  function assertNothingLeaked(log: { lines: { message: string }[] }): void {
    const stored = fs.readFileSync(suite.ws.journalFile, 'utf8');
    assert.ok(!stored.includes(KEY), 'the history file holds the key');
    assert.ok(!/command:/i.test(stored), 'the history file holds a command URI');
    for (const line of log.lines) assertClean(line.message, KEY, 3000);
  }

  const failures: Array<[string, GenerateRequest]> = [
    ['Pika', REQUESTS.pika('[hostile]')],
    ['the gateway (flat answer)', REQUESTS.gateway('[hostile] [flat]')],
    ['the gateway (envelope answer: fail_reason and result_url)', REQUESTS.gateway('[hostile] [envelope]')],
  ];
  for (const [who, req] of failures) {
    it(`a failure text from ${who} is stored clean`, async () => {
      const { engine, log } = await suite.ws.engine({ keys: KEYS });
      const task = await engine.generate(req);
      const failed = await waitForTask(engine, task.id, (t) => t.status === 'failed', 'to fail');
      assertClean(failed.error, KEY);
      assert.match(failed.error!, /^Quota exceeded\. Fix it here/);
      await engine.flush();
      assertNothingLeaked(log);
    });
  }

  it('a HiDream batch answer with hostile text is stored clean (HiDream tasks carry no error text of their own)', async () => {
    const { engine, log } = await suite.ws.engine({ keys: KEYS });
    const task = await engine.generate(REQUESTS.hidream('hostile batch [never]'));
    suite.emulator.injectFault({ route: 'hidream.txt2video.batch', kind: 'hostile', status: 200, times: Infinity });
    const withError = await waitForTask(engine, task.id, (t) => t.error !== undefined, 'to record the poll error');
    assertClean(withError.error, KEY, 700);
    assert.match(withError.error!, /Fix it here/);
    await engine.flush();
    assertNothingLeaked(log);
  });

  for (const provider of ['pika', 'gateway', 'hidream'] as const) {
    it(`${provider}: a create refused with hostile text rejects with a clean message and stores nothing`, async () => {
      const { engine, log } = await suite.ws.engine({ keys: KEYS });
      suite.emulator.injectFault({ route: CREATE_ROUTES[provider], kind: 'hostile' });
      await assert.rejects(engine.generate(REQUESTS[provider]('refused')), (e: Error) => {
        assertClean(e.message, KEY);
        return true;
      });
      assert.strictEqual(engine.getTasks().length, 0);
      assertNothingLeaked(log);
    });

    it(`${provider}: a 502 with hostile text on a create leaves a clean "uncertain" task`, async () => {
      const { engine, log } = await suite.ws.engine({ keys: KEYS });
      // Every attempt: a provider that retries creates must not get a clean answer on the next one.
      suite.emulator.injectFault({ route: CREATE_ROUTES[provider], kind: 'hostile', status: 502, times: Infinity });
      await assert.rejects(engine.generate(REQUESTS[provider]('lost')));
      const [lost] = engine.getTasks();
      assert.ok(lost?.uncertain, 'the uncertain create is kept');
      assertClean(lost.error, KEY, 1000);
      await engine.flush();
      assertNothingLeaked(log);
    });
  }

  it('Test Connection with hostile text rejects with a clean message', async () => {
    suite.emulator.injectFault({ route: 'gateway.models', kind: 'hostile', status: 403 });
    await assert.rejects(PROVIDERS.gateway.testConnection({ baseUrl: suite.emulator.baseUrl, apiKey: KEY }), (e: Error) => {
      assertClean(e.message, KEY);
      return true;
    });
  });
});

describe('hostile provider ids', function () {
  const hostileId = '../x](command:workbench.action.reloadWindow)';
  const answers: Record<ProviderId, unknown> = {
    pika: { id: hostileId },
    gateway: { task_id: hostileId, status: 'queued' },
    hidream: { code: 0, message: 'Success', result: { task_id: hostileId } },
  };

  for (const provider of ['pika', 'gateway', 'hidream'] as const) {
    it(`${provider}: a create answered with an id that is not plain is refused as malformed (the job may have started)`, async () => {
      const stub = await startStub((_req, res) => sendJson(res, 200, answers[provider]));
      try {
        const client = PROVIDERS[provider];
        const req = REQUESTS[provider]('id test');
        const e = await client.create({ baseUrl: stub.baseUrl, apiKey: KEY }, req, {}, 'request-1').then(
          () => assert.fail('the create resolved'),
          (err: unknown) => err as ProviderError,
        );
        assert.ok(e instanceof ProviderError);
        assert.strictEqual(e.kind, 'malformed');
        assert.strictEqual(e.mayHaveStarted, true);
        assert.ok(!e.message.includes(hostileId));
      } finally {
        await stub.close();
      }
    });
  }
});

describe('the provider guard', () => {
  const ctx = { baseUrl: 'http://127.0.0.1:9', apiKey: KEY };
  const task = { id: 'local-1', remoteId: 'r1' } as Task;

  function fakeClient(answer: RemoteState | ProviderError): ProviderDescriptor {
    return {
      ...gateway,
      id: 'gateway',
      label: 'Fake',
      limits: { concurrentPolls: 1 },
      validate: () => undefined,
      buildCreate: () => ({ path: '/', body: {}, mode: 'text-to-video', model: 'm' }),
      create: async () => ({ remoteId: 'r1', mode: 'text-to-video', model: `[m](command:x) ${KEY}` }),
      poll: async () => new Map([[task.id, answer]]),
      testConnection: async () => `ok ${KEY}\n[x](command:y)`,
    };
  }

  it('cleans status words, errors, video ids and URLs of every poll answer', async () => {
    const state: RemoteState = {
      status: 'succeeded',
      rawStatus: `[done](command:evil) ${'x'.repeat(300)}`,
      progress: 100,
      error: `partly ${KEY}`,
      videos: [
        { url: 'https://cdn.example/a.mp4', id: '[bad](command:x)', posterUrl: 'javascript:alert(1)' },
        { url: 'command:workbench.action.reloadWindow' },
      ],
    };
    const out = (await guardProvider(fakeClient(state)).poll(ctx, [task])).get(task.id) as RemoteState;
    assertClean(out.rawStatus, KEY, 100);
    assertClean(out.error, KEY);
    assert.deepStrictEqual(out.videos, [{ url: 'https://cdn.example/a.mp4' }]);
  });

  it('a success whose every video URL is refused becomes a failure', async () => {
    const state: RemoteState = { status: 'succeeded', rawStatus: 'done', videos: [{ url: `https://cdn.example/${'a'.repeat(9000)}` }] };
    const out = (await guardProvider(fakeClient(state)).poll(ctx, [task])).get(task.id) as RemoteState;
    assert.strictEqual(out.status, 'failed');
    assert.match(out.error!, /no usable video URL/);
  });

  it('cleans a per-task error in place (same class and fields), the model name and the connection sentence', async () => {
    const err = new ProviderError({ kind: 'server', status: 502, message: `boom [x](command:y) ${KEY}`, mayHaveStarted: true });
    const guarded = guardProvider(fakeClient(err));
    const out = (await guarded.poll(ctx, [task])).get(task.id);
    assert.strictEqual(out, err);
    assert.strictEqual(err.kind, 'server');
    assert.strictEqual(err.mayHaveStarted, true);
    assertClean(err.message, KEY);
    const created = await guarded.create(ctx, { provider: 'gateway', prompt: 'p' }, {}, 'r');
    assertClean(created.model, KEY, 100);
    assertClean(await guarded.testConnection(ctx), KEY);
  });
});
