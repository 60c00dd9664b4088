// How a UI case fails: with a one-line reason (Check), or when the run's time limit cuts it short
// (Timeout). `waitFor` polls the workbench until a condition holds and otherwise fails with a
// reason built from what it last saw, so a failure says what was on screen.
import type { Page } from 'playwright-core';

/** A failure with a one-line reason. */
export class Check extends Error {}

/** The run's time limit cut a case short. */
export class Timeout extends Error {}

export function check(condition: unknown, reason: string): asserts condition {
  if (!condition) throw new Check(reason);
}

/** Polls `fn` until its result has `ok`, or `timeoutMs` passes; then throws Check(`reason(last)`). */
export async function waitFor<T extends { ok: boolean }>(
  page: Page,
  fn: () => Promise<T>,
  timeoutMs: number,
  reason: (last: T) => string,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const last = await fn();
    if (last.ok) return last;
    if (Date.now() > deadline) throw new Check(reason(last));
    await page.waitForTimeout(intervalMs);
  }
}

/** The first line of an error worth reading (Playwright's call logs left out). */
export function oneLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n').filter((l) => l.trim() && !/^\s*(=+|Call log:|- )/.test(l))[0] || text.split('\n')[0];
}
