import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { actorOf } from '../auth.ts';
import { type App, idParams, listQuery, pageOf, routeGroups, routeOptions } from '../common.ts';
import * as groups from '../../directory/index.ts';
import { linkRoutes, namedResourceRoutes } from './named.routes.ts';

const tags = ['groups'];
const adminRoute = routeOptions('admin', tags);

export const groupSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  memberCount: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Set when a SCIM source (inbound SCIM) created the group. */
  source: z.object({ type: z.literal('scim'), sourceId: z.string() }).optional(),
});

const memberSchema = z.object({
  id: z.string(),
  username: z.string(),
  email: z.string(),
  firstname: z.string(),
  lastname: z.string(),
  state: z.enum(['STAGED', 'ACTIVE', 'SUSPENDED']),
});

export const groupRoutes = routeGroups(groupCrudRoutes, memberRoutes);

/** Groups: list, create, read, rename or describe, delete. */
function groupCrudRoutes(app: App, deps: Deps): void {
  const { db } = deps.database;
  namedResourceRoutes(app, {
    path: '/api/v1/groups',
    tags,
    schema: groupSchema,
    listDescription: 'Groups sorted by name, case-insensitively.',
    deleteDescription: 'Deletes the group with its memberships and application bindings.',
    list: (actor, query) => groups.listGroups({ db }, actor.organizationId, query),
    create: (actor, input) => groups.createGroup(deps, actor, input),
    get: (actor, id) => groups.getGroup({ db }, actor.organizationId, id),
    update: (actor, id, patch) => groups.updateGroup(deps, actor, id, patch),
    remove: (actor, id) => groups.deleteGroup(deps, actor, id),
  });
}

/** A group's members. */
function memberRoutes(app: App, deps: Deps): void {
  const { db } = deps.database;
  app.get(
    '/api/v1/groups/:id/members',
    adminRoute({
      description: 'Members sorted by username, case-insensitively.',
      params: idParams,
      querystring: listQuery({}),
      response: { 200: pageOf(memberSchema) },
    }),
    async (request) => groups.listGroupMembers({ db }, actorOf(request).organizationId, request.params.id, request.query),
  );

  linkRoutes(app, {
    path: '/api/v1/groups/:id/members/:userId',
    tags,
    key: 'userId',
    schema: memberSchema,
    putDescription: 'Adds the user to the group: 201 when added, 200 when already a member (nothing recorded).',
    deleteDescription: 'Removes the user from the group; 404 NOT_A_MEMBER when he is not a member.',
    put: async (actor, id, userId) => {
      const { member, added } = await groups.addGroupMember(deps, actor, id, userId);
      return { item: member, created: added };
    },
    remove: (actor, id, userId) => groups.removeGroupMember(deps, actor, id, userId),
  });
}
