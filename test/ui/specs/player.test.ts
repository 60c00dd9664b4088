// Clicking a finished task in the Tasks view opens the player webview, which plays the video and
// shows the task's prompt.
import type { Frame } from 'playwright-core';

import { Check, check, waitFor } from '../check';
import { treeLabel } from '../pages/tasksView';
import { PROMPT, type UiCase } from '../suite';

interface VideoState {
  currentTime: number;
  paused: boolean;
  readyState: number;
  src: string;
  error: string;
  prompt: string;
  title: string;
}

/** The player's <video> and the prompt it shows. */
function readPlayer(frame: Frame): Promise<VideoState> {
  return frame.evaluate(() => {
    const v = document.querySelector<HTMLVideoElement>('video.video');
    if (!v) throw new Error('the player has no <video>');
    return {
      currentTime: v.currentTime,
      paused: v.paused,
      readyState: v.readyState,
      src: v.currentSrc,
      error: v.error ? `${v.error.code} ${v.error.message}` : '',
      prompt: (document.querySelector('.meta .prompt')?.textContent || '').trim(),
      title: (document.querySelector('.meta .title')?.textContent || '').trim(),
    };
  });
}

export const clickPlays: UiCase = {
  name: 'clicking the task plays it in the player webview',
  async run(ctx) {
    const { page, wb } = ctx;
    check(ctx.finished, 'no finished task (an earlier case failed)');
    await page.keyboard.press('Escape');
    const row = wb.tasks.row(treeLabel(PROMPT));
    await wb.tasks.settled(row);
    await row.locator('.label-name').click();
    const tab = wb.tab('▶');
    await tab.waitFor({ state: 'visible', timeout: 15000 }).catch(async () => {
      const notes = await wb.notificationTexts();
      throw new Check(
        `no player editor tab ("▶ …") opened${notes.length ? `; notifications: ${notes.map((n) => `"${n}"`).join(', ')}` : ''}`,
      );
    });
    const tabText = (await tab.innerText()).trim();
    check(tabText.includes('A red fox'), `the player tab is titled "${tabText}"`);

    const found = await waitFor(
      page,
      async () => {
        const frame = await wb.webviews.player();
        return { ok: !!frame, frame };
      },
      20000,
      () =>
        `no webview frame with the player's <video> (frames: ${page
          .frames()
          .map((f) => f.url().slice(0, 80))
          .join(', ')})`,
    );
    const frame = found.frame as Frame;
    const playing = await waitFor(
      page,
      async () => {
        const s = await readPlayer(frame);
        return { ...s, ok: s.currentTime > 0 && !s.paused };
      },
      20000,
      (s) =>
        `the video did not start playing (currentTime ${s.currentTime}, paused ${s.paused}, readyState ${s.readyState}, ` +
        `error "${s.error}", src ${s.src ? 'set' : 'empty'})`,
    );
    const t0 = playing.currentTime;
    await waitFor(
      page,
      async () => {
        const s = await readPlayer(frame);
        return { ...s, ok: s.currentTime !== t0 };
      },
      10000,
      (s) => `currentTime stayed at ${s.currentTime} (paused ${s.paused})`,
      100,
    );
    const meta = await readPlayer(frame);
    check(meta.prompt === PROMPT, `the player shows the prompt "${meta.prompt}", expected "${PROMPT}"`);
    ctx.played = true;
  },
};
