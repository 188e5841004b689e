// Many users' profile fields written at once (imports that take the application's values). The rules
// of what may change are the caller's (imports/diff.ts never offers username, password or state); here
// the columns that follow a change (email_lower, search_text, updated_at) and the SQL. Inside a SQLite
// transaction each user is one run of a prepared UPDATE (node:sqlite is synchronous and fast per call);
// on PostgreSQL one UPDATE ... FROM (VALUES ...) per group of users changing the same columns.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { isPostgres } from '../db/pg-client.ts';
import { sqliteConnectionOf } from '../db/sqlite-adapter.ts';
import { searchTextOf } from './users.service.ts';
import type { UserRecord } from './users.repository.ts';

/** Columns an import may write (and its undo set back); never username, password, state or the source. */
export const UPDATABLE_COLUMNS = [
  'email',
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
] as const satisfies readonly (keyof UserRecord)[];
export type UpdatableColumn = (typeof UPDATABLE_COLUMNS)[number];

type WrittenColumn = UpdatableColumn | 'email_lower' | 'search_text' | 'updated_at';
export type UserPatch = Partial<Record<WrittenColumn, string>>;

export interface UserFieldUpdate {
  id: string;
  patch: UserPatch;
}

/** The full patch of a user whose columns change to these values at `now`: the lower-cased email and the search text follow. */
export function fieldUpdate(before: UserRecord, columns: Partial<Record<UpdatableColumn, string>>, now: string): UserFieldUpdate {
  const patch: UserPatch = { ...columns };
  if (columns.email !== undefined) patch.email_lower = columns.email.toLowerCase();
  const after = { ...before, ...patch };
  const search = searchTextOf(after);
  if (search !== before.search_text) patch.search_text = search;
  patch.updated_at = now;
  return { id: before.id, patch };
}

const PG_CHUNK = 1000;

/** Writes every update (all of one organization), in the caller's transaction. */
export async function updateUserFields(db: Db, organizationId: string, updates: UserFieldUpdate[]): Promise<void> {
  const groups = new Map<string, UserFieldUpdate[]>();
  for (const u of updates) {
    const key = Object.keys(u.patch).sort().join(',');
    const group = groups.get(key);
    if (group) group.push(u);
    else groups.set(key, [u]);
  }
  for (const [key, group] of groups) {
    const columns = key.split(',') as WrittenColumn[];
    if (isPostgres(db)) {
      for (let i = 0; i < group.length; i += PG_CHUNK) await updateFromValues(db, organizationId, columns, group.slice(i, i + PG_CHUNK));
    } else await updateEach(db, organizationId, columns, group);
  }
}

/** One prepared statement, run per user (SQLite inside a transaction), or one query per user elsewhere. */
async function updateEach(db: Db, organizationId: string, columns: WrittenColumn[], group: UserFieldUpdate[]): Promise<void> {
  const sqlite = sqliteConnectionOf(db);
  if (sqlite && db.isTransaction) {
    const stmt = sqlite.prepare(
      `update "users" set ${columns.map((c) => `"${c}" = ?`).join(', ')} where "id" = ? and "organization_id" = ?`,
    );
    for (const u of group) stmt.run([...columns.map((c) => u.patch[c]), u.id, organizationId]);
    return;
  }
  for (const u of group) {
    await db.updateTable('users').set(u.patch).where('organization_id', '=', organizationId).where('id', '=', u.id).execute();
  }
}

/** PostgreSQL: UPDATE users ... FROM (VALUES (id, c1, c2, ...), ...). */
async function updateFromValues(db: Db, organizationId: string, columns: WrittenColumn[], group: UserFieldUpdate[]): Promise<void> {
  const names = ['id', ...columns];
  const rows = group.map((u) => sql`(${sql.join([u.id, ...columns.map((c) => u.patch[c])])})`);
  await sql`update users as u set ${sql.join(columns.map((c) => sql`${sql.ref(c)} = v.${sql.ref(c)}`))}
    from (values ${sql.join(rows)}) as v(${sql.join(names.map((n) => sql.ref(n)))})
    where u.id = v.id and u.organization_id = ${organizationId}`.execute(db);
}
