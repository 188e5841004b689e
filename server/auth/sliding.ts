// Sliding sessions, for admins (admin_sessions) and users (user_sessions) alike: a session token is
// random and stored only as its SHA-256 hash; activity extends a session by its time to live, written
// at most once a minute, but never past an absolute lifetime from its creation.
import { randomToken, sha256 } from './tokens.ts';

const TOUCH_EVERY_MS = 60_000;

export interface SlidingRow {
  created_at: string;
  last_seen_at: string;
  expires_at: string;
}

export type SessionStep = { kind: 'end' } | { kind: 'keep' } | { kind: 'touch'; lastSeenAt: string; expiresAt: string };

const plus = (now: Date, ttlMinutes: number) => new Date(now.getTime() + ttlMinutes * 60_000).toISOString();

/** A new session: the token for the cookie, the id it is stored under, and when it expires. */
export function newSessionToken(now: Date, ttlMinutes: number): { token: string; id: string; expiresAt: string } {
  const token = randomToken(32);
  return { token, id: sha256(token), expiresAt: plus(now, ttlMinutes) };
}

/** What to do with a stored session seen now: end it (expired), extend it, or leave it. */
export function nextSessionStep(s: SlidingRow, now: Date, ttlMinutes: number, absoluteMaxMs: number): SessionStep {
  if (s.expires_at <= now.toISOString() || now.getTime() - Date.parse(s.created_at) > absoluteMaxMs) return { kind: 'end' };
  if (now.getTime() - Date.parse(s.last_seen_at) > TOUCH_EVERY_MS) {
    return { kind: 'touch', lastSeenAt: now.toISOString(), expiresAt: plus(now, ttlMinutes) };
  }
  return { kind: 'keep' };
}

/** API keys are touched as seldom as sessions. */
export const touchDue = (lastUsedAt: string | null, now: Date) => !lastUsedAt || now.getTime() - Date.parse(lastUsedAt) > TOUCH_EVERY_MS;
