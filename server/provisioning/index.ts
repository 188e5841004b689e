// The provisioning module's public face. Directory services import triggers.ts directly (it has no
// dependencies on other modules' code, so no import cycle); everything else comes from here.
export {
  confirmDeprovisioning,
  handleSyncJob,
  registerProvisioningWorkers,
  requestSync,
  startProvisioning,
  stopProvisioning,
  syncUserNow,
} from './service.ts';
export type { UserSyncOutcome } from './service.ts';
export { getStatus, getSync, listSyncs } from './status.ts';
export type { ProvisioningStatus, SyncView } from './status.ts';
export { runSync } from './reconcile.ts';
export type { SyncOptions, SyncOutcome } from './reconcile.ts';
export type { SyncCounts } from './context.ts';
export {
  notifyBindingChanged,
  notifyGroupChanged,
  notifyGroupDeleted,
  notifyMembershipChanged,
  notifyUserChanged,
  PROVISIONING_SYNC_JOB,
  useJobQueueForProvisioning,
} from './triggers.ts';
