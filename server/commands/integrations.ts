// Turning an application's integration on and off: the integration's change and the provisioning
// work it causes (a full reconcile, or the queued syncs dropped) commit in one transaction.
import { onDb } from '../db/context.ts';
import { inTransaction } from '../db/database.ts';
import * as integrations from '../integrations/index.ts';
import { type ProvisioningContext, startProvisioning, stopProvisioning } from '../provisioning/index.ts';
import type { Actor } from '../shared/actor.ts';
import { AppError } from '../shared/errors.ts';

/** Tests the connection, then activates the integration (422 with the problems when the test fails). */
export async function activateIntegration(
  ctx: ProvisioningContext,
  actor: Actor,
  applicationId: string,
): Promise<integrations.IntegrationView> {
  const current = await integrations.getIntegration({ db: ctx.db }, actor.organizationId, applicationId);
  if (current.status === 'active') return current;
  const result = await integrations.checkIntegration(ctx, actor, applicationId, false);
  if (!result.ok) {
    const failed = result.problems.filter((p) => p.severity === 'error').map((p) => p.message);
    throw new AppError(
      'IDM_TEST_FAILED',
      422,
      `The connection test failed, so the integration stays inactive: ${failed.join(' ')}`,
      result.problems,
    );
  }
  return inTransaction(ctx.db, async (trx) => {
    const view = await integrations.activateIntegration(onDb(ctx, trx), actor, applicationId);
    // Activation and re-activation reconcile everything once.
    await startProvisioning(onDb(ctx, trx), actor.organizationId, applicationId);
    return view;
  });
}

/**
 * Stops syncing at once: the integration is marked inactive (every process is told at commit), this
 * process's requests in flight aborted, and the queued syncs dropped with the change.
 */
export async function deactivateIntegration(
  ctx: ProvisioningContext,
  actor: Actor,
  applicationId: string,
): Promise<integrations.IntegrationView> {
  const { view } = await inTransaction(ctx.db, async (trx) => {
    const done = await integrations.deactivateIntegration(onDb(ctx, trx), actor, applicationId);
    // Before the queued syncs are dropped (which also aborts a running one with the queue's reason): a
    // running sync must learn it was deactivated, so it ends cancelled and records what it left undone.
    ctx.idm.abort(applicationId, 'deactivated');
    if (done.changed) await stopProvisioning(onDb(ctx, trx), actor, applicationId);
    return done;
  });
  return view;
}
