// Loads mocha for the in-host suite. The Node inside VS Code's Electron may not require() ES
// modules, so mocha is loaded with a real import() (esbuild keeps it as one in out/), and pinned to
// mocha 11: mocha 12 cannot be loaded that way either, as its own CommonJS entry require()s its ES
// modules. test/unit/integration/loadMocha.test.ts runs a suite through this with require(esm) turned off.
import type MochaType from 'mocha';

export async function loadMocha(): Promise<typeof MochaType> {
  return (await import('mocha')).default;
}
