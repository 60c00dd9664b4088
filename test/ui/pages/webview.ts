// Webviews (the player, gallery and compare panels) are nested iframes of the workbench page: a
// webview is found as the frame whose document has a given element.
import type { Frame, Page } from 'playwright-core';

import { Check } from '../check';

export class Webviews {
  constructor(readonly page: Page) {}

  /** The frame whose document has `selector`, or undefined. */
  async frame(selector: string): Promise<Frame | undefined> {
    for (const frame of this.page.frames()) {
      try {
        if (await frame.evaluate((s) => !!document.querySelector(s), selector)) return frame;
      } catch {
        // detached or navigating
      }
    }
    return undefined;
  }

  /** Waits for a frame with `selector`; `what` names the webview in the failure. */
  async waitFor(selector: string, what: string, timeoutMs = 20000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = await this.frame(selector);
      if (frame) return frame;
      if (Date.now() > deadline) throw new Check(`${what} did not open within ${timeoutMs / 1000} s`);
      await this.page.waitForTimeout(200);
    }
  }

  /** The player's frame: the one with its <video> and the metadata block. */
  async player(): Promise<Frame | undefined> {
    for (const frame of this.page.frames()) {
      try {
        if (await frame.evaluate(() => !!document.querySelector('video.video') && !!document.querySelector('.meta'))) return frame;
      } catch {
        // detached or navigating
      }
    }
    return undefined;
  }
}
