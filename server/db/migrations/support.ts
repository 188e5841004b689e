// Index creation that several migrations share. Not a migration itself: migrate.ts lists the
// migrations by name. Frozen like them: a released migration must keep executing the same DDL on both
// dialects, so a helper it uses must keep producing the same DDL (add a new helper instead). No
// application code here either.
import { type Kysely, sql } from 'kysely';

type IndexColumns = string | string[];

/** The index on one column given as a string, or on several in order. */
function indexOn(db: Kysely<any>, name: string, table: string, columns: IndexColumns) {
  const index = db.schema.createIndex(name).on(table);
  return typeof columns === 'string' ? index.column(columns) : index.columns(columns);
}

/** A plain index. */
export async function createIndex(db: Kysely<any>, name: string, table: string, columns: IndexColumns): Promise<void> {
  await indexOn(db, name, table, columns).execute();
}

/**
 * A partial index over the rows where `where` holds. The predicate is literal SQL: SQLite cannot match
 * a bound parameter against a partial index, so the queries meant to use one spell its predicate in
 * literals too.
 */
export async function createPartialIndex(
  db: Kysely<any>,
  name: string,
  table: string,
  columns: IndexColumns,
  where: string,
  options: { unique?: boolean } = {},
): Promise<void> {
  const index = indexOn(db, name, table, columns);
  await (options.unique ? index.unique() : index).where(sql.raw<boolean>(where)).execute();
}
