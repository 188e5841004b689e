// The SCIM transport against plain HTTP servers: what a request carries, OAuth, retries and Retry-After.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { SCIM_USER_AGENT } from './client.ts';
import { ScimClientError, ScimError } from './errors.ts';
import { RateLimiter } from './limits.ts';
import { failure, sendJson, user } from '../../test/scim-fixtures.ts';
import { capture, httpHarness, never } from '../../test/scim-http.ts';

const { serve, client } = httpHarness();

describe('requests', () => {
  it('sends bearer auth, SCIM Accept/Content-Type and an honest User-Agent', async () => {
    const server = await serve((req, res) => sendJson(res, req.method === 'POST' ? 201 : 200, user('u1')));
    const c = client(server);
    await c.getUser('u1');
    await c.createUser({ schemas: [], userName: 'x' });
    const [get, post] = server.requests;
    expect(get.path).toBe('/scim/v2/Users/u1');
    expect(get.headers.authorization).toBe('Bearer tok-SECRET-123');
    expect(get.headers.accept).toBe('application/scim+json, application/json');
    expect(get.headers['user-agent']).toBe(SCIM_USER_AGENT);
    expect(SCIM_USER_AGENT).toMatch(/^Roster-SCIM\/\d+\.\d+\.\d+/);
    expect(post.headers['content-type']).toBe('application/scim+json');
    expect(post.json).toEqual({ schemas: [], userName: 'x' });
  });

  it('joins paths to a base URL at the host root or with a path', async () => {
    const server = await serve((_req, res) => sendJson(res, 200, user('u1')));
    await client(server.url).getUser('u1');
    await client(`${server.url}/`).getUser('u1');
    await client(`  ${server.url}/api/scim/v2//  `).getUser('u1');
    expect(server.requests.map((r) => r.url)).toEqual(['/Users/u1', '/Users/u1', '/api/scim/v2/Users/u1']);
  });

  it('sends basic auth and configured extra headers', async () => {
    const server = await serve((_req, res) => sendJson(res, 200, user('u1')));
    const c = client(server, { auth: { type: 'basic', username: 'svc', password: 'pw' }, headers: { 'X-Tenant': 'acme' } });
    await c.getUser('u1');
    expect(server.requests[0].headers.authorization).toBe(`Basic ${Buffer.from('svc:pw').toString('base64')}`);
    expect(server.requests[0].headers['x-tenant']).toBe('acme');
    expect(() => client(server, { headers: { Authorization: 'x' } })).toThrow(ScimClientError);
  });

  it('keeps connections alive between requests', async () => {
    const server = await serve((_req, res) => sendJson(res, 200, user('u1')));
    const ports = new Set<number>();
    const c = client(server);
    for (let i = 0; i < 6; i++) {
      await c.getUser('u1');
      ports.add(server.sockets.at(-1) as number);
    }
    // Sequential requests reuse pooled sockets (source ports) instead of opening one each.
    expect(ports.size).toBeLessThanOrEqual(2);
  });

  it('parses JSON whatever the Content-Type says (T4)', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`\uFEFF${JSON.stringify(user('u1'))}`);
    });
    expect((await client(server).getUser('u1')).id).toBe('u1');
  });
});

