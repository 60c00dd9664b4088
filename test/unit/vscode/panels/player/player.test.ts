import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

import type { Task, TaskVideo } from '../../../../../src/core/model/task';
import type { ProviderAction } from '../../../../../src/core/provider/descriptor';
import { hidream } from '../../../../../src/providers/hidream';
import { formatDate, formatDuration, formatFps, formatResolution, metaFacts, shortTitle } from '../../../../../src/shared/format';
import { buildAppPage, buildCsp } from '../../../../../src/vscode/panels/appPage';
import { isPathInside, panelTitle, planPlayerContent } from '../../../../../src/vscode/panels/player/playerPage';
import {
  isHostMessage,
  isPlayerState,
  isWebviewMessage,
  PLAYER_ACTIONS,
  type PlayerMeta,
  type ShowMessage,
} from '../../../../../src/webview/player/playerProtocol';
import { ROOT } from '../../../../support/paths';

const CSP_SOURCE = 'https://example.vscode-cdn.net';
const NONCE = 'q1w2e3r4t5y6u7i8o9p0+/==';

function cspOf(html: string): string {
  const match = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(match, 'the document declares a CSP meta tag');
  return match[1];
}

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name, values]),
  );
}

describe('player page (the shared app page) and CSP', () => {
  const page = (asUri: (file: string) => string) =>
    buildAppPage('player', { cspSource: CSP_SOURCE, nonce: NONCE, asUri, title: 'Video player' });
  const html = page((file) => `${CSP_SOURCE}/ext/${file}`);
  const csp = directives(cspOf(html));

  it('denies everything by default', () => {
    assert.deepStrictEqual(csp.get('default-src'), ["'none'"]);
  });

  it('allows scripts only by nonce, and the script tag carries that nonce', () => {
    assert.deepStrictEqual(csp.get('script-src'), [`'nonce-${NONCE}'`]);
    const nonce = NONCE.replace(/[+/]/g, '\\$&');
    assert.match(html, new RegExp(`<script nonce="${nonce}" src="${CSP_SOURCE}/ext/dist/webview/player\\.js"></script>`));
  });

  it('takes media, styles, images and fonts from the webview resource origin only', () => {
    for (const name of ['media-src', 'style-src', 'img-src', 'font-src']) {
      assert.deepStrictEqual(csp.get(name), [CSP_SOURCE], name);
    }
  });

  it('never allows unsafe-inline or unsafe-eval', () => {
    assert.doesNotMatch(html, /unsafe-/);
    assert.strictEqual(buildCsp(CSP_SOURCE, NONCE).includes('unsafe'), false);
  });

  it('loads the shared style sheet, then its own, by link, with no inline style or script content', () => {
    const links = [...html.matchAll(/<link rel="stylesheet" href="([^"]*)">/g)].map((m) => m[1]);
    assert.deepStrictEqual(links, [`${CSP_SOURCE}/ext/media/webview.css`, `${CSP_SOURCE}/ext/media/player.css`]);
    assert.doesNotMatch(html, /style=|<style/);
    assert.doesNotMatch(html, /<script[^>]*>[^<]+<\/script>/);
  });

  it('has its title and one app root', () => {
    assert.match(html, /<title>Video player<\/title>/);
    assert.strictEqual(html.match(/<main id="app"/g)?.length, 1);
  });

  it('escapes attribute values', () => {
    const doc = page((file) => (file.endsWith('.js') ? 'x"><b>' : 's'));
    assert.ok(doc.includes('src="x&quot;&gt;&lt;b&gt;"'));
    assert.ok(!doc.includes('<b>'));
  });

  it('names files that exist: the bundle source and both style sheets', () => {
    const files: string[] = [];
    page((file) => {
      files.push(file);
      return file;
    });
    assert.deepStrictEqual(files, ['dist/webview/player.js', 'media/webview.css', 'media/player.css']);
    for (const file of files.slice(1)) assert.ok(fs.existsSync(path.join(ROOT, file)), file);
    assert.ok(fs.existsSync(path.join(ROOT, 'src', 'webview', 'player', 'main.ts')));
  });
});

