// The Command Palette flow: provider -> mode -> model -> media -> prompt -> options, drawn from the
// provider descriptors, with back navigation, validation and a step counter of the steps shown,
// remembering the last choices per provider.
import * as vscode from 'vscode';

import { GenerateRequest, GenerationMode, modeLabel } from '../../core/model/task';
import type { CatalogModel, CatalogSnapshot } from '../../core/provider/catalogTypes';
import { MODEL_ID_PATTERN, ModelOptions, OptionField, ProviderDescriptor } from '../../core/provider/descriptor';
import { describeCapabilities } from '../../core/provider/modelCapabilities';
import {
  describeValue,
  dropUnoffered,
  fieldsFor,
  FieldValue,
  inputPrompt,
  modelFields,
  parseFieldInput,
  readField,
  unsetText,
  writeField,
} from '../../core/provider/optionFields';
import { priceLabel, usd, type PriceQuote } from '../../core/provider/pricing';
import { IMAGE_EXTENSIONS, ImageSize, VIDEO_EXTENSIONS } from '../../core/request/media';
import { showWarning } from '../notify';
import { FlowShape, FlowStep, stepCounter } from './flowSteps';
import { InputStep, MultiStepInput } from './multiStepInput';

export interface FlowDeps {
  providers: readonly ProviderDescriptor[];
  memento: vscode.Memento;
  hasKey(id: string): Promise<boolean>;
  /** Model ids offered for a provider in a mode (fixed, configured and listed ones), best effort. */
  models(provider: ProviderDescriptor, mode: GenerationMode): Promise<string[]>;
  /**
   * The provider's model catalogue (capabilities, prices, lifecycle) at its base URL; the first use may
   * wait up to 10 s for what the provider publishes. Undefined when there is none (or no base URL yet).
   */
  catalog?(provider: ProviderDescriptor): Promise<CatalogSnapshot | undefined>;
  /**
   * What one model takes beyond the provider's own options (Replicate: read from its published input
   * schema), when the provider says per model; undefined when it does not, or it cannot be read.
   */
  modelOptions?(provider: ProviderDescriptor, model: string): Promise<ModelOptions | undefined>;
  /** The pixel size of a chosen image (path, file: URI or URL), when it can be read. */
  imageSize(ref: string): Promise<ImageSize | undefined>;
  /** Preset values (from the Explorer: images or a video already chosen; from the editor: the prompt). */
  preset?: Partial<GenerateRequest> & { mode?: GenerationMode };
  /** Rows other modules add to the options page (e.g. variants). */
  extraOptions?: FlowOption[];
  /** The price of what Generate would send now (every create of a group summed): shown on the Generate row. */
  quote?(req: GenerateRequest): PriceQuote;
}

/** An options-page row owned by another module. */
export interface FlowOption {
  label: string;
  describe(req: GenerateRequest): string;
  /** Changes the row's own state; `mode` is the mode chosen in the flow. */
  edit(input: MultiStepInput, req: GenerateRequest, mode: GenerationMode, step: { step: number; totalSteps: number }): Promise<void>;
}

interface State {
  provider: ProviderDescriptor;
  mode: GenerationMode;
  req: GenerateRequest;
}

type Item<T> = vscode.QuickPickItem & { value: T };

const flowTitle = () => vscode.l10n.t('AI Video: Generate Video');
const LAST_PROVIDER = 'aiVideo.lastProvider';
const memoKey = (id: string) => `aiVideo.lastChoices.${id}`;

const capitalized = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** A model picker row's description: "4–8 s · 720p/1080p · first+last frame · $0.40/s" (or "… · price unknown"). */
export function modelDescription(model: CatalogModel): string {
  return [describeCapabilities(model), priceLabel(model)].filter((p) => p).join(' · ');
}

/** "Generate · about $1.60" (an estimate), "Generate · $3.20", "Generate · price unknown"; "Generate" with no quote. */
export function generateLabel(quote: PriceQuote | undefined): string {
  if (!quote) return vscode.l10n.t('Generate');
  if (quote.amount === undefined) return vscode.l10n.t('Generate · {0}', vscode.l10n.t('price unknown'));
  return quote.estimate ? vscode.l10n.t('Generate · about {0}', usd(quote.amount)) : vscode.l10n.t('Generate · {0}', usd(quote.amount));
}

