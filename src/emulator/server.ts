// The provider emulator: one local HTTP server speaking every provider's API (each provider module
// exports its routes; the table below mounts them), plus /files and the /__emulator control routes.
import * as http from 'http';
import type { AddressInfo, Socket } from 'net';
import { Readable } from 'stream';

import { FaultStore } from './faults';
import { serveFile } from './files';
import { gatewayRoutes } from './gateway';
import { hidreamRoutes } from './hidream';
import { bearerKey, checkAuth, httpDate, jsonReply, openAiError, openAiErrorForStatus, parseJsonBody, textReply, type Reply } from './http';
import { openaiRoutes } from './openai';
import { openrouterRoutes } from './openrouter';
import { pikaRoutes } from './pika';
import { decodeSegment, type MountedRoutes, type ProviderRoutes, type RequestContext, type Route } from './routes';
import { EmulatorState } from './state';
import { finishedBy, hostileMessage } from './tasks';
import type { Emulator, EmulatorOptions, Fault, RecordedRequest, RouteKey } from './types';

export type { Emulator, EmulatorOptions, Fault, FaultKind, RecordedRequest, RouteKey, RouteKind } from './types';

/** The providers the emulator speaks: one line each. */
export const PROVIDER_ROUTES: readonly ProviderRoutes[] = [pikaRoutes, gatewayRoutes, hidreamRoutes, openrouterRoutes, openaiRoutes];

/** The base URL a provider is configured with to reach this emulator (`emulatorUrl` plus its base path). */
export function emulatorBaseUrl(emulatorUrl: string, provider: string): string {
  return emulatorUrl + (PROVIDER_ROUTES.find((r) => r.provider === provider)?.basePath ?? '');
}

export const ROUTE_KEYS: readonly RouteKey[] = [...PROVIDER_ROUTES.flatMap((r) => r.keys), 'files'];

const HOST = '127.0.0.1';
const MAX_BODY_BYTES = 64 * 1024 * 1024;
const MALFORMED_BODY = '<html><body>502 Bad Gateway</body></html>';

/** A route with the provider that serves it (none for files: no key needed). */
type Resolved = Route & { owner?: { provider: string; routes: MountedRoutes } };

class RunningEmulator implements Emulator {
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly hanging = new Set<http.ServerResponse>();
  private readonly faults = new FaultStore(ROUTE_KEYS);
  private readonly providers: { provider: string; routes: MountedRoutes }[];
  private countsByRoute: Record<RouteKey, number> = {};
  private recorded: RecordedRequest[] = [];
  private closing?: Promise<void>;
  private boundPort = 0;

