// Replicate: the neutral request mapped onto bundled models' inputs and onto a published schema, the
// schema read as untrusted JSON and drawn as option rows, predictions read (statuses, progress from
// tqdm logs, outputs with their one-hour expiry), and the provider driven by the engine against the
// emulator (a schema-only model, a bad enum refused before sending, 422, 429 with its wait in `detail`,
// an output that is gone).
import * as assert from 'assert';

import { Semaphore } from '../../../src/core/engine/localLimits';
import type { ProviderError } from '../../../src/core/model/errors';
import type { GenerateRequest } from '../../../src/core/model/task';
import { checkInput, inputSchemaOfModel, parseInputSchema } from '../../../src/core/provider/inputSchema';
import { modelDescription, REPLICATE_BASE_PATH, REPLICATE_MODELS, SCHEMA_ONLY_MODEL } from '../../../src/emulator/replicate';
import { emulatorBaseUrl } from '../../../src/emulator/server';
import { PROVIDERS } from '../../../src/providers';
import {
  bundledInputs,
  fieldsOfInputs,
  mapInput,
  OUTPUT_KEPT_MS,
  parsePrediction,
  progressOfLogs,
  replicate,
  waitInDetail,
  type ModelInputs,
} from '../../../src/providers/replicate';
import { KEY, settled, useEngineSuite, waitForTask } from '../../support/engineHarness';

const req = (extra: Partial<GenerateRequest> = {}): GenerateRequest => ({ provider: 'replicate', prompt: 'a fox in snow', ...extra });

/** The schema-only model's inputs, read from the emulator's answer as the provider reads it. */
function dreamreel(): ModelInputs {
  const m = REPLICATE_MODELS.find((x) => `${x.owner}/${x.name}` === SCHEMA_ONLY_MODEL)!;
  const schema = inputSchemaOfModel(modelDescription(m));
  assert.ok(schema);
  return { schema };
}

