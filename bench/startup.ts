// Start-up time to ready: spawns `node server/main.ts` on a fresh data folder (first start: creates
// the database and runs migrations) and again on the same folder, polling /readyz.
// Usage: npm run bench:startup -- [--runs 3]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1 || runs > 50) {
  process.stderr.write('--runs must be an integer from 1 to 50\n');
  process.exit(2);
}
const root = path.resolve(import.meta.dirname, '..');

async function once(dataDir: string, port: number): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(root, 'server/main.ts')], {
    env: { ...process.env, ROSTER_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATABASE_URL: '' },
    stdio: 'ignore',
  });
  try {
    for (;;) {
      if (performance.now() - started > 30_000) throw new Error('server did not become ready within 30 s');
      try {
        const r = await fetch(`http://127.0.0.1:${port}/readyz`);
        if (r.status === 200) return performance.now() - started;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

const fmt = (xs: number[]) =>
  `min ${Math.min(...xs).toFixed(0)} ms, median ${xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)].toFixed(0)} ms`;
const cold: number[] = [];
const warm: number[] = [];
for (let i = 0; i < runs; i++) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-startup-'));
  const port = 21000 + Math.floor(Math.random() * 20000);
  cold.push(await once(dir, port));
  warm.push(await once(dir, port));
  fs.rmSync(dir, { recursive: true, force: true });
}
console.log(`Start-up to ready (process spawn until GET /readyz answers 200), ${runs} run(s):`);
console.log(`  first start (new SQLite database, migrations): ${fmt(cold)}`);
console.log(`  later start (existing database):               ${fmt(warm)}`);