  constructor(private readonly state: EmulatorState) {
    this.providers = PROVIDER_ROUTES.map((r) => ({ provider: r.provider, routes: r.mount(state) }));
    this.resetCounts();
    this.server = http.createServer((req, res) => {
      this.onRequest(req, res).catch((e: unknown) => this.internalError(req, res, e));
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server.on('clientError', (_err, socket) => socket.destroy());
  }

  get port(): number {
    return this.boundPort;
  }

  get baseUrl(): string {
    return `http://${HOST}:${this.boundPort}`;
  }

  listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, HOST, () => {
        this.server.off('error', reject);
        this.boundPort = (this.server.address() as AddressInfo).port;
        this.state.baseUrl = this.baseUrl;
        resolve();
      });
    });
  }

  setOptions(partial: Partial<EmulatorOptions>): void {
    this.state.setOptions(partial);
  }

  counts(): Record<RouteKey, number> {
    return { ...this.countsByRoute };
  }

  requests(route?: RouteKey): RecordedRequest[] {
    return this.recorded.filter((r) => route === undefined || r.route === route);
  }

  resetCounts(): void {
    this.countsByRoute = Object.fromEntries(ROUTE_KEYS.map((k) => [k, 0]));
    this.recorded = [];
  }

  injectFault(fault: Fault): void {
    this.faults.add(fault);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  taskFinishedAt(remoteId: string): number | undefined {
    const timing = this.state.timings.get(remoteId);
    return timing && finishedBy(timing, this.state.now());
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      for (const t of this.timers) clearTimeout(t);
      this.timers.clear();
      for (const res of this.hanging) res.destroy();
      this.hanging.clear();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
      for (const s of this.sockets) s.destroy();
    });
    return this.closing;
  }

  private log(line: string): void {
    try {
      this.state.options.log(line);
    } catch {
      // A failing logger must not break a request.
    }
  }

  private resolve(method: string, path: string): Resolved | Reply {
    const m = method.toUpperCase();
    const allowed = (route: Resolved): Resolved | Reply =>
      route.methods.includes(m)
        ? route
        : openAiError(405, `Method ${m} not allowed on ${path}`, 'invalid_request_error', null, 'method_not_allowed');
    for (const owner of this.providers) {
      const found = owner.routes.match(path, m);
      if (found) return 'handle' in found ? allowed({ ...found, owner }) : found;
    }
    const file = /^\/files\/(.+)$/.exec(path);
    if (file) {
      const relative = file[1].split('/').map(decodeSegment).join('/');
      return allowed({
        key: 'files',
        kind: 'files',
        methods: ['GET', 'HEAD'],
        prepare: () => this.state.prepareFile(relative),
        handle: (c) => serveFile(this.state, relative, c.headers),
      });
    }
    return openAiError(404, `No route for ${m} ${path}`, 'invalid_request_error', null, 'not_found');
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    // Not `new URL(req.url, base)`: a path starting with `//` would be read as a host.
    const target = req.url ?? '/';
    const queryAt = target.indexOf('?');
    const path = (queryAt < 0 ? target : target.slice(0, queryAt)).replace(/\/{2,}/g, '/');
    const query = new URLSearchParams(queryAt < 0 ? '' : target.slice(queryAt + 1));
    if (path.startsWith('/__emulator/')) {
      this.send(req, res, this.control(method, path, await readBody(req)));
      return;
    }
    const route = this.resolve(method, path);
    if (!('handle' in route)) {
      await readBody(req);
      this.send(req, res, route);
      return;
    }
    // Taken before the body is read: some faults act on the upload itself.
    const fault = this.faults.take(route.key);
    if (fault?.kind === 'resetUpload') {
      this.count(route, method, path, req);
      await firstChunk(req);
      this.log(`${method} ${req.url} reset while the body was arriving (fault)`);
      req.socket.destroy();
      return;
    }
    const raw = fault?.kind === 'slowUpload' ? await this.readSlowly(req, fault.bytesPerSecond ?? 1) : await readBody(req);
    const body = route.parseBody ? route.parseBody(raw, req.headers) : parseJsonBody(raw);
    if (route.prepare) await route.prepare();
    const auth = checkAuth(req.headers);
    const ctx: RequestContext = { method, path, query, headers: req.headers, body };
    this.count(route, method, path, req, ctx, auth);
    const owner = route.owner;
    const normal = (): Reply =>
      owner && !route.public && !auth.authorized
        ? owner.routes.unauthorized(auth)
        : this.state.withRequestKey(bearerKey(req.headers), () => route.handle(ctx));

    if (!fault || fault.kind === 'slowUpload') {
      this.send(req, res, normal(), fault ? `body read at ${fault.bytesPerSecond} B/s (fault)` : undefined);
      return;
    }
    switch (fault.kind) {
      case 'status': {
        const headers: Record<string, string> = {};
        if (fault.retryAfter !== undefined) headers['Retry-After'] = fault.retryAfter;
        if (fault.retryAfterMs !== undefined) headers['retry-after-ms'] = String(fault.retryAfterMs);
        this.send(req, res, openAiErrorForStatus(fault.status ?? 500, headers), 'status fault');
        return;
      }
      case 'reset':
        this.log(`${method} ${req.url} reset (fault)`);
        req.socket.destroy();
        return;
      case 'hang':
        this.log(`${method} ${req.url} hang (fault)`);
        this.hanging.add(res);
        res.on('close', () => this.hanging.delete(res));
        return;
      case 'slow':
        await this.sleep(fault.delayMs ?? 0);
        if (res.destroyed) return;
        this.send(req, res, normal(), `slow fault ${fault.delayMs ?? 0} ms`);
        return;
      case 'truncated':
        this.send(req, res, normal(), 'truncated fault', true);
        return;
      case 'malformed':
        this.send(req, res, textReply(200, MALFORMED_BODY, 'text/html'), 'malformed fault');
        return;
      case 'hostile': {
        const message = hostileMessage(bearerKey(req.headers));
        const status = fault.status ?? 400;
        const reply = owner ? owner.routes.error(status, message) : openAiError(status, message, 'invalid_request_error', null, null);
        this.send(req, res, reply, 'hostile fault');
        return;
      }
    }
  }

  /** Counts and records a request that reached a route (`ctx` once its body was read). */
  private count(
    route: Resolved,
    method: string,
    path: string,
    req: http.IncomingMessage,
    ctx?: RequestContext,
    auth = checkAuth(req.headers),
  ): void {
    this.countsByRoute[route.key] = (this.countsByRoute[route.key] ?? 0) + 1;
    this.recorded.push({
      route: route.key,
      kind: route.kind,
      ...(route.owner ? { provider: route.owner.provider } : {}),
      ...(route.ids && ctx ? { ids: route.ids(ctx) } : {}),
      method,
      path: req.url ?? path,
      ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}),
      ...(method === 'POST' && ctx ? { body: ctx.body } : {}),
      authorized: auth.authorized,
      hadAuthorizationHeader: auth.hadAuthorizationHeader,
      at: this.state.now(),
    });
  }

  /** Reads a request body at about `bytesPerSecond` (real time), as a slow uplink delivers it. */
  private readSlowly(req: http.IncomingMessage, bytesPerSecond: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        req.pause();
        void this.sleep((chunk.length / bytesPerSecond) * 1000).then(() => req.resume());
      });
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });
  }

  private control(method: string, path: string, raw: Buffer): Reply {
    const ok = jsonReply(200, { ok: true });
    if (path === '/__emulator/counts' && method === 'GET') return jsonReply(200, this.counts());
    if (path === '/__emulator/reset' && method === 'POST') {
      this.resetCounts();
      return ok;
    }
    if (path === '/__emulator/options' && method === 'POST') {
      // Only what a test may switch at run time: which result videos are served.
      const body = parseJsonBody(raw) as { clips?: unknown } | undefined;
      if (body?.clips !== 'generated' && body?.clips !== 'fixtures') {
        return openAiError(400, 'clips must be "generated" or "fixtures"', 'invalid_request_error', null, null);
      }
      this.state.setOptions({ clips: body.clips });
      return ok;
    }
    if (path === '/__emulator/faults' && method === 'DELETE') {
      this.clearFaults();
      return ok;
    }
    if (path === '/__emulator/faults' && method === 'POST') {
      try {
        this.injectFault(JSON.parse(raw.toString('utf8')) as Fault);
        return ok;
      } catch (e) {
        return openAiError(400, e instanceof Error ? e.message : String(e), 'invalid_request_error', null, null);
      }
    }
    return openAiError(404, `No control route ${method} ${path}`, 'invalid_request_error', null, 'not_found');
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  /**
   * Writes a reply; `truncate` sends only the first half of the body (files: then drops the connection).
   * Its `Date` is the emulator's clock (the `now` option), so a test can give the server a skewed clock.
   */
  private send(req: http.IncomingMessage, res: http.ServerResponse, reply: Reply, note?: string, truncate = false): void {
    if (res.destroyed || res.headersSent) return;
    this.log(`${req.method} ${req.url} ${reply.status}${note ? ` (${note})` : ''}`);
    const head = req.method === 'HEAD';
    const date = this.dateHeader();
    if (reply.kind === 'buffer') {
      const body = truncate ? reply.body.subarray(0, Math.floor(reply.body.length / 2)) : reply.body;
      res.writeHead(reply.status, { ...date, ...reply.headers, 'Content-Length': String(body.length) });
      res.end(head ? undefined : body);
      return;
    }
    res.writeHead(reply.status, { ...date, ...reply.headers, 'Content-Length': String(reply.length) });
    if (head) {
      res.end();
      return;
    }
    const source = truncate ? takeBytes(reply.open(), Math.floor(reply.length / 2)) : reply.open();
    source.on('error', () => res.destroy());
    res.on('close', () => source.destroy());
    if (truncate) {
      source.pipe(res, { end: false });
      source.on('end', () => res.destroy());
    } else {
      source.pipe(res);
    }
  }

  /** `Date` by the emulator's clock; none (Node's own) when that clock throws, so its 500 still goes out. */
  private dateHeader(): Record<string, string> {
    try {
      return { Date: httpDate(this.state.now()) };
    } catch {
      return {};
    }
  }

  private internalError(req: http.IncomingMessage, res: http.ServerResponse, e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    this.log(`${req.method} ${req.url} 500 (emulator error: ${message})`);
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    this.send(req, res, openAiError(500, `Internal emulator error: ${message}`, 'server_error', null, 'internal_error'));
  }
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => (size > MAX_BODY_BYTES ? reject(new Error('Request body too large')) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

/** Resolves when the first part of the body has arrived (or the request ended or failed). */
function firstChunk(req: http.IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    req.once('data', () => resolve());
    req.once('end', () => resolve());
    req.once('error', () => resolve());
  });
}

/** The first `limit` bytes of a stream. */
function takeBytes(source: Readable, limit: number): Readable {
  async function* head(): AsyncGenerator<Buffer> {
    let left = limit;
    for await (const chunk of source) {
      if (left <= 0) break;
      const buf = chunk as Buffer;
      const part = buf.length > left ? buf.subarray(0, left) : buf;
      left -= part.length;
      yield part;
    }
  }
  return Readable.from(head(), { objectMode: false });
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const emulator = new RunningEmulator(new EmulatorState(options));
  await emulator.listen(options.port ?? 0);
  return emulator;
}
