import * as assert from 'assert';

import type { LifecycleVerdict } from '../../../../src/core/provider/catalog';
import type { CatalogModel } from '../../../../src/core/provider/catalogTypes';
import {
  blockAtLine,
  describeKey,
  findVideoBlocks,
  keysFor,
  lifecycleWarning,
  modelHint,
  modeOf,
  PromptCatalog,
  providerOf,
  readVideoBlock,
  valuesFor,
  VideoBlock,
} from '../../../../src/core/request/promptBlocks';
import { MAX_PROMPT_LENGTH, parseGenerateRequest } from '../../../../src/core/request/requestValidation';
import { PROVIDER_LIST, PROVIDERS } from '../../../../src/providers';

/** The gateway's models as the settings list them. */
const CONFIGURED = ['kling-v1', 'veo3'];
const catalog: PromptCatalog = { providers: PROVIDER_LIST, configuredModels: (p) => (p.id === 'gateway' ? CONFIGURED : []) };

const md = (...lines: string[]) => lines.join('\n');

function only(text: string): VideoBlock {
  const blocks = findVideoBlocks(text);
  assert.strictEqual(blocks.length, 1, `expected one block, found ${blocks.length}`);
  return blocks[0];
}

function read(...body: string[]) {
  return readVideoBlock(only(md('```video', ...body, '```')), catalog);
}

function messages(...body: string[]): string[] {
  return read(...body).problems.map((p) => p.message);
}

describe('prompt blocks: finding ```video fences', () => {
  it('finds each video block with its lines, and nothing in other fences', () => {
    const text = md(
      '# Clips', // 0
      '',
      '```video', // 2
      'provider: pika',
      'A paper boat',
      '```', // 5
      '',
      '````markdown', // 7
      '```video',
      'prompt: not a block, an example inside another fence',
      '```',
      '````', // 11
      '~~~ video title="second"', // 12
      'prompt: a kite',
      '~~~', // 14
      '```js',
      'const video = 1;',
      '```',
    );
    const blocks = findVideoBlocks(text);
    assert.deepStrictEqual(
      blocks.map((b) => [b.fenceLine, b.endLine, b.closed]),
      [
        [2, 5, true],
        [12, 14, true],
      ],
    );
    assert.deepStrictEqual(
      blocks[0].entries.map((e) => [e.key, e.value]),
      [['provider', 'pika']],
    );
    assert.deepStrictEqual(
      blocks[0].textLines.map((t) => [t.span.line, t.text]),
      [[4, 'A paper boat']],
    );
    assert.strictEqual(blockAtLine(blocks, 3), blocks[0]);
    assert.strictEqual(blockAtLine(blocks, 14), blocks[1]);
    assert.strictEqual(blockAtLine(blocks, 9), undefined);
  });

  it('gives key and value spans that point at the text', () => {
    const text = md('```video', '  aspect :  16:9  ', '```');
    const e = only(text).entries[0];
    const line = text.split('\n')[1];
    assert.strictEqual(line.slice(e.keySpan.start, e.keySpan.end), 'aspect');
    assert.strictEqual(line.slice(e.valueSpan.start, e.valueSpan.end), '16:9');
    assert.strictEqual(e.value, '16:9');
  });

  it('reads a URL line as text, not as a key', () => {
    const b = only(md('```video', 'https://example.com/boat.png', '```'));
    assert.strictEqual(b.entries.length, 0);
    assert.strictEqual(b.textLines.length, 1);
  });

  it('an unclosed block runs to the end and is reported', () => {
    const b = only(md('text', '```video', 'prompt: a fox', ''));
    assert.strictEqual(b.closed, false);
    assert.strictEqual(b.endLine, 3);
    const r = readVideoBlock(b, catalog);
    assert.deepStrictEqual(
      r.problems.map((p) => [p.severity, p.message]),
      [['warning', 'This video block has no closing fence.']],
    );
  });

  it('the hash follows the text: same text same hash, any edit a new one, trailing spaces ignored', () => {
    const a = only(md('```video', 'prompt: a fox', '```')).hash;
    assert.match(a, /^[0-9a-f]{16}$/);
    assert.strictEqual(only(md('intro', '', '```video', 'prompt: a fox   ', '```')).hash, a);
    assert.notStrictEqual(only(md('```video', 'prompt: a fox!', '```')).hash, a);
  });
});

