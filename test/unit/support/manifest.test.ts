// The manifest as the user sees it (test/support/manifest.ts): `%key%` titles resolved through
// package.nls.json. `npm start` checks the Command Palette with these titles, so a palette that
// lists every command raises no false "commands missing" warning; the UI suite takes its titles,
// welcome buttons and settings from here.
import * as assert from 'assert';

import {
  alwaysListedTitles,
  commandLabel,
  commandTitle,
  localize,
  missingFromPalette,
  paletteTitle,
  repoManifest,
  settingName,
  welcomeButtons,
  type Manifest,
} from '../../support/manifest';

describe('the manifest as the user sees it', function () {
  const nls = { 'command.category': 'AI Video', 'command.generate.title': 'Generate Video…', 'command.showLog.title': 'Show Log' };
  const manifest: Manifest = {
    name: 'ai-video-studio',
    publisher: 'aivideo',
    contributes: {
      commands: [
        { command: 'aiVideo.generate', title: '%command.generate.title%', category: '%command.category%' },
        { command: 'aiVideo.showLog', title: '%command.showLog.title%', category: '%command.category%' },
        { command: 'aiVideo.play', title: 'Play', category: '%command.category%' },
      ],
      menus: { commandPalette: [{ command: 'aiVideo.play', when: 'false' }] },
      viewsWelcome: [{ view: 'aiVideo.tasks', contents: '%welcome%' }],
    },
  };

  it('resolves a %key% through package.nls.json and leaves other text as it is', function () {
    assert.strictEqual(localize('%command.showLog.title%', nls), 'Show Log');
    assert.strictEqual(localize('Plain title', nls), 'Plain title');
    assert.strictEqual(localize('%no.such.key%', nls), '%no.such.key%', 'an unknown key stays visible');
  });

  it('gives a command the palette title "Category: Title"', function () {
    assert.strictEqual(paletteTitle(manifest.contributes.commands[0], nls), 'AI Video: Generate Video…');
    assert.strictEqual(paletteTitle({ command: 'x', title: '%command.showLog.title%' }, nls), 'Show Log');
  });

  it('finds nothing missing when the palette lists every resolved title, and names a title it lacks', function () {
    assert.deepStrictEqual(
      alwaysListedTitles(manifest, nls),
      ['AI Video: Generate Video…', 'AI Video: Show Log'],
      'aiVideo.play has a commandPalette entry',
    );
    // Row labels as code-server's palette gives them (an aria-label may carry more than the title).
    const palette = ['AI Video: Generate Video…', 'AI Video: Show Log, recently used'];
    assert.deepStrictEqual(missingFromPalette(palette, manifest, nls), []);
    assert.deepStrictEqual(missingFromPalette(palette.slice(0, 1), manifest, nls), ['AI Video: Show Log']);
  });

  it('raises no false alarm for the real manifest: every always-listed title is resolved', function () {
    const real = repoManifest();
    const titles = alwaysListedTitles(real.manifest, real.nls);
    assert.ok(titles.length > 0);
    assert.deepStrictEqual(
      titles.filter((t) => /%/.test(t)),
      [],
      'unresolved titles',
    );
    assert.ok(titles.includes('AI Video: Generate Video…'), titles.join(', '));
    assert.deepStrictEqual(missingFromPalette(titles, real.manifest, real.nls), []);
  });

  it('reads welcome buttons, command titles and settings of the real manifest', function () {
    const real = repoManifest();
    assert.deepStrictEqual(welcomeButtons(real.manifest, real.nls, 'aiVideo.tasks'), ['Generate Video', 'Set API Key']);
    assert.deepStrictEqual(
      welcomeButtons(manifest, { welcome: 'Nothing yet.\n[Go](command:aiVideo.generate)\nmore [inline](x) text' }, 'aiVideo.tasks'),
      ['Go'],
    );
    assert.strictEqual(commandTitle('aiVideo.setApiKey'), 'AI Video: Set API Key…');
    assert.strictEqual(commandLabel('aiVideo.play'), 'Play Video');
    assert.strictEqual(settingName('aiVideo.pollIntervalSeconds'), 'aiVideo.pollIntervalSeconds');
    assert.throws(() => settingName('aiVideo.noSuchSetting'), /declares no setting aiVideo.noSuchSetting/);
  });
});
