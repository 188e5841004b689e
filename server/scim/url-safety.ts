// Where this client may connect. An admin types a base URL; a hostile or mistaken one must not
// reach cloud metadata or link-local services. The address check runs at connect time (after
// DNS, inside the undici connector), so a name that resolves differently later (DNS rebinding)
// is checked again on every new connection. Private and loopback addresses, and plain http, are the
// operator's decision (NetworkPolicy, from ROSTER_SCIM_ALLOWED_NETWORKS and ROSTER_SCIM_ALLOW_HTTP):
// refused unless allowed there. Metadata, link-local and similar addresses are refused always.
import dns from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { buildConnector } from 'undici';
import { ScimClientError } from './errors.ts';

export interface AddressVerdict {
  allowed: boolean;
  loopback: boolean;
  /** A private or loopback address that the network policy lets through. */
  allowListed: boolean;
  /** Why it is refused, in plain words. */
  reason?: string;
}

/** What the operator lets the SCIM client reach. */
export interface NetworkPolicy {
  /** Private and loopback addresses that may be reached (ROSTER_SCIM_ALLOWED_NETWORKS). */
  internal: BlockList;
  /** Plain http at all (ROSTER_SCIM_ALLOW_HTTP): then to allowed private addresses, or anywhere for an integration that allows it. */
  allowHttp: boolean;
}

/** From configuration: addresses and CIDR ranges (already validated), and whether plain http may be used. */
export function networkPolicy(entries: readonly string[], allowHttp: boolean): NetworkPolicy {
  const internal = new BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split('/');
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) internal.addAddress(address, type);
    else internal.addSubnet(address, Number(prefix), type);
  }
  return { internal, allowHttp };
}

/** The default: public addresses over https only. */
export const STRICT_NETWORK: NetworkPolicy = networkPolicy([], false);

const INTERNAL_REASON = 'a private or loopback address (the operator can allow it with ROSTER_SCIM_ALLOWED_NETWORKS)';

type Family = 'ipv4' | 'ipv6';

/** One node:net BlockList holding CIDR ranges ('10.0.0.0/8', 'fc00::/7') of one family. */
function ranges(family: Family, cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [network, bits] = cidr.split('/');
    list.addSubnet(network, Number(bits), family);
  }
  return list;
}

/** Refused whatever the operator allows; the first range that holds the address gives the reason. */
function refusals(family: Family, rules: Array<[cidr: string, reason: string]>): Array<[BlockList, string]> {
  return rules.map(([cidr, reason]) => [ranges(family, [cidr]), reason]);
}

const REFUSED_V4 = refusals('ipv4', [
  ['0.0.0.0/8', 'an unspecified address'],
  ['169.254.0.0/16', 'a link-local address (cloud metadata lives there)'],
  ['100.100.100.200/32', 'a cloud metadata address'],
  ['192.0.0.192/32', 'a cloud metadata address'],
  ['168.63.129.16/32', 'a cloud platform address'],
  ['224.0.0.0/4', 'a multicast address'],
  ['240.0.0.0/4', 'a reserved or broadcast address'],
]);

const REFUSED_V6 = refusals('ipv6', [
  ['::/128', 'an unspecified address'],
  ['fe80::/10', 'a link-local address'],
  ['ff00::/8', 'a multicast address'],
  ['fd00:ec2::254/128', 'a cloud metadata address'],
]);

