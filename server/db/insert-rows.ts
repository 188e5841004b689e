// Many rows into one table. Inside a SQLite transaction the rows go through one prepared single-row
// statement, run once per row: node:sqlite is synchronous and fast per call, while a multi-row
// INSERT built by the query builder costs more in JavaScript (a node per value, a long SQL string
// to compile and look up) than SQLite spends storing the rows. Elsewhere, multi-row INSERTs.
import type { Insertable } from 'kysely';
import type { Db } from './database.ts';
import type { DB } from './schema.ts';
import { sqliteConnectionOf } from './sqlite-adapter.ts';

const MULTI_ROW_CHUNK = 500;

/** Every row must name the same columns (a column left out would not get its default). */
export async function insertRows<T extends keyof DB & string>(db: Db, table: T, rows: Insertable<DB[T]>[]): Promise<void> {
  if (rows.length === 0) return;
  const sqlite = sqliteConnectionOf(db);
  // Only inside a transaction is the single SQLite connection ours alone until commit; outside one,
  // a statement run directly could land in another caller's open transaction.
  if (sqlite && db.isTransaction) {
    const columns = Object.keys(rows[0]);
    const stmt = sqlite.prepare(
      `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values (${columns.map(() => '?').join(', ')})`,
    );
    const values: unknown[] = new Array(columns.length);
    for (const row of rows) {
      const r = row as Record<string, unknown>;
      if (Object.keys(r).length !== columns.length) throw new Error(`insertRows(${table}): every row must have the same columns`);
      for (let i = 0; i < columns.length; i++) values[i] = r[columns[i]];
      stmt.run(values);
    }
    return;
  }
  for (let i = 0; i < rows.length; i += MULTI_ROW_CHUNK) {
    // The query builder cannot follow a table name chosen at run time through its types.
    await (db as any)
      .insertInto(table)
      .values(rows.slice(i, i + MULTI_ROW_CHUNK))
      .execute();
  }
}
