import { z } from 'zod';
import type { Deps } from '../../deps.ts';
// The group shapes are the directory's: reused so the OpenAPI document has one Group.
import { groupSchema } from './groups.routes.ts';
import { namedListQuery, namedResourceRoutes } from './named.routes.ts';
import { getGroup, listGroupsOfApplication } from '../../directory/index.ts';
import { actorOf } from '../auth.ts';
import { publishStop } from '../../integrations/index.ts';
import { type App, cursorSchema, errors, idParams, limitSchema, pageOf } from '../common.ts';
import * as apps from '../../applications/index.ts';
import * as bindings from '../../applications/index.ts';

const applicationSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  groupCount: z.number().int().describe('User groups bound to the application'),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const bindingParams = z.object({ id: z.uuid({ message: 'must be a UUID' }), groupId: z.uuid({ message: 'must be a UUID' }) }).strict();

export function applicationRoutes(app: App, deps: Deps): void {
  applicationCrudRoutes(app, deps);
  bindingRoutes(app, deps);
}

/** Applications: list, create, read, rename or describe, delete. */
function applicationCrudRoutes(app: App, deps: Deps): void {
  const { db } = deps.database;
  namedResourceRoutes(app, {
    path: '/api/v1/applications',
    tags: ['applications'],
    schema: applicationSchema,
    listDescription: 'Applications sorted by name, case-insensitively.',
    deleteDescription:
      'Deletes the application, its group bindings and its integration; the groups and their members stay. ' +
      'Work for the application (an import, provisioning) stops at once in every process.',
    list: (actor, query) => apps.listApplications(db, actor.organizationId, query),
    create: (actor, input) => apps.createApplication(db, actor, input, deps.clock),
    get: (actor, id) => apps.getApplication(db, actor.organizationId, id),
    update: (actor, id, patch) => apps.updateApplication(db, actor, id, patch, deps.clock),
    remove: async (actor, id) => {
      await apps.deleteApplication(db, actor, id);
      // Its integration went with it: stop the work in flight here and, before answering, everywhere.
      deps.idm.abort(id, 'deleted');
      await publishStop(db, id, 'deleted');
    },
  });
}

/** The groups bound to an application (its users are their members). */
function bindingRoutes(app: App, deps: Deps): void {
  const { db } = deps.database;
  const tags = ['applications'];
  app.get(
    '/api/v1/applications/:id/groups',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        description: 'User groups bound to the application, sorted by name.',
        params: idParams,
        querystring: namedListQuery,
        response: { 200: pageOf(groupSchema), ...errors },
      },
    },
    async (request) => {
      const { organizationId } = actorOf(request);
      await apps.getApplication(db, organizationId, request.params.id);
      return listGroupsOfApplication(db, organizationId, request.params.id, request.query);
    },
  );

  app.put(
    '/api/v1/applications/:id/groups/:groupId',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        description: 'Binds the user group: 201 when bound, 200 when it already was (nothing recorded).',
        params: bindingParams,
        response: { 200: groupSchema, 201: groupSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { group, bound } = await bindings.bindGroup(db, actorOf(request), request.params.id, request.params.groupId, deps.clock);
      return reply.code(bound ? 201 : 200).send(group);
    },
  );

  app.delete(
    '/api/v1/applications/:id/groups/:groupId',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        description: 'Unbinds the user group; 404 NOT_BOUND when it is not bound.',
        params: bindingParams,
        response: { 204: z.undefined(), ...errors },
      },
    },
    async (request, reply) => {
      await bindings.unbindGroup(db, actorOf(request), request.params.id, request.params.groupId);
      return reply.code(204).send();
    },
  );

  // Under /groups for the portal's group page; served here because bindings belong to applications.
  app.get(
    '/api/v1/groups/:id/applications',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['groups'],
        description: 'Applications the group is bound to, sorted by name.',
        params: idParams,
        querystring: z.object({ limit: limitSchema, cursor: cursorSchema }).strict(),
        response: { 200: pageOf(applicationSchema), ...errors },
      },
    },
    async (request) => {
      const { organizationId } = actorOf(request);
      await getGroup(db, organizationId, request.params.id);
      return apps.listApplicationsOfGroup(db, organizationId, request.params.id, request.query);
    },
  );
}
