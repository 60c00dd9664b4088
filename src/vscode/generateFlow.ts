// The Command Palette flow: provider -> mode -> model -> media -> prompt -> options, with back
// navigation and validation, remembering the last choices per provider.
import * as vscode from 'vscode';
import { GenerateRequest, GenerationMode, PROVIDER_IDS, PROVIDER_LABELS, ProviderId } from '../core/types';
import { PIKA_CAMERA, PIKAFFECTS } from '../providers/pika';
import { HIDREAM_STYLES } from '../providers/hidream';
import { ProviderClient } from '../providers/provider';
import { IMAGE_EXTENSIONS, VIDEO_EXTENSIONS } from '../core/media';
import { InputStep, MultiStepInput } from './multiStepInput';

export interface FlowDeps {
  providers: Partial<Record<ProviderId, ProviderClient>>;
  memento: vscode.Memento;
  hasKey(p: ProviderId): Promise<boolean>;
  /** Extra model ids for a provider (gateway: settings + GET /v1/models), best effort. */
  models(p: ProviderId): Promise<string[]>;
  /** Preset values (from the Explorer: images or a video already chosen; from the editor: the prompt). */
  preset?: Partial<GenerateRequest> & { mode?: GenerationMode };
}

const MODE_LABELS: Record<GenerationMode, string> = {
  'text-to-video': 'Text to video',
  'image-to-video': 'Image to video',
  ingredients: 'Several images (ingredients)',
  'video-edit': 'Restyle a video',
};

export const PROVIDER_MODES: Record<ProviderId, GenerationMode[]> = {
  pika: ['text-to-video', 'image-to-video', 'ingredients'],
  gateway: ['text-to-video', 'image-to-video'],
  hidream: ['text-to-video', 'image-to-video', 'video-edit'],
};

const ASPECTS: Record<ProviderId, string[]> = {
  pika: ['16:9', '9:16', '1:1', '4:3', '3:4', '4:5', '21:9'],
  gateway: ['16:9', '9:16', '1:1'],
  hidream: ['16:9', '1:1', '9:16'],
};

interface State {
  provider: ProviderId;
  mode: GenerationMode;
  req: GenerateRequest;
  step: number;
}

type Item<T> = vscode.QuickPickItem & { value: T };

const TITLE = 'AI Video: Generate Video';
const memoKey = (p: ProviderId) => `aiVideo.lastChoices.${p}`;

/** Options edited on the options page, per provider. */
interface OptionRow {
  id: string;
  label: string;
  show(s: State): boolean;
  describe(s: State): string;
  edit(input: MultiStepInput, s: State): Promise<void>;
}

function opt(s: State): Record<string, unknown> {
  s.req.options ??= {};
  return s.req.options;
}

function numberBox(id: string, label: string, min: number, max: number, integer: boolean, def: string, providers: ProviderId[]): OptionRow {
  return {
    id,
    label,
    show: (s) => providers.includes(s.provider),
    describe: (s) => (opt(s)[id] !== undefined ? String(opt(s)[id]) : `default (${def})`),
    async edit(input, s) {
      const v = await input.showInputBox({
        title: `${TITLE}: ${label}`,
        step: s.step,
        totalSteps: s.step,
        value: opt(s)[id] !== undefined ? String(opt(s)[id]) : '',
        prompt: `${label}: ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}. Leave empty for the default (${def}).`,
        validate: (x) => {
          if (x.trim() === '') return undefined;
          const n = Number(x);
          if (!Number.isFinite(n) || n < min || n > max) return `Enter a number from ${min} to ${max}.`;
          if (integer && !Number.isInteger(n)) return 'Enter a whole number.';
          return undefined;
        },
      });
      if (v.trim() === '') delete opt(s)[id];
      else opt(s)[id] = Number(v);
    },
  };
}

