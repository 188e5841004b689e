// SQL of groups pushed to applications: the link to each remote group and the members Roster put in it.
import type { Db } from '../db/database.ts';
import { deleteRows, listLinkedGroups, rowsWhere, updateRows } from '../db/queries.ts';
import type { AppGroupLinksTable } from '../db/schema.ts';

export type GroupLinkRow = AppGroupLinksTable;

export async function listBoundGroups(db: Db, organizationId: string, applicationId: string): Promise<Array<{ id: string; name: string }>> {
  return listLinkedGroups(db, 'application_groups', { organization_id: organizationId, application_id: applicationId });
}

export async function listGroupLinks(db: Db, applicationId: string): Promise<GroupLinkRow[]> {
  return rowsWhere(db, 'app_group_links', { application_id: applicationId }).selectAll().orderBy('group_name').execute();
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
  await updateRows(db, 'app_group_links', { application_id: applicationId, group_id: groupId }, patch);
}

export async function deleteGroupLink(db: Db, applicationId: string, groupId: string): Promise<void> {
  await deleteRows(db, 'app_group_link_members', { application_id: applicationId, group_id: groupId });
  await deleteRows(db, 'app_group_links', { application_id: applicationId, group_id: groupId });
}

export async function listPushedMembers(db: Db, applicationId: string, groupId: string): Promise<string[]> {
  const rows = await rowsWhere(db, 'app_group_link_members', { application_id: applicationId, group_id: groupId })
    .select('remote_user_id')
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
    const chunk = remoteUserIds.slice(i, i + 300);
    await deleteRows(db, 'app_group_link_members', { application_id: applicationId, group_id: groupId, remote_user_id: chunk });
  }
}

export async function replacePushedMembers(db: Db, applicationId: string, groupId: string, remoteUserIds: string[]): Promise<void> {
  await deleteRows(db, 'app_group_link_members', { application_id: applicationId, group_id: groupId });
  await addPushedMembers(db, applicationId, groupId, remoteUserIds);
}

/** A deleted remote user leaves every group Roster put him in. */
export async function forgetMemberEverywhere(db: Db, applicationId: string, remoteUserId: string): Promise<void> {
  await deleteRows(db, 'app_group_link_members', { application_id: applicationId, remote_user_id: remoteUserId });
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
  return rowsWhere(db, 'app_group_links', { application_id: applicationId, status: 'failed' })
    .selectAll()
    .orderBy('updated_at', 'desc')
    .limit(limit)
    .execute();
}
