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

/** Sets the patch only while the run's status is one of `statuses`: whether it did. */
export async function updateRunIn(db: Db, id: string, statuses: readonly RunRow['status'][], patch: Partial<RunRow>): Promise<boolean> {
  const r = await db.updateTable('import_runs').set(patch).where('id', '=', id).where('status', 'in', statuses).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** The application's unfinished run (queued, running or paused), if any: there is at most one. */
export async function findUnfinishedRun(db: Db, applicationId: string): Promise<Pick<RunRow, 'id' | 'status'> | undefined> {
  return db
    .selectFrom('import_runs')
    .select(['id', 'status'])
    .where('application_id', '=', applicationId)
    .where('status', 'in', ['queued', 'running', 'paused'])
    .executeTakeFirst();
}

/** The counters a batch adds to (each run kind its own: users runs create, link and update; undo runs revert). */
export type RunCounts = { processed: number } & Partial<
  Record<'created' | 'linked' | 'updated' | 'reverted' | 'skipped' | 'failed', number>
>;

/**
 * Adds the batch's counts in SQL so that two writers can never lose an increment; the total grows
 * with them when the run has answered more remote ids than it expected.
 */
export async function addRunCounts(db: Db, id: string, d: RunCounts, now: string): Promise<void> {
  await db
    .updateTable('import_runs')
    .set((eb) => {
      const add = (c: keyof RunCounts) => eb(c, '+', d[c] ?? 0);
      return {
        processed: add('processed'),
        created: add('created'),
        linked: add('linked'),
        updated: add('updated'),
        reverted: add('reverted'),
        skipped: add('skipped'),
        failed: add('failed'),
        total: sql<number>`case when total < processed + ${d.processed} then processed + ${d.processed} else total end`,
        updated_at: now,
      };
    })
    .where('id', '=', id)
    .execute();
}

/** A running run learns how many users the application has (its first page's totalResults): only ever more. */
export async function raiseRunTotal(db: Db, id: string, total: number, now: string): Promise<void> {
  await db
    .updateTable('import_runs')
    .set({ total, updated_at: now })
    .where('id', '=', id)
    .where('total', '<', total)
    .where('status', '=', 'running')
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

/** Skipped and failed users, one row each (created users go to insertCreated). */
export async function insertResults(db: Db, rows: ResultRow[]): Promise<void> {
  await insertRows(db, 'import_run_results', rows);
}

/** Created users per import_run_created row: a page of results parses at most one or two of them. */
const CREATED_CHUNK = 500;
type CreatedEntry = [seq: number, remoteId: string, userName: string, email: string, userId: string];

/**
 * The users a batch created, in seq order, as a few rows rather than one row each: a created user is
 * already written to the users table, his link and his Insights event, and a result row with its two
 * indexes was three more B-tree inserts per user. What a resumed run must skip is found from the
 * link and the user's source_import_run_id (batch.ts), so these rows are only read to list results.
 */
export async function insertCreated(db: Db, runId: string, rows: ResultRow[]): Promise<void> {
  const chunks = [];
  for (let i = 0; i < rows.length; i += CREATED_CHUNK) {
    const part = rows.slice(i, i + CREATED_CHUNK);
    const users: CreatedEntry[] = part.map((r) => [r.seq, r.remote_id, r.user_name, r.email, r.user_id ?? '']);
    chunks.push({ run_id: runId, first_seq: part[0].seq, last_seq: part[part.length - 1].seq, users: JSON.stringify(users) });
  }
  await insertRows(db, 'import_run_created', chunks);
}

/**
 * The users a run with `groupId` added to its group (the memberships that were new), in the add's
 * transaction: a resumed run, finding them members, adds and records only the others.
 */
export async function insertGroupJoins(db: Db, runId: string, userIds: string[]): Promise<void> {
  for (let i = 0; i < userIds.length; i += 500) {
    await db
      .insertInto('import_run_group_joins')
      .values(userIds.slice(i, i + 500).map((userId) => ({ run_id: runId, user_id: userId })))
      .onConflict((oc) => oc.columns(['run_id', 'user_id']).doNothing())
      .execute();
  }
}

/** Which of these remote ids already have a result row in the run (skipped or failed, or created before 2026-12-06). */
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

/** Results that stand for a change (created, linked, updated) after afterSeq, in seq order: a dry run's state (dry-run-state.ts). */
export async function listChangeResults(
  db: Db,
  runId: string,
  afterSeq: number,
  limit: number,
): Promise<Pick<ResultRow, 'seq' | 'remote_id' | 'user_name' | 'email' | 'outcome' | 'user_id' | 'detail'>[]> {
  return db
    .selectFrom('import_run_results')
    .select(['seq', 'remote_id', 'user_name', 'email', 'outcome', 'user_id', 'detail'])
    .where('run_id', '=', runId)
    .where('seq', '>', afterSeq)
    .where('outcome', 'in', ['created', 'linked', 'updated'])
    .orderBy('seq')
    .limit(limit)
    .execute();
}

export async function maxResultSeq(db: Db, runId: string): Promise<number> {
  const r = await db
    .selectFrom('import_run_results')
    .select(sql<number | null>`max(seq)`.as('m'))
    .where('run_id', '=', runId)
    .executeTakeFirstOrThrow();
  const c = await db
    .selectFrom('import_run_created')
    .select(sql<number | null>`max(last_seq)`.as('m'))
    .where('run_id', '=', runId)
    .executeTakeFirstOrThrow();
  return Math.max(r.m === null ? -1 : Number(r.m), c.m === null ? -1 : Number(c.m));
}

/** Created users with seq > afterSeq, in seq order, at most `limit`, from the chunks that hold them. */
async function listCreated(db: Db, runId: string, afterSeq: number, limit: number): Promise<ResultRow[]> {
  const out: ResultRow[] = [];
  // The chunk that may hold afterSeq's successors, then the following ones, one at a time.
  const holding = await db
    .selectFrom('import_run_created')
    .select('first_seq')
    .where('run_id', '=', runId)
    .where('first_seq', '<=', afterSeq)
    .orderBy('first_seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  let from = holding ? Number(holding.first_seq) : -1;
  while (out.length < limit) {
    const chunk = await db
      .selectFrom('import_run_created')
      .select(['first_seq', 'users'])
      .where('run_id', '=', runId)
      .where('first_seq', '>=', from)
      .orderBy('first_seq')
      .limit(1)
      .executeTakeFirst();
    if (!chunk) break;
    for (const [seq, remoteId, userName, email, userId] of JSON.parse(chunk.users) as CreatedEntry[]) {
      if (seq <= afterSeq) continue;
      out.push({
        run_id: runId,
        remote_id: remoteId,
        seq,
        user_name: userName,
        email,
        outcome: 'created',
        reason: null,
        user_id: userId,
        detail: null,
        code: null,
      });
      if (out.length === limit) break;
    }
    from = Number(chunk.first_seq) + 1;
  }
  return out;
}

/**
 * A run's results in seq order (the order the run answered its users), after `afterSeq`: skipped and
 * failed users from their rows, created users from the run's chunks (and, for runs written before
 * 2026-12-06, from their own rows). A created user whom an admin deleted since is still listed, with
 * the id he had: the results say what the run did.
 */
export async function listResults(
  db: Db,
  runId: string,
  afterSeq: number,
  limit: number,
  outcome?: ResultRow['outcome'],
): Promise<ResultRow[]> {
  let q = db.selectFrom('import_run_results').selectAll().where('run_id', '=', runId).where('seq', '>', afterSeq);
  if (outcome) q = q.where('outcome', '=', outcome);
  const rows = await q.orderBy('seq').limit(limit).execute();
  if (outcome && outcome !== 'created') return rows;
  const created = await listCreated(db, runId, afterSeq, limit);
  return [...rows, ...created].sort((a, b) => a.seq - b.seq).slice(0, limit);
}

/** The directory users of a run's results with this outcome (linked, updated: one row each). */
export async function findResultUserIds(db: Db, runId: string, outcome: ResultRow['outcome']): Promise<string[]> {
  const rows = await db
    .selectFrom('import_run_results')
    .select('user_id')
    .where('run_id', '=', runId)
    .where('outcome', '=', outcome)
    .where('user_id', 'is not', null)
    .execute();
  return rows.map((r) => r.user_id!);
}
