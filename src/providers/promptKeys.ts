// The keys of a ```video prompt block (see core/promptBlocks.ts): the common ones, then each
// provider's options under the names its request options use.
import { KeySpec, PromptCatalog } from '../core/promptBlocks';
import { PROVIDER_IDS, PROVIDER_LABELS } from '../core/types';
import { HIDREAM_ASPECTS, HIDREAM_RESOLUTIONS, HIDREAM_STYLES } from './hidream';
import { PROVIDERS } from './index';
import { PIKA_CAMERA, PIKA_MODELS, PIKAFFECTS } from './pika';

const COMMON_ASPECTS = ['16:9', '9:16', '1:1', '4:3', '3:4', '4:5', '21:9'] as const;
const GATEWAY_SIZES = ['1280x720', '720x1280', '1024x1024', '1920x1080', '960x960'] as const;

const KEYS: readonly KeySpec[] = [
  { key: 'provider', doc: 'Which service makes the video. Without this line: pika.', value: { kind: 'provider' }, target: 'provider' },
  { key: 'model', doc: 'The model: Pika 1.5 or 2.0, or a gateway model id such as kling-v1. HiDream has no model choice.', value: { kind: 'model' }, target: 'model' },
  { key: 'prompt', doc: 'What the video shows. Lines without a `key:` are part of the prompt too.', value: { kind: 'text' }, target: 'prompt' },
  { key: 'negative', doc: 'What should not appear in the video.', value: { kind: 'text' }, target: 'negativePrompt', providers: ['pika', 'gateway'] },
  {
    key: 'aspect',
    doc: 'Width to height of a video made from text, like 16:9. Pika takes 2:5 to 5:2, HiDream 16:9, 1:1 or 9:16.',
    value: { kind: 'aspect' },
    target: 'aspectRatio',
    ignore: (req) =>
      req.provider === 'pika' && req.image
        ? 'Pika takes the aspect ratio from the image; this line is left out.'
        : req.provider === 'hidream' && req.video
          ? 'A restyled video keeps its own aspect ratio; this line is left out.'
          : undefined,
    suggest: (p) => (p === 'hidream' ? HIDREAM_ASPECTS : COMMON_ASPECTS),
  },
  { key: 'seed', doc: 'A whole number that makes a result reproducible; random without it.', value: { kind: 'integer', min: 0, max: 0xffffffff }, target: 'seed', providers: ['pika', 'gateway'] },
  { key: 'seconds', doc: 'Length of the video in seconds, for gateway models that take a duration.', value: { kind: 'integer', min: 1, max: 60 }, target: 'options.duration', providers: ['gateway'] },
  { key: 'size', doc: 'Frame size in pixels, width x height.', value: { kind: 'size' }, target: 'options.size', providers: ['gateway'], suggest: () => GATEWAY_SIZES },
  { key: 'image', doc: 'An image to animate: a path relative to the workspace folder (or absolute), or an https URL.', value: { kind: 'file' }, target: 'image' },
  { key: 'images', doc: 'Several images (Pika 2.0 ingredients), separated by commas.', value: { kind: 'files', min: 2, max: 10 }, target: 'images', providers: ['pika'] },
  { key: 'video', doc: 'A video to restyle (HiDream video_edit): a workspace path or an https URL.', value: { kind: 'file' }, target: 'video', providers: ['hidream'] },
  { key: 'style', doc: 'The style of a restyled video.', value: { kind: 'choice', values: HIDREAM_STYLES }, target: 'style', providers: ['hidream'] },
  { key: 'pikaffect', doc: 'An effect applied to the subject; it adds sound.', value: { kind: 'choice', values: PIKAFFECTS }, target: 'pikaffect', providers: ['pika'] },
  { key: 'motion', doc: 'How much moves, 0 to 4 (default 1).', value: { kind: 'number', min: 0, max: 4 }, target: 'options.motion', providers: ['pika'] },
  { key: 'guidanceScale', doc: 'How closely the video follows the prompt, 5 to 25 (default 12).', value: { kind: 'number', min: 5, max: 25 }, target: 'options.guidanceScale', providers: ['pika'] },
  { key: 'frameRate', doc: 'Frames per second, 8 to 24 (default 24).', value: { kind: 'integer', min: 8, max: 24 }, target: 'options.frameRate', providers: ['pika'] },
  ...(Object.keys(PIKA_CAMERA) as (keyof typeof PIKA_CAMERA)[]).map(
    (axis): KeySpec => ({ key: `camera.${axis}`, doc: `Camera ${axis}.`, value: { kind: 'choice', values: PIKA_CAMERA[axis] }, target: `options.camera.${axis}`, providers: ['pika'] }),
  ),
  { key: 'ingredientsMode', doc: 'How Pika combines several images.', value: { kind: 'choice', values: ['precise', 'creative'] }, target: 'options.ingredientsMode', providers: ['pika'] },
  { key: 'motionStrength', doc: 'How much moves, 0 to 30 (default 9).', value: { kind: 'integer', min: 0, max: 30 }, target: 'options.motionStrength', providers: ['hidream'] },
  { key: 'cameraHorizontal', doc: 'Horizontal camera move, -5 to 5.', value: { kind: 'integer', min: -5, max: 5 }, target: 'options.cameraHorizontal', providers: ['hidream'] },
  { key: 'cameraVertical', doc: 'Vertical camera move, -5 to 5.', value: { kind: 'integer', min: -5, max: 5 }, target: 'options.cameraVertical', providers: ['hidream'] },
  { key: 'cameraDepth', doc: 'Camera move in depth, -5 to 5.', value: { kind: 'integer', min: -5, max: 5 }, target: 'options.cameraDepth', providers: ['hidream'] },
  { key: 'resolution', doc: 'Output resolution.', value: { kind: 'choice', values: HIDREAM_RESOLUTIONS.map(String), numeric: true }, target: 'options.resolution', providers: ['hidream'] },
];

/** The catalog, with the gateway models the user's settings (and the gateway) offer. */
export function promptCatalog(gatewayModels: readonly string[]): PromptCatalog {
  return {
    keys: KEYS,
    providers: PROVIDER_IDS,
    providerLabels: PROVIDER_LABELS,
    defaultProvider: 'pika',
    models: {
      pika: { ids: PIKA_MODELS, open: false },
      gateway: { ids: gatewayModels, open: true },
      hidream: { ids: [], open: false },
    },
    validate: (req) => PROVIDERS[req.provider].validate(req),
  };
}
