// SQL of groups pushed to applications: the link to each remote group and the members Roster put in it.
import type { Db } from '../db/database.ts';
import type { AppGroupLinksTable } from '../db/schema.ts';

export type GroupLinkRow = AppGroupLinksTable;

export async function listBoundGroups(db: Db, organizationId: string, applicationId: string): Promise<Array<{ id: string; name: string }>> {
  return db
    .selectFrom('application_groups as ag')
    .innerJoin('groups as g', 'g.id', 'ag.group_id')
    .select(['g.id', 'g.name'])
    .where('ag.organization_id', '=', organizationId)
    .where('ag.application_id', '=', applicationId)
    .orderBy('g.name_lower')
    .execute();
}

export async function listGroupLinks(db: Db, applicationId: string): Promise<GroupLinkRow[]> {
  return db.selectFrom('app_group_links').selectAll().where('application_id', '=', applicationId).orderBy('group_name').execute();
}

export async function upsertGroupLink(db: Db, row: GroupLinkRow): Promise<void> {
  const { application_id: _a, group_id: _g, created_at: _c, ...update } = row;
  await db
    .insertInto('app_group_links')
    .values(row)
    .onConflict((oc) => oc.columns(['application_id', 'group_id']).doUpdateSet(update))
    .execute();
}

export async function updateGroupLink(db: Db, applicationId: string, groupId: string, patch: Partial<GroupLinkRow>): Promise<void> {
  await db.updateTable('app_group_links').set(patch).where('application_id', '=', applicationId).where('group_id', '=', groupId).execute();
}

export async function deleteGroupLink(db: Db, applicationId: string, groupId: string): Promise<void> {
  await db.deleteFrom('app_group_link_members').where('application_id', '=', applicationId).where('group_id', '=', groupId).execute();
  await db.deleteFrom('app_group_links').where('application_id', '=', applicationId).where('group_id', '=', groupId).execute();
}

export async function listPushedMembers(db: Db, applicationId: string, groupId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('app_group_link_members')
    .select('remote_user_id')
    .where('application_id', '=', applicationId)
    .where('group_id', '=', groupId)
    .execute();
  return rows.map((r) => r.remote_user_id);
}

export async function addPushedMembers(db: Db, applicationId: string, groupId: string, remoteUserIds: string[]): Promise<void> {
  for (let i = 0; i < remoteUserIds.length; i += 300) {
    await db
      .insertInto('app_group_link_members')
      .values(remoteUserIds.slice(i, i + 300).map((id) => ({ application_id: applicationId, group_id: groupId, remote_user_id: id })))
      .onConflict((oc) => oc.columns(['application_id', 'group_id', 'remote_user_id']).doNothing())
      .execute();
  }
}

export async function removePushedMembers(db: Db, applicationId: string, groupId: string, remoteUserIds: string[]): Promise<void> {
  for (let i = 0; i < remoteUserIds.length; i += 300) {
    await db
      .deleteFrom('app_group_link_members')
      .where('application_id', '=', applicationId)
      .where('group_id', '=', groupId)
      .where('remote_user_id', 'in', remoteUserIds.slice(i, i + 300))
      .execute();
  }
}

export async function replacePushedMembers(db: Db, applicationId: string, groupId: string, remoteUserIds: string[]): Promise<void> {
  await db.deleteFrom('app_group_link_members').where('application_id', '=', applicationId).where('group_id', '=', groupId).execute();
  await addPushedMembers(db, applicationId, groupId, remoteUserIds);
}

/** A deleted remote user leaves every group Roster put him in. */
export async function forgetMemberEverywhere(db: Db, applicationId: string, remoteUserId: string): Promise<void> {
  await db
    .deleteFrom('app_group_link_members')
    .where('application_id', '=', applicationId)
    .where('remote_user_id', '=', remoteUserId)
    .execute();
}

/**
 * Remote ids that should be members of the group's remote copy: its ACTIVE members with an active
 * account in the application. Roster groups hold users only, so there is nothing to flatten.
 */
export async function listDesiredMembers(db: Db, applicationId: string, groupId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('group_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .innerJoin('provisioning_users as p', (j) => j.onRef('p.user_id', '=', 'm.user_id').on('p.application_id', '=', applicationId))
    .select('p.remote_id')
    .where('m.group_id', '=', groupId)
    .where('u.state', '=', 'ACTIVE')
    .where('p.remote_id', 'is not', null)
    .where('p.pushed_active', '=', 1)
    .execute();
  return rows.map((r) => r.remote_id as string);
}

export async function listProblemGroups(db: Db, applicationId: string, limit: number): Promise<GroupLinkRow[]> {
  return db
    .selectFrom('app_group_links')
    .selectAll()
    .where('application_id', '=', applicationId)
    .where('status', '=', 'failed')
    .orderBy('updated_at', 'desc')
    .limit(limit)
    .execute();
}
