import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { insertRows } from '../db/insert-rows.ts';
import type { ImportRunResultsTable, ImportRunsTable } from '../db/schema.ts';
import { keysetAfter } from '../db/keyset.ts';

export type RunRow = ImportRunsTable;
export type ResultRow = ImportRunResultsTable;

export async function insertRun(db: Db, row: RunRow): Promise<void> {
  await db.insertInto('import_runs').values(row).execute();
}

export async function findRun(db: Db, organizationId: string | null, id: string): Promise<RunRow | undefined> {
  let q = db.selectFrom('import_runs').selectAll().where('id', '=', id);
  if (organizationId) q = q.where('organization_id', '=', organizationId);
  return q.executeTakeFirst();
}

export async function updateRun(db: Db, id: string, patch: Partial<RunRow>): Promise<void> {
  await db.updateTable('import_runs').set(patch).where('id', '=', id).execute();
}

/** Adds the batch's counts in SQL so that two writers can never lose an increment. */
export async function addRunCounts(
  db: Db,
  id: string,
  d: { processed: number; created: number; skipped: number; failed: number },
  total: number,
  now: string,
): Promise<void> {
  await db
    .updateTable('import_runs')
    .set((eb) => ({
      processed: eb('processed', '+', d.processed),
      created: eb('created', '+', d.created),
      skipped: eb('skipped', '+', d.skipped),
      failed: eb('failed', '+', d.failed),
      total: sql<number>`case when total < processed + ${d.processed} then processed + ${d.processed} else ${total} end`,
      updated_at: now,
    }))
    .where('id', '=', id)
    .execute();
}

export async function listRuns(
  db: Db,
  organizationId: string,
  applicationId: string | undefined,
  before: { createdAt: string; id: string } | undefined,
  limit: number,
): Promise<RunRow[]> {
  let q = db.selectFrom('import_runs').selectAll().where('organization_id', '=', organizationId);
  if (applicationId) q = q.where('application_id', '=', applicationId);
  if (before) q = q.where(keysetAfter(['created_at', 'id'], '<', [before.createdAt, before.id]));
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

export async function insertResults(db: Db, rows: ResultRow[]): Promise<void> {
  await insertRows(db, 'import_run_results', rows);
}

/** Which of these remote ids already have a result in the run (a resumed run skips them). */
export async function findResultRemoteIds(db: Db, runId: string, remoteIds: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < remoteIds.length; i += 500) {
    const rows = await db
      .selectFrom('import_run_results')
      .select('remote_id')
      .where('run_id', '=', runId)
      .where('remote_id', 'in', remoteIds.slice(i, i + 500))
      .execute();
    for (const r of rows) out.add(r.remote_id);
  }
  return out;
}

/** Results of the run that created these users: remote id by user id. */
export async function findCreatorsInRun(db: Db, runId: string, userIds: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < userIds.length; i += 500) {
    const rows = await db
      .selectFrom('import_run_results')
      .select(['remote_id', 'user_id'])
      .where('run_id', '=', runId)
      .where('user_id', 'in', userIds.slice(i, i + 500))
      .execute();
    for (const r of rows) if (r.user_id) out.set(r.user_id, r.remote_id);
  }
  return out;
}

export async function maxResultSeq(db: Db, runId: string): Promise<number> {
  const r = await db
    .selectFrom('import_run_results')
    .select(sql<number | null>`max(seq)`.as('m'))
    .where('run_id', '=', runId)
    .executeTakeFirstOrThrow();
  return r.m === null ? -1 : Number(r.m);
}

export async function listResults(
  db: Db,
  runId: string,
  afterSeq: number,
  limit: number,
  outcome?: ResultRow['outcome'],
): Promise<ResultRow[]> {
  let q = db.selectFrom('import_run_results').selectAll().where('run_id', '=', runId).where('seq', '>', afterSeq);
  if (outcome) q = q.where('outcome', '=', outcome);
  return q.orderBy('seq').limit(limit).execute();
}
