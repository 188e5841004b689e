// SQL of the per-application provisioning state: the lock, owed work (hints, full reconciles), the
// guardrail pause and sync runs, and which applications a change concerns.
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { Db } from '../db/database.ts';
import { inApplicationScope, membersOfBoundGroups } from '../applications/index.ts';
import { countByColumn, deleteRows, existsRow, findRow, hasRow, rowsWhere, updateRows } from '../db/queries.ts';
import type { DB, ProvisioningHintsTable, ProvisioningStateTable, ProvisioningSyncsTable } from '../db/schema.ts';

export type StateRow = ProvisioningStateTable;
export type HintRow = ProvisioningHintsTable;
export type SyncRow = ProvisioningSyncsTable;

const ACTIVE = ['active', 'error'] as const;

// ---- which applications a change concerns (only those whose integration is active) ----------------

type IntegrationScope = ExpressionBuilder<DB & { i: DB['idm_integrations'] }, 'i'>;

/** The applications with an active integration that the condition says the change concerns. */
async function activeApplicationsWhere(
  db: Db,
  organizationId: string,
  concerns: (eb: IntegrationScope) => Expression<SqlBool>,
): Promise<string[]> {
  const rows = await db
    .selectFrom('idm_integrations as i')
    .select('i.application_id')
    .where('i.organization_id', '=', organizationId)
    .where('i.status', 'in', ACTIVE)
    .where(concerns)
    .execute();
  return rows.map((r) => r.application_id);
}

/** Applications where the user is in a bound group, or that manage an account of his. */
export async function activeApplicationsOfUser(db: Db, organizationId: string, userId: string): Promise<string[]> {
  return activeApplicationsWhere(db, organizationId, (eb) =>
    eb.or([
      inApplicationScope(eb, eb.ref('i.application_id'), eb.val(userId)),
      existsRow(eb, 'provisioning_users', { application_id: eb.ref('i.application_id'), user_id: userId }),
      existsRow(eb, 'app_user_links', { application_id: eb.ref('i.application_id'), user_id: userId }),
    ]),
  );
}

/**
 * Of these users, each (application, user) a change concerns, for the applications whose integration is
 * active: the user is in a bound group, pushed to it, or linked in it (activeApplicationsOfUser, by sets).
 */
export async function activeApplicationsOfUsers(
  db: Db,
  organizationId: string,
  userIds: string[],
): Promise<Array<{ application_id: string; user_id: string }>> {
  const apps = (
    await rowsWhere(db, 'idm_integrations', { organization_id: organizationId, status: [...ACTIVE] })
      .select('application_id')
      .execute()
  ).map((r) => r.application_id);
  if (apps.length === 0 || userIds.length === 0) return [];
  const pairs = new Map<string, { application_id: string; user_id: string }>();
  for (let i = 0; i < userIds.length; i += 500) {
    const chunk = userIds.slice(i, i + 500);
    const found = [
      ...(await membersOfBoundGroups(db)
        .select(['ag.application_id', 'm.user_id'])
        .where('ag.application_id', 'in', apps)
        .where('m.user_id', 'in', chunk)
        .execute()),
      ...(await rowsWhere(db, 'provisioning_users', { application_id: apps, user_id: chunk })
        .select(['application_id', 'user_id'])
        .execute()),
      ...(await rowsWhere(db, 'app_user_links', { application_id: apps, user_id: chunk }).select(['application_id', 'user_id']).execute()),
    ];
    for (const p of found) pairs.set(`${p.application_id} ${p.user_id}`, p);
  }
  return [...pairs.values()];
}

/** Applications the group is bound to or pushed to. */
export async function activeApplicationsOfGroup(db: Db, organizationId: string, groupId: string): Promise<string[]> {
  return activeApplicationsWhere(db, organizationId, (eb) =>
    eb.or([
      existsRow(eb, 'application_groups', { application_id: eb.ref('i.application_id'), group_id: groupId }),
      existsRow(eb, 'app_group_links', { application_id: eb.ref('i.application_id'), group_id: groupId }),
    ]),
  );
}

export async function isIntegrationActive(db: Db, organizationId: string, applicationId: string): Promise<boolean> {
  return hasRow(db, 'idm_integrations', { organization_id: organizationId, application_id: applicationId, status: ACTIVE });
}

export async function listActiveApplicationIds(db: Db): Promise<Array<{ applicationId: string; organizationId: string }>> {
  const rows = await db
    .selectFrom('idm_integrations')
    .select(['application_id', 'organization_id'])
    .where('status', 'in', ACTIVE)
    .execute();
  return rows.map((r) => ({ applicationId: r.application_id, organizationId: r.organization_id }));
}

// ---- hints ---------------------------------------------------------------------------------------

export async function upsertHints(db: Db, rows: HintRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto('provisioning_hints')
      .values(rows.slice(i, i + 500))
      .onConflict((oc) => oc.columns(['application_id', 'kind', 'item_id']).doUpdateSet((eb) => ({ token: eb.ref('excluded.token') })))
      .execute();
  }
}

export async function listHints(db: Db, applicationId: string, limit: number): Promise<HintRow[]> {
  return rowsWhere(db, 'provisioning_hints', { application_id: applicationId })
    .selectAll()
    .orderBy('created_at')
    .orderBy('item_id')
    .limit(limit)
    .execute();
}