describe('player protocol guards', () => {
  const playback = {
    type: 'playback',
    taskId: 't1',
    currentTime: 1.25,
    duration: 5,
    paused: false,
    readyState: 4,
    videoWidth: 320,
    videoHeight: 180,
  };

  it('accepts every valid webview message', () => {
    assert.ok(isWebviewMessage({ type: 'ready' }));
    assert.ok(isWebviewMessage(playback));
    assert.ok(isWebviewMessage({ ...playback, duration: 0, readyState: 0, videoWidth: 0, videoHeight: 0 }));
    assert.ok(isWebviewMessage({ type: 'mediaError', taskId: 't1', message: 'codec' }));
    for (const action of PLAYER_ACTIONS) {
      assert.ok(isWebviewMessage({ type: 'action', action, taskId: 't1', videoIndex: 1 }), action);
    }
    assert.ok(isWebviewMessage({ type: 'action', action: 'copyPrompt', taskId: 't1' }));
    assert.ok(isWebviewMessage({ type: 'taskAction', action: 'remix', taskId: 't1' }));
  });

  it('rejects non-objects and unknown message types', () => {
    for (const bad of [undefined, null, 'ready', 42, [], [{ type: 'ready' }], {}, { type: 'show' }, { type: 'READY' }]) {
      assert.strictEqual(isWebviewMessage(bad), false, JSON.stringify(bad));
    }
  });

  it('rejects messages with extra or missing fields', () => {
    assert.strictEqual(isWebviewMessage({ type: 'ready', taskId: 't1' }), false);
    assert.strictEqual(isWebviewMessage({ ...playback, extra: true }), false);
    const { paused: _paused, ...withoutPaused } = playback;
    assert.strictEqual(isWebviewMessage(withoutPaused), false);
    assert.strictEqual(isWebviewMessage({ type: 'mediaError', taskId: 't1' }), false);
  });

  it('rejects wrongly typed fields', () => {
    const bad: Array<Record<string, unknown>> = [
      { ...playback, taskId: '' },
      { ...playback, taskId: 7 },
      { ...playback, currentTime: '1' },
      { ...playback, currentTime: -1 },
      { ...playback, duration: Number.NaN },
      { ...playback, duration: Number.POSITIVE_INFINITY },
      { ...playback, paused: 'false' },
      { ...playback, readyState: 5 },
      { ...playback, readyState: 1.5 },
      { ...playback, videoWidth: null },
      { type: 'mediaError', taskId: 't1', message: 42 },
      { type: 'mediaError', taskId: 't1', message: 'x'.repeat(100_000) },
      { type: 'action', action: 'deleteEverything', taskId: 't1' },
      { type: 'action', action: 'copyPrompt', taskId: 't1', videoIndex: -1 },
      { type: 'action', action: 'copyPrompt', taskId: 't1', videoIndex: 0.5 },
      { type: 'action', action: 'copyPrompt', taskId: 't1', videoIndex: '0' },
      { type: 'action', action: 'selectVideo', taskId: 't1' },
      { type: 'action', action: 'openExternal', taskId: 'x'.repeat(1000) },
      { type: 'taskAction', action: 'remix', taskId: 't1', extra: 1 },
      { type: 'taskAction', action: 'command:workbench.action.x', taskId: 't1' },
      { type: 'taskAction', taskId: 't1' },
    ];
    for (const message of bad) assert.strictEqual(isWebviewMessage(message), false, JSON.stringify(message).slice(0, 120));
  });

  const meta: PlayerMeta = {
    title: 'A cat',
    provider: 'pika',
    providerLabel: 'Pika',
    model: 'pika-2.2',
    prompt: 'A cat on a skateboard',
    seed: 42,
    duration: 5,
    width: 1280,
    height: 720,
    fps: 24,
    createdAt: 1_700_000_000_000,
    remoteId: 'remote-1',
    videoCount: 2,
    status: 'succeeded',
    taskActions: [{ id: 'remix', label: 'Remix…' }],
  };
  const show: ShowMessage = { type: 'show', taskId: 't1', videoIndex: 1, video: { src: 'https://x/v.mp4' }, meta };

  it('accepts valid host messages, including ones that omit optional fields', () => {
    assert.ok(isHostMessage(show));
    assert.ok(isHostMessage({ ...show, video: { src: 'https://x/v.mp4', posterSrc: 'https://x/p.jpg' } }));
    const { seed: _s, duration: _d, width: _w, height: _h, fps: _f, ...bare } = meta;
    assert.ok(isHostMessage({ ...show, meta: { ...bare, negativePrompt: 'blurry' } }));
    // JSON drops undefined values, but a structured clone keeps the keys.
    assert.ok(isHostMessage({ ...show, meta: { ...meta, seed: undefined } }));
    assert.ok(isHostMessage({ type: 'unavailable', taskId: 't1', message: 'Not downloaded yet.' }));
  });

  it('rejects malformed host messages', () => {
    const bad: unknown[] = [
      { ...show, type: 'play' },
      { ...show, extra: 1 },
      { ...show, videoIndex: -1 },
      { ...show, video: { src: '' } },
      { ...show, video: { src: 'a', poster: 'b' } },
      { ...show, meta: { ...meta, status: 'done' } },
      { ...show, meta: { ...meta, width: '1280' } },
      { ...show, meta: { ...meta, html: '<b>' } },
      { ...show, meta: { ...meta, createdAt: undefined } },
      { ...show, meta: { ...meta, taskActions: undefined } },
      { ...show, meta: { ...meta, taskActions: [{ id: 'remix' }] } },
      { ...show, meta: { ...meta, taskActions: [{ id: 'Remix now', label: 'x' }] } },
      { type: 'unavailable', taskId: 't1' },
    ];
    for (const message of bad) assert.strictEqual(isHostMessage(message), false, JSON.stringify(message));
  });

  it('validates the saved webview state', () => {
    assert.ok(isPlayerState({ taskId: 't1', videoIndex: 0 }));
    assert.strictEqual(isPlayerState({ taskId: 't1' }), false);
    assert.strictEqual(isPlayerState({ taskId: '', videoIndex: 0 }), false);
    assert.strictEqual(isPlayerState(undefined), false);
  });
});

