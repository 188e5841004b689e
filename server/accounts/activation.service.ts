// Activation emails: a single-use link to set the password, random (256 bits), stored only as its
// SHA-256 hash, expiring, and voided by a newer email. The link, its email and its Insights event
// commit together. The token itself exists only in the email: never in a response, a log or Insights.
import { assertPasswordPolicy, authEvent, hashPassword, PASSWORD_POLICY, randomToken, sha256, userResource } from '../auth/index.ts';
import type { DbContext } from '../db/context.ts';
import { onDb } from '../db/context.ts';
import { type Db, inTransaction } from '../db/database.ts';
import { uniqueViolation } from '../db/errors.ts';
import { record } from '../insights/index.ts';
import { type MailQueue, queueMail } from '../notifications/index.ts';
import type { Actor } from '../shared/actor.ts';
import { AppError, conflict, notFound, type ErrorCode } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import * as repo from './accounts.repository.ts';
import { activationEmail } from './activation.email.ts';
import { findUser, setUserPassword, type UserRecord } from '../directory/index.ts';

/** Per user: at most this many emails in any hour, and never two within a minute (double clicks, re-run bulk sends). */
const EMAILS_PER_USER_PER_HOUR = 3;
const MIN_EMAIL_INTERVAL_MS = 60_000;
const HOUR_MS = 60 * 60_000;

const ACTIVATION_MAIL_KIND = 'user_activation';
const SET_PASSWORD_PATH = '/account/set-password';
/** randomToken(32): 32 bytes in base64url. Anything else is not a link Roster made. */
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;

export interface ActivationContext extends DbContext {
  queue: MailQueue;
  /** Seals the link token in the outbox until the mail is sent. */
  secretKey: Buffer;
  publicUrl: string;
  linkTtlMs: number;
}

export type SkipReason = 'not_found' | 'suspended' | 'password_already_set' | 'rate_limited';

export interface Refusal {
  reason: SkipReason;
  message: string;
  status: number;
  code: ErrorCode;
  retryAfterSeconds?: number;
}

/** Why this user gets no email now, or undefined. `sentAt` are his links' creation times within the last hour. */
export function refusalFor(user: UserRecord, sentAt: string[], now: Date): Refusal | undefined {
  if (user.state === 'SUSPENDED') {
    return {
      reason: 'suspended',
      status: 409,
      code: 'USER_SUSPENDED',
      message: `${user.username} is suspended: activation emails are not sent to suspended users. Reactivate the user first.`,
    };
  }
  if (user.password_status === 'ACTIVE') {
    return {
      reason: 'password_already_set',
      status: 409,
      code: 'PASSWORD_ALREADY_SET',
      message: `${user.username} has already set a password: the account is registered.`,
    };
  }
  const recent = sentAt
    .map((t) => Date.parse(t))
    .filter((t) => now.getTime() - t < HOUR_MS)
    .sort((a, b) => a - b);
  const last = recent.at(-1);
  if (last !== undefined && now.getTime() - last < MIN_EMAIL_INTERVAL_MS) {
    const wait = Math.ceil((last + MIN_EMAIL_INTERVAL_MS - now.getTime()) / 1000);
    return {
      reason: 'rate_limited',
      status: 429,
      code: 'ACTIVATION_EMAIL_RATE_LIMITED',
      retryAfterSeconds: wait,
      message: `An activation email was sent to ${user.username} less than a minute ago. Try again in ${wait} second(s).`,
    };
  }
  if (recent.length >= EMAILS_PER_USER_PER_HOUR) {
    const wait = Math.ceil((recent[recent.length - EMAILS_PER_USER_PER_HOUR] + HOUR_MS - now.getTime()) / 1000);
    return {
      reason: 'rate_limited',
      status: 429,
      code: 'ACTIVATION_EMAIL_RATE_LIMITED',
      retryAfterSeconds: wait,
      message:
        `${recent.length} activation emails were sent to ${user.username} in the last hour, the most allowed. ` +
        `Try again in ${Math.ceil(wait / 60)} minute(s).`,
    };
  }
  return undefined;
}

