// Serves the admin portal (the Vite build in web/dist) at /: hashed assets cached for a year,
// index.html revalidated on every load, precompressed .br/.gz chosen by Accept-Encoding, and the
// SPA's own routes (/users/..., /setup?token=...) answered with index.html. No @fastify/static: the
// bundle is a handful of files and the rules above are the whole job.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from './common.ts';

export const DEFAULT_DIST_DIR = path.resolve(import.meta.dirname, '../../web/dist');

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
};

/** Paths that belong to the server, never to the SPA: unknown ones there get the API's JSON 404. */
const SERVER_PREFIXES = ['/api/', '/healthz', '/readyz', '/metrics'];

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Roster: the admin portal is not built</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;line-height:1.5}code{background:#f1f3f5;padding:.1rem .3rem}</style></head>
<body><h1>The admin portal is not built yet</h1>
<p>This Roster server runs, but the web portal's files (<code>web/dist</code>) are missing. Build them in the Roster folder, then reload this page:</p>
<pre><code>npm install        # builds the portal too
npm run build:web  # or only the portal</code></pre>
<p>The REST API works meanwhile: see <a href="/api/docs">/api/docs</a>. To create the first admin without the portal, run <code>npx roster admin create --email you@example.com</code>.</p>
</body></html>`;

interface Encoded {
  encoding: 'br' | 'gzip' | null;
  file: string;
}

/** The best precompressed variant the client accepts (q=0 refuses one), else the plain file. */
async function pickEncoding(file: string, acceptEncoding: string | undefined): Promise<Encoded> {
  const accepted = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find(Boolean);
    accepted.set(name, q ? Number(q[1]) : 1);
  }
  const ok = (name: string) => (accepted.get(name) ?? accepted.get('*') ?? 0) > 0;
  for (const [encoding, ext] of [
    ['br', '.br'],
    ['gzip', '.gz'],
  ] as const) {
    if (ok(encoding) && (await isFile(file + ext))) return { encoding, file: file + ext };
  }
  return { encoding: null, file };
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

/** The file under root that a URL path names, or undefined when it escapes root or is not a file. */
async function resolveFile(root: string, urlPath: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const file = path.resolve(root, `.${path.posix.normalize(`/${decoded}`)}`);
  if (file !== root && !file.startsWith(root + path.sep)) return undefined;
  // Precompressed variants are served through content negotiation only.
  if (/\.(br|gz)$/.test(file)) return undefined;
  return (await isFile(file)) ? file : undefined;
}

interface Loaded {
  version: string;
  body: Buffer;
  etag: string;
}

/**
 * Files as sent, kept in memory by path and checked against size and mtime on each request: the
 * bundle is a few MB with its compressed copies, and a rebuild while the server runs is picked up.
 */
function fileCache() {
  const cache = new Map<string, Loaded>();
  return async (file: string): Promise<Loaded> => {
    const st = await fs.stat(file);
    const version = `${st.size}:${st.mtimeMs}`;
    const hit = cache.get(file);
    if (hit?.version === version) return hit;
    const body = await fs.readFile(file);
    // A strong validator of the bytes sent, so no-cache costs a 304 and not a download.
    const loaded = { version, body, etag: createHash('sha256').update(body).digest('base64url').slice(0, 27) };
    if (cache.size >= 500) cache.clear(); // old builds' files; the live bundle refills it at once
    cache.set(file, loaded);
    return loaded;
  };
}

async function sendFile(
  request: FastifyRequest,
  reply: FastifyReply,
  load: ReturnType<typeof fileCache>,
  file: string,
  cacheControl: string,
) {
  const type = TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  const chosen = /^(text\/|application\/json|image\/svg)/.test(type)
    ? await pickEncoding(file, request.headers['accept-encoding'])
    : { encoding: null, file };
  const { body, etag: hash } = await load(chosen.file);
  const etag = `"${hash}${chosen.encoding ? `-${chosen.encoding}` : ''}"`;
  reply.header('cache-control', cacheControl);
  reply.header('vary', 'Accept-Encoding');
  reply.header('etag', etag);
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  reply.type(type);
  if (chosen.encoding) reply.header('content-encoding', chosen.encoding);
  return reply.send(body);
}

export function portalRoutes(app: App, opts: { distDir?: string } = {}): void {
  const root = path.resolve(opts.distDir ?? DEFAULT_DIST_DIR);
  const index = path.join(root, 'index.html');
  const load = fileCache();

  const sendIndex = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!(await isFile(index))) {
      return reply.code(503).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(NOT_BUILT);
    }
    return sendFile(request, reply, load, index, REVALIDATE);
  };

  // Vite names every asset by its content hash, so a cached copy can never be stale.
  app.get('/assets/*', { config: { auth: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const file = await resolveFile(path.join(root, 'assets'), (request.params as { '*': string })['*']);
    if (!file) return reply.callNotFound();
    return sendFile(request, reply, load, file, IMMUTABLE);
  });

  app.get('/', { config: { auth: 'public' }, schema: { hide: true } }, sendIndex);

  // Everything else that is not the server's own: a file at the bundle's top (favicon), or a
  // client-side route of the SPA, answered with index.html.
  app.get('/*', { config: { auth: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const urlPath = request.url.split('?')[0];
    if (SERVER_PREFIXES.some((p) => urlPath === p.replace(/\/$/, '') || urlPath.startsWith(p))) return reply.callNotFound();
    if (urlPath === '/index.html') return sendIndex(request, reply);
    if (!urlPath.slice(1).includes('/')) {
      const file = await resolveFile(root, urlPath);
      if (file) return sendFile(request, reply, load, file, 'public, max-age=3600');
    }
    // A missing file (it has an extension) is a 404, not the SPA: a broken <img> must not get HTML.
    if (/\.[a-z0-9]{1,8}$/i.test(urlPath)) return reply.callNotFound();
    return sendIndex(request, reply);
  });
}
