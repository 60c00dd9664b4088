// Storyboards in the real extension host, against the emulator and the real ffmpeg: a two-shot
// storyboard with `after` renders 2 creates, a film and a lockfile; rendering it again sends nothing
// and rewrites nothing; editing the second shot sends 1 create, editing the first 2; a dry run sends
// nothing. The script call (an options object) asks nothing; the lens above the first shot renders.
// Play Film opens the film in the extension's player.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

import type { Task } from '../../src/core/model/task';
import type { RenderResult } from '../../src/core/storyboard/types';
import { captureMessages, captureQuestions, pointProvidersAt, setAllKeys, setup, waitFor, waitForFinal } from './helpers';

const FOLDER = 'generated-videos';

function storyboardText(first: string, second: string): string {
  return [
    '# Fox',
    '',
    '```video',
    'id: opening',
    'provider: pika',
    `${first} [duration=300]`,
    '```',
    '',
    'Some notes between the shots.',
    '',
    '```video',
    'id: chase',
    'provider: pika',
    'after: opening',
    `${second} [duration=300]`,
    '```',
    '',
  ].join('\n');
}

describe('Storyboards', function () {
  this.timeout(120_000);
  const root = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
  const name = `fox-${Date.now()}`;
  const file = () => path.join(root(), `${name}.md`);
  const lockPath = () => path.join(root(), `${name}.storyboard.lock.json`);
  const render = (options: { dryRun?: boolean } = {}) =>
    vscode.commands.executeCommand<RenderResult>('aiVideo.renderStoryboard', vscode.Uri.file(file()), options);
  const creates = async () => (await setup()).emulator.requests('pika.generate').length;
  const states = (r: RenderResult) => r.shots.map((s) => `${s.id}:${s.state}`).join(' ');

  async function edit(text: string): Promise<void> {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file()));
    const editor = await vscode.window.showTextDocument(doc);
    await editor.edit((e) => e.replace(new vscode.Range(0, 0, doc.lineCount, 0), text));
  }

  before(async () => {
    // Earlier suites point providers elsewhere and change keys: start from the in-host emulator.
    const { emulator } = await setup();
    await pointProvidersAt(emulator.baseUrl);
    await setAllKeys();
    fs.writeFileSync(file(), storyboardText('A fox in the snow', 'The fox runs into the forest'));
  });

  it('a dry run of a new storyboard plans both shots, quotes them, and sends and writes nothing', async () => {
    const before = await creates();
    const questions = captureQuestions();
    let dry: RenderResult;
    try {
      dry = await render({ dryRun: true });
    } finally {
      questions.restore();
    }
    assert.strictEqual(states(dry), 'opening:planned chase:planned');
    assert.strictEqual(dry.quote.currency, 'USD');
    assert.strictEqual(dry.output, undefined);
    assert.deepStrictEqual(questions.asked, [], 'a script call asks nothing');
    assert.strictEqual(await creates(), before);
    assert.ok(!fs.existsSync(lockPath()));
    assert.ok(!fs.existsSync(path.join(root(), FOLDER, name)));
  });

  it('renders a two-shot storyboard with after: 2 creates, the second from the first one’s last frame, a film and a lockfile', async () => {
    const before = await creates();
    const result = await render({});
    assert.strictEqual(states(result), 'opening:rendered chase:rendered');
    assert.strictEqual((await creates()) - before, 2);
    const { emulator } = await setup();
    const [first, second] = emulator.requests('pika.generate').slice(-2) as { body: { image?: string } }[];
    assert.strictEqual(first.body.image, undefined);
    assert.ok(second.body.image, 'the second create carries the first shot’s last frame');
    assert.ok(result.shots.every((s) => s.taskId));
    assert.strictEqual(result.output, path.join(root(), FOLDER, `${name}.mp4`));
    assert.ok(fs.statSync(result.output!).size > 0);
    for (const id of ['opening', 'chase']) assert.ok(fs.existsSync(path.join(root(), FOLDER, name, `${id}.mp4`)));
    const lock = JSON.parse(fs.readFileSync(lockPath(), 'utf8'));
    assert.deepStrictEqual(Object.keys(lock.shots), ['chase', 'opening']);
    assert.strictEqual(lock.shots.chase.output, `${FOLDER}/${name}/chase.mp4`);
    assert.strictEqual(lock.shots.opening.provider, 'pika');
    assert.match(lock.shots.opening.jobId, /\S/);
    assert.strictEqual(lock.film.output, `${FOLDER}/${name}.mp4`);
  });

  it('re-rendering the unchanged storyboard sends nothing and rewrites nothing', async () => {
    const before = await creates();
    const lockText = fs.readFileSync(lockPath(), 'utf8');
    const filmTime = fs.statSync(path.join(root(), FOLDER, `${name}.mp4`)).mtimeMs;
    const lockTime = fs.statSync(lockPath()).mtimeMs;
    const again = await render({});
    assert.strictEqual(states(again), 'opening:cached chase:cached');
    assert.strictEqual(await creates(), before);
    assert.strictEqual(again.quote.amount ?? 0, 0);
    assert.strictEqual(fs.readFileSync(lockPath(), 'utf8'), lockText);
    assert.strictEqual(fs.statSync(lockPath()).mtimeMs, lockTime);
    assert.strictEqual(fs.statSync(path.join(root(), FOLDER, `${name}.mp4`)).mtimeMs, filmTime);
    const dry = await render({ dryRun: true });
    assert.strictEqual(states(dry), 'opening:cached chase:cached');
    assert.strictEqual(dry.output, again.output);
  });

  it('Play Film opens the film in our player, titled and listed by the storyboard, asking nothing; with no film it rejects', async () => {
    const { api } = await setup();
    const film = path.join(root(), FOLDER, `${name}.mp4`);
    const key = vscode.Uri.file(file()).toString();
    const questions = captureQuestions();
    let played: string | undefined;
    try {
      // The string form is a script call (a bare Uri is the Explorer's, a person's).
      played = await vscode.commands.executeCommand<string>('aiVideo.playFilm', key);
    } finally {
      questions.restore();
    }
    assert.strictEqual(played, film);
    assert.deepStrictEqual(questions.asked, [], 'a script call asks nothing');
    const shown = api.testing.player();
    assert.ok(shown?.film, `the player shows a film: ${JSON.stringify(shown)}`);
    assert.strictEqual(shown.taskId, undefined);
    assert.deepStrictEqual(shown.film, {
      storyboard: key,
      file: fs.realpathSync(film),
      title: name,
      shots: ['opening', 'chase'],
    });
    // The film lies in the workspace, outside the downloads the player may load: it plays only because
    // the panel may now load from the film's folder.
    const playback = await waitFor(
      'the player to play the film',
      () => {
        const pb = api.testing.player()?.lastPlayback as
          { type?: string; film?: string; currentTime?: number; duration?: number } | undefined;
        return pb?.type === 'filmPlayback' && pb.film === key && (pb.currentTime ?? 0) > 0 ? pb : undefined;
      },
      30_000,
    );
    assert.ok((playback.duration ?? 0) > 0);

    const unrendered = path.join(root(), `unrendered-${Date.now()}.md`);
    fs.writeFileSync(unrendered, storyboardText('A hare in the snow', 'The hare runs'));
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('aiVideo.playFilm', vscode.Uri.file(unrendered).toString())),
      /There is no film yet: render the storyboard first\./,
    );
    // From the Explorer (a bare Uri) it says so instead.
    const messages = captureMessages(undefined);
    try {
      assert.strictEqual(await vscode.commands.executeCommand('aiVideo.playFilm', vscode.Uri.file(unrendered)), undefined);
    } finally {
      messages.restore();
    }
    assert.ok(
      messages.shown.some((m) => m.level === 'info' && m.message === 'There is no film yet: render the storyboard first.'),
      JSON.stringify(messages.shown),
    );
    assert.strictEqual(api.testing.player()?.film?.storyboard, key, 'the player still shows the film');
  });

  it('editing the second shot (unsaved, in the editor) renders it alone: 1 create', async () => {
    await edit(storyboardText('A fox in the snow', 'The fox leaps over a log'));
    const before = await creates();
    const r = await render({});
    assert.strictEqual(states(r), 'opening:cached chase:rendered');
    assert.strictEqual((await creates()) - before, 1);
  });

  it('editing the first shot renders both: 2 creates', async () => {
    await edit(storyboardText('A red fox at dawn', 'The fox leaps over a log'));
    const before = await creates();
    const r = await render({});
    assert.strictEqual(states(r), 'opening:rendered chase:rendered');
    assert.strictEqual((await creates()) - before, 2);
    assert.ok(r.output);
  });

  it('shows Render Storyboard above the first shot and each shot’s state; a cycle is a diagnostic', async () => {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file()));
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    const titles = lenses.filter((l) => l.command?.title).map((l) => `${l.range.start.line}:${l.command!.title}`);
    assert.ok(titles.includes('2:▶ Render Storyboard'), titles.join(' | '));
    assert.ok(
      titles.some((t) => /^2:opening: ✓ up to date · /.test(t)),
      titles.join(' | '),
    );
    assert.ok(
      titles.some((t) => /^10:chase: ✓ up to date · /.test(t)),
      titles.join(' | '),
    );

    const editor = await vscode.window.showTextDocument(doc);
    await editor.edit((e) => e.insert(new vscode.Position(4, 0), 'after: chase\n'));
    const diagnostics = await waitForDiagnostic(doc.uri, /circle/);
    assert.match(diagnostics, /after: these shots wait on each other in a circle: opening → chase → opening\./);
    await assert.rejects(Promise.resolve(render({})), /Line 5: after: these shots wait on each other in a circle/);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('the Render Storyboard lens asks once with the plan and its quote; dismissed, it sends nothing', async () => {
    await edit(storyboardText('A grey fox at night', 'The fox hides under a pine'));
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file()));
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    const lens = lenses.find((l) => l.command?.command === 'aiVideo.renderStoryboard')!;
    const run = async (answer: string | undefined) => {
      const messages = captureMessages(answer);
      try {
        return await vscode.commands.executeCommand<RenderResult | undefined>(lens.command!.command, ...lens.command!.arguments!);
      } finally {
        messages.restore();
        assert.deepStrictEqual(
          messages.shown.filter((m) => m.modal).map((m) => m.message.replace(/ for .*$/, '')),
          [`Render 2 shot(s) of ${name} (opening, chase)`],
          JSON.stringify(messages.shown),
        );
      }
    };
    const before = await creates();
    await run(undefined);
    assert.strictEqual(await creates(), before, 'dismissed: nothing sent');
    const r = await run('Render');
    assert.strictEqual(states(r!), 'opening:rendered chase:rendered');
    assert.strictEqual((await creates()) - before, 2);
  });

  it('Use This Take makes another take of a shot the chosen one: copied, recorded, and the film joined again', async () => {
    const { api } = await setup();
    const task = await vscode.commands.executeCommand<Task>('aiVideo.generateFromBlock', vscode.Uri.file(file()), 2, {});
    const done = await waitForFinal(api, task.id);
    assert.strictEqual(done.status, 'succeeded');
    const shotFile = await vscode.commands.executeCommand<string>('aiVideo.useThisTake', done.id);
    assert.strictEqual(shotFile, path.join(root(), FOLDER, name, 'opening.mp4'));
    assert.deepStrictEqual(fs.readFileSync(shotFile), fs.readFileSync(done.videos[0].localPath!));
    const lock = JSON.parse(fs.readFileSync(lockPath(), 'utf8'));
    assert.strictEqual(lock.shots.opening.jobId, done.remoteId);
    assert.strictEqual(lock.film, undefined, 'the film no longer holds the chosen take');
    const r = await render({});
    assert.strictEqual(r.shots[0].state, 'cached', 'the chosen take is not rendered again');
    assert.ok(r.output && fs.existsSync(r.output));
    assert.ok(JSON.parse(fs.readFileSync(lockPath(), 'utf8')).film, 'the film is joined again');
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('aiVideo.useThisTake', 'no-such-task')), /storyboard shot/);
  });
});

function waitForDiagnostic(uri: vscode.Uri, pattern: RegExp): Promise<string> {
  return waitFor(`a diagnostic matching ${pattern}`, () => {
    const text = vscode.languages
      .getDiagnostics(uri)
      .map((d) => d.message)
      .join('\n');
    return pattern.test(text) && text;
  });
}
