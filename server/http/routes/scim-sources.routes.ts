// SCIM sources, the admin side of inbound SCIM: the identity providers and HR systems that provision
// into Roster, their tokens (shown once), request logs, figures and delete guardrail.
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import {
  confirmGuardrail,
  createdSourceSchema,
  createSource,
  createSourceSchema,
  deleteSource,
  getSource,
  listSourceRequests,
  listSources,
  rotateSourceToken,
  scimSourceSchema,
  sourceRequestSchema,
  sourceStats,
  sourceStatsSchema,
  tokenSchema,
  updateSource,
  updateSourceSchema,
} from '../../inbound/index.ts';
import { actorOf } from '../auth.ts';
import { type App, cursorPageOf, idParams, listQuery, queryBoolean, routeGroups, routeOptions, wholeListOf } from '../common.ts';

const sourcesRoute = routeOptions('admin', ['scim-sources']);

const contextOf = (deps: Deps) => ({ db: deps.database.db, clock: deps.clock, publicUrl: deps.config.publicUrl });

export const scimSourceRoutes = routeGroups(sourceRoutes, tokenRoutes, activityRoutes);

/** The sources: list, create, read, change, delete. */
function sourceRoutes(app: App, deps: Deps): void {
  const ctx = contextOf(deps);
  app.get(
    '/api/v1/scim-sources',
    sourcesRoute({
      description: 'The SCIM sources by name, with the users and groups each created. Deleted ones only with includeDeleted=true.',
      querystring: z.object({ includeDeleted: queryBoolean.optional() }).strict(),
      response: { 200: wholeListOf(scimSourceSchema) },
    }),
    async (request) => ({
      items: await listSources(ctx, actorOf(request).organizationId, { includeDeleted: request.query.includeDeleted }),
      nextCursor: null,
    }),
  );

  app.post(
    '/api/v1/scim-sources',
    sourcesRoute({
      description:
        'Creates a source. The answer holds its base URL and bearer token: the token is shown this once (Roster keeps only its hash).',
      body: createSourceSchema,
      response: { 201: createdSourceSchema },
    }),
    async (request, reply) => reply.code(201).send(await createSource(ctx, actorOf(request), request.body)),
  );

  app.get('/api/v1/scim-sources/:id', sourcesRoute({ params: idParams, response: { 200: scimSourceSchema } }), async (request) =>
    getSource(ctx, actorOf(request).organizationId, request.params.id),
  );

  app.patch(
    '/api/v1/scim-sources/:id',
    sourcesRoute({
      description: 'Renames the source and/or changes its settings: the settings given are merged over the current ones.',
      params: idParams,
      body: updateSourceSchema,
      response: { 200: scimSourceSchema },
    }),
    async (request) => updateSource(ctx, actorOf(request), request.params.id, request.body),
  );

  app.delete(
    '/api/v1/scim-sources/:id',
    sourcesRoute({
      description: 'Deletes the source: its token is refused from now on; the users and groups it created stay and keep naming it.',
      params: idParams,
      response: { 204: z.undefined() },
    }),
    async (request, reply) => {
      await deleteSource(ctx, actorOf(request), request.params.id);
      return reply.code(204).send();
    },
  );
}

/** A new token for a source. */
function tokenRoutes(app: App, deps: Deps): void {
  app.post(
    '/api/v1/scim-sources/:id/token',
    sourcesRoute({
      description: 'Issues a new token (shown this once); the old one is refused from this moment on, in every Roster process.',
      params: idParams,
      response: { 200: tokenSchema },
    }),
    async (request) => rotateSourceToken(contextOf(deps), actorOf(request), request.params.id),
  );
}

/** What a source did: its request log, its figures, and the confirmation its delete guardrail waits for. */
function activityRoutes(app: App, deps: Deps): void {
  const ctx = contextOf(deps);
  app.get(
    '/api/v1/scim-sources/:id/requests',
    sourcesRoute({
      description: "The source's last requests, newest first (the last 1000 of at most 7 days; written within a second or so).",
      params: idParams,
      querystring: listQuery({}),
      response: { 200: cursorPageOf(sourceRequestSchema) },
    }),
    async (request) => listSourceRequests(ctx, actorOf(request).organizationId, request.params.id, request.query),
  );

  app.get(
    '/api/v1/scim-sources/:id/stats',
    sourcesRoute({
      description: 'Requests and errors of the last hour and day, the users and groups the source created, and its delete guardrail.',
      params: idParams,
      response: { 200: sourceStatsSchema },
    }),
    async (request) => sourceStats(ctx, actorOf(request).organizationId, request.params.id),
  );

  app.post(
    '/api/v1/scim-sources/:id/guardrail/confirm',
    sourcesRoute({
      description:
        "Lets the source's deletions and suspensions through again after its delete guardrail paused them; removals before now " +
        'no longer count. 409 when it is not paused.',
      params: idParams,
      response: { 200: scimSourceSchema },
    }),
    async (request) => {
      const actor = actorOf(request);
      await confirmGuardrail(ctx, actor, request.params.id);
      return getSource(ctx, actor.organizationId, request.params.id);
    },
  );
}