describe('prompt blocks: reading a block into a request', () => {
  it('maps the example of the issue (Pika takes the aspect from the image: that line is left out, with a warning)', () => {
    const r = read(
      'provider: pika',
      'model: 2.0',
      'aspect: 16:9',
      'image: assets/boat.png',
      'prompt: A paper boat drifting down a rainy street, cinematic',
    );
    assert.deepStrictEqual(
      r.problems.map((p) => [p.severity, p.span.line, p.message]),
      [['warning', 3, 'Pika does not use aspect ratio for image to video; this line is left out.']],
    );
    assert.deepStrictEqual(r.request, {
      provider: 'pika',
      model: '2.0',
      image: 'assets/boat.png',
      prompt: 'A paper boat drifting down a rainy street, cinematic',
    });
    assert.strictEqual(r.mode, 'image-to-video');
    assert.deepStrictEqual(
      r.files.map((f) => [f.key, f.path, f.span.line]),
      [['image', 'assets/boat.png', 4]],
    );
  });

  it('the prompt is the prompt: value and the plain lines, in the order written', () => {
    const r = read(
      'A paper boat',
      'provider: gateway',
      'model: kling-v1',
      'prompt: drifting down',
      'a rainy street',
      'seconds: 5',
      'size: 1280x720',
      'seed: 7',
      'negative: fog',
    );
    assert.deepStrictEqual(r.problems, []);
    assert.deepStrictEqual(r.request, {
      provider: 'gateway',
      model: 'kling-v1',
      prompt: 'A paper boat drifting down a rainy street',
      seed: 7,
      negativePrompt: 'fog',
      options: { duration: 5, size: '1280x720' },
    });
  });

  it('absent keys take the defaults: the first provider and nothing else set', () => {
    const r = read('a fox in the snow');
    assert.deepStrictEqual(r.request, { provider: PROVIDER_LIST[0].id, prompt: 'a fox in the snow' });
    assert.deepStrictEqual(r.problems, []);
  });

  it("provider options go where the provider's fields say, numbers as numbers", () => {
    const r = read('a fox', 'motion: 2.5', 'guidanceScale: 20', 'frameRate: 12', 'camera.zoom: in', 'camera.pan: left', 'pikaffect: melt');
    assert.deepStrictEqual(r.problems, []);
    assert.deepStrictEqual(r.request.options, { motion: 2.5, guidanceScale: 20, frameRate: 12, camera: { zoom: 'in', pan: 'left' } });
    assert.strictEqual(r.request.pikaffect, 'Melt', 'choices are matched without case and written as listed');
    const h = read('provider: HiDream', 'a kite', 'resolution: 2048', 'motionStrength: 12', 'cameraDepth: -3', 'aspect: 9:16');
    assert.deepStrictEqual(h.problems, []);
    assert.deepStrictEqual(h.request, {
      provider: 'hidream',
      prompt: 'a kite',
      aspectRatio: '9:16',
      options: { resolution: 2048, motionStrength: 12, cameraDepth: -3 },
    });
  });

  it('the media keys choose the mode: images combine, a video restyles', () => {
    const r = read('model: 2.0', 'images: a.png, b.png , c.png', 'the three together', 'ingredientsMode: creative');
    assert.deepStrictEqual(r.problems, []);
    assert.strictEqual(r.mode, 'ingredients');
    assert.deepStrictEqual(r.request.images, ['a.png', 'b.png', 'c.png']);
    assert.deepStrictEqual(r.request.options, { ingredientsMode: 'creative' });
    assert.deepStrictEqual(
      r.files.map((f) => f.path),
      ['a.png', 'b.png', 'c.png'],
    );
    const v = read('provider: hidream', 'video: clips/walk.mp4', 'style: ink_wash', 'aspect: 1:1');
    assert.strictEqual(v.mode, 'video-edit');
    assert.deepStrictEqual(
      v.problems.map((p) => p.message),
      ['HiDream does not use aspect ratio for restyle a video; this line is left out.'],
    );
    assert.deepStrictEqual(v.request, { provider: 'hidream', prompt: '', video: 'clips/walk.mp4', style: 'ink_wash' });
  });

  it('keys are matched without regard to case', () => {
    const r = read('Provider: gateway', 'Model: veo3', 'PROMPT: a storm');
    assert.deepStrictEqual(r.problems, []);
    assert.deepStrictEqual(r.request, { provider: 'gateway', model: 'veo3', prompt: 'a storm' });
  });
});

