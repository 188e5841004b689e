// The five routes every named directory object has (groups, applications): list sorted by name,
// create, read, rename or describe, delete. Each resource gives its schema, its words and its service calls.
import { z } from 'zod';
import type { Actor } from '../../shared/actor.ts';
import { descriptionSchema, nameSchema } from '../../shared/named.ts';
import { actorOf } from '../auth.ts';
import { type App, cursorSchema, errors, idParams, limitSchema, pageOf } from '../common.ts';

export const namedListQuery = z
  .object({
    q: z.string().max(200).optional().describe('Case-insensitive substring of the name'),
    limit: limitSchema,
    cursor: cursorSchema,
  })
  .strict();

const createBody = z.object({ name: nameSchema, description: descriptionSchema.optional() }).strict();
const patchBody = z.object({ name: nameSchema.optional(), description: descriptionSchema.optional() }).strict();

/** What every named object has; each resource's schema adds its own fields (a count), which the responses keep. */
interface NamedObject {
  id: string;
  name: string;
  description: string;
  createdAt: string;
  updatedAt: string;
}

export interface NamedResource {
  /** The collection's path, e.g. /api/v1/groups. */
  path: string;
  tags: string[];
  schema: z.ZodType<NamedObject>;
  listDescription: string;
  deleteDescription: string;
  list(actor: Actor, query: z.infer<typeof namedListQuery>): Promise<{ items: NamedObject[]; nextCursor: string | null; total?: number }>;
  create(actor: Actor, input: z.infer<typeof createBody>): Promise<NamedObject>;
  get(actor: Actor, id: string): Promise<NamedObject>;
  update(actor: Actor, id: string, patch: z.infer<typeof patchBody>): Promise<NamedObject>;
  remove(actor: Actor, id: string): Promise<void>;
}

export function namedResourceRoutes(app: App, r: NamedResource): void {
  const { tags, schema } = r;
  const one = `${r.path}/:id`;
  app.get(
    r.path,
    {
      config: { auth: 'admin' },
      schema: { tags, description: r.listDescription, querystring: namedListQuery, response: { 200: pageOf(schema), ...errors } },
    },
    async (request) => r.list(actorOf(request), request.query),
  );
  app.post(
    r.path,
    { config: { auth: 'admin' }, schema: { tags, body: createBody, response: { 201: schema, ...errors } } },
    async (request, reply) => reply.code(201).send(await r.create(actorOf(request), request.body)),
  );
  app.get(one, { config: { auth: 'admin' }, schema: { tags, params: idParams, response: { 200: schema, ...errors } } }, async (request) =>
    r.get(actorOf(request), request.params.id),
  );
  app.patch(
    one,
    { config: { auth: 'admin' }, schema: { tags, params: idParams, body: patchBody, response: { 200: schema, ...errors } } },
    async (request) => r.update(actorOf(request), request.params.id, request.body),
  );
  app.delete(
    one,
    {
      config: { auth: 'admin' },
      schema: { tags, description: r.deleteDescription, params: idParams, response: { 204: z.undefined(), ...errors } },
    },
    async (request, reply) => {
      await r.remove(actorOf(request), request.params.id);
      return reply.code(204).send();
    },
  );
}
