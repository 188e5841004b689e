// Group memberships. Member details are read from the users table here rather than through the users
// module, so listing a large group stays one keyset query.
import type { Db } from '../db/database.ts';
import type { UsersTable } from '../db/schema.ts';
import { keysetAfter } from '../db/keyset.ts';

export type MemberRow = Pick<UsersTable, 'id' | 'username' | 'username_lower' | 'email' | 'firstname' | 'lastname' | 'state'>;

const MEMBER_COLUMNS = ['u.id', 'u.username', 'u.username_lower', 'u.email', 'u.firstname', 'u.lastname', 'u.state'] as const;

/** Keyset position: members are listed by (username_lower, id). */
export interface MemberKey {
  usernameLower: string;
  id: string;
}

export async function findUser(db: Db, organizationId: string, userId: string): Promise<MemberRow | undefined> {
  return db
    .selectFrom('users as u')
    .select(MEMBER_COLUMNS)
    .where('u.organization_id', '=', organizationId)
    .where('u.id', '=', userId)
    .executeTakeFirst();
}

export async function isMember(db: Db, organizationId: string, groupId: string, userId: string): Promise<boolean> {
  const r = await db
    .selectFrom('group_members')
    .select('user_id')
    .where('organization_id', '=', organizationId)
    .where('group_id', '=', groupId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return r !== undefined;
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
  return db
    .selectFrom('group_members as m')
    .innerJoin('groups as g', 'g.id', 'm.group_id')
    .select(['g.id', 'g.name'])
    .where('m.organization_id', '=', organizationId)
    .where('m.user_id', '=', userId)
    .orderBy('g.name_lower')
    .execute();
}