describe('Replicate request mapping', function () {
  it('Kling: first and last frames as start_image / end_image, an integer duration, the resolution as its mode', function () {
    const spec = replicate.buildCreate(
      req({ model: 'kwaivgi/kling-v2.1', duration: 10, resolution: '1080p', negativePrompt: 'blur', image: 'x', lastFrame: 'y' }),
      { image: 'AAAA', imageMime: 'image/png', lastFrame: 'https://images.example.test/last.png' },
      'r',
    );
    assert.deepStrictEqual(spec, {
      path: '/models/kwaivgi/kling-v2.1/predictions',
      body: {
        input: {
          prompt: 'a fox in snow',
          duration: 10,
          mode: 'pro',
          negative_prompt: 'blur',
          start_image: 'data:image/png;base64,AAAA',
          end_image: 'https://images.example.test/last.png',
        },
      },
      mode: 'image-to-video',
      model: 'kwaivgi/kling-v2.1',
    });
  });

  it('Hailuo takes first_frame_image / last_frame_image; Veo its last_frame, audio as generate_audio', function () {
    const hailuo = mapInput(
      'minimax/hailuo-02',
      bundledInputs('minimax/hailuo-02')!,
      req({ image: 'https://a.test/1.png', lastFrame: 'https://a.test/2.png' }),
    );
    assert.deepStrictEqual(hailuo, {
      input: { prompt: 'a fox in snow', first_frame_image: 'https://a.test/1.png', last_frame_image: 'https://a.test/2.png' },
    });
    const veo = mapInput(
      'google/veo-3.1',
      bundledInputs('google/veo-3.1')!,
      req({ lastFrame: 'https://a.test/2.png', audio: false, seed: 3 }),
    );
    assert.deepStrictEqual(veo, { input: { prompt: 'a fox in snow', seed: 3, generate_audio: false, last_frame: 'https://a.test/2.png' } });
  });

  it('validate refuses what a bundled model does not take, naming what it does', function () {
    assert.match(replicate.validate(req({ model: 'kwaivgi/kling-v2.1', image: 'a.png', duration: 7 }))!, /duration = 5 or 10; "7"/);
    assert.match(replicate.validate(req({ model: 'kwaivgi/kling-v2.1' }))!, /needs the input "start_image"/);
    assert.match(
      replicate.validate(req({ model: 'minimax/hailuo-02', seed: 4 }))!,
      /has no input for seed; its inputs are: prompt, duration/,
    );
    assert.match(replicate.validate(req({ model: 'not a model' }))!, /owner\/name/);
    assert.strictEqual(
      replicate.validate(req({ model: 'google/veo-3.1', duration: 6, resolution: '720p', aspectRatio: '9:16' })),
      undefined,
    );
    assert.strictEqual(
      replicate.validate(req({ model: SCHEMA_ONLY_MODEL, options: { anything: 1 } })),
      undefined,
      'a schema-only model is checked by its schema',
    );
  });

  it('a schema-only model: neutral words onto its inputs, options by their schema names, a word it has no input for refused', function () {
    const inputs = dreamreel();
    assert.deepStrictEqual(
      mapInput(
        SCHEMA_ONLY_MODEL,
        inputs,
        req({ duration: 6, seed: 9, image: 'https://a.test/1.png', options: { motion: 'wild', steps: 30, loop: true } }),
      ),
      {
        input: { prompt: 'a fox in snow', motion: 'wild', steps: 30, loop: true, duration: 6, seed: 9, image: 'https://a.test/1.png' },
      },
    );
    const bad = mapInput(SCHEMA_ONLY_MODEL, inputs, req({ options: { motion: 'sideways' } }));
    assert.deepStrictEqual(bad, { error: 'acme/dreamreel takes motion = calm, dynamic or wild; "sideways" is not one of them.' });
    const noWord = mapInput(SCHEMA_ONLY_MODEL, inputs, req({ resolution: '720p' }));
    assert.deepStrictEqual(noWord, {
      error: 'acme/dreamreel has no input for resolution; its inputs are: prompt, image, motion, steps, loop, style_hint, duration, seed.',
    });
    assert.match(
      errorOf(mapInput(SCHEMA_ONLY_MODEL, inputs, req({ options: { steps: 51 } }))),
      /steps as a whole number from 1 to 50; "51"/,
    );
    assert.match(errorOf(mapInput(SCHEMA_ONLY_MODEL, inputs, req({ duration: 9 }))), /duration as a whole number from 2 to 8/);
    assert.match(
      errorOf(mapInput(SCHEMA_ONLY_MODEL, inputs, req({ options: { colour: 'red' } }))),
      /has no input "colour"; its inputs are/,
    );
    assert.match(errorOf(mapInput(SCHEMA_ONLY_MODEL, inputs, req({ duration: 4, options: { duration: 4 } }))), /given twice/);
  });

  it('draws option rows from the schema: enums as pickers, integers with their bounds, booleans, text; the neutral ones write the request', function () {
    const rows = fieldsOfInputs(dreamreel()).map((f) => ({ ...f }));
    assert.deepStrictEqual(
      rows.map((f) => [f.key, f.target, f.kind]),
      [
        ['motion', 'options', 'enum'],
        ['steps', 'options', 'number'],
        ['loop', 'options', 'boolean'],
        ['style_hint', 'options', 'text'],
        ['duration', 'request', 'number'],
        ['seed', 'request', 'number'],
      ],
    );
    const motion = rows[0];
    assert.ok(motion.kind === 'enum');
    assert.deepStrictEqual([motion.values, motion.default], [['calm', 'dynamic', 'wild'], 'calm']);
    const steps = rows[1];
    assert.ok(steps.kind === 'number');
    assert.deepStrictEqual([steps.min, steps.max, steps.integer, steps.default], [1, 50, true, 25]);
    const seed = rows[5];
    assert.ok(seed.kind === 'number');
    assert.deepStrictEqual([seed.min, seed.max], [0, 0xffffffff]);
    // Kling's mode carries the resolution: no row of its own; the duration is offered as numbers.
    const kling = fieldsOfInputs(bundledInputs('kwaivgi/kling-v2.1')!);
    assert.deepStrictEqual(
      kling.map((f) => f.key),
      ['duration', 'negativePrompt'],
    );
  });
});

function errorOf(r: { input: Record<string, unknown> } | { error: string }): string {
  return 'error' in r ? r.error : '';
}

