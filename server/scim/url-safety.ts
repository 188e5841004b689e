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

// Private, shared, benchmark and loopback ranges: reachable only when the operator lists them.
const V4_INTERNAL: Array<[number[], number]> = [
  [[127, 0, 0, 0], 8],
  [[10, 0, 0, 0], 8],
  [[172, 16, 0, 0], 12],
  [[192, 168, 0, 0], 16],
  [[100, 64, 0, 0], 10],
  [[198, 18, 0, 0], 15],
];

type Rule = [network: number[], bits: number, reason: string];

const V4_RULES: Rule[] = [
  [[0, 0, 0, 0], 8, 'an unspecified address'],
  [[169, 254, 0, 0], 16, 'a link-local address (cloud metadata lives there)'],
  [[100, 100, 100, 200], 32, 'a cloud metadata address'],
  [[192, 0, 0, 192], 32, 'a cloud metadata address'],
  [[168, 63, 129, 16], 32, 'a cloud platform address'],
  [[224, 0, 0, 0], 4, 'a multicast address'],
  [[240, 0, 0, 0], 4, 'a reserved or broadcast address'],
];

function parseIPv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : Number.NaN));
  return out.every((n) => n >= 0 && n <= 255) ? out : undefined;
}

/** Eight 16-bit groups; accepts `::`, an embedded dotted IPv4 tail and a zone id. */
function parseIPv6(text: string): number[] | undefined {
  let s = text
    .replace(/^\[|\]$/g, '')
    .split('%')[0]
    .toLowerCase();
  const lastColon = s.lastIndexOf(':');
  if (lastColon < 0) return undefined;
  if (s.slice(lastColon + 1).includes('.')) {
    // Rewrite a dotted IPv4 tail as two hex groups, then parse as usual.
    const v4 = parseIPv4(s.slice(lastColon + 1));
    if (!v4) return undefined;
    s = `${s.slice(0, lastColon + 1)}${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  const hex = (g: string) => (/^[0-9a-f]{1,4}$/.test(g) ? Number.parseInt(g, 16) : Number.NaN);
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const out = [...head.map(hex), ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...rest.map(hex)];
  return out.some(Number.isNaN) ? undefined : out;
}

function inV4(ip: number[], [net, bits]: Rule): boolean {
  let remaining = bits;
  for (let i = 0; i < 4 && remaining > 0; i++) {
    const take = Math.min(8, remaining);
    const mask = (0xff << (8 - take)) & 0xff;
    if ((ip[i] & mask) !== (net[i] & mask)) return false;
    remaining -= take;
  }
  return true;
}

function checkV4(ip: number[], network: NetworkPolicy): AddressVerdict {
  const loopback = ip[0] === 127;
  const rule = V4_RULES.find((r) => inV4(ip, r));
  if (rule) return { allowed: false, loopback, allowListed: false, reason: rule[2] };
  if (!V4_INTERNAL.some(([net, bits]) => inV4(ip, [net, bits, '']))) return { allowed: true, loopback, allowListed: false };
  const listed = network.internal.check(ip.join('.'), 'ipv4');
  return listed
    ? { allowed: true, loopback, allowListed: true }
    : { allowed: false, loopback, allowListed: false, reason: INTERNAL_REASON };
}

function embeddedV4(g: number[], at: number): number[] {
  return [g[at] >> 8, g[at] & 0xff, g[at + 1] >> 8, g[at + 1] & 0xff];
}

const refused = (reason: string): AddressVerdict => ({ allowed: false, loopback: false, allowListed: false, reason });

function checkV6(g: number[], network: NetworkPolicy): AddressVerdict {
  const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroUpTo(8)) return refused('an unspecified address');
  if ((g[0] & 0xffc0) === 0xfe80) return refused('a link-local address');
  if ((g[0] & 0xff00) === 0xff00) return refused('a multicast address');
  if (g[0] === 0xfd00 && g[1] === 0x0ec2 && g.slice(2, 7).every((x) => x === 0) && g[7] === 0x254)
    return refused('a cloud metadata address');
  // IPv4 inside IPv6: mapped ::ffff:a.b.c.d, compatible ::a.b.c.d, translated ::ffff:0:a.b.c.d.
  if (zeroUpTo(5) && g[5] === 0xffff) return checkV4(embeddedV4(g, 6), network);
  if (!(zeroUpTo(7) && g[7] === 1) && (zeroUpTo(6) || (zeroUpTo(4) && g[4] === 0xffff && g[5] === 0)))
    return { ...checkV4(embeddedV4(g, 6), network), loopback: false };
  // NAT64 (64:ff9b::/96, 64:ff9b:1::/48) and 6to4 (2002::/16) reach the embedded IPv4 address.
  if (g[0] === 0x64 && g[1] === 0xff9b && (g.slice(2, 6).every((x) => x === 0) || g[2] === 1)) {
    return { ...checkV4(embeddedV4(g, 6), network), loopback: false };
  }
  if (g[0] === 0x2002) return { ...checkV4(embeddedV4(g, 1), network), loopback: false };
  const loopback = zeroUpTo(7) && g[7] === 1;
  // Loopback ::1 and unique local fc00::/7 are internal.
  if (!loopback && (g[0] & 0xfe00) !== 0xfc00) return { allowed: true, loopback: false, allowListed: false };
  const text = g.map((x) => x.toString(16)).join(':');
  return network.internal.check(text, 'ipv6')
    ? { allowed: true, loopback, allowListed: true }
    : { allowed: false, loopback, allowListed: false, reason: INTERNAL_REASON };
}

/** Verdict for an IP literal under the network policy; anything that is not an IP address is refused. */
export function checkAddress(address: string, network: NetworkPolicy = STRICT_NETWORK): AddressVerdict {
  const plain = address.replace(/^\[|\]$/g, '');
  const kind = isIP(plain.split('%')[0]);
  if (kind === 4) return checkV4(parseIPv4(plain) as number[], network);
  if (kind === 6) {
    const groups = parseIPv6(plain);
    if (groups) return checkV6(groups, network);
  }
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