function pickRow(id: string, label: string, values: readonly string[], providers: ProviderId[], show?: (s: State) => boolean): OptionRow {
  return {
    id,
    label,
    show: (s) => providers.includes(s.provider) && (show?.(s) ?? true),
    describe: (s) => (opt(s)[id] !== undefined ? String(opt(s)[id]) : 'none'),
    async edit(input, s) {
      const items: Item<string | undefined>[] = [{ label: 'None', value: undefined }, ...values.map((v) => ({ label: v, value: v }))];
      const cur = items.find((i) => i.value === opt(s)[id]);
      const picked = await input.showQuickPick({ title: `${TITLE}: ${label}`, step: s.step, totalSteps: s.step, items, activeItem: cur, placeholder: label });
      if (picked.value === undefined) delete opt(s)[id];
      else opt(s)[id] = picked.value;
    },
  };
}

const OPTION_ROWS: OptionRow[] = [
  {
    id: 'negativePrompt',
    label: 'Negative prompt',
    show: (s) => s.mode !== 'video-edit' && s.provider !== 'hidream',
    describe: (s) => s.req.negativePrompt || 'none',
    async edit(input, s) {
      const v = await input.showInputBox({ title: `${TITLE}: Negative prompt`, step: s.step, totalSteps: s.step, value: s.req.negativePrompt ?? '', prompt: 'What should not appear (optional).' });
      if (v.trim()) s.req.negativePrompt = v.trim();
      else delete s.req.negativePrompt;
    },
  },
  {
    id: 'aspectRatio',
    label: 'Aspect ratio',
    show: (s) => s.mode === 'text-to-video' || (s.provider === 'pika' && s.mode === 'ingredients') || (s.provider === 'hidream' && s.mode === 'image-to-video'),
    describe: (s) => s.req.aspectRatio ?? 'default',
    async edit(input, s) {
      const items: Item<string | undefined>[] = [{ label: 'Default', value: undefined }, ...ASPECTS[s.provider].map((a) => ({ label: a, value: a }))];
      const picked = await input.showQuickPick({ title: `${TITLE}: Aspect ratio`, step: s.step, totalSteps: s.step, items, activeItem: items.find((i) => i.value === s.req.aspectRatio), placeholder: 'Aspect ratio' });
      if (picked.value) s.req.aspectRatio = picked.value;
      else delete s.req.aspectRatio;
    },
  },
  {
    id: 'seed',
    label: 'Seed',
    show: (s) => s.provider !== 'hidream',
    describe: (s) => (s.req.seed !== undefined ? String(s.req.seed) : 'random'),
    async edit(input, s) {
      const v = await input.showInputBox({
        title: `${TITLE}: Seed`,
        step: s.step,
        totalSteps: s.step,
        value: s.req.seed !== undefined ? String(s.req.seed) : '',
        prompt: 'A whole number to reproduce a result; leave empty for random.',
        validate: (x) => (x.trim() === '' || (/^\d+$/.test(x.trim()) && Number(x) <= 0xffffffff) ? undefined : 'Enter a whole number from 0 to 4294967295.'),
      });
      if (v.trim()) s.req.seed = Number(v);
      else delete s.req.seed;
    },
  },
  {
    id: 'pikaffect',
    label: 'Pikaffect',
    show: (s) => s.provider === 'pika',
    describe: (s) => s.req.pikaffect || 'none',
    async edit(input, s) {
      const items: Item<string | undefined>[] = [{ label: 'None', value: undefined }, ...PIKAFFECTS.map((p) => ({ label: p, value: p, description: 'adds sound' }))];
      const picked = await input.showQuickPick({ title: `${TITLE}: Pikaffect`, step: s.step, totalSteps: s.step, items, activeItem: items.find((i) => i.value === s.req.pikaffect), placeholder: 'An effect applied to the subject' });
      if (picked.value) s.req.pikaffect = picked.value;
      else delete s.req.pikaffect;
    },
  },
  {
    id: 'style',
    label: 'Style',
    show: (s) => s.mode === 'video-edit',
    describe: (s) => s.req.style ?? 'none (use the prompt)',
    async edit(input, s) {
      const items: Item<string | undefined>[] = [{ label: 'None (use the prompt)', value: undefined }, ...HIDREAM_STYLES.map((st) => ({ label: st, value: st }))];
      const picked = await input.showQuickPick({ title: `${TITLE}: Style`, step: s.step, totalSteps: s.step, items, activeItem: items.find((i) => i.value === s.req.style), placeholder: 'Style for the restyled video' });
      if (picked.value) s.req.style = picked.value;
      else delete s.req.style;
    },
  },
  numberBox('motion', 'Motion', 0, 4, false, '1', ['pika']),
  numberBox('guidanceScale', 'Guidance scale', 5, 25, false, '12', ['pika']),
  numberBox('frameRate', 'Frame rate', 8, 24, true, '24', ['pika']),
  ...(Object.keys(PIKA_CAMERA) as (keyof typeof PIKA_CAMERA)[]).map((axis) => ({
    id: `camera.${axis}`,
    label: `Camera ${axis}`,
    show: (s: State) => s.provider === 'pika',
    describe: (s: State) => ((opt(s).camera as Record<string, string> | undefined)?.[axis] ?? 'none'),
    async edit(input: MultiStepInput, s: State) {
      const items: Item<string | undefined>[] = [{ label: 'None', value: undefined }, ...PIKA_CAMERA[axis].map((v) => ({ label: v, value: v }))];
      const camera = { ...((opt(s).camera as Record<string, string>) ?? {}) };
      const picked = await input.showQuickPick({ title: `${TITLE}: Camera ${axis}`, step: s.step, totalSteps: s.step, items, activeItem: items.find((i) => i.value === camera[axis]), placeholder: `Camera ${axis}` });
      if (picked.value) camera[axis] = picked.value;
      else delete camera[axis];
      opt(s).camera = camera;
    },
  })),
  pickRow('ingredientsMode', 'Ingredients mode', ['precise', 'creative'], ['pika'], (s) => s.mode === 'ingredients'),
  numberBox('duration', 'Duration (seconds)', 1, 60, true, 'model default', ['gateway']),
  pickRow('size', 'Size', ['1280x720', '720x1280', '1024x1024', '1920x1080', '960x960'], ['gateway']),
  numberBox('motionStrength', 'Motion strength', 0, 30, true, '9', ['hidream']),
  numberBox('cameraHorizontal', 'Camera horizontal move', -5, 5, true, '0', ['hidream']),
  numberBox('cameraVertical', 'Camera vertical move', -5, 5, true, '0', ['hidream']),
  numberBox('cameraDepth', 'Camera depth move', -5, 5, true, '0', ['hidream']),
  pickRow('resolution', 'Resolution', ['1024', '2048', '4096'], ['hidream']),
];

