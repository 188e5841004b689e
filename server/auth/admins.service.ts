// Admin accounts, login with throttling and lockout, and the one-time first-admin setup.
import type { Db } from '../db/database.ts';
import { type DbContext, onDb } from '../db/context.ts';
import { inTransaction } from '../db/database.ts';
import { type InsightsContext, record } from '../insights/index.ts';
import type { Actor } from '../shared/actor.ts';
import { AppError, conflict, notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import * as repo from './admins.repository.ts';
import { adminResource, authEvent, type AuthEventDetails } from './events.ts';
import { getRequireAdminMfa, insertChallenge } from './mfa.repository.ts';
import { assertPasswordPolicy } from './password-policy.ts';
import { burnPasswordCheck, hashPassword, needsRehash, verifyPassword } from './passwords.ts';
import { createSession, revokeApiKeysOf } from './sessions.service.ts';
import { checkLoginThrottle, clearLoginFailures, loginLockedError, loginThrottleKeys, recordLoginFailure } from './throttle.ts';
import { randomToken, sha256 } from './tokens.ts';

export type Role = 'admin' | 'read_only';

export interface Admin {
  id: string;
  email: string;
  name: string;
  role: Role;
  createdAt: string;
  lastLoginAt: string | null;
  /** A confirmed TOTP factor. */
  mfaEnabled: boolean;
}

const SETUP_TOKEN_TTL_MS = 24 * 60 * 60_000;

const toAdmin = (r: repo.AdminRow & { mfa_enabled_at?: string | null }): Admin => ({
  id: r.id,
  email: r.email,
  name: r.name,
  role: r.role,
  createdAt: r.created_at,
  lastLoginAt: r.last_login_at,
  mfaEnabled: Boolean(r.mfa_enabled_at),
});

export interface NewAdmin {
  email: string;
  password: string;
  name?: string;
  role?: Role;
}

export async function createAdmin({ db, clock }: DbContext, actor: Actor, input: NewAdmin): Promise<Admin> {
  // The same policy as users' passwords (their email stands for both names).
  assertPasswordPolicy(input.password, { username: input.email, email: input.email }, 'body.password');
  const passwordHash = await hashPassword(input.password);
  return inTransaction(db, async (trx) => {
    const emailLower = input.email.trim().toLowerCase();
    if (await repo.findAdminByEmail(trx, actor.organizationId, emailLower)) {
      throw conflict('EMAIL_TAKEN', `An admin with email ${input.email} already exists`, [
        { path: 'body.email', message: 'already taken' },
      ]);
    }
    const now = clock.now().toISOString();
    const row: repo.AdminRow = {
      id: newId(),
      organization_id: actor.organizationId,
      email: input.email.trim(),
      email_lower: emailLower,
      name: input.name?.trim() ?? '',
      role: input.role ?? 'admin',
      password_hash: passwordHash,
      created_at: now,
      updated_at: now,
      last_login_at: null,
    };
    await repo.insertAdmin(trx, row);
    await record(
      { db: trx, clock },
      authEvent('admin_create', actor, adminResource(row), { changes: { email: row.email, role: row.role } }),
    );
    return toAdmin(row);
  });
}

export async function listAdmins({ db }: Pick<DbContext, 'db'>, organizationId: string): Promise<Admin[]> {
  return (await repo.listAdmins(db, organizationId)).map(toAdmin);
}

export async function getAdmin({ db }: Pick<DbContext, 'db'>, organizationId: string, id: string): Promise<Admin> {
  const row = await repo.findAdminById(db, organizationId, id);
  if (!row) throw notFound('Admin', id);
  return toAdmin(row);
}

export async function deleteAdmin(ctx: InsightsContext, actor: Actor, id: string): Promise<void> {
  await inTransaction(ctx.db, async (trx) => {
    const row = await repo.findAdminById(trx, actor.organizationId, id);
    if (!row) throw notFound('Admin', id);
    if (actor.type === 'admin' && actor.id === id) throw conflict('CANNOT_DELETE_SELF', 'You cannot delete your own admin account');
    if (row.role === 'admin' && (await repo.countAdmins(trx, actor.organizationId, 'admin')) <= 1) {
      throw conflict('LAST_ADMIN', 'The last admin with role admin cannot be deleted');
    }
    // Their API keys go with them (revoked, each with its own event), in the same transaction.
    const revokedApiKeys = await revokeApiKeysOf(onDb(ctx, trx), actor, { id, email: row.email });
    await repo.deleteAdmin(trx, actor.organizationId, id);
    await record(onDb(ctx, trx), authEvent('admin_delete', actor, adminResource(row), { changes: { revokedApiKeys } }));
  });
}

export interface LoginInput {
  organizationId: string;
  email: string;
  password: string;
  clientIp?: string | null;
  userAgent?: string | null;
  sessionTtlMinutes: number;
}

export interface LoginResult {
  admin: Admin;
  sessionToken: string;
  csrfToken: string;
  expiresAt: string;
  /** The organization requires MFA and this admin has none: the session may only enrol. */
  mfaEnrolmentRequired: boolean;
}

/** The password was right and the admin has MFA: the second factor comes next (mfa.service.ts). */
export interface MfaPending {
  mfaRequired: true;
  challengeToken: string;
  expiresAt: string;
}

/**
 * Throttling (throttle.ts) counts the email as tried from the client's address, known account or not,
 * so the answers never tell whether an account exists and guesses from elsewhere cannot lock the admin
 * out. Failed attempts are recorded in Insights with the account they hit, never with the typed text
 * (a password typed into the email field would be shown to read_only admins). An admin with MFA gets
 * a challenge instead of a session: nothing is recorded as a success until the second factor.
 */
export async function login({ db, clock }: DbContext, input: LoginInput): Promise<LoginResult | MfaPending> {
  const emailLower = input.email.trim().toLowerCase();
  const keys = loginThrottleKeys('admin', emailLower, input.clientIp);
  const now = clock.now();
  const admin = await repo.findAdminByEmail(db, input.organizationId, emailLower);
  const fail = async (reason: string, error: AppError) => {
    const message = admin ? reason : `${reason} (no admin has the email that was typed)`;
    const actor = loginActor(input.organizationId, admin, input.clientIp);
    await record({ db, clock }, authEvent('admin_login_attempt', actor, adminResource(admin), { success: false, message }));
    return error;
  };

  const throttle = await checkLoginThrottle(db, input.organizationId, keys, now);
  if (throttle.retryAfterSeconds !== undefined) {
    throw await fail('temporarily locked after repeated failures from this address', loginLockedError(throttle.retryAfterSeconds));
  }

  const ok = admin ? await verifyPassword(input.password, admin.password_hash) : (await burnPasswordCheck(input.password), false);
  if (!admin || !ok) {
    await recordLoginFailure(db, input.organizationId, keys, throttle, now);
    throw await fail(
      admin ? 'wrong password' : 'unknown email',
      new AppError('INVALID_CREDENTIALS', 401, 'Email or password is incorrect'),
    );
  }

  // A hash from before the current scrypt cost is replaced now that the password is known.
  const rehashed = needsRehash(admin.password_hash) ? { password_hash: await hashPassword(input.password) } : {};
  // The password step is passed either way: its failure count starts again (the second factor has its own).
  return inTransaction(db, async (trx) => {
    await clearLoginFailures(trx, input.organizationId, keys, throttle);
    if (rehashed.password_hash) await repo.updateAdmin(trx, input.organizationId, admin.id, rehashed);
    if (admin.mfa_enabled_at) return { mfaRequired: true as const, ...(await createMfaChallenge(trx, admin, input, now)) };
    return openAdminSession({ db: trx, clock }, admin, input, now);
  });
}

/** How long the password step stays good while the admin fetches a code, and how many codes it may try. */
const MFA_CHALLENGE_TTL_MS = 5 * 60_000;
export const MFA_CHALLENGE_MAX_ATTEMPTS = 5;

/** The pending sign-in between password and second factor: a random token, stored hashed. */
async function createMfaChallenge(
  trx: Db,
  admin: { id: string; organization_id: string },
  input: { clientIp?: string | null; userAgent?: string | null },
  now: Date,
) {
  const challengeToken = randomToken(32);
  const expiresAt = new Date(now.getTime() + MFA_CHALLENGE_TTL_MS).toISOString();
  await insertChallenge(trx, {
    id: sha256(challengeToken),
    organization_id: admin.organization_id,
    admin_id: admin.id,
    client_ip: input.clientIp ?? null,
    user_agent: input.userAgent?.slice(0, 500) ?? null,
    created_at: now.toISOString(),
    expires_at: expiresAt,
  });
  return { challengeToken, expiresAt };
}

const loginActor = (
  organizationId: string,
  admin: { id: string; email: string } | undefined,
  clientIp: string | null | undefined,
): Actor => ({ type: 'admin', id: admin?.id ?? null, email: admin?.email ?? null, organizationId, clientIp });

/** What a sign-in's event says about its second factor, when there was one. */
function secondFactorDetails(secondFactor?: { kind: 'totp' | 'recovery_code'; recoveryCodesLeft?: number }): AuthEventDetails {
  if (!secondFactor) return {};
  return {
    changes: {
      secondFactor: secondFactor.kind,
      ...(secondFactor.recoveryCodesLeft !== undefined ? { recoveryCodesLeft: secondFactor.recoveryCodesLeft } : {}),
    },
    message: secondFactor.kind === 'totp' ? 'with an authenticator code' : `with a recovery code (${secondFactor.recoveryCodesLeft} left)`,
  };
}

/**
 * The end of a successful sign-in, in the caller's transaction: last login, a new session and the
 * Insights event (naming the second factor when there was one).
 */
export async function openAdminSession(
  ctx: InsightsContext,
  admin: repo.AdminRecord,
  input: { organizationId: string; clientIp?: string | null; userAgent?: string | null; sessionTtlMinutes: number },
  now: Date,
  secondFactor?: { kind: 'totp' | 'recovery_code'; recoveryCodesLeft?: number },
): Promise<LoginResult> {
  const trx = ctx.db;
  await repo.updateAdmin(trx, input.organizationId, admin.id, { last_login_at: now.toISOString() });
  const session = await createSession(ctx, {
    organizationId: input.organizationId,
    adminId: admin.id,
    clientIp: input.clientIp ?? null,
    userAgent: input.userAgent ?? null,
    ttlMinutes: input.sessionTtlMinutes,
    now,
  });
  const actor = loginActor(input.organizationId, admin, input.clientIp);
  await record(ctx, authEvent('admin_login_attempt', actor, adminResource(admin), { success: true, ...secondFactorDetails(secondFactor) }));
  const mfaEnrolmentRequired = !admin.mfa_enabled_at && (await getRequireAdminMfa(trx, input.organizationId));
  return { admin: toAdmin({ ...admin, last_login_at: now.toISOString() }), ...session, mfaEnrolmentRequired };
}

/** At start-up with no admin: returns a one-time setup token (shown once, stored hashed). */
export async function createSetupToken({ db, clock }: DbContext, organizationId: string): Promise<string> {
  const token = randomToken(32);
  const now = clock.now();
  await repo.insertSetupToken(db, {
    id: newId(),
    organization_id: organizationId,
    token_hash: sha256(token),
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + SETUP_TOKEN_TTL_MS).toISOString(),
    used_at: null,
  });
  return token;
}

export async function countAdmins({ db }: Pick<DbContext, 'db'>, organizationId: string): Promise<number> {
  return repo.countAdmins(db, organizationId);
}

/** Creates the first admin with a setup token. Refused once any admin exists. */
export async function completeSetup({ db, clock }: DbContext, token: string, input: NewAdmin): Promise<Admin> {
  const invalid = () =>
    new AppError(
      'SETUP_TOKEN_INVALID',
      400,
      'This setup link is invalid, used or expired. Restart Roster to get a new one, or run `roster admin create`.',
    );
  const row = await repo.findSetupToken(db, sha256(token));
  if (!row || row.used_at || row.expires_at < clock.now().toISOString()) throw invalid();
  const actor: Actor = { type: 'system', id: null, organizationId: row.organization_id };
  return inTransaction(db, async (trx) => {
    if ((await repo.countAdmins(trx, row.organization_id)) > 0)
      throw conflict('SETUP_DONE', 'Roster already has an admin; sign in instead');
    if (!(await repo.useSetupToken(trx, row.id, clock.now().toISOString()))) throw invalid();
    return createAdmin({ db: trx, clock }, actor, { ...input, role: 'admin' });
  });
}
