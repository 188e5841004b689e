// Admin MFA with TOTP (RFC 6238): enrolment (a secret and ten recovery codes, active once the first
// code confirms it), the second step of sign-in, removal by the admin (with a code) and reset by
// another admin or the CLI (for lockouts), and the organization setting that requires MFA of every
// admin. Secrets are stored encrypted and bound to their admin; recovery codes only as hashes. Wrong
// codes count against a per-admin lock (and the client address), whatever address they come from:
// whoever reaches this step already has the password.
import { randomBytes } from 'node:crypto';
import { type DbContext, onDb } from '../db/context.ts';
import { type Db, inTransaction } from '../db/database.ts';
import { type InsightsContext, record } from '../insights/index.ts';
import type { Actor } from '../shared/actor.ts';
import { decryptSecret, encryptSecret } from '../shared/crypto.ts';
import { AppError, badRequest, conflict, notFound } from '../shared/errors.ts';
import * as admins from './admins.repository.ts';
import { type LoginResult, MFA_CHALLENGE_MAX_ATTEMPTS, openAdminSession } from './admins.service.ts';
import { adminResource, authEvent } from './events.ts';
import * as repo from './mfa.repository.ts';
import { deleteSessionsOfAdmin } from './sessions.repository.ts';
import { checkLoginThrottle, clearLoginFailures, loginLockedError, type LoginThrottleKeys, recordLoginFailure } from './throttle.ts';
import { sha256 } from './tokens.ts';
import { newTotpSecret, otpauthUrl, verifyTotp } from './totp.ts';

const RECOVERY_CODE_COUNT = 10;
const ISSUER = 'Roster';
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'; // no 0/o, 1/l/i

const secretAad = (adminId: string) => `admin_mfa:${adminId}`;
const normalizeRecoveryCode = (code: string) => code.toLowerCase().replace(/[\s-]/g, '');

/** 10 characters from a 31-letter alphabet (about 50 bits), shown as xxxxx-xxxxx. */
/** What the MFA steps take: the database, the clock, and the key that seals TOTP secrets at rest. */
export interface MfaContext extends DbContext {
  secretKey: Buffer;
}

