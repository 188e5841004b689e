// The provisioning module's public face. The directory and applications never import it: deps.ts
// hands them provisioningChanges() as ctx.changes.
export {
  confirmDeprovisioning,
  registerProvisioningWorkers,
  requestSync,
  startProvisioning,
  stopProvisioning,
  syncUserNow,
} from './service.ts';
export { getStatus, getSync, listSyncs } from './status.ts';
export { statusSchema, syncSchema, userOutcomeSchema } from './provisioning.schemas.ts';
export type { ProvisioningStatus, SyncView, UserSyncOutcome } from './provisioning.schemas.ts';
export { runSync } from './reconcile.ts';
export type { SyncOptions, SyncOutcome } from './reconcile.ts';
export type { SyncCounts } from './context.ts';
export { PROVISIONING_SYNC_JOB, provisioningChanges, type TriggerContext } from './triggers.ts';
export type { ProvisioningContext } from './context.ts';
