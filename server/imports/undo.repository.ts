// What an undo reads about the users a run created (whether each may go), and the undo run's own
// bookkeeping. The reads look at other modules' tables (links, bindings, provisioning state) as
// provisioning's state.repository does: one query per batch instead of one per user and module.
import { type ExpressionBuilder, sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { equalsUnindexed, inChunks } from '../db/queries.ts';
import type { DB } from '../db/schema.ts';

type UsersAlias = ExpressionBuilder<DB & { u: DB['users'] }, 'u'>;

/**
 * Whether user `u` is provisioned somewhere: linked to an account in another application, a member of
 * a group bound to any application, or managed by provisioning in any application of the organization
 * (provisioning_users is keyed by application first, hence the applications' ids).
 */
function provisionedSomewhere(eb: UsersAlias, organizationId: string, applicationId: string) {
  return eb.or([
    eb.exists(
      eb
        .selectFrom('app_user_links as l')
        .select('l.user_id')
        .whereRef('l.user_id', '=', 'u.id')
        .where('l.application_id', '<>', applicationId),
    ),
    eb.exists(
      eb
        .selectFrom('group_members as m')
        .innerJoin('application_groups as ag', 'ag.group_id', 'm.group_id')
        .select('m.user_id')
        .whereRef('m.user_id', '=', 'u.id'),
    ),
    eb.exists(
      eb
        .selectFrom('provisioning_users as p')
        .select('p.user_id')
        .where('p.application_id', 'in', eb.selectFrom('applications').select('id').where('organization_id', '=', organizationId))
        .whereRef('p.user_id', '=', 'u.id'),
    ),
  ]);
}

export interface CreatedUserState {
  id: string;
  username: string;
  state: string;
  /** Changed since the import created him. */
  changed: boolean;
  provisioned: boolean;
}

const truthy = (v: unknown) => v === true || Number(v) === 1;

/** The users among these ids that still exist, with what decides whether an undo may remove them. */
export async function findCreatedUsers(db: Db, organizationId: string, applicationId: string, ids: string[]): Promise<CreatedUserState[]> {
  const rows = await inChunks(ids, 500, (chunk) =>
    db
      .selectFrom('users as u')
      .select(['u.id', 'u.username', 'u.state', 'u.created_at', 'u.updated_at'])
      .select((eb) => provisionedSomewhere(eb, organizationId, applicationId).as('provisioned'))
      .where(equalsUnindexed(db, 'u.organization_id', organizationId))
      .where('u.id', 'in', chunk)
      .execute(),
  );
  return rows.map((r) => ({
    id: r.id,
    username: r.username,
    state: r.state,
    changed: r.updated_at > r.created_at,
    provisioned: truthy(r.provisioned),
  }));
}

/**
 * The ids of the users that are provisioned somewhere (provisionedSomewhere), as one set: for counting
 * over a whole run, reading each of those tables once is cheaper than three lookups per user.
 */
function provisionedUserIds(db: Db, organizationId: string, applicationId: string) {
  return db
    .selectFrom('app_user_links')
    .select('user_id')
    .where('application_id', '<>', applicationId)
    .union(db.selectFrom('group_members as m').innerJoin('application_groups as ag', 'ag.group_id', 'm.group_id').select('m.user_id'))
    .union(
      db
        .selectFrom('provisioning_users')
        .select('user_id')
        .where('application_id', 'in', db.selectFrom('applications').select('id').where('organization_id', '=', organizationId)),
    );
}

/**
 * The users a run created that are still there, those changed since and those (unchanged) provisioned
 * somewhere: one pass over the users table (there is no index on source_import_run_id, which an
 * import would have to write 100,000 times; the organization is written so that SQLite scans the
 * table rather than walking an index of the whole organization and reading each row from it).
 */
export async function countCreatedUsers(
  db: Db,
  organizationId: string,
  applicationId: string,
  runId: string,
): Promise<{ present: number; changed: number; provisioned: number }> {
  const provisioned = provisionedUserIds(db, organizationId, applicationId);
  const r = await db
    .selectFrom('users as u')
    .select([
      sql<number>`count(*)`.as('present'),
      sql<number>`coalesce(sum(case when u.updated_at > u.created_at then 1 else 0 end), 0)`.as('changed'),
      sql<number>`coalesce(sum(case when u.updated_at <= u.created_at and u.id in (${provisioned}) then 1 else 0 end), 0)`.as(
        'provisioned',
      ),
    ])
    .where(equalsUnindexed(db, 'u.organization_id', organizationId))
    .where('u.source_import_run_id', '=', runId)
    .executeTakeFirstOrThrow();
  return { present: Number(r.present), changed: Number(r.changed), provisioned: Number(r.provisioned) };
}

/** How many result rows of the run have this outcome (and, optionally, a detail containing `detailLike`). */
export async function countResults(db: Db, runId: string, outcome: string, detailLike?: string): Promise<number> {
  let q = db
    .selectFrom('import_run_results')
    .select(sql<number>`count(*)`.as('n'))
    .where('run_id', '=', runId)
    .where('outcome', '=', outcome as never);
  if (detailLike) q = q.where('detail', 'like', detailLike);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

/** An undo batch's counts, added in SQL (the checkpoint: a resumed undo skips `processed` results). */
export async function addUndoCounts(
  db: Db,
  id: string,
  d: { processed: number; reverted: number; skipped: number; failed: number },
  now: string,
): Promise<void> {
  await db
    .updateTable('import_runs')
    .set((eb) => ({
      processed: eb('processed', '+', d.processed),
      reverted: eb('reverted', '+', d.reverted),
      skipped: eb('skipped', '+', d.skipped),
      failed: eb('failed', '+', d.failed),
      updated_at: now,
    }))
    .where('id', '=', id)
    .execute();
}

/**
 * Marks the run undone by `undoRunId`, unless another undo holds it: only a run never undone, or one
 * whose undo failed (`retrying`), may be taken. Returns whether it was.
 */
export async function markUndone(db: Db, runId: string, undoRunId: string, retrying: string | null, now: string): Promise<boolean> {
  const r = await db
    .updateTable('import_runs')
    .set({ undone_by_run_id: undoRunId, updated_at: now })
    .where('id', '=', runId)
    .where((eb) => (retrying ? eb('undone_by_run_id', '=', retrying) : eb('undone_by_run_id', 'is', null)))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
