import { type SelectQueryBuilder, sql } from 'kysely';
import { isPostgres } from '../db/pg-client.ts';
import type { Db } from '../db/database.ts';
import {
  deleteRows,
  equalsUnindexed,
  findColumns,
  inChunks,
  rowsFiltered,
  searchTextLike,
  updateRows,
  type SearchFilter,
} from '../db/queries.ts';
import { insertRows } from '../db/insert-rows.ts';
import type { DB, UsersTable } from '../db/schema.ts';
import { keysetAfter } from '../db/keyset.ts';

export type UserRow = UsersTable;

/** Public columns: everything but the password hash. */
export const USER_COLUMNS = [
  'id',
  'organization_id',
  'username',
  'username_lower',
  'email',
  'email_lower',
  'firstname',
  'middlename',
  'lastname',
  'displayname',
  'job_title',
  'department',
  'cost_center',
  'employee_type',
  'employee_identifier',
  'organization',
  'addresses',
  'phone_numbers',
  'state',
  'password_status',
  'source_type',
  'source_application_id',
  'source_import_run_id',
  'source_scim_source_id',
  'search_text',
  'created_at',
  'updated_at',
] as const;
export type UserRecord = Omit<UserRow, 'password_hash'>;

export async function insertUsers(db: Db, rows: UserRecord[]): Promise<void> {
  await insertRows(
    db,
    'users',
    rows.map((r) => ({ ...r, password_hash: null })),
  );
}

export async function findUser(db: Db, organizationId: string, id: string): Promise<UserRecord | undefined> {
  return findColumns(db, 'users', USER_COLUMNS, { organization_id: organizationId, id });
}

/**
 * The users with these ids in the organization (any order), a few hundred ids per query. `forUpdate`:
 * locked until the caller's transaction ends, on PostgreSQL (a read that decides a write, so that a
 * change committed meanwhile is not overwritten; in id order, so two such readers cannot deadlock).
 * SQLite needs no lock: its write transactions begin immediate and run one at a time.
 */
export async function findUsersByIds(
  db: Db,
  organizationId: string,
  ids: string[],
  opts: { forUpdate?: boolean } = {},
): Promise<UserRecord[]> {
  const lock = opts.forUpdate === true && isPostgres(db);
  return inChunks(lock ? ids.toSorted() : ids, 400, (chunk) => {
    const q = db
      .selectFrom('users')
      .select(USER_COLUMNS)
      .where(equalsUnindexed(db, 'organization_id', organizationId))
      .where('id', 'in', chunk);
    return (lock ? q.orderBy('id').forUpdate() : q).execute();
  });
}

/** Which of these users an import run created (their ids only: a batch asks this for every user it matched). */
export async function findUserIdsCreatedByRun(db: Db, importRunId: string, ids: string[]): Promise<string[]> {
  const rows = await inChunks(ids, 400, (chunk) =>
    db.selectFrom('users').select('id').where('source_import_run_id', '=', importRunId).where('id', 'in', chunk).execute(),
  );
  return rows.map((r) => r.id);
}

/** Users whose username or email equals (lower-cased) any of the given values. */
export async function findUsersByUsernameOrEmail(
  db: Db,
  organizationId: string,
  lowerValues: string[],
): Promise<Pick<UserRecord, 'id' | 'username_lower' | 'email_lower'>[]> {
  const found = new Map<string, Pick<UserRecord, 'id' | 'username_lower' | 'email_lower'>>();
  // Two lookups, each on its own unique index: with OR, SQLite scans every user of the organization.
  for (const col of ['username_lower', 'email_lower'] as const) {
    const rows = await inChunks(lowerValues, 500, (chunk) =>
      db
        .selectFrom('users')
        .select(['id', 'username_lower', 'email_lower'])
        .where('organization_id', '=', organizationId)
        .where(col, 'in', chunk)
        .execute(),
    );
    for (const r of rows) found.set(r.id, r);
  }
  return [...found.values()];
}

/** Users whose employee identifier is one of these (exactly; several users may share one). */
export async function findUsersByEmployeeIdentifiers(
  db: Db,
  organizationId: string,
  values: string[],
): Promise<Pick<UserRecord, 'id' | 'employee_identifier'>[]> {
  return inChunks(values, 500, (chunk) =>
    db
      .selectFrom('users')
      .select(['id', 'employee_identifier'])
      .where('organization_id', '=', organizationId)
      .where('employee_identifier', 'in', chunk)
      // Spelled as the partial index's predicate, so SQLite can use it.
      .where(sql.raw<boolean>(`employee_identifier != ''`))
      .execute(),
  );
}

export async function updateUser(db: Db, organizationId: string, id: string, patch: Partial<UserRecord>): Promise<void> {
  await updateRows(db, 'users', { organization_id: organizationId, id }, patch);
}

export async function deleteUser(db: Db, organizationId: string, id: string): Promise<number> {
  return deleteRows(db, 'users', { organization_id: organizationId, id });
}

export const SORT_COLUMNS = {
  username: 'username_lower',
  email: 'email_lower',
  firstname: 'firstname',
  lastname: 'lastname',
  displayname: 'displayname',
  state: 'state',
  passwordStatus: 'password_status',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
} as const;
export type SortColumn = (typeof SORT_COLUMNS)[keyof typeof SORT_COLUMNS];

export interface UserListFilter extends SearchFilter {
  organizationId: string;
  state?: UserRow['state'];
  passwordStatus?: UserRow['password_status'];
}

function filtered(db: Db, f: UserListFilter) {
  return rowsFiltered(
    db,
    'users',
    { organization_id: f.organizationId, state: f.state, password_status: f.passwordStatus },
    f.searchPattern,
  );
}

