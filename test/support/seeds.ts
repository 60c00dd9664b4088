// The example JSON of the four seed documents the product was specified from, verbatim, shared by the
// emulator and provider tests. The documents are not in the repository: docs/providers/README.md says what
// each one is, and docs/providers/<id>.md restates them. Treat these as read-only: spread a copy to change a field.

// Seed 000 (docs/providers/pika.md): the 200 answer of GET /pika/feed/{task_id}.
export const SEED_000_FEED = {
  id: 'c8091b7b-06df-48ed-8fe3-8ee8f1e367c2',
  promptText: '苹果蒸发',
  videos: [
    {
      id: 'c8091b7b-06df-48ed-8fe3-8ee8f1e367c2',
      status: 'finished',
      progress: 100,
      seed: 393769667,
      resultUrl: 'https://cdn.pika.art/v1/c8091b7b-06df-48ed-8fe3-8ee8f1e367c2/_____seed393769667.mp4',
      sharingUrl: 'https://cdn.pika.art/v1/c8091b7b-06df-48ed-8fe3-8ee8f1e367c2/_____seed393769667_share.mp4',
      videoPoster: 'https://cdn.pika.art/v1/c8091b7b-06df-48ed-8fe3-8ee8f1e367c2/poster.jpg',
      imageThumb: 'https://cdn.pika.art/v1/c8091b7b-06df-48ed-8fe3-8ee8f1e367c2/thumbnail.jpg',
      duration: 5,
    },
  ],
};

// Seed 001 (docs/providers/gateway.md): the flat task answer, assembled from the schema's field examples.
export const SEED_001_FLAT = {
  task_id: 'abcd1234efgh',
  status: 'completed',
  url: 'https://example.com/video.mp4',
  format: 'mp4',
  metadata: { duration: 5, fps: 30, width: 1280, height: 720, seed: 20231234 },
};

// Seed 001 (docs/providers/gateway.md): the schema's x-apifox-orders of the flat task answer.
export const SEED_001_FLAT_KEYS = ['task_id', 'status', 'url', 'format', 'metadata', 'error'];

// Seed 001 (docs/providers/gateway.md): the schema's x-apifox-orders of its `metadata`.
export const SEED_001_METADATA_KEYS = ['duration', 'fps', 'width', 'height', 'seed'];

// Seed 002 (docs/providers/pika.md): the create curl body (the request body minus its illustrative empty `image`).
export const SEED_002_CREATE = {
  pikaffect: '',
  promptText: 'moving',
  model: '1.5',
  options: {
    aspectRatio: 1.7777777777777777,
    frameRate: 24,
    camera: {},
    parameters: { guidanceScale: 12, motion: 1, negativePrompt: '' },
    extend: false,
  },
};

// Seed 002 (docs/providers/pika.md): the ingredient (several images) request body.
export const SEED_002_INGREDIENT = {
  pikaffect: '',
  model: '2.0',
  promptText: 'pick it',
  options: {
    aspectRatio: 1.7777777777777777,
    frameRate: 24,
    camera: {},
    parameters: { guidanceScale: 12, motion: 1, negativePrompt: '' },
    extend: false,
    'ingredients-mode': 'precise',
  },
  ingredient: ['https://www.openai-hk.com/res/img/open.png', 'https://cos.aitutu.cc/gpts/o1-all.jpg'],
};

// Seed 002 (docs/providers/pika.md): the answer of GET /pika/feed/{id}.
export const SEED_002_FEED = {
  id: '66e0818e-05fb-454e-b246-a6f253e9ffbf',
  promptText: 'Plane fly',
  videos: [
    {
      id: '66e0818e-05fb-454e-b246-a6f253e9ffbf',
      status: 'finished',
      seed: 3183047765,
      resultUrl: 'https://cdn.pika.art/v1/66e0818e-05fb-454e-b246-a6f253e9ffbf/Plane_fly_seed3183047765.mp4',
      sharingUrl: 'https://cdn.pika.art/v1/66e0818e-05fb-454e-b246-a6f253e9ffbf/Plane_fly_seed3183047765_share.mp4',
      videoPoster: 'https://cdn.pika.art/v1/66e0818e-05fb-454e-b246-a6f253e9ffbf/poster.jpg',
      imageThumb: 'https://cdn.pika.art/v1/66e0818e-05fb-454e-b246-a6f253e9ffbf/thumbnail.jpg',
      duration: 5,
      error: '',
      progress: 100,
    },
  ],
};

// Seed 003 (docs/providers/hidream.md): the example answer of the batch results query.
export const SEED_003_BATCH = {
  code: 0,
  message: '请求成功',
  request_id: 'cdb5f35a-e11b-11ee-b3bd-6aea5a175df8',
  result: [
    {
      sub_task_results: [
        {
          sub_task_id: '67375f2a-bd41-4905-b422-61e957e1be89',
          task_completion: 1,
          task_status: 1,
          video: 'https://media.hidreamai.com/99090e36-9ac1-439f-91c7-5f62293e8904.mp4',
          video_wm: 'https://media.hidreamai.com/99090e36-9ac1-439f-91c7-5f62293e8904_wm.mp4',
        },
      ],
      task_id: 'f48051cc-e109-11ee-b588-be4091741d67',
    },
    {
      sub_task_results: [
        {
          sub_task_id: '49df0d8c-6c71-4a41-8032-cf427c9bc726',
          task_completion: 1,
          task_status: 1,
          video: 'https://media.hidreamai.com/74109859-4ac6-48c5-ba5b-aa5a027b8461.mp4',
          video_wm: 'https://media.hidreamai.com/74109859-4ac6-48c5-ba5b-aa5a027b8461_wm.mp4',
        },
      ],
      task_id: 'c29574f4-e117-11ee-aee0-8ab6933153da',
    },
  ],
};
