import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

import { GenerateRequest, GenerationMode } from '../../../src/core/model/task';
import {
  keyRoutingSettings,
  OptionField,
  PROVIDER_ID_PATTERN,
  ProviderDescriptor,
  RequestField,
} from '../../../src/core/provider/descriptor';
import { readField, writeField } from '../../../src/core/provider/optionFields';
import { PROVIDER_ROUTES, ROUTE_KEYS } from '../../../src/emulator/server';
import { isProviderId, PROVIDER_IDS, PROVIDER_LIST, providerLabel, PROVIDERS } from '../../../src/providers';
import { ROOT } from '../../support/paths';

const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
  contributes: { configuration: { properties: Record<string, { type: string; default?: unknown; scope?: string }> } };
};
const settings = manifest.contributes.configuration.properties;
const restricted = manifest.capabilities.untrustedWorkspaces.restrictedConfigurations;
const REQUEST_FIELDS: readonly RequestField[] = ['negativePrompt', 'aspectRatio', 'seed', 'pikaffect', 'style'];

/** A request the provider accepts in this mode, with the first model offered for it (from the manifest for a settings list). */
function validBase(p: ProviderDescriptor, mode: GenerationMode): GenerateRequest {
  const fixed = p.models?.fixed?.find((m) => !m.modes || m.modes.includes(mode))?.id;
  const configured = p.models?.setting ? (settings[`aiVideo.${p.models.setting}`].default as string[])[0] : undefined;
  const model = fixed ?? configured;
  const media: Record<GenerationMode, Partial<GenerateRequest>> = {
    'text-to-video': {},
    'image-to-video': { image: 'https://example.test/a.png' },
    ingredients: { images: ['https://example.test/a.png', 'https://example.test/b.png'] },
    'video-edit': { video: 'https://example.test/v.mp4' },
  };
  return { provider: p.id, prompt: 'a red fox', ...(model ? { model } : {}), ...media[mode] };
}

/** Values the field's data says are acceptable. */
function acceptable(f: OptionField): unknown[] {
  switch (f.kind) {
    case 'number':
      return [f.min, f.max, ...(f.default !== undefined ? [f.default] : [])];
    case 'enum':
      return [...f.values];
    case 'text':
      return [f.format?.example ?? 'blurry'];
    case 'boolean':
      return [true, false];
  }
}

describe('provider registry', function () {
  it('ids are unique, well formed, and give the labels', function () {
    assert.strictEqual(new Set(PROVIDER_IDS).size, PROVIDER_IDS.length);
    for (const p of PROVIDER_LIST) {
      assert.match(p.id, PROVIDER_ID_PATTERN);
      assert.strictEqual(PROVIDERS[p.id], p);
      assert.strictEqual(providerLabel(p.id), p.label);
      assert.ok(p.description.length > 0, `${p.id} has no description`);
    }
    assert.strictEqual(isProviderId('toString'), false);
    assert.strictEqual(providerLabel('retired'), 'retired');
  });

  it('the emulator mounts routes for every registered provider, with route keys named after it', function () {
    assert.deepStrictEqual(
      PROVIDER_ROUTES.map((r) => r.provider),
      [...PROVIDER_IDS],
    );
    for (const r of PROVIDER_ROUTES) for (const key of r.keys) assert.ok(key.startsWith(`${r.provider}.`), key);
    assert.strictEqual(new Set(ROUTE_KEYS).size, ROUTE_KEYS.length);
  });

  it('each provider declares its settings in the manifest, key routing user-only and restricted', function () {
    for (const p of PROVIDER_LIST) {
      const base = settings[`aiVideo.${p.settings.baseUrl}`];
      assert.ok(base, `aiVideo.${p.settings.baseUrl} is not in the manifest`);
      // The OpenAI-compatible server has no default address: the user names it (nothing is sent until then).
      if (p.id === 'openai') assert.strictEqual(base.default, undefined, 'aiVideo.openai.baseUrl has a default');
      else assert.match(String(base.default), /^https:\/\//, `${p.id}: the base URL default is not https`);
      assert.strictEqual(base.scope, 'application', `${p.id}: the base URL must be a user setting`);
      for (const key of Object.values(p.settings.extra ?? {})) {
        assert.ok(settings[`aiVideo.${key}`], `aiVideo.${key} is not in the manifest`);
      }
      if (p.models?.setting) {
        assert.ok(Array.isArray(settings[`aiVideo.${p.models.setting}`]?.default), `aiVideo.${p.models.setting} has no list default`);
      }
      assert.strictEqual(
        settings[`aiVideo.${p.id}.maxConcurrent`]?.default,
        0,
        `aiVideo.${p.id}.maxConcurrent is not in the manifest with "no limit" as default`,
      );
    }
    const routing = keyRoutingSettings(PROVIDER_LIST);
    for (const key of routing) {
      assert.ok(restricted.includes(`aiVideo.${key}`), `aiVideo.${key} routes keys but is not restricted in untrusted workspaces`);
      assert.strictEqual(settings[`aiVideo.${key}`].scope, 'application');
    }
    assert.deepStrictEqual(
      routing.slice(0, PROVIDER_LIST.length),
      PROVIDER_LIST.map((p) => p.settings.baseUrl),
    );
  });

  it('option fields are consistent data: unique keys, modes of the provider, sane ranges', function () {
    for (const p of PROVIDER_LIST) {
      const keys = p.options.map((f) => `${f.target ?? 'options'}:${f.key}`);
      assert.strictEqual(new Set(keys).size, keys.length, `${p.id} has a duplicate option field`);
      for (const f of p.options) {
        for (const m of f.modes ?? []) assert.ok(p.modes.includes(m), `${p.id} ${f.key}: mode ${m} is not one of the provider's`);
        if (f.target === 'request') {
          assert.ok((REQUEST_FIELDS as readonly string[]).includes(f.key), `${p.id} ${f.key} is no request field`);
        }
        if (f.kind === 'number') assert.ok(f.min < f.max, `${p.id} ${f.key}: empty range`);
        if (f.kind === 'enum') assert.ok(f.values.length > 0, `${p.id} ${f.key}: no values`);
      }
      for (const ar of p.aspectRatios) assert.match(ar, /^\d+:\d+$/);
    }
  });

  it("each provider's validate accepts what its option fields offer, in every mode that offers them", function () {
    for (const p of PROVIDER_LIST) {
      for (const mode of p.modes) {
        const base = validBase(p, mode);
        assert.strictEqual(p.validate(base), undefined, `${p.id} ${mode}: the base request is refused`);
        for (const f of p.options.filter((o) => !o.modes || o.modes.includes(mode))) {
          for (const v of acceptable(f)) {
            const req = structuredClone(base);
            writeField(req, f, v as string | number | boolean);
            assert.strictEqual(readField(req, f), v);
            assert.strictEqual(p.validate(req), undefined, `${p.id} ${mode}: ${f.key} = ${JSON.stringify(v)} is offered but refused`);
          }
        }
      }
    }
  });

  it('numbers just outside a field range are refused by validate', function () {
    for (const p of PROVIDER_LIST) {
      for (const f of p.options) {
        if (f.kind !== 'number') continue;
        const mode = f.modes?.[0] ?? p.modes[0];
        for (const v of [f.min - 1, f.max + 1]) {
          const req = validBase(p, mode);
          writeField(req, f, v);
          assert.ok(p.validate(req), `${p.id} ${f.key} = ${v} is outside the field but accepted`);
        }
      }
    }
  });
});