describe('prompt blocks: diagnostics', () => {
  it('unknown keys, with a suggestion when one is close', () => {
    const r = read('aspetc: 16:9', 'mood: happy', 'a fox');
    assert.deepStrictEqual(
      r.problems.map((p) => [p.severity, p.span.line, p.message]),
      [
        ['error', 1, 'Unknown key "aspetc". Did you mean "aspect"? Write text without "key:" to put it in the prompt.'],
        ['error', 2, 'Unknown key "mood". Write text without "key:" to put it in the prompt.'],
      ],
    );
  });

  it('an unknown provider, pointing at its value', () => {
    const text = md('```video', 'provider: sora', 'a fox', '```');
    const r = readVideoBlock(only(text), catalog);
    assert.strictEqual(r.problems.length, 1);
    assert.strictEqual(r.problems[0].message, `Unknown provider "sora". Use one of: ${PROVIDER_LIST.map((p) => p.id).join(', ')}.`);
    const span = r.problems[0].span;
    assert.strictEqual(text.split('\n')[span.line].slice(span.start, span.end), 'sora');
  });

  it('bad values say what is allowed', () => {
    assert.deepStrictEqual(
      messages('a fox', 'seed: -1', 'motion: 9', 'frameRate: 12.5', 'aspect: wide', 'camera.zoom: sideways', 'model: 3.0'),
      [
        'seed: enter a whole number from 0 to 4294967295.',
        'motion: enter a number from 0 to 4.',
        'frameRate: enter a whole number from 8 to 24.',
        'aspect: use one of 16:9, 9:16, 1:1, 4:3, 3:4, 4:5, 21:9.',
        'camera.zoom: use one of in, out.',
        'model: Pika models here are 2.0, 1.5.',
      ],
    );
    assert.deepStrictEqual(messages('provider: gateway', 'model: kling v1', 'size: big', 'a fox'), [
      'model: a model id is letters, digits and . _ - : / only.',
      'size: use one of 1280x720, 720x1280, 1024x1024, 1920x1080, 960x960.',
    ]);
    assert.deepStrictEqual(messages('provider: hidream', 'model: x', 'style: oil', 'video: a.mp4'), [
      'HiDream has no model choice; remove this line.',
      'style: use one of barbie_doll, ink_wash, van_goph, hayao_miyazaki, cyber_punk, cartoon, anime, vector_art, abstract, watercolor.',
    ]);
    assert.deepStrictEqual(messages('images: one.png', 'model: 2.0'), ['images: give 2 to 10 paths separated by commas.']);
    assert.deepStrictEqual(
      messages('images: a.png, b.png', 'model: 1.5', 'x'),
      ['model: Pika models here are 2.0.'],
      'the models of the mode',
    );
  });

  it('a key of another provider names the providers it belongs to; media a provider cannot use are refused', () => {
    assert.deepStrictEqual(messages('provider: hidream', 'seed: 5', 'a fox'), [
      '"seed" is not a HiDream option (it applies to Pika, Video gateway, OpenRouter).',
    ]);
    assert.deepStrictEqual(messages('a fox', 'seconds: 5'), [
      '"seconds" is not a Pika option (it applies to Video gateway, OpenAI-compatible server).',
    ]);
    assert.deepStrictEqual(messages('a fox', 'video: walk.mp4'), ['Pika does not do "restyle a video"; hidream does.']);
  });

  it('empty values and repeated keys', () => {
    assert.deepStrictEqual(messages('a fox', 'seed:', 'aspect: 1:1', 'aspect: 16:9'), [
      '"aspect" is given twice (line 4); keep one.',
      '"seed" needs a value.',
    ]);
  });

  it("the provider's own rules apply once every line is valid, on the provider line or the fence", () => {
    const r = read('provider: gateway', 'a fox');
    assert.deepStrictEqual(
      r.problems.map((p) => [p.span.line, p.message]),
      [[1, PROVIDERS.gateway.validate({ provider: 'gateway', prompt: 'a fox' })]],
    );
    const noPrompt = read('aspect: 16:9');
    assert.deepStrictEqual(
      noPrompt.problems.map((p) => [p.span.line, p.message]),
      [[0, 'Enter a prompt.']],
    );
  });
});

