// Provisioning as the API and the workers see it: ask for a sync, provision one user now, confirm a
// guardrail pause, start and stop with the integration, and the sync job itself.
import { getApplication } from '../applications/index.ts';
import { onDb } from '../db/context.ts';
import { inTransaction } from '../db/database.ts';
import { record } from '../insights/index.ts';
import { loadScimConfig, stopReasonOf } from '../integrations/index.ts';
import type { ScimClient } from '../scim/index.ts';
import type { JobContext } from '../jobs/index.ts';
import type { Actor } from '../shared/actor.ts';
import { AppError, conflict, notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import * as accounts from './accounts.repository.ts';
import { applyUserOp } from './apply-users.ts';
import type { ProvisioningContext, SyncContext } from './context.ts';
import { applicationEvent } from './events.ts';
import { ProvisioningError } from './errors.ts';
import { persistUserResult, recordDeactivated, unfinishedOf } from './persist.ts';
import { isWanted, planUser, type Candidate, type UserOp } from './plan.ts';
import { pendingFromHints } from './pending.ts';
import { runSync } from './reconcile.ts';
import * as state from './state.repository.ts';
import type { SyncView, UserSyncOutcome } from './provisioning.schemas.ts';
import { toSyncView } from './status.ts';
import {
  enqueueSync,
  PROVISIONING_SYNC_JOB,
  requestFullSync,
  scheduleKey,
  syncKey,
  type SyncJobPayload,
  type TriggerContext,
  userChanged,
} from './triggers.ts';
import { loadCandidates } from './users-phase.ts';

const notActive = () => conflict('IDM_NOT_ACTIVE', 'The integration is not active: activate it to provision');

async function activeConfig(deps: ProvisioningContext, organizationId: string, applicationId: string) {
  const cfg = await loadScimConfig({ db: deps.db, secretKey: deps.secretKey }, organizationId, applicationId);
  if (cfg.status === 'inactive') throw notActive();
  return cfg;
}

/** A reconcile of everything, queued; the answer names the sync to follow. */
export async function requestSync(deps: ProvisioningContext, actor: Actor, applicationId: string): Promise<SyncView> {
  await activeConfig(deps, actor.organizationId, applicationId);
  const now = deps.clock.now().toISOString();
  const row = state.newSyncRow(
    {
      id: newId(),
      organization_id: actor.organizationId,
      application_id: applicationId,
      kind: 'full',
      trigger: 'manual',
      status: 'queued',
    },
    actor,
    now,
  );
  await inTransaction(deps.db, async (trx) => {
    await state.insertSync(trx, row);
    await requestFullSync(onDb(deps, trx), actor.organizationId, applicationId, 'manual');
  });
  return toSyncView(row);
}

/** Lets the deprovisioning a guardrail pause held back go ahead (at most the number shown). */
export async function confirmDeprovisioning(
  deps: ProvisioningContext,
  actor: Actor,
  applicationId: string,
): Promise<{ confirmed: number; sync: SyncView }> {
  await activeConfig(deps, actor.organizationId, applicationId);
  const { db } = deps;
  const st = await state.findState(db, applicationId);
  if (!st?.pause) throw conflict('NOT_PAUSED', 'Provisioning is not paused for this application');
  const pause = JSON.parse(st.pause) as { deprovisions: number };
  const app = await getApplication({ db }, actor.organizationId, applicationId);
  await inTransaction(db, async (trx) => {
    await state.updateState(trx, applicationId, { confirmed_count: pause.deprovisions, updated_at: deps.clock.now().toISOString() });
    await record(
      onDb(deps, trx),
      applicationEvent('provisioning_confirmed', actor, app, { changes: { deprovisions: pause.deprovisions } }),
    );
  });
  return { confirmed: pause.deprovisions, sync: await requestSync(deps, actor, applicationId) };
}

const USER_CLAIM_MS = 60_000;
const CLAIM_WAIT_MS = 10_000;

/** The operation a one-user sync makes: what a sync would do, and a check of an account that looks settled. */
function explicitOp(candidate: Candidate, deprovision: 'deactivate' | 'delete'): UserOp | null {
  const planned = planUser(candidate, { deprovision, retryOrphaned: true });
  const remoteId = candidate.link?.remote_id ?? candidate.account?.remote_id ?? undefined;
  return planned ?? (isWanted(candidate) && remoteId ? { kind: 'verify', candidate, remoteId } : null);
}

function skipped(applicationId: string, candidate: Candidate): UserSyncOutcome {
  const message =
    candidate.user?.state === 'STAGED'
      ? 'the user is STAGED'
      : isWanted(candidate)
        ? 'nothing to do'
        : 'the user is not in scope of the application and has no account Roster manages there';
  return { applicationId, userId: candidate.userId, outcome: 'skipped', message };
}

/**
 * Takes the user for a one-user sync (his account row made when missing), waiting a little for a sync
 * that is working on him; returns the claim's owner, to release.
 */
async function claimUser(
  deps: ProvisioningContext,
  organizationId: string,
  applicationId: string,
  userId: string,
  userName: string,
): Promise<string> {
  const { db } = deps;
  const owner = `${accounts.USER_SYNC_CLAIM_PREFIX}${newId()}`;
  await accounts.insertMissingAccounts(db, [
    accounts.pendingAccount(applicationId, organizationId, userId, userName, deps.clock.now().toISOString()),
  ]);
  // A running sync lets go of each user as soon as his operation is written down.
  const claim = async () => {
    const at = deps.clock.now();
    return (
      await accounts.claimAccounts(
        db,
        applicationId,
        [userId],
        owner,
        at.toISOString(),
        new Date(at.getTime() + USER_CLAIM_MS).toISOString(),
      )
    ).has(userId);
  };
  const until = deps.clock.now().getTime() + CLAIM_WAIT_MS;
  while (!(await claim())) {
    if (deps.clock.now().getTime() > until)
      throw conflict('USER_SYNC_IN_PROGRESS', 'A sync is working on this user right now; try again in a moment');
    await new Promise((r) => setTimeout(r, 100));
  }
  return owner;
}

/** Provisions (or deprovisions) one user now, checking his account against the application. */
export async function syncUserNow(
  deps: ProvisioningContext,
  actor: Actor,
  applicationId: string,
  userId: string,
): Promise<UserSyncOutcome> {
  const { db } = deps;
  const cfg = await activeConfig(deps, actor.organizationId, applicationId);
  const application = await getApplication({ db }, actor.organizationId, applicationId);
  const plan = { db, organizationId: actor.organizationId, application };
  const [first] = await loadCandidates(plan, [userId]);
  if (!first.user && !first.account) throw notFound('User', userId);
  if (!explicitOp(first, cfg.settings.deprovision)) return skipped(applicationId, first);

  const owner = await claimUser(deps, actor.organizationId, applicationId, userId, first.user?.username ?? userId);
  let client: ScimClient | undefined;
  try {
    // Read again under the claim: a sync may have just provisioned him.
    const [candidate] = await loadCandidates(plan, [userId]);
    const op = explicitOp(candidate, cfg.settings.deprovision);
    if (!op) return skipped(applicationId, candidate);
    const st = await state.findState(db, applicationId);
    client = deps.idm.client(applicationId, cfg.client, cfg.settings);
    const stopped = deps.idm.signalFor(applicationId);
    const ctx: SyncContext = {
      db,
      logger: deps.logger,
      clock: deps.clock,
      client,
      organizationId: actor.organizationId,
      application: { id: application.id, name: application.name },
      settings: cfg.settings,
      actor,
      signal: AbortSignal.any([stopped, AbortSignal.timeout(cfg.settings.requestTimeoutMs * 4)]),
      mode: { patch: st?.update_mode !== 'put' },
      learnPutOnly: async () => {
        ctx.mode.patch = false;
        await state.ensureState(db, actor.organizationId, applicationId, deps.clock.now().toISOString());
        await state.updateState(db, applicationId, { update_mode: 'put' });
      },
    };
    const result = await applyUserOp(ctx, op);
    if (result.kind === 'aborted') {
      const why = stopReasonOf(stopped);
      if (why === 'reconfigured')
        throw conflict('IDM_RECONFIGURED', "The integration's connection settings changed during the request; try again");
      if (!why)
        throw new AppError(
          'IDM_TIMEOUT',
          504,
          `The application did not answer within ${(cfg.settings.requestTimeoutMs * 4) / 1000} s; try again`,
        );
      await recordDeactivated(ctx, actor, ctx.application, [unfinishedOf(op)]);
      throw new AppError('IDM_DEACTIVATED', 409, 'integration deactivated');
    }
    const persisted = await persistUserResult(ctx, op, result);
    // His group memberships follow with the next sync.
    if (cfg.settings.groupManagement) await userChanged(deps, actor.organizationId, userId);
    const out: UserSyncOutcome = { applicationId, userId, outcome: persisted.outcome };
    if (persisted.remoteId) out.remoteId = persisted.remoteId;
    if (persisted.message) out.message = persisted.message;
    return out;
  } finally {
    await accounts.releaseClaims(db, applicationId, owner);
    await client?.close();
  }
}

/**
 * Activation (and re-activation): everything is reconciled once, and the periodic reconcile starts.
 * Runs on ctx.db: the activation command passes its transaction, so the integration's new status and
 * this sync commit together.
 */
export async function startProvisioning(ctx: TriggerContext, organizationId: string, applicationId: string): Promise<void> {
  await inTransaction(ctx.db, async (trx) => {
    await state.ensureState(trx, organizationId, applicationId, ctx.clock.now().toISOString());
    await state.updateState(trx, applicationId, { pause: null, paused_at: null, confirmed_count: null, next_full_at: null });
    await requestFullSync(onDb(ctx, trx), organizationId, applicationId, 'activation');
  });
}

/**
 * Deactivation, in the transaction that marks the integration inactive (the deactivation command
 * passes it as deps.db): queued syncs are dropped, and the operations they still owed recorded as
 * "integration deactivated". A sync running somewhere records its own (the command aborts this
 * process's requests in flight after the commit); when none runs, the owed work is recorded here.
 */
export async function stopProvisioning(deps: ProvisioningContext, actor: Actor, applicationId: string): Promise<void> {
  const { db } = deps;
  await deps.queue.cancel(db, PROVISIONING_SYNC_JOB, syncKey(applicationId));
  await deps.queue.cancel(db, PROVISIONING_SYNC_JOB, scheduleKey(applicationId));
  const now = deps.clock.now().toISOString();
  await state.updateSyncs(
    db,
    (await state.listSyncsByStatus(db, applicationId, ['queued'])).map((s) => s.id),
    {
      status: 'cancelled',
      error: 'integration deactivated',
      finished_at: now,
    },
  );
  const st = await state.findState(db, applicationId);
  if (st?.lock_owner && st.lock_until && st.lock_until > now) return;
  const cfg = await loadScimConfig({ db, secretKey: deps.secretKey }, actor.organizationId, applicationId);
  const application = await getApplication({ db }, actor.organizationId, applicationId);
  const ctx = { db, organizationId: actor.organizationId, application, settings: cfg.settings };
  const pending = await pendingFromHints(ctx, await state.deleteAllHints(db, applicationId), new Set());
  if (pending.length) await recordDeactivated(deps, actor, { id: application.id, name: application.name }, pending);
}

const BUSY_SAFETY_MS = 1000;

/**
 * The sync job: one sync. When another sync holds the application's lock, that one enqueues a
 * follow-up when it ends; this job only leaves a safety net for the case its holder dies (the lock
 * then runs out and the net fires).
 */
async function handleSyncJob(deps: ProvisioningContext, payload: SyncJobPayload, ctx: JobContext): Promise<void> {
  const outcome = await runSync(deps, {
    organizationId: payload.organizationId,
    applicationId: payload.applicationId,
    trigger: payload.trigger,
    signal: ctx.signal,
  });
  if (outcome.status === 'busy') {
    const now = deps.clock.now().getTime();
    const expires = outcome.lockUntil ? Date.parse(outcome.lockUntil) : now;
    await enqueueSync(
      deps,
      payload.organizationId,
      payload.applicationId,
      payload.trigger,
      new Date(Math.max(expires, now) + BUSY_SAFETY_MS),
    );
  } else if (outcome.status === 'interrupted') {
    // Handed back to the queue (a shutdown does not use up an attempt).
    throw new ProvisioningError('SYNC_INTERRUPTED', outcome.error ?? 'interrupted');
  }
}

export function registerProvisioningWorkers(deps: ProvisioningContext): void {
  deps.queue.work<SyncJobPayload>(PROVISIONING_SYNC_JOB, (payload, ctx) => handleSyncJob(deps, payload, ctx), { concurrency: 4 });
  // Every active integration gets its periodic reconcile (after an upgrade, or a crash between
  // activation and its first sync). Coalescing makes this idempotent.
  void (async () => {
    for (const { organizationId, applicationId } of await state.listActiveApplicationIds(deps.db)) {
      const st = await state.findState(deps.db, applicationId);
      await enqueueSync(deps, organizationId, applicationId, 'scheduled', st?.next_full_at ? new Date(st.next_full_at) : undefined);
    }
  })().catch((err: unknown) => deps.logger.warn({ err }, 'could not schedule the periodic provisioning reconciles'));
}
