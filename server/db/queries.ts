// The queries every repository writes again and again: rows of one table found, changed, deleted or
// counted by a key of column values. Kysely cannot check a column whose name depends on a generic
// table, so the signatures are typed against the schema and the query is built on a loose handle inside.
import {
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  type Selectable,
  type SelectQueryBuilder,
  type SqlBool,
  type Updateable,
  sql,
} from 'kysely';
import type { Db } from './database.ts';
import { isPostgres } from './pg-client.ts';
import type { DB } from './schema.ts';

type Row<D, T extends keyof D> = Selectable<D[T]>;
type Loose = Record<string, Record<string, unknown>>;
type LooseBuilder = ExpressionBuilder<Loose, string>;

const loose = <D>(db: Kysely<D>) => db as unknown as Kysely<Loose>;

/**
 * The values a row must have, column by column: a value (`=`), null (`is null`), a list (`in`), or an
 * expression such as a column of the outer query (`eb.ref('i.application_id')`, in `existsRow`).
 */
export type RowKey<D, T extends keyof D> = {
  [C in keyof Row<D, T>]?: Row<D, T>[C] | readonly Row<D, T>[C][] | Expression<Row<D, T>[C]>;
};

/** A further condition on the table's rows, where a key of values is not enough. */
export type RowCondition<D, T extends keyof D & string> = (eb: ExpressionBuilder<D, T>) => Expression<SqlBool>;

/**
 * The key as one condition, its columns under `alias` when given. A key names at least one column: an
 * empty one would make an update or a delete hit the whole table. An undefined value stays a bound
 * parameter (as in `.where(column, '=', value)`): it is never dropped from the key.
 */
function matching(key: object, alias?: string) {
  const terms = Object.entries(key);
  if (terms.length === 0) throw new Error('a row key names at least one column');
  return (eb: LooseBuilder) =>
    eb.and(
      terms.map(([column, value]) =>
        eb(eb.ref(alias ? `${alias}.${column}` : column), Array.isArray(value) ? 'in' : value === null ? 'is' : '=', value),
      ),
    );
}

function where<D, T extends keyof D & string>(key: RowKey<D, T>, also?: RowCondition<D, T>) {
  return (eb: LooseBuilder) => {
    const keyed = matching(key)(eb);
    return also ? eb.and([keyed, (also as unknown as (eb: LooseBuilder) => Expression<SqlBool>)(eb)]) : keyed;
  };
}

/** The rows with the key's values, as a query to go on with (columns, order, limit). */
export function rowsWhere<D, T extends keyof D & string>(db: Kysely<D>, table: T, key: RowKey<D, T>): SelectQueryBuilder<D, T, {}> {
  return loose(db)
    .selectFrom(table as string)
    .where(where(key)) as unknown as SelectQueryBuilder<D, T, {}>;
}

/** EXISTS: a row of `table` with the key's values, for a condition of an outer query. */
export function existsRow<D, TB extends keyof D, T extends keyof D & string>(
  eb: ExpressionBuilder<D, TB>,
  table: T,
  key: RowKey<D, T>,
): Expression<SqlBool> {
  const l = eb as unknown as LooseBuilder;
  return l.exists(
    l
      .selectFrom(table as string)
      .select(sql<number>`1`.as('found'))
      .where(matching(key, table)),
  );
}

/** The row with the key's values (the first one, where the key is not unique). */
export async function findRow<D, T extends keyof D & string>(db: Kysely<D>, table: T, key: RowKey<D, T>): Promise<Row<D, T> | undefined> {
  const row = await loose(db)
    .selectFrom(table as string)
    .selectAll()
    .where(where(key))
    .executeTakeFirst();
  return row as Row<D, T> | undefined;
}

/** Those columns of the row with the key's values. */
export async function findColumns<D, T extends keyof D & string, C extends keyof Row<D, T> & string>(
  db: Kysely<D>,
  table: T,
  columns: readonly C[],
  key: RowKey<D, T>,
): Promise<Pick<Row<D, T>, C> | undefined> {
  const row = await loose(db)
    .selectFrom(table as string)
    .select(columns)
    .where(where(key))
    .executeTakeFirst();
  return row as Pick<Row<D, T>, C> | undefined;
}

