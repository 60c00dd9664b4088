// The Generate flow (steps, Back, the key prompt, variants, the OpenAI-compatible server's models
// and options, OpenRouter's models with their price and durations), the tasks it makes in the Tasks
// view (done, failed, grouped under Today), and the key list afterwards.
import { modeLabel } from '../../../src/core/model/task';
import { FAILURE_MESSAGE } from '../../../src/emulator/tasks';
import { PROVIDERS } from '../../../src/providers';
import { commandLabel, commandTitle } from '../../support/manifest';
import { Check, check, waitFor } from '../check';
import { describeRows, GENERATE_ROW, generateRow, rowOf, type QuickInputState } from '../pages/quickInput';
import { treeLabel, type TaskRowState } from '../pages/tasksView';
import { GENERATE_COMMAND, GENERATE_FLOW_TITLE, PIKA, PIKA_MODEL, PROVIDER_LABELS, TEXT_TO_VIDEO } from '../pages/workbench';
import { API_KEY, FAIL_PROMPT, PROMPT, VARIANTS_PROMPT, type UiCase } from '../suite';

const labels = (s: QuickInputState) => s.rows.map((r) => r.label);

export const generateFlow: UiCase = {
  name: 'generate flow with back button and key prompt',
  async run(ctx) {
    const q = ctx.wb.quickInput;
    const first = await ctx.wb.runCommand(
      GENERATE_COMMAND,
      'the provider list',
      (s) => s.title.startsWith(GENERATE_FLOW_TITLE) && s.rows.length >= 3,
    );
    for (const p of PROVIDER_LABELS) {
      check(
        first.rows.some((r) => r.label === p),
        `provider "${p}" missing from [${labels(first).join(', ')}]`,
      );
    }
    // Pika, text to video: provider, mode, model, prompt, options.
    check(/\(1\/5\)/.test(first.title), `no step counter "1/5" in the title "${first.title}"`);
    check(
      first.rows.every((r) => /no key/i.test(r.description)),
      `providers should show "no key yet" before a key is set: ${describeRows(first)}`,
    );
    check(!(await q.backButton.isVisible()), 'the first step shows a Back button');

    await q.pick(PIKA);
    const modes = await q.waitFor('the mode list', (s) => s.title.includes(PIKA) && s.rows.some((r) => r.label === TEXT_TO_VIDEO));
    check(/\(2\/5\)/.test(modes.title), `no step counter "2/5" in the title "${modes.title}"`);

    await q.backButton.click({ timeout: 10000 }).catch(() => {
      throw new Check('no visible Back button on the mode step');
    });
    await q.waitFor(
      'the provider list again after Back',
      (s) => /\(1\/5\)/.test(s.title) && PROVIDER_LABELS.every((p) => s.rows.some((r) => r.label === p)),
    );

    await q.pick(PIKA);
    await q.waitFor('the mode list', (s) => s.title.includes(PIKA) && s.rows.some((r) => r.label === TEXT_TO_VIDEO));
    await q.pick(TEXT_TO_VIDEO);
    const models = await q.waitFor('the model list', (s) => /model/i.test(s.title) && s.rows.some((r) => r.label === PIKA_MODEL));
    check(/\(3\/5\)/.test(models.title), `no step counter "3/5" in the title "${models.title}"`);
    await q.pick(PIKA_MODEL);
    const promptBox = await q.waitFor(
      'the prompt input box',
      (s) => /prompt/i.test(s.title) && s.inputType === 'text' && s.rows.length === 0,
    );
    check(/\(4\/5\)/.test(promptBox.title), `no step counter "4/5" in the title "${promptBox.title}"`);
    await q.submit(PROMPT);

    const options = await q.waitFor('the options page with "Generate"', (s) => /options/i.test(s.title) && !!generateRow(s));
    const go = generateRow(options);
    check(
      go?.focused,
      `"Generate" is not the active row of the options page (active: ${
        options.rows
          .filter((r) => r.focused)
          .map((r) => r.label)
          .join(', ') || 'none'
      })`,
    );
    const expected = `${PIKA} ${PIKA_MODEL}`;
    check(
      go.description.includes(expected) && go.description.includes(TEXT_TO_VIDEO),
      `"Generate" describes "${go.description}", expected ${expected} · ${TEXT_TO_VIDEO}`,
    );
    await ctx.page.keyboard.press('Enter');

    const keyBox = await q.waitFor(
      `the ${PIKA} API key input box`,
      (s) => s.title.includes(`${PIKA} API key`) && s.rows.length === 0 && !!s.inputType,
    );
    check(keyBox.inputType === 'password', `the API key input box is type "${keyBox.inputType}", not password`);
    await q.submit(API_KEY);
    await q.waitHidden().catch(() => {
      throw new Check('the key input box did not close after Enter');
    });
    ctx.generated = true;
  },
};

