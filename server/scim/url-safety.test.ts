import { describe, expect, it } from 'vitest';
import { ScimClientError } from './errors.ts';
import { TEST_NETWORK } from '../../test/network.ts';
import {
  checkAddress,
  createSafeLookup,
  describeUrl,
  isLoopbackHostname,
  networkPolicy,
  normalizeBaseUrl,
  type ResolveFunction,
} from './url-safety.ts';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return (err as ScimClientError).code;
  }
}

describe('normalizeBaseUrl', () => {
  it('trims whitespace, strips trailing slashes and fragments', () => {
    expect(normalizeBaseUrl('  https://scim.example.test/scim/v2///  ').href).toBe('https://scim.example.test/scim/v2');
    expect(normalizeBaseUrl('https://scim.example.test/').href).toBe('https://scim.example.test/');
    expect(normalizeBaseUrl('https://scim.example.test/v2#x').href).toBe('https://scim.example.test/v2');
  });

  it('rejects credentials in the URL without echoing them', () => {
    for (const url of ['https://admin:hunter2@scim.example.test/v2', 'https://token@scim.example.test']) {
      try {
        normalizeBaseUrl(url);
        throw new Error('accepted');
      } catch (err) {
        expect((err as ScimClientError).code).toBe('UNSAFE_URL');
        expect((err as Error).message).not.toMatch(/hunter2|token@|admin/);
      }
    }
  });

  it('accepts only http(s); plain http only where the operator allows it', () => {
    for (const url of ['ftp://scim.example.test', 'file:///etc/passwd', 'javascript:alert(1)', 'gopher://x'])
      expect(code(() => normalizeBaseUrl(url))).toBe('UNSAFE_URL');
    // By default (STRICT_NETWORK): no plain http at all, even for an integration that asks for it.
    for (const url of ['http://scim.example.test/v2', 'http://localhost:3000', 'http://127.0.0.1:8080/scim']) {
      expect(
        code(() => normalizeBaseUrl(url)),
        url,
      ).toBe('UNSAFE_URL');
      expect(
        code(() => normalizeBaseUrl(url, { allowInsecureHttp: true })),
        url,
      ).toBe('UNSAFE_URL');
    }
    // With http allowed and loopback listed: to the listed addresses (names are checked at connect time)...
    for (const url of ['http://127.0.0.1:8080/scim', 'http://localhost:3000', 'http://[::1]:80/x', 'http://127.1.2.3/']) {
      expect(normalizeBaseUrl(url, { network: TEST_NETWORK }).protocol, url).toBe('http:');
    }
    // ...and elsewhere only for an integration that allows it.
    expect(code(() => normalizeBaseUrl('http://203.0.113.9/v2', { network: TEST_NETWORK }))).toBe('UNSAFE_URL');
    expect(normalizeBaseUrl('http://scim.example.test/v2', { network: TEST_NETWORK, allowInsecureHttp: true }).protocol).toBe('http:');
  });

  it('refuses loopback and private addresses unless the operator listed them', () => {
    for (const url of [
      'https://127.0.0.1/scim',
      'https://10.1.2.3/',
      'https://192.168.1.10/',
      'https://172.16.5.4/',
      'https://[fc00::1]/',
      'https://[fd12::5]/',
      'https://[::1]/',
      'https://100.64.0.1/',
    ]) {
      expect(
        code(() => normalizeBaseUrl(url)),
        url,
      ).toBe('UNSAFE_URL');
    }
    expect(() => normalizeBaseUrl('https://10.1.2.3/')).toThrow(/ROSTER_SCIM_ALLOWED_NETWORKS/);
    const office = networkPolicy(['10.0.0.0/8', 'fd12::/16'], false);
    expect(normalizeBaseUrl('https://10.1.2.3/scim', { network: office }).hostname).toBe('10.1.2.3');
    expect(normalizeBaseUrl('https://[fd12::5]/scim', { network: office }).hostname).toBe('[fd12::5]');
    expect(code(() => normalizeBaseUrl('https://192.168.1.10/', { network: office }))).toBe('UNSAFE_URL');
    // Metadata stays refused even when its range is listed.
    const careless = networkPolicy(['169.254.0.0/16', '0.0.0.0/0'], true);
    expect(code(() => normalizeBaseUrl('https://169.254.169.254/', { network: careless }))).toBe('UNSAFE_URL');
    expect(code(() => normalizeBaseUrl('https://100.100.100.200/', { network: careless }))).toBe('UNSAFE_URL');
    expect(normalizeBaseUrl('https://203.0.113.9/').hostname).toBe('203.0.113.9');
  });

  it('refuses metadata and link-local IP literals, in every spelling', () => {
    for (const url of [
      'https://169.254.169.254/latest/meta-data',
      'http://169.254.169.254/',
      'https://2852039166/',
      'https://0xA9FEA9FE/',
      'https://[fe80::1]/',
      'https://[fd00:ec2::254]/',
      'https://[::ffff:169.254.169.254]/',
      'https://100.100.100.200/',
      'https://0.0.0.0/',
    ]) {
      expect(
        code(() => normalizeBaseUrl(url, { allowInsecureHttp: true })),
        url,
      ).toBe('UNSAFE_URL');
    }
  });

  it('reports unusable input as configuration errors', () => {
    expect(code(() => normalizeBaseUrl(''))).toBe('INVALID_CONFIG');
    expect(code(() => normalizeBaseUrl('not a url'))).toBe('INVALID_CONFIG');
    expect(code(() => normalizeBaseUrl('https://scim.example.test/v2?token=abc'))).toBe('INVALID_CONFIG');
  });
});