/** Runs the flow; resolves to a request, or undefined when the user cancelled. */
export async function runGenerateFlow(deps: FlowDeps): Promise<GenerateRequest | undefined> {
  const preset = deps.preset ?? {};
  const s: State = {
    provider: preset.provider ?? deps.memento.get<ProviderId>('aiVideo.lastProvider') ?? 'pika',
    mode: preset.mode ?? 'text-to-video',
    req: { provider: 'pika', prompt: preset.prompt ?? '' },
    step: 1,
  };
  const presetMedia = { image: preset.image, images: preset.images, video: preset.video };

  const pickProvider: InputStep = async (input) => {
    const allowed = PROVIDER_IDS.filter((p) => deps.providers[p] && (!preset.mode || PROVIDER_MODES[p].includes(preset.mode)));
    const items: Item<ProviderId>[] = await Promise.all(
      allowed.map(async (p) => ({
        label: PROVIDER_LABELS[p],
        value: p,
        description: (await deps.hasKey(p)) ? '$(key) key set' : 'no key yet',
        detail: p === 'pika' ? 'Pika 1.5 / 2.0: text, image, ingredients, Pikaffects' : p === 'gateway' ? 'Kling, Vidu, Jimeng, Seedance, Veo, Hailuo… behind /v1/video/generations' : 'HiDream: text, image, video restyle',
      })),
    );
    if (items.length === 1) {
      s.provider = items[0].value;
      return chooseMode;
    }
    const picked = await input.showQuickPick({ title: TITLE, step: 1, totalSteps: 4, items, activeItem: items.find((i) => i.value === s.provider), placeholder: 'Choose a provider' });
    s.provider = picked.value;
    return chooseMode;
  };

  const chooseMode: InputStep = async (input) => {
    const last = deps.memento.get<Partial<GenerateRequest> & { mode?: GenerationMode }>(memoKey(s.provider)) ?? {};
    s.req = {
      provider: s.provider,
      prompt: s.req.prompt,
      model: last.model,
      negativePrompt: last.negativePrompt,
      aspectRatio: last.aspectRatio,
      pikaffect: last.pikaffect,
      style: last.style,
      options: last.options ? { ...last.options } : undefined,
      ...presetMedia,
    };
    const modes = PROVIDER_MODES[s.provider].filter((m) => !preset.mode || m === preset.mode);
    if (modes.length === 1) {
      s.mode = modes[0];
      return chooseModel;
    }
    const items: Item<GenerationMode>[] = modes.map((m) => ({ label: MODE_LABELS[m], value: m }));
    const picked = await input.showQuickPick({ title: `${TITLE}: ${PROVIDER_LABELS[s.provider]}`, step: 2, totalSteps: 5, items, activeItem: items.find((i) => i.value === (last.mode ?? s.mode)), placeholder: 'What do you want to make?' });
    s.mode = picked.value;
    return chooseModel;
  };

  const chooseModel: InputStep = async (input) => {
    if (s.provider === 'hidream') {
      delete s.req.model;
      return chooseMedia;
    }
    let ids: string[];
    if (s.provider === 'pika') ids = s.mode === 'ingredients' ? ['2.0'] : ['2.0', '1.5'];
    else ids = await deps.models(s.provider);
    const OTHER = '\u0000other';
    const items: Item<string>[] = ids.map((m) => ({ label: m, value: m }));
    if (s.provider === 'gateway') items.push({ label: '$(edit) Other model id…', value: OTHER });
    const picked = await input.showQuickPick({ title: `${TITLE}: ${PROVIDER_LABELS[s.provider]} model`, step: 3, totalSteps: 5, items, activeItem: items.find((i) => i.value === s.req.model), placeholder: 'Choose a model' });
    if (picked.value === OTHER) {
      s.req.model = (
        await input.showInputBox({ title: `${TITLE}: model id`, step: 3, totalSteps: 5, value: s.req.model ?? '', prompt: 'The model id as the gateway names it, e.g. kling-v1', validate: (v) => (/^[\w.:/-]{1,100}$/.test(v.trim()) ? undefined : 'Letters, digits and . _ - : / only.') })
      ).trim();
    } else s.req.model = picked.value;
    return chooseMedia;
  };

  const chooseMedia: InputStep = async (input) => {
    if (s.mode === 'text-to-video') {
      delete s.req.image;
      delete s.req.images;
      delete s.req.video;
      return enterPrompt;
    }
    if (s.mode === 'image-to-video' && !presetMedia.image) s.req.image = await pickMedia(input, 'image', s);
    if (s.mode === 'ingredients' && !presetMedia.images) s.req.images = await pickImages(s);
    if (s.mode === 'video-edit' && !presetMedia.video) s.req.video = await pickMedia(input, 'video', s);
    if (s.mode === 'ingredients' && (!s.req.images || s.req.images.length < 2)) {
      void vscode.window.showWarningMessage('Ingredients need at least 2 images.');
      return chooseMedia;
    }
    return enterPrompt;
  };

  const enterPrompt: InputStep = async (input) => {
    const optional = s.mode !== 'text-to-video';
    s.req.prompt = (
      await input.showInputBox({
        title: `${TITLE}: prompt`,
        step: 4,
        totalSteps: 5,
        value: s.req.prompt,
        prompt: optional ? 'Describe the motion or the result (optional for this mode).' : 'Describe the video.',
        placeholder: 'A red fox running through fresh snow, cinematic',
        validate: (v) => (!optional && !v.trim() ? 'Enter a prompt.' : v.length > 2000 ? 'Keep the prompt under 2000 characters.' : undefined),
      })
    ).trim();
    return options;
  };

  let done = false;
  const options: InputStep = async (input) => {
    s.step = 5;
    const GO = '\u0000go';
    const rows = OPTION_ROWS.filter((r) => r.show(s));
    const items: Item<string>[] = [
      { label: '$(play) Generate', value: GO, description: `${PROVIDER_LABELS[s.provider]}${s.req.model ? ` ${s.req.model}` : ''} · ${MODE_LABELS[s.mode]}` },
      { label: '', kind: vscode.QuickPickItemKind.Separator, value: '' },
      ...rows.map((r) => ({ label: r.label, description: r.describe(s), value: r.id })),
    ];
    const picked = await input.showQuickPick({ title: `${TITLE}: options`, step: 5, totalSteps: 5, items, placeholder: 'Generate now, or adjust an option', matchOnDescription: false });
    if (picked.value === GO) {
      const invalid = deps.providers[s.provider]?.validate(s.req);
      if (invalid) {
        void vscode.window.showWarningMessage(invalid);
        return options;
      }
      done = true;
      return;
    }
    await rows.find((r) => r.id === picked.value)!.edit(input, s);
    return options;
  };

  const completed = await MultiStepInput.run(preset.provider ? chooseMode : pickProvider);
  if (!completed || !done) return undefined;
  const req = s.req;
  for (const k of Object.keys(req) as (keyof GenerateRequest)[]) if (req[k] === undefined) delete req[k];
  if (req.options && Object.keys(req.options).length === 0) delete req.options;
  // Media are not remembered: they belong to this generation only.
  const { image: _i, images: _is, video: _v, prompt: _p, seed: _s, ...remember } = req;
  await deps.memento.update(memoKey(s.provider), { ...remember, mode: s.mode });
  await deps.memento.update('aiVideo.lastProvider', s.provider);
  return req;
}