export const taskFinishes: UiCase = {
  name: 'task appears in the Tasks view and finishes',
  async run(ctx) {
    const { page, wb } = ctx;
    check(ctx.generated, 'no task was generated (the generate flow case failed)');
    const label = treeLabel(PROMPT);
    const row = wb.tasks.row(label);
    await row.waitFor({ state: 'visible', timeout: 15000 }).catch(() => {
      throw new Check(`no row labelled "${label}" in the Tasks view`);
    });
    const first = await wb.tasks.state(row);
    check(first.label === label, `the row label is "${first.label}", expected the cut prompt "${label}"`);
    // Finished and downloaded: "Done", the poster Pika gave as the icon instead of the spinner, and the inline Play action.
    const play = commandLabel('aiVideo.play');
    await row.hover();
    await waitFor(
      page,
      async () => {
        const s = await wb.tasks.state(row);
        return {
          ...s,
          ok:
            /, Done, /.test(s.aria) &&
            !/downloading/.test(s.description) &&
            s.poster &&
            !/codicon-loading/.test(s.icon) &&
            s.actions.some((a) => a.startsWith(play)),
        };
      },
      30000,
      (s) =>
        `the task did not finish within 30 s (row "${s.aria}", icon "${s.icon}"${s.poster ? ' (poster)' : ''}, ` +
        `actions [${s.actions.join(', ')}])`,
    );
    ctx.finished = true;
  },
};

export const keyListed: UiCase = {
  name: `set API key lists ${PIKA} with "key set"`,
  async run(ctx) {
    const { wb } = ctx;
    check(ctx.generated, 'no key was entered (the generate flow case failed)');
    const s = await wb.runCommand(
      commandTitle('aiVideo.setApiKey'),
      'the provider list of "Set API Key"',
      (q) => /API keys/.test(q.title) && PROVIDER_LABELS.every((p) => q.rows.some((r) => r.label === p)),
    );
    const rows = Object.fromEntries(s.rows.map((r) => [r.label, r.description]));
    check(/key set/.test(rows[PIKA]), `${PIKA} is described as "${rows[PIKA]}", expected "key set"`);
    check(/secret storage/.test(rows[PIKA]), `${PIKA}'s key is not described as coming from secret storage: "${rows[PIKA]}"`);
    const others = PROVIDER_LABELS.filter((p) => p !== PIKA);
    check(
      others.every((p) => !/key set/.test(rows[p])),
      `only ${PIKA} has a key, but: ${describeRows(s)}`,
    );
    await wb.quickInput.dismiss();
  },
};

export const failingGeneration: UiCase = {
  name: 'a failing generation ends as a failed tree item',
  async run(ctx) {
    const { page, wb } = ctx;
    check(ctx.generated, 'no key was entered (the generate flow case failed)');
    const options = await wb.generateUpToOptions(FAIL_PROMPT);
    check(generateRow(options)?.focused, '"Generate" is not the active row of the options page');
    await page.keyboard.press('Enter');
    await wb.quickInput.waitHidden().catch(() => {
      throw new Check('the flow did not close after Generate (asked for a key again?)');
    });
    const label = treeLabel(FAIL_PROMPT);
    const row = wb.tasks.row(label);
    await row.waitFor({ state: 'visible', timeout: 15000 }).catch(() => {
      throw new Check(`no row labelled "${label}" in the Tasks view`);
    });
    await waitFor(
      page,
      async () => {
        const s = await wb.tasks.state(row);
        return { ...s, ok: /, Failed, /.test(s.aria) && /codicon-error/.test(s.icon) };
      },
      30000,
      (s) => `the task did not fail within 30 s (row "${s.aria}", icon "${s.icon}")`,
    );
    const s = await wb.tasks.state(row);
    check(s.description.includes(FAILURE_MESSAGE), `the description is "${s.description}", expected it to contain "${FAILURE_MESSAGE}"`);
  },
};

