// Users' sign-in to their portal: username or email and password, throttled and locked out like
// admins (login_throttle: the user as tried from the client's address, see auth/throttle.ts), and
// sessions of their own (user_sessions, their own cookie), so an admin session never stands for a user
// and a user session never for an admin.
import type { DbContext } from '../db/context.ts';
import {
  assertPasswordPolicy,
  authEvent,
  burnPasswordCheck,
  checkLoginThrottle,
  clearLoginFailures,
  hashPassword,
  loginLockedError,
  loginThrottleKeys,
  needsRehash,
  newSessionToken,
  recordLoginFailure,
  slideSession,
  userResource,
  verifyPassword,
} from '../auth/index.ts';
import { type Db, inTransaction } from '../db/database.ts';
import { findUserByLogin, findUserWithHash, getUser, replacePasswordHash, type User, type UserRecord } from '../directory/index.ts';
import { record } from '../insights/index.ts';
import type { Actor } from '../shared/actor.ts';
import { AppError } from '../shared/errors.ts';
import * as repo from './accounts.repository.ts';
import { setPasswordIn } from './activation.service.ts';

/** A session slides with activity but never outlives this. */
const USER_SESSION_ABSOLUTE_MAX_MS = 24 * 60 * 60_000;

/** Who may sign in: an ACTIVE user whose registration is complete. */
const maySignIn = (u: Pick<UserRecord, 'state' | 'password_status'>) => u.state === 'ACTIVE' && u.password_status === 'ACTIVE';

const USER_SESSIONS = {
  find: repo.findUserSessionWithUser,
  delete: repo.deleteUserSession,
  touch: repo.touchUserSession,
  absoluteMaxMs: USER_SESSION_ABSOLUTE_MAX_MS,
};

const invalidCredentials = () => new AppError('INVALID_CREDENTIALS', 401, 'Username, email or password is incorrect');

export interface UserLoginInput {
  organizationId: string;
  login: string;
  password: string;
  clientIp?: string | null;
  userAgent?: string | null;
  ttlMinutes: number;
}

export interface UserLoginResult {
  user: User;
  sessionToken: string;
  expiresAt: string;
}

/**
 * Unknown logins, wrong passwords, suspended users and unfinished registrations all get the same
 * answer after the same scrypt work, and all count towards the lockout; only Insights (for admins)
 * says which it was. The lockout counts the user (whichever of username or email was typed) from the
 * client's address; Insights names the user, never text typed for an unknown login.
 */
export async function userLogin({ db, clock }: DbContext, input: UserLoginInput): Promise<UserLoginResult> {
  const login = input.login.trim();
  const now = clock.now();
  const user = await findUserByLogin(db, input.organizationId, login.normalize('NFC').toLowerCase());
  const keys = loginThrottleKeys('user', user?.id ?? login, input.clientIp);
  const actor: Actor = {
    type: 'user',
    id: user?.id ?? null,
    email: user?.email ?? null,
    organizationId: input.organizationId,
    clientIp: input.clientIp,
  };
  const attempt = async (handle: Db, success: boolean, message?: string) =>
    record({ db: handle, clock }, authEvent('user_login_attempt', actor, userResource(user), { success, message }));

  const throttle = await checkLoginThrottle(db, input.organizationId, keys, now);
  if (throttle.retryAfterSeconds !== undefined) {
    await attempt(db, false, 'temporarily locked after repeated failures from this address');
    throw loginLockedError(throttle.retryAfterSeconds);
  }

  const ok = user?.password_hash
    ? await verifyPassword(input.password, user.password_hash)
    : (await burnPasswordCheck(input.password), false);
  if (!user || !ok || !maySignIn(user)) {
    await recordLoginFailure(db, input.organizationId, keys, throttle, now);
    const why = !user
      ? 'unknown username or email (what was typed is not recorded)'
      : !ok && user.password_hash
        ? 'wrong password'
        : user.password_status !== 'ACTIVE'
          ? `registration not complete (password ${user.password_status})`
          : user.state !== 'ACTIVE'
            ? `user is ${user.state}`
            : 'wrong password';
    await attempt(db, false, why);
    throw invalidCredentials();
  }

  const { token: sessionToken, id: sessionId, expiresAt } = newSessionToken(now, input.ttlMinutes);
  const rehash = user.password_hash && needsRehash(user.password_hash) ? await hashPassword(input.password) : undefined;
  await inTransaction(db, async (trx) => {
    await clearLoginFailures(trx, input.organizationId, keys, throttle);
    if (rehash) await replacePasswordHash(trx, user.id, rehash);
    await repo.deleteExpiredUserSessionsOf(trx, user.id, now.toISOString());
    await repo.insertUserSession(trx, {
      id: sessionId,
      organization_id: user.organization_id,
      user_id: user.id,
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: expiresAt,
      client_ip: input.clientIp ?? null,
      user_agent: input.userAgent?.slice(0, 500) ?? null,
    });
    await attempt(trx, true);
  });
  return { user: await getUser({ db }, user.organization_id, user.id), sessionToken, expiresAt };
}

