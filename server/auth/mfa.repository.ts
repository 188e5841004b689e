import type { Db } from '../db/database.ts';
import { deleteRows, findColumns, findRow, updateRows } from '../db/queries.ts';
import type { Selectable } from 'kysely';
import type { AdminMfaChallengesTable, AdminMfaTable } from '../db/schema.ts';

export async function findMfa(db: Db, organizationId: string, adminId: string): Promise<AdminMfaTable | undefined> {
  return findRow(db, 'admin_mfa', { organization_id: organizationId, admin_id: adminId });
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
  await updateRows(db, 'admin_mfa', { admin_id: adminId }, { enabled_at: enabledAt });
}

/**
 * Records a TOTP step as used, only if it comes after the last one: of two requests with the same
 * code, one wins. Returns whether this one did.
 */
export async function useStep(db: Db, adminId: string, step: number): Promise<boolean> {
  const n = await updateRows(db, 'admin_mfa', { admin_id: adminId }, { last_used_step: step }, (eb) =>
    eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', step)]),
  );
  return n === 1;
}

/** Replaces the recovery codes only if they are still what the caller read (a code is used once). */
export async function replaceRecoveryCodes(db: Db, adminId: string, before: string, after: string): Promise<boolean> {
  return (await updateRows(db, 'admin_mfa', { admin_id: adminId, recovery_code_hashes: before }, { recovery_code_hashes: after })) === 1;
}

export async function deleteMfa(db: Db, adminId: string): Promise<number> {
  return deleteRows(db, 'admin_mfa', { admin_id: adminId });
}

export async function insertChallenge(db: Db, row: Omit<AdminMfaChallengesTable, 'attempts'>): Promise<void> {
  await db.insertInto('admin_mfa_challenges').values(row).execute();
}

export async function findChallenge(db: Db, id: string): Promise<Selectable<AdminMfaChallengesTable> | undefined> {
  return findRow(db, 'admin_mfa_challenges', { id });
}

export async function countChallengeAttempt(db: Db, id: string): Promise<void> {
  await db
    .updateTable('admin_mfa_challenges')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .execute();
}

export async function deleteChallenge(db: Db, id: string): Promise<void> {
  await deleteRows(db, 'admin_mfa_challenges', { id });
}

export async function deleteChallengesOf(db: Db, adminId: string): Promise<void> {
  await deleteRows(db, 'admin_mfa_challenges', { admin_id: adminId });
}

export async function getRequireAdminMfa(db: Db, organizationId: string): Promise<boolean> {
  const row = await findColumns(db, 'organizations', ['require_admin_mfa'], { id: organizationId });
  return Boolean(row?.require_admin_mfa);
}

export async function setRequireAdminMfa(db: Db, organizationId: string, value: boolean): Promise<void> {
  await updateRows(db, 'organizations', { id: organizationId }, { require_admin_mfa: value ? 1 : 0 });
}
