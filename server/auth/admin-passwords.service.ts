// Admins' own passwords: a signed-in admin changes his (the current password first, throttled like
// sign-in), an admin resets another's (API, or `roster admin reset-password` for lockouts). Either way
// the policy holds, and the admin's other sessions end with the change, in one transaction with its
// Insights event.
import { inTransaction } from '../db/database.ts';
import type { DbContext } from '../db/context.ts';
import { record } from '../insights/index.ts';
import type { Actor } from '../shared/actor.ts';
import { AppError, badRequest, notFound } from '../shared/errors.ts';
import * as repo from './admins.repository.ts';
import { adminResource, authEvent } from './events.ts';
import { assertPasswordPolicy } from './password-policy.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { deleteSessionsOfAdmin } from './sessions.repository.ts';
import { checkLoginThrottle, clearLoginFailures, loginLockedError, loginThrottleKeys, recordLoginFailure } from './throttle.ts';

async function newHash(row: repo.AdminRow, password: string, field: string): Promise<string> {
  assertPasswordPolicy(password, { username: row.email, email: row.email }, field);
  if (await verifyPassword(password, row.password_hash)) {
    throw badRequest('PASSWORD_UNCHANGED', 'The new password must differ from the current one', [
      { path: field, message: 'must differ from the current password' },
    ]);
  }
  return hashPassword(password);
}

/** The signed-in admin changes his own password; his other sessions end, this one stays. */
export async function changeOwnAdminPassword(
  { db, clock }: DbContext,
  actor: Actor,
  session: { sessionId: string | null },
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  if (actor.type !== 'admin' || !actor.id || !session.sessionId) {
    throw new AppError('SESSION_REQUIRED', 403, 'Only an admin signed in with a password can change it (API keys have none)');
  }
  const row = await repo.findAdminById(db, actor.organizationId, actor.id);
  if (!row) throw notFound('Admin', actor.id);
  const now = clock.now();
  const keys = loginThrottleKeys('admin', row.email_lower, actor.clientIp);
  const throttle = await checkLoginThrottle(db, actor.organizationId, keys, now);
  if (throttle.retryAfterSeconds !== undefined) throw loginLockedError(throttle.retryAfterSeconds);
  if (!(await verifyPassword(input.currentPassword, row.password_hash))) {
    await recordLoginFailure(db, actor.organizationId, keys, throttle, now);
    throw badRequest('CURRENT_PASSWORD_INCORRECT', 'Your current password is not correct', [
      { path: 'body.currentPassword', message: 'is not correct' },
    ]);
  }
  const hash = await newHash(row, input.newPassword, 'body.newPassword');
  await inTransaction(db, async (trx) => {
    await repo.updateAdmin(trx, actor.organizationId, row.id, { password_hash: hash, updated_at: clock.now().toISOString() });
    await deleteSessionsOfAdmin(trx, row.id, session.sessionId!);
    await clearLoginFailures(trx, actor.organizationId, keys, throttle);
    await record(
      { db: trx, clock },
      authEvent('admin_password_change', actor, adminResource(row), { message: 'changed by the admin; other sessions ended' }),
    );
  });
}

/** Sets another admin's password (an admin's API call, or the CLI for lockouts); all that admin's sessions end. */
export async function resetAdminPassword(
  { db, clock }: DbContext,
  actor: Actor,
  target: { id?: string; email?: string },
  password: string,
): Promise<void> {
  const row = await repo.findTargetAdmin(db, actor.organizationId, target);
  if (!row) throw notFound('Admin', target.id ?? target.email ?? '');
  if (actor.type === 'admin' && actor.id === row.id) {
    throw new AppError('USE_CHANGE_PASSWORD', 409, 'To change your own password, give your current one: POST /api/v1/auth/password');
  }
  const hash = await newHash(row, password, 'body.password');
  await inTransaction(db, async (trx) => {
    await repo.updateAdmin(trx, actor.organizationId, row.id, { password_hash: hash, updated_at: clock.now().toISOString() });
    await deleteSessionsOfAdmin(trx, row.id);
    await record(
      { db: trx, clock },
      authEvent('admin_password_reset', actor, adminResource(row), { message: "password reset; the admin's sessions ended" }),
    );
  });
}
