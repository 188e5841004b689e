// Login throttling and lockout over the login_throttle table (in the database, so it holds across
// several api processes), shared by admin and user sign-in.
//
// Two counters per attempt:
// - the account as tried from one client address (`admin:<email>@<ip>`, `user:<id or login>@<ip>`):
//   5 failures within 15 minutes lock that account FROM THAT ADDRESS for 15 minutes. Someone guessing
//   from elsewhere cannot lock the owner out: the right password from another address still works.
// - the client address over all accounts (`ip:<ip>`): 100 failures within 15 minutes lock every sign-in
//   from that address (password spraying across processes; high enough for many people behind one
//   NAT, and the per-process route rate limit answers floods first); a success does not reset it.
// Keys are built from what was typed when no account matches, so the answers never tell whether an
// account exists.
import type { Db } from '../db/database.ts';
import type { LoginThrottleTable } from '../db/schema.ts';
import { AppError } from '../shared/errors.ts';
import * as repo from './admins.repository.ts';

const LOGIN_MAX_FAILURES = 5;
export const ADDRESS_MAX_FAILURES = 100;
export const LOGIN_WINDOW_MS = 15 * 60_000;
const LOGIN_LOCK_MS = 15 * 60_000;

export interface LoginThrottleKeys {
  /** The account as tried from this address. */
  account: string;
  /** Every account from this address; null when the address is unknown (the account key alone then). */
  address: string | null;
}

/** `account` is the admin's email, the user's id, or what was typed when no account matches. */
export function loginThrottleKeys(kind: 'admin' | 'user', account: string, clientIp: string | null | undefined): LoginThrottleKeys {
  const ip = clientIp?.trim() || 'unknown';
  return { account: `${kind}:${account.trim().toLowerCase()}@${ip}`, address: clientIp ? `ip:${ip}` : null };
}

export interface ThrottleState {
  rows: { account: LoginThrottleTable | undefined; address: LoginThrottleTable | undefined };
  /** Set while either key is locked. */
  retryAfterSeconds?: number;
}

const lockedFor = (row: LoginThrottleTable | undefined, now: Date) =>
  row?.locked_until && row.locked_until > now.toISOString() ? Math.ceil((Date.parse(row.locked_until) - now.getTime()) / 1000) : 0;

export async function checkLoginThrottle(db: Db, organizationId: string, keys: LoginThrottleKeys, now: Date): Promise<ThrottleState> {
  const account = await repo.findThrottle(db, organizationId, keys.account);
  const address = keys.address ? await repo.findThrottle(db, organizationId, keys.address) : undefined;
  const wait = Math.max(lockedFor(account, now), lockedFor(address, now));
  return { rows: { account, address }, ...(wait > 0 ? { retryAfterSeconds: wait } : {}) };
}

export function loginLockedError(retryAfterSeconds: number): AppError {
  return new AppError('LOGIN_LOCKED', 429, `Too many failed logins. Try again in ${Math.ceil(retryAfterSeconds / 60)} minute(s).`, {
    retryAfterSeconds,
  });
}

async function countFailure(
  db: Db,
  organizationId: string,
  key: string,
  row: LoginThrottleTable | undefined,
  max: number,
  now: Date,
): Promise<void> {
  const windowOpen = row && now.getTime() - Date.parse(row.window_started_at) < LOGIN_WINDOW_MS;
  const failures = windowOpen ? row.failures + 1 : 1;
  await repo.upsertThrottle(db, {
    organization_id: organizationId,
    key,
    failures,
    window_started_at: windowOpen ? row.window_started_at : now.toISOString(),
    locked_until: failures >= max ? new Date(now.getTime() + LOGIN_LOCK_MS).toISOString() : null,
  });
}

/** Counts one failure on both keys. */
export async function recordLoginFailure(
  db: Db,
  organizationId: string,
  keys: LoginThrottleKeys,
  state: ThrottleState,
  now: Date,
): Promise<void> {
  await countFailure(db, organizationId, keys.account, state.rows.account, LOGIN_MAX_FAILURES, now);
  if (keys.address) await countFailure(db, organizationId, keys.address, state.rows.address, ADDRESS_MAX_FAILURES, now);
}

/** After a success: the account's count from this address starts again (the address count does not). */
export async function clearLoginFailures(db: Db, organizationId: string, keys: LoginThrottleKeys, state: ThrottleState): Promise<void> {
  if (state.rows.account) await repo.deleteThrottle(db, organizationId, keys.account);
}
