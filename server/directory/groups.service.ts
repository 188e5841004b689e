// Groups of users: what applications are bound to. Names are unique per organization in any letter case
// (named-resources.ts holds the rules groups share with applications).
// The public face of groups for other modules (memberships are re-exported at the end).
import type { DbContext } from '../db/context.ts';
import { inTransaction } from '../db/database.ts';
import { type InsightEventInput, recordMany } from '../insights/index.ts';
import type { Actor } from '../shared/actor.ts';
import { notFound } from '../shared/errors.ts';
import type { DirectoryContext } from './context.ts';
import { GROUPS, type Group, type GroupInput, type GroupPatch } from './group.ts';
import {
  createNamed,
  deleteNamedRow,
  findNamed,
  findNamedByIdOrName,
  findNamedRow,
  getNamed,
  listBoundNames,
  listNamed,
  namedResource,
  type NamedQuery,
  type Page,
  updateNamed,
} from './named-resources.ts';

export { toGroup, type Group, type GroupInput, type GroupPatch } from './group.ts';
export type { Page, PageQuery } from './named-resources.ts';
export type GroupQuery = NamedQuery;

type Read = Pick<DbContext, 'db'>;

export async function createGroup(ctx: DbContext, actor: Actor, input: GroupInput): Promise<Group> {
  return createNamed(ctx, GROUPS, actor, input);
}

export async function findGroup(ctx: Read, organizationId: string, id: string): Promise<Group | undefined> {
  return findNamed(ctx, GROUPS, organizationId, id);
}

export async function getGroup(ctx: Read, organizationId: string, id: string): Promise<Group> {
  return getNamed(ctx, GROUPS, organizationId, id);
}

/** For the CLI: a group named by id or by name (any letter case). */
export async function findGroupByIdOrName(ctx: Read, organizationId: string, idOrName: string): Promise<Group | undefined> {
  return findNamedByIdOrName(ctx, GROUPS, organizationId, idOrName);
}

/** Groups by name, case-insensitively. */
export async function listGroups(ctx: Read, organizationId: string, query: GroupQuery): Promise<Page<Group>> {
  return listNamed(ctx, GROUPS, organizationId, query);
}

/** Groups bound to an application, by name. The caller checks that the application exists. */
export async function listGroupsOfApplication(
  ctx: Read,
  organizationId: string,
  applicationId: string,
  query: GroupQuery,
): Promise<Page<Group>> {
  return listNamed(ctx, GROUPS, organizationId, query, applicationId);
}

/** Records group_update with only the fields that really changed; a no-op patch records nothing. */
export async function updateGroup(ctx: DirectoryContext, actor: Actor, id: string, patch: GroupPatch): Promise<Group> {
  return updateNamed(ctx, GROUPS, actor, id, patch, async (trx, changes) => {
    if (changes.name) await ctx.changes.groupChanged(trx, actor.organizationId, id);
  });
}

/**
 * Memberships and bindings go with the group. Each application that loses the group gets its own
 * application_group_unbind event, so the application's trail in Insights stays complete.
 */
export async function deleteGroup(ctx: DirectoryContext, actor: Actor, id: string): Promise<void> {
  await inTransaction(ctx.db, async (trx) => {
    const group = await findNamedRow(trx, GROUPS, actor.organizationId, id);
    if (!group) throw notFound('Group', id);
    const applications = await listBoundNames(trx, GROUPS, actor.organizationId, id);
    // Before the delete, while its bindings still say which applications it was in.
    await ctx.changes.groupDeleted(trx, actor.organizationId, id);
    await deleteNamedRow(trx, GROUPS, actor.organizationId, id);
    const resource = namedResource(GROUPS, group);
    const events: InsightEventInput[] = [
      {
        eventType: 'group_delete',
        service: 'directory',
        actor,
        resource,
        changes: { name: group.name, memberCount: group.count, applications },
      },
      ...applications.map((application): InsightEventInput => ({
        eventType: 'application_group_unbind',
        service: 'directory',
        actor,
        resource,
        application,
        message: 'the group was deleted',
      })),
    ];
    await recordMany({ db: trx, clock: ctx.clock }, events);
  });
}

export * from './memberships.service.ts';
