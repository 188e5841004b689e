import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { actorOf } from '../auth.ts';
import { type App, idParams, listQuery, pageOf, routeOptions } from '../common.ts';
import { createUserSchema, PASSWORD_STATUSES, updateUserSchema, USER_SORT_FIELDS, USER_STATES, userSchema } from '../../directory/index.ts';
import * as users from '../../directory/index.ts';

const adminRoute = routeOptions('admin', ['users']);

export function userRoutes(app: App, deps: Deps): void {
  const { db } = deps.database;

  app.get(
    '/api/v1/users',
    adminRoute({
      querystring: listQuery({
        q: z.string().max(200).optional(),
        state: z.enum(USER_STATES).optional(),
        passwordStatus: z.enum(PASSWORD_STATUSES).optional(),
        sort: z.enum(USER_SORT_FIELDS, { message: `must be one of ${USER_SORT_FIELDS.join(', ')}` }).default('username'),
        order: z.enum(['asc', 'desc']).default('asc'),
      }),
      response: { 200: pageOf(userSchema) },
    }),
    async (request) => users.listUsers(deps, { ...request.query, organizationId: actorOf(request).organizationId }),
  );

  app.post('/api/v1/users', adminRoute({ body: createUserSchema, response: { 201: userSchema } }), async (request, reply) =>
    reply.code(201).send(await users.createUser(deps, actorOf(request), request.body)),
  );

  app.get('/api/v1/users/:id', adminRoute({ params: idParams, response: { 200: userSchema } }), async (request) =>
    users.getUser({ db }, actorOf(request).organizationId, request.params.id),
  );

  app.patch('/api/v1/users/:id', adminRoute({ params: idParams, body: updateUserSchema, response: { 200: userSchema } }), async (request) =>
    users.updateUser(deps, actorOf(request), request.params.id, request.body),
  );

  app.delete('/api/v1/users/:id', adminRoute({ params: idParams, response: { 204: z.undefined() } }), async (request, reply) => {
    await users.deleteUser(deps, actorOf(request), request.params.id);
    return reply.code(204).send();
  });
}
