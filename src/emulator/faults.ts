// Injected faults: each applies to the next `times` requests of its route, before normal handling.
import { isObject } from './http';
import { FAULT_KINDS, type Fault, type RouteKey } from './types';

interface ArmedFault {
  fault: Fault;
  remaining: number;
}

/** The fault as given, checked against the routes served; throws with a readable message when it cannot apply to anything. */
export function checkFault(value: unknown, routeKeys: readonly RouteKey[]): Fault {
  if (!isObject(value)) throw new Error('A fault must be an object');
  const { route, kind, status, retryAfter, retryAfterMs, delayMs, bytesPerSecond } = value;
  let times: unknown = value.times;
  if (typeof route !== 'string' || !routeKeys.includes(route)) {
    throw new Error(`Unknown route key: ${String(route)} (one of ${routeKeys.join(', ')})`);
  }
  if (typeof kind !== 'string' || !(FAULT_KINDS as readonly string[]).includes(kind)) {
    throw new Error(`Unknown fault kind: ${String(kind)}`);
  }
  if (kind === 'status' && !(Number.isInteger(status) && (status as number) >= 400 && (status as number) <= 599)) {
    throw new Error('A status fault needs status: an HTTP error status (400-599)');
  }
  if (kind === 'hostile' && status !== undefined && !(Number.isInteger(status) && (status as number) >= 200 && (status as number) <= 599)) {
    throw new Error('A hostile fault takes status: an HTTP status (200-599)');
  }
  if (kind === 'slow' && !(typeof delayMs === 'number' && delayMs >= 0)) throw new Error('A slow fault needs delayMs >= 0');
  if (kind === 'slowUpload' && !(typeof bytesPerSecond === 'number' && bytesPerSecond > 0)) {
    throw new Error('A slowUpload fault needs bytesPerSecond > 0');
  }
  if (retryAfter !== undefined && typeof retryAfter !== 'string') throw new Error('retryAfter must be a string');
  if (retryAfterMs !== undefined && typeof retryAfterMs !== 'number') throw new Error('retryAfterMs must be a number');
  // JSON has no Infinity: the control route also takes "Infinity" (or null) for "every request".
  if (times === 'Infinity' || times === null) times = Infinity;
  if (times !== undefined && !(typeof times === 'number' && times >= 1 && (Number.isInteger(times) || times === Infinity))) {
    throw new Error('times must be a positive integer or Infinity');
  }
  return {
    route,
    kind: kind as Fault['kind'],
    ...(status !== undefined ? { status: status as number } : {}),
    ...(retryAfter !== undefined ? { retryAfter } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(delayMs !== undefined ? { delayMs: delayMs as number } : {}),
    ...(bytesPerSecond !== undefined ? { bytesPerSecond: bytesPerSecond as number } : {}),
    ...(times !== undefined ? { times: times as number } : {}),
  };
}

export class FaultStore {
  private armed: ArmedFault[] = [];

  constructor(private readonly routeKeys: readonly RouteKey[]) {}

  add(fault: Fault): void {
    const checked = checkFault(fault, this.routeKeys);
    this.armed.push({ fault: checked, remaining: checked.times ?? 1 });
  }

  /** The fault that hits this request of `route`, if any (first injected first). */
  take(route: RouteKey): Fault | undefined {
    const i = this.armed.findIndex((a) => a.fault.route === route && a.remaining > 0);
    if (i < 0) return undefined;
    const armed = this.armed[i];
    armed.remaining -= 1;
    if (armed.remaining <= 0) this.armed.splice(i, 1);
    return armed.fault;
  }

  clear(): void {
    this.armed = [];
  }
}
