// The raw pg client under a Kysely transaction on PostgreSQL. COPY (pg-copy-streams) is a pg
// "submittable" that must run on the transaction's own connection, and Kysely's PostgresDialect keeps
// that connection's client to itself. So the pool Kysely gets hands out thin wrappers of pg's clients
// that answer one marker query with the client itself, without a round trip to the server: a query
// through the transaction reaches exactly its connection, whatever sits between us and PostgreSQL.
import { CompiledQuery, type Kysely, PostgresAdapter, type PostgresPool, type PostgresPoolClient, type PostgresQueryResult } from 'kysely';
import type pg from 'pg';

/** A comment only: a Kysely not built by `kyselyPool` sends it to PostgreSQL, which answers no rows. */
const CLIENT_QUERY = '/* roster: the pg client of this connection */';

class WrappedClient implements PostgresPoolClient {
  readonly raw: pg.PoolClient;
  constructor(raw: pg.PoolClient) {
    this.raw = raw;
  }
  /** Kysely reads it to cancel a query by the server's process id. */
  get processID(): number | undefined {
    return (this.raw as { processID?: number }).processID;
  }
  query(sqlOrCursor: any, parameters?: ReadonlyArray<unknown>): any {
    if (sqlOrCursor === CLIENT_QUERY) {
      const result: PostgresQueryResult<{ client: pg.PoolClient }> = { command: 'SELECT', rowCount: 1, rows: [{ client: this.raw }] };
      return Promise.resolve(result);
    }
    return parameters === undefined ? this.raw.query(sqlOrCursor) : this.raw.query(sqlOrCursor, parameters as unknown[]);
  }
  release(destroy?: boolean): void {
    this.raw.release(destroy);
  }
}

/** pg's pool as Kysely's PostgresDialect takes it, with each client wrapped (the same wrapper each time). */
export function kyselyPool(pool: pg.Pool): PostgresPool {
  // Kysely keeps one connection object per client it is handed: the same client must come wrapped the same way.
  const wrappers = new WeakMap<pg.PoolClient, WrappedClient>();
  return {
    Client: (pool as unknown as { Client: PostgresPool['Client'] }).Client,
    options: pool.options,
    connect: async () => {
      const raw = await pool.connect();
      let wrapped = wrappers.get(raw);
      if (!wrapped) wrappers.set(raw, (wrapped = new WrappedClient(raw)));
      return wrapped;
    },
    end: () => pool.end(),
  };
}

/** Any Kysely or transaction (database.ts builds on this file, so it cannot name its Db type). */
type AnyDb = Kysely<any>;

export const isPostgres = (db: AnyDb): boolean => db.getExecutor().adapter instanceof PostgresAdapter;

/**
 * The pg client a PostgreSQL transaction runs on, for what Kysely cannot send (COPY). Undefined
 * outside a transaction (a connection is then ours only for one query), on SQLite, and on a Kysely
 * whose pool did not come from `kyselyPool`.
 */
export async function pgClientOf(db: AnyDb): Promise<pg.PoolClient | undefined> {
  if (!db.isTransaction || !isPostgres(db)) return undefined;
  const { rows } = await db.executeQuery<{ client?: pg.PoolClient }>(CompiledQuery.raw(CLIENT_QUERY));
  return rows[0]?.client;
}
