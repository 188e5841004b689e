// SQL of user accounts in applications: what Roster pushed (provisioning_users) and the directory
// rows a sync reads. The links (app_user_links) belong to integrations: read and written through
// its links repository.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { inApplicationScope, membersOfBoundGroups } from '../applications/index.ts';
import { deleteRows, inChunks, rowsWhere, updateRows } from '../db/queries.ts';
import type { ProvisioningUsersTable, UsersTable } from '../db/schema.ts';
import { findUsersByIds } from '../directory/index.ts';
import { links as linksRepo, type LinkRow } from '../integrations/index.ts';

export type AccountRow = ProvisioningUsersTable;
export type { LinkRow };
export type DirectoryUserRow = Omit<
  UsersTable,
  'password_hash' | 'search_text' | 'password_status' | 'source_type' | 'source_application_id' | 'source_import_run_id'
>;

const CHUNK = 400;

/** The directory's rows of these users (read through the directory, which owns the table). */
export async function findDirectoryUsers(db: Db, organizationId: string, ids: string[]): Promise<DirectoryUserRow[]> {
  return findUsersByIds(db, organizationId, ids);
}

/** Which of the users are members of a group bound to the application. */
export async function findUsersInScope(db: Db, applicationId: string, ids: string[]): Promise<Set<string>> {
  const rows = await inChunks(ids, CHUNK, (chunk) =>
    membersOfBoundGroups(db)
      .select('m.user_id')
      .distinct()
      .where('ag.application_id', '=', applicationId)
      .where('m.user_id', 'in', chunk)
      .execute(),
  );
  return new Set(rows.map((r) => r.user_id));
}

/** The row of an account Roster is about to push: pending, nothing pushed, nobody working on it. */
export function pendingAccount(applicationId: string, organizationId: string, userId: string, userName: string, now: string): AccountRow {
  return {
    application_id: applicationId,
    organization_id: organizationId,
    user_id: userId,
    user_name: userName,
    remote_id: null,
    pushed_attributes: null,
    pushed_active: null,
    status: 'pending',
    last_operation: null,
    last_error: null,
    attempts: 0,
    next_attempt_at: null,
    claimed_by: null,
    claimed_until: null,
    last_synced_at: null,
    updated_at: now,
  };
}

export async function findAccounts(db: Db, applicationId: string, userIds: string[]): Promise<AccountRow[]> {
  return inChunks(userIds, CHUNK, (chunk) =>
    rowsWhere(db, 'provisioning_users', { application_id: applicationId, user_id: chunk }).selectAll().execute(),
  );
}

/** Every remote id Roster knows in the application (links and managed accounts), for drift checks. */
export async function listKnownRemoteIds(db: Db, applicationId: string): Promise<Set<string>> {
  const links = await linksRepo.listLinkedRemoteIds(db, applicationId);
  const accounts = await rowsWhere(db, 'provisioning_users', { application_id: applicationId })
    .select('remote_id')
    .where('remote_id', 'is not', null)
    .execute();
  return new Set([...links.map((r) => r.remote_id), ...accounts.map((r) => r.remote_id as string)]);
}

/** Managed accounts whose user is no longer a member of any bound group (or no longer exists), by user id. */
export async function listAccountsOutOfScope(db: Db, applicationId: string, limit: number, afterId?: string): Promise<string[]> {
  let q = db
    .selectFrom('provisioning_users as p')
    .select('p.user_id')
    .where('p.application_id', '=', applicationId)
    .where((eb) => eb.not(inApplicationScope(eb, eb.val(applicationId), eb.ref('p.user_id'))));
  if (afterId) q = q.where('p.user_id', '>', afterId);
  const rows = await q.orderBy('p.user_id').limit(limit).execute();
  return rows.map((r) => r.user_id);
}

