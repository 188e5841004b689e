// The delete guardrail of a SCIM source: more deletions and suspensions within an hour than
// max(minimum, percent of the organization's users) pause the source's removals until an admin
// confirms. A refused request must still leave the pause (and the admins' email) committed, so
// checkRemoval answers with a verdict instead of throwing: see its comment for the two ways to use it.
import type { DbContext } from '../db/context.ts';
import { type Db, inTransaction } from '../db/database.ts';
import { listAdmins } from '../auth/index.ts';
import { findUser } from '../directory/index.ts';
import { record } from '../insights/index.ts';
import { type MailQueue, queueMail, scimGuardrailPausedEmail } from '../notifications/index.ts';
import type { Actor } from '../shared/actor.ts';
import { AppError, conflict, notFound } from '../shared/errors.ts';
import { liveSource, parseSettings, type ScimSource, sourceActor, sourceEvent } from './source.ts';
import * as repo from './sources.repository.ts';
import type { SourceSettings } from './sources.schemas.ts';

export const GUARDRAIL_WINDOW_MS = 60 * 60_000;
/** What a paused source is told to wait: the pause lasts until an admin confirms, so this is only how often it asks. */
export const GUARDRAIL_RETRY_AFTER_SECONDS = 300;

/** What the guardrail needs besides the database: the queue the admins' email goes through and the portal's address. */
export interface GuardrailContext extends DbContext {
  queue: MailQueue;
  publicUrl: string;
}

export type RemovalKind = 'delete' | 'suspend';

/** The pause one refused removal started: enough to write it again if the caller's transaction rolled back. */
export interface GuardrailPause {
  sourceId: string;
  organizationId: string;
  sourceName: string;
  removals: number;
  limit: number;
  refused: { userId: string; kind: RemovalKind };
}

/** A removal the guardrail refused: the SCIM endpoint answers 503 with Retry-After and a SCIM error saying why. */
export class GuardrailPausedError extends AppError {
  readonly retryAfterSeconds = GUARDRAIL_RETRY_AFTER_SECONDS;
  readonly sourceId: string;
  /** Set when this refusal started the pause (commitGuardrailPause writes it); undefined when it was paused already. */
  readonly pause: GuardrailPause | undefined;
  constructor(sourceId: string, pause?: GuardrailPause) {
    super(
      'SCIM_SOURCE_PAUSED',
      503,
      'Deletions and suspensions from this SCIM source are paused: it removed more users within an hour than its delete ' +
        'guardrail allows. An admin must confirm under Identity Management > SCIM sources before more are accepted.',
    );
    this.sourceId = sourceId;
    this.pause = pause;
  }
}

export type RemovalVerdict = { allowed: true } | { allowed: false; error: GuardrailPausedError };

/** The most removals an hour allows, or null when the guardrail is off. */
export function removalLimit(settings: SourceSettings, organizationUsers: number): number | null {
  const g = settings.deleteGuardrail;
  return g ? Math.max(g.minimum, Math.ceil((g.percent * organizationUsers) / 100)) : null;
}

/**
 * Where the source's guardrail stands: since when removals count, how many there were, and the limit.
 * `exact: false` (a removal being checked): below the minimum the limit is not worked out, since the
 * removal is allowed whatever the organization's size, and counting its users reads them all.
 */
export async function guardrailState(
  ctx: DbContext,
  row: repo.SourceRow,
  exact = true,
): Promise<{ windowStart: string; removals: number; limit: number | null }> {
  const hourAgo = new Date(ctx.clock.now().getTime() - GUARDRAIL_WINDOW_MS).toISOString();
  const confirmed = row.guardrail_confirmed_at;
  const windowStart = confirmed && confirmed > hourAgo ? confirmed : hourAgo;
  const removals = await repo.countRemovalsSince(ctx.db, row.id, windowStart);
  const settings = parseSettings(row.settings);
  const g = settings.deleteGuardrail;
  if (!g) return { windowStart, removals, limit: null };
  if (!exact && removals < g.minimum) return { windowStart, removals, limit: g.minimum };
  const limit = removalLimit(settings, await repo.countOrganizationUsers(ctx.db, row.organization_id));
  return { windowStart, removals, limit };
}

