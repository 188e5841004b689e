import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { deleteRows, findRow, updateRows } from '../db/queries.ts';
import type { AdminsTable, LoginThrottleTable, SetupTokensTable } from '../db/schema.ts';

export type AdminRow = Omit<AdminsTable, 'name'> & { name: string };
/** An admin as read back: with when his MFA was enabled (null: none, or an enrolment not confirmed). */
export type AdminRecord = AdminRow & { mfa_enabled_at: string | null };

const selectAdmins = (db: Db) =>
  db
    .selectFrom('admins')
    .leftJoin('admin_mfa', 'admin_mfa.admin_id', 'admins.id')
    .selectAll('admins')
    .select('admin_mfa.enabled_at as mfa_enabled_at');

export async function insertAdmin(db: Db, row: AdminRow): Promise<void> {
  await db.insertInto('admins').values(row).execute();
}

export async function findAdminById(db: Db, organizationId: string, id: string): Promise<AdminRecord | undefined> {
  return selectAdmins(db).where('admins.organization_id', '=', organizationId).where('admins.id', '=', id).executeTakeFirst();
}

export async function findAdminByEmail(db: Db, organizationId: string, emailLower: string): Promise<AdminRecord | undefined> {
  return selectAdmins(db)
    .where('admins.organization_id', '=', organizationId)
    .where('admins.email_lower', '=', emailLower)
    .executeTakeFirst();
}

/** The admin another admin or the CLI names: by id, or by email (any case). */
export async function findTargetAdmin(
  db: Db,
  organizationId: string,
  target: { id?: string; email?: string },
): Promise<AdminRecord | undefined> {
  return target.id
    ? findAdminById(db, organizationId, target.id)
    : findAdminByEmail(db, organizationId, (target.email ?? '').trim().toLowerCase());
}

export async function listAdmins(db: Db, organizationId: string): Promise<AdminRecord[]> {
  return selectAdmins(db).where('admins.organization_id', '=', organizationId).orderBy('admins.email_lower').execute();
}

export async function countAdmins(db: Db, organizationId: string, role?: 'admin' | 'read_only'): Promise<number> {
  let q = db
    .selectFrom('admins')
    .select(sql<number>`count(*)`.as('n'))
    .where('organization_id', '=', organizationId);
  if (role) q = q.where('role', '=', role);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

export async function updateAdmin(db: Db, organizationId: string, id: string, patch: Partial<AdminRow>): Promise<void> {
  await updateRows(db, 'admins', { organization_id: organizationId, id }, patch);
}

export async function deleteAdmin(db: Db, organizationId: string, id: string): Promise<number> {
  return deleteRows(db, 'admins', { organization_id: organizationId, id });
}

export async function findThrottle(db: Db, organizationId: string, key: string): Promise<LoginThrottleTable | undefined> {
  return findRow(db, 'login_throttle', { organization_id: organizationId, key });
}

export async function upsertThrottle(db: Db, row: LoginThrottleTable): Promise<void> {
  await db
    .insertInto('login_throttle')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['organization_id', 'key']).doUpdateSet({
        failures: row.failures,
        window_started_at: row.window_started_at,
        locked_until: row.locked_until,
      }),
    )
    .execute();
}

export async function deleteThrottle(db: Db, organizationId: string, key: string): Promise<void> {
  await deleteRows(db, 'login_throttle', { organization_id: organizationId, key });
}

export async function insertSetupToken(db: Db, row: SetupTokensTable): Promise<void> {
  await db.insertInto('setup_tokens').values(row).execute();
}

export async function findSetupToken(db: Db, tokenHash: string): Promise<SetupTokensTable | undefined> {
  return findRow(db, 'setup_tokens', { token_hash: tokenHash });
}

/** Marks the token used; returns false when another request used it first. */
export async function useSetupToken(db: Db, id: string, at: string): Promise<boolean> {
  return (await updateRows(db, 'setup_tokens', { id, used_at: null }, { used_at: at })) === 1;
}