describe('prompt blocks: prompt length', () => {
  it('uses the request limit of aiVideo.generate (4000 characters)', () => {
    assert.strictEqual(MAX_PROMPT_LENGTH, 4000);
    const ids = PROVIDER_LIST.map((p) => p.id);
    assert.doesNotThrow(() => parseGenerateRequest({ provider: 'pika', prompt: 'x'.repeat(MAX_PROMPT_LENGTH) }, ids));
    assert.throws(() => parseGenerateRequest({ provider: 'pika', prompt: 'x'.repeat(MAX_PROMPT_LENGTH + 1) }, ids), /too long/);
  });

  it('a block whose prompt is longer gets an error on its first prompt line, so its Generate lens sends nothing', () => {
    const words = 'a paper boat drifts '.repeat(120).trim(); // 2399 characters
    const r = read('provider: pika', words, 'seed: 3', `prompt: ${words}`);
    assert.ok(r.request.prompt.length > MAX_PROMPT_LENGTH);
    const errors = r.problems.filter((p) => p.severity === 'error');
    assert.deepStrictEqual(
      errors.map((p) => [p.span.line, p.message]),
      [[2, `The prompt is ${r.request.prompt.length} characters long; ${MAX_PROMPT_LENGTH} at most.`]],
    );
  });

  it('a prompt of exactly the limit, over several lines, is fine', () => {
    const r = read('x'.repeat(MAX_PROMPT_LENGTH / 2), 'y'.repeat(MAX_PROMPT_LENGTH / 2 - 1));
    assert.strictEqual(r.request.prompt.length, MAX_PROMPT_LENGTH);
    assert.deepStrictEqual(r.problems, []);
  });
});

describe('prompt blocks: completion and hover data', () => {
  it('keys offered depend on the provider and the mode, and leave out the used ones', () => {
    const pika = keysFor(PROVIDERS.pika, 'text-to-video', new Set(['prompt'])).map((k) => k.key);
    assert.ok(
      pika.includes('pikaffect') &&
        pika.includes('camera.zoom') &&
        pika.includes('negative') &&
        pika.includes('aspect') &&
        pika.includes('images'),
    );
    assert.ok(
      !pika.includes('prompt') &&
        !pika.includes('style') &&
        !pika.includes('seconds') &&
        !pika.includes('video') &&
        !pika.includes('ingredientsMode'),
    );
    assert.ok(!keysFor(PROVIDERS.pika, 'image-to-video', new Set()).some((k) => k.key === 'aspect'), 'no aspect when animating an image');
    const hidream = keysFor(PROVIDERS.hidream, 'video-edit', new Set()).map((k) => k.key);
    assert.ok(hidream.includes('style') && hidream.includes('video') && !hidream.includes('resolution') && !hidream.includes('seed'));
  });

  it('values: providers, models, enum values', () => {
    assert.deepStrictEqual(
      valuesFor(catalog, PROVIDERS.pika, 'text-to-video', 'provider'),
      PROVIDER_LIST.map((p) => p.id),
    );
    assert.deepStrictEqual(valuesFor(catalog, PROVIDERS.pika, 'text-to-video', 'model'), ['2.0', '1.5']);
    assert.deepStrictEqual(valuesFor(catalog, PROVIDERS.gateway, 'text-to-video', 'model'), CONFIGURED);
    assert.deepStrictEqual(valuesFor(catalog, PROVIDERS.hidream, 'text-to-video', 'aspect'), ['16:9', '1:1', '9:16']);
    assert.deepStrictEqual(valuesFor(catalog, PROVIDERS.hidream, 'text-to-video', 'resolution'), ['1024', '2048', '4096']);
    assert.deepStrictEqual(valuesFor(catalog, PROVIDERS.pika, 'text-to-video', 'negative'), []);
    assert.strictEqual(providerOf(only(md('```video', 'provider: Gateway', '```')), catalog).id, 'gateway');
    assert.strictEqual(providerOf(only(md('```video', 'provider: nope', '```')), catalog), PROVIDER_LIST[0]);
    assert.strictEqual(modeOf(only(md('```video', 'image: a.png', '```'))), 'image-to-video');
  });

  it("a hover describes a common key, or each provider's field of that name", () => {
    assert.deepStrictEqual(describeKey(catalog, 'Image'), {
      key: 'image',
      doc: 'An image to animate: a path relative to the workspace folder (or absolute), or an https URL.',
    });
    const aspect = describeKey(catalog, 'aspect');
    assert.ok(aspect && 'fields' in aspect);
    assert.deepStrictEqual(
      aspect.fields.map((f) => f.provider.id),
      ['pika', 'gateway', 'hidream', 'openrouter', 'fal'],
    );
    assert.strictEqual(describeKey(catalog, 'mood'), undefined);
  });
});