/** Whether a row has the key's values. */
export async function hasRow<D, T extends keyof D & string>(db: Kysely<D>, table: T, key: RowKey<D, T>): Promise<boolean> {
  const row = await loose(db)
    .selectFrom(table as string)
    .select(sql<number>`1`.as('found'))
    .where(where(key))
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Sets the patch on the rows with the key's values (and the further condition); returns how many. */
export async function updateRows<D, T extends keyof D & string>(
  db: Kysely<D>,
  table: T,
  key: RowKey<D, T>,
  patch: Updateable<D[T]>,
  also?: RowCondition<D, T>,
): Promise<number> {
  const r = await loose(db)
    .updateTable(table as string)
    .set(patch as Record<string, unknown>)
    .where(where(key, also))
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Deletes the rows with the key's values (and the further condition); returns how many. */
export async function deleteRows<D, T extends keyof D & string>(
  db: Kysely<D>,
  table: T,
  key: RowKey<D, T>,
  also?: RowCondition<D, T>,
): Promise<number> {
  const r = await loose(db)
    .deleteFrom(table as string)
    .where(where(key, also))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** How many rows with the key's values hold each value of the column (values no row holds are absent). */
export async function countByColumn<D, T extends keyof D & string, C extends keyof Row<D, T> & string>(
  db: Kysely<D>,
  table: T,
  column: C,
  key: RowKey<D, T>,
): Promise<Map<Row<D, T>[C], number>> {
  const rows = await loose(db)
    .selectFrom(table as string)
    .select([column, sql<number>`count(*)`.as('n')])
    .where(where(key))
    .groupBy(column)
    .execute();
  return new Map(rows.map((r) => [(r as Record<string, unknown>)[column] as Row<D, T>[C], Number(r.n)]));
}

/** The id and name of the groups, by name, that the rows of a link table with the key's values point at. */
export async function listLinkedGroups<T extends 'group_members' | 'application_groups'>(
  db: Db,
  table: T,
  key: RowKey<DB, T>,
): Promise<Array<{ id: string; name: string }>> {
  return loose(db)
    .selectFrom(`${table} as l` as string)
    .innerJoin('groups as g', 'g.id', 'l.group_id')
    .select(['g.id', 'g.name'])
    .where(matching(key, 'l'))
    .orderBy('g.name_lower')
    .execute() as Promise<Array<{ id: string; name: string }>>;
}

/** Rows whose search_text matches a lower-cased LIKE pattern (already escaped). */
export function searchTextLike(pattern: string): Expression<SqlBool> {
  return sql<SqlBool>`search_text like ${pattern} escape '\\'`;
}

/**
 * The base of a searchable list and its count: the rows with the filter's values (a column left
 * undefined is not filtered) whose search_text matches the pattern, when there is one.
 */
export function rowsFiltered<D, T extends keyof D & string>(
  db: Kysely<D>,
  table: T,
  filter: RowKey<D, T>,
  searchPattern: string | undefined,
): SelectQueryBuilder<D, T, {}> {
  const given = Object.entries(filter).filter(([, value]) => value !== undefined);
  const q = rowsWhere(db, table, Object.fromEntries(given) as RowKey<D, T>);
  return searchPattern ? q.where(searchTextLike(searchPattern)) : q;
}

/** What a search filter carries: the pattern for `searchTextLike`, or none. */
export interface SearchFilter {
  /** Lower-cased LIKE pattern over search_text (already escaped). */
  searchPattern?: string;
}

/** `fn` over the values a few hundred at a time (a bound parameter each), the results in one list. */
export async function inChunks<V, R>(values: readonly V[], size: number, fn: (chunk: V[]) => Promise<R[]>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < values.length; i += size) out.push(...(await fn(values.slice(i, i + size))));
  return out;
}

/**
 * `column = value` as a condition no index serves on SQLite (`+column`): for "these ids of the
 * organization", which must go through the primary key whatever the planner's statistics say. With
 * statistics older than the table's growth SQLite took the organization's index instead and read
 * every user of it (110 ms for 100 ids at 100,000 users). PostgreSQL plans from fresh statistics.
 */
export function equalsUnindexed(db: Kysely<any>, column: string, value: string): Expression<SqlBool> {
  return isPostgres(db) ? sql<SqlBool>`${sql.ref(column)} = ${value}` : sql<SqlBool>`+${sql.ref(column)} = ${value}`;
}