async function pickMedia(input: MultiStepInput, kind: 'image' | 'video', s: State): Promise<string> {
  const exts = kind === 'image' ? IMAGE_EXTENSIONS : VIDEO_EXTENSIONS;
  const glob = `**/*.{${exts.map((e) => e.slice(1)).join(',')}}`;
  const found = await vscode.workspace.findFiles(glob, '**/node_modules/**', 200);
  const BROWSE = '\u0000browse';
  const URL_ = '\u0000url';
  const items: Item<string>[] = [
    { label: '$(folder-opened) Browse…', value: BROWSE },
    { label: `$(link) ${kind === 'image' ? 'Image' : 'Video'} URL…`, value: URL_ },
    ...(found.length ? [{ label: 'In this workspace', kind: vscode.QuickPickItemKind.Separator, value: '' }] : []),
    ...found.map((u) => ({ label: vscode.workspace.asRelativePath(u), value: u.toString(), iconPath: vscode.ThemeIcon.File, resourceUri: u })),
  ];
  const picked = await input.showQuickPick({ title: `${TITLE}: ${kind}`, step: 4, totalSteps: 5, items, placeholder: `Choose the ${kind}` });
  if (picked.value === BROWSE) {
    const uris = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { [kind === 'image' ? 'Images' : 'Videos']: exts.map((e) => e.slice(1)) } });
    if (!uris?.length) return pickMedia(input, kind, s);
    return uris[0].toString();
  }
  if (picked.value === URL_) {
    return (
      await input.showInputBox({
        title: `${TITLE}: ${kind} URL`,
        step: s.step,
        totalSteps: 5,
        value: '',
        prompt: `An https URL of the ${kind}.`,
        validate: (v) => (/^https:\/\/\S+$/i.test(v.trim()) ? undefined : 'Enter an https:// URL.'),
      })
    ).trim();
  }
  return picked.value;
}

async function pickImages(_s: State): Promise<string[] | undefined> {
  const uris = await vscode.window.showOpenDialog({ canSelectMany: true, openLabel: 'Use as ingredients', filters: { Images: IMAGE_EXTENSIONS.map((e) => e.slice(1)) } });
  return uris?.map((u) => u.toString());
}