describe('prompt blocks: neutral keys and the model catalogue', () => {
  const veo: CatalogModel = {
    id: 'google/veo-3.1',
    label: 'Veo 3.1',
    modes: ['text-to-video', 'image-to-video'],
    capabilities: { durations: [4, 6, 8], resolutions: ['720p', '1080p'], audio: true, frames: { first: true, last: true } },
  };
  const mute: CatalogModel = {
    id: 'alibaba/wan-2.6',
    label: 'Wan 2.6',
    modes: ['text-to-video'],
    capabilities: { durations: [5, 10], audio: false, frames: { first: true, last: false } },
  };
  const retired: LifecycleVerdict = { state: 'retired', date: '2026-09-24', certain: false, source: 'retirements', by: 'OpenAI' };
  const withModels: PromptCatalog = {
    ...catalog,
    model: (_p, id) => [veo, mute].find((m) => m.id === id),
    lifecycle: (p, id) => (p.id === 'openai' && id === 'sora-2' ? retired : undefined),
  };
  const readWith = (...body: string[]) => readVideoBlock(only(['```video', ...body, '```'].join('\n')), withModels);

  it('reads duration, resolution, audio and lastFrame onto the request (lastFrame is a file to check like image)', () => {
    const r = readWith(
      'provider: openrouter',
      'model: google/veo-3.1',
      'duration: 8',
      'resolution: 1080p',
      'audio: true',
      'lastFrame: end.png',
      'A fox',
    );
    assert.deepStrictEqual(r.problems, []);
    assert.strictEqual(r.request.duration, 8);
    assert.strictEqual(r.request.resolution, '1080p');
    assert.strictEqual(r.request.audio, true);
    assert.strictEqual(r.request.lastFrame, 'end.png');
    assert.deepStrictEqual(
      r.files.map((f) => [f.key, f.path]),
      [['lastFrame', 'end.png']],
    );
  });

  it('refuses, on its line, a duration, sound or last frame the model does not take, naming what it takes', () => {
    const r = readWith('provider: openrouter', 'duration: 10', 'model: google/veo-3.1', 'A fox');
    assert.deepStrictEqual(
      r.problems.map((p) => [p.span.line, p.message]),
      [[2, 'duration: Veo 3.1 takes 4, 6 or 8 seconds.']],
    );
    const m = readWith('provider: openrouter', 'model: alibaba/wan-2.6', 'audio: true', 'lastFrame: end.png', 'A fox').problems.map(
      (p) => p.message,
    );
    assert.deepStrictEqual(m, ['audio: Wan 2.6 does not generate sound.', 'lastFrame: Wan 2.6 does not take a last frame.']);
    assert.match(readWith('provider: openrouter', 'duration: soon', 'A fox').problems[0].message, /^duration: give the length in seconds/);
  });

  it("a provider's own field of the same name wins over the neutral key (HiDream's resolution)", () => {
    const r = readWith('provider: hidream', 'resolution: 2048', 'A fox');
    assert.strictEqual(r.request.resolution, undefined);
    assert.strictEqual(r.request.options?.resolution, 2048);
  });

  it('warns about a retired model on its model line, saying the name may mean something else on this server', () => {
    const r = readWith('provider: openai', 'model: sora-2', 'A fox');
    const p = r.problems.find((x) => x.code === 'retired-model');
    assert.ok(p, JSON.stringify(r.problems));
    assert.strictEqual(p.severity, 'warning');
    assert.strictEqual(p.span.line, 2);
    assert.strictEqual(p.message, 'sora-2: the name was retired at OpenAI on 2026-09-24 and may mean something else on this server.');
    assert.strictEqual(
      lifecycleWarning('sora-2', { ...retired, certain: true, hint: 'Choose another.' }),
      'sora-2 was retired on 2026-09-24. Choose another.',
    );
    assert.strictEqual(lifecycleWarning('x', { state: 'available', certain: true, source: 'catalog' }), undefined);
  });

  it('completion offers only the neutral keys and values the model takes; hover says what it takes', () => {
    const keys = keysFor(PROVIDERS.openrouter, 'text-to-video', new Set(), mute).map((o) => o.key);
    assert.ok(keys.includes('duration') && !keys.includes('audio') && !keys.includes('lastFrame'), keys.join());
    assert.ok(
      keysFor(PROVIDERS.openrouter, 'text-to-video', new Set()).some((o) => o.key === 'audio'),
      'unknown model: every neutral key',
    );
    assert.deepStrictEqual(valuesFor(withModels, PROVIDERS.openrouter, 'text-to-video', 'duration', veo), ['4', '6', '8']);
    assert.deepStrictEqual(valuesFor(withModels, PROVIDERS.openrouter, 'text-to-video', 'resolution', veo), ['720p', '1080p']);
    assert.strictEqual(modelHint(veo, 'duration'), 'Veo 3.1 takes 4, 6 or 8 seconds.');
    const info = describeKey(withModels, 'lastFrame');
    assert.ok(info && 'doc' in info && /ends on/.test(info.doc));
  });
});

