// How one provider's API plugs into the emulator: each provider module exports a ProviderRoutes,
// and server.ts mounts them from its route table (one line per provider).
import type { IncomingHttpHeaders } from 'http';

import type { AuthCheck, Reply } from './http';
import type { EmulatorState } from './state';
import type { RouteKey, RouteKind } from './types';

export interface RequestContext {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The body as the route reads it (`parseBody`): by default parsed JSON, or the raw text when it is not JSON. */
  body: unknown;
}

export interface Route {
  key: RouteKey;
  kind: RouteKind;
  /** Other methods get a 405. */
  methods: readonly string[];
  handle(ctx: RequestContext): Reply;
  /** How this route reads a request body (e.g. multipart); default `parseJsonBody`. Requests are recorded with what it returns. */
  parseBody?(raw: Buffer, headers: IncomingHttpHeaders): unknown;
  /** For status routes: the provider task ids the request asks about (benchmarks attribute requests by them). */
  ids?(ctx: RequestContext): string[];
  /** Answered without a key (a published catalogue). */
  public?: boolean;
  /** Work to finish before `handle` (files: rendering a generated clip). */
  prepare?(): Promise<void>;
}

export interface MountedRoutes {
  /**
   * The route serving this path, a Reply for a path this provider owns but refuses, or undefined when
   * not its path. `method` (upper case) lets one path have a route per method (create and list).
   */
  match(path: string, method: string): Route | Reply | undefined;
  /** This provider's own answer to a request without a usable key (its error body and status). */
  unauthorized(auth: AuthCheck): Reply;
  /** An error answer with this message, in this provider's error shape. */
  error(status: number, message: string): Reply;
}

export interface ProviderRoutes {
  /** The provider id, and the first part of its route keys ("pika.feed"). */
  provider: string;
  /** The paths it serves, for the emulator's startup lines. */
  summary: string;
  /** The path its base URL ends with on the emulator (default: none, the emulator's own address). */
  basePath?: string;
  /** Every route key it serves: fault injection and counts accept exactly these. */
  keys: readonly RouteKey[];
  /** The routes bound to one running emulator's state. */
  mount(state: EmulatorState): MountedRoutes;
}

export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The last path segment, decoded: the task id of `GET /…/{id}`. */
export function lastSegmentId(ctx: Pick<RequestContext, 'path'>): string[] {
  return [decodeSegment(ctx.path.split('/').pop() ?? '')];
}