export const variantsGroup: UiCase = {
  name: 'two variants from the flow make one group under Today',
  async run(ctx) {
    const { page, wb } = ctx;
    const q = wb.quickInput;
    check(ctx.generated, 'no key was entered (the generate flow case failed)');
    const options = await wb.generateUpToOptions(VARIANTS_PROMPT);
    check(
      options.rows.some((r) => r.label === 'Variants' && r.description === '1'),
      `the options page has no "Variants: 1" row: ${options.rows.map((r) => `${r.label}=${r.description}`).join(', ')}`,
    );
    await q.pick('Variants');
    const counts = await q.waitFor('the variant counts', (s) => s.rows.some((r) => r.label === 'Variants: 2'));
    check(
      ['Variants: 1', 'Variants: 2', 'Variants: 3', 'Variants: 4'].every((l) => counts.rows.some((r) => r.label === l)),
      `counts offered: ${labels(counts).join(', ')}`,
    );
    check(
      counts.rows.some((r) => r.label === 'Several models…'),
      'no "Several models…" choice',
    );
    await q.pick('Variants: 2');
    await q.waitFor(
      'the options page with "Variants: 2 takes"',
      (s) => /options/i.test(s.title) && s.rows.some((r) => r.label === 'Variants' && r.description === '2 takes'),
    );
    await q.pick(GENERATE_ROW);
    await q.waitHidden();

    const label = treeLabel(VARIANTS_PROMPT);
    const today = wb.tasks.rowsAt(1, /^Today$/).first();
    await today.waitFor({ state: 'visible', timeout: 15000 }).catch(() => {
      throw new Check('no "Today" row in the Tasks view');
    });
    const group = wb.tasks.rowsAt(2, label).first();
    await waitFor(
      page,
      async () => {
        const s: Pick<TaskRowState, 'description'> = (await group.count())
          ? await wb.tasks.state(group)
          : { description: '(no group row)' };
        return { ...s, ok: /^2 takes · 2 done/.test(s.description) };
      },
      30000,
      (s) => `the group row did not reach "2 takes · 2 done" (it reads "${s.description}")`,
    );
    const children = wb.tasks.rowsAt(3, label);
    check((await children.count()) === 2, `the group has ${await children.count()} child rows, expected 2`);
    const toast = wb.notification(/Done: 2 takes of/);
    await toast.waitFor({ state: 'visible', timeout: 15000 }).catch(() => {
      throw new Check('no notification offering Compare once both takes finished');
    });
    check(await toast.getByRole('button', { name: 'Compare' }).isVisible(), 'the notification has no Compare button');
    await ctx.shot('tree-grouped');
    ctx.variants = true;
  },
};