describe('prompt blocks: a model whose options the provider gives per model (Replicate schemas)', function () {
  const fence = '`'.repeat(3);
  const options = {
    fields: [
      { kind: 'enum' as const, key: 'motion', label: 'motion', values: ['calm', 'wild'], default: 'calm' },
      { kind: 'number' as const, key: 'steps', label: 'steps', min: 1, max: 50, integer: true },
    ],
    check: (r: { options?: Record<string, unknown> }) => (r.options?.steps === 13 ? 'acme/reel refuses 13 steps.' : undefined),
  };
  const withSchema: PromptCatalog = {
    ...catalog,
    modelOptions: (p, id) => (p.id === 'replicate' && id === 'acme/reel' ? options : undefined),
  };
  const block = (...lines: string[]) => only(md(`${fence}video`, 'provider: replicate', ...lines, 'a reel', fence));

  it('the model named by the block gives its keys: completion, values, reading and its check', function () {
    const b = block('model: acme/reel', 'motion: wild', 'steps: 12');
    const provider = providerOf(b, withSchema);
    assert.deepStrictEqual(
      keysFor(provider, 'text-to-video', new Set(['provider', 'model', 'motion', 'steps']))
        .filter((k) => k.field)
        .map((k) => k.key),
      [],
    );
    assert.deepStrictEqual(
      keysFor(provider, 'text-to-video', new Set())
        .filter((k) => k.field)
        .map((k) => k.key),
      ['motion', 'steps'],
    );
    assert.deepStrictEqual(valuesFor(withSchema, provider, 'text-to-video', 'motion'), ['calm', 'wild']);
    const read = readVideoBlock(b, withSchema);
    assert.deepStrictEqual(read.problems, []);
    assert.deepStrictEqual(read.request.options, { motion: 'wild', steps: 12 });
    const bad = readVideoBlock(block('model: acme/reel', 'motion: sideways', 'steps: 13'), withSchema);
    assert.deepStrictEqual(
      bad.problems.map((p) => p.message),
      ['motion: use one of calm, wild.'],
    );
    const refused = readVideoBlock(block('model: acme/reel', 'steps: 13'), withSchema);
    assert.deepStrictEqual(
      refused.problems.map((p) => p.message),
      ['acme/reel refuses 13 steps.'],
    );
  });

  it('without the schema at hand (or for another model) the keys are unknown', function () {
    const read = readVideoBlock(block('model: acme/other', 'steps: 12'), withSchema);
    assert.ok(
      read.problems.some((p) => /Unknown key "steps"/.test(p.message)),
      JSON.stringify(read.problems),
    );
  });
});