export interface UserSession {
  sessionId: string;
  userId: string;
  organizationId: string;
  actor: Actor;
}

/** The session behind a cookie, or undefined. Ends sessions that expired or whose user may no longer sign in. */
export async function resolveUserSession({ db, clock }: DbContext, token: string, ttlMinutes: number): Promise<UserSession | undefined> {
  const found = await slideSession(db, USER_SESSIONS, token, clock.now(), ttlMinutes, maySignIn);
  if (!found) return undefined;
  const { id, session: s } = found;
  return {
    sessionId: id,
    userId: s.user_id,
    organizationId: s.organization_id,
    actor: { type: 'user', id: s.user_id, email: s.email, organizationId: s.organization_id },
  };
}

export async function endUserSession({ db }: Pick<DbContext, 'db'>, sessionId: string): Promise<void> {
  await repo.deleteUserSession(db, sessionId);
}

/**
 * The signed-in user changes his password. A wrong current password counts towards the lockout of
 * his username, so a stolen session can't be used to guess it.
 */
export async function changeOwnPassword(
  { db, clock }: DbContext,
  session: UserSession,
  input: { currentPassword: string; newPassword: string; clientIp?: string | null },
): Promise<void> {
  const now = clock.now();
  const user = await findUserWithHash(db, session.organizationId, session.userId);
  if (!user?.password_hash) throw new AppError('UNAUTHENTICATED', 401, 'Sign in to your account');
  const keys = loginThrottleKeys('user', user.id, input.clientIp);
  const throttle = await checkLoginThrottle(db, session.organizationId, keys, now);
  if (throttle.retryAfterSeconds !== undefined) throw loginLockedError(throttle.retryAfterSeconds);
  if (!(await verifyPassword(input.currentPassword, user.password_hash))) {
    await recordLoginFailure(db, session.organizationId, keys, throttle, now);
    throw new AppError('CURRENT_PASSWORD_INCORRECT', 400, 'Your current password is not correct', [
      { path: 'body.currentPassword', message: 'is not correct' },
    ]);
  }
  assertPasswordPolicy(input.newPassword, user, 'body.newPassword');
  if (await verifyPassword(input.newPassword, user.password_hash)) {
    throw new AppError('PASSWORD_UNCHANGED', 400, 'The new password must differ from the current one', [
      { path: 'body.newPassword', message: 'must differ from the current password' },
    ]);
  }
  const passwordHash = await hashPassword(input.newPassword);
  await inTransaction(db, async (trx) => {
    const at = clock.now().toISOString();
    const actor = { ...session.actor, clientIp: input.clientIp };
    await setPasswordIn({ db: trx, clock }, actor, user, {
      passwordHash,
      at,
      message: 'password changed by the user',
      keepSessionId: session.sessionId,
    });
    await clearLoginFailures(trx, session.organizationId, keys, throttle);
  });
}

/** For the purge job: ended user sessions, and activation links that ended more than a week ago. */
export async function purgeExpiredAccounts({ db, clock }: DbContext): Promise<{ userSessions: number; activationLinks: number }> {
  const now = clock.now();
  const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
  return repo.purgeExpiredAccounts(db, now.toISOString(), ago(USER_SESSION_ABSOLUTE_MAX_MS), ago(7 * 24 * 60 * 60_000));
}