describe('checkAddress', () => {
  it.each([
    ['169.254.169.254', false],
    ['169.254.0.1', false],
    ['fe80::1', false],
    ['fe80::1%eth0', false],
    ['fd00:ec2::254', false],
    ['100.100.100.200', false],
    ['0.0.0.0', false],
    ['::', false],
    ['::ffff:169.254.169.254', false],
    ['::ffff:a9fe:a9fe', false],
    ['::ffff:0:169.254.169.254', false],
    ['64:ff9b::169.254.169.254', false],
    ['2002:a9fe:a9fe::', false],
    ['224.0.0.1', false],
    ['255.255.255.255', false],
    ['127.0.0.1', false],
    ['::1', false],
    ['10.1.2.3', false],
    ['192.168.1.10', false],
    ['::ffff:10.1.2.3', false],
    ['203.0.113.7', true],
    ['2001:db8::1', true],
  ])('%s allowed=%s', (address, allowed) => {
    expect(checkAddress(address).allowed).toBe(allowed);
  });

  it('lets listed private and loopback addresses through', () => {
    for (const a of ['127.0.0.1', '::1', '::ffff:127.0.0.1'])
      expect(checkAddress(a, TEST_NETWORK)).toMatchObject({ allowed: true, allowListed: true });
    expect(checkAddress('10.1.2.3', TEST_NETWORK).allowed).toBe(false);
    expect(checkAddress('203.0.113.7', TEST_NETWORK)).toMatchObject({ allowed: true, allowListed: false });
  });

  it('knows loopback', () => {
    expect(checkAddress('127.0.0.53').loopback).toBe(true);
    expect(checkAddress('::ffff:127.0.0.1').loopback).toBe(true);
    expect(isLoopbackHostname('LOCALHOST')).toBe(true);
    expect(isLoopbackHostname('app.localhost')).toBe(true);
    expect(isLoopbackHostname('localhost.example.test')).toBe(false);
  });
});

function fakeResolver(table: Record<string, string[]>): ResolveFunction {
  return (host, _opts, cb) => {
    const list = table[host];
    if (!list) return cb(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }), []);
    cb(
      null,
      list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  };
}

function lookup(fn: ReturnType<typeof createSafeLookup>, host: string, all = false) {
  return new Promise<{ err: Error | null; address: unknown }>((resolve) => fn(host, { all }, (err, address) => resolve({ err, address })));
}

describe('createSafeLookup (checked at connect time, after DNS)', () => {
  const resolve = fakeResolver({
    'metadata.example.test': ['169.254.169.254'],
    'rebind.example.test': ['203.0.113.5', 'fd00:ec2::254'],
    'mapped.example.test': ['::ffff:169.254.169.254'],
    'public.example.test': ['203.0.113.5', '2001:db8::5'],
    'local.example.test': ['127.0.0.1'],
  });

  it('refuses a host name that resolves to a link-local or metadata address', async () => {
    const safe = createSafeLookup({ resolve });
    for (const host of ['metadata.example.test', 'rebind.example.test', 'mapped.example.test']) {
      const { err } = await lookup(safe, host);
      expect((err as ScimClientError).code, host).toBe('UNSAFE_URL');
    }
  });

  it('passes allowed addresses through in both callback shapes', async () => {
    const safe = createSafeLookup({ resolve });
    expect((await lookup(safe, 'public.example.test')).address).toBe('203.0.113.5');
    expect((await lookup(safe, 'public.example.test', true)).address).toEqual([
      { address: '203.0.113.5', family: 4 },
      { address: '2001:db8::5', family: 6 },
    ]);
    expect(((await lookup(safe, 'nowhere.example.test')).err as NodeJS.ErrnoException).code).toBe('ENOTFOUND');
  });

  it('refuses names that resolve to private or loopback addresses unless listed', async () => {
    expect(((await lookup(createSafeLookup({ resolve }), 'local.example.test')).err as ScimClientError).code).toBe('UNSAFE_URL');
    expect((await lookup(createSafeLookup({ resolve, network: TEST_NETWORK }), 'local.example.test')).err).toBeNull();
  });

  it('requires a listed address for plain http', async () => {
    const safe = createSafeLookup({ resolve, network: TEST_NETWORK, requireAllowListed: true });
    expect(((await lookup(safe, 'public.example.test')).err as ScimClientError).code).toBe('UNSAFE_URL');
    expect((await lookup(safe, 'local.example.test')).err).toBeNull();
  });
});

describe('describeUrl', () => {
  it('drops credentials, query and fragment', () => {
    expect(describeUrl('https://user:pw@evil.example.test/path?token=abc#x')).toBe('https://evil.example.test/path');
    expect(describeUrl('/v2/Users', new URL('https://a.example.test/scim'))).toBe('https://a.example.test/v2/Users');
  });
});
