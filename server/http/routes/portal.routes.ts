// Serves the admin portal (the Vite build in web/dist) at / through @fastify/static: hashed assets
// cached for a year, index.html revalidated on every load, precompressed .br/.gz chosen by
// Accept-Encoding, and the SPA's own routes (/users/..., /setup?token=...) answered with index.html.
// What is left here is which URL names which file, and the page shown when the portal is not built.
import fs from 'node:fs/promises';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../common.ts';

const DEFAULT_DIST_DIR = path.resolve(import.meta.dirname, '../../../web/dist');

const YEAR_MS = 365 * 24 * 60 * 60_000;
const HOUR_MS = 60 * 60_000;

/** Paths that belong to the server, never to the SPA: unknown ones there get the API's JSON 404. */
const SERVER_PREFIXES = ['/api/', '/healthz', '/readyz', '/metrics'];

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Roster: the admin portal is not built</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;line-height:1.5}
code{background:#f1f3f5;padding:.1rem .3rem}</style></head>
<body><h1>The admin portal is not built yet</h1>
<p>This Roster server runs, but the web portal's files (<code>web/dist</code>) are missing.
Build them in the Roster folder, then reload this page:</p>
<pre><code>npm install        # builds the portal too
npm run build:web  # or only the portal</code></pre>
<p>The REST API works meanwhile: see <a href="/api/docs">/api/docs</a>.
To create the first admin without the portal, run <code>npx roster admin create --email you@example.com</code>.</p>
</body></html>`;

async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

/**
 * The path inside the bundle that a URL path names, or undefined when it is not a plain file path:
 * an undecodable or NUL-bearing path, a backslash, one that climbs out of its folder, or a
 * precompressed variant (those are served through content negotiation only).
 */
function bundlePath(urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const normalized = path.posix.normalize(`/${decoded}`);
  if (normalized.startsWith('/..') || /\.(br|gz)$/.test(normalized)) return undefined;
  return normalized;
}

/** RFC 9239 names JavaScript text/javascript; the mime table under @fastify/send still says application/javascript. */
async function javascriptType(_request: FastifyRequest, reply: FastifyReply) {
  const type = reply.getHeader('content-type');
  if (typeof type === 'string' && type.startsWith('application/javascript')) reply.type('text/javascript; charset=utf-8');
}

export function portalRoutes(app: App, opts: { distDir?: string } = {}): void {
  const root = path.resolve(opts.distDir ?? DEFAULT_DIST_DIR);
  const assets = path.join(root, 'assets');
  // Files only through the routes below (serve: false); send's own Cache-Control is set per route.
  app.register(fastifyStatic, { serve: false, preCompressed: true, dotfiles: 'ignore', cacheControl: false });

  const sendFile = (reply: FastifyReply, file: string, folder: string, cacheControl: string | { maxAge: number; immutable?: boolean }) => {
    reply.header('vary', 'Accept-Encoding');
    if (typeof cacheControl === 'string') {
      reply.header('cache-control', cacheControl);
      return reply.sendFile(file, folder);
    }
    return reply.sendFile(file, folder, { cacheControl: true, ...cacheControl });
  };
  const sendIndex = async (_request: FastifyRequest, reply: FastifyReply) => {
    if (!(await isFile(path.join(root, 'index.html')))) {
      return reply.code(503).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(NOT_BUILT);
    }
    return sendFile(reply, '/index.html', root, 'no-cache');
  };
  const route = { config: { auth: 'public' as const }, schema: { hide: true }, onSend: javascriptType };

  // Vite names every asset by its content hash, so a cached copy can never be stale.
  app.get('/assets/*', route, async (request, reply) => {
    const file = bundlePath((request.params as { '*': string })['*']);
    if (!file) return reply.callNotFound();
    return sendFile(reply, file, assets, { maxAge: YEAR_MS, immutable: true });
  });

  app.get('/', route, sendIndex);

  // Everything else that is not the server's own: a file at the bundle's top (favicon), or a
  // client-side route of the SPA, answered with index.html.
  app.get('/*', route, async (request, reply) => {
    const urlPath = request.url.split('?')[0];
    if (SERVER_PREFIXES.some((p) => urlPath === p.replace(/\/$/, '') || urlPath.startsWith(p))) return reply.callNotFound();
    if (urlPath === '/index.html') return sendIndex(request, reply);
    // A missing file (it has an extension) is a 404, not the SPA: a broken <img> must not get HTML.
    if (!/\.[a-z0-9]{1,8}$/i.test(urlPath)) return sendIndex(request, reply);
    const file = urlPath.slice(1).includes('/') ? undefined : bundlePath(urlPath);
    if (!file) return reply.callNotFound();
    return sendFile(reply, file, root, { maxAge: HOUR_MS });
  });
}