describe('OAuth over HTTP', () => {
  it('fetches, caches and refreshes the token once on a 401', async () => {
    let issued = 0;
    let valid = '';
    const server = await serve((req, res) => {
      if (req.path === '/oauth/token') {
        valid = `at-${++issued}`;
        return sendJson(res, 200, { access_token: valid, token_type: 'Bearer', expires_in: 3600 }, { 'content-type': 'application/json' });
      }
      if (req.headers.authorization !== `Bearer ${valid}`) return sendJson(res, 401, { detail: 'expired' });
      sendJson(res, 200, user('u1'));
    });
    const c = client(server, {
      auth: { type: 'oauth2_client_credentials', tokenUrl: `${server.url}/oauth/token`, clientId: 'cid', clientSecret: 'csecret' },
    });
    await Promise.all([c.getUser('u1'), c.getUser('u1'), c.getUser('u1')]);
    expect(issued).toBe(1);
    const token = server.requests.find((r) => r.path === '/oauth/token');
    expect(token?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(token?.body).toBe('grant_type=client_credentials');
    // The server revokes the token: one refresh, then success.
    valid = 'revoked';
    await c.getUser('u1');
    expect(issued).toBe(2);
    const err = await failure(
      client(server, {
        auth: { type: 'oauth2_client_credentials', tokenUrl: `${server.url}/nowhere`, clientId: 'cid', clientSecret: 'csecret' },
      }).getUser('u1'),
    );
    expect(err.code).toBe('AUTH_FAILED');
  });

  it('falls back to client credentials in the form body', async () => {
    const server = await serve((req, res) => {
      if (req.path === '/token') {
        if (req.headers.authorization) return sendJson(res, 401, { error: 'invalid_client' });
        expect(req.body).toContain('client_secret=csecret');
        return sendJson(res, 200, { access_token: 'form-token', expires_in: 60 });
      }
      sendJson(res, req.headers.authorization === 'Bearer form-token' ? 200 : 401, user('u1'));
    });
    const c = client(server, {
      auth: { type: 'oauth2_client_credentials', tokenUrl: `${server.url}/token`, clientId: 'cid', clientSecret: 'csecret' },
    });
    expect((await c.getUser('u1')).id).toBe('u1');
  });
});

describe('retries', () => {
  it('retries a GET on 500 and 502', async () => {
    const statuses = [500, 502, 200];
    const server = await serve((_req, res) => {
      const status = statuses.shift() ?? 200;
      if (status === 200) sendJson(res, 200, user('u1'));
      else sendJson(res, status, { detail: 'boom' });
    });
    const c = client(server);
    expect((await c.getUser('u1')).id).toBe('u1');
    expect(server.requests).toHaveLength(3);
    expect(c.metrics).toMatchObject({ attempts: 3, retries: 2, statuses: { 500: 1, 502: 1, 200: 1 } });
  });

  it('honours Retry-After in seconds on 503 and as an HTTP date on 429', async () => {
    let n = 0;
    const server = await serve((_req, res) => {
      n++;
      if (n === 1) return sendJson(res, 503, { detail: 'busy' }, { 'retry-after': '1' });
      if (n === 2) return sendJson(res, 429, { detail: 'slow down' }, { 'retry-after': new Date(Date.now() + 1000).toUTCString() });
      sendJson(res, 200, user('u1'));
    });
    const logger = capture();
    expect((await client(server, { logger }).getUser('u1')).id).toBe('u1');
    expect(n).toBe(3);
    // The waits the transport took, from its log: Retry-After: 1 is a second and a little more (the
    // backoff alone would be a few ms); the date, in whole seconds, at most that.
    const delays = logger.lines.filter((l) => l.includes('asked to retry')).map((l) => JSON.parse(l.slice(l.indexOf('{'))).delayMs);
    expect(delays).toHaveLength(2);
    expect(delays[0]).toBeGreaterThanOrEqual(1000);
    expect(delays[0]).toBeLessThanOrEqual(1100);
    expect(delays[1]).toBeLessThanOrEqual(1100);
  });

  it('ends in RATE_LIMITED when 429 persists, or at once when the wait is too long', async () => {
    const server = await serve((req, res) =>
      sendJson(res, 429, { detail: 'too many' }, { 'retry-after': req.path.endsWith('long') ? '3600' : '0' }),
    );
    const c = client(server);
    const err = await failure(c.getUser('u1'));
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.retryable).toBe(true);
    expect(server.requests).toHaveLength(4);
    const long = await failure(c.getUser('long'));
    expect(long.code).toBe('RATE_LIMITED');
    expect(long.retryAfterMs).toBe(3_600_000);
    expect(server.requests).toHaveLength(5);
  });

  it('pauses the shared rate limiter when X-Rate-Limit-Remaining hits 0 (R4)', async () => {
    let answered = 0;
    const server = await serve((_req, res) => {
      answered++;
      sendJson(res, 200, user('u1'), answered === 1 ? { 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': '0.3' } : {});
    });
    const limiter = new RateLimiter({ requestsPerSecond: 1000, burst: 100 });
    const a = client(server, { rateLimit: limiter });
    const b = client(server, { rateLimit: limiter });
    const before = Date.now();
    await a.getUser('u1');
    // The budget refills 0.3 s after the answer: nobody sharing the limiter starts before then.
    expect(limiter.pausedUntil).toBeGreaterThanOrEqual(before + 300);
    const second = b.getUser('u1');
    await new Promise((resolve) => setImmediate(resolve));
    expect(limiter.waiting).toBe(1);
    expect(server.requests).toHaveLength(1);
    await second;
    expect(server.requests).toHaveLength(2);
  });

  it('does not retry a POST that timed out: the create may have happened', async () => {
    const server = await serve(never);
    const err = await failure(client(server, { timeoutMs: 150 }).createUser({ schemas: [], userName: 'x' }));
    expect(err.code).toBe('TIMEOUT');
    expect(err.outcomeUnknown).toBe(true);
    expect(err.message).toMatch(/may still have been applied/);
    expect(server.requests).toHaveLength(1);
  });

  it('retries a POST on 503 and 429, which mean "not processed"', async () => {
    const statuses = [503, 429, 201];
    const server = await serve((_req, res) => {
      const status = statuses.shift() as number;
      sendJson(res, status, status === 201 ? user('new') : { detail: 'later' }, { 'retry-after': '0' });
    });
    expect((await client(server).createUser({ schemas: [], userName: 'x' })).id).toBe('new');
    expect(server.requests).toHaveLength(3);
  });

  it('does not retry a POST on 500', async () => {
    const server = await serve((_req, res) => sendJson(res, 500, { detail: 'oops' }));
    const err = await failure(client(server).createUser({ schemas: [], userName: 'x' }));
    expect(err).toBeInstanceOf(ScimError);
    expect(err.status).toBe(500);
    expect(server.requests).toHaveLength(1);
  });

  it('retries a POST when the connection is refused before sending', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const log = capture();
    const err = await failure(client(`http://127.0.0.1:${port}/scim`, { logger: log }).createUser({ schemas: [], userName: 'x' }));
    expect(err.code).toBe('NETWORK');
    expect(err.outcomeUnknown).toBe(false);
    expect(err.message).toMatch(/connection refused/);
    expect(log.lines.filter((l) => l.includes('retrying'))).toHaveLength(3);
  });

  it('retries a GET that timed out, then reports TIMEOUT', async () => {
    const server = await serve(never);
    const err = await failure(client(server, { timeoutMs: 100, retries: { max: 1, baseDelayMs: 1, maxDelayMs: 1 } }).getUser('u1'));
    expect(err.code).toBe('TIMEOUT');
    expect(err.outcomeUnknown).toBe(false);
    expect(server.requests).toHaveLength(2);
  });

  it('does not retry other 4xx', async () => {
    const server = await serve((_req, res) => sendJson(res, 401, { detail: 'Authorization failure' }));
    const err = await failure(client(server).getUser('u1'));
    expect(err.status).toBe(401);
    expect(server.requests).toHaveLength(1);
  });
});
