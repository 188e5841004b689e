import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { actorOf } from '../auth.ts';
import { type App, errors, idParams, routeGroups, routeOptions } from '../common.ts';
import { activateIntegration, deactivateIntegration } from '../../commands/index.ts';
import { checkIntegration, integrationViewSchema, putIntegrationSchema, testResultSchema } from '../../integrations/index.ts';
import * as service from '../../integrations/index.ts';

const adminRoute = routeOptions('admin', ['identity management']);

export const integrationRoutes = routeGroups(configurationRoutes, connectionTestRoutes, activationRoutes);

/** The integration's configuration: read, write. */
function configurationRoutes(app: App, deps: Deps): void {
  const { db } = deps.database;
  app.get('/api/v1/applications/:id/idm', adminRoute({ params: idParams, response: { 200: integrationViewSchema } }), async (request) =>
    service.getIntegration({ db }, actorOf(request).organizationId, request.params.id),
  );

  app.put(
    '/api/v1/applications/:id/idm',
    adminRoute({
      description:
        'Configure the SCIM integration. Secrets are write-only: leave them out to keep the stored ones. A ' +
        'new address, credentials or headers stop the work in flight at once in every process; it resumes ' +
        'with the new ones.',
      params: idParams,
      body: putIntegrationSchema,
      response: { 200: integrationViewSchema },
    }),
    async (request) => {
      const { view, reconnected } = await service.configureIntegration(
        { db, clock: deps.clock, secretKey: deps.secretKey, network: deps.idm.network },
        actorOf(request),
        request.params.id,
        request.body,
      );
      if (reconnected) deps.idm.abort(request.params.id, 'reconfigured');
      return view;
    },
  );
}

/** The connection test. */
function connectionTestRoutes(app: App, deps: Deps): void {
  app.post(
    '/api/v1/applications/:id/idm/test',
    adminRoute({
      description: 'Test the connection. With writeCheck, a clearly named test user is created and deleted in the application.',
      params: idParams,
      body: z
        .object({ writeCheck: z.boolean().default(false) })
        .strict()
        .nullish(),
      response: { 200: testResultSchema },
    }),
    async (request) => checkIntegration(deps, actorOf(request), request.params.id, request.body?.writeCheck ?? false),
  );
}

/** Activating and deactivating the integration. */
function activationRoutes(app: App, deps: Deps): void {
  app.post(
    '/api/v1/applications/:id/idm/activate',
    adminRoute({
      description: 'Tests the connection, then activates the integration (422 with the problems when the test fails).',
      params: idParams,
      response: { 200: integrationViewSchema, 422: errors[400] },
    }),
    async (request) => activateIntegration(deps, actorOf(request), request.params.id),
  );

  app.post(
    '/api/v1/applications/:id/idm/deactivate',
    adminRoute({
      description:
        'Stops syncing at once: in-flight requests are aborted and queued work dropped. Users and groups in ' +
        'the application are left as they are.',
      params: idParams,
      response: { 200: integrationViewSchema },
    }),
    async (request) => deactivateIntegration(deps, actorOf(request), request.params.id),
  );
}