export async function recentSendsByUser({ db }: Pick<DbContext, 'db'>, userIds: string[], now: Date): Promise<Map<string, string[]>> {
  const rows = await repo.listRecentActivationSends(db, userIds, new Date(now.getTime() - HOUR_MS).toISOString());
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.user_id, [...(out.get(r.user_id) ?? []), r.created_at]);
  return out;
}

export interface SentActivation {
  userId: string;
  to: string;
  expiresAt: string;
  mailId: string;
}

const displayNameOf = (u: Pick<UserRecord, 'displayname' | 'firstname' | 'lastname' | 'username'>) =>
  u.displayname.trim() || `${u.firstname} ${u.lastname}`.trim() || u.username;

/** Voids the user's older link, then writes the new link, its email and its Insights event through `ctx.db` (a transaction). */
export async function issueActivation(
  ctx: ActivationContext,
  actor: Actor,
  user: UserRecord,
  batchId: string | null,
): Promise<SentActivation> {
  const { db: trx } = ctx;
  const now = ctx.clock.now();
  const expiresAt = new Date(now.getTime() + ctx.linkTtlMs);
  await repo.revokeLiveActivationTokens(trx, user.id, now.toISOString());
  const token = randomToken(32);
  await repo.insertActivationToken(trx, {
    id: newId(),
    organization_id: user.organization_id,
    user_id: user.id,
    token_hash: sha256(token),
    sent_to: user.email,
    sent_by_type: actor.type,
    sent_by_id: actor.id,
    batch_id: batchId,
    created_at: now.toISOString(),
    expires_at: expiresAt.toISOString(),
    used_at: null,
    revoked_at: null,
  });
  const content = activationEmail({
    displayName: displayNameOf(user),
    username: user.username,
    link: `${ctx.publicUrl}${SET_PASSWORD_PATH}?token=${token}`,
    expiresAt,
  });
  const mail = await queueMail(
    trx,
    ctx.queue,
    {
      organizationId: user.organization_id,
      to: user.email,
      ...content,
      kind: ACTIVATION_MAIL_KIND,
      relatedId: user.id,
      linkToken: token,
    },
    { clock: ctx.clock, secretKey: ctx.secretKey },
  );
  const changes = { to: user.email, expiresAt: expiresAt.toISOString(), ...(batchId ? { batchId } : {}) };
  await record(ctx, authEvent('user_activation_email_sent', actor, userResource(user), { changes, timestamp: now.toISOString() }));
  return { userId: user.id, to: user.email, expiresAt: expiresAt.toISOString(), mailId: mail.id };
}

/** Two sends for one user at once: the live-link index lets one win; the other is told to retry. */
export function mapLiveLinkRace(err: unknown): never {
  const violated = uniqueViolation(err);
  if (violated?.includes('live') || violated?.includes('user_activation_tokens.user_id')) {
    throw conflict(
      'ACTIVATION_EMAIL_IN_PROGRESS',
      'Another activation email for this user is being sent right now. Try again in a moment.',
    );
  }
  throw err;
}

export async function sendActivationEmail(ctx: ActivationContext, actor: Actor, userId: string): Promise<SentActivation> {
  const now = ctx.clock.now();
  try {
    return await inTransaction(ctx.db, async (trx) => {
      const user = await findUser(trx, actor.organizationId, userId);
      if (!user) throw notFound('User', userId);
      const refusal = refusalFor(user, (await recentSendsByUser({ db: trx }, [user.id], now)).get(user.id) ?? [], now);
      if (refusal) {
        throw new AppError(
          refusal.code,
          refusal.status,
          refusal.message,
          refusal.retryAfterSeconds === undefined ? undefined : { retryAfterSeconds: refusal.retryAfterSeconds },
        );
      }
      return issueActivation(onDb(ctx, trx), actor, user, null);
    });
  } catch (err) {
    if (err instanceof AppError) throw err;
    mapLiveLinkRace(err);
  }
}

