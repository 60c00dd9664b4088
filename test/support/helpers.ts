// Shared bits of the provider/core unit tests: fixture paths, a controllable emulator per suite,
// tasks to poll, tiny stub servers, and an assertion for ProviderError rejections.
import * as assert from 'assert';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';

import { ErrorKind, ProviderError } from '../../src/core/model/errors';
import { GenerateRequest, GenerationMode, ProviderId, Task } from '../../src/core/model/task';
import { MAX_PROVIDER_TEXT } from '../../src/core/net/sanitize';
import { defaultFixturesDir } from '../../src/emulator/fixtures';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/server';
import { ProviderClient, ProviderContext, RemoteState } from '../../src/providers/clientKit';

export const FIXTURES = defaultFixturesDir(__dirname);
export const GOOD_KEY = 'sk-unit-test-key-0123456789';
export const T0 = Date.UTC(2025, 4, 6, 7, 8, 9);

export function fixture(name: string): string {
  return path.join(FIXTURES, name);
}

export function fixtureBase64(name: string): string {
  return fs.readFileSync(fixture(name)).toString('base64');
}

/** An emulator with a hand-driven clock, started before the suite and reset before each test. */
export interface EmulatorHandle {
  readonly em: Emulator;
  /** Moves the emulator clock forward. */
  advance(ms: number): void;
  ctx(apiKey?: string, extra?: Partial<ProviderContext>): ProviderContext;
}

export function useEmulator(options: EmulatorOptions = {}): EmulatorHandle {
  let em: Emulator | undefined;
  let clock = T0;
  before(async () => {
    em = await startEmulator({ durationMs: 10_000, ...options, now: () => clock });
  });
  beforeEach(() => {
    em!.resetCounts();
    em!.clearFaults();
    em!.setOptions({ durationMs: 10_000, gatewayShape: 'flat', gatewayCreateId: 'both', ...options });
  });
  after(async () => {
    await em?.close();
  });
  return {
    get em() {
      assert.ok(em, 'emulator not started');
      return em;
    },
    advance(ms: number) {
      clock += ms;
    },
    ctx(apiKey = GOOD_KEY, extra: Partial<ProviderContext> = {}) {
      return { baseUrl: em!.baseUrl, apiKey, timeoutMs: 5_000, ...extra };
    },
  };
}

let taskCounter = 0;

/** A task as the engine would hold it after a create, for `poll`. */
export function makeTask(provider: ProviderId, remoteId: string, extra: Partial<Task> = {}): Task {
  const request: GenerateRequest = extra.request ?? { provider, prompt: 'test prompt' };
  const mode: GenerationMode = extra.mode ?? 'text-to-video';
  return {
    id: `local-${++taskCounter}`,
    provider,
    remoteId,
    mode,
    status: 'queued',
    progress: 0,
    prompt: request.prompt,
    model: 'm',
    createdAt: Date.now(),
    updatedAt: Date.now(),
    videos: [],
    request,
    ...extra,
  };
}

/** Polls one task and returns its state, failing the test if the provider answered with an error instead. */
export async function pollState(provider: ProviderClient, ctx: ProviderContext, task: Task): Promise<RemoteState> {
  const s = (await provider.poll(ctx, [task])).get(task.id);
  assert.ok(s && !(s instanceof ProviderError), String(s));
  return s;
}

/** Awaits a rejection that must be a ProviderError of `kind`, and returns it for further checks. */
export async function rejectsWith(p: Promise<unknown>, kind: ErrorKind): Promise<ProviderError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ProviderError, `expected a ProviderError, got ${String(e)}`);
    assert.strictEqual(e.kind, kind, `expected kind ${kind}, got ${e.kind}: ${e.message}`);
    return e;
  }
  assert.fail(`expected a rejection of kind ${kind}, but it resolved`);
}

export interface StubRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface StubServer {
  baseUrl: string;
  requests: StubRequest[];
  close(): Promise<void>;
}

/** A throwaway local HTTP server for answers the emulator never gives. */
export async function startStub(handler: (req: StubRequest, res: http.ServerResponse) => void): Promise<StubServer> {
  const requests: StubRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: StubRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(r);
      handler(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function sendJson(res: http.ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

/** A local port with nothing listening on it. */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** What no stored or shown provider text may hold: a command URI, link syntax, the key, an sk- token, a control character, or more than `max` characters. */
export function assertClean(text: string | undefined, key: string, max = MAX_PROVIDER_TEXT): void {
  assert.ok(text !== undefined, 'there is a text');
  assert.ok(!/command:/i.test(text), `a command URI survived: ${text.slice(0, 200)}`);
  assert.ok(!/\]\(|<a\b|href=/i.test(text), `link syntax survived: ${text.slice(0, 200)}`);
  assert.ok(!text.includes(key), 'the key survived');
  assert.ok(!/sk-[A-Za-z0-9]/.test(text), 'an sk- token survived');
  assert.ok(!/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/.test(text), 'a control character survived');
  assert.ok(text.length <= max, `${text.length} characters, over ${max}`);
}

/** What `meterRegex` saw: the longest text one regular expression ran over, and the sum over all runs. */
export interface RegexMeter<T> {
  result: T;
  longest: number;
  total: number;
}

/**
 * Runs `fn` with every regular expression run metered (exec, test, replace, match, split, search):
 * how many characters each was handed. A run over more than `budget` characters throws at once, so
 * a sanitizer that scans megabytes fails fast instead of stalling the suite.
 */
export function meterRegex<T>(fn: () => T, budget: number): RegexMeter<T> {
  const proto = RegExp.prototype as unknown as Record<PropertyKey, unknown>;
  const names: PropertyKey[] = ['exec', 'test', Symbol.replace, Symbol.match, Symbol.matchAll, Symbol.split, Symbol.search];
  const saved = names.map((n) => [n, proto[n]] as const);
  let longest = 0;
  let total = 0;
  let depth = 0;
  for (const [name, original] of saved) {
    proto[name] = function (this: RegExp, input: unknown, ...rest: unknown[]) {
      // A replace calls exec once per match, from where the last one ended: one run is counted once.
      if (depth === 0) {
        const length = String(input).length;
        if (length > budget) {
          throw new Error(`a regular expression ran over ${length} characters (budget ${budget}): ${this.source.slice(0, 60)}`);
        }
        longest = Math.max(longest, length);
        total += length;
      }
      depth++;
      try {
        return (original as (...a: unknown[]) => unknown).call(this, input, ...rest);
      } finally {
        depth--;
      }
    };
  }
  try {
    return { result: fn(), longest, total };
  } finally {
    for (const [name, original] of saved) proto[name] = original;
  }
}

/** A link VS Code would render in a notification (`[label](target)`, any target), an HTML tag, or a command URI, if the text holds one. */
export function linkIn(text: string): string | undefined {
  return /\[[^\]]*\]\([^)]*\)/.exec(text)?.[0] ?? /<\/?[a-z][^>]*>/i.exec(text)?.[0] ?? /\bcommand:/i.exec(text)?.[0];
}
