// Writing down what a user operation did: the account state, the link and its Insights event, in one
// transaction, so the state never claims what the audit trail does not show.
import { inTransaction, type Db } from '../db/database.ts';
import { record, recordMany, type InsightEventInput } from '../insights/index.ts';
import type { Actor } from '../shared/actor.ts';
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
export function nextAttemptAt(now: Date, attempts: number): string {
  return new Date(now.getTime() + Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempts - 1))).toISOString();
}

export interface Persisted {
  outcome: 'created' | 'linked' | 'updated' | 'unchanged' | 'deprovisioned' | 'deleted' | 'removed' | 'skipped' | 'failed';
  remoteId?: string;
  message?: string;
  errorCode?: string;
}

export async function persistUserResult(ctx: SyncContext, op: UserOp, result: UserResult): Promise<Persisted> {
  const c = op.candidate;
  const app = ctx.application.id;
  const now = ctx.clock.now();
  const iso = now.toISOString();
  const username = c.user?.username ?? c.account?.user_name ?? c.userId;
  const event = (e: Partial<InsightEventInput>): InsightEventInput => ({
    eventType: eventTypeOf(op, result),
    service: 'provisioning',
    actor: ctx.actor,
    resource: { type: 'user', id: c.userId, username },
    application: ctx.application,
    ...e,
  });
  const settled = (remoteId: string, operation: string): Partial<accounts.AccountRow> => ({
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
  });
  const ensureLink = async (db: Db, remoteId: string, remoteUserName: string) => {
    if (c.link?.remote_id === remoteId) return;
    await accounts.deleteLinkOfUser(db, app, c.userId);
    await accounts.insertLink(db, {
      organization_id: ctx.organizationId,
      application_id: app,
      user_id: c.userId,
      remote_id: remoteId,
      remote_user_name: remoteUserName,
      origin: 'provision',
      created_at: iso,
      updated_at: iso,
    });
  };

  switch (result.kind) {
    case 'aborted':
      return { outcome: 'skipped', message: DEACTIVATED_MESSAGE };
    case 'created': {
      const remoteId = result.remote.id as string;
      await inTransaction(ctx.db, async (trx) => {
        if (c.link && c.link.remote_id !== remoteId) await forgetMemberEverywhere(trx, app, c.link.remote_id);
        await ensureLink(trx, remoteId, result.remote.userName ?? username);
        await accounts.updateAccount(trx, app, c.userId, settled(remoteId, 'create'));
        const message = result.adoptedVia
          ? `linked to the account that already existed in the application (found by ${result.adoptedVia})`
          : result.recreated
            ? 'created again: the account had been removed from the application'
            : undefined;
        await record(
          { db: trx },
          event({
            changes: {
              remoteId,
              userName: result.remote.userName,
              adopted: Boolean(result.adoptedVia),
              recreated: Boolean(result.recreated),
              attributes: result.changed,
            },
            message,
          }),
        );
      });
      return { outcome: result.adoptedVia ? 'linked' : 'created', remoteId };
    }
    case 'updated':
      await inTransaction(ctx.db, async (trx) => {
        await ensureLink(trx, result.remoteId, username);
        await accounts.updateAccount(trx, app, c.userId, settled(result.remoteId, 'update'));
        await record(
          { db: trx },
          event({
            changes: { remoteId: result.remoteId, attributes: result.changed, reactivated: result.reactivated, method: result.method },
          }),
        );
      });
      return { outcome: 'updated', remoteId: result.remoteId };
    case 'unchanged': {
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
        await inTransaction(ctx.db, async (trx) => {
          await ensureLink(trx, result.remoteId, username);
          await accounts.updateAccount(trx, app, c.userId, settled(result.remoteId, a?.last_operation ?? 'update'));
        });
      } else {
        await accounts.updateAccount(ctx.db, app, c.userId, RELEASED);
      }
      return { outcome: 'unchanged', remoteId: result.remoteId };
    }
    case 'deprovisioned':
      await inTransaction(ctx.db, async (trx) => {
        // A deleted user's row was only kept to get here.
        if (c.user) {
          await accounts.updateAccount(trx, app, c.userId, {
            pushed_active: 0,
            status: 'ok',
            last_operation: 'deprovision',
            last_error: null,
            attempts: 0,
            next_attempt_at: null,
            last_synced_at: iso,
            updated_at: iso,
            ...RELEASED,
          });
        } else {
          await accounts.deleteAccount(trx, app, c.userId);
        }
        await record({ db: trx }, event({ changes: { remoteId: result.remoteId, method: result.method, active: false } }));
      });
      return { outcome: 'deprovisioned', remoteId: result.remoteId };
    case 'deleted':
    case 'gone':
      await inTransaction(ctx.db, async (trx) => {
        await accounts.deleteLinkByRemoteId(trx, app, result.remoteId);
        await accounts.deleteAccount(trx, app, c.userId);
        await forgetMemberEverywhere(trx, app, result.remoteId);
        await record(
          { db: trx },
          event({
            changes: { remoteId: result.remoteId },
            message: result.kind === 'gone' ? 'the account no longer existed in the application' : undefined,
          }),
        );
      });
      return { outcome: result.kind === 'gone' ? 'removed' : 'deleted', remoteId: result.remoteId };
    case 'forgotten':
      await accounts.deleteAccount(ctx.db, app, c.userId);
      return { outcome: 'skipped' };
    case 'failed': {
      const f = describe(result.error);
      if (f.unexpected)
        ctx.logger.error({ err: result.error, applicationId: app, userId: c.userId }, 'provisioning operation failed unexpectedly');
      const attempts = (c.account?.attempts ?? 0) + 1;
      const orphaned = f.code === 'ORPHANED_ACCOUNT';
      await inTransaction(ctx.db, async (trx) => {
        await accounts.updateAccount(trx, app, c.userId, {
          user_name: username,
          status: orphaned ? 'orphaned' : 'failed',
          last_operation: op.kind,
          last_error: f.message,
          attempts,
          next_attempt_at: nextAttemptAt(now, attempts),
          updated_at: iso,
          ...RELEASED,
        });
        await record({ db: trx }, event({ success: false, message: f.message, changes: { remoteId: op.remoteId, code: f.code } }));
      });
      return { outcome: 'failed', message: f.message, errorCode: f.code, remoteId: op.remoteId };
    }
  }
}

/** "integration deactivated" for every operation that was running or still to come. */
export async function recordDeactivated(
  db: Db,
  actor: Actor,
  application: { id: string; name: string },
  unfinished: Unfinished[],
): Promise<void> {
  const timestamp = new Date().toISOString();
  await recordMany(
    { db },
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
