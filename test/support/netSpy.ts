// Watches every outgoing TCP connection this process tries and lets only those to 127.0.0.1 through.
// A test of a refused address proves nothing was attempted; and were the code under test broken,
// the attempt is stopped here instead of reaching the network.
import type { LookupAddress } from 'dns';
import * as net from 'net';

export interface ConnectAttempt {
  /** The host the socket was asked to connect to (an address, or a name). */
  host: string;
  /** For a name: the addresses its lookup answered with (undefined: no lookup was given, blocked). */
  addresses?: string[];
}

type LookupFn = (
  host: string,
  options: object,
  cb: (err: Error | null, address: string | LookupAddress[], family?: number) => void,
) => void;

function blocked(what: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`connection to ${what} blocked by the test`), { code: 'ECONNREFUSED' });
}

export interface NetSpy {
  readonly attempts: ConnectAttempt[];
  restore(): void;
}

export function spyOnConnections(): NetSpy {
  const original = net.Socket.prototype.connect;
  const attempts: ConnectAttempt[] = [];
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    // net.createConnection passes its normalized [options, callback] array as the first argument.
    const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
    const opts = (typeof first === 'object' && first !== null ? first : { port: first, host: args[1] }) as {
      host?: string;
      path?: string;
      lookup?: LookupFn;
    };
    if (opts.path) return original.apply(this, args as never);
    const host = String(opts.host ?? 'localhost');
    const attempt: ConnectAttempt = { host };
    attempts.push(attempt);
    const refuse = (what: string) => {
      process.nextTick(() => this.destroy(blocked(what)));
      return this;
    };
    if (net.isIP(host)) return host === '127.0.0.1' ? original.apply(this, args as never) : refuse(host);
    const lookup = opts.lookup;
    if (!lookup) return refuse(`${host} (no pinned lookup)`);
    opts.lookup = (name, options, cb) =>
      lookup(name, options, (err, address, family) => {
        const list = Array.isArray(address) ? address.map((a) => a.address) : [address];
        attempt.addresses = list;
        if (!err && list.some((a) => a !== '127.0.0.1')) cb(blocked(list.join(', ')), '', 0);
        else cb(err, address, family);
      });
    return original.apply(this, args as never);
  } as typeof original;
  return {
    attempts,
    restore: () => {
      net.Socket.prototype.connect = original;
    },
  };
}