/**
 * Called by the SCIM endpoint in the request's transaction before it deletes or suspends a user, and
 * before any other write of that request. Under the limit the removal is counted and allowed. At the
 * limit (or while paused) it is refused; a refusal that starts the pause has written the pause, its
 * Insights event and the admins' email on `ctx.db` already. Either:
 * - return from the transaction without writing anything else (so the pause commits), then throw
 *   `verdict.error`; or
 * - throw `verdict.error` inside the transaction (rolling the pause back too) and, after it, call
 *   `commitGuardrailPause(ctx, error)`, which writes the pause in a transaction of its own.
 */
export async function checkRemoval(
  ctx: GuardrailContext,
  source: Pick<ScimSource, 'id'>,
  userId: string,
  kind: RemovalKind,
): Promise<RemovalVerdict> {
  const row = await repo.lockSource(ctx.db, source.id);
  if (!row) throw notFound('SCIM source', source.id);
  if (row.guardrail_paused_at) return { allowed: false, error: new GuardrailPausedError(row.id) };
  const { removals, limit } = await guardrailState(ctx, row, false);
  if (limit === null || removals < limit) {
    const at = ctx.clock.now().toISOString();
    await repo.insertRemoval(ctx.db, { organization_id: row.organization_id, source_id: row.id, user_id: userId, kind, at });
    return { allowed: true };
  }
  const pause: GuardrailPause = {
    sourceId: row.id,
    organizationId: row.organization_id,
    sourceName: row.name,
    removals,
    limit,
    refused: { userId, kind },
  };
  await writePause(ctx, ctx.db, pause);
  return { allowed: false, error: new GuardrailPausedError(row.id, pause) };
}

/** The pause a refusal started, in a transaction of its own (for a caller whose transaction rolled back). */
export async function commitGuardrailPause(ctx: GuardrailContext, error: GuardrailPausedError): Promise<void> {
  const { pause } = error;
  if (pause) await inTransaction(ctx.db, (trx) => writePause(ctx, trx, pause));
}

/** Sets the pause; the first caller to set it records the event and emails every admin, once per pause. */
async function writePause(ctx: GuardrailContext, db: Db, pause: GuardrailPause): Promise<void> {
  const now = ctx.clock.now().toISOString();
  if (!(await repo.pauseSource(db, pause.sourceId, now))) return;
  const source = { id: pause.sourceId, name: pause.sourceName, organizationId: pause.organizationId };
  const user = await findUser(db, pause.organizationId, pause.refused.userId);
  const changes = { removals: pause.removals, limit: pause.limit, windowMinutes: GUARDRAIL_WINDOW_MS / 60_000, refused: pause.refused };
  const message = `Deletions and suspensions paused after ${pause.removals} within an hour (limit ${pause.limit}); an admin must confirm`;
  await record({ db, clock: ctx.clock }, sourceEvent('scim_source_guardrail_paused', sourceActor(source), source, { changes, message }));
  const content = scimGuardrailPausedEmail({
    sourceName: pause.sourceName,
    removals: pause.removals,
    limit: pause.limit,
    windowMinutes: changes.windowMinutes,
    refused: { kind: pause.refused.kind, user: user ? user.username : pause.refused.userId },
    sourceUrl: `${ctx.publicUrl.replace(/\/+$/, '')}/scim-sources/${pause.sourceId}`,
  });
  for (const admin of await listAdmins({ db }, pause.organizationId)) {
    await queueMail(
      db,
      ctx.queue,
      { organizationId: pause.organizationId, to: admin.email, ...content, kind: 'scim_guardrail_paused', relatedId: pause.sourceId },
      { clock: ctx.clock },
    );
  }
}

/** Lets the source's removals through again: the pause ends, and removals before now no longer count. */
export async function confirmGuardrail(ctx: DbContext, actor: Actor, id: string): Promise<void> {
  await inTransaction(ctx.db, async (trx) => {
    const row = await liveSource(trx, actor.organizationId, id);
    if (!row.guardrail_paused_at) throw conflict('SCIM_SOURCE_NOT_PAUSED', `The SCIM source "${row.name}" is not paused`);
    const now = ctx.clock.now().toISOString();
    await repo.updateSource(trx, actor.organizationId, id, { guardrail_paused_at: null, guardrail_confirmed_at: now, updated_at: now });
    const changes = { pausedAt: row.guardrail_paused_at };
    await record({ db: trx, clock: ctx.clock }, sourceEvent('scim_source_guardrail_confirm', actor, row, { changes }));
  });
}
