// `node out/src/emulator/cli.js [--port N] [--duration MS] [--gateway-shape flat|envelope] [--hidream-limits] [--clock-skew MS] [--clips generated|fixtures]`
// (--clock-skew runs the server's clock that far ahead of this machine's, or behind when negative; results are
// a clip rendered per prompt with ffmpeg unless --clips fixtures).
import { PROVIDER_ROUTES, startEmulator, type EmulatorOptions } from './server';

const USAGE =
  'Usage: node out/src/emulator/cli.js [--port N] [--duration MS] [--queued-fraction F]' +
  ' [--gateway-shape flat|envelope] [--hidream-limits] [--clock-skew MS] [--clips generated|fixtures]';

export function parseArgs(argv: string[]): EmulatorOptions {
  const options: EmulatorOptions = { clips: 'generated' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const number = (min: number, max: number): number => {
      const v = value();
      const n = Number(v);
      if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
        throw new Error(`${flag}: expected a number from ${min} to ${max}, got ${v}`);
      }
      return n;
    };
    switch (flag) {
      case '--port':
        options.port = number(0, 65535);
        break;
      case '--duration':
        options.durationMs = number(0, Number.MAX_SAFE_INTEGER);
        break;
      case '--queued-fraction':
        options.queuedFraction = number(0, 1);
        break;
      case '--gateway-shape': {
        const shape = value();
        if (shape !== 'flat' && shape !== 'envelope') throw new Error('--gateway-shape: expected flat or envelope');
        options.gatewayShape = shape;
        break;
      }
      case '--clips': {
        const clips = value();
        if (clips !== 'generated' && clips !== 'fixtures') throw new Error('--clips: expected generated or fixtures');
        options.clips = clips;
        break;
      }
      case '--hidream-limits':
        options.hidreamLimits = true;
        break;
      case '--clock-skew': {
        const skew = number(-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
        options.now = () => Date.now() + skew;
        break;
      }
      default:
        throw new Error(`Unknown argument: ${arg}`);
    }
  }
  return options;
}

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  let options: EmulatorOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    console.error(USAGE);
    process.exitCode = 2;
    return;
  }
  const emulator = await startEmulator({ ...options, log: (line) => console.log(line) });
  const base = emulator.baseUrl;
  console.log(`AI Video provider emulator listening on ${base}`);
  for (const r of PROVIDER_ROUTES) console.log(`  ${`${r.provider} base URL:`.padEnd(20)}${base}${r.basePath ?? ''}  (${r.summary})`);
  console.log(`  ${'Control:'.padEnd(20)}${base}/__emulator/counts, /__emulator/faults, /__emulator/reset, /__emulator/options`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping emulator`);
    emulator.close().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  });
}