describe('Replicate input schemas as untrusted JSON', function () {
  it('reads enums behind $ref, bounds, defaults and order; drops what does not read', function () {
    const schema = parseInputSchema(
      {
        type: 'object',
        required: ['prompt'],
        properties: {
          z_last: { type: 'string', 'x-order': 9 },
          prompt: { type: 'string', 'x-order': 0, description: 'The [prompt](command:evil)\u0007 text' },
          size: { allOf: [{ $ref: '#/components/schemas/size' }], default: 'big', 'x-order': 1 },
          'bad name': { type: 'string' },
          __proto__x: { type: 'integer', minimum: 10, maximum: 2 },
          frames: { type: 'integer', minimum: 1.5, maximum: 80.7, default: 'many' },
          refs: { type: 'array', items: { type: 'string' } },
          big: { type: 'string', enum: Array.from({ length: 500 }, (_, i) => `v${i}`) },
          evil: { allOf: [{ $ref: '#/components/schemas/__proto__' }] },
        },
      },
      { size: { type: 'string', enum: ['small', 'big', 42, { no: 1 }, ''] } },
    );
    assert.ok(schema);
    const by = Object.fromEntries(schema.inputs.map((i) => [i.name, i]));
    assert.deepStrictEqual(
      schema.inputs.map((i) => i.name).slice(0, 3),
      ['prompt', 'size', 'z_last'],
      'inputs with an x-order first, by it',
    );
    assert.ok(!('bad name' in by));
    assert.deepStrictEqual(by.size, { name: 'size', kind: 'enum', values: ['small', 'big', 42], default: 'big' });
    assert.deepStrictEqual(by.__proto__x, { name: '__proto__x', kind: 'other', array: false }, 'inverted bounds do not read');
    assert.deepStrictEqual(by.frames, { name: 'frames', kind: 'integer', min: 2, max: 80 });
    assert.deepStrictEqual(by.refs, { name: 'refs', kind: 'other', array: true });
    assert.ok(by.big.kind === 'enum' && by.big.values.length === 64);
    assert.deepStrictEqual(by.evil, { name: 'evil', kind: 'other', array: false });
    assert.ok(by.prompt.label && !/command:|\u0007/.test(by.prompt.label), by.prompt.label);
    assert.strictEqual(by.prompt.required, true);
    assert.match(checkInput('m', schema, {})!, /needs the input "prompt"/);
  });

  it('answers that are not a schema read as none', function () {
    for (const junk of [
      null,
      'x',
      [],
      {},
      { latest_version: null },
      { latest_version: { openapi_schema: { components: { schemas: { Input: [] } } } } },
    ]) {
      assert.strictEqual(inputSchemaOfModel(junk), undefined, JSON.stringify(junk));
    }
  });
});

