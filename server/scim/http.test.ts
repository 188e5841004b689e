import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ScimClientOptions } from './client-options.ts';
import { ScimClient, SCIM_USER_AGENT } from './client.ts';
import { ScimClientError, ScimError } from './errors.ts';
import type { ScimLogger } from './http.ts';
import { RateLimiter, Semaphore, sleep } from './limits.ts';
import { FAST, failure, sendJson, startServer, user, type Handler, type TestServer } from './testing.ts';
import type { ResolveFunction } from './url-safety.ts';
import { TEST_NETWORK } from '../../test/network.ts';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await (cleanup.pop() as () => Promise<void>)();
});

async function serve(handler: Handler): Promise<TestServer> {
  const server = await startServer(handler);
  cleanup.push(() => server.close());
  return server;
}

function client(server: TestServer | string, options: Partial<ScimClientOptions> = {}): ScimClient {
  const c = new ScimClient({
    network: TEST_NETWORK,
    baseUrl: typeof server === 'string' ? server : `${server.url}/scim/v2/`,
    auth: { type: 'bearer', token: 'tok-SECRET-123' },
    ...FAST,
    ...options,
  });
  cleanup.push(() => c.close());
  return c;
}

function capture(): ScimLogger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn') };
}

const never: Handler = () => {};

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

describe('cancellation and limits', () => {
  it('aborts mid-request immediately', async () => {
    const server = await serve(never);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    // Without the abort the request would end in TIMEOUT after 20 s.
    const err = await failure(client(server, { timeoutMs: 20_000 }).getUser('u1', { signal: controller.signal }));
    expect(err.code).toBe('ABORTED');
  });

  it('aborts during a retry backoff immediately', async () => {
    const server = await serve((_req, res) => sendJson(res, 503, { detail: 'busy' }, { 'retry-after': '60' }));
    const controller = new AbortController();
    const outcome = failure(client(server).getUser('u1', { signal: controller.signal }));
    await sleep(100);
    expect(server.requests).toHaveLength(1);
    controller.abort();
    // Without the abort the retry would wait the server's 60 s, past the test's time limit.
    expect((await outcome).code).toBe('ABORTED');
    expect(server.requests).toHaveLength(1);
  });

  it('aborts while queued for the concurrency limit or the rate limiter', async () => {
    const server = await serve((_req, res) => {
      setTimeout(() => sendJson(res, 200, user('u1')), 300);
    });
    const c = client(server, { concurrency: 1 });
    const first = c.getUser('u1');
    const controller = new AbortController();
    const queued = failure(c.getUser('u1', { signal: controller.signal }));
    await sleep(20);
    controller.abort();
    expect((await queued).code).toBe('ABORTED');
    await first;

    const slow = client(server, { rateLimit: { requestsPerSecond: 0.01, burst: 1 } });
    await slow.getUser('u1');
    const c2 = new AbortController();
    const waiting = slow.getUser('u1', { signal: c2.signal });
    setTimeout(() => c2.abort(), 20);
    expect((await failure(waiting)).code).toBe('ABORTED');
  });

  it('close() stops in-flight work', async () => {
    const server = await serve(never);
    const c = client(server, { timeoutMs: 20_000 });
    const outcome = failure(c.getUser('u1'));
    await sleep(20);
    await c.close();
    expect((await outcome).code).toBe('ABORTED');
    expect((await failure(c.getUser('u1'))).code).toBe('ABORTED');
  });

  it('refuses a 10 MB body past the cap, with or without Content-Length', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024, 'a');
    const server = await serve((req, res) => {
      res.writeHead(200, req.path.endsWith('chunked') ? { 'content-type': 'application/json' } : { 'content-length': String(big.length) });
      res.end(big);
    });
    const c = client(server, { maxResponseBytes: 1024 * 1024 });
    expect((await failure(c.getUser('sized'))).code).toBe('RESPONSE_TOO_LARGE');
    expect((await failure(c.getUser('chunked'))).code).toBe('RESPONSE_TOO_LARGE');
  });

  it('stops a slow-drip body at the time cap', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id":"u1",');
      const timer = setInterval(() => res.write(' '), 20);
      res.on('close', () => clearInterval(timer));
    });
    // The body never ends: only the 300 ms cap on the whole attempt ends it, as TIMEOUT.
    const err = await failure(client(server, { timeoutMs: 300, retries: { max: 0, baseDelayMs: 1, maxDelayMs: 1 } }).getUser('u1'));
    expect(err.code).toBe('TIMEOUT');
  });

  it('never runs more requests at once than the concurrency limit, across clients sharing it', async () => {
    let inFlight = 0;
    let peak = 0;
    const server = await serve(async (_req, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await sleep(30);
      inFlight--;
      sendJson(res, 200, user('u1'));
    });
    const shared = new Semaphore(2);
    const a = client(server, { concurrency: shared });
    const b = client(server, { concurrency: shared });
    await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).getUser('u1')));
    expect(peak).toBe(2);
  });
});

