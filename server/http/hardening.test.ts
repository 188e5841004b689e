// Answers the framework gives before any route runs, and headers that depend on how Roster is served.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';

describe('Content-Security-Policy', () => {
  it('does not send browsers to https for the assets when the portal is served over plain http', async () => {
    const t = await createTestApp('sqlite', { PUBLIC_URL: 'http://roster.internal:8080' });
    try {
      const csp = (await t.anonymous({ url: '/healthz' })).headers['content-security-policy'] as string;
      expect(csp).toContain("default-src 'self'");
      expect(csp).not.toContain('upgrade-insecure-requests');
    } finally {
      await t.close();
    }
  });

  it('keeps upgrade-insecure-requests when the public URL is https', async () => {
    const t = await createTestApp('sqlite', { PUBLIC_URL: 'https://roster.example.com' });
    try {
      expect((await t.anonymous({ url: '/healthz' })).headers['content-security-policy']).toContain('upgrade-insecure-requests');
    } finally {
      await t.close();
    }
  });
});

/** Sends raw bytes and returns the whole answer (the server closes after refusing). */
async function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
    socket.on('data', (d) => (out += d));
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
  });
}

describe('errors refused before routing use the API error body', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await createTestApp('sqlite');
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('414 for a path parameter over the router limit', async () => {
    const res = await t.admin({ method: 'POST', url: `/api/v1/users/${'a'.repeat(500)}/password`, payload: {} });
    expect(res.statusCode).toBe(414);
    expect(res.json()).toEqual({ error: { code: 'URI_TOO_LONG', message: 'A path parameter of this URL is too long' } });
  });

  it('431 for headers over the size limit, 400 for bytes that are not HTTP', async () => {
    const big = await raw(port, `GET /api/v1/users/${'a'.repeat(40_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(big).toMatch(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(big.slice(big.indexOf('\r\n\r\n') + 4))).toEqual({
      error: { code: 'HEADERS_TOO_LARGE', message: 'The request line or headers are too large' },
    });
    const junk = await raw(port, 'NOT HTTP AT ALL\r\n\r\n');
    expect(junk).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(junk.slice(junk.indexOf('\r\n\r\n') + 4)).error.code).toBe('BAD_REQUEST');
  });
});

describe('client address behind a reverse proxy', () => {
  /** The address a failed admin login records in Insights, as seen through TRUST_PROXY. */
  async function recordedAddress(trustProxy: string, forwardedFor: string): Promise<string | undefined> {
    const t = await createTestApp('sqlite', { TRUST_PROXY: trustProxy });
    try {
      const login = await t.anonymous({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress: '10.0.0.5',
        headers: { 'x-forwarded-for': forwardedFor },
        payload: { email: 'nobody@example.com', password: 'wrong password here' },
      });
      expect(login.statusCode).toBe(401);
      const events = await t.admin({ url: '/api/v1/insights/events?eventType=admin_login_attempt' });
      return events.json().items.find((e: { success: boolean }) => !e.success)?.clientIp;
    } finally {
      await t.close();
    }
  }

  it('believes only the trusted hops, so an address forged by the client is not taken', async () => {
    // The client forged 6.6.6.6; the proxy at 10.0.0.5 appended the real client 203.0.113.9.
    expect(await recordedAddress('1', '6.6.6.6, 203.0.113.9')).toBe('203.0.113.9');
    expect(await recordedAddress('true', '6.6.6.6, 203.0.113.9')).toBe('203.0.113.9');
    expect(await recordedAddress('10.0.0.0/8', '6.6.6.6, 203.0.113.9')).toBe('203.0.113.9');
    expect(await recordedAddress('false', '6.6.6.6, 203.0.113.9')).toBe('10.0.0.5');
  });
});