export const openAiFlow: UiCase = {
  name: "the generate flow offers the OpenAI-compatible server's models, free seconds and sizes",
  async run({ wb }) {
    const q = wb.quickInput;
    const openai = PROVIDERS.openai;
    // The server lists its models only to a key: store one first (Pika's is the only one so far).
    await wb.runCommand(
      commandTitle('aiVideo.setApiKey'),
      'the provider list of "Set API Key"',
      (s) => /API keys/.test(s.title) && s.rows.some((r) => r.label === openai.label),
    );
    await q.pick(openai.label);
    await q.waitFor(
      `the ${openai.label} API key input box`,
      (s) => s.title.includes(`${openai.label} API key`) && s.inputType === 'password',
    );
    await q.submit(API_KEY);
    await q.waitHidden().catch(() => {
      throw new Check('the key input box did not close after Enter');
    });

    await wb.runCommand(
      GENERATE_COMMAND,
      'the provider list',
      (s) => s.title.startsWith(GENERATE_FLOW_TITLE) && s.rows.some((r) => r.label === openai.label),
    );
    await q.pick(openai.label);
    const modes = await q.waitFor(
      `the ${openai.label} modes`,
      (s) => s.title.includes(openai.label) && s.rows.some((r) => r.label === TEXT_TO_VIDEO),
    );
    const expectedModes = [TEXT_TO_VIDEO, modeLabel('image-to-video')];
    check(labels(modes).join('|') === expectedModes.join('|'), `modes [${labels(modes).join(', ')}]`);
    await q.pick(TEXT_TO_VIDEO);
    // The emulated server serves Wan and Seedance; Sora is retired and offered nowhere.
    const [wan, seedance] = ['wan-2.2', 'seedance-1-pro'];
    const models = await q.waitFor(`the ${openai.label} models`, (s) => /model/i.test(s.title) && s.rows.some((r) => r.label === seedance));
    check(
      labels(models).join('|') === ["The server's default model", wan, seedance, 'Other model id…'].join('|'),
      `models [${labels(models).join(', ')}]`,
    );
    check(!labels(models).some((m) => /sora/i.test(m)), `a Sora model is offered: [${labels(models).join(', ')}]`);
    await q.pick(seedance);
    await q.waitFor('the prompt input box', (s) => /prompt/i.test(s.title) && s.inputType === 'text' && s.rows.length === 0);
    await q.submit('A UI test of a compatible server [duration=1000]');
    const options = await q.waitFor(
      `the ${openai.label} options`,
      (s) => /options/i.test(s.title) && !!rowOf(s, 'Seconds') && !!rowOf(s, 'Size'),
    );
    const generate = generateRow(options)?.description ?? '';
    check(generate.includes(`${openai.label} ${seedance}`), `"Generate" describes "${generate}"`);
    check(
      rowOf(options, 'Seconds')?.description === "the server's default" && rowOf(options, 'Size')?.description === "the server's default",
      `unset seconds and size should read "the server's default": ${describeRows(options)}`,
    );
    // Seconds and size are typed, not picked from Sora's lists: 7 s and 1920x1080 were never Sora values.
    await q.pick('Seconds');
    await q.waitFor('the seconds input box', (s) => /Seconds/.test(s.title) && s.inputType === 'text' && s.rows.length === 0);
    await q.submit('7');
    await q.waitFor('the options with 7 seconds', (s) => rowOf(s, 'Seconds')?.description === '7');
    await q.pick('Size');
    await q.waitFor('the size input box', (s) => /Size/.test(s.title) && s.inputType === 'text' && s.rows.length === 0);
    await q.submit('1920x1080');
    await q.waitFor('the options with the size', (s) => rowOf(s, 'Size')?.description === '1920x1080');
    await q.dismiss();
  },
};

export const openRouterFlow: UiCase = {
  name: "the generate flow shows OpenRouter's models with capabilities and price, and offers only the durations a model takes",
  async run({ wb }) {
    const q = wb.quickInput;
    const openrouter = PROVIDERS.openrouter;
    await wb.runCommand(
      GENERATE_COMMAND,
      'the provider list',
      (s) => s.title.startsWith(GENERATE_FLOW_TITLE) && s.rows.some((r) => r.label === openrouter.label),
    );
    await q.pick(openrouter.label);
    await q.waitFor(
      `the ${openrouter.label} modes`,
      (s) => s.title.includes(openrouter.label) && s.rows.some((r) => r.label === TEXT_TO_VIDEO),
    );
    await q.pick(TEXT_TO_VIDEO);
    // The emulator's catalogue: Veo priced per second, Hailuo per video, Wan with a SKU no client understands.
    const [veo, hailuo, wan] = ['google/veo-3.1', 'minimax/hailuo-02', 'alibaba/wan-2.6'];
    const models = await q.waitFor(
      `the ${openrouter.label} models from its catalogue`,
      (s) => /model/i.test(s.title) && [veo, hailuo, wan].every((m) => !!rowOf(s, m)?.description),
    );
    const described = (id: string) => rowOf(models, id)?.description ?? '';
    check(
      described(veo) === '4–8 s · 720p/1080p · first+last frame · audio · $0.40/s',
      `Veo 3.1 reads "${described(veo)}": ${describeRows(models)}`,
    );
    check(described(hailuo).endsWith('$0.28/video') && described(hailuo).startsWith('6–10 s'), `Hailuo reads "${described(hailuo)}"`);
    check(described(wan).endsWith('price unknown'), `Wan (an unknown SKU) reads "${described(wan)}"`);
    await q.pick(veo);
    await q.waitFor('the prompt input box', (s) => /prompt/i.test(s.title) && s.inputType === 'text' && s.rows.length === 0);
    await q.submit('A UI test through OpenRouter [duration=1000]');
    const options = await q.waitFor(
      `the ${openrouter.label} options`,
      (s) => /options/i.test(s.title) && !!rowOf(s, 'Duration (seconds)') && !!rowOf(s, 'Resolution') && !!rowOf(s, 'Audio'),
    );
    check((generateRow(options)?.description ?? '').includes(`${openrouter.label} ${veo}`), describeRows(options));
    // The price of what Generate sends, on its row ("about": the model's defaults decide the amount).
    check(
      /^Generate · about \$\d+\.\d\d$/.test(generateRow(options)?.label ?? ''),
      `the Generate row reads "${generateRow(options)?.label}"`,
    );
    await q.pick('Duration (seconds)');
    const durations = await q.waitFor(
      'the durations Veo 3.1 takes',
      (s) => /Duration/.test(s.title) && s.rows.some((r) => r.label === '8'),
    );
    const offered = labels(durations).filter((l) => /^\d+$/.test(l));
    check(offered.join('|') === '4|6|8', `durations offered: [${labels(durations).join(', ')}]`);
    await q.pick('6');
    const six = await q.waitFor('the options with 6 seconds', (s) => rowOf(s, 'Duration (seconds)')?.description === '6');
    // 6 s at Veo 3.1's $0.40/s (720p, its first resolution).
    check(
      /^Generate · (about )?\$2\.40$/.test(generateRow(six)?.label ?? ''),
      `with 6 s the Generate row reads "${generateRow(six)?.label}"`,
    );
    await q.dismiss();
  },
};