describe('bad answers', () => {
  it('reports malformed JSON and web pages on 200 in plain words', async () => {
    const server = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/scim+json' });
      res.end(req.path.endsWith('html') ? '<!DOCTYPE html><html><title>Login</title></html>' : '{"id": "u1",');
    });
    const c = client(server);
    const bad = await failure(c.getUser('json'));
    expect(bad.code).toBe('INVALID_JSON');
    const page = await failure(c.getUser('html'));
    expect(page.code).toBe('NOT_SCIM');
    expect(page.message).not.toMatch(/</);
  });

  it('turns an HTML error page into a short ScimError', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end(`<html><head><title>404 Not Found</title></head><body>${'x'.repeat(100_000)}</body></html>`);
    });
    const err = await failure(client(server).getUser('u1'));
    expect(err).toBeInstanceOf(ScimError);
    expect(err.status).toBe(404);
    expect(err.detail).toBe('404 Not Found');
  });

  it('refuses redirects and says where they pointed, without credentials', async () => {
    const elsewhere = await serve((_req, res) => sendJson(res, 200, user('u1')));
    const server = await serve((_req, res) => {
      res.writeHead(302, { location: `http://admin:pw@127.0.0.1:${elsewhere.port}/v2/Users/u1?token=abc` });
      res.end();
    });
    const err = await failure(client(server).getUser('u1'));
    expect(err.code).toBe('REDIRECT_REFUSED');
    expect(err.message).toContain(`http://127.0.0.1:${elsewhere.port}/v2/Users/u1`);
    expect(err.message).not.toMatch(/admin|pw@|token=abc/);
    expect(elsewhere.requests).toHaveLength(0);
  });

  it('never puts credentials in messages or logs, even when the server echoes them', async () => {
    const server = await serve((req, res) =>
      sendJson(res, 403, { detail: `token ${String(req.headers.authorization)} is not allowed here` }),
    );
    const log = capture();
    const err = await failure(client(server, { logger: log }).getUser('u1'));
    expect(err.status).toBe(403);
    expect(err.message).not.toContain('tok-SECRET-123');
    expect(log.lines.join('\n')).not.toContain('tok-SECRET-123');
  });
});

describe('URL safety', () => {
  it('refuses metadata and link-local base URLs', () => {
    for (const baseUrl of ['https://169.254.169.254/latest', 'http://169.254.169.254/', 'https://[fd00:ec2::254]/']) {
      expect(() => client(baseUrl)).toThrow(expect.objectContaining({ code: 'UNSAFE_URL' }) as Error);
    }
  });

  it('refuses plain http to anything but loopback', () => {
    expect(() => client('http://scim.example.test/v2')).toThrow(expect.objectContaining({ code: 'UNSAFE_URL' }) as Error);
  });

  it('checks DNS answers at connect time: a name resolving to link-local is refused', async () => {
    const resolve: ResolveFunction = (_host, _opts, cb) => cb(null, [{ address: '169.254.169.254', family: 4 }]);
    const err = await failure(client('https://scim.example.test/v2', { resolve }).getUser('u1'));
    expect(err.code).toBe('UNSAFE_URL');
    expect(err.message).toMatch(/link-local/);
  });

  it('reports a failed TLS handshake as TLS, without retrying', async () => {
    const server = await serve((_req, res) => sendJson(res, 200, user('u1')));
    const toLoopback: ResolveFunction = (_host, _opts, cb) => cb(null, [{ address: '127.0.0.1', family: 4 }]);
    const log = capture();
    const err = await failure(client(`https://scim.example.test:${server.port}/v2`, { resolve: toLoopback, logger: log }).getUser('u1'));
    expect(err.code).toBe('TLS');
    expect(log.lines.filter((l) => l.includes('retrying'))).toHaveLength(0);
  });

  it('refuses http to a "localhost" that resolves elsewhere', async () => {
    const server = await serve((_req, res) => sendJson(res, 200, user('u1')));
    const resolve: ResolveFunction = (_host, _opts, cb) => cb(null, [{ address: '203.0.113.9', family: 4 }]);
    const err = await failure(client(`http://localhost:${server.port}/v2`, { resolve }).getUser('u1'));
    expect(err.code).toBe('UNSAFE_URL');
    // With allowInsecureHttp and a resolver to loopback, a non-loopback name works over http.
    const toLoopback: ResolveFunction = (_host, _opts, cb) => cb(null, [{ address: '127.0.0.1', family: 4 }]);
    const ok = client(`http://scim.example.test:${server.port}/v2`, { resolve: toLoopback, allowInsecureHttp: true });
    expect((await ok.getUser('u1')).id).toBe('u1');
  });
});
