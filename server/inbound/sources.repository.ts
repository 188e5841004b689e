// All SQL of SCIM sources: scim_sources, their request log (scim_source_requests) and the removals the
// delete guardrail counts (scim_source_removals). The counts of users and groups a source created, and
// of the organization's users, read the directory's tables: plain counts, no rule of the directory.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { keysetAfter } from '../db/keyset.ts';
import { isPostgres } from '../db/pg-client.ts';
import { findRow, updateRows } from '../db/queries.ts';
import type { ScimSourceRemovalsTable, ScimSourceRequestsTable, ScimSourcesTable } from '../db/schema.ts';

export type SourceRow = ScimSourcesTable;
export type RequestRow = ScimSourceRequestsTable;
export type RemovalRow = ScimSourceRemovalsTable;

export async function insertSource(db: Db, row: SourceRow): Promise<void> {
  await db.insertInto('scim_sources').values(row).execute();
}

/** The source, deleted or not. */
export const findSource = (db: Db, organizationId: string, id: string) =>
  findRow(db, 'scim_sources', { organization_id: organizationId, id });

/** The source that is not deleted with this name in any letter case. */
export const findLiveSourceByName = (db: Db, organizationId: string, nameLower: string) =>
  findRow(db, 'scim_sources', { organization_id: organizationId, name_lower: nameLower, deleted_at: null });

export const findLiveSourceByTokenHash = (db: Db, tokenHash: string) =>
  findRow(db, 'scim_sources', { token_hash: tokenHash, deleted_at: null });

export async function listSources(db: Db, organizationId: string, includeDeleted: boolean): Promise<SourceRow[]> {
  let q = db.selectFrom('scim_sources').selectAll().where('organization_id', '=', organizationId);
  if (!includeDeleted) q = q.where('deleted_at', 'is', null);
  return q.orderBy('name_lower').orderBy('id').execute();
}

export const updateSource = (db: Db, organizationId: string, id: string, patch: Partial<SourceRow>) =>
  updateRows(db, 'scim_sources', { organization_id: organizationId, id }, patch);