/** Runs the flow; resolves to a request, or undefined when the user cancelled. */
export async function runGenerateFlow(deps: FlowDeps): Promise<GenerateRequest | undefined> {
  const preset = deps.preset ?? {};
  const offered = deps.providers.filter(
    (p) => (!preset.provider || p.id === preset.provider) && (!preset.mode || p.modes.includes(preset.mode)),
  );
  if (offered.length === 0) {
    const what = preset.mode ? modeLabel(preset.mode) : vscode.l10n.t('this');
    void showWarning(
      preset.provider
        ? vscode.l10n.t('No provider offers {0} with {1}.', what, preset.provider)
        : vscode.l10n.t('No provider offers {0}.', what),
    );
    return undefined;
  }
  const remembered = offered.find((p) => p.id === deps.memento.get<string>(LAST_PROVIDER));
  const s: State = {
    provider: remembered ?? offered[0],
    mode: preset.mode ?? 'text-to-video',
    req: { provider: '', prompt: preset.prompt ?? '' },
  };
  const presetMedia = { image: preset.image, images: preset.images, video: preset.video };
  const modesOf = (p: ProviderDescriptor) => p.modes.filter((m) => !preset.mode || m === preset.mode);
  const needsMedia = (mode: GenerationMode) =>
    (mode === 'image-to-video' && !presetMedia.image) ||
    (mode === 'ingredients' && !presetMedia.images) ||
    (mode === 'video-edit' && !presetMedia.video);
  const shape = (): FlowShape => ({
    providerChoices: preset.provider ? 1 : offered.length,
    modeChoices: modesOf(s.provider).length,
    modelStep: s.provider.models !== undefined,
    mediaStep: needsMedia(s.mode),
  });
  const counter = (step: FlowStep) => stepCounter(shape(), step);

  // The catalogue of the chosen provider: its load starts when the provider is picked, and the model
  // step waits for it (the step before stays busy meanwhile).
  const catalogs = new Map<string, Promise<CatalogSnapshot | undefined>>();
  const catalogOf = (p: ProviderDescriptor): Promise<CatalogSnapshot | undefined> => {
    let c = catalogs.get(p.id);
    if (!c) {
      c = deps.catalog ? deps.catalog(p).catch(() => undefined) : Promise.resolve(undefined);
      catalogs.set(p.id, c);
    }
    return c;
  };
  const catalogModel = async (): Promise<CatalogModel | undefined> =>
    s.req.model ? (await catalogOf(s.provider))?.models.find((m) => m.id === s.req.model) : undefined;

  const pickProvider: InputStep = async (input) => {
    if (offered.length === 1) {
      s.provider = offered[0];
      return chooseMode;
    }
    const items: Item<ProviderDescriptor>[] = await Promise.all(
      offered.map(async (p) => ({
        label: p.label,
        value: p,
        description: (await deps.hasKey(p.id)) ? `$(key) ${vscode.l10n.t('key set')}` : vscode.l10n.t('no key yet'),
        detail: p.description,
      })),
    );
    const picked = await input.showQuickPick({
      title: flowTitle(),
      ...counter('provider'),
      items,
      activeItem: items.find((i) => i.value === s.provider),
      placeholder: vscode.l10n.t('Choose a provider'),
    });
    s.provider = picked.value;
    return chooseMode;
  };

  const chooseMode: InputStep = async (input) => {
    const { mode: lastMode, ...last } =
      deps.memento.get<Partial<GenerateRequest> & { mode?: GenerationMode }>(memoKey(s.provider.id)) ?? {};
    s.req = {
      ...last,
      options: last.options ? structuredClone(last.options) : undefined,
      provider: s.provider.id,
      prompt: s.req.prompt,
      ...presetMedia,
    };
    if (s.provider.models) void catalogOf(s.provider);
    const modes = modesOf(s.provider);
    if (modes.length === 1) {
      s.mode = modes[0];
      return chooseModel;
    }
    if (lastMode && modes.includes(lastMode)) s.mode = lastMode;
    const items: Item<GenerationMode>[] = modes.map((m) => ({ label: modeLabel(m), value: m }));
    const picked = await input.showQuickPick({
      title: `${flowTitle()}: ${s.provider.label}`,
      ...counter('mode'),
      items,
      activeItem: items.find((i) => i.value === s.mode),
      placeholder: vscode.l10n.t('What do you want to make?'),
    });
    s.mode = picked.value;
    return chooseModel;
  };

  const chooseModel: InputStep = async (input) => {
    const models = s.provider.models;
    if (!models) {
      delete s.req.model;
      return chooseMedia;
    }
    const [listed, snapshot] = await Promise.all([deps.models(s.provider, s.mode), catalogOf(s.provider)]);
    // The catalogue's models in this mode (retired ones left out) join the offered ones.
    const inCatalog = new Map((snapshot?.models ?? []).map((m) => [m.id, m]));
    const catalogIds = (snapshot?.models ?? [])
      .filter((m) => m.modes.includes(s.mode) && m.lifecycle?.state !== 'retired')
      .map((m) => m.id);
    const ids = [...new Set([...listed, ...catalogIds])];
    const OTHER = '\u0000other';
    const SERVER_DEFAULT = '\u0000default';
    const items: Item<string>[] = ids.map((m) => {
      const entry = inCatalog.get(m);
      return entry ? { label: m, value: m, description: modelDescription(entry) } : { label: m, value: m };
    });
    if (models.optional) {
      items.unshift({
        label: vscode.l10n.t("The server's default model"),
        description: vscode.l10n.t('no model is sent'),
        value: SERVER_DEFAULT,
      });
    }
    if (models.custom) items.push({ label: `$(edit) ${vscode.l10n.t('Other model id…')}`, value: OTHER });
    const active = items.find((i) => i.value === (s.req.model ?? SERVER_DEFAULT));
    const picked = await input.showQuickPick({
      title: `${flowTitle()}: ${vscode.l10n.t('{0} model', s.provider.label)}`,
      ...counter('model'),
      items,
      activeItem: active,
      placeholder: vscode.l10n.t('Choose a model'),
    });
    if (picked.value === SERVER_DEFAULT) delete s.req.model;
    else if (picked.value === OTHER) {
      s.req.model = (
        await input.showInputBox({
          title: `${flowTitle()}: ${vscode.l10n.t('model id')}`,
          ...counter('model'),
          value: s.req.model ?? '',
          prompt: ids.length
            ? vscode.l10n.t('The model id as {0} names it, e.g. {1}', s.provider.label, ids[0])
            : vscode.l10n.t('The model id as {0} names it', s.provider.label),
          validate: (v) => (MODEL_ID_PATTERN.test(v.trim()) ? undefined : vscode.l10n.t('Letters, digits and . _ - : / only.')),
        })
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
    const step = counter('media');
    if (s.mode === 'image-to-video' && !presetMedia.image) s.req.image = await pickMedia(input, 'image', step);
    if (s.mode === 'ingredients' && !presetMedia.images) s.req.images = await pickImages();
    if (s.mode === 'video-edit' && !presetMedia.video) s.req.video = await pickMedia(input, 'video', step);
    if (s.mode === 'ingredients' && (!s.req.images || s.req.images.length < 2)) {
      void showWarning(vscode.l10n.t('Ingredients need at least 2 images.'));
      return chooseMedia;
    }
    return enterPrompt;
  };

  const enterPrompt: InputStep = async (input) => {
    const optional = s.mode !== 'text-to-video';
    s.req.prompt = (
      await input.showInputBox({
        title: `${flowTitle()}: ${vscode.l10n.t('prompt')}`,
        ...counter('prompt'),
        value: s.req.prompt,
        prompt: optional
          ? vscode.l10n.t('Describe the motion or the result (optional for this mode).')
          : vscode.l10n.t('Describe the video.'),
        placeholder: vscode.l10n.t('A red fox running through fresh snow, cinematic'),
        validate: (v) =>
          !optional && !v.trim()
            ? vscode.l10n.t('Enter a prompt.')
            : v.length > 2000
              ? vscode.l10n.t('Keep the prompt under 2000 characters.')
              : undefined,
      })
    ).trim();
    return options;
  };

  const sizes = new Map<string, Promise<ImageSize | undefined>>();
  /** Fits the request to its image where the provider wants that (e.g. the size); the warning when they cannot agree. */
  const fitToImage = async (): Promise<string | undefined> => {
    const image = s.req.image;
    if (!s.provider.fitToImage || s.mode !== 'image-to-video' || !image) return undefined;
    if (!sizes.has(image)) sizes.set(image, deps.imageSize(image));
    const size = await sizes.get(image);
    if (!size) return undefined;
    const fit = s.provider.fitToImage(s.req, size);
    s.req = fit.req;
    return fit.warning;
  };

  let done = false;
  const options: InputStep = async (input) => {
    const step = counter('options');
    const GO = '\u0000go';
    const EXTRA = '\u0000extra';
    // The model's inputs, where the provider gives them per model (its published schema): their rows.
    const perModel =
      s.req.model && s.provider.modelOptions && deps.modelOptions ? await deps.modelOptions(s.provider, s.req.model) : undefined;
    const own = [...fieldsFor(s.provider, s.mode), ...(perModel?.fields ?? [])];
    // The model's own rows (catalogue): only the durations and resolutions it takes; audio when it can.
    const neutral = modelFields(await catalogModel(), own);
    const fields = [...neutral, ...own];
    dropUnoffered(s.req, fields);
    // Options remembered from another model that this one does not take are not sent.
    if (perModel && s.req.options) {
      for (const k of Object.keys(s.req.options)) if (!fields.some((f) => f.target !== 'request' && f.key === k)) delete s.req.options[k];
      if (Object.keys(s.req.options).length === 0) delete s.req.options;
    }
    const warning = await fitToImage();
    const items: Item<string>[] = [
      {
        label: `$(play) ${generateLabel(deps.quote?.(s.req))}`,
        value: GO,
        description: `${s.provider.label}${s.req.model ? ` ${s.req.model}` : ''} · ${modeLabel(s.mode)}`,
        ...(warning ? { detail: `$(warning) ${warning}` } : {}),
      },
      { label: '', kind: vscode.QuickPickItemKind.Separator, value: '' },
      ...fields.map((f) => ({ label: f.label, description: describeValue(f, readField(s.req, f)), value: f.key })),
      ...(deps.extraOptions ?? []).map((o, i) => ({ label: o.label, description: o.describe(s.req), value: `${EXTRA}${i}` })),
    ];
    const picked = await input.showQuickPick({
      title: `${flowTitle()}: ${vscode.l10n.t('options')}`,
      ...step,
      items,
      placeholder: vscode.l10n.t('Generate now, or adjust an option'),
      matchOnDescription: false,
    });
    if (picked.value === GO) {
      // Remembered values of fields this mode does not offer are not sent.
      for (const f of s.provider.options) if (!fields.includes(f)) writeField(s.req, f, undefined);
      const invalid = s.provider.validate(s.req) ?? perModel?.check(s.req);
      if (invalid) {
        void showWarning(invalid);
        return options;
      }
      done = true;
      return;
    }
    const extra = picked.value.startsWith(EXTRA) ? deps.extraOptions?.[Number(picked.value.slice(EXTRA.length))] : undefined;
    if (extra) {
      await extra.edit(input, s.req, s.mode, step);
      return options;
    }
    const field = fields.find((f) => f.key === picked.value)!;
    writeField(s.req, field, await editField(input, field, readField(s.req, field), step));
    return options;
  };

  const completed = await MultiStepInput.run(preset.provider ? chooseMode : pickProvider);
  if (!completed || !done) return undefined;
  const req = s.req;
  for (const k of Object.keys(req) as (keyof GenerateRequest)[]) if (req[k] === undefined) delete req[k];
  if (req.options && Object.keys(req.options).length === 0) delete req.options;
  // Media are not remembered: they belong to this generation only.
  const { image: _i, images: _is, video: _v, prompt: _p, seed: _s, ...remember } = req;
  await deps.memento.update(memoKey(s.provider.id), { ...remember, mode: s.mode });
  await deps.memento.update(LAST_PROVIDER, s.provider.id);
  return req;
}

/** One option's editor: a list for enum and yes/no fields, an input box for the others. Resolves to the new value. */
export async function editField(
  input: MultiStepInput,
  field: OptionField,
  current: FieldValue | undefined,
  step: { step: number; totalSteps: number },
): Promise<FieldValue | undefined> {
  const title = `${flowTitle()}: ${field.label}`;
  if (field.kind === 'enum' || field.kind === 'boolean') {
    const values: FieldValue[] = field.kind === 'enum' ? [...field.values] : [true, false];
    const items: Item<FieldValue | undefined>[] = [
      { label: capitalized(unsetText(field)), value: undefined },
      ...values.map((v) => ({
        label: capitalized(describeValue(field, v)),
        value: v,
        description: field.kind === 'enum' ? field.valueDescription : undefined,
      })),
    ];
    const picked = await input.showQuickPick({
      title,
      ...step,
      items,
      activeItem: items.find((i) => i.value === current),
      placeholder: field.label,
    });
    return picked.value;
  }
  const text = await input.showInputBox({
    title,
    ...step,
    value: current !== undefined ? String(current) : '',
    prompt: inputPrompt(field),
    validate: (v) => parseFieldInput(field, v).error,
  });
  const parsed = parseFieldInput(field, text);
  return parsed.error === undefined ? parsed.value : current;
}

async function pickMedia(input: MultiStepInput, kind: 'image' | 'video', step: { step: number; totalSteps: number }): Promise<string> {
  const exts = kind === 'image' ? IMAGE_EXTENSIONS : VIDEO_EXTENSIONS;
  const glob = `**/*.{${exts.map((e) => e.slice(1)).join(',')}}`;
  const found = await vscode.workspace.findFiles(glob, '**/node_modules/**', 200);
  const BROWSE = '\u0000browse';
  const URL_ = '\u0000url';
  const items: Item<string>[] = [
    { label: `$(folder-opened) ${vscode.l10n.t('Browse…')}`, value: BROWSE },
    { label: `$(link) ${kind === 'image' ? vscode.l10n.t('Image URL…') : vscode.l10n.t('Video URL…')}`, value: URL_ },
    ...(found.length ? [{ label: vscode.l10n.t('In this workspace'), kind: vscode.QuickPickItemKind.Separator, value: '' }] : []),
    ...found.map((u) => ({
      label: vscode.workspace.asRelativePath(u),
      value: u.toString(),
      iconPath: vscode.ThemeIcon.File,
      resourceUri: u,
    })),
  ];
  const picked = await input.showQuickPick({
    title: `${flowTitle()}: ${kind === 'image' ? vscode.l10n.t('image') : vscode.l10n.t('video')}`,
    ...step,
    items,
    placeholder: kind === 'image' ? vscode.l10n.t('Choose the image') : vscode.l10n.t('Choose the video'),
  });
  if (picked.value === BROWSE) {
    const uris = await vscode.window.showOpenDialog({
      canSelectMany: false,
      filters: { [kind === 'image' ? vscode.l10n.t('Images') : vscode.l10n.t('Videos')]: exts.map((e) => e.slice(1)) },
    });
    if (!uris?.length) return pickMedia(input, kind, step);
    return uris[0].toString();
  }
  if (picked.value === URL_) {
    return (
      await input.showInputBox({
        title: `${flowTitle()}: ${kind === 'image' ? vscode.l10n.t('image URL') : vscode.l10n.t('video URL')}`,
        ...step,
        value: '',
        prompt: kind === 'image' ? vscode.l10n.t('An https URL of the image.') : vscode.l10n.t('An https URL of the video.'),
        validate: (v) => (/^https:\/\/\S+$/i.test(v.trim()) ? undefined : vscode.l10n.t('Enter an https:// URL.')),
      })
    ).trim();
  }
  return picked.value;
}

async function pickImages(): Promise<string[] | undefined> {
  const uris = await vscode.window.showOpenDialog({
    canSelectMany: true,
    openLabel: vscode.l10n.t('Use as ingredients'),
    filters: { [vscode.l10n.t('Images')]: IMAGE_EXTENSIONS.map((e) => e.slice(1)) },
  });
  return uris?.map((u) => u.toString());
}