describe('player formatting', () => {
  it('truncates titles at a word boundary and collapses whitespace', () => {
    assert.strictEqual(shortTitle('  A cat\n on   a skateboard '), 'A cat on a skateboard');
    assert.strictEqual(shortTitle('one two three four five six', 14), 'one two three…');
    assert.strictEqual(shortTitle('Supercalifragilisticexpialidocious', 10), 'Supercali…');
    assert.ok(shortTitle('word, '.repeat(40), 30).length <= 30);
    assert.strictEqual(shortTitle(''), 'Untitled video');
    assert.strictEqual(shortTitle(' \n '), 'Untitled video');
    assert.strictEqual(shortTitle(undefined), 'Untitled video');
    assert.strictEqual(panelTitle('A cat on a skateboard at sunset over the sea'), '▶ A cat on a skateboard at…');
  });

  it('formats durations', () => {
    assert.strictEqual(formatDuration(5), '5 s');
    assert.strictEqual(formatDuration(7.5), '7.5 s');
    assert.strictEqual(formatDuration(5.04), '5 s');
    assert.strictEqual(formatDuration(0), '0 s');
    assert.strictEqual(formatDuration(65), '1:05');
    assert.strictEqual(formatDuration(3723), '1:02:03');
    assert.strictEqual(formatDuration(undefined), undefined);
    assert.strictEqual(formatDuration(Number.NaN), undefined);
    assert.strictEqual(formatDuration(-1), undefined);
  });

  it('formats resolutions with a simple aspect ratio', () => {
    assert.strictEqual(formatResolution(1280, 720), '1280 × 720 (16:9)');
    assert.strictEqual(formatResolution(720, 1280), '720 × 1280 (9:16)');
    assert.strictEqual(formatResolution(1024, 1024), '1024 × 1024 (1:1)');
    assert.strictEqual(formatResolution(854, 480), '854 × 480');
    assert.strictEqual(formatResolution(0, 720), undefined);
    assert.strictEqual(formatResolution(undefined, 720), undefined);
    assert.strictEqual(formatResolution(12.5, 720), undefined);
  });

  it('formats frame rates and dates', () => {
    assert.strictEqual(formatFps(24), '24 fps');
    assert.strictEqual(formatFps(23.976), '23.98 fps');
    assert.strictEqual(formatFps(0), undefined);
    assert.strictEqual(formatDate(new Date(2025, 0, 2, 13, 4).getTime()), '2025-01-02 13:04');
    assert.strictEqual(formatDate(Number.NaN), undefined);
  });

  const meta: PlayerMeta = {
    title: 'A cat',
    provider: 'pika',
    providerLabel: 'Pika',
    model: 'pika-2.2',
    prompt: 'A cat',
    createdAt: new Date(2025, 0, 2, 13, 4).getTime(),
    remoteId: 'remote-1',
    videoCount: 1,
    status: 'succeeded',
    taskActions: [],
  };

  it('lists metadata facts, preferring task values and falling back to the video element', () => {
    const facts = metaFacts({ ...meta, seed: 7, duration: 5, fps: 24, width: 1280, height: 720 }, { width: 320, height: 180 });
    assert.deepStrictEqual(facts, [
      { label: 'Provider', value: 'Pika · pika-2.2' },
      { label: 'Duration', value: '5 s · 24 fps' },
      { label: 'Resolution', value: '1280 × 720 (16:9)' },
      { label: 'Seed', value: '7' },
      { label: 'Created', value: '2025-01-02 13:04' },
      { label: 'Provider task', value: 'remote-1' },
    ]);
    const fromElement = metaFacts(meta, { width: 320, height: 180, duration: 4.5 });
    assert.deepStrictEqual(
      fromElement.filter((f) => f.label === 'Duration' || f.label === 'Resolution'),
      [
        { label: 'Duration', value: '4.5 s' },
        { label: 'Resolution', value: '320 × 180 (16:9)' },
      ],
    );
    assert.deepStrictEqual(
      metaFacts(meta).map((f) => f.label),
      ['Provider', 'Created', 'Provider task'],
    );
  });
});

