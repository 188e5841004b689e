// Opens the database named by DATABASE_URL: embedded SQLite (node:sqlite) or PostgreSQL (pg).
import path from 'node:path';
import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { kyselyPool } from './pg-client.ts';
import type { DB } from './schema.ts';
import { NodeSqliteDatabase, NodeSqliteDialect, registerSqlite } from './sqlite-adapter.ts';
import { ensurePrivateDir, ensurePrivateFile, tightenFile } from '../shared/private-files.ts';

/** A database handle or an open transaction: services take either as their first argument. */
export type Db = Kysely<DB>;
export type Tx = Transaction<DB>;
export type Dialect = 'sqlite' | 'postgres';

export interface Database {
  db: Db;
  dialect: Dialect;
  close(): Promise<void>;
  ping(): Promise<void>;
}

// int8 (count(*), sums) as JS numbers; our counts stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

function sqlitePathOf(url: string): string | undefined {
  if (!url.startsWith('sqlite:')) return undefined;
  const p = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
  return p === ':memory:' ? p : path.resolve(p);
}

export function openDatabase(url: string, opts: { poolSize?: number } = {}): Database {
  const file = sqlitePathOf(url);
  if (file !== undefined) {
    if (file !== ':memory:') {
      ensurePrivateDir(path.dirname(file));
      // SQLite creates the -wal and -shm files with the database file's permissions.
      ensurePrivateFile(file);
      for (const suffix of ['-wal', '-shm']) tightenFile(file + suffix);
    }
    const raw = new NodeSqliteDatabase(file);
    const db = new Kysely<DB>({ dialect: new NodeSqliteDialect(raw) });
    registerSqlite(db, raw);
    return handle(db, 'sqlite');
  }
  const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 10 });
  // A client that errors while PostgreSQL restarts must not crash the process: idle ones report on the
  // pool, but one checked out (between the queries of a transaction) reports on itself, and an 'error'
  // event nobody listens to ends the process. The query in progress still fails and is retried by its caller.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return handle(new Kysely<DB>({ dialect: new PostgresDialect({ pool: kyselyPool(pool) }) }), 'postgres');
}

/** The handle over either dialect's Kysely: closing and pinging are the same on both. */
function handle(db: Db, dialect: Dialect): Database {
  return {
    db,
    dialect,
    close: () => db.destroy(),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
  };
}

/** Runs fn in a transaction unless db already is one (the caller owns the transaction). */
export async function inTransaction<T>(db: Db, fn: (trx: Tx) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db as Tx);
  return db.transaction().execute(fn);
}

/** Rows SQLite's ANALYZE samples per index: statistics good enough to choose plans, in milliseconds. */
const SQLITE_ANALYSIS_LIMIT = 1000;

/**
 * Refreshes the planner statistics of tables a bulk write has grown. Without them PostgreSQL still
 * believes the tables small and answers "these 500 usernames" by reading every user of the
 * organization, so each batch of an import gets slower than the one before; SQLite prefers the unique
 * (organization_id, username) index to the primary key for "these 250 ids of the organization" and
 * reads every user (measured: 333 ms instead of 1.5 ms at 100,000 users, which held a provisioning
 * sync to about 4 accounts a second).
 */
export async function analyzeTables(database: Database, tables: readonly (keyof DB & string)[]): Promise<void> {
  if (tables.length === 0) return;
  const list = tables.map((t) => `"${t}"`);
  if (database.dialect === 'postgres') {
    await sql.raw(`analyze ${list.join(', ')}`).execute(database.db);
    return;
  }
  await sql.raw(`pragma analysis_limit = ${SQLITE_ANALYSIS_LIMIT}`).execute(database.db);
  for (const t of list) await sql.raw(`analyze ${t}`).execute(database.db);
}

/**
 * SQLite: fresh planner statistics for every table (sampled, so it takes milliseconds even at
 * 100,000 users); at start-up and from the hourly maintenance job. `PRAGMA optimize` would skip tables
 * that were never analyzed. PostgreSQL's autovacuum does this on its own.
 */
export async function optimizeDatabase(database: Database): Promise<void> {
  if (database.dialect !== 'sqlite') return;
  await sql.raw(`pragma analysis_limit = ${SQLITE_ANALYSIS_LIMIT}`).execute(database.db);
  await sql.raw('analyze').execute(database.db);
}
