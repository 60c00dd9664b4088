// Where a download may connect. A result URL comes from the provider's answer, so it is untrusted:
// it must not reach into the user's network (a router page, a cloud metadata service, a local
// daemon) unless it points at the provider's own host or a host the user listed. Every address a
// host name resolves to is checked before connecting, and the connection then goes to exactly the
// checked addresses, so a second DNS answer cannot swap in another one.
//
// What counts as public. IPv6: only global unicast (2000::/3), because IPv6 has many ways to spell a
// path to somewhere else (IPv4-compatible ::a.b.c.d, NAT64 64:ff9b::/96 and 64:ff9b:1::/48, SIIT),
// plus site-local, unique-local, link-local, multicast and discard ranges; an allow-list closes them
// all, including forms not listed here. Inside it, 6to4 (2002::/16) is judged by the IPv4 address it
// embeds, and Teredo, benchmarking and ORCHID ranges are refused. IPv4-mapped ::ffff:a.b.c.d is judged
// as its IPv4 address. IPv4: every block the special-purpose registry marks as not globally reachable
// (this network, private, CGNAT, loopback, link-local, 192.0.0.0/24, the 6to4 relay, benchmarking
// 198.18.0.0/15, reserved 240/4 and the broadcast address) and multicast 224/4 are refused. The
// documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) stay allowed:
// they are set aside for examples and lead nowhere on the Internet, and the tests use them as stand-ins
// for public hosts (refusing them too would be one more line in each list).
import { promises as dns, type LookupAddress } from 'dns';
import { BlockList, isIP } from 'net';
import * as l10n from '@vscode/l10n';

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

/** IPv4 blocks that are not public unicast (IANA special-purpose registry, plus multicast). */
const NOT_PUBLIC_V4 = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NOT_PUBLIC_V4.addSubnet(net, bits, 'ipv4');
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

function family(ip: string): 'ipv4' | 'ipv6' | undefined {
  const v = isIP(ip);
  return v === 4 ? 'ipv4' : v === 6 ? 'ipv6' : undefined;
}

/** The eight 16-bit groups of an IPv6 address (a zone index is ignored), or undefined when it is not one. */
function ipv6Groups(ip: string): number[] | undefined {
  let h: string;
  try {
    // The URL parser gives the shortest form, embedded dotted quads in hex.
    h = new URL(`http://[${ip.replace(/%.*$/, '')}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
  const [head, tail] = h.includes('::') ? h.split('::') : [h, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  const groups = [...left, ...zeros, ...right].map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN));
  return groups.length === 8 && groups.every((g) => !Number.isNaN(g)) ? groups : undefined;
}

/** The IPv4 address held in two IPv6 groups. */
function embeddedIpv4(high: number, low: number): string {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

function ipv6NotPublic(ip: string): boolean {
  const g = ipv6Groups(ip);
  if (!g) return true;
  // IPv4-mapped (::ffff:a.b.c.d): the IPv4 address decides.
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return NOT_PUBLIC_V4.check(embeddedIpv4(g[6], g[7]), 'ipv4');
  // Only global unicast is public: this refuses ::, ::1, ::a.b.c.d, NAT64, discard, ULA, link- and site-local, multicast.
  if ((g[0] & 0xe000) !== 0x2000) return true;
  // 6to4 carries the IPv4 address of the other end.
  if (g[0] === 0x2002) return NOT_PUBLIC_V4.check(embeddedIpv4(g[1], g[2]), 'ipv4');
  if (g[0] === 0x2001) {
    // Teredo (2001::/32), benchmarking (2001:2::/48), ORCHID and ORCHIDv2 (2001:10::/28, 2001:20::/28).
    if (g[1] === 0 || (g[1] === 2 && g[2] === 0) || (g[1] >= 0x10 && g[1] <= 0x2f)) return true;
  }
  return false;
}

/**
 * Not a public unicast address: private, loopback, link-local, CGNAT, unspecified, multicast, broadcast,
 * reserved, or an IPv6 form that leads to one of those (see the header). False for what is not an address.
 */
export function isPrivateAddress(ip: string): boolean {
  const f = family(ip);
  if (f === 'ipv4') return NOT_PUBLIC_V4.check(ip, 'ipv4');
  return f === 'ipv6' && ipv6NotPublic(ip);
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
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
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
    throw new ProviderError({
      kind: 'malformed',
      message: l10n.t('Refusing to download a {0} URL; only http(s) results are fetched.', url.protocol),
    });
  }
  const host = normalizeHost(url.hostname);
  const originHost = hostOf(policy.origin);
  if (url.protocol === 'http:' && !policy.allowInsecureHttp && !(originHost && isLoopbackHost(originHost)) && !isLoopbackHost(host)) {
    throw refused(
      l10n.t(
        "Refusing to download from {0} over plain http: results must use https (plain http is allowed when the provider's base URL is on this machine, or with the setting aiVideo.allowInsecureHttp).",
        url.host,
      ),
    );
  }
  const trusted =
    (originHost !== undefined && normalizeHost(originHost) === host) ||
    (policy.allowPrivateHosts ?? []).some((h) => normalizeHost(h) === host);
  const refusePrivate = (what: string) =>
    refused(
      l10n.t(
        'Refusing to download from {0}: {1} is a private, loopback, link-local or other non-public network address, and the result should come from the provider or a public server. If you trust this host, add "{2}" to the setting aiVideo.download.allowPrivateHosts.',
        url.host,
        what,
        host,
      ),
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
    if (options.all) {
      callback(
        null,
        usable.map((a) => ({ ...a })),
      );
    } else callback(null, usable[0].address, usable[0].family);
  };
}