function newRecoveryCode(): string {
  const bytes = randomBytes(10);
  const chars = [...bytes].map((b) => RECOVERY_ALPHABET[b % RECOVERY_ALPHABET.length]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

/** Wrong second factors lock the admin's MFA step for a while, from every address. */
const mfaThrottleKeys = (adminId: string, clientIp: string | null | undefined): LoginThrottleKeys => ({
  account: `admin-mfa:${adminId}`,
  address: clientIp ? `ip:${clientIp.trim()}` : null,
});

export interface SecondFactor {
  code?: string;
  recoveryCode?: string;
}

/** The pending sign-in is gone (expired, spent, or never there): the password step comes again. */
export const challengeExpired = (why = 'The sign-in has expired') =>
  new AppError('MFA_CHALLENGE_EXPIRED', 401, `${why}: enter your email and password again`);

const wrongFactor = (factor: SecondFactor) =>
  factor.recoveryCode !== undefined
    ? badRequest('MFA_CODE_INCORRECT', 'The recovery code is not correct or was used before', [
        { path: 'body.recoveryCode', message: 'is not correct or was used before' },
      ])
    : badRequest('MFA_CODE_INCORRECT', 'The code is not correct or was used before: wait for the next one from your authenticator app', [
        { path: 'body.code', message: 'is not correct or was used before' },
      ]);

function sessionAdmin(actor: Actor): string {
  if (actor.type !== 'admin' || !actor.id)
    throw new AppError('SESSION_REQUIRED', 403, 'Only an admin signed in with a password can manage his MFA (API keys have none)');
  return actor.id;
}

/**
 * Checks a TOTP code or a recovery code against the admin's factor and uses it up (a TOTP step or a
 * recovery code works once, also between two concurrent requests). Undefined when it is wrong.
 */
async function consumeFactor(
  db: Db,
  secretKey: Buffer,
  mfa: NonNullable<Awaited<ReturnType<typeof repo.findMfa>>>,
  factor: SecondFactor,
  now: Date,
): Promise<{ kind: 'totp' | 'recovery_code'; recoveryCodesLeft?: number } | undefined> {
  if (factor.code !== undefined) {
    const step = verifyTotp(decryptSecret(secretKey, mfa.secret_enc, secretAad(mfa.admin_id)), factor.code, now, mfa.last_used_step);
    return step !== undefined && (await repo.useStep(db, mfa.admin_id, step)) ? { kind: 'totp' } : undefined;
  }
  if (factor.recoveryCode !== undefined) {
    const hashes = JSON.parse(mfa.recovery_code_hashes) as string[];
    const hash = sha256(normalizeRecoveryCode(factor.recoveryCode));
    if (!hashes.includes(hash)) return undefined;
    const left = hashes.filter((h) => h !== hash);
    return (await repo.replaceRecoveryCodes(db, mfa.admin_id, mfa.recovery_code_hashes, JSON.stringify(left)))
      ? { kind: 'recovery_code', recoveryCodesLeft: left.length }
      : undefined;
  }
  return undefined;
}

/** Checks the lock (LOGIN_LOCKED), then the factor; a wrong one counts towards the lock. */
async function checkFactor(
  db: Db,
  secretKey: Buffer,
  mfa: NonNullable<Awaited<ReturnType<typeof repo.findMfa>>>,
  factor: SecondFactor,
  clientIp: string | null | undefined,
  now: Date,
) {
  const keys = mfaThrottleKeys(mfa.admin_id, clientIp);
  const throttle = await checkLoginThrottle(db, mfa.organization_id, keys, now);
  if (throttle.retryAfterSeconds !== undefined) throw loginLockedError(throttle.retryAfterSeconds);
  const used = await consumeFactor(db, secretKey, mfa, factor, now);
  if (!used) await recordLoginFailure(db, mfa.organization_id, keys, throttle, now);
  return { used, keys, throttle };
}

export interface TotpEnrolment {
  secret: string;
  otpauthUrl: string;
  recoveryCodes: string[];
}

/** A new secret and recovery codes for the signed-in admin, pending until a code confirms them. */
export async function startTotpEnrolment({ db, clock, secretKey }: MfaContext, actor: Actor): Promise<TotpEnrolment> {
  const adminId = sessionAdmin(actor);
  const admin = await admins.findAdminById(db, actor.organizationId, adminId);
  if (!admin) throw notFound('Admin', adminId);
  if (admin.mfa_enabled_at)
    throw conflict('MFA_ALREADY_ENABLED', 'MFA is already on for your account: remove it first to enrol a new authenticator');
  const secret = newTotpSecret();
  const recoveryCodes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await repo.upsertPendingMfa(db, {
    admin_id: adminId,
    organization_id: actor.organizationId,
    secret_enc: encryptSecret(secretKey, secret, secretAad(adminId)),
    recovery_code_hashes: JSON.stringify(recoveryCodes.map((c) => sha256(normalizeRecoveryCode(c)))),
    last_used_step: null,
    created_at: clock.now().toISOString(),
    enabled_at: null,
  });
  return { secret, otpauthUrl: otpauthUrl(secret, admin.email, ISSUER), recoveryCodes };
}

/** The first code from the authenticator turns MFA on; the admin's other sessions end (they had one factor). */
export async function confirmTotpEnrolment(
  { db, clock, secretKey }: MfaContext,
  actor: Actor,
  session: { sessionId: string | null },
  code: string,
): Promise<void> {
  const adminId = sessionAdmin(actor);
  const mfa = await repo.findMfa(db, actor.organizationId, adminId);
  if (!mfa) throw conflict('MFA_NOT_STARTED', 'Start the enrolment first (POST /api/v1/auth/mfa/totp)');
  if (mfa.enabled_at) throw conflict('MFA_ALREADY_ENABLED', 'MFA is already on for your account');
  const now = clock.now();
  const { used, keys, throttle } = await checkFactor(db, secretKey, mfa, { code }, actor.clientIp, now);
  if (!used) throw wrongFactor({ code });
  await inTransaction(db, async (trx) => {
    await repo.enableMfa(trx, adminId, now.toISOString());
    if (session.sessionId) await deleteSessionsOfAdmin(trx, adminId, session.sessionId);
    await clearLoginFailures(trx, actor.organizationId, keys, throttle);
    const message = 'authenticator app enrolled; other sessions ended';
    await record({ db: trx, clock }, authEvent('admin_mfa_enable', actor, adminResource(actor), { changes: { method: 'totp' }, message }));
  });
}

/** The admin removes his own MFA, with a current code or a recovery code. */
export async function disableTotp({ db, clock, secretKey }: MfaContext, actor: Actor, factor: SecondFactor): Promise<void> {
  const adminId = sessionAdmin(actor);
  const mfa = await repo.findMfa(db, actor.organizationId, adminId);
  if (!mfa?.enabled_at) throw conflict('MFA_NOT_ENABLED', 'MFA is not on for your account');
  const now = clock.now();
  const { used, keys, throttle } = await checkFactor(db, secretKey, mfa, factor, actor.clientIp, now);
  if (!used) {
    await record({ db, clock }, authEvent('admin_mfa_disable', actor, adminResource(actor), { success: false, message: 'wrong code' }));
    throw wrongFactor(factor);
  }
  await inTransaction(db, async (trx) => {
    await repo.deleteMfa(trx, adminId);
    await clearLoginFailures(trx, actor.organizationId, keys, throttle);
    await record({ db: trx, clock }, authEvent('admin_mfa_disable', actor, adminResource(actor), { changes: { method: 'totp' } }));
  });
}

/**
 * Removes another admin's MFA (a lost phone): by an admin through the API, or `roster admin reset-mfa`.
 * That admin's sessions and pending sign-ins end; he signs in with his password and enrols again.
 */
export async function resetAdminMfa(ctx: InsightsContext, actor: Actor, target: { id?: string; email?: string }): Promise<void> {
  const row = await admins.findTargetAdmin(ctx.db, actor.organizationId, target);
  if (!row) throw notFound('Admin', target.id ?? target.email ?? '');
  if (actor.type === 'admin' && actor.id === row.id) {
    throw conflict('CANNOT_RESET_OWN_MFA', 'Remove your own MFA with a code from your authenticator or a recovery code');
  }
  await inTransaction(ctx.db, async (trx) => {
    if ((await repo.deleteMfa(trx, row.id)) === 0) throw conflict('MFA_NOT_ENABLED', `${row.email} has no MFA to reset`);
    await repo.deleteChallengesOf(trx, row.id);
    await deleteSessionsOfAdmin(trx, row.id);
    const message = `MFA removed${row.mfa_enabled_at ? '' : ' (an enrolment never confirmed)'}; sessions ended`;
    await record(onDb(ctx, trx), authEvent('admin_mfa_reset', actor, adminResource(row), { message }));
  });
}

export interface MfaLoginInput extends SecondFactor {
  challengeToken: string;
  clientIp?: string | null;
  userAgent?: string | null;
  sessionTtlMinutes: number;
}

/** The second step of sign-in: the pending challenge and a TOTP or recovery code give the session. */
export async function completeMfaLogin({ db, clock, secretKey }: MfaContext, input: MfaLoginInput): Promise<LoginResult> {
  const now = clock.now();
  const challengeId = sha256(input.challengeToken);
  const challenge = input.challengeToken.length <= 200 ? await repo.findChallenge(db, challengeId) : undefined;
  if (!challenge || challenge.expires_at <= now.toISOString()) {
    if (challenge) await repo.deleteChallenge(db, challengeId);
    throw challengeExpired();
  }
  const admin = await admins.findAdminById(db, challenge.organization_id, challenge.admin_id);
  const mfa = await repo.findMfa(db, challenge.organization_id, challenge.admin_id);
  if (!admin || !mfa?.enabled_at) {
    await repo.deleteChallenge(db, challengeId);
    throw challengeExpired();
  }
  const actor = {
    type: 'admin' as const,
    id: admin.id,
    email: admin.email,
    organizationId: admin.organization_id,
    clientIp: input.clientIp,
  };
  const failed = (message: string) =>
    record({ db, clock }, authEvent('admin_login_attempt', actor, adminResource(admin), { success: false, message }));
  let checked: Awaited<ReturnType<typeof checkFactor>>;
  try {
    checked = await checkFactor(db, secretKey, mfa, input, input.clientIp, now);
  } catch (err) {
    if (err instanceof AppError && err.code === 'LOGIN_LOCKED') {
      await failed('second factor locked after repeated wrong codes');
    }
    throw err;
  }
  if (!checked.used) {
    const kind = input.recoveryCode !== undefined ? 'recovery code' : 'authenticator code';
    await repo.countChallengeAttempt(db, challengeId);
    const spent = challenge.attempts + 1 >= MFA_CHALLENGE_MAX_ATTEMPTS;
    if (spent) await repo.deleteChallenge(db, challengeId);
    await failed(`wrong ${kind} (second factor)`);
    if (spent) throw challengeExpired('Too many wrong codes');
    throw wrongFactor(input);
  }
  return inTransaction(db, async (trx) => {
    await repo.deleteChallenge(trx, challengeId);
    await clearLoginFailures(trx, admin.organization_id, checked.keys, checked.throttle);
    return openAdminSession({ db: trx, clock }, admin, { ...input, organizationId: admin.organization_id }, now, checked.used);
  });
}

export interface OrganizationSettings {
  requireAdminMfa: boolean;
}

export async function getOrganizationSettings({ db }: Pick<DbContext, 'db'>, organizationId: string): Promise<OrganizationSettings> {
  return { requireAdminMfa: await repo.getRequireAdminMfa(db, organizationId) };
}

export async function updateOrganizationSettings(
  ctx: InsightsContext,
  actor: Actor,
  patch: Partial<OrganizationSettings>,
): Promise<OrganizationSettings> {
  return inTransaction(ctx.db, async (trx) => {
    const before = await getOrganizationSettings({ db: trx }, actor.organizationId);
    if (patch.requireAdminMfa !== undefined && patch.requireAdminMfa !== before.requireAdminMfa) {
      await repo.setRequireAdminMfa(trx, actor.organizationId, patch.requireAdminMfa);
      const organization = { type: 'organization', id: actor.organizationId, username: null };
      const changes = { requireAdminMfa: { from: before.requireAdminMfa, to: patch.requireAdminMfa } };
      await record(onDb(ctx, trx), authEvent('organization_settings_update', actor, organization, { changes }));
    }
    return { ...before, ...patch };
  });
}
