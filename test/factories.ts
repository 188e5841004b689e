// Test data helpers. Users are inserted as rows so suites don't depend on the users service.
import { sql } from 'kysely';
import type { ApplicationContext } from '../server/applications/index.ts';
import type { Db } from '../server/db/database.ts';
import type { DB, UsersTable } from '../server/db/schema.ts';
import { DEFAULT_ORGANIZATION_ID } from '../server/shared/actor.ts';
import { newId } from '../server/shared/ids.ts';
import type { Deps } from '../server/deps.ts';

/** A users row for `username`: active, no password, every optional attribute empty. */
export function userRow(username: string, over: Partial<UsersTable> = {}): UsersTable {
  const now = new Date().toISOString();
  const email = `${username.toLowerCase()}@example.com`;
  return {
    id: newId(),
    organization_id: DEFAULT_ORGANIZATION_ID,
    username,
    username_lower: username.toLowerCase(),
    email,
    email_lower: email,
    firstname: 'First',
    middlename: '',
    lastname: username,
    displayname: `First ${username}`,
    job_title: '',
    department: '',
    cost_center: '',
    employee_type: '',
    employee_identifier: '',
    organization: '',
    source_scim_source_id: null,
    addresses: '[]',
    phone_numbers: '[]',
    state: 'ACTIVE',
    password_status: 'PENDING',
    password_hash: null,
    source_type: null,
    source_application_id: null,
    source_import_run_id: null,
    search_text: `${username} ${email} first ${username}`.toLowerCase(),
    created_at: now,
    updated_at: now,
    ...over,
  };
}

export async function insertUser(db: Db, username: string, over: Partial<UsersTable> = {}): Promise<string> {
  const row = userRow(username, over);
  await db.insertInto('users').values(row).execute();
  return row.id;
}

/** The context services take, from a test app's deps, on its database or the given transaction. */
export function ctxOf(t: { deps: Pick<Deps, 'database' | 'clock' | 'changes'> }, db: Db = t.deps.database.db): ApplicationContext {
  return { db, clock: t.deps.clock, changes: t.deps.changes };
}

export async function countRows(db: Db, table: keyof DB): Promise<number> {
  const r = await db
    .selectFrom(table)
    .select(sql<number>`count(*)`.as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The rows of a table and the Insights events: a refused request changes neither. */
export async function rowsAndEvents(db: Db, table: keyof DB): Promise<{ rows: number; events: number }> {
  return { rows: await countRows(db, table), events: await countRows(db, 'insight_events') };
}

/** Follows nextCursor until the end, returning every page's items in order. */
export async function collectPages<T>(
  fetchPage: (cursor: string | null) => Promise<{ items: T[]; nextCursor: string | null }>,
): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | null = null;
  do {
    const page = await fetchPage(cursor);
    pages.push(page.items);
    cursor = page.nextCursor;
    if (pages.length > 1000) throw new Error('paging does not end');
  } while (cursor);
  return pages;
}
