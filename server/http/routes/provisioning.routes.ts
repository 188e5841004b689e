import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { actorOf } from '../auth.ts';
import { type App, idParams, nestedIdParams, routeGroups, routeOptions } from '../common.ts';
import * as service from '../../provisioning/index.ts';
import * as status from '../../provisioning/index.ts';
import { statusSchema, syncSchema, userOutcomeSchema } from '../../provisioning/index.ts';

const adminRoute = routeOptions('admin', ['identity management']);

export const provisioningRoutes = routeGroups(syncRoutes, statusRoutes);

/** Starting syncs: the whole application, a confirmation after a guardrail pause, one user. */
function syncRoutes(app: App, deps: Deps): void {
  app.post(
    '/api/v1/applications/:id/idm/sync',
    adminRoute({
      description: 'Reconciles the application with the directory now (in the background). Follow the sync with GET .../idm/syncs/:syncId.',
      params: idParams,
      response: { 202: syncSchema },
    }),
    async (request, reply) => reply.code(202).send(await service.requestSync(deps, actorOf(request), request.params.id)),
  );

  app.post(
    '/api/v1/applications/:id/idm/sync/confirm',
    adminRoute({
      description: 'Confirms the deprovisioning that the guardrail paused; a reconcile then carries it out.',
      params: idParams,
      response: { 202: z.object({ confirmed: z.number(), sync: syncSchema }) },
    }),
    async (request, reply) => reply.code(202).send(await service.confirmDeprovisioning(deps, actorOf(request), request.params.id)),
  );

  app.post(
    '/api/v1/applications/:id/idm/users/:userId/sync',
    adminRoute({
      description: 'Provisions (or deprovisions) one user now and answers with the outcome.',
      params: nestedIdParams('userId'),
      response: { 200: userOutcomeSchema },
    }),
    async (request) => service.syncUserNow(deps, actorOf(request), request.params.id, request.params.userId),
  );
}

/** What provisioning did and does. */
function statusRoutes(app: App, deps: Deps): void {
  app.get(
    '/api/v1/applications/:id/idm/status',
    adminRoute({
      description:
        'The last sync, the one running, the guardrail pause, what is pending and what failed (per user or group, with the last error).',
      params: idParams,
      response: { 200: statusSchema },
    }),
    async (request) => status.getStatus(deps, actorOf(request).organizationId, request.params.id),
  );

  app.get(
    '/api/v1/applications/:id/idm/syncs',
    adminRoute({
      params: idParams,
      querystring: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }).strict(),
      response: { 200: z.object({ items: z.array(syncSchema) }) },
    }),
    async (request) => ({ items: await status.listSyncs(deps, actorOf(request).organizationId, request.params.id, request.query.limit) }),
  );

  app.get(
    '/api/v1/applications/:id/idm/syncs/:syncId',
    adminRoute({ params: nestedIdParams('syncId'), response: { 200: syncSchema } }),
    async (request) => status.getSync(deps, actorOf(request).organizationId, request.params.id, request.params.syncId),
  );
}