/**
 * The same rows for a page sorted on an index without the organization (SQLite, see tieBreakOf): the
 * organization is still a condition, but written `+organization_id` so that SQLite does not take the
 * organization's unique index (which every user matches) and sort the whole table; it walks the sort's
 * index instead. Right while there is one organization (no code creates another): the migration that
 * allows a second one must put organization_id back at the head of these indexes.
 */
function filteredInSortOrder(db: Db, f: UserListFilter) {
  let q = db.selectFrom('users').where(sql<string>`+${sql.ref('organization_id')}`, '=', f.organizationId);
  if (f.state) q = q.where('state', '=', f.state);
  if (f.passwordStatus) q = q.where('password_status', '=', f.passwordStatus);
  return f.searchPattern ? q.where(searchTextLike(f.searchPattern)) : q;
}

/**
 * The second key of a sort, for rows with equal values. PostgreSQL: the id. SQLite (2026-12-06-002):
 * none for username and email, unique in the organization; the rowid for the others (their indexes
 * are on the column alone, and every SQLite index ends with the rowid, so they stay narrow; state and
 * password status have no index). SQLite's cursors carry the rowid whatever the sort.
 */
export function tieBreakOf(db: Db, sort: SortColumn): 'id' | 'rowid' | 'none' {
  if (isPostgres(db)) return 'id';
  return sort === 'username_lower' || sort === 'email_lower' ? 'none' : 'rowid';
}

/** A listed user and, on SQLite, his rowid (for the next cursor). */
export type ListedUser = UserRecord & { row_key?: number };

const rowKey = sql<number>`rowid`.as('row_key');

/** The users with these rowids (SQLite), in that order. */
async function byRowKeys(db: Db, keys: number[]): Promise<ListedUser[]> {
  if (keys.length === 0) return [];
  const rows = await db
    .selectFrom('users')
    .select([...USER_COLUMNS, rowKey])
    .where(sql.ref('rowid'), 'in', keys)
    .execute();
  const at = new Map(keys.map((k, i) => [k, i]));
  return rows.sort((a, b) => at.get(a.row_key)! - at.get(b.row_key)!);
}

export async function listUsers(
  db: Db,
  f: UserListFilter,
  sort: SortColumn,
  order: 'asc' | 'desc',
  after: { value: string; tie: string | number } | undefined,
  limit: number,
): Promise<ListedUser[]> {
  const tie = tieBreakOf(db, sort);
  const page = <O>(q: SelectQueryBuilder<DB, 'users', O>) => {
    if (after) {
      const op = order === 'asc' ? '>' : '<';
      q = tie === 'none' ? q.where(sort, op, after.value) : q.where(keysetAfter([sort, tie], op, [after.value, after.tie]));
    }
    q = q.orderBy(sort, order);
    return (tie === 'none' ? q : q.orderBy(sql.ref(tie), order)).limit(limit);
  };
  if (f.searchPattern && sort === 'username_lower') {
    // Searching in the default order: the page's keys first, from the index that carries search_text
    // (asking for whole rows, SQLite walks the unique username index and reads every user's row to test
    // the pattern: 345 ms for a rare match at 100,000 users, 20 ms this way), then those rows. On
    // SQLite that index ends with the rowid (not the id: 36 bytes less in an index every import
    // writes all over).
    if (tie === 'none')
      return byRowKeys(
        db,
        (await page(filtered(db, f).select(rowKey)).execute()).map((r) => r.row_key),
      );
    const ids = (await page(filtered(db, f).select('id')).execute()).map((r) => r.id);
    if (ids.length === 0) return [];
    // By primary key alone: the ids come from the organization's query above.
    const rows = await db.selectFrom('users').select(USER_COLUMNS).where('id', 'in', ids).execute();
    const at = new Map(ids.map((id, i) => [id, i]));
    return rows.sort((a, b) => at.get(a.id)! - at.get(b.id)!);
  }
  if (tie === 'rowid') return page(filteredInSortOrder(db, f).select([...USER_COLUMNS, rowKey])).execute();
  if (tie === 'none') return page(filtered(db, f).select([...USER_COLUMNS, rowKey])).execute();
  return page(filtered(db, f).select(USER_COLUMNS)).execute();
}

export async function countUsers(db: Db, f: UserListFilter): Promise<number> {
  const r = await filtered(db, f)
    .select(sql<number>`count(*)`.as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Deletes these users of the organization (their memberships, links and sessions go with them); returns how many. */
export async function deleteUsersByIds(db: Db, organizationId: string, ids: string[]): Promise<number> {
  const counts = await inChunks(ids, 500, async (chunk) => {
    const r = await db
      .deleteFrom('users')
      .where(equalsUnindexed(db, 'organization_id', organizationId))
      .where('id', 'in', chunk)
      .executeTakeFirst();
    return [Number(r.numDeletedRows)];
  });
  return counts.reduce((a, b) => a + b, 0);
}

/** Sets these users' state (and updated_at); returns how many. */
export async function setUsersState(db: Db, organizationId: string, ids: string[], state: UserRow['state'], now: string): Promise<number> {
  const counts = await inChunks(ids, 500, async (chunk) => {
    const r = await db
      .updateTable('users')
      .set({ state, updated_at: now })
      .where(equalsUnindexed(db, 'organization_id', organizationId))
      .where('id', 'in', chunk)
      .executeTakeFirst();
    return [Number(r.numUpdatedRows)];
  });
  return counts.reduce((a, b) => a + b, 0);
}
