import { z } from 'zod';
import type { Deps } from '../../deps.ts';
// The group shapes are the directory's: reused so the OpenAPI document has one Group.
import { groupSchema } from './groups.routes.ts';
import { linkRoutes, namedListQuery, namedResourceRoutes } from './named.routes.ts';
import { getGroup, listGroupsOfApplication } from '../../directory/index.ts';
import { actorOf } from '../auth.ts';
import { deleteApplicationWithIntegration } from '../../commands/index.ts';
import { type App, idParams, listQuery, pageOf, routeGroups, routeOptions } from '../common.ts';
import * as apps from '../../applications/index.ts';
import * as bindings from '../../applications/index.ts';

const tags = ['applications'];
const adminRoute = routeOptions('admin', tags);
/** The route under /groups that applications serve. */
const groupsRoute = routeOptions('admin', ['groups']);

const applicationSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  groupCount: z.number().int().describe('User groups bound to the application'),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const applicationRoutes = routeGroups(applicationCrudRoutes, bindingRoutes);

/** Applications: list, create, read, rename or describe, delete. */
function applicationCrudRoutes(app: App, deps: Deps): void {
  const { db } = deps.database;
  namedResourceRoutes(app, {
    path: '/api/v1/applications',
    tags,
    schema: applicationSchema,
    listDescription: 'Applications sorted by name, case-insensitively.',
    deleteDescription:
      'Deletes the application, its group bindings and its integration; the groups and their members stay. ' +
      'Work for the application (an import, provisioning) stops at once in every process.',
    list: (actor, query) => apps.listApplications({ db }, actor.organizationId, query),
    create: (actor, input) => apps.createApplication(deps, actor, input),
    get: (actor, id) => apps.getApplication({ db }, actor.organizationId, id),
    update: (actor, id, patch) => apps.updateApplication(deps, actor, id, patch),
    // Its integration goes with it: the work in flight stops here and, before answering, everywhere.
    remove: (actor, id) => deleteApplicationWithIntegration(deps, actor, id),
  });
}

/** The groups bound to an application (its users are their members). */
function bindingRoutes(app: App, deps: Deps): void {
  const { db } = deps.database;
  app.get(
    '/api/v1/applications/:id/groups',
    adminRoute({
      description: 'User groups bound to the application, sorted by name.',
      params: idParams,
      querystring: namedListQuery,
      response: { 200: pageOf(groupSchema) },
    }),
    async (request) => {
      const { organizationId } = actorOf(request);
      await apps.getApplication({ db }, organizationId, request.params.id);
      return listGroupsOfApplication({ db }, organizationId, request.params.id, request.query);
    },
  );

  linkRoutes(app, {
    path: '/api/v1/applications/:id/groups/:groupId',
    tags,
    key: 'groupId',
    schema: groupSchema,
    putDescription: 'Binds the user group: 201 when bound, 200 when it already was (nothing recorded).',
    deleteDescription: 'Unbinds the user group; 404 NOT_BOUND when it is not bound.',
    put: async (actor, id, groupId) => {
      const { group, bound } = await bindings.bindGroup(deps, actor, id, groupId);
      return { item: group, created: bound };
    },
    remove: (actor, id, groupId) => bindings.unbindGroup(deps, actor, id, groupId),
  });

  // Under /groups for the portal's group page; served here because bindings belong to applications.
  app.get(
    '/api/v1/groups/:id/applications',
    groupsRoute({
      description: 'Applications the group is bound to, sorted by name.',
      params: idParams,
      querystring: listQuery({}),
      response: { 200: pageOf(applicationSchema) },
    }),
    async (request) => {
      const { organizationId } = actorOf(request);
      await getGroup({ db }, organizationId, request.params.id);
      return apps.listApplicationsOfGroup({ db }, organizationId, request.params.id, request.query);
    },
  );
}
