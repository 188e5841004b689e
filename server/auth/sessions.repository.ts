import type { Db } from '../db/database.ts';
import { deleteRows, findRow, updateRows } from '../db/queries.ts';
import type { AdminSessionsTable, ApiKeysTable } from '../db/schema.ts';

export async function insertSession(db: Db, row: AdminSessionsTable): Promise<void> {
  await db.insertInto('admin_sessions').values(row).execute();
}

export async function findSessionWithAdmin(db: Db, id: string) {
  return db
    .selectFrom('admin_sessions as s')
    .innerJoin('admins as a', 'a.id', 's.admin_id')
    .innerJoin('organizations as o', 'o.id', 's.organization_id')
    .leftJoin('admin_mfa as m', 'm.admin_id', 's.admin_id')
    .select([
      's.id',
      's.organization_id',
      's.admin_id',
      's.csrf_token',
      's.created_at',
      's.last_seen_at',
      's.expires_at',
      'a.email as admin_email',
      'a.role as admin_role',
      'o.require_admin_mfa',
      'm.enabled_at as mfa_enabled_at',
    ])
    .where('s.id', '=', id)
    .executeTakeFirst();
}

export async function touchSession(db: Db, id: string, lastSeenAt: string, expiresAt: string): Promise<void> {
  await updateRows(db, 'admin_sessions', { id }, { last_seen_at: lastSeenAt, expires_at: expiresAt });
}

export async function deleteSession(db: Db, id: string): Promise<void> {
  await deleteRows(db, 'admin_sessions', { id });
}

/** Ends the admin's sessions, but the one given (an admin who just changed his password stays in). */
export async function deleteSessionsOfAdmin(db: Db, adminId: string, exceptId?: string): Promise<void> {
  await deleteRows(db, 'admin_sessions', { admin_id: adminId }, exceptId ? (eb) => eb('id', '!=', exceptId) : undefined);
}

export async function insertApiKey(db: Db, row: ApiKeysTable): Promise<void> {
  await db.insertInto('api_keys').values(row).execute();
}

export async function findApiKeyByHash(db: Db, keyHash: string): Promise<ApiKeysTable | undefined> {
  return findRow(db, 'api_keys', { key_hash: keyHash });
}

export async function findApiKey(db: Db, organizationId: string, id: string): Promise<ApiKeysTable | undefined> {
  return findRow(db, 'api_keys', { organization_id: organizationId, id });
}

export async function listApiKeys(db: Db, organizationId: string): Promise<ApiKeysTable[]> {
  return db.selectFrom('api_keys').selectAll().where('organization_id', '=', organizationId).orderBy('created_at', 'desc').execute();
}

export async function deleteApiKey(db: Db, organizationId: string, id: string): Promise<number> {
  return deleteRows(db, 'api_keys', { organization_id: organizationId, id });
}

/** Deletes the keys an admin created and returns them (name and id, for the Insights events). */
export async function deleteApiKeysCreatedBy(db: Db, organizationId: string, adminId: string): Promise<{ id: string; name: string }[]> {
  return db
    .deleteFrom('api_keys')
    .where('organization_id', '=', organizationId)
    .where('created_by_admin_id', '=', adminId)
    .returning(['id', 'name'])
    .execute();
}

export async function touchApiKey(db: Db, id: string, at: string): Promise<void> {
  await updateRows(db, 'api_keys', { id }, { last_used_at: at });
}

/**
 * Removes what can no longer be used: sessions past their expiry or their absolute lifetime (created
 * before `createdBefore`), setup tokens used or expired, MFA sign-in challenges past their expiry,
 * and login counters whose window and lock have both run out (`windowBefore`). Returns how many rows
 * of each.
 */
export async function purgeExpired(
  db: Db,
  now: string,
  createdBefore: string,
  windowBefore: string,
): Promise<{ sessions: number; setupTokens: number; loginThrottle: number; mfaChallenges: number }> {
  const sessions = await db
    .deleteFrom('admin_sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('created_at', '<', createdBefore)]))
    .executeTakeFirst();
  const setupTokens = await db
    .deleteFrom('setup_tokens')
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('used_at', 'is not', null)]))
    .executeTakeFirst();
  const loginThrottle = await db
    .deleteFrom('login_throttle')
    .where('window_started_at', '<', windowBefore)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .executeTakeFirst();
  const mfaChallenges = await db.deleteFrom('admin_mfa_challenges').where('expires_at', '<=', now).executeTakeFirst();
  return {
    sessions: Number(sessions.numDeletedRows),
    setupTokens: Number(setupTokens.numDeletedRows),
    loginThrottle: Number(loginThrottle.numDeletedRows),
    mfaChallenges: Number(mfaChallenges.numDeletedRows),
  };
}
