// All SQL of the embedded job queue. Timestamps are ISO-8601 text (as everywhere in the schema), so
// they compare correctly as strings on both dialects; they come from the worker's clock.
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Db, Dialect } from '../db/database.ts';
import type { JobState } from './queue.ts';

export interface JobsTable {
  id: string;
  organization_id: string | null;
  name: string;
  payload: string;
  state: DbJobState;
  singleton_key: string | null;
  attempts: number;
  max_attempts: number;
  backoff_ms: number;
  run_at: string;
  locked_by: string | null;
  locked_until: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}
export interface JobsDB {
  jobs: JobsTable;
}

/**
 * `retry`: waiting again after a failed or interrupted attempt. Kept apart from `queued` so a retry
 * never collides with a newer job of the same singleton key.
 */
export type DbJobState = 'queued' | 'retry' | 'running' | 'completed' | 'failed' | 'cancelled';

export const toPortState = (s: DbJobState): JobState => (s === 'retry' ? 'queued' : s);

// Literal predicates: they must read exactly like the partial indexes' (see the migration).
const WAITING = sql.raw<boolean>(`state in ('queued', 'retry')`);
const RUNNING = sql.raw<boolean>(`state = 'running'`);

const jobsDb = (db: Db) => db as unknown as Kysely<JobsDB>;

export interface NewJob {
  id: string;
  organizationId: string | null;
  name: string;
  payload: string;
  singletonKey: string | null;
  maxAttempts: number;
  backoffMs: number;
  runAt: string;
  now: string;
}

export async function insertJob(db: Db, job: NewJob): Promise<boolean> {
  const rows = await jobsDb(db)
    .insertInto('jobs')
    .values({
      id: job.id,
      organization_id: job.organizationId,
      name: job.name,
      payload: job.payload,
      state: 'queued',
      singleton_key: job.singletonKey,
      attempts: 0,
      max_attempts: job.maxAttempts,
      backoff_ms: job.backoffMs,
      run_at: job.runAt,
      created_at: job.now,
      updated_at: job.now,
    })
    // Only jobs_singleton_uq can conflict (ids are fresh): a concurrent enqueue of the key won.
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .execute();
  return rows.length === 1;
}

/**
 * Coalescing: the newest waiting job of the name and key takes the new payload and options. A row
 * lock (PostgreSQL) or the write lock (SQLite) then keeps it from being claimed before the caller
 * commits, so the run sees the caller's change.
 */
export async function updateWaitingByKey(db: Db, job: NewJob, runAtGiven: boolean): Promise<string | undefined> {
  const j = jobsDb(db);
  const row = await j
    .updateTable('jobs')
    .set({
      payload: job.payload,
      max_attempts: job.maxAttempts,
      backoff_ms: job.backoffMs,
      ...(runAtGiven ? { run_at: job.runAt } : {}),
      updated_at: job.now,
    })
    .where(
      'id',
      '=',
      j
        .selectFrom('jobs')
        .select('id')
        .where('name', '=', job.name)
        .where('singleton_key', '=', job.singletonKey)
        .where(WAITING)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1),
    )
    .where(WAITING)
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

export interface ClaimedJob {
  id: string;
  name: string;
  payload: string;
  singleton_key: string | null;
  attempts: number;
  max_attempts: number;
  backoff_ms: number;
  run_at: string;
}

/**
 * One atomic statement. SQLite takes the write lock for the whole UPDATE, so two processes never
 * claim the same row; PostgreSQL's SKIP LOCKED lets concurrent claimers pass each other by.
 */
export async function claimJobs(
  db: Db,
  dialect: Dialect,
  args: { name: string; limit: number; workerId: string; now: string; lockedUntil: string },
): Promise<ClaimedJob[]> {
  const j = jobsDb(db);
  let due = j
    .selectFrom('jobs')
    .select('id')
    .where('name', '=', args.name)
    .where(WAITING)
    .where('run_at', '<=', args.now)
    .orderBy('run_at')
    .orderBy('id')
    .limit(args.limit);
  if (dialect === 'postgres') due = due.forUpdate().skipLocked();
  const rows = await j
    .updateTable('jobs')
    .set((eb) => ({
      state: 'running',
      attempts: eb('attempts', '+', 1),
      locked_by: args.workerId,
      locked_until: args.lockedUntil,
      updated_at: args.now,
    }))
    .where('id', 'in', due)
    .where(WAITING)
    .returning(['id', 'name', 'payload', 'singleton_key', 'attempts', 'max_attempts', 'backoff_ms', 'run_at'])
    .execute();
  // RETURNING follows no ORDER BY.
  return rows.sort((a, b) => (a.run_at < b.run_at ? -1 : a.run_at > b.run_at ? 1 : a.id < b.id ? -1 : 1));
}

export interface Held {
  id: string;
  attempts: number;
}