describe('Replicate predictions', function () {
  it('statuses; progress from the last tqdm line of the logs', function () {
    assert.strictEqual(progressOfLogs(' 0%|          | 0/20\r 45%|####5     | 9/20 [00:04<00:05]\n'), 45);
    assert.strictEqual(progressOfLogs('loading weights\n'), undefined);
    assert.strictEqual(progressOfLogs(42), undefined);
    assert.deepStrictEqual(parsePrediction({ status: 'starting', logs: '' }), { status: 'queued', rawStatus: 'starting', videos: [] });
    const running = parsePrediction({ status: 'processing', logs: ' 10%|#| 2/20\r 55%|#####| 11/20' });
    assert.deepStrictEqual([running.status, running.progress], ['running', 55]);
    assert.deepStrictEqual(parsePrediction({ status: 'failed', error: 'CUDA out of memory' }).error, 'CUDA out of memory');
    assert.deepStrictEqual(parsePrediction({ status: 'canceled' }), {
      status: 'failed',
      rawStatus: 'canceled',
      videos: [],
      error: 'Cancelled',
    });
    assert.strictEqual(parsePrediction({ status: 'aborted' }).status, 'failed');
    assert.strictEqual(parsePrediction({ status: 'brand-new' }).status, 'unknown');
    assert.throws(() => parsePrediction('nope'), /not a JSON object/);
  });

  it('an output (a URL or a list) expires one hour after the prediction finished', function () {
    const completed = '2026-12-01T10:00:00.000Z';
    const at = Date.parse(completed);
    const one = parsePrediction(
      { status: 'succeeded', output: 'https://replicate.delivery/x/out.mp4', completed_at: completed },
      at + 60_000,
    );
    assert.deepStrictEqual(one.videos, [
      { url: 'https://replicate.delivery/x/out.mp4', expiresAt: at + OUTPUT_KEPT_MS, keptForMs: OUTPUT_KEPT_MS },
    ]);
    const list = parsePrediction(
      { status: 'succeeded', output: ['https://a.test/1.mp4', 7, 'javascript:alert(1)'], completed_at: completed },
      at,
    );
    assert.deepStrictEqual(
      list.videos.map((v) => v.url),
      ['https://a.test/1.mp4'],
    );
  });

  it('an output already deleted: the task says when it finished and that Replicate keeps outputs one hour, not a network error', function () {
    const completed = '2026-12-01T10:00:00.000Z';
    const gone = parsePrediction(
      { status: 'succeeded', output: null, data_removed: true, completed_at: completed },
      Date.parse(completed) + 2 * OUTPUT_KEPT_MS,
    );
    assert.strictEqual(gone.status, 'failed');
    assert.strictEqual(
      gone.error,
      'The video is gone: Replicate keeps outputs for one hour after a prediction finishes, and this one finished at 2026-12-01 10:00 UTC.',
    );
  });

  it('a 429 whose wait is only in detail', function () {
    assert.strictEqual(waitInDetail('Request was throttled. Your rate limit resets in ~30s.'), 30_000);
    assert.strictEqual(waitInDetail('resets in 2 minutes'), 120_000);
    assert.strictEqual(waitInDetail('slow down'), undefined);
  });

  it('downloads of results that will be deleted go first, the soonest first', async function () {
    const slots = new Semaphore(1);
    const order: string[] = [];
    let release!: () => void;
    const first = slots.run(() => new Promise<void>((r) => (release = r)));
    const runs = [
      slots.run(async () => void order.push('kept')),
      slots.run(async () => void order.push('expires-late'), 2000),
      slots.run(async () => void order.push('kept-2')),
      slots.run(async () => void order.push('expires-soon'), 1000),
    ];
    assert.strictEqual(slots.queued, 4);
    release();
    await Promise.all([first, ...runs]);
    assert.deepStrictEqual(order, ['expires-soon', 'expires-late', 'kept', 'kept-2']);
  });
});

