// Builds the admin portal into web/dist. Run by `npm run build:web`, by `npm install` (prepare), and
// by the browser tests and the size benchmark when the bundle is missing or older than its sources.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

export const WEB_DIR = import.meta.dirname;
export const ROOT = path.dirname(WEB_DIR);
export const DIST_DIR = path.join(WEB_DIR, 'dist');
const INDEX = path.join(DIST_DIR, 'index.html');

function viteBin(): string | undefined {
  try {
    const pkg = createRequire(path.join(ROOT, 'package.json')).resolve('vite/package.json');
    return path.join(path.dirname(pkg), 'bin', 'vite.js');
  } catch {
    return undefined;
  }
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** True when web/dist is missing or a source file (or the Vite config) changed after it was built. */
export function portalIsStale(): boolean {
  if (!fs.existsSync(INDEX)) return true;
  // A deployment may ship web/dist without the sources: nothing to rebuild from.
  if (!fs.existsSync(path.join(WEB_DIR, 'src'))) return false;
  const built = fs.statSync(INDEX).mtimeMs;
  const sources = Math.max(
    newestMtime(path.join(WEB_DIR, 'src')),
    newestMtime(path.join(WEB_DIR, 'public')),
    fs.statSync(path.join(WEB_DIR, 'index.html')).mtimeMs,
    fs.statSync(path.join(ROOT, 'vite.config.ts')).mtimeMs,
  );
  return sources > built;
}

export function buildPortal(opts: { quiet?: boolean } = {}): void {
  const bin = viteBin();
  if (!bin) throw new Error('Vite is not installed: run `npm install` (with dev dependencies) to build the portal');
  // NODE_ENV decides React's build: under vitest it is "test", which would ship React's development build.
  const r = spawnSync(process.execPath, [bin, 'build', '--logLevel', opts.quiet ? 'warn' : 'info'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: opts.quiet ? 'pipe' : 'inherit',
    encoding: 'utf8',
  });
  if (r.status !== 0)
    throw new Error(`Building the portal failed (vite build exited with ${r.status}):\n${r.stderr ?? ''}${r.stdout ?? ''}`);
}

const LOCK = path.join(WEB_DIR, '.build-lock');
const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Builds when stale. Test files run in parallel workers and may all find the bundle stale: a lock
 * directory makes one build while the others wait, then find it fresh.
 */
export function ensurePortalBuilt(opts: { quiet?: boolean } = {}): void {
  if (!portalIsStale()) return;
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const held = fs.statSync(LOCK, { throwIfNoEntry: false });
      // A build that died long ago left its lock behind.
      if (held && Date.now() - held.mtimeMs > 5 * 60_000) fs.rmSync(LOCK, { recursive: true, force: true });
      else if (held) sleep(200);
    }
  }
  try {
    if (portalIsStale()) buildPortal(opts);
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  // --if-stale (npm start): rebuild only when a source changed since the last build; a no-op otherwise.
  const ifStale = process.argv.includes('--if-stale');
  if (ifStale && !portalIsStale()) process.exit(0);
  // `npm install --omit=dev` has no Vite: the server still starts and / says how to build the portal.
  if (!viteBin()) {
    process.stdout.write(
      'roster: Vite is not installed (production install?); skipping the portal build. ' +
        'Run `npm install` then `npm run build:web` to build it.\n',
    );
  } else {
    try {
      buildPortal();
    } catch (err) {
      process.stderr.write(`${(err as Error).message}\n`);
      process.exit(1);
    }
  }
}
