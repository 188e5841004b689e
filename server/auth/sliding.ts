// Sliding sessions, for admins (admin_sessions) and users (user_sessions) alike: a session token is
// random and stored only as its SHA-256 hash; activity extends a session by its time to live, written
// at most once a minute, but never past an absolute lifetime from its creation.
import type { Db } from '../db/database.ts';
import { randomToken, sha256 } from './tokens.ts';

const TOUCH_EVERY_MS = 60_000;

export interface SlidingRow {
  created_at: string;
  last_seen_at: string;
  expires_at: string;
}

type SessionStep = { kind: 'end' } | { kind: 'keep' } | { kind: 'touch'; lastSeenAt: string; expiresAt: string };

const plus = (now: Date, ttlMinutes: number) => new Date(now.getTime() + ttlMinutes * 60_000).toISOString();

/** A new session: the token for the cookie, the id it is stored under, and when it expires. */
export function newSessionToken(now: Date, ttlMinutes: number): { token: string; id: string; expiresAt: string } {
  const token = randomToken(32);
  return { token, id: sha256(token), expiresAt: plus(now, ttlMinutes) };
}

/** What to do with a stored session seen now: end it (expired), extend it, or leave it. */
function nextSessionStep(s: SlidingRow, now: Date, ttlMinutes: number, absoluteMaxMs: number): SessionStep {
  if (s.expires_at <= now.toISOString() || now.getTime() - Date.parse(s.created_at) > absoluteMaxMs) return { kind: 'end' };
  if (now.getTime() - Date.parse(s.last_seen_at) > TOUCH_EVERY_MS) {
    return { kind: 'touch', lastSeenAt: now.toISOString(), expiresAt: plus(now, ttlMinutes) };
  }
  return { kind: 'keep' };
}

/** One kind of session: where it is stored, by id (its token's hash), and its absolute lifetime. */
export interface SessionKind<S extends SlidingRow> {
  find(db: Db, id: string): Promise<S | undefined>;
  delete(db: Db, id: string): Promise<void>;
  touch(db: Db, id: string, lastSeenAt: string, expiresAt: string): Promise<void>;
  absoluteMaxMs: number;
}

/**
 * The stored session behind a cookie's token, extended when due. Undefined for a token that is no
 * session's, and for a session that ended or that `usable` refuses (which is deleted).
 */
export async function slideSession<S extends SlidingRow>(
  db: Db,
  kind: SessionKind<S>,
  token: string,
  now: Date,
  ttlMinutes: number,
  usable: (s: S) => boolean = () => true,
): Promise<{ id: string; session: S } | undefined> {
  if (token.length > 200) return undefined;
  const id = sha256(token);
  const session = await kind.find(db, id);
  if (!session) return undefined;
  const step = nextSessionStep(session, now, ttlMinutes, kind.absoluteMaxMs);
  if (step.kind === 'end' || !usable(session)) {
    await kind.delete(db, id);
    return undefined;
  }
  if (step.kind === 'touch') await kind.touch(db, id, step.lastSeenAt, step.expiresAt);
  return { id, session };
}

/** API keys are touched as seldom as sessions. */
export const touchDue = (lastUsedAt: string | null, now: Date) => !lastUsedAt || now.getTime() - Date.parse(lastUsedAt) > TOUCH_EVERY_MS;
