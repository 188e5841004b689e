// Admin sessions (cookie) and API keys (bearer): both stored only as SHA-256 hashes.
import { type DbContext, onDb } from '../db/context.ts';
import { inTransaction } from '../db/database.ts';
import { type InsightsContext, record } from '../insights/index.ts';
import type { Actor } from '../shared/actor.ts';
import { notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { findAdminById } from './admins.repository.ts';
import { authEvent } from './events.ts';
import * as repo from './sessions.repository.ts';
import { LOGIN_WINDOW_MS } from './throttle.ts';
import { newSessionToken, slideSession, touchDue } from './sliding.ts';
import { randomToken, sha256 } from './tokens.ts';

/** Sessions slide with activity but never outlive this. */
export const SESSION_ABSOLUTE_MAX_MS = 7 * 24 * 60 * 60_000;

export async function createSession(
  { db }: Pick<DbContext, 'db'>,
  s: { organizationId: string; adminId: string; clientIp: string | null; userAgent: string | null; ttlMinutes: number; now: Date },
): Promise<{ sessionToken: string; csrfToken: string; expiresAt: string }> {
  const { token: sessionToken, id, expiresAt } = newSessionToken(s.now, s.ttlMinutes);
  const csrfToken = randomToken(24);
  await repo.insertSession(db, {
    id,
    organization_id: s.organizationId,
    admin_id: s.adminId,
    csrf_token: csrfToken,
    created_at: s.now.toISOString(),
    last_seen_at: s.now.toISOString(),
    expires_at: expiresAt,
    client_ip: s.clientIp,
    user_agent: s.userAgent?.slice(0, 500) ?? null,
  });
  return { sessionToken, csrfToken, expiresAt };
}

const ADMIN_SESSIONS = {
  find: repo.findSessionWithAdmin,
  delete: repo.deleteSession,
  touch: repo.touchSession,
  absoluteMaxMs: SESSION_ABSOLUTE_MAX_MS,
};

export interface ResolvedSession {
  sessionId: string;
  csrfToken: string;
  actor: Actor;
  /** The organization requires MFA and this admin has none yet: the session may only enrol. */
  mfaEnrolmentRequired: boolean;
}

export async function resolveSession({ db, clock }: DbContext, token: string, ttlMinutes: number): Promise<ResolvedSession | undefined> {
  const found = await slideSession(db, ADMIN_SESSIONS, token, clock.now(), ttlMinutes);
  if (!found) return undefined;
  const { id, session: s } = found;
  return {
    sessionId: id,
    csrfToken: s.csrf_token,
    actor: { type: 'admin', id: s.admin_id, email: s.admin_email, role: s.admin_role, organizationId: s.organization_id },
    mfaEnrolmentRequired: Boolean(s.require_admin_mfa) && !s.mfa_enabled_at,
  };
}

export async function endSession({ db }: Pick<DbContext, 'db'>, sessionId: string): Promise<void> {
  await repo.deleteSession(db, sessionId);
}

export interface ApiKey {
  id: string;
  name: string;
  role: 'admin' | 'read_only';
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
}

const apiKeyResource = (k: { id: string; name: string }) => ({ type: 'api_key', id: k.id, username: k.name });

const toApiKey = (r: Awaited<ReturnType<typeof repo.listApiKeys>>[number]): ApiKey => ({
  id: r.id,
  name: r.name,
  role: r.role,
  prefix: r.key_prefix,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
});

export async function createApiKey(
  { db, clock }: DbContext,
  actor: Actor,
  input: { name: string; role: 'admin' | 'read_only' },
): Promise<ApiKey & { key: string }> {
  const key = `rk_${randomToken(32)}`;
  const row = {
    id: newId(),
    organization_id: actor.organizationId,
    name: input.name.trim(),
    role: input.role,
    key_hash: sha256(key),
    key_prefix: key.slice(0, 10),
    created_by_admin_id: actor.type === 'admin' ? actor.id : null,
    created_at: clock.now().toISOString(),
    last_used_at: null,
  };
  await inTransaction(db, async (trx) => {
    await repo.insertApiKey(trx, row);
    await record({ db: trx, clock }, authEvent('api_key_create', actor, apiKeyResource(row), { changes: { role: row.role } }));
  });
  return { ...toApiKey(row), key };
}

export async function listApiKeys({ db }: Pick<DbContext, 'db'>, organizationId: string): Promise<ApiKey[]> {
  return (await repo.listApiKeys(db, organizationId)).map(toApiKey);
}

export async function deleteApiKey(ctx: InsightsContext, actor: Actor, id: string): Promise<void> {
  await inTransaction(ctx.db, async (trx) => {
    const row = await repo.findApiKey(trx, actor.organizationId, id);
    if (!row) throw notFound('API key', id);
    await repo.deleteApiKey(trx, actor.organizationId, id);
    await record(onDb(ctx, trx), authEvent('api_key_delete', actor, apiKeyResource(row)));
  });
}

/**
 * Revokes the API keys an admin created, in the caller's transaction (when the admin is deleted: a key
 * must not outlive the person answerable for it). Returns how many.
 */
export async function revokeApiKeysOf(ctx: InsightsContext, actor: Actor, admin: { id: string; email: string }): Promise<number> {
  const keys = await repo.deleteApiKeysCreatedBy(ctx.db, actor.organizationId, admin.id);
  for (const k of keys) {
    const message = `revoked because the admin who created it (${admin.email}) was deleted`;
    await record(ctx, authEvent('api_key_delete', actor, apiKeyResource(k), { message }));
  }
  return keys.length;
}

export async function resolveApiKey({ db, clock }: DbContext, key: string): Promise<Actor | undefined> {
  if (!key.startsWith('rk_') || key.length > 200) return undefined;
  const row = await repo.findApiKeyByHash(db, sha256(key));
  if (!row) return undefined;
  const now = clock.now();
  if (touchDue(row.last_used_at, now)) await repo.touchApiKey(db, row.id, now.toISOString());
  return { type: 'api_key', id: row.id, email: null, role: row.role, organizationId: row.organization_id };
}

/** Expired admin sessions, used or expired setup tokens and stale login counters go (the purge job). */
export async function purgeExpiredAuth({
  db,
  clock,
}: DbContext): Promise<{ sessions: number; setupTokens: number; loginThrottle: number; mfaChallenges: number }> {
  const now = clock.now();
  return repo.purgeExpired(
    db,
    now.toISOString(),
    new Date(now.getTime() - SESSION_ABSOLUTE_MAX_MS).toISOString(),
    new Date(now.getTime() - LOGIN_WINDOW_MS).toISOString(),
  );
}

/** The email of the admin who created an API key: who hears about what the key started (an import). */
export async function apiKeyCreatorEmail(
  ctx: Pick<DbContext, 'db'>,
  organizationId: string,
  apiKeyId: string,
): Promise<string | undefined> {
  const key = await repo.findApiKey(ctx.db, organizationId, apiKeyId);
  if (!key?.created_by_admin_id) return undefined;
  return (await findAdminById(ctx.db, organizationId, key.created_by_admin_id))?.email;
}
