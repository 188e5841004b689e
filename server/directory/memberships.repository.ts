// Group memberships. Member details are read from the users table here rather than through the users
// module, so listing a large group stays one keyset query.
import type { Db } from '../db/database.ts';
import { findColumns, hasRow, inChunks, listLinkedGroups } from '../db/queries.ts';
import type { UsersTable } from '../db/schema.ts';
import { keysetAfter } from '../db/keyset.ts';

export type MemberRow = Pick<UsersTable, 'id' | 'username' | 'username_lower' | 'email' | 'firstname' | 'lastname' | 'state'>;

const MEMBER_FIELDS = ['id', 'username', 'username_lower', 'email', 'firstname', 'lastname', 'state'] as const;
const MEMBER_COLUMNS = MEMBER_FIELDS.map((c) => `u.${c}` as const);

/** Keyset position: members are listed by (username_lower, id). */
export interface MemberKey {
  usernameLower: string;
  id: string;
}

export async function findUser(db: Db, organizationId: string, userId: string): Promise<MemberRow | undefined> {
  return findColumns(db, 'users', MEMBER_FIELDS, { organization_id: organizationId, id: userId });
}

/** Those of these users that exist in the organization (any order). */
export async function findUsers(db: Db, organizationId: string, userIds: string[]): Promise<MemberRow[]> {
  return inChunks(userIds, 400, (chunk) =>
    db.selectFrom('users').select(MEMBER_FIELDS).where('organization_id', '=', organizationId).where('id', 'in', chunk).execute(),
  );
}

export async function isMember(db: Db, organizationId: string, groupId: string, userId: string): Promise<boolean> {
  return hasRow(db, 'group_members', { organization_id: organizationId, group_id: groupId, user_id: userId });
}

/** Those of these users who are members of the group. */
export async function findMemberIds(db: Db, organizationId: string, groupId: string, userIds: string[]): Promise<string[]> {
  const rows = await inChunks(userIds, 400, (chunk) =>
    db
      .selectFrom('group_members')
      .select('user_id')
      .where('organization_id', '=', organizationId)
      .where('group_id', '=', groupId)
      .where('user_id', 'in', chunk)
      .execute(),
  );
  return rows.map((r) => r.user_id);
}

export async function listMembers(db: Db, organizationId: string, groupId: string, limit: number, from?: MemberKey): Promise<MemberRow[]> {
  let q = db
    .selectFrom('group_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(MEMBER_COLUMNS)
    .where('m.organization_id', '=', organizationId)
    .where('m.group_id', '=', groupId);
  if (from) {
    q = q.where(keysetAfter(['u.username_lower', 'u.id'], '>', [from.usernameLower, from.id]));
  }
  return q.orderBy('u.username_lower').orderBy('u.id').limit(limit).execute();
}

export async function listGroupsOfUser(db: Db, organizationId: string, userId: string): Promise<Array<{ id: string; name: string }>> {
  return listLinkedGroups(db, 'group_members', { organization_id: organizationId, user_id: userId });
}
