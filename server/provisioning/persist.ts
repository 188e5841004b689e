// Writing down what a user operation did: the account state, the link and its Insights event, in one
// transaction, so the state never claims what the audit trail does not show.
import { backoffDelay } from '../shared/backoff.ts';
import type { DbContext } from '../db/context.ts';
import { inTransaction, type Db } from '../db/database.ts';
import { record, recordMany, type InsightEventInput } from '../insights/index.ts';
import type { Actor } from '../shared/actor.ts';
import { links } from '../integrations/index.ts';
import * as accounts from './accounts.repository.ts';
import type { UserResult } from './apply-users.ts';
import { eventTypeOf } from './apply-users.ts';
import type { SyncContext, Unfinished } from './context.ts';
import { DEACTIVATED_MESSAGE, describe } from './errors.ts';
import { forgetMemberEverywhere } from './groups.repository.ts';
import { desiredAttributes, type UserOp } from './plan.ts';

const RETRY_BASE_MS = 60_000;
/** Each write of a result also lets go of the user, so a one-user sync never waits for the whole run. */
const RELEASED = { claimed_by: null, claimed_until: null } as const;
const RETRY_MAX_MS = 6 * 60 * 60_000;

/** Failed operations wait longer after each failure (1 min, 2, 4... up to 6 h) before a sync retries them. */
function nextAttemptAt(now: Date, attempts: number): string {
  const delay = backoffDelay(Math.max(0, attempts - 1), { baseMs: RETRY_BASE_MS, maxMs: RETRY_MAX_MS, jitter: 'none' });
  return new Date(now.getTime() + delay).toISOString();
}

export interface Persisted {
  outcome: 'created' | 'linked' | 'updated' | 'unchanged' | 'deprovisioned' | 'deleted' | 'removed' | 'skipped' | 'failed';
  remoteId?: string;
  message?: string;
  errorCode?: string;
}

type Result<K extends UserResult['kind']> = Extract<UserResult, { kind: K }>;

/** What writing one result needs: the operation, the time, and the pieces every kind of result writes. */
interface Writing {
  ctx: SyncContext;
  op: UserOp;
  app: string;
  now: Date;
  iso: string;
  username: string;
  event(e: Partial<InsightEventInput>): InsightEventInput;
  /** The account as pushed and in sync. */
  settled(remoteId: string, operation: string): Partial<accounts.AccountRow>;
  /** The link to this remote account (replacing a link to another one). */
  ensureLink(db: Db, remoteId: string, remoteUserName: string): Promise<void>;
}

function writingOf(ctx: SyncContext, op: UserOp, result: UserResult): Writing {
  const c = op.candidate;
  const app = ctx.application.id;
  const now = ctx.clock.now();
  const iso = now.toISOString();
  const username = c.user?.username ?? c.account?.user_name ?? c.userId;
  return {
    ctx,
    op,
    app,
    now,
    iso,
    username,
    event: (e) => ({
      eventType: eventTypeOf(op, result),
      service: 'provisioning',
      actor: ctx.actor,
      resource: { type: 'user', id: c.userId, username },
      application: ctx.application,
      ...e,
    }),
    settled: (remoteId, operation) => ({
      remote_id: remoteId,
      user_name: username,
      pushed_attributes: c.user ? JSON.stringify(desiredAttributes(c.user)) : null,
      pushed_active: 1,
      status: 'ok',
      last_operation: operation,
      last_error: null,
      attempts: 0,
      next_attempt_at: null,
      last_synced_at: iso,
      updated_at: iso,
      ...RELEASED,
    }),
    ensureLink: async (db, remoteId, remoteUserName) => {
      if (c.link?.remote_id === remoteId) return;
      await links.deleteLink(db, app, c.userId);
      await links.insertLink(db, {
        organization_id: ctx.organizationId,
        application_id: app,
        user_id: c.userId,
        remote_id: remoteId,
        remote_user_name: remoteUserName,
        origin: 'provision',
        created_at: iso,
        updated_at: iso,
      });
    },
  };
}

async function persistCreated(w: Writing, result: Result<'created'>): Promise<Persisted> {
  const c = w.op.candidate;
  const remoteId = result.remote.id as string;
  await inTransaction(w.ctx.db, async (trx) => {
    if (c.link && c.link.remote_id !== remoteId) await forgetMemberEverywhere(trx, w.app, c.link.remote_id);
    await w.ensureLink(trx, remoteId, result.remote.userName ?? w.username);
    await accounts.updateAccount(trx, w.app, c.userId, w.settled(remoteId, 'create'));
    const message = result.adoptedVia
      ? `linked to the account that already existed in the application (found by ${result.adoptedVia})`
      : result.recreated
        ? 'created again: the account had been removed from the application'
        : undefined;
    const changes = {
      remoteId,
      userName: result.remote.userName,
      adopted: Boolean(result.adoptedVia),
      recreated: Boolean(result.recreated),
      attributes: result.changed,
    };
    await record({ db: trx, clock: w.ctx.clock }, w.event({ changes, message }));
  });
  return { outcome: result.adoptedVia ? 'linked' : 'created', remoteId };
}

async function persistUpdated(w: Writing, result: Result<'updated'>): Promise<Persisted> {
  await inTransaction(w.ctx.db, async (trx) => {
    await w.ensureLink(trx, result.remoteId, w.username);
    await accounts.updateAccount(trx, w.app, w.op.candidate.userId, w.settled(result.remoteId, 'update'));
    const changes = { remoteId: result.remoteId, attributes: result.changed, reactivated: result.reactivated, method: result.method };
    await record({ db: trx, clock: w.ctx.clock }, w.event({ changes }));
  });
  return { outcome: 'updated', remoteId: result.remoteId };
}

