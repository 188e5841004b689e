// Many rows into one table. Inside a SQLite transaction the rows go through one prepared single-row
// statement, run once per row: node:sqlite is synchronous and fast per call, while a multi-row
// INSERT built by the query builder costs more in JavaScript (a node per value, a long SQL string
// to compile and look up) than SQLite spends storing the rows. On PostgreSQL enough rows go through
// COPY (`pg-copy.ts`). Elsewhere, multi-row INSERTs.
import type { Insertable } from 'kysely';
import { type Db, inTransaction } from './database.ts';
import { isPostgres, pgClientOf } from './pg-client.ts';
import { copyInsert } from './pg-copy.ts';
import type { DB } from './schema.ts';
import { sqliteConnectionOf } from './sqlite-adapter.ts';

const MULTI_ROW_CHUNK = 500;

/** From this many rows PostgreSQL gets them through COPY; below it the round trips COPY adds cost more than it saves. */
export const COPY_MIN_ROWS = 100;

export interface InsertOptions {
  /**
   * 'nothing': a row that conflicts with one already there (or given before it) is left out, and
   * the count returned says how many went in. Without it a conflict throws (`InsertConflictError` on
   * PostgreSQL's bulk path, the database's unique violation elsewhere), so the caller's transaction
   * rolls back.
   */
  onConflict?: 'nothing';
}

/**
 * Rows that the bulk path left out because they conflicted, when the caller did not say they may.
 * It carries PostgreSQL's code for a unique violation, so code that recognizes one still does.
 */
export class InsertConflictError extends Error {
  readonly code = '23505';
  readonly table: string;
  readonly conflicted: number;
  constructor(table: string, given: number, inserted: number) {
    super(`insertRows(${table}): ${given - inserted} of ${given} rows conflict with rows already there or with each other`);
    this.name = 'InsertConflictError';
    this.table = table;
    this.conflicted = given - inserted;
  }
}

/**
 * Every row must name the same columns (a column left out would not get its default). Returns how
 * many rows the table took: all of them unless `onConflict: 'nothing'` let some be left out.
 */
export async function insertRows<T extends keyof DB & string>(
  db: Db,
  table: T,
  rows: Insertable<DB[T]>[],
  opts: InsertOptions = {},
): Promise<number> {
  if (rows.length === 0) return 0;
  const sqlite = sqliteConnectionOf(db);
  // Only inside a transaction is the single SQLite connection ours alone until commit; outside one,
  // a statement run directly could land in another caller's open transaction.
  if (sqlite && db.isTransaction) {
    const columns = Object.keys(rows[0]);
    const stmt = sqlite.prepare(
      `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values (${columns.map(() => '?').join(', ')})` +
        (opts.onConflict === 'nothing' ? ' on conflict do nothing' : ''),
    );
    const values: unknown[] = new Array(columns.length);
    let inserted = 0;
    for (const row of rows) {
      const r = row as Record<string, unknown>;
      if (Object.keys(r).length !== columns.length) throw new Error(`insertRows(${table}): every row must have the same columns`);
      for (let i = 0; i < columns.length; i++) values[i] = r[columns[i]];
      inserted += Number(stmt.run(values).changes);
    }
    return inserted;
  }
  if (rows.length >= COPY_MIN_ROWS && isPostgres(db)) {
    // COPY needs the transaction's own connection: outside one, the rows get a transaction of their own.
    return inTransaction(db, async (trx) => {
      const client = await pgClientOf(trx);
      if (!client) return multiRowInsert(trx, table, rows, opts);
      const inserted = await copyInsert(client, table, rows as Record<string, unknown>[]);
      // Thrown inside the transaction, so that it rolls back with the rows that did go in.
      if (inserted !== rows.length && opts.onConflict !== 'nothing') throw new InsertConflictError(table, rows.length, inserted);
      return inserted;
    });
  }
  return multiRowInsert(db, table, rows, opts);
}

async function multiRowInsert(db: Db, table: string, rows: unknown[], opts: InsertOptions): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < rows.length; i += MULTI_ROW_CHUNK) {
    // The query builder cannot follow a table name chosen at run time through its types.
    let q = (db as any).insertInto(table).values(rows.slice(i, i + MULTI_ROW_CHUNK));
    if (opts.onConflict === 'nothing') q = q.onConflict((oc: any) => oc.doNothing());
    const r: { numInsertedOrUpdatedRows?: bigint }[] = await q.execute();
    inserted += Number(r[0]?.numInsertedOrUpdatedRows ?? 0);
  }
  return inserted;
}