describe('player content for a task', () => {
  const root = path.resolve('media-root');
  const inRoot = (name: string) => path.join(root, 'task-1', name);

  function task(overrides: Partial<Task> = {}, videos: TaskVideo[] = [{ url: 'https://cdn/a.mp4', localPath: inRoot('a.mp4') }]): Task {
    return {
      id: 'task-1',
      provider: 'hidream',
      remoteId: 'remote-1',
      mode: 'text-to-video',
      status: 'succeeded',
      progress: 100,
      prompt: 'A cat on a skateboard',
      model: 'hidream-v1',
      createdAt: 1_700_000_000_000,
      updatedAt: 1_700_000_100_000,
      videos,
      request: { provider: 'hidream', prompt: 'A cat on a skateboard', negativePrompt: 'blurry', seed: 3 },
      ...overrides,
    };
  }

  it('checks that a path lies inside a root', () => {
    assert.ok(isPathInside(root, inRoot('a.mp4')));
    assert.ok(isPathInside(root, root));
    assert.strictEqual(isPathInside(root, path.join(root, '..', 'elsewhere', 'a.mp4')), false);
    assert.strictEqual(isPathInside(root, `${root}-sibling${path.sep}a.mp4`), false);
    assert.strictEqual(isPathInside(root, path.join(root, 'task-1', '..', '..', 'a.mp4')), false);
  });

  it('shows a downloaded video with metadata from the task and its request', () => {
    const content = planPlayerContent(
      task({}, [
        { url: 'https://cdn/a.mp4', localPath: inRoot('a.mp4') },
        { url: 'https://cdn/b.mp4', localPath: inRoot('b.mp4'), seed: 9, width: 1280, height: 720, duration: Number.NaN },
      ]),
      1,
      root,
      hidream,
    );
    assert.strictEqual(content.kind, 'video');
    if (content.kind !== 'video') return;
    assert.strictEqual(content.videoIndex, 1);
    assert.strictEqual(content.localPath, inRoot('b.mp4'));
    assert.strictEqual(content.meta.providerLabel, 'HiDream');
    assert.deepStrictEqual(content.meta.taskActions, []);
    assert.strictEqual(content.meta.seed, 9);
    assert.strictEqual(content.meta.negativePrompt, 'blurry');
    assert.strictEqual(content.meta.videoCount, 2);
    assert.strictEqual(content.meta.duration, undefined, 'a NaN duration is dropped');
    const show = { type: 'show', taskId: 'task-1', videoIndex: 1, video: { src: 'https://x/b.mp4' }, meta: content.meta };
    assert.ok(isHostMessage(JSON.parse(JSON.stringify(show))), 'the planned metadata passes the webview guard');
  });

  it("lists the provider's actions that apply to the task, and the id of a provider this build lacks", () => {
    const remix: ProviderAction = {
      id: 'remix',
      label: 'Remix…',
      appliesTo: (t) => t.status === 'succeeded',
      request: (t, text) => ({ provider: t.provider, prompt: text }),
    };
    const content = planPlayerContent(task(), 0, root, { label: 'Remixer', actions: [remix] });
    assert.deepStrictEqual(content.kind === 'video' && content.meta.taskActions, [{ id: 'remix', label: 'Remix…' }]);
    const orphan = planPlayerContent(task({ provider: 'retired' }), 0, root);
    assert.deepStrictEqual(orphan.kind === 'video' && [orphan.meta.providerLabel, orphan.meta.taskActions], ['retired', []]);
  });

  it('falls back to the first video for an out-of-range index', () => {
    const content = planPlayerContent(task(), 5, root);
    assert.strictEqual(content.kind === 'video' && content.videoIndex, 0);
  });

  it('a very long error or id still gives messages the webview accepts (it never stays on "Loading…")', () => {
    const long = 'x'.repeat(10 * 1024);
    for (const t of [task({ status: 'failed', error: long }), task({}, [{ url: 'https://cdn/a.mp4', downloadError: long }])]) {
      const content = planPlayerContent(t, 0, root);
      assert.strictEqual(content.kind, 'unavailable');
      if (content.kind === 'unavailable') {
        assert.ok(
          isHostMessage({ type: 'unavailable', taskId: 'task-1', message: content.message }),
          'the unavailable message passes the guard',
        );
      }
    }
    const content = planPlayerContent(task({ remoteId: long, model: long }), 0, root);
    assert.strictEqual(content.kind, 'video');
    if (content.kind === 'video') {
      assert.ok(isHostMessage({ type: 'show', taskId: 'task-1', videoIndex: 0, video: { src: 'https://x/a.mp4' }, meta: content.meta }));
    }
  });

  it('fits every field of the view: long labels, 1,000+ videos and an index past them still give a message the webview accepts', () => {
    const label = 'L'.repeat(5000);
    const action: ProviderAction = {
      id: 'remix',
      label: 'R'.repeat(300),
      appliesTo: () => true,
      request: (t, text) => ({ provider: t.provider, prompt: text }),
    };
    const videos: TaskVideo[] = Array.from({ length: 1200 }, (_, i) => ({ url: `https://cdn/${i}.mp4`, localPath: inRoot(`${i}.mp4`) }));
    for (const index of [0, 1100]) {
      const content = planPlayerContent(task({ prompt: 'p'.repeat(50_000) }, videos), index, root, { label, actions: [action] });
      assert.strictEqual(content.kind, 'video');
      if (content.kind !== 'video') return;
      const show = {
        type: 'show',
        taskId: 'task-1',
        videoIndex: content.videoIndex,
        video: { src: 'https://x/a.mp4' },
        meta: content.meta,
      };
      assert.ok(isHostMessage(show), `the view of video ${index} passes the guard`);
      assert.ok(content.meta.videoCount <= 999);
    }
  });

  it('the webview app builds its DOM from text only and says so when a message cannot be shown', () => {
    const source = fs.readFileSync(path.join(ROOT, 'src/webview/player/main.ts'), 'utf8');
    assert.ok(!/innerHTML|outerHTML|insertAdjacentHTML|document\.write/.test(source), 'no HTML is built from strings');
    assert.match(source, /if \(!isHostMessage\(message\)\) \{[^}]*statusLine\.textContent =/, 'a rejected message replaces "Loading…"');
  });

  it('explains why nothing can be played', () => {
    const cases: Array<[Task | undefined, RegExp]> = [
      [undefined, /not in the task list/],
      [task({ status: 'running', progress: 42.4 }), /still being generated \(42%\)/],
      [task({ status: 'failed', error: 'quota exceeded' }), /quota exceeded/],
      [task({}, []), /no video/],
      [task({}, [{ url: 'https://cdn/a.mp4' }]), /not been downloaded/],
      [task({}, [{ url: 'https://cdn/a.mp4', downloadError: 'HTTP 403' }]), /HTTP 403/],
      [task({}, [{ url: 'https://cdn/a.mp4', localPath: path.join(root, '..', 'a.mp4') }]), /outside/],
    ];
    for (const [t, expected] of cases) {
      const content = planPlayerContent(t, 0, root);
      assert.strictEqual(content.kind, 'unavailable');
      if (content.kind === 'unavailable') assert.match(content.message, expected);
    }
  });
});
