import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { actorOf } from '../auth.ts';
import { type App, cursorSchema, errors, idParams, limitSchema, pageOf } from '../common.ts';
import { createUserSchema, PASSWORD_STATUSES, updateUserSchema, USER_SORT_FIELDS, USER_STATES, userSchema } from '../../directory/index.ts';
import * as users from '../../directory/index.ts';

export function userRoutes(app: App, deps: Deps): void {
  const { db } = deps.database;

  app.get(
    '/api/v1/users',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['users'],
        querystring: z
          .object({
            q: z.string().max(200).optional(),
            state: z.enum(USER_STATES).optional(),
            passwordStatus: z.enum(PASSWORD_STATUSES).optional(),
            sort: z.enum(USER_SORT_FIELDS, { message: `must be one of ${USER_SORT_FIELDS.join(', ')}` }).default('username'),
            order: z.enum(['asc', 'desc']).default('asc'),
            limit: limitSchema,
            cursor: cursorSchema,
          })
          .strict(),
        response: { 200: pageOf(userSchema), ...errors },
      },
    },
    async (request) => users.listUsers(deps, { ...request.query, organizationId: actorOf(request).organizationId }),
  );

  app.post(
    '/api/v1/users',
    { config: { auth: 'admin' }, schema: { tags: ['users'], body: createUserSchema, response: { 201: userSchema, ...errors } } },
    async (request, reply) => reply.code(201).send(await users.createUser(deps, actorOf(request), request.body)),
  );

  app.get(
    '/api/v1/users/:id',
    { config: { auth: 'admin' }, schema: { tags: ['users'], params: idParams, response: { 200: userSchema, ...errors } } },
    async (request) => users.getUser({ db }, actorOf(request).organizationId, request.params.id),
  );

  app.patch(
    '/api/v1/users/:id',
    {
      config: { auth: 'admin' },
      schema: { tags: ['users'], params: idParams, body: updateUserSchema, response: { 200: userSchema, ...errors } },
    },
    async (request) => users.updateUser(deps, actorOf(request), request.params.id, request.body),
  );

  app.delete(
    '/api/v1/users/:id',
    { config: { auth: 'admin' }, schema: { tags: ['users'], params: idParams, response: { 204: z.undefined(), ...errors } } },
    async (request, reply) => {
      await users.deleteUser(deps, actorOf(request), request.params.id);
      return reply.code(204).send();
    },
  );
}
