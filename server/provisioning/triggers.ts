// What a change that may concern an application causes, inside the change's transaction: a hint
// (what changed) and a coalescing sync job for each application whose integration is active. Both
// commit or roll back with the change.
//
// The directory and applications cannot import this module: deps.ts builds provisioningChanges() on
// the process's queue and hands it to their services as ctx.changes (DirectoryChanges and
// ApplicationChanges). Nothing here is module state: the queue is always passed in.
import type { ApplicationChanges } from '../applications/index.ts';
import type { Db } from '../db/database.ts';
import type { JobQueue } from '../jobs/index.ts';
import type { Clock } from '../shared/clock.ts';
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

/** What enqueuing a sync needs: the handle of the change's transaction, the time, and the queue. */
export interface TriggerContext {
  db: Db;
  clock: Clock;
  queue: JobQueue;
}

/**
 * "Due now" that also pulls forward a waiting job of the key that was put off. Set in the past:
 * pg-boss only sends its wake-up NOTIFY when start_after is not after the transaction's start.
 */
export const dueNow = (clock: Clock) => new Date(clock.now().getTime() - 60_000);

const SYNC_JOB_OPTIONS = { maxAttempts: 5, backoffMs: 5000 } as const;

/** Enqueues a sync of the application in the caller's transaction. */
export async function enqueueSync(
  ctx: TriggerContext,
  organizationId: string,
  applicationId: string,
  trigger: SyncTrigger,
  runAt?: Date,
): Promise<void> {
  const scheduled = trigger === 'scheduled' || trigger === 'retry';
  // A concurrent enqueue of the key racing a worker is settled inside the queue adapter (pgboss.ts).
  await ctx.queue.enqueue<SyncJobPayload>(
    ctx.db,
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

type HintKind = repo.HintRow['kind'];

/** Stores these hints (kind, item) for their applications and enqueues one sync per application. */
async function hintAll(
  ctx: TriggerContext,
  organizationId: string,
  hints: Array<{ application_id: string; kind: HintKind; item_id: string }>,
): Promise<void> {
  if (hints.length === 0) return;
  const now = ctx.clock.now().toISOString();
  await repo.upsertHints(
    ctx.db,
    hints.map((h) => ({ ...h, organization_id: organizationId, token: newId(), created_at: now })),
  );
  // runAt now: a waiting job of the key may have been put off (see handleSyncJob); a change pulls it forward.
  for (const applicationId of new Set(hints.map((h) => h.application_id)))
    await enqueueSync(ctx, organizationId, applicationId, 'change', dueNow(ctx.clock));
}

async function hint(ctx: TriggerContext, organizationId: string, applicationIds: string[], kind: HintKind, itemId: string): Promise<void> {
  await hintAll(
    ctx,
    organizationId,
    applicationIds.map((application_id) => ({ application_id, kind, item_id: itemId })),
  );
}

/** Marks a full reconcile as owed (survives job coalescing, which keeps only the last payload) and enqueues it. */
export async function requestFullSync(
  ctx: TriggerContext,
  organizationId: string,
  applicationId: string,
  trigger: SyncTrigger,
): Promise<void> {
  const now = ctx.clock.now().toISOString();
  await repo.ensureState(ctx.db, organizationId, applicationId, now);
  await repo.updateState(ctx.db, applicationId, { full_token: newId(), updated_at: now });
  await enqueueSync(ctx, organizationId, applicationId, trigger, dueNow(ctx.clock));
}

/** A user's attributes or state changed, or he is about to be deleted (call before the delete). */
export async function userChanged(ctx: TriggerContext, organizationId: string, userId: string): Promise<void> {
  await hint(ctx, organizationId, await repo.activeApplicationsOfUser(ctx.db, organizationId, userId), 'user', userId);
}

/** Many users' attributes changed at once: one hint per (application, user), one sync per application. */
export async function usersChanged(ctx: TriggerContext, organizationId: string, userIds: string[]): Promise<void> {
  const pairs = await repo.activeApplicationsOfUsers(ctx.db, organizationId, userIds);
  await hintAll(
    ctx,
    organizationId,
    pairs.map((p) => ({ application_id: p.application_id, kind: 'user' as const, item_id: p.user_id })),
  );
}

/**
 * Users joined or left a group: for each application the group is bound or pushed to (read once), a
 * hint for each user and one for the group; one sync per application.
 */
async function membershipsChanged(ctx: TriggerContext, organizationId: string, groupId: string, userIds: string[]): Promise<void> {
  if (userIds.length === 0) return;
  const apps = await repo.activeApplicationsOfGroup(ctx.db, organizationId, groupId);
  await hintAll(
    ctx,
    organizationId,
    apps.flatMap((application_id) => [
      ...userIds.map((userId) => ({ application_id, kind: 'user' as const, item_id: userId })),
      { application_id, kind: 'group' as const, item_id: groupId },
    ]),
  );
}

/** A group was renamed. */
async function groupChanged(ctx: TriggerContext, organizationId: string, groupId: string): Promise<void> {
  await hint(ctx, organizationId, await repo.activeApplicationsOfGroup(ctx.db, organizationId, groupId), 'group', groupId);
}

/** A group is about to be deleted (call before the delete): its members may leave scope everywhere it was bound. */
async function groupDeleted(ctx: TriggerContext, organizationId: string, groupId: string): Promise<void> {
  for (const applicationId of await repo.activeApplicationsOfGroup(ctx.db, organizationId, groupId)) {
    await requestFullSync(ctx, organizationId, applicationId, 'change');
  }
}

/** A group was bound to or unbound from the application. */
async function bindingChanged(ctx: TriggerContext, organizationId: string, applicationId: string): Promise<void> {
  if (await repo.isIntegrationActive(ctx.db, organizationId, applicationId))
    await requestFullSync(ctx, organizationId, applicationId, 'change');
}

/** The changes the directory and applications report, turned into hints and syncs on this queue. */
export function provisioningChanges(queue: JobQueue, clock: Clock): ApplicationChanges {
  const on = (db: Db): TriggerContext => ({ db, clock, queue });
  return {
    userChanged: (db, organizationId, userId) => userChanged(on(db), organizationId, userId),
    usersChanged: (db, organizationId, userIds) => usersChanged(on(db), organizationId, userIds),
    membershipChanged: (db, organizationId, groupId, userId) => membershipsChanged(on(db), organizationId, groupId, [userId]),
    membershipsChanged: (db, organizationId, groupId, userIds) => membershipsChanged(on(db), organizationId, groupId, userIds),
    groupChanged: (db, organizationId, groupId) => groupChanged(on(db), organizationId, groupId),
    groupDeleted: (db, organizationId, groupId) => groupDeleted(on(db), organizationId, groupId),
    bindingChanged: (db, organizationId, applicationId) => bindingChanged(on(db), organizationId, applicationId),
  };
}