export async function countHints(db: Db, applicationId: string): Promise<{ users: number; groups: number }> {
  const n = await countByColumn(db, 'provisioning_hints', 'kind', { application_id: applicationId });
  return { users: n.get('user') ?? 0, groups: n.get('group') ?? 0 };
}

/** Deletes hints that still carry the token that was read: a hint renewed meanwhile stays. */
export async function deleteHints(db: Db, applicationId: string, hints: Pick<HintRow, 'kind' | 'item_id' | 'token'>[]): Promise<void> {
  for (let i = 0; i < hints.length; i += 300) {
    const chunk = hints.slice(i, i + 300);
    await db
      .deleteFrom('provisioning_hints')
      .where('application_id', '=', applicationId)
      .where(
        'token',
        'in',
        chunk.map((h) => h.token),
      )
      .execute();
  }
}

export async function deleteAllHints(db: Db, applicationId: string): Promise<HintRow[]> {
  const rows = await rowsWhere(db, 'provisioning_hints', { application_id: applicationId }).selectAll().execute();
  await deleteRows(db, 'provisioning_hints', { application_id: applicationId });
  return rows;
}

// ---- state row -----------------------------------------------------------------------------------

export async function ensureState(db: Db, organizationId: string, applicationId: string, now: string): Promise<void> {
  await db
    .insertInto('provisioning_state')
    .values({
      application_id: applicationId,
      organization_id: organizationId,
      full_token: null,
      next_full_at: null,
      lock_owner: null,
      lock_until: null,
      pause: null,
      paused_at: null,
      confirmed_count: null,
      update_mode: null,
      last_sync_id: null,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('application_id').doNothing())
    .execute();
}

export async function findState(db: Db, applicationId: string): Promise<StateRow | undefined> {
  return findRow(db, 'provisioning_state', { application_id: applicationId });
}

export async function updateState(db: Db, applicationId: string, patch: Partial<StateRow>): Promise<void> {
  await updateRows(db, 'provisioning_state', { application_id: applicationId }, patch);
}

/** Clears the owed full reconcile only if nobody asked for another one since `token` was read. */
export async function clearFullToken(db: Db, applicationId: string, token: string): Promise<void> {
  await updateRows(db, 'provisioning_state', { application_id: applicationId, full_token: token }, { full_token: null });
}

/** Takes the application's lock when it is free or its holder stopped renewing it. */
export async function acquireLock(db: Db, applicationId: string, owner: string, now: string, until: string): Promise<boolean> {
  const n = await updateRows(db, 'provisioning_state', { application_id: applicationId }, { lock_owner: owner, lock_until: until }, (eb) =>
    eb.or([eb('lock_owner', 'is', null), eb('lock_until', '<', now)]),
  );
  return n === 1;
}

export async function renewLock(db: Db, applicationId: string, owner: string, until: string): Promise<boolean> {
  return (await updateRows(db, 'provisioning_state', { application_id: applicationId, lock_owner: owner }, { lock_until: until })) === 1;
}

export async function releaseLock(db: Db, applicationId: string, owner: string): Promise<void> {
  await updateRows(db, 'provisioning_state', { application_id: applicationId, lock_owner: owner }, { lock_owner: null, lock_until: null });
}

// ---- sync runs -----------------------------------------------------------------------------------

/** A sync's row as it starts: nothing processed yet, started now when it runs at once. */
export function newSyncRow(
  s: Pick<SyncRow, 'id' | 'organization_id' | 'application_id' | 'kind' | 'trigger' | 'status'>,
  actor: { type: string; id: string | null; email?: string | null },
  createdAt: string,
): SyncRow {
  return {
    ...s,
    processed: 0,
    counts: '{}',
    error: null,
    initiated_by_type: actor.type,
    initiated_by_id: actor.id,
    initiated_by_email: actor.email ?? null,
    created_at: createdAt,
    started_at: s.status === 'running' ? createdAt : null,
    finished_at: null,
  };
}

export async function insertSync(db: Db, row: SyncRow): Promise<void> {
  await db.insertInto('provisioning_syncs').values(row).execute();
}

export async function updateSyncs(db: Db, ids: string[], patch: Partial<SyncRow>): Promise<void> {
  if (ids.length === 0) return;
  await updateRows(db, 'provisioning_syncs', { id: ids }, patch);
}

export async function findSync(db: Db, applicationId: string, id: string): Promise<SyncRow | undefined> {
  return findRow(db, 'provisioning_syncs', { application_id: applicationId, id });
}

export async function listSyncsByStatus(db: Db, applicationId: string, statuses: SyncRow['status'][]): Promise<SyncRow[]> {
  return rowsWhere(db, 'provisioning_syncs', { application_id: applicationId, status: statuses })
    .selectAll()
    .orderBy('created_at')
    .execute();
}

export async function findLatestSync(db: Db, applicationId: string, finishedOnly: boolean): Promise<SyncRow | undefined> {
  let q = rowsWhere(db, 'provisioning_syncs', { application_id: applicationId }).selectAll();
  if (finishedOnly) q = q.where('finished_at', 'is not', null);
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
}

export async function listSyncs(
  db: Db,
  applicationId: string,
  limit: number,
  before?: { createdAt: string; id: string },
): Promise<SyncRow[]> {
  let q = rowsWhere(db, 'provisioning_syncs', { application_id: applicationId }).selectAll();
  if (before) {
    q = q.where((eb) =>
      eb.or([eb('created_at', '<', before.createdAt), eb.and([eb('created_at', '=', before.createdAt), eb('id', '<', before.id)])]),
    );
  }
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}
