// The SCIM transport against plain HTTP servers: cancellation, shared limits, bad answers and URL safety.
import { describe, expect, it } from 'vitest';
import { ScimError } from './errors.ts';
import { Semaphore, sleep } from './limits.ts';
import { failure, sendJson, user } from '../../test/scim-fixtures.ts';
import type { ResolveFunction } from './url-safety.ts';
import { capture, httpHarness, never } from '../../test/scim-http.ts';

const { serve, client } = httpHarness();

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
