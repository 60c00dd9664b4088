// Where a download may connect. A result URL comes from the provider's answer, so it is untrusted:
// it must not reach into the user's network (a router page, a cloud metadata service, a local
// daemon) unless it points at the provider's own host or a host the user listed. Every address a
// host name resolves to is checked before connecting, and the connection then goes to exactly the
// checked addresses, so a second DNS answer cannot swap in another one.
import * as l10n from '@vscode/l10n';
import { promises as dns } from 'dns';
import type { LookupAddress } from 'dns';
import { BlockList, isIP } from 'net';
import { ProviderError } from '../model/errors';

export interface NetPolicy {
  /** The provider base URL the result came from: its host may be private (the emulator, a self-hosted gateway). */
  origin?: string;
  /** Host names or addresses that may be private anyway (setting aiVideo.download.allowPrivateHosts). */
  allowPrivateHosts?: readonly string[];
  /** Plain http to any host (setting aiVideo.allowInsecureHttp). */
  allowInsecureHttp?: boolean;
}

export type Resolver = (host: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (host) => dns.lookup(host, { all: true, verbatim: true });

const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv4');
}
PRIVATE.addAddress('::', 'ipv6');
PRIVATE.addAddress('::1', 'ipv6');
PRIVATE.addSubnet('fc00::', 7, 'ipv6');
PRIVATE.addSubnet('fe80::', 10, 'ipv6');

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

function family(ip: string): 'ipv4' | 'ipv6' | undefined {
  const v = isIP(ip);
  return v === 4 ? 'ipv4' : v === 6 ? 'ipv6' : undefined;
}

/** Private, loopback, link-local, CGNAT or unspecified, also written as an IPv4-mapped IPv6 address. */
export function isPrivateAddress(ip: string): boolean {
  const f = family(ip);
  return f !== undefined && PRIVATE.check(ip, f);
}

function isLoopbackAddress(ip: string): boolean {
  const f = family(ip);
  return f !== undefined && LOOPBACK.check(ip, f);
}

/** A host of this machine by its name or address (URL host form, brackets allowed). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || isLoopbackAddress(h);
}

/** One spelling per host: lower case, no brackets, no trailing dot, IPv6 in its shortest form. */
export function normalizeHost(host: string): string {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (isIP(h) !== 6) return h;
  try {
    return new URL(`http://[${h}]/`).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return h;
  }
}

function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

function refused(message: string): ProviderError {
  return new ProviderError({ kind: 'config', message });
}

/**
 * Checks one URL a download is about to connect to (the result URL or a redirect target) and
 * returns the addresses to connect to. Throws a ProviderError before any connection is opened:
 * 'malformed' for a scheme other than http(s), 'config' for a refused host or plain http.
 */
export async function checkTarget(url: URL, policy: NetPolicy, resolve: Resolver = systemResolver): Promise<LookupAddress[]> {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ProviderError({ kind: 'malformed', message: l10n.t('Refusing to download a {0} URL; only http(s) results are fetched.', url.protocol) });
  }
  const host = normalizeHost(url.hostname);
  const originHost = hostOf(policy.origin);
  if (url.protocol === 'http:' && !policy.allowInsecureHttp && !(originHost && isLoopbackHost(originHost)) && !isLoopbackHost(host)) {
    throw refused(
      l10n.t('Refusing to download from {0} over plain http: results must use https (plain http is allowed when the provider\'s base URL is on this machine, or with the setting aiVideo.allowInsecureHttp).', url.host),
    );
  }
  const trusted = (originHost !== undefined && normalizeHost(originHost) === host) || (policy.allowPrivateHosts ?? []).some((h) => normalizeHost(h) === host);
  const refusePrivate = (what: string) =>
    refused(
      l10n.t('Refusing to download from {0}: {1} is a private, loopback or link-local network address, and the result should come from the provider or a public server. If you trust this host, add "{2}" to the setting aiVideo.download.allowPrivateHosts.', url.host, what, host),
    );
  const literal = family(host);
  if (literal) {
    if (!trusted && isPrivateAddress(host)) throw refusePrivate('it');
    return [{ address: host, family: literal === 'ipv4' ? 4 : 6 }];
  }
  if (!trusted && (host === 'localhost' || host.endsWith('.localhost'))) throw refusePrivate('it');
  let addresses: LookupAddress[];
  try {
    addresses = await resolve(host);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ProviderError({ kind: 'network', message: l10n.t('Download failed: cannot resolve {0} ({1}).', host, code ?? 'DNS error') });
  }
  if (addresses.length === 0) throw new ProviderError({ kind: 'network', message: l10n.t('Download failed: {0} has no address.', host) });
  const inside = trusted ? undefined : addresses.find((a) => isPrivateAddress(a.address));
  if (inside) throw refusePrivate(`its address ${inside.address}`);
  return addresses;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for http(s).request that answers with the checked addresses only, never asking DNS again. */
export function pinnedLookup(addresses: readonly LookupAddress[]) {
  return (_host: string, options: { all?: boolean; family?: number | string }, callback: LookupCallback): void => {
    const want = options.family === 4 || options.family === 'IPv4' ? 4 : options.family === 6 || options.family === 'IPv6' ? 6 : 0;
    const usable = addresses.filter((a) => want === 0 || a.family === want);
    if (usable.length === 0) {
      const err: NodeJS.ErrnoException = new Error(`No IPv${want} address among the checked ones`);
      err.code = 'ENOTFOUND';
      callback(err, '', 0);
      return;
    }
    if (options.all) callback(null, usable.map((a) => ({ ...a })));
    else callback(null, usable[0].address, usable[0].family);
  };
}