/** Sets the pause unless one is set already; true when this call set it (so only one caller tells the admins). */
export async function pauseSource(db: Db, id: string, at: string): Promise<boolean> {
  const r = await db
    .updateTable('scim_sources')
    .set({ guardrail_paused_at: at })
    .where('id', '=', id)
    .where('guardrail_paused_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * PostgreSQL: locks the source's row until the transaction ends, so two removals of one source are
 * counted one after the other. SQLite's transactions take the write lock at their start already.
 */
export async function lockSource(db: Db, id: string): Promise<SourceRow | undefined> {
  const q = db.selectFrom('scim_sources').selectAll().where('id', '=', id);
  return (isPostgres(db) ? q.forUpdate() : q).executeTakeFirst();
}

/** How many users and groups each source created, in one pass over each table. */
export async function countCreated(db: Db, organizationId: string): Promise<Map<string, { users: number; groups: number }>> {
  const counted = (table: 'users' | 'groups') =>
    db
      .selectFrom(table as 'users')
      .select(['source_scim_source_id as id', sql<number>`count(*)`.as('n')])
      .where('organization_id', '=', organizationId)
      .where('source_scim_source_id', 'is not', null)
      .groupBy('source_scim_source_id')
      .execute();
  const out = new Map<string, { users: number; groups: number }>();
  const entry = (id: string) => out.get(id) ?? out.set(id, { users: 0, groups: 0 }).get(id)!;
  for (const r of await counted('users')) entry(r.id as string).users = Number(r.n);
  for (const r of await counted('groups')) entry(r.id as string).groups = Number(r.n);
  return out;
}

export async function countCreatedBy(db: Db, organizationId: string, sourceId: string): Promise<{ users: number; groups: number }> {
  const counted = async (table: 'users' | 'groups') => {
    const r = await db
      .selectFrom(table as 'users')
      .select(sql<number>`count(*)`.as('n'))
      .where('organization_id', '=', organizationId)
      .where('source_scim_source_id', '=', sourceId)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  };
  return { users: await counted('users'), groups: await counted('groups') };
}

/** The users of the organization: every one of them is visible to each of its sources. */
export async function countOrganizationUsers(db: Db, organizationId: string): Promise<number> {
  const r = await db
    .selectFrom('users')
    .select(sql<number>`count(*)`.as('n'))
    .where('organization_id', '=', organizationId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

// --- the request log ---------------------------------------------------------------------------

export async function insertRequests(db: Db, rows: RequestRow[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('scim_source_requests').values(rows).execute();
}

/** Moves last_request_at forward only: flushes of two processes may land in either order. */
export async function touchLastRequest(db: Db, sourceId: string, at: string): Promise<void> {
  await db
    .updateTable('scim_sources')
    .set({ last_request_at: at })
    .where('id', '=', sourceId)
    .where((eb) => eb.or([eb('last_request_at', 'is', null), eb('last_request_at', '<', at)]))
    .execute();
}

/** Keeps the source's newest `keep` requests that are not older than `notBefore`; returns how many went. */
export async function trimRequests(db: Db, sourceId: string, keep: number, notBefore: string): Promise<number> {
  let removed = Number(
    (await db.deleteFrom('scim_source_requests').where('source_id', '=', sourceId).where('at', '<', notBefore).executeTakeFirst())
      .numDeletedRows,
  );
  const oldestKept = await db
    .selectFrom('scim_source_requests')
    .select(['at', 'id'])
    .where('source_id', '=', sourceId)
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .offset(keep - 1)
    .limit(1)
    .executeTakeFirst();
  if (oldestKept) {
    const r = await db
      .deleteFrom('scim_source_requests')
      .where('source_id', '=', sourceId)
      .where(keysetAfter(['at', 'id'], '<', [oldestKept.at, oldestKept.id]))
      .executeTakeFirst();
    removed += Number(r.numDeletedRows);
  }
  return removed;
}

/** Every source's requests older than `before` (the hourly purge: sources that went quiet keep none for long). */
export async function purgeRequestsBefore(db: Db, before: string): Promise<number> {
  const r = await db.deleteFrom('scim_source_requests').where('at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Newest first, strictly older than `before` (at, id) when given. */
export async function listRequests(db: Db, sourceId: string, limit: number, before?: { at: string; id: string }): Promise<RequestRow[]> {
  let q = db.selectFrom('scim_source_requests').selectAll().where('source_id', '=', sourceId);
  if (before) q = q.where(keysetAfter(['at', 'id'], '<', [before.at, before.id]));
  return q.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/** The source's requests since `since`, counted by status class (2, 3, 4, 5). */
export async function countRequestsByClass(db: Db, sourceId: string, since: string): Promise<Map<number, number>> {
  const statusClass = sql<number>`(status / 100)`;
  const rows = await db
    .selectFrom('scim_source_requests')
    .select([statusClass.as('c'), sql<number>`count(*)`.as('n')])
    .where('source_id', '=', sourceId)
    .where('at', '>=', since)
    .groupBy(statusClass)
    .execute();
  return new Map(rows.map((r) => [Number(r.c), Number(r.n)]));
}

// --- removals (the delete guardrail) -----------------------------------------------------------

export async function insertRemoval(db: Db, row: RemovalRow): Promise<void> {
  await db.insertInto('scim_source_removals').values(row).execute();
}

export async function countRemovalsSince(db: Db, sourceId: string, since: string): Promise<number> {
  const r = await db
    .selectFrom('scim_source_removals')
    .select(sql<number>`count(*)`.as('n'))
    .where('source_id', '=', sourceId)
    .where('at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Removals older than `before` no longer count for anything (the hourly purge). */
export async function purgeRemovalsBefore(db: Db, before: string): Promise<number> {
  const r = await db.deleteFrom('scim_source_removals').where('at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}
