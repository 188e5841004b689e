// Deleting an application with its integration: the delete and the stop signal to every process
// commit together; this process's work for the application is aborted once it is committed.
import { type ApplicationContext, deleteApplication } from '../applications/index.ts';
import { inTransaction } from '../db/database.ts';
import { onDb } from '../db/context.ts';
import { type IntegrationRuntime, publishStop } from '../integrations/index.ts';
import type { Actor } from '../shared/actor.ts';

export async function deleteApplicationWithIntegration(
  ctx: ApplicationContext & { idm: IntegrationRuntime },
  actor: Actor,
  applicationId: string,
): Promise<void> {
  await inTransaction(ctx.db, async (trx) => {
    await deleteApplication(onDb(ctx, trx), actor, applicationId);
    await publishStop(trx, applicationId, 'deleted');
  });
  ctx.idm.abort(applicationId, 'deleted');
}
