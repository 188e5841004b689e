// Many users changed in one transaction, for an import's undo (issue 14): created users deleted or
// suspended, and fields an import updated set back. Set-wise SQL (a few hundred ids per statement) and
// one batch of Insights events, in the caller's transaction; no per-user transactions. Each change is
// told to provisioning (ctx.changes) as the single-user services do.
import { recordMany, type InsightEventInput } from '../insights/index.ts';
import type { Actor } from '../shared/actor.ts';
import type { DirectoryContext } from './context.ts';
import * as repo from './users.repository.ts';
import { searchTextOf } from './users.service.ts';
import { UPDATABLE_COLUMNS, type UpdatableColumn } from './bulk-updates.ts';

/** Who makes the change and on whose behalf: the events name the actor, the application and the run. */
export interface BulkChangeMeta {
  actor: Actor;
  application: { id: string; name: string };
  importRunId: string;
  /** The batch's moment: updated_at and the events' timestamp. */
  now: string;
}

export interface BulkUser {
  id: string;
  username: string;
}

const eventOf = (meta: BulkChangeMeta, eventType: string, user: BulkUser, changes?: unknown): InsightEventInput => ({
  eventType,
  service: 'import',
  actor: meta.actor,
  resource: { type: 'user', id: user.id, username: user.username },
  application: meta.application,
  importRunId: meta.importRunId,
  ...(changes === undefined ? {} : { changes }),
  timestamp: meta.now,
});

/**
 * Tells provisioning about the users that may be in an application, by sets (a few queries per 500
 * users, not one lookup per user of 100,000).
 */
async function tellProvisioning(ctx: DirectoryContext, organizationId: string, ids: string[]): Promise<void> {
  await ctx.changes.usersChanged(ctx.db, organizationId, ids);
}

/**
 * Deletes these users (their memberships, links, sessions and SCIM data go with them), one
 * `user_delete` event each. The caller has checked that none is linked to an application or
 * provisioned anywhere (see tellProvisioning).
 */
export async function deleteUsersInBulk(ctx: DirectoryContext, users: BulkUser[], meta: BulkChangeMeta): Promise<void> {
  if (users.length === 0) return;
  const organizationId = meta.actor.organizationId;
  const ids = users.map((u) => u.id);
  // Before the delete: the applications a user is in are found through his memberships.
  await tellProvisioning(ctx, organizationId, ids);
  await repo.deleteUsersByIds(ctx.db, organizationId, ids);
  await recordMany(
    ctx,
    users.map((u) => eventOf(meta, 'user_delete', u)),
  );
}

/** Suspends these users (ACTIVE ones), one `user_update` event each; the same precondition as deleteUsersInBulk. */
export async function suspendUsersInBulk(
  ctx: DirectoryContext,
  users: (BulkUser & { state: string })[],
  meta: BulkChangeMeta,
): Promise<void> {
  const active = users.filter((u) => u.state !== 'SUSPENDED');
  if (active.length === 0) return;
  const organizationId = meta.actor.organizationId;
  const ids = active.map((u) => u.id);
  await repo.setUsersState(ctx.db, organizationId, ids, 'SUSPENDED', meta.now);
  await tellProvisioning(ctx, organizationId, ids);
  await recordMany(
    ctx,
    active.map((u) => eventOf(meta, 'user_update', u, { state: { from: u.state, to: 'SUSPENDED' } })),
  );
}

/** One field to set back: its API name, its column, the value before the import and the one it set. */
export interface FieldRestore {
  field: string;
  column: UpdatableColumn;
  before: unknown;
  after: unknown;
}

export interface RestoreOutcome {
  userId: string;
  /** false: the user is gone. */
  found: boolean;
  restored: FieldRestore[];
  /** Left as they are: changed since (the value is no longer the one the import set), or the old email is taken now. */
  left: (FieldRestore & { why: 'changed_since' | 'taken' })[];
}

/** A value as the users table stores it (addresses and phone numbers are JSON of the API's form). */
const stored = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v ?? ''));

async function emailTaken(ctx: DirectoryContext, organizationId: string, userId: string, email: string): Promise<boolean> {
  const clashes = await repo.findUsersByUsernameOrEmail(ctx.db, organizationId, [email.toLowerCase()]);
  return clashes.some((c) => c.id !== userId);
}

/** Which of a user's fields still hold what the import set (those are set back) and which are left. */
async function restorePlan(ctx: DirectoryContext, row: repo.UserRecord, changes: FieldRestore[]): Promise<RestoreOutcome> {
  const out: RestoreOutcome = { userId: row.id, found: true, restored: [], left: [] };
  for (const c of changes) {
    if (!UPDATABLE_COLUMNS.includes(c.column) || row[c.column] !== stored(c.after)) out.left.push({ ...c, why: 'changed_since' });
    else if (c.column === 'email' && (await emailTaken(ctx, row.organization_id, row.id, stored(c.before))))
      out.left.push({ ...c, why: 'taken' });
    else out.restored.push(c);
  }
  return out;
}

/**
 * Sets back the fields an import updated, where each still holds the value the import set; one
 * `user_update` event per user changed. `write: false` only says what it would do (a dry run).
 */
export async function restoreUserFields(
  ctx: DirectoryContext,
  items: { userId: string; changes: FieldRestore[] }[],
  meta: BulkChangeMeta,
  write: boolean,
): Promise<RestoreOutcome[]> {
  const organizationId = meta.actor.organizationId;
  const rows = new Map(
    (
      await repo.findUsersByIds(
        ctx.db,
        organizationId,
        items.map((i) => i.userId),
      )
    ).map((r) => [r.id, r]),
  );
  const outcomes: RestoreOutcome[] = [];
  const events: InsightEventInput[] = [];
  const restored: string[] = [];
  for (const item of items) {
    const row = rows.get(item.userId);
    if (!row) {
      outcomes.push({ userId: item.userId, found: false, restored: [], left: [] });
      continue;
    }
    const plan = await restorePlan(ctx, row, item.changes);
    outcomes.push(plan);
    if (!write || plan.restored.length === 0) continue;
    const patch: Partial<repo.UserRecord> = {};
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const c of plan.restored) {
      (patch as Record<string, string>)[c.column] = stored(c.before);
      changes[c.field] = { from: c.after, to: c.before };
    }
    if (patch.email !== undefined) patch.email_lower = patch.email.toLowerCase();
    const after = { ...row, ...patch };
    await repo.updateUser(ctx.db, organizationId, row.id, { ...patch, search_text: searchTextOf(after), updated_at: meta.now });
    events.push(eventOf(meta, 'user_update', row, changes));
    restored.push(row.id);
  }
  await tellProvisioning(ctx, organizationId, restored);
  await recordMany(ctx, events);
  return outcomes;
}
