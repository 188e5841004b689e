// Groups of users: what applications are bound to. Names are unique per organization in any letter case
// (named-resources.ts holds the rules groups share with applications).
// The public face of groups for other modules (memberships are re-exported at the end).
import type { Actor } from '../shared/actor.ts';
import type { DirectoryContext } from './context.ts';
import { GROUPS, type Group, type GroupPatch } from './group.ts';
import { deleteNamed, namedOperations, namedResource, type NamedQuery, updateNamed } from './named-resources.ts';

export { type Group, type GroupInput, type GroupPatch } from './group.ts';
export type { Page, PageQuery } from './named-resources.ts';
export type GroupQuery = NamedQuery;

const groups = namedOperations(GROUPS);

export const createGroup = groups.create;
export const findGroup = groups.find;
export const getGroup = groups.get;
/** For the CLI: a group named by id or by name (any letter case). */
export const findGroupByIdOrName = groups.findByIdOrName;
/** Groups by lower-cased name (an import looks up the application's group names at once). */
export const findGroupsByNames = groups.findByNames;
/** Groups by name, case-insensitively. */
export const listGroups = groups.list;
/** Groups bound to an application, by name. The caller checks that the application exists. */
export const listGroupsOfApplication = groups.listBoundTo;

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
  await deleteNamed(ctx, GROUPS, actor, id, {
    // Provisioning is told while the bindings still say which applications the group was in.
    before: (trx) => ctx.changes.groupDeleted(trx, actor.organizationId, id),
    changes: (group, applications) => ({ memberCount: group.count, applications }),
    moreEvents: (group, applications) =>
      applications.map((application) => ({
        eventType: 'application_group_unbind',
        service: 'directory',
        actor,
        resource: namedResource(GROUPS, group),
        application,
        message: 'the group was deleted',
      })),
  });
}

export * from './memberships.service.ts';