describe('Replicate through the engine (emulator)', function () {
  const h = useEngineSuite({ durationMs: 300 });
  const base = () => emulatorBaseUrl(h.emulator.baseUrl, 'replicate');
  const engineOf = async () => (await h.ws.engine({ keys: { replicate: KEY }, baseUrl: base() })).engine;

  it('a schema-only model: its schema read once, options drawn from it, the create as {input}', async function () {
    const engine = await engineOf();
    const options = await PROVIDERS.replicate.modelOptions!.load({ baseUrl: base(), apiKey: KEY }, SCHEMA_ONLY_MODEL);
    assert.ok(options?.fields.some((f) => f.key === 'motion' && f.kind === 'enum'));
    const t = await engine.generate(
      req({ model: SCHEMA_ONLY_MODEL, prompt: 'waves [duration=300]', duration: 4, options: { motion: 'dynamic', loop: true } }),
    );
    const done = await waitForTask(engine, t.id, settled, 'to finish');
    assert.strictEqual(done.status, 'succeeded', done.error);
    assert.ok(done.videos[0].localPath, done.videos[0].downloadError);
    assert.ok(done.videos[0].expiresAt && done.videos[0].keptForMs === OUTPUT_KEPT_MS);
    const creates = h.emulator.requests('replicate.create');
    assert.deepStrictEqual(
      creates.map((r) => [r.path, r.body]),
      [
        [
          `${REPLICATE_BASE_PATH}/models/acme/dreamreel/predictions`,
          { input: { prompt: 'waves [duration=300]', motion: 'dynamic', loop: true, duration: 4 } },
        ],
      ],
    );
    assert.ok(h.emulator.requests('replicate.model').length <= 1, 'the schema is cached');
  });

  it('a bad enum value is refused before anything is sent, with the allowed values', async function () {
    const engine = await engineOf();
    await assert.rejects(
      engine.generate(req({ model: SCHEMA_ONLY_MODEL, options: { motion: 'sideways' } })),
      /motion = calm, dynamic or wild/,
    );
    assert.strictEqual(h.emulator.requests('replicate.create').length, 0);
  });

  it('a model Replicate does not know is refused before sending, saying so', async function () {
    const engine = await engineOf();
    await assert.rejects(engine.generate(req({ model: 'nobody/nothing' })), /Replicate has no model "nobody\/nothing"/);
    assert.strictEqual(h.emulator.requests('replicate.create').length, 0);
  });

  it('a schema that cannot be read (a rejected key): refused before sending, its kind kept so the key is asked for', async function () {
    const engine = await engineOf();
    h.emulator.injectFault({ route: 'replicate.model', kind: 'status', status: 401 });
    await assert.rejects(engine.generate(req({ model: 'acme/unread' })), (e: ProviderError) => {
      assert.strictEqual(e.kind, 'auth');
      assert.match(e.message, /^The inputs of acme\/unread could not be read at Replicate, so nothing was sent: /);
      return true;
    });
    assert.strictEqual(h.emulator.requests('replicate.create').length, 0);
  });

  it('422: never started, its detail shown, sent once', async function () {
    const engine = await engineOf();
    await assert.rejects(
      engine.generate(req({ model: 'google/veo-3.1', prompt: 'x [invalid-input]' })),
      /HTTP 422.*input\.prompt: prompt contains words/s,
    );
    assert.strictEqual(h.emulator.requests('replicate.create').length, 1);
    assert.strictEqual(engine.getTasks().length, 0);
  });

  it('429 with the wait only in detail: the create waits in the local queue, then goes', async function () {
    const engine = await engineOf();
    const t = await engine.generate(req({ model: 'google/veo-3.1', prompt: 'y [throttled] [duration=300]' }));
    assert.strictEqual(t.status, 'waiting');
    assert.ok(t.sendAfter! - Date.now() > 1000, `waits about 2 s (${t.sendAfter! - Date.now()} ms)`);
    const done = await waitForTask(engine, t.id, settled, 'to finish', 20_000);
    assert.strictEqual(done.status, 'succeeded', done.error);
    assert.strictEqual(h.emulator.requests('replicate.create').length, 2);
  });

  it('an output past its hour is not fetched: the task says it is gone, when it finished, and why', async function () {
    // The emulator's clock runs two hours behind: the prediction finished (by its clock) over an hour ago.
    h.emulator.setOptions({ now: () => Date.now() - 2 * OUTPUT_KEPT_MS });
    try {
      const engine = await engineOf();
      const t = await engine.generate(req({ model: 'google/veo-3.1', prompt: 'z [duration=300]' }));
      const done = await waitForTask(engine, t.id, settled, 'to finish');
      assert.strictEqual(done.status, 'succeeded');
      assert.match(
        done.videos[0].downloadError ?? '',
        /^The video is gone: Replicate keeps results for one hour after a job finishes, and this one finished at \d{4}-\d\d-\d\d \d\d:\d\d UTC/,
      );
      assert.strictEqual(h.emulator.requests('files').length, 0, 'nothing was fetched');
    } finally {
      h.emulator.setOptions({ now: Date.now });
    }
  });

  it('cancel: POST /predictions/{id}/cancel once; the task ends failed "Cancelled"; a finished one is refused and left as it was', async function () {
    const engine = await engineOf();
    const t = await engine.generate(req({ model: 'minimax/hailuo-02', prompt: 'long [duration=60000]' }));
    await waitForTask(engine, t.id, (x) => x.status === 'running' || x.status === 'queued', 'to be at the provider');
    const cancelled = await engine.cancel(t.id);
    assert.deepStrictEqual([cancelled.status, cancelled.error], ['failed', 'Cancelled']);
    assert.deepStrictEqual(
      h.emulator.requests('replicate.cancel').map((r) => r.path),
      [`${REPLICATE_BASE_PATH}/predictions/${t.remoteId}/cancel`],
    );
    const done = await engine.generate(req({ model: 'minimax/hailuo-02', prompt: 'short [duration=300]' }));
    const finished = await waitForTask(engine, done.id, settled, 'to finish');
    assert.strictEqual(finished.status, 'succeeded');
    const direct = PROVIDERS.replicate.cancel!;
    await assert.rejects(direct({ baseUrl: base(), apiKey: KEY }, finished), /already succeeded/);
  });
});
