import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { actorOf } from '../auth.ts';
import { type App, errors, idParams } from '../common.ts';
import { startProvisioning, stopProvisioning } from '../../provisioning/index.ts';
import { AppError } from '../../shared/errors.ts';
import { testConnection } from '../../integrations/index.ts';
import { integrationViewSchema, putIntegrationSchema, testResultSchema } from '../../integrations/index.ts';
import * as service from '../../integrations/index.ts';

/** Runs the connection test with the stored configuration and records it. */
async function runTest(deps: Deps, actor: ReturnType<typeof actorOf>, applicationId: string, writeCheck: boolean) {
  const { db } = deps.database;
  const cfg = await service.loadScimConfig(db, deps.secretKey, actor.organizationId, applicationId);
  const client = deps.idm.client(applicationId, cfg.client, cfg.settings);
  try {
    const result = await testConnection(client, {
      writeCheck,
      needGroups: cfg.settings.groupManagement,
      signal: AbortSignal.timeout(cfg.settings.requestTimeoutMs * 4),
    });
    await service.saveTestResult(db, actor, applicationId, result, deps.clock);
    return result;
  } finally {
    await client.close();
  }
}
export function integrationRoutes(app: App, deps: Deps): void {
  configurationRoutes(app, deps);
  connectionTestRoutes(app, deps);
  activationRoutes(app, deps);
}

/** The integration's configuration: read, write. */
function configurationRoutes(app: App, deps: Deps): void {
  const { db } = deps.database;
  app.get(
    '/api/v1/applications/:id/idm',
    {
      config: { auth: 'admin' },
      schema: { tags: ['identity management'], params: idParams, response: { 200: integrationViewSchema, ...errors } },
    },
    async (request) => service.getIntegration(db, actorOf(request).organizationId, request.params.id),
  );

  app.put(
    '/api/v1/applications/:id/idm',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['identity management'],
        description:
          'Configure the SCIM integration. Secrets are write-only: leave them out to keep the stored ones. A ' +
          'new address, credentials or headers stop the work in flight at once in every process; it resumes ' +
          'with the new ones.',
        params: idParams,
        body: putIntegrationSchema,
        response: { 200: integrationViewSchema, ...errors },
      },
    },
    async (request) => {
      const { view, reconnected } = await service.configureIntegration(
        db,
        { secretKey: deps.secretKey, network: deps.idm.network },
        actorOf(request),
        request.params.id,
        request.body,
        deps.clock,
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
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['identity management'],
        description: 'Test the connection. With writeCheck, a clearly named test user is created and deleted in the application.',
        params: idParams,
        body: z
          .object({ writeCheck: z.boolean().default(false) })
          .strict()
          .nullish(),
        response: { 200: testResultSchema, ...errors },
      },
    },
    async (request) => runTest(deps, actorOf(request), request.params.id, request.body?.writeCheck ?? false),
  );
}

/** Activating and deactivating the integration. */
function activationRoutes(app: App, deps: Deps): void {
  const { db } = deps.database;
  app.post(
    '/api/v1/applications/:id/idm/activate',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['identity management'],
        description: 'Tests the connection, then activates the integration (422 with the problems when the test fails).',
        params: idParams,
        response: { 200: integrationViewSchema, 422: errors[400], ...errors },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const current = await service.getIntegration(db, actor.organizationId, request.params.id);
      if (current.status === 'active') return current;
      const result = await runTest(deps, actor, request.params.id, false);
      if (!result.ok) {
        throw new AppError(
          'IDM_TEST_FAILED',
          422,
          `The connection test failed, so the integration stays inactive: ${result.problems
            .filter((p) => p.severity === 'error')
            .map((p) => p.message)
            .join(' ')}`,
          result.problems,
        );
      }
      const view = await service.activateIntegration(db, actor, request.params.id, deps.clock);
      // Activation and re-activation reconcile everything once.
      await startProvisioning(deps, actor.organizationId, request.params.id);
      return view;
    },
  );

  app.post(
    '/api/v1/applications/:id/idm/deactivate',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['identity management'],
        description:
          'Stops syncing at once: in-flight requests are aborted and queued work dropped. Users and groups in ' +
          'the application are left as they are.',
        params: idParams,
        response: { 200: integrationViewSchema, ...errors },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const { view, changed } = await service.deactivateIntegration(db, actor, request.params.id, deps.clock);
      deps.idm.abort(request.params.id, 'deactivated');
      if (changed) await stopProvisioning(deps, actor, request.params.id);
      return view;
    },
  );
}