// The public side: the set-password page.

/** One answer for every unusable link, so it never tells whether an account exists or why the link failed. */
const linkInvalid = () =>
  new AppError(
    'ACTIVATION_LINK_INVALID',
    410,
    'This link is not valid: it may have expired, been used already, been replaced by a newer email, or been copied incompletely. ' +
      'Ask your administrator to send you a new activation email.',
  );

/** "j•••e@example.com": enough for the person to recognise the address, not to harvest it. */
function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '•••';
  const local = [...email.slice(0, at)];
  const shown = local.length <= 2 ? `${local[0]}•••` : `${local[0]}•••${local[local.length - 1]}`;
  return `${shown}${email.slice(at)}`;
}

async function usableLink(db: Db, token: string, now: Date) {
  if (!TOKEN_FORMAT.test(token)) throw linkInvalid();
  const row = await repo.findActivationTokenWithUser(db, sha256(token));
  if (!row || row.used_at !== null || row.revoked_at !== null || row.expires_at <= now.toISOString() || row.state === 'SUSPENDED')
    throw linkInvalid();
  return row;
}

export interface ActivationInfo {
  username: string;
  displayName: string;
  email: string;
  expiresAt: string;
  passwordPolicy: typeof PASSWORD_POLICY;
}

export async function inspectActivation({ db, clock }: DbContext, token: string): Promise<ActivationInfo> {
  const row = await usableLink(db, token, clock.now());
  return {
    username: row.username,
    displayName: displayNameOf(row),
    email: maskEmail(row.email),
    expiresAt: row.expires_at,
    passwordPolicy: PASSWORD_POLICY,
  };
}

export interface CompleteActivationInput {
  token: string;
  password: string;
  passwordConfirm: string;
  clientIp?: string | null;
}

export async function completeActivation({ db, clock }: DbContext, input: CompleteActivationInput): Promise<{ username: string }> {
  const link = await usableLink(db, input.token, clock.now());
  if (input.password !== input.passwordConfirm) {
    throw new AppError('PASSWORD_MISMATCH', 400, 'The two passwords are not the same.', [
      { path: 'body.passwordConfirm', message: 'must be the same as password' },
    ]);
  }
  assertPasswordPolicy(input.password, { username: link.username, email: link.email }, 'body.password');
  // scrypt takes a while: outside the transaction, so it holds no lock meanwhile.
  const passwordHash = await hashPassword(input.password);
  return inTransaction(db, async (trx) => {
    const now = clock.now().toISOString();
    if (!(await repo.useActivationToken(trx, link.id, now))) throw linkInvalid();
    const user = await findUser(trx, link.organization_id, link.user_id);
    if (!user || user.state === 'SUSPENDED') throw linkInvalid();
    const actor: Actor = { type: 'user', id: user.id, email: user.email, organizationId: user.organization_id, clientIp: input.clientIp };
    await setPasswordIn({ db: trx, clock }, actor, user, {
      passwordHash,
      at: now,
      message: 'password set by the user with the activation link',
    });
    return { username: user.username };
  });
}

/**
 * The one way a user's password changes: the hash, status ACTIVE, every live link voided, the user's
 * portal sessions ended (but `keepSessionId`, the user who changed it himself), and the Insights event
 * saying who did it (`message`), stamped `at`.
 */
export async function setPasswordIn(
  ctx: DbContext,
  actor: Actor,
  user: UserRecord,
  change: { passwordHash: string; at: string; message: string; keepSessionId?: string },
): Promise<void> {
  const { db: trx } = ctx;
  await setUserPassword(trx, user.organization_id, user.id, change.passwordHash, change.at);
  await repo.revokeLiveActivationTokens(trx, user.id, change.at);
  await repo.deleteUserSessionsOfUser(trx, user.id, change.keepSessionId);
  const changes = { passwordStatus: { from: user.password_status, to: 'ACTIVE' } };
  await record(ctx, authEvent('user_password_set', actor, userResource(user), { changes, message: change.message, timestamp: change.at }));
}
