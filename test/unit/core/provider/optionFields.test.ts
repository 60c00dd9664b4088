import * as assert from 'assert';

import { GenerateRequest } from '../../../../src/core/model/task';
import { OptionField, ProviderContext } from '../../../../src/core/provider/descriptor';
import { modelChoices, ModelListCache } from '../../../../src/core/provider/modelList';
import {
  describeValue,
  dropUnoffered,
  fieldsFor,
  inputPrompt,
  modelFields,
  parseFieldInput,
  readField,
  unsetText,
  writeField,
} from '../../../../src/core/provider/optionFields';
import { pika } from '../../../../src/providers/pika';
import { flowSteps, stepCounter } from '../../../../src/vscode/generate/flowSteps';

const zoom: OptionField = { kind: 'enum', key: 'camera.zoom', label: 'Camera zoom', values: ['in', 'out'] };
const pan: OptionField = { kind: 'enum', key: 'camera.pan', label: 'Camera pan', values: ['left', 'right'] };
const seed: OptionField = {
  kind: 'number',
  key: 'seed',
  target: 'request',
  label: 'Seed',
  min: 0,
  max: 9,
  integer: true,
  unsetLabel: 'random',
};
const motion: OptionField = { kind: 'number', key: 'motion', label: 'Motion', min: 0, max: 4, default: 1 };
const loop: OptionField = { kind: 'boolean', key: 'loop', label: 'Loop' };
const note: OptionField = { kind: 'text', key: 'negativePrompt', target: 'request', label: 'Negative prompt', maxLength: 5 };

describe('option fields', function () {
  it('write and read top-level request fields and nested options, removing emptied objects', function () {
    const req: GenerateRequest = { provider: 'pika', prompt: 'p' };
    writeField(req, seed, 7);
    writeField(req, zoom, 'in');
    writeField(req, pan, 'left');
    assert.deepStrictEqual(req, { provider: 'pika', prompt: 'p', seed: 7, options: { camera: { zoom: 'in', pan: 'left' } } });
    assert.strictEqual(readField(req, zoom), 'in');
    assert.strictEqual(readField(req, seed), 7);
    writeField(req, zoom, undefined);
    assert.deepStrictEqual(req.options, { camera: { pan: 'left' } });
    writeField(req, pan, undefined);
    writeField(req, seed, undefined);
    assert.deepStrictEqual(req, { provider: 'pika', prompt: 'p' });
    assert.strictEqual(readField(req, zoom), undefined);
  });

  it('does not write through a shared nested object (remembered options stay as they were)', function () {
    const camera = { zoom: 'out' };
    const req: GenerateRequest = { provider: 'pika', prompt: '', options: { camera } };
    writeField(req, pan, 'right');
    assert.deepStrictEqual(camera, { zoom: 'out' });
    assert.deepStrictEqual(req.options, { camera: { zoom: 'out', pan: 'right' } });
  });

  it('describes values and unset fields', function () {
    assert.strictEqual(unsetText(seed), 'random');
    assert.strictEqual(unsetText(motion), 'default (1)');
    assert.strictEqual(unsetText(zoom), 'none');
    assert.strictEqual(describeValue(motion, 2.5), '2.5');
    assert.strictEqual(describeValue(loop, true), 'yes');
    assert.strictEqual(describeValue(loop, false), 'no');
    assert.strictEqual(describeValue(loop, undefined), 'none');
  });

  it('parses typed values within the field limits', function () {
    assert.deepStrictEqual(parseFieldInput(seed, ''), {});
    assert.deepStrictEqual(parseFieldInput(seed, ' 9 '), { value: 9 });
    assert.match(parseFieldInput(seed, '10').error!, /from 0 to 9/);
    assert.match(parseFieldInput(seed, '1.5').error!, /whole number/);
    assert.match(parseFieldInput(motion, 'lots').error!, /from 0 to 4/);
    assert.deepStrictEqual(parseFieldInput(motion, '0.5'), { value: 0.5 });
    assert.deepStrictEqual(parseFieldInput(note, ' blur '), { value: 'blur' });
    assert.match(parseFieldInput(note, 'too long').error!, /under 5/);
    assert.match(inputPrompt(motion), /a number from 0 to 4\. Leave empty for default \(1\)/);
  });

  it('offers a field only in its modes', function () {
    const offered = (mode: Parameters<typeof fieldsFor>[1]) => fieldsFor(pika, mode).map((f) => f.key);
    assert.ok(offered('ingredients').includes('ingredientsMode'));
    assert.ok(!offered('text-to-video').includes('ingredientsMode'));
    assert.ok(!offered('image-to-video').includes('aspectRatio'), 'Pika takes the aspect ratio from the image');
  });
});

describe('generate flow step counter', function () {
  const shape = { providerChoices: 3, modeChoices: 3, modelStep: true, mediaStep: false };

  it('counts the steps that are shown', function () {
    assert.deepStrictEqual(flowSteps(shape), ['provider', 'mode', 'model', 'prompt', 'options']);
    assert.deepStrictEqual(stepCounter(shape, 'provider'), { step: 1, totalSteps: 5 });
    assert.deepStrictEqual(stepCounter(shape, 'options'), { step: 5, totalSteps: 5 });
    const withMedia = { ...shape, mediaStep: true };
    assert.deepStrictEqual(stepCounter(withMedia, 'media'), { step: 4, totalSteps: 6 });
  });

  it('skips a provider or mode step with one choice and a model step without models', function () {
    const restyle = { providerChoices: 1, modeChoices: 1, modelStep: false, mediaStep: false };
    assert.deepStrictEqual(flowSteps(restyle), ['prompt', 'options']);
    assert.deepStrictEqual(stepCounter(restyle, 'prompt'), { step: 1, totalSteps: 2 });
  });
});

