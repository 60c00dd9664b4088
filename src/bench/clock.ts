// A clock that runs `scale` times faster than the wall clock, shared by the emulator (task
// durations, finish times) and the pollers (schedules, "seen at" times). Everything the bench
// reports is in this clock's unscaled ("real") milliseconds.
import { performance } from 'perf_hooks';

import type { Clock, TimerHandle } from '../core/model/clock';

export class ScaledClock implements Clock {
  private readonly startReal = performance.now();
  readonly startAt: number;

  constructor(
    readonly scale: number,
    startAt = Date.now(),
  ) {
    if (!(scale > 0)) throw new Error(`time scale must be positive (got ${scale})`);
    this.startAt = Math.floor(startAt);
  }

  /** Scaled epoch ms (whole numbers, never going back). */
  readonly now = (): number => this.startAt + Math.floor((performance.now() - this.startReal) * this.scale);

  /** Runs `fn` after `ms` of scaled time. */
  readonly setTimeout = (fn: () => void, ms: number): TimerHandle => setTimeout(fn, Math.max(0, ms) / this.scale);

  readonly clearTimeout = (handle: TimerHandle): void => clearTimeout(handle);

  /** Scaled ms since the clock started. */
  elapsed(): number {
    return this.now() - this.startAt;
  }

  /** Waits `ms` of scaled time. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }

  /** Waits until the scaled clock reads `at`. */
  async sleepUntil(at: number): Promise<void> {
    while (this.now() < at) await this.sleep(at - this.now());
  }
}

export function sleepReal(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