/** Heartbeat: extends the leases this worker still holds; returns those it extended. */
export async function extendLeases(db: Db, workerId: string, ids: string[], lockedUntil: string, now: string): Promise<Held[]> {
  if (ids.length === 0) return [];
  return jobsDb(db)
    .updateTable('jobs')
    .set({ locked_until: lockedUntil, updated_at: now })
    .where('id', 'in', ids)
    .where('locked_by', '=', workerId)
    .where(RUNNING)
    .returning(['id', 'attempts'])
    .execute();
}

export async function findStates(db: Db, ids: string[]): Promise<Map<string, DbJobState>> {
  if (ids.length === 0) return new Map();
  const rows = await jobsDb(db).selectFrom('jobs').select(['id', 'state']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.state]));
}

/** Every settle is fenced to the attempt this worker claimed: once the lease was lost, it changes nothing. */
function fenced(db: Db, workerId: string, job: Held) {
  return jobsDb(db)
    .updateTable('jobs')
    .where('id', '=', job.id)
    .where('locked_by', '=', workerId)
    .where('attempts', '=', job.attempts)
    .where(RUNNING);
}

export async function completeJob(db: Db, workerId: string, job: Held, now: string): Promise<boolean> {
  const r = await fenced(db, workerId, job)
    .set({ state: 'completed', last_error: null, locked_by: null, locked_until: null, finished_at: now, updated_at: now })
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** A failed attempt: back to waiting at `retryAt`, or finished as `failed` / `cancelled` when retryAt is undefined. */
export async function failJob(
  db: Db,
  workerId: string,
  job: Held,
  args: { error: string; retryAt?: string; finalState?: 'failed' | 'cancelled'; now: string },
): Promise<boolean> {
  const r = await fenced(db, workerId, job)
    .set(
      args.retryAt !== undefined
        ? { state: 'retry', run_at: args.retryAt, last_error: args.error, locked_by: null, locked_until: null, updated_at: args.now }
        : {
            state: args.finalState ?? 'failed',
            last_error: args.error,
            locked_by: null,
            locked_until: null,
            finished_at: args.now,
            updated_at: args.now,
          },
    )
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Hands a job back untouched by its attempt (shutdown, or claimed while stopping): it runs again at once. */
export async function releaseJob(db: Db, workerId: string, job: Held, now: string): Promise<boolean> {
  const r = await fenced(db, workerId, job)
    .set((eb) => ({ state: 'retry', attempts: eb('attempts', '-', 1), run_at: now, locked_by: null, locked_until: null, updated_at: now }))
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/**
 * Running jobs whose worker stopped heartbeating (it died): back to waiting, or failed when that
 * was their last attempt. With `all`, every running job regardless of its lease (reclaim on start).
 */
export async function expireLeases(db: Db, args: { now: string; all?: boolean; error: string }): Promise<number> {
  let q = jobsDb(db)
    .updateTable('jobs')
    .set({
      state: sql<DbJobState>`case when attempts >= max_attempts then 'failed' else 'retry' end`,
      finished_at: sql<string | null>`case when attempts >= max_attempts then ${args.now} else null end`,
      run_at: args.now,
      last_error: args.error,
      locked_by: null,
      locked_until: null,
      updated_at: args.now,
    })
    .where(RUNNING);
  if (!args.all) q = q.where('locked_until', '<', args.now);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** cancel(): waiting jobs are dropped; running ones are marked so their worker stops at its next heartbeat. */
export async function cancelByKey(db: Db, name: string, key: string, now: string): Promise<{ waiting: number; running: number }> {
  const cancel = (state: RawBuilder<boolean>) =>
    jobsDb(db)
      .updateTable('jobs')
      .set({ state: 'cancelled', locked_by: null, locked_until: null, finished_at: now, updated_at: now, last_error: 'cancelled' })
      .where('name', '=', name)
      .where('singleton_key', '=', key)
      .where(state)
      .executeTakeFirst();
  const waiting = await cancel(WAITING);
  const running = await cancel(RUNNING);
  return { waiting: Number(waiting.numUpdatedRows), running: Number(running.numUpdatedRows) };
}

export async function deleteFinishedBefore(db: Db, before: string, batch = 500): Promise<number> {
  const j = jobsDb(db);
  let total = 0;
  for (;;) {
    const r = await j
      .deleteFrom('jobs')
      .where('id', 'in', j.selectFrom('jobs').select('id').where('finished_at', '<', before).limit(batch))
      .executeTakeFirst();
    const n = Number(r.numDeletedRows);
    total += n;
    if (n < batch) return total;
  }
}

export async function countByState(db: Db, name?: string): Promise<Array<{ state: DbJobState; n: number }>> {
  let q = jobsDb(db)
    .selectFrom('jobs')
    .select((eb) => ['state', eb.fn.countAll<number>().as('n')])
    .groupBy('state');
  if (name !== undefined) q = q.where('name', '=', name);
  const rows = await q.execute();
  return rows.map((r) => ({ state: r.state, n: Number(r.n) }));
}

export async function findJob(db: Db, id: string) {
  return jobsDb(db)
    .selectFrom('jobs')
    .select(['id', 'name', 'state', 'attempts', 'last_error', 'payload'])
    .where('id', '=', id)
    .executeTakeFirst();
}
