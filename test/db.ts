// Real databases for tests: a temporary SQLite file, or a fresh database in the PostgreSQL that the
// global setup started (or TEST_DATABASE_URL).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { type Database, type Dialect, openDatabase } from '../server/db/database.ts';
import { migrateToLatest } from '../server/db/migrate.ts';

export const dialects: Dialect[] = process.env.ROSTER_TEST_SKIP_POSTGRES === '1' ? ['sqlite'] : ['sqlite', 'postgres'];

export interface TestDatabase extends Database {
  url: string;
}

let counter = 0;

/** A new empty database URL of the dialect (migrations not applied). Dropped by the returned cleanup. */
export async function createTestDatabaseUrl(dialect: Dialect): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `roster_t_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  if (dialect === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-test-'));
    return { url: `sqlite:${path.join(dir, 'roster.db')}`, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const adminUrl = inject('postgresAdminUrl');
  if (!adminUrl) throw new Error('PostgreSQL is not available: set TEST_DATABASE_URL or let the global setup start one');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** A migrated database of the dialect; close() also drops it. */
export async function createTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  const { url, drop } = await createTestDatabaseUrl(dialect);
  const database = openDatabase(url, { poolSize: 5 });
  await migrateToLatest(database.db);
  return {
    ...database,
    url,
    close: async () => {
      await database.close();
      await drop();
    },
  };
}