export const replicateSchemaFlow: UiCase = {
  name: 'the generate flow offers the options a Replicate model publishes in its input schema (a model no catalogue knows)',
  async run({ wb }) {
    const q = wb.quickInput;
    const replicate = PROVIDERS.replicate;
    // The schema is read with the key: store one first.
    await wb.runCommand(
      commandTitle('aiVideo.setApiKey'),
      'the provider list of "Set API Key"',
      (s) => /API keys/.test(s.title) && s.rows.some((r) => r.label === replicate.label),
    );
    await q.pick(replicate.label);
    await q.waitFor(
      `the ${replicate.label} API key input box`,
      (s) => s.title.includes(`${replicate.label} API key`) && s.inputType === 'password',
    );
    await q.submit(API_KEY);
    await q.waitHidden().catch(() => {
      throw new Check('the key input box did not close after Enter');
    });

    await wb.runCommand(
      GENERATE_COMMAND,
      'the provider list',
      (s) => s.title.startsWith(GENERATE_FLOW_TITLE) && s.rows.some((r) => r.label === replicate.label),
    );
    await q.pick(replicate.label);
    await q.waitFor(
      `the ${replicate.label} modes`,
      (s) => s.title.includes(replicate.label) && s.rows.some((r) => r.label === TEXT_TO_VIDEO),
    );
    await q.pick(TEXT_TO_VIDEO);
    const models = await q.waitFor(
      `the ${replicate.label} models`,
      (s) => /model/i.test(s.title) && s.rows.some((r) => /Other model id/.test(r.label)),
    );
    check(!!rowOf(models, 'google/veo-3.1'), `the bundled Veo 3.1 is offered: ${describeRows(models)}`);
    await q.pick(models.rows.find((r) => /Other model id/.test(r.label))!.label);
    await q.waitFor('the model id input box', (s) => /model id/i.test(s.title) && s.inputType === 'text');
    await q.submit('acme/dreamreel');
    await q.waitFor('the prompt input box', (s) => /prompt/i.test(s.title) && s.inputType === 'text' && s.rows.length === 0);
    await q.submit('A UI test of a schema-only model [duration=1000]');
    // The emulator's acme/dreamreel: an enum motion, an integer steps (1-50), a boolean loop, a string style_hint.
    const options = await q.waitFor(
      `the options drawn from the schema of acme/dreamreel`,
      (s) => /options/i.test(s.title) && ['motion', 'steps', 'loop', 'style_hint'].every((k) => !!rowOf(s, k)),
    );
    check(rowOf(options, 'motion')?.description === 'default (calm)', `motion reads: ${describeRows(options)}`);
    await q.pick('motion');
    const values = await q.waitFor('the values of motion', (s) => /motion/.test(s.title) && s.rows.some((r) => r.label === 'Wild'));
    const offered = labels(values).filter((l) => l !== 'Default (calm)');
    check(offered.join('|') === 'Calm|Dynamic|Wild', `motion values offered: [${labels(values).join(', ')}]`);
    await q.pick('Wild');
    await q.waitFor('the options with motion wild', (s) => rowOf(s, 'motion')?.description === 'wild');
    await q.dismiss();
  },
};