describe('models offered', function () {
  it('fixed models of the mode, then configured, then listed ones, each once', function () {
    const p = { models: { fixed: [{ id: 'a' }, { id: 'b', modes: ['text-to-video' as const] }] } };
    assert.deepStrictEqual(modelChoices(p, 'text-to-video', ['c', 'a'], ['d', 'c']), ['a', 'b', 'c', 'd']);
    assert.deepStrictEqual(modelChoices(p, 'image-to-video', [], []), ['a']);
    assert.deepStrictEqual(modelChoices({}, 'text-to-video', ['x'], []), ['x']);
  });

  it('asks the provider once per base URL and key until the answer is older than the TTL', async function () {
    let now = 0;
    const asked: string[] = [];
    const provider = {
      id: 'gw',
      models: { list: async (ctx: ProviderContext) => (asked.push(`${ctx.baseUrl} ${ctx.apiKey}`), [`m${asked.length}`]) },
    };
    const cache = new ModelListCache(1000, () => now);
    const ctx = { baseUrl: 'https://a.test', apiKey: 'k1' };
    assert.deepStrictEqual(await cache.get(provider, ctx), ['m1']);
    assert.deepStrictEqual(await cache.get(provider, ctx), ['m1']);
    assert.deepStrictEqual(await cache.get(provider, { ...ctx, apiKey: 'k2' }), ['m2']);
    assert.deepStrictEqual(await cache.get(provider, { ...ctx, apiKey: 'k2', baseUrl: 'https://b.test' }), ['m3']);
    now = 1001;
    assert.deepStrictEqual(await cache.get(provider, { ...ctx, apiKey: 'k2', baseUrl: 'https://b.test' }), ['m4']);
    assert.deepStrictEqual(await cache.get({ id: 'fixed', models: {} }, ctx), []);
    assert.strictEqual(asked.length, 4);
  });

  it('peek: the last list at this base URL, whatever its age or key, without asking', async function () {
    let now = 0;
    let asked = 0;
    const provider = { id: 'openai', models: { list: async () => (asked++, ['wan-2.2', 'seedance-1-pro']) } };
    const cache = new ModelListCache(1000, () => now);
    assert.strictEqual(cache.peek('openai', 'https://a.test/v1'), undefined, 'never asked: nothing');
    await cache.get(provider, { baseUrl: 'https://a.test/v1', apiKey: 'k1' });
    now = 5000;
    assert.deepStrictEqual(cache.peek('openai', 'https://a.test/v1'), ['wan-2.2', 'seedance-1-pro'], 'past the TTL still offered');
    assert.strictEqual(cache.peek('openai', 'https://b.test/v1'), undefined, 'another server: nothing');
    assert.strictEqual(cache.peek('gateway', 'https://a.test/v1'), undefined);
    assert.strictEqual(asked, 1);
  });
});

describe("a model's own option rows (catalogue)", function () {
  const veo = { capabilities: { durations: [4, 6, 8], defaultDuration: 8, resolutions: ['720p', '1080p'], audio: true } };

  it('offers only the durations and resolutions the model takes, and audio when it can', function () {
    const rows = modelFields(veo, []);
    assert.deepStrictEqual(
      rows.map((f) => f.key),
      ['duration', 'resolution', 'audio'],
    );
    const duration = rows[0];
    assert.ok(duration.kind === 'enum' && duration.target === 'request');
    assert.deepStrictEqual(duration.values, [4, 6, 8]);
    assert.strictEqual(unsetText(duration), 'model default (8 s)');
    const resolution = rows[1];
    assert.ok(resolution.kind === 'enum');
    assert.deepStrictEqual(resolution.values, ['720p', '1080p']);
  });

  it("offers nothing the entry does not say, and leaves a key to the provider's own row", function () {
    assert.deepStrictEqual(modelFields(undefined, []), []);
    assert.deepStrictEqual(modelFields({ capabilities: {} }, []), []);
    assert.deepStrictEqual(modelFields({ capabilities: { durations: [], audio: false } }, []), []);
    const own: OptionField = { kind: 'number', key: 'duration', target: 'request', label: 'Length', min: 1, max: 9 };
    assert.deepStrictEqual(
      modelFields(veo, [own]).map((f) => f.key),
      ['resolution', 'audio'],
    );
  });

  it('drops a remembered duration, resolution or audio the model does not take', function () {
    const rows = modelFields(veo, []);
    const req: GenerateRequest = { provider: 'openrouter', prompt: 'p', duration: 10, resolution: '1080p', audio: true };
    dropUnoffered(req, rows);
    assert.deepStrictEqual(req, { provider: 'openrouter', prompt: 'p', resolution: '1080p', audio: true });
    const other: GenerateRequest = { provider: 'openrouter', prompt: 'p', duration: 6, resolution: '4K', audio: true };
    dropUnoffered(other, modelFields({ capabilities: { durations: [6] } }, []));
    assert.deepStrictEqual(other, { provider: 'openrouter', prompt: 'p', duration: 6 });
  });
});
