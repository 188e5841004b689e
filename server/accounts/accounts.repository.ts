// All SQL of account registration: activation links, bulk sends and users' portal sessions. The users
// table's password columns belong to the directory (directory/credentials.repository.ts); the two
// joins below only read a user's name and state next to his link or session.
import type { Db } from '../db/database.ts';
import { deleteRows, findRow, updateRows } from '../db/queries.ts';
import type { ActivationEmailBatchesTable, UserActivationTokensTable, UserSessionsTable } from '../db/schema.ts';

// Activation links

export async function insertActivationToken(db: Db, row: UserActivationTokensTable): Promise<void> {
  await db.insertInto('user_activation_tokens').values(row).execute();
}

/** Voids the user's live links (a newer email, or a password set some other way). */
export async function revokeLiveActivationTokens(db: Db, userId: string, at: string): Promise<number> {
  return updateRows(db, 'user_activation_tokens', { user_id: userId, used_at: null, revoked_at: null }, { revoked_at: at });
}

export async function findActivationTokenWithUser(db: Db, tokenHash: string) {
  return db
    .selectFrom('user_activation_tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select([
      't.id',
      't.organization_id',
      't.user_id',
      't.expires_at',
      't.used_at',
      't.revoked_at',
      'u.username',
      'u.email',
      'u.firstname',
      'u.lastname',
      'u.displayname',
      'u.state',
      'u.password_status',
    ])
    .where('t.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/** Marks the link used; false when it was used, voided or expired meanwhile (another request won). */
export async function useActivationToken(db: Db, id: string, at: string): Promise<boolean> {
  const n = await updateRows(db, 'user_activation_tokens', { id, used_at: null, revoked_at: null }, { used_at: at }, (eb) =>
    eb('expires_at', '>', at),
  );
  return n === 1;
}

/** When each of these users was sent a link since `since`, for the per-user rate limit. */
export async function listRecentActivationSends(
  db: Db,
  userIds: string[],
  since: string,
): Promise<Array<{ user_id: string; created_at: string }>> {
  if (userIds.length === 0) return [];
  return db
    .selectFrom('user_activation_tokens')
    .select(['user_id', 'created_at'])
    .where('user_id', 'in', userIds)
    .where('created_at', '>=', since)
    .execute();
}

// Bulk sends

export type BatchRow = ActivationEmailBatchesTable;

export async function insertBatch(db: Db, row: BatchRow): Promise<void> {
  await db.insertInto('activation_email_batches').values(row).execute();
}

export async function findBatch(db: Db, organizationId: string, id: string): Promise<BatchRow | undefined> {
  return findRow(db, 'activation_email_batches', { organization_id: organizationId, id });
}

/** For the job, which knows only the id. */
export async function findBatchById(db: Db, id: string): Promise<BatchRow | undefined> {
  return findRow(db, 'activation_email_batches', { id });
}

export async function updateBatch(db: Db, id: string, patch: Partial<BatchRow>): Promise<void> {
  await updateRows(db, 'activation_email_batches', { id }, patch);
}

// Users' portal sessions

export async function insertUserSession(db: Db, row: UserSessionsTable): Promise<void> {
  await db.insertInto('user_sessions').values(row).execute();
}

export async function findUserSessionWithUser(db: Db, id: string) {
  return db
    .selectFrom('user_sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select([
      's.id',
      's.organization_id',
      's.user_id',
      's.created_at',
      's.last_seen_at',
      's.expires_at',
      'u.username',
      'u.email',
      'u.state',
      'u.password_status',
    ])
    .where('s.id', '=', id)
    .executeTakeFirst();
}

export async function touchUserSession(db: Db, id: string, lastSeenAt: string, expiresAt: string): Promise<void> {
  await updateRows(db, 'user_sessions', { id }, { last_seen_at: lastSeenAt, expires_at: expiresAt });
}

export async function deleteUserSession(db: Db, id: string): Promise<void> {
  await deleteRows(db, 'user_sessions', { id });
}

/** Ends the user's sessions, but the one given (the user who just changed his password stays in). */
export async function deleteUserSessionsOfUser(db: Db, userId: string, exceptId?: string): Promise<void> {
  await deleteRows(db, 'user_sessions', { user_id: userId }, exceptId ? (eb) => eb('id', '!=', exceptId) : undefined);
}

/** Housekeeping at sign-in: sessions nobody came back to are otherwise never read again. */
export async function deleteExpiredUserSessionsOf(db: Db, userId: string, now: string): Promise<void> {
  await db.deleteFrom('user_sessions').where('user_id', '=', userId).where('expires_at', '<', now).execute();
}

/**
 * The purge job's part: user sessions past their expiry or absolute lifetime, and activation links
 * that ended (used, voided or expired) before `linksEndedBefore` (kept a while for the rate limits and
 * for support questions). Returns how many of each.
 */
export async function purgeExpiredAccounts(
  db: Db,
  now: string,
  createdBefore: string,
  linksEndedBefore: string,
): Promise<{ userSessions: number; activationLinks: number }> {
  const s = await db
    .deleteFrom('user_sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('created_at', '<', createdBefore)]))
    .executeTakeFirst();
  const l = await db
    .deleteFrom('user_activation_tokens')
    .where((eb) =>
      eb.or([eb('expires_at', '<', linksEndedBefore), eb('used_at', '<', linksEndedBefore), eb('revoked_at', '<', linksEndedBefore)]),
    )
    .executeTakeFirst();
  return { userSessions: Number(s.numDeletedRows), activationLinks: Number(l.numDeletedRows) };
}
