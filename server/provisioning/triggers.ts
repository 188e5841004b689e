// What directory services call, inside the transaction of their change, when it may concern an
// application: a hint (what changed) and a coalescing sync job for each application whose
// integration is active. Both commit or roll back with the change.
//
// The services take (db, actor, ...) and no deps, so the job queue is registered here once at
// start-up (buildApp and registerWorkers do it). One queue per process; without one (a CLI that
// never built the app) the hints still commit and the next scheduled reconcile picks them up.
// This file imports no other module's code, so directory services can use it without an import cycle.
import type { Db } from '../db/database.ts';
import type { JobQueue } from '../jobs/index.ts';
import { newId } from '../shared/ids.ts';
import * as repo from './state.repository.ts';

export const PROVISIONING_SYNC_JOB = 'provisioning.sync';

/** Change-driven and manual syncs coalesce on this key... */
export const syncKey = (applicationId: string) => applicationId;
/** ...and the periodic reconcile on its own, so its far runAt never delays a change. */
export const scheduleKey = (applicationId: string) => `${applicationId}:scheduled`;

export type SyncTrigger = 'change' | 'manual' | 'activation' | 'confirm' | 'scheduled' | 'retry';

export interface SyncJobPayload {
  organizationId: string;
  applicationId: string;
  trigger: SyncTrigger;
}

let registered: JobQueue | undefined;

/**
 * "Due now" that also pulls forward a waiting job of the key that was put off. Set in the past:
 * pg-boss only sends its wake-up NOTIFY when start_after is not after the transaction's start.
 */
export const dueNow = () => new Date(Date.now() - 60_000);

export function useJobQueueForProvisioning(queue: JobQueue): void {
  registered = queue;
}

export function provisioningQueue(): JobQueue | undefined {
  return registered;
}

export const SYNC_JOB_OPTIONS = { maxAttempts: 5, backoffMs: 5000 } as const;

/** Enqueues a sync of the application in the caller's transaction. */
export async function enqueueSync(
  db: Db,
  organizationId: string,
  applicationId: string,
  trigger: SyncTrigger,
  runAt?: Date,
): Promise<void> {
  const queue = registered;
  if (!queue) return;
  const scheduled = trigger === 'scheduled' || trigger === 'retry';
  // A concurrent enqueue of the key racing a worker is settled inside the queue adapter (pgboss.ts).
  await queue.enqueue<SyncJobPayload>(
    db,
    PROVISIONING_SYNC_JOB,
    { organizationId, applicationId, trigger },
    {
      ...SYNC_JOB_OPTIONS,
      singletonKey: scheduled ? scheduleKey(applicationId) : syncKey(applicationId),
      organizationId,
      runAt,
    },
  );
}

async function hint(db: Db, organizationId: string, applicationIds: string[], kind: repo.HintRow['kind'], itemId: string): Promise<void> {
  if (applicationIds.length === 0) return;
  const now = new Date().toISOString();
  await repo.upsertHints(
    db,
    applicationIds.map((applicationId) => ({
      application_id: applicationId,
      organization_id: organizationId,
      kind,
      item_id: itemId,
      token: newId(),
      created_at: now,
    })),
  );
  // runAt now: a waiting job of the key may have been put off (see handleSyncJob); a change pulls it forward.
  for (const applicationId of applicationIds) await enqueueSync(db, organizationId, applicationId, 'change', dueNow());
}

/** Marks a full reconcile as owed (survives job coalescing, which keeps only the last payload) and enqueues it. */
export async function requestFullSync(db: Db, organizationId: string, applicationId: string, trigger: SyncTrigger): Promise<void> {
  const now = new Date().toISOString();
  await repo.ensureState(db, organizationId, applicationId, now);
  await repo.updateState(db, applicationId, { full_token: newId(), updated_at: now });
  await enqueueSync(db, organizationId, applicationId, trigger, dueNow());
}

/** A user's attributes or state changed, or he is about to be deleted (call before the delete). */
export async function notifyUserChanged(db: Db, organizationId: string, userId: string): Promise<void> {
  await hint(db, organizationId, await repo.activeApplicationsOfUser(db, organizationId, userId), 'user', userId);
}

/** A user joined or left a group. */
export async function notifyMembershipChanged(db: Db, organizationId: string, groupId: string, userId: string): Promise<void> {
  const apps = await repo.activeApplicationsOfGroup(db, organizationId, groupId);
  await hint(db, organizationId, apps, 'user', userId);
  if (apps.length) await hint(db, organizationId, apps, 'group', groupId);
}

/** A group was renamed. */
export async function notifyGroupChanged(db: Db, organizationId: string, groupId: string): Promise<void> {
  await hint(db, organizationId, await repo.activeApplicationsOfGroup(db, organizationId, groupId), 'group', groupId);
}

/** A group is about to be deleted (call before the delete): its members may leave scope everywhere it was bound. */
export async function notifyGroupDeleted(db: Db, organizationId: string, groupId: string): Promise<void> {
  for (const applicationId of await repo.activeApplicationsOfGroup(db, organizationId, groupId)) {
    await requestFullSync(db, organizationId, applicationId, 'change');
  }
}

/** A group was bound to or unbound from the application. */
export async function notifyBindingChanged(db: Db, organizationId: string, applicationId: string): Promise<void> {
  if (await repo.isIntegrationActive(db, organizationId, applicationId)) await requestFullSync(db, organizationId, applicationId, 'change');
}