async function persistUnchanged(w: Writing, result: Result<'unchanged'>): Promise<Persisted> {
  const c = w.op.candidate;
  const a = c.account;
  const pushed = c.user ? JSON.stringify(desiredAttributes(c.user)) : null;
  if (
    !a ||
    a.status !== 'ok' ||
    a.pushed_active !== 1 ||
    a.remote_id !== result.remoteId ||
    a.pushed_attributes !== pushed ||
    c.link?.remote_id !== result.remoteId
  ) {
    await inTransaction(w.ctx.db, async (trx) => {
      await w.ensureLink(trx, result.remoteId, w.username);
      await accounts.updateAccount(trx, w.app, c.userId, w.settled(result.remoteId, a?.last_operation ?? 'update'));
    });
  } else {
    await accounts.updateAccount(w.ctx.db, w.app, c.userId, RELEASED);
  }
  return { outcome: 'unchanged', remoteId: result.remoteId };
}

async function persistDeprovisioned(w: Writing, result: Result<'deprovisioned'>): Promise<Persisted> {
  const c = w.op.candidate;
  await inTransaction(w.ctx.db, async (trx) => {
    // A deleted user's row was only kept to get here.
    if (c.user) {
      await accounts.updateAccount(trx, w.app, c.userId, {
        pushed_active: 0,
        status: 'ok',
        last_operation: 'deprovision',
        last_error: null,
        attempts: 0,
        next_attempt_at: null,
        last_synced_at: w.iso,
        updated_at: w.iso,
        ...RELEASED,
      });
    } else {
      await accounts.deleteAccount(trx, w.app, c.userId);
    }
    await record(
      { db: trx, clock: w.ctx.clock },
      w.event({ changes: { remoteId: result.remoteId, method: result.method, active: false } }),
    );
  });
  return { outcome: 'deprovisioned', remoteId: result.remoteId };
}

async function persistDeleted(w: Writing, result: Result<'deleted' | 'gone'>): Promise<Persisted> {
  await inTransaction(w.ctx.db, async (trx) => {
    await links.deleteLinkByRemoteId(trx, w.app, result.remoteId);
    await accounts.deleteAccount(trx, w.app, w.op.candidate.userId);
    await forgetMemberEverywhere(trx, w.app, result.remoteId);
    const message = result.kind === 'gone' ? 'the account no longer existed in the application' : undefined;
    await record({ db: trx, clock: w.ctx.clock }, w.event({ changes: { remoteId: result.remoteId }, message }));
  });
  return { outcome: result.kind === 'gone' ? 'removed' : 'deleted', remoteId: result.remoteId };
}

async function persistFailed(w: Writing, result: Result<'failed'>): Promise<Persisted> {
  const { ctx, op } = w;
  const c = op.candidate;
  const f = describe(result.error);
  if (f.unexpected)
    ctx.logger.error({ err: result.error, applicationId: w.app, userId: c.userId }, 'provisioning operation failed unexpectedly');
  const attempts = (c.account?.attempts ?? 0) + 1;
  const orphaned = f.code === 'ORPHANED_ACCOUNT';
  await inTransaction(ctx.db, async (trx) => {
    await accounts.updateAccount(trx, w.app, c.userId, {
      user_name: w.username,
      status: orphaned ? 'orphaned' : 'failed',
      last_operation: op.kind,
      last_error: f.message,
      attempts,
      next_attempt_at: nextAttemptAt(w.now, attempts),
      updated_at: w.iso,
      ...RELEASED,
    });
    await record(
      { db: trx, clock: w.ctx.clock },
      w.event({ success: false, message: f.message, changes: { remoteId: op.remoteId, code: f.code } }),
    );
  });
  return { outcome: 'failed', message: f.message, errorCode: f.code, remoteId: op.remoteId };
}

export async function persistUserResult(ctx: SyncContext, op: UserOp, result: UserResult): Promise<Persisted> {
  const w = writingOf(ctx, op, result);
  switch (result.kind) {
    case 'aborted':
      return { outcome: 'skipped', message: DEACTIVATED_MESSAGE };
    case 'created':
      return persistCreated(w, result);
    case 'updated':
      return persistUpdated(w, result);
    case 'unchanged':
      return persistUnchanged(w, result);
    case 'deprovisioned':
      return persistDeprovisioned(w, result);
    case 'deleted':
    case 'gone':
      return persistDeleted(w, result);
    case 'forgotten':
      await accounts.deleteAccount(ctx.db, w.app, op.candidate.userId);
      return { outcome: 'skipped' };
    case 'failed':
      return persistFailed(w, result);
  }
}

/** "integration deactivated" for every operation that was running or still to come. */
export async function recordDeactivated(
  { db, clock }: DbContext,
  actor: Actor,
  application: { id: string; name: string },
  unfinished: Unfinished[],
): Promise<void> {
  const timestamp = clock.now().toISOString();
  await recordMany(
    { db, clock },
    unfinished.map((u): InsightEventInput => ({
      eventType: u.eventType,
      service: 'provisioning',
      success: false,
      actor,
      resource: u.resource,
      application,
      message: DEACTIVATED_MESSAGE,
      timestamp,
    })),
  );
}

export function unfinishedOf(op: UserOp): Unfinished {
  const c = op.candidate;
  return {
    eventType: eventTypeOf(op, { kind: 'aborted' }),
    resource: { type: 'user', id: c.userId, username: c.user?.username ?? c.account?.user_name ?? c.userId },
  };
}
