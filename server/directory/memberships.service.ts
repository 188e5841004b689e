// Group memberships (the rules of pairs are in relations.ts: adding is idempotent; removing a user who
// is not a member is 404 NOT_A_MEMBER). Membership events
// name the user as the resource and the group in `changes`, so a user's trail in Insights shows how
// he gained or lost access.
import { type DbContext, onHandle } from '../db/context.ts';
import type { Db } from '../db/database.ts';
import type { Actor } from '../shared/actor.ts';
import { decodeCursor, keysetPage } from '../shared/cursor.ts';
import { AppError, notFound } from '../shared/errors.ts';
import type { DirectoryChanges } from './changes.ts';
import type { DirectoryContext } from './context.ts';
import { GROUPS } from './group.ts';
import * as repo from './memberships.repository.ts';
import { findNamedRow, type NamedWithCount, type Page, type PageQuery } from './named-resources.ts';
import { addRelation, addRelations, type RelationKind, removeRelation, removeRelations } from './relations.ts';

export interface GroupMember {
  id: string;
  username: string;
  email: string;
  firstname: string;
  lastname: string;
  state: 'STAGED' | 'ACTIVE' | 'SUSPENDED';
}

const toMember = (r: repo.MemberRow): GroupMember => ({
  id: r.id,
  username: r.username,
  email: r.email,
  firstname: r.firstname,
  lastname: r.lastname,
  state: r.state,
});

async function requireGroup(db: Db, organizationId: string, groupId: string) {
  const group = await findNamedRow(db, GROUPS, organizationId, groupId);
  if (!group) throw notFound('Group', groupId);
  return group;
}

/** Members by username, case-insensitively. */
export async function listGroupMembers(
  { db }: Pick<DbContext, 'db'>,
  organizationId: string,
  groupId: string,
  query: PageQuery,
): Promise<Page<GroupMember>> {
  let from: repo.MemberKey | undefined;
  if (query.cursor) {
    const [usernameLower, id] = decodeCursor(query.cursor, ['string', 'string']) as [string, string];
    from = { usernameLower, id };
  }
  const group = await requireGroup(db, organizationId, groupId);
  const rows = await repo.listMembers(db, organizationId, groupId, query.limit + 1, from);
  return {
    ...keysetPage(rows, query.limit, toMember, (l) => [l.username_lower, l.id]),
    total: group.count,
  };
}

const MEMBERSHIPS: RelationKind<NamedWithCount, repo.MemberRow, DirectoryChanges> = {
  table: 'group_members',
  columns: { owner: 'group_id', item: 'user_id' },
  labels: { owner: 'Group', item: 'User' },
  findOwner: (db, organizationId, id) => findNamedRow(db, GROUPS, organizationId, id),
  findItem: repo.findUser,
  findItems: repo.findUsers,
  notRelated: (group, userId) => new AppError('NOT_A_MEMBER', 404, `User ${userId} is not a member of group "${group.name}"`),
  event: (added, group, user) => ({
    eventType: added ? 'group_member_add' : 'group_member_remove',
    resource: { type: 'user', id: user.id, username: user.username },
    changes: { group: { id: group.id, name: group.name } },
  }),
  changed: (changes, db, organizationId, groupId, userId) => changes.membershipChanged(db, organizationId, groupId, userId),
  changedMany: (changes, db, organizationId, groupId, userIds) => changes.membershipsChanged(db, organizationId, groupId, userIds),
};

/** `added` is false when the user already was a member; then nothing is written or recorded. */
export async function addGroupMember(
  ctx: DirectoryContext,
  actor: Actor,
  groupId: string,
  userId: string,
): Promise<{ member: GroupMember; added: boolean }> {
  const { item, added } = await addRelation(ctx, MEMBERSHIPS, actor, groupId, userId);
  return { member: toMember(item), added };
}

/**
 * Adds these users to the group in one transaction (the caller's, when it has one), each as
 * addGroupMember would: users already members, or gone, are left out. Returns the ids of the users
 * added (the memberships that are new).
 */
export async function addGroupMembers(ctx: DirectoryContext, actor: Actor, groupId: string, userIds: string[]): Promise<string[]> {
  return addRelations(ctx, MEMBERSHIPS, actor, groupId, userIds);
}

/**
 * Removes these users from the group in one transaction (the caller's, when it has one), each as
 * removeGroupMember would, but users who are not members (or gone) are left out rather than a 404.
 * Returns the ids of the users removed.
 */
export async function removeGroupMembers(ctx: DirectoryContext, actor: Actor, groupId: string, userIds: string[]): Promise<string[]> {
  return removeRelations(ctx, MEMBERSHIPS, actor, groupId, userIds);
}

/** Those of these users who are members of the group (none if the group is gone). */
export async function groupMembersAmong(ctx: Pick<DbContext, 'db'>, organizationId: string, groupId: string, userIds: string[]) {
  return repo.findMemberIds(ctx.db, organizationId, groupId, userIds);
}

export async function removeGroupMember(ctx: DirectoryContext, actor: Actor, groupId: string, userId: string): Promise<void> {
  await removeRelation(ctx, MEMBERSHIPS, actor, groupId, userId);
}

export const isGroupMember = onHandle(repo.isMember);

/** A user's groups by name (user page, SCIM group sync). */
export const listGroupsOfUser = onHandle(repo.listGroupsOfUser);
