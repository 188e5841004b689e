// The five routes every named directory object has (groups, applications): list sorted by name,
// create, read, rename or describe, delete. Each resource gives its schema, its words and its service calls.
import { z } from 'zod';
import type { Actor } from '../../shared/actor.ts';
import { descriptionSchema, nameSchema } from '../../shared/named.ts';
import { actorOf } from '../auth.ts';
import { type App, idParams, listQuery, nestedIdParams, pageOf, routeOptions } from '../common.ts';

export const namedListQuery = listQuery({ q: z.string().max(200).optional().describe('Case-insensitive substring of the name') });

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
  const { schema } = r;
  const adminRoute = routeOptions('admin', r.tags);
  const one = `${r.path}/:id`;
  app.get(
    r.path,
    adminRoute({ description: r.listDescription, querystring: namedListQuery, response: { 200: pageOf(schema) } }),
    async (request) => r.list(actorOf(request), request.query),
  );
  app.post(r.path, adminRoute({ body: createBody, response: { 201: schema } }), async (request, reply) =>
    reply.code(201).send(await r.create(actorOf(request), request.body)),
  );
  app.get(one, adminRoute({ params: idParams, response: { 200: schema } }), async (request) => r.get(actorOf(request), request.params.id));
  app.patch(one, adminRoute({ params: idParams, body: patchBody, response: { 200: schema } }), async (request) =>
    r.update(actorOf(request), request.params.id, request.body),
  );
  app.delete(
    one,
    adminRoute({ description: r.deleteDescription, params: idParams, response: { 204: z.undefined() } }),
    async (request, reply) => {
      await r.remove(actorOf(request), request.params.id);
      return reply.code(204).send();
    },
  );
}

/** A link between two objects (a group's member, an application's bound group): put it idempotently, remove it. */
export interface LinkResource<K extends string> {
  /** The link's path, e.g. /api/v1/groups/:id/members/:userId. */
  path: string;
  tags: string[];
  /** The name of the path's second parameter (the linked object's id). */
  key: K;
  schema: z.ZodType<{ id: string }>;
  putDescription: string;
  deleteDescription: string;
  put(actor: Actor, id: string, linkedId: string): Promise<{ item: { id: string }; created: boolean }>;
  remove(actor: Actor, id: string, linkedId: string): Promise<void>;
}

export function linkRoutes<K extends string>(app: App, r: LinkResource<K>): void {
  const { schema } = r;
  const adminRoute = routeOptions('admin', r.tags);
  const params = nestedIdParams(r.key);
  const linkedId = (p: Record<string, string>) => p[r.key];
  app.put(r.path, adminRoute({ description: r.putDescription, params, response: { 200: schema, 201: schema } }), async (request, reply) => {
    const p = request.params as Record<string, string>;
    const { item, created } = await r.put(actorOf(request), p.id, linkedId(p));
    return reply.code(created ? 201 : 200).send(item);
  });
  app.delete(r.path, adminRoute({ description: r.deleteDescription, params, response: { 204: z.undefined() } }), async (request, reply) => {
    const p = request.params as Record<string, string>;
    await r.remove(actorOf(request), p.id, linkedId(p));
    return reply.code(204).send();
  });
}