// Private, shared, benchmark, unique local and loopback ranges: reachable only when the operator lists them.
const INTERNAL_V4 = ranges('ipv4', ['127.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '198.18.0.0/15']);
const INTERNAL_V6 = ranges('ipv6', ['::1/128', 'fc00::/7']);
const LOOPBACK_V4 = ranges('ipv4', ['127.0.0.0/8']);
const LOOPBACK_V6 = ranges('ipv6', ['::1/128']);

// IPv4 inside IPv6 reaches that IPv4 address, so the IPv4 rules decide. Mapped ::ffff:a.b.c.d is the
// address itself (loopback stays loopback); compatible ::a.b.c.d, translated ::ffff:0:a.b.c.d and
// NAT64 (64:ff9b::/96, 64:ff9b:1::/48) carry it in the last 32 bits, 6to4 (2002::/16) after the prefix.
const MAPPED = ranges('ipv6', ['::ffff:0:0/96']);
const EMBEDDED_LAST = ranges('ipv6', ['::/96', '::ffff:0:0:0/96', '64:ff9b::/96', '64:ff9b:1::/48']);
const SIX_TO_FOUR = ranges('ipv6', ['2002::/16']);

/** The eight 16-bit groups of a valid IPv6 address; the WHATWG URL parser reads it (a dotted tail included). */
function ipv6Groups(address: string): number[] {
  const [head, tail] = new URL(`http://[${address}]/`).hostname.slice(1, -1).split('::');
  const hex = (part: string) => (part ? part.split(':').map((group) => Number.parseInt(group, 16)) : []);
  if (tail === undefined) return hex(head);
  const [start, end] = [hex(head), hex(tail)];
  return [...start, ...Array.from({ length: 8 - start.length - end.length }, () => 0), ...end];
}

/** The IPv4 address held in groups `at` and `at + 1` of an IPv6 address. */
function embeddedV4(address: string, at: number): string {
  const g = ipv6Groups(address);
  return [g[at] >> 8, g[at] & 0xff, g[at + 1] >> 8, g[at + 1] & 0xff].join('.');
}

const refused = (reason: string, loopback = false): AddressVerdict => ({ allowed: false, loopback, allowListed: false, reason });

/** A private or loopback address: allowed only where the operator listed it. */
function internal(address: string, family: Family, loopback: boolean, network: NetworkPolicy): AddressVerdict {
  return network.internal.check(address, family) ? { allowed: true, loopback, allowListed: true } : refused(INTERNAL_REASON, loopback);
}

function checkV4(address: string, network: NetworkPolicy): AddressVerdict {
  const loopback = LOOPBACK_V4.check(address, 'ipv4');
  const rule = REFUSED_V4.find(([list]) => list.check(address, 'ipv4'));
  if (rule) return refused(rule[1], loopback);
  if (!INTERNAL_V4.check(address, 'ipv4')) return { allowed: true, loopback, allowListed: false };
  return internal(address, 'ipv4', loopback, network);
}

function checkV6(address: string, network: NetworkPolicy): AddressVerdict {
  const rule = REFUSED_V6.find(([list]) => list.check(address, 'ipv6'));
  if (rule) return refused(rule[1]);
  if (MAPPED.check(address, 'ipv6')) return checkV4(embeddedV4(address, 6), network);
  const loopback = LOOPBACK_V6.check(address, 'ipv6');
  if (!loopback && EMBEDDED_LAST.check(address, 'ipv6')) return { ...checkV4(embeddedV4(address, 6), network), loopback: false };
  if (SIX_TO_FOUR.check(address, 'ipv6')) return { ...checkV4(embeddedV4(address, 1), network), loopback: false };
  if (!INTERNAL_V6.check(address, 'ipv6')) return { allowed: true, loopback: false, allowListed: false };
  return internal(address, 'ipv6', loopback, network);
}

/** Verdict for an IP literal under the network policy; anything that is not an IP address is refused. */
export function checkAddress(address: string, network: NetworkPolicy = STRICT_NETWORK): AddressVerdict {
  // Brackets and an IPv6 zone id (fe80::1%eth0) say nothing about where the address leads.
  const plain = address.replace(/^\[|\]$/g, '').split('%')[0];
  const kind = isIP(plain);
  if (kind === 4) return checkV4(plain, network);
  if (kind === 6) return checkV6(plain, network);
  return refused('not an IP address');
}

export function isLoopbackHostname(hostname: string): boolean {
  const host = hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  return isIP(host) !== 0 && checkAddress(host).loopback;
}

export interface UrlPolicy {
  /** The operator's rules; STRICT_NETWORK when left out. */
  network?: NetworkPolicy;
  /** This integration may use plain http to any allowed address (only where the operator allows http at all). */
  allowInsecureHttp?: boolean;
}

function unsafe(message: string): ScimClientError {
  return new ScimClientError('UNSAFE_URL', message);
}

/**
 * Checks and normalises a URL an admin configured (SCIM base URL, OAuth token URL): trimmed,
 * no trailing slash, no fragment, http(s) only, no user name or password (never echoed), no
 * query string, no refused IP literal, and http only to loopback unless allowed.
 */
export function normalizeBaseUrl(input: string, policy: UrlPolicy = {}, what = 'SCIM base URL', keepPath = false): URL {
  const text = typeof input === 'string' ? input.trim() : '';
  if (!text) throw new ScimClientError('INVALID_CONFIG', `The ${what} is empty.`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ScimClientError('INVALID_CONFIG', `The ${what} is not a valid URL.`);
  }
  if (url.username || url.password) throw unsafe(`The ${what} must not contain a user name or password; configure credentials separately.`);
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw unsafe(`The ${what} must start with https:// (got ${url.protocol.replace(/[^a-z0-9+.-]/gi, '').slice(0, 20)}).`);
  if (!url.hostname) throw new ScimClientError('INVALID_CONFIG', `The ${what} has no host name.`);
  if (url.search) throw new ScimClientError('INVALID_CONFIG', `The ${what} must not contain a query string.`);
  url.hash = '';
  if (!keepPath) url.pathname = url.pathname.replace(/\/+$/, '');
  const network = policy.network ?? STRICT_NETWORK;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const verdict = isIP(host) ? checkAddress(host, network) : undefined;
  if (verdict && !verdict.allowed) throw unsafe(`The ${what} points to ${verdict.reason}, which is not allowed.`);
  if (url.protocol === 'http:') {
    if (!network.allowHttp)
      throw unsafe(`The ${what} must use https:// (plain http is turned off; the operator can allow it with ROSTER_SCIM_ALLOW_HTTP).`);
    // Without the integration's allowInsecureHttp: listed addresses, or localhost (its addresses are
    // checked when connecting); any other name could resolve anywhere.
    if (!policy.allowInsecureHttp && !(verdict ? verdict.allowListed : isLoopbackHostname(url.hostname))) {
      throw unsafe(`The ${what} must use https:// (plain http is only allowed to the private addresses the operator allowed).`);
    }
  }
  return url;
}

/** An origin and path to show in messages: no credentials, no query, no fragment. */
export function describeUrl(raw: string, base?: URL): string {
  try {
    const url = new URL(raw, base);
    return `${url.protocol}//${url.host}${url.pathname}`.slice(0, 200);
  } catch {
    return 'an invalid address';
  }
}

export type LookupAddress = { address: string; family: number };
export type ResolveFunction = (
  hostname: string,
  options: { all: true; family?: number; hints?: number },
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

export interface SafeLookupOptions {
  network?: NetworkPolicy;
  /** Every resolved address must be one the operator allowed (plain http without allowInsecureHttp). */
  requireAllowListed?: boolean;
  /** DNS resolver; dns.lookup by default. Tests and custom resolvers plug in here. */
  resolve?: ResolveFunction;
}

/**
 * A `lookup` for net/tls.connect that refuses the connection if ANY resolved address is
 * refused: a name answering with a public and a metadata address is an attack, not a fallback.
 */
export function createSafeLookup(options: SafeLookupOptions = {}) {
  const resolve: ResolveFunction = options.resolve ?? ((host, opts, cb) => dns.lookup(host, opts, cb));
  return function safeLookup(
    hostname: string,
    lookupOptions: { all?: boolean; family?: number | string; hints?: number } | number,
    callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void,
  ): void {
    const opts = typeof lookupOptions === 'object' ? lookupOptions : { family: lookupOptions };
    const family = opts.family === 'IPv4' ? 4 : opts.family === 'IPv6' ? 6 : typeof opts.family === 'number' ? opts.family : undefined;
    resolve(hostname, { all: true, ...(family ? { family } : {}), ...(opts.hints ? { hints: opts.hints } : {}) }, (err, addresses) => {
      if (err) return callback(err, '');
      if (!addresses?.length) return callback(new ScimClientError('NETWORK', `The host ${hostname} has no address.`), '');
      for (const { address } of addresses) {
        const verdict = checkAddress(address, options.network ?? STRICT_NETWORK);
        if (!verdict.allowed) return callback(unsafe(`The host ${hostname} resolves to ${verdict.reason}, which is not allowed.`), '');
        if (options.requireAllowListed && !verdict.allowListed) {
          return callback(
            unsafe(
              `Plain http is only allowed to the private addresses the operator allowed, but ${hostname} resolves elsewhere; use https://.`,
            ),
            '',
          );
        }
      }
      if (opts.all) return callback(null, addresses);
      return callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

export interface SafeConnectorOptions extends UrlPolicy {
  connectTimeoutMs?: number;
  resolve?: ResolveFunction;
}

/** The undici connector that enforces the address rules on every new connection. */
export function createSafeConnector(options: SafeConnectorOptions = {}): buildConnector.connector {
  const timeout = options.connectTimeoutMs ?? 10_000;
  const network = options.network ?? STRICT_NETWORK;
  const tlsConnect = buildConnector({
    timeout,
    lookup: createSafeLookup({ resolve: options.resolve, network }),
  } as buildConnector.BuildOptions);
  const plainConnect = buildConnector({
    timeout,
    lookup: createSafeLookup({ resolve: options.resolve, network, requireAllowListed: !options.allowInsecureHttp }),
  } as buildConnector.BuildOptions);
  return (connectOptions, callback) => {
    const host = connectOptions.hostname.replace(/^\[|\]$/g, '');
    const plain = connectOptions.protocol !== 'https:';
    if (plain && !network.allowHttp) {
      process.nextTick(() =>
        callback(unsafe('Plain http is turned off; use https:// (the operator can allow it with ROSTER_SCIM_ALLOW_HTTP).'), null),
      );
      return;
    }
    if (isIP(host)) {
      const verdict = checkAddress(host, network);
      const refusal = !verdict.allowed
        ? `The address ${host} is ${verdict.reason}, which is not allowed.`
        : plain && !options.allowInsecureHttp && !verdict.allowListed
          ? 'Plain http is only allowed to the private addresses the operator allowed; use https://.'
          : undefined;
      if (refusal) {
        process.nextTick(() => callback(unsafe(refusal), null));
        return;
      }
    }
    (plain ? plainConnect : tlsConnect)(connectOptions, callback);
  };
}
