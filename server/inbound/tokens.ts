// A SCIM source's bearer token: `rss_` and 32 random bytes, stored as its SHA-256 and its last four
// characters. Every request looks the token up again (no cache): a rotation or a deletion committed by
// any process refuses the old token on the next request everywhere.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DbContext } from '../db/context.ts';
import { findLiveSourceByTokenHash } from './sources.repository.ts';
import { type ScimSource, toScimSource } from './source.ts';

export const SOURCE_TOKEN_PREFIX = 'rss_';
// 32 bytes in base64url without padding are 43 characters.
const TOKEN_RE = /^rss_[A-Za-z0-9_-]{43}$/;

export interface NewToken {
  token: string;
  hash: string;
  hint: string;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest();

export function newSourceToken(): NewToken {
  const token = `${SOURCE_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { token, hash: sha256(token).toString('hex'), hint: token.slice(-4) };
}

/**
 * The active (not deleted) source the token belongs to, or undefined. The lookup is by the hash's
 * index; the hashes are then compared in constant time, so the answer's timing says nothing about
 * how much of a guessed token was right.
 */
export async function authenticateSource(ctx: Pick<DbContext, 'db'>, token: string): Promise<ScimSource | undefined> {
  if (typeof token !== 'string' || !TOKEN_RE.test(token)) return undefined;
  const digest = sha256(token);
  const row = await findLiveSourceByTokenHash(ctx.db, digest.toString('hex'));
  if (!row) return undefined;
  const stored = Buffer.from(row.token_hash, 'hex');
  if (stored.length !== digest.length || !timingSafeEqual(stored, digest)) return undefined;
  return toScimSource(row);
}
