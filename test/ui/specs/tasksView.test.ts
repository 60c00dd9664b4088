// The "AI Video" side bar before anything was generated, and the Command Palette's entries.
import { repoManifest, welcomeButtons } from '../../support/manifest';
import { Check, check } from '../check';
import { GENERATE_COMMAND } from '../pages/workbench';
import type { UiCase } from '../suite';

export const welcomeContent: UiCase = {
  name: 'tasks view shows welcome content',
  async run({ wb }) {
    await wb.openAiVideoView(15000);
    const pane = wb.tasks.pane;
    await pane.waitFor({ state: 'visible', timeout: 15000 }).catch(() => {
      throw new Check('the "Tasks" view is not in the "AI Video" side bar');
    });
    const welcome = pane.locator('.welcome-view-content');
    await welcome.waitFor({ state: 'visible', timeout: 15000 }).catch(() => {
      throw new Check('the Tasks view shows no welcome content');
    });
    const { manifest, nls } = repoManifest();
    const buttons = welcomeButtons(manifest, nls, 'aiVideo.tasks');
    check(
      buttons.includes('Generate Video') && buttons.includes('Set API Key'),
      `the manifest's welcome buttons are [${buttons.join(', ')}]`,
    );
    for (const name of buttons) {
      const visible = await welcome.getByRole('button', { name, exact: true }).isVisible();
      check(visible, `the welcome content has no "${name}" button (text: ${(await welcome.innerText()).replace(/\s+/g, ' ')})`);
    }
  },
};

export const paletteTitles: UiCase = {
  name: 'the Command Palette shows the commands by their titles from package.nls.json',
  async run({ wb }) {
    await wb.openPalette('>AI Video:');
    const s = await wb.quickInput.waitFor('the AI Video commands in the palette', (q) => q.rows.some((r) => r.label === GENERATE_COMMAND));
    const placeholders = s.rows.filter((r) => /%[\w.]+%/.test(`${r.label} ${r.description ?? ''}`));
    check(placeholders.length === 0, `untranslated manifest placeholders in the palette: ${placeholders.map((r) => r.label).join(', ')}`);
    await wb.quickInput.dismiss();
  },
};
