import type { Db } from '../db/database.ts';
import type { Selectable } from 'kysely';
import type { AdminMfaChallengesTable, AdminMfaTable } from '../db/schema.ts';

export async function findMfa(db: Db, organizationId: string, adminId: string): Promise<AdminMfaTable | undefined> {
  return db
    .selectFrom('admin_mfa')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('admin_id', '=', adminId)
    .executeTakeFirst();
}

/** A new enrolment replaces one that was never confirmed. */
export async function upsertPendingMfa(db: Db, row: AdminMfaTable): Promise<void> {
  await db
    .insertInto('admin_mfa')
    .values(row)
    .onConflict((oc) =>
      oc
        .column('admin_id')
        .doUpdateSet({
          secret_enc: row.secret_enc,
          recovery_code_hashes: row.recovery_code_hashes,
          last_used_step: null,
          created_at: row.created_at,
          enabled_at: null,
        })
        // Never over a confirmed factor (a second enrolment racing the first one's confirmation).
        .where('admin_mfa.enabled_at', 'is', null),
    )
    .execute();
}

export async function enableMfa(db: Db, adminId: string, enabledAt: string): Promise<void> {
  await db.updateTable('admin_mfa').set({ enabled_at: enabledAt }).where('admin_id', '=', adminId).execute();
}

/**
 * Records a TOTP step as used, only if it comes after the last one: of two requests with the same
 * code, one wins. Returns whether this one did.
 */
export async function useStep(db: Db, adminId: string, step: number): Promise<boolean> {
  const r = await db
    .updateTable('admin_mfa')
    .set({ last_used_step: step })
    .where('admin_id', '=', adminId)
    .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', step)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Replaces the recovery codes only if they are still what the caller read (a code is used once). */
export async function replaceRecoveryCodes(db: Db, adminId: string, before: string, after: string): Promise<boolean> {
  const r = await db
    .updateTable('admin_mfa')
    .set({ recovery_code_hashes: after })
    .where('admin_id', '=', adminId)
    .where('recovery_code_hashes', '=', before)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function deleteMfa(db: Db, adminId: string): Promise<number> {
  const r = await db.deleteFrom('admin_mfa').where('admin_id', '=', adminId).executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function insertChallenge(db: Db, row: Omit<AdminMfaChallengesTable, 'attempts'>): Promise<void> {
  await db.insertInto('admin_mfa_challenges').values(row).execute();
}

export async function findChallenge(db: Db, id: string): Promise<Selectable<AdminMfaChallengesTable> | undefined> {
  return db.selectFrom('admin_mfa_challenges').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function countChallengeAttempt(db: Db, id: string): Promise<void> {
  await db
    .updateTable('admin_mfa_challenges')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .execute();
}

export async function deleteChallenge(db: Db, id: string): Promise<void> {
  await db.deleteFrom('admin_mfa_challenges').where('id', '=', id).execute();
}

export async function deleteChallengesOf(db: Db, adminId: string): Promise<void> {
  await db.deleteFrom('admin_mfa_challenges').where('admin_id', '=', adminId).execute();
}

export async function getRequireAdminMfa(db: Db, organizationId: string): Promise<boolean> {
  const row = await db.selectFrom('organizations').select('require_admin_mfa').where('id', '=', organizationId).executeTakeFirst();
  return Boolean(row?.require_admin_mfa);
}

export async function setRequireAdminMfa(db: Db, organizationId: string, value: boolean): Promise<void> {
  await db
    .updateTable('organizations')
    .set({ require_admin_mfa: value ? 1 : 0 })
    .where('id', '=', organizationId)
    .execute();
}
