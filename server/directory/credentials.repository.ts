// The users table's sign-in side: the password hash and status, read and written for account
// registration and user sign-in (server/accounts). The directory owns the users table, so its SQL is
// here; accounts reaches it through directory/index.ts.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { findColumns, searchTextLike, updateRows, type SearchFilter } from '../db/queries.ts';
import type { UsersTable } from '../db/schema.ts';
import { USER_COLUMNS, type UserRecord } from './users.repository.ts';

const WITH_HASH = [...USER_COLUMNS, 'password_hash'] as const;
export type UserWithHash = UserRecord & Pick<UsersTable, 'password_hash'>;

export async function findUserWithHash(db: Db, organizationId: string, id: string): Promise<UserWithHash | undefined> {
  return findColumns(db, 'users', WITH_HASH, { organization_id: organizationId, id });
}

/** By username, else by email (both lower-cased): two lookups, each on its unique index. */
export async function findUserByLogin(db: Db, organizationId: string, loginLower: string): Promise<UserWithHash | undefined> {
  for (const col of ['username_lower', 'email_lower'] as const) {
    const row = await findColumns(db, 'users', WITH_HASH, { organization_id: organizationId, [col]: loginLower });
    if (row) return row;
  }
  return undefined;
}

/** The user's own password, set: his password status becomes ACTIVE. */
export async function setUserPassword(db: Db, organizationId: string, id: string, passwordHash: string, at: string): Promise<number> {
  return updateRows(
    db,
    'users',
    { organization_id: organizationId, id },
    { password_hash: passwordHash, password_status: 'ACTIVE', updated_at: at },
  );
}

/** Same password, stronger hash (at sign-in): nothing the user or an application can see changes. */
export async function replacePasswordHash(db: Db, id: string, passwordHash: string): Promise<void> {
  await updateRows(db, 'users', { id }, { password_hash: passwordHash });
}

/** Users by id, in id order (a bulk activation send goes through them in that order). */
export async function listUsersInIdOrder(db: Db, organizationId: string, ids: string[]): Promise<UserRecord[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('users')
    .select(USER_COLUMNS)
    .where('organization_id', '=', organizationId)
    .where('id', 'in', ids)
    .orderBy('id')
    .execute();
}

export interface PasswordStatusFilter extends SearchFilter {
  organizationId: string;
  passwordStatus: UsersTable['password_status'];
  state?: UsersTable['state'];
}

function byPasswordStatus(db: Db, f: PasswordStatusFilter) {
  let q = db.selectFrom('users').where('organization_id', '=', f.organizationId).where('password_status', '=', f.passwordStatus);
  if (f.state) q = q.where('state', '=', f.state);
  if (f.searchPattern) q = q.where(searchTextLike(f.searchPattern));
  return q;
}

/** In id order after `afterId`, so a bulk send can go on where it stopped. */
export async function listUsersByPasswordStatus(
  db: Db,
  f: PasswordStatusFilter,
  afterId: string | null,
  limit: number,
): Promise<UserRecord[]> {
  let q = byPasswordStatus(db, f).select(USER_COLUMNS);
  if (afterId !== null) q = q.where('id', '>', afterId);
  return q.orderBy('id').limit(limit).execute();
}

export async function countUsersByPasswordStatus(db: Db, f: PasswordStatusFilter): Promise<number> {
  const r = await byPasswordStatus(db, f)
    .select(sql<number>`count(*)`.as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
