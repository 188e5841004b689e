import { z } from 'zod';
import type { Deps } from '../deps.ts';
// The group shapes are the directory's: reused so the OpenAPI document has one Group.
import { groupListQuery, groupSchema } from '../directory/groups.routes.ts';
import { getGroup, listGroupsOfApplication } from '../directory/groups.service.ts';
import { actorOf } from '../http/auth.ts';
import { publishStop } from '../integrations/index.ts';
import { type App, cursorSchema, errors, idParams, limitSchema, pageOf } from '../http/common.ts';
import * as apps from './applications.service.ts';
import * as bindings from './bindings.service.ts';
import { descriptionSchema, nameSchema } from '../shared/named.ts';

const applicationSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  groupCount: z.number().int().describe('User groups bound to the application'),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const listQuery = z
  .object({
    q: z.string().max(200).optional().describe('Case-insensitive substring of the name'),
    limit: limitSchema,
    cursor: cursorSchema,
  })
  .strict();

const bindingParams = z.object({ id: z.uuid({ message: 'must be a UUID' }), groupId: z.uuid({ message: 'must be a UUID' }) }).strict();

export function applicationRoutes(app: App, deps: Deps): void {
  const { db } = deps.database;
  const ctx = { db, clock: deps.clock, changes: deps.changes };
  const tags = ['applications'];

  app.get(
    '/api/v1/applications',
    {
      schema: {
        tags,
        description: 'Applications sorted by name, case-insensitively.',
        querystring: listQuery,
        response: { 200: pageOf(applicationSchema), ...errors },
      },
    },
    async (request) => apps.listApplications(ctx, actorOf(request).organizationId, request.query),
  );

  app.post(
    '/api/v1/applications',
    {
      schema: {
        tags,
        body: z.object({ name: nameSchema, description: descriptionSchema.optional() }).strict(),
        response: { 201: applicationSchema, ...errors },
      },
    },
    async (request, reply) => reply.code(201).send(await apps.createApplication(ctx, actorOf(request), request.body)),
  );

  app.get(
    '/api/v1/applications/:id',
    {
      schema: { tags, params: idParams, response: { 200: applicationSchema, ...errors } },
    },
    async (request) => apps.getApplication(ctx, actorOf(request).organizationId, request.params.id),
  );

  app.patch(
    '/api/v1/applications/:id',
    {
      schema: {
        tags,
        params: idParams,
        body: z.object({ name: nameSchema.optional(), description: descriptionSchema.optional() }).strict(),
        response: { 200: applicationSchema, ...errors },
      },
    },
    async (request) => apps.updateApplication(ctx, actorOf(request), request.params.id, request.body),
  );

  app.delete(
    '/api/v1/applications/:id',
    {
      schema: {
        tags,
        description:
          'Deletes the application, its group bindings and its integration; the groups and their members stay. Work for the application (an import, provisioning) stops at once in every process.',
        params: idParams,
        response: { 204: z.undefined(), ...errors },
      },
    },
    async (request, reply) => {
      await apps.deleteApplication(ctx, actorOf(request), request.params.id);
      // Its integration went with it: stop the work in flight here and, before answering, everywhere.
      deps.idm.abort(request.params.id, 'deleted');
      await publishStop(db, request.params.id, 'deleted');
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/applications/:id/groups',
    {
      schema: {
        tags,
        description: 'User groups bound to the application, sorted by name.',
        params: idParams,
        querystring: groupListQuery,
        response: { 200: pageOf(groupSchema), ...errors },
      },
    },
    async (request) => {
      const { organizationId } = actorOf(request);
      await apps.getApplication(ctx, organizationId, request.params.id);
      return listGroupsOfApplication(ctx, organizationId, request.params.id, request.query);
    },
  );

  app.put(
    '/api/v1/applications/:id/groups/:groupId',
    {
      schema: {
        tags,
        description: 'Binds the user group: 201 when bound, 200 when it already was (nothing recorded).',
        params: bindingParams,
        response: { 200: groupSchema, 201: groupSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { group, bound } = await bindings.bindGroup(ctx, actorOf(request), request.params.id, request.params.groupId);
      return reply.code(bound ? 201 : 200).send(group);
    },
  );

  app.delete(
    '/api/v1/applications/:id/groups/:groupId',
    {
      schema: {
        tags,
        description: 'Unbinds the user group; 404 NOT_BOUND when it is not bound.',
        params: bindingParams,
        response: { 204: z.undefined(), ...errors },
      },
    },
    async (request, reply) => {
      await bindings.unbindGroup(ctx, actorOf(request), request.params.id, request.params.groupId);
      return reply.code(204).send();
    },
  );

  // Under /groups for the portal's group page; served here because bindings belong to applications.
  app.get(
    '/api/v1/groups/:id/applications',
    {
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
      await getGroup(ctx, organizationId, request.params.id);
      return apps.listApplicationsOfGroup(ctx, organizationId, request.params.id, request.query);
    },
  );
}
