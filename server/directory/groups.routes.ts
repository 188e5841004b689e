import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { actorOf } from '../http/auth.ts';
import { type App, cursorSchema, errors, idParams, limitSchema, pageOf } from '../http/common.ts';
import * as groups from './groups.service.ts';
import { descriptionSchema, nameSchema } from '../shared/named.ts';

export const groupSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  memberCount: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const memberSchema = z.object({
  id: z.string(),
  username: z.string(),
  email: z.string(),
  firstname: z.string(),
  lastname: z.string(),
  state: z.enum(['STAGED', 'ACTIVE', 'SUSPENDED']),
});

export const groupListQuery = z
  .object({
    q: z.string().max(200).optional().describe('Case-insensitive substring of the name'),
    limit: limitSchema,
    cursor: cursorSchema,
  })
  .strict();

const memberParams = z.object({ id: z.uuid({ message: 'must be a UUID' }), userId: z.uuid({ message: 'must be a UUID' }) }).strict();

export function groupRoutes(app: App, deps: Deps): void {
  const { db } = deps.database;
  const ctx = { db, clock: deps.clock, changes: deps.changes };
  const tags = ['groups'];

  app.get(
    '/api/v1/groups',
    {
      schema: {
        tags,
        description: 'Groups sorted by name, case-insensitively.',
        querystring: groupListQuery,
        response: { 200: pageOf(groupSchema), ...errors },
      },
    },
    async (request) => groups.listGroups(ctx, actorOf(request).organizationId, request.query),
  );

  app.post(
    '/api/v1/groups',
    {
      schema: {
        tags,
        body: z.object({ name: nameSchema, description: descriptionSchema.optional() }).strict(),
        response: { 201: groupSchema, ...errors },
      },
    },
    async (request, reply) => reply.code(201).send(await groups.createGroup(ctx, actorOf(request), request.body)),
  );

  app.get(
    '/api/v1/groups/:id',
    {
      schema: { tags, params: idParams, response: { 200: groupSchema, ...errors } },
    },
    async (request) => groups.getGroup(ctx, actorOf(request).organizationId, request.params.id),
  );

  app.patch(
    '/api/v1/groups/:id',
    {
      schema: {
        tags,
        params: idParams,
        body: z.object({ name: nameSchema.optional(), description: descriptionSchema.optional() }).strict(),
        response: { 200: groupSchema, ...errors },
      },
    },
    async (request) => groups.updateGroup(ctx, actorOf(request), request.params.id, request.body),
  );

  app.delete(
    '/api/v1/groups/:id',
    {
      schema: {
        tags,
        description: 'Deletes the group with its memberships and application bindings.',
        params: idParams,
        response: { 204: z.undefined(), ...errors },
      },
    },
    async (request, reply) => {
      await groups.deleteGroup(ctx, actorOf(request), request.params.id);
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/groups/:id/members',
    {
      schema: {
        tags,
        description: 'Members sorted by username, case-insensitively.',
        params: idParams,
        querystring: z.object({ limit: limitSchema, cursor: cursorSchema }).strict(),
        response: { 200: pageOf(memberSchema), ...errors },
      },
    },
    async (request) => groups.listGroupMembers(ctx, actorOf(request).organizationId, request.params.id, request.query),
  );

  app.put(
    '/api/v1/groups/:id/members/:userId',
    {
      schema: {
        tags,
        description: 'Adds the user to the group: 201 when added, 200 when already a member (nothing recorded).',
        params: memberParams,
        response: { 200: memberSchema, 201: memberSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { member, added } = await groups.addGroupMember(ctx, actorOf(request), request.params.id, request.params.userId);
      return reply.code(added ? 201 : 200).send(member);
    },
  );

  app.delete(
    '/api/v1/groups/:id/members/:userId',
    {
      schema: {
        tags,
        description: 'Removes the user from the group; 404 NOT_A_MEMBER when he is not a member.',
        params: memberParams,
        response: { 204: z.undefined(), ...errors },
      },
    },
    async (request, reply) => {
      await groups.removeGroupMember(ctx, actorOf(request), request.params.id, request.params.userId);
      return reply.code(204).send();
    },
  );
}
