// How the server hands out the portal: caching, compression, the SPA fallback and its limits, and
// the page shown when the portal was never built. A small bundle is written to a temp folder so
// these rules are checked without running Vite; one test looks at the real build through the app.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, brotliDecompressSync, brotliCompressSync, gzipSync } from 'node:zlib';
import Fastify from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/http/common.ts';
import { installErrorHandling } from '../../server/http/errors.ts';
import { portalRoutes } from '../../server/http/routes/portal.routes.ts';
import { ensurePortalBuilt } from '../../web/build.ts';
import { createTestApp, type TestApp } from '../app.ts';

const INDEX =
  '<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head>' +
  '<body><div id="root"></div></body></html>';
const JS = `console.log(${JSON.stringify('x'.repeat(4000))});`;

async function appWith(distDir: string): Promise<App> {
  const app = Fastify().withTypeProvider<ZodTypeProvider>() as unknown as App;
  installErrorHandling(app);
  app.get('/api/v1/things', async () => ({ items: [] }));
  app.get('/healthz', async () => ({ status: 'ok' }));
  portalRoutes(app, { distDir });
  await app.ready();
  return app;
}

describe('portal serving', () => {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-portal-'));
  const dist = path.join(parent, 'dist');
  let app: App;

  beforeAll(async () => {
    fs.mkdirSync(path.join(dist, 'assets'), { recursive: true });
    fs.mkdirSync(path.join(dist, '.vite'));
    fs.writeFileSync(path.join(dist, 'index.html'), INDEX);
    fs.writeFileSync(path.join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    fs.writeFileSync(path.join(dist, '.vite/manifest.json'), '{}');
    const js = path.join(dist, 'assets/index-abc123.js');
    fs.writeFileSync(js, JS);
    fs.writeFileSync(`${js}.gz`, gzipSync(JS));
    fs.writeFileSync(`${js}.br`, brotliCompressSync(JS));
    // Next to the bundle's folder: what a path traversal would reach.
    fs.writeFileSync(path.join(parent, 'roster-secret.txt'), 'TOP-SECRET-CONTENT');
    app = await appWith(dist);
  });

  afterAll(async () => {
    await app?.close();
    fs.rmSync(parent, { recursive: true, force: true });
  });

  it('serves index.html at / and revalidates it on every load', async () => {
    const res = await app.inject({ url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body).toBe(INDEX);
    const again = await app.inject({ url: '/', headers: { 'if-none-match': String(res.headers.etag) } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it.each([
    '/users',
    '/users/0190a000-0000-7000-8000-000000000000',
    '/applications/x/import?status=new',
    '/setup?token=abc',
    '/index.html',
  ])('answers the client-side route %s with index.html, query strings included', async (url) => {
    const res = await app.inject({ url });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(INDEX);
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it('caches hashed assets for a year and sends the precompressed file the browser accepts', async () => {
    const br = await app.inject({ url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } });
    expect(br.statusCode).toBe(200);
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(JS);

    const gz = await app.inject({ url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'gzip, br;q=0' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString()).toBe(JS);

    const plain = await app.inject({ url: '/assets/index-abc123.js' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(JS);
    expect(new Set([br.headers.etag, gz.headers.etag, plain.headers.etag]).size).toBe(3);
  });

  it('serves HEAD without a body', async () => {
    const res = await app.inject({ method: 'HEAD', url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'br' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.body).toBe('');
  });

  it('leaves the server its own paths: unknown API routes get the JSON 404, not the SPA', async () => {
    expect((await app.inject({ url: '/api/v1/things' })).json()).toEqual({ items: [] });
    for (const url of ['/api/v1/nothing', '/api/', '/api', '/healthz/extra', '/metrics/x']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code, url).toBe('ROUTE_NOT_FOUND');
    }
  });

  it.each([
    ['a missing asset', '/assets/missing.js'],
    ['a missing top-level file', '/missing.png'],
    ['a precompressed copy asked by its own name', '/assets/index-abc123.js.br'],
    ['a gzip copy asked by its own name', '/assets/index-abc123.js.gz'],
    ['the build manifest', '/.vite/manifest.json'],
    ['a traversal with encoded slashes', '/assets/..%2f..%2froster-secret.txt'],
    ['a traversal with encoded dots', '/assets/%2e%2e/%2e%2e/roster-secret.txt'],
    ['a traversal from the root', '/..%2froster-secret.txt'],
    ['a NUL byte', '/assets/%00.js'],
    ['a traversal with encoded backslashes', '/assets/..%5c..%5croster-secret.txt'],
  ])('answers %s (%s) with 404, never with index.html, and serves nothing outside the bundle', async (_what, url) => {
    const res = await app.inject({ url });
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('TOP-SECRET-CONTENT');
    expect(res.body).not.toBe(INDEX);
  });

  it('serves top-level files of the bundle (the icon) with a short cache', async () => {
    const res = await app.inject({ url: '/favicon.svg' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/svg+xml');
    expect(res.headers['cache-control']).toBe('public, max-age=3600');
  });

  it('explains how to build the portal when web/dist is missing', async () => {
    const empty = await appWith(path.join(dist, 'does-not-exist'));
    try {
      for (const url of ['/', '/users', '/setup?token=x']) {
        const res = await empty.inject({ url });
        expect(res.statusCode, url).toBe(503);
        expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(res.headers['cache-control']).toBe('no-store');
        expect(res.body).toContain('npm run build:web');
        expect(res.body).toContain('npx roster admin create');
      }
    } finally {
      await empty.close();
    }
  });
});

describe('the real portal build, served by the app', () => {
  let t: TestApp;
  beforeAll(async () => {
    ensurePortalBuilt({ quiet: true });
    t = await createTestApp('sqlite');
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('loads only same-origin scripts and styles that the CSP allows, compressed and cached', async () => {
    const index = await t.anonymous({ url: '/', headers: { 'accept-encoding': 'gzip' } });
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    const html = gunzipSync(index.rawPayload).toString();
    // The CSP allows no inline script: every script must be a file.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    expect(assets.some((a) => a.endsWith('.css'))).toBe(true);
    for (const a of assets) {
      const res = await t.anonymous({ url: a, headers: { 'accept-encoding': 'br, gzip' } });
      expect(res.statusCode, a).toBe(200);
      expect(res.headers['content-encoding'], a).toBe('br');
      expect(res.headers['cache-control'], a).toBe('public, max-age=31536000, immutable');
      expect(res.body, a).not.toMatch(
        /https?:\/\/(?!www\.w3\.org|localhost|reactjs\.org|react\.dev)[a-z0-9.-]+\.[a-z]{2,}\/[^\s"']*\.(js|css)/,
      );
    }
  });
});
