// The time source of the engine: what time it is, and timers measured in that time. Production
// uses the wall clock; the benchmark passes a clock that runs faster, so every scheduling rule is
// exercised unchanged in less wall time.

export type TimerHandle = ReturnType<typeof setTimeout>;

export interface Clock {
  /** Epoch ms. */
  now(): number;
  /** Runs `fn` once `ms` of this clock's time have passed. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle),
};
