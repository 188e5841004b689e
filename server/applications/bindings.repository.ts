// Application <-> user group bindings, and the scope they give: a user is managed in an application
// when he is a member of a group bound to it.
import type { Db } from '../db/database.ts';
import { existsRow } from '../db/queries.ts';
import { membersOfBoundGroups } from './scope.ts';

export async function listApplicationIdsOfUser(db: Db, organizationId: string, userId: string): Promise<string[]> {
  const rows = await membersOfBoundGroups(db)
    .select('ag.application_id')
    .distinct()
    .where('ag.organization_id', '=', organizationId)
    .where('m.user_id', '=', userId)
    .orderBy('ag.application_id')
    .execute();
  return rows.map((r) => r.application_id);
}

export async function isUserInScope(db: Db, organizationId: string, applicationId: string, userId: string): Promise<boolean> {
  const r = await membersOfBoundGroups(db)
    .select('m.user_id')
    .where('ag.organization_id', '=', organizationId)
    .where('ag.application_id', '=', applicationId)
    .where('m.user_id', '=', userId)
    .limit(1)
    .executeTakeFirst();
  return r !== undefined;
}

/** Users in scope, by id, after `afterId`: a member of several bound groups appears once. */
export async function listUserIdsInScope(
  db: Db,
  organizationId: string,
  applicationId: string,
  limit: number,
  afterId?: string,
): Promise<string[]> {
  let q = db
    .selectFrom('group_members as m')
    .select('m.user_id')
    .distinct()
    .where('m.organization_id', '=', organizationId)
    .where((eb) => existsRow(eb, 'application_groups', { group_id: eb.ref('m.group_id'), application_id: applicationId }));
  if (afterId) q = q.where('m.user_id', '>', afterId);
  const rows = await q.orderBy('m.user_id').limit(limit).execute();
  return rows.map((r) => r.user_id);
}