/** Accounts Roster keeps active in the application: the base of the guardrail. */
export async function countActiveAccounts(db: Db, applicationId: string): Promise<number> {
  const r = await db
    .selectFrom('provisioning_users')
    .select(sql<number>`count(*)`.as('n'))
    .where('application_id', '=', applicationId)
    .where('remote_id', 'is not', null)
    .where((eb) => eb.or([eb('pushed_active', 'is', null), eb('pushed_active', '=', 1)]))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Failed operations whose retry is due, oldest first. Orphaned accounts wait for a change or an admin. */
export async function listDueFailures(db: Db, applicationId: string, now: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('provisioning_users')
    .select('user_id')
    .where('application_id', '=', applicationId)
    .where('status', '=', 'failed')
    .where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', now)]))
    .orderBy('next_attempt_at')
    .limit(limit)
    .execute();
  return rows.map((r) => r.user_id);
}

export async function listProblemAccounts(db: Db, applicationId: string, limit: number): Promise<AccountRow[]> {
  return rowsWhere(db, 'provisioning_users', { application_id: applicationId, status: ['failed', 'orphaned'] })
    .selectAll()
    .orderBy('updated_at', 'desc')
    .limit(limit)
    .execute();
}

export async function countProblemAccounts(db: Db, applicationId: string): Promise<number> {
  const r = await db
    .selectFrom('provisioning_users')
    .select(sql<number>`count(*)`.as('n'))
    .where('application_id', '=', applicationId)
    .where('status', 'in', ['failed', 'orphaned'])
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Rows for users a sync is about to work on (new ones start 'pending' with no remote account). */
export async function insertMissingAccounts(db: Db, rows: AccountRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    await db
      .insertInto('provisioning_users')
      .values(rows.slice(i, i + 200))
      .onConflict((oc) => oc.columns(['application_id', 'user_id']).doNothing())
      .execute();
  }
}

/** Claims the users that nobody else holds; returns those now held by `owner`. */
export async function claimAccounts(
  db: Db,
  applicationId: string,
  userIds: string[],
  owner: string,
  now: string,
  until: string,
): Promise<Set<string>> {
  const rows = await inChunks(userIds, CHUNK, (chunk) =>
    db
      .updateTable('provisioning_users')
      .set({ claimed_by: owner, claimed_until: until })
      .where('application_id', '=', applicationId)
      .where('user_id', 'in', chunk)
      .where((eb) => eb.or([eb('claimed_by', 'is', null), eb('claimed_by', '=', owner), eb('claimed_until', '<', now)]))
      .returning('user_id')
      .execute(),
  );
  return new Set(rows.map((r) => r.user_id));
}

/** Claims of a one-user sync (`syncUserNow`) carry this prefix; a sync's claims carry its lock owner. */
export const USER_SYNC_CLAIM_PREFIX = 'user-sync:';

/**
 * Releases the claims of earlier syncs of the application, called by the sync that has just taken its
 * lock: only the lock holder runs a sync, so claims left by another sync belong to one that died (or
 * lost its database) before it could release them. One-user syncs' claims stay.
 */
export async function releaseClaimsOfOtherSyncs(db: Db, applicationId: string, owner: string): Promise<number> {
  const r = await db
    .updateTable('provisioning_users')
    .set({ claimed_by: null, claimed_until: null })
    .where('application_id', '=', applicationId)
    .where('claimed_by', 'is not', null)
    .where('claimed_by', '!=', owner)
    .where('claimed_by', 'not like', `${USER_SYNC_CLAIM_PREFIX}%`)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function releaseClaims(db: Db, applicationId: string, owner: string): Promise<void> {
  await updateRows(
    db,
    'provisioning_users',
    { application_id: applicationId, claimed_by: owner },
    { claimed_by: null, claimed_until: null },
  );
}

export async function updateAccount(db: Db, applicationId: string, userId: string, patch: Partial<AccountRow>): Promise<void> {
  await updateRows(db, 'provisioning_users', { application_id: applicationId, user_id: userId }, patch);
}

export async function deleteAccount(db: Db, applicationId: string, userId: string): Promise<void> {
  await deleteRows(db, 'provisioning_users', { application_id: applicationId, user_id: userId });
}
