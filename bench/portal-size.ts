// What the admin portal costs to load: the files index.html pulls in (the first load, before any
// page), and the first screen after sign-in (the users list), gzipped and brotli'd as the server
// sends them. Builds web/dist first when it is missing or stale. Usage: npm run bench:portal
import fs from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { DIST_DIR, ensurePortalBuilt } from '../web/build.ts';

const BUDGET_GZIP = 500 * 1024;

interface ManifestChunk {
  file: string;
  css?: string[];
  imports?: string[];
  isEntry?: boolean;
}

ensurePortalBuilt();
const manifest: Record<string, ManifestChunk> = JSON.parse(fs.readFileSync(path.join(DIST_DIR, '.vite/manifest.json'), 'utf8'));

function sizes(rel: string) {
  const file = path.join(DIST_DIR, rel);
  const raw = fs.readFileSync(file);
  // The server sends the precompressed files when they exist (small files stay plain).
  const gz = fs.existsSync(`${file}.gz`) ? fs.statSync(`${file}.gz`).size : gzipSync(raw, { level: 9 }).length;
  const br = fs.existsSync(`${file}.br`) ? fs.statSync(`${file}.br`).size : brotliCompressSync(raw).length;
  return { file: rel, raw: raw.length, gzip: Math.min(gz, raw.length), brotli: Math.min(br, raw.length) };
}

/** Every file index.html references: scripts, stylesheets, module preloads, icons. */
function indexAssets(): string[] {
  const html = fs.readFileSync(path.join(DIST_DIR, 'index.html'), 'utf8');
  const refs = [...html.matchAll(/(?:src|href)="\/([^"]+)"/g)].map((m) => m[1]);
  return ['index.html', ...new Set(refs)];
}

/** A lazily loaded page: its chunk, its static imports and their CSS, minus what is loaded already. */
function pageAssets(key: string, loaded: Set<string>): string[] {
  const out: string[] = [];
  const visit = (k: string) => {
    const chunk = manifest[k];
    if (!chunk) throw new Error(`${k} is not in the build manifest`);
    for (const f of [chunk.file, ...(chunk.css ?? [])]) {
      if (!loaded.has(f)) {
        loaded.add(f);
        out.push(f);
      }
    }
    for (const i of chunk.imports ?? []) visit(i);
  };
  visit(key);
  return out;
}

const kb = (n: number) => `${(n / 1024).toFixed(1).padStart(7)} KB`;
function table(title: string, files: string[]) {
  const rows = files.map(sizes);
  process.stdout.write(`\n${title}\n`);
  process.stdout.write(`  ${'file'.padEnd(48)} ${'raw'.padStart(10)} ${'gzip'.padStart(10)} ${'brotli'.padStart(10)}\n`);
  for (const r of rows) process.stdout.write(`  ${r.file.padEnd(48)} ${kb(r.raw)} ${kb(r.gzip)} ${kb(r.brotli)}\n`);
  const total = rows.reduce((t, r) => ({ raw: t.raw + r.raw, gzip: t.gzip + r.gzip, brotli: t.brotli + r.brotli }), {
    raw: 0,
    gzip: 0,
    brotli: 0,
  });
  process.stdout.write(`  ${'total'.padEnd(48)} ${kb(total.raw)} ${kb(total.gzip)} ${kb(total.brotli)}\n`);
  return total;
}

const first = indexAssets();
const firstTotal = table('First load (what index.html loads):', first);
const loaded = new Set(first);
const usersTotal = table('Plus the users list, the first screen after sign-in:', pageAssets('src/pages/users/UsersPage.tsx', loaded));
const all = fs
  .readdirSync(path.join(DIST_DIR, 'assets'))
  .filter((f) => /\.(js|css)$/.test(f))
  .map((f) => `assets/${f}`);
const allTotal = all.map(sizes).reduce((t, r) => t + r.gzip, 0);

process.stdout.write(
  `\nfirst load: ${kb(firstTotal.gzip).trim()} gzipped (${kb(firstTotal.brotli).trim()} brotli), budget ${kb(BUDGET_GZIP).trim()}\n`,
);
process.stdout.write(`first load + users list: ${kb(firstTotal.gzip + usersTotal.gzip).trim()} gzipped\n`);
process.stdout.write(`every page of the portal: ${kb(allTotal).trim()} gzipped in ${all.length} files\n`);
if (firstTotal.gzip > BUDGET_GZIP) {
  process.stderr.write('over budget\n');
  process.exitCode = 1;
}
