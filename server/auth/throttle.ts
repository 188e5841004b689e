// Login throttling and lockout over the login_throttle table, shared by admin and user sign-in
// (keys are prefixed: `admin:<email>`, `user:<login>`). Keyed by what was typed, known account or
// not, so the answers never tell whether an account exists.
import type { Db } from '../db/database.ts';
import type { LoginThrottleTable } from '../db/schema.ts';
import { AppError } from '../shared/errors.ts';
import * as repo from './admins.repository.ts';

export const LOGIN_MAX_FAILURES = 5;
export const LOGIN_WINDOW_MS = 15 * 60_000;
export const LOGIN_LOCK_MS = 15 * 60_000;

export type LoginThrottle = LoginThrottleTable | undefined;

export interface ThrottleState {
  throttle: LoginThrottle;
  /** Set while the key is locked. */
  retryAfterSeconds?: number;
}

export async function checkLoginThrottle(db: Db, organizationId: string, key: string, now: Date): Promise<ThrottleState> {
  const throttle = await repo.findThrottle(db, organizationId, key);
  if (throttle?.locked_until && throttle.locked_until > now.toISOString()) {
    return { throttle, retryAfterSeconds: Math.ceil((Date.parse(throttle.locked_until) - now.getTime()) / 1000) };
  }
  return { throttle };
}

export function loginLockedError(retryAfterSeconds: number): AppError {
  return new AppError('LOGIN_LOCKED', 429, `Too many failed logins. Try again in ${Math.ceil(retryAfterSeconds / 60)} minute(s).`, { retryAfterSeconds });
}

/** Counts one failure: LOGIN_MAX_FAILURES within LOGIN_WINDOW_MS lock the key for LOGIN_LOCK_MS. */
export async function recordLoginFailure(db: Db, organizationId: string, key: string, throttle: LoginThrottle, now: Date): Promise<void> {
  const windowOpen = throttle && now.getTime() - Date.parse(throttle.window_started_at) < LOGIN_WINDOW_MS;
  const failures = windowOpen ? throttle.failures + 1 : 1;
  await repo.upsertThrottle(db, {
    organization_id: organizationId,
    key,
    failures,
    window_started_at: windowOpen ? throttle.window_started_at : now.toISOString(),
    locked_until: failures >= LOGIN_MAX_FAILURES ? new Date(now.getTime() + LOGIN_LOCK_MS).toISOString() : null,
  });
}

export async function clearLoginFailures(db: Db, organizationId: string, key: string): Promise<void> {
  await repo.deleteThrottle(db, organizationId, key);
}
