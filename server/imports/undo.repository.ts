// What an undo reads about the users a run created (whether each may go), and the undo run's own
// bookkeeping. The reads look at other modules' tables (links, bindings, provisioning state) as
// provisioning's state.repository does: one query per batch instead of one per user and module.
import { type ExpressionBuilder, sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { equalsUnindexed, inChunks } from '../db/queries.ts';
import type { DB } from '../db/schema.ts';

type UsersAlias = ExpressionBuilder<DB & { u: DB['users'] }, 'u'>;

/** The applications the run's group is bound to. */
const boundTo = (db: Db, groupId: string) =>
  db.selectFrom('application_groups as rg').select('rg.application_id').where('rg.group_id', '=', groupId);

/**
 * Whether user `u` is provisioned somewhere: linked to an account in another application, a member of
 * a group bound to any application, or managed by provisioning in any application of the organization
 * (provisioning_users is keyed by application first, hence the applications' ids).
 * `runGroupId`: the user is one the run put in that group (import_run_group_joins). That membership
 * does not count, nor what follows from it alone in the applications the group is bound to (the
 * account provisioning made, its link): the undo removes the membership, and provisioning the rest.
 */
function provisionedSomewhere(eb: UsersAlias, organizationId: string, applicationId: string, runGroupId?: string) {
  let linked = eb
    .selectFrom('app_user_links as l')
    .select('l.user_id')
    .whereRef('l.user_id', '=', 'u.id')
    .where('l.application_id', '<>', applicationId);
  let grouped = eb
    .selectFrom('group_members as m')
    .innerJoin('application_groups as ag', 'ag.group_id', 'm.group_id')
    .select('m.user_id')
    .whereRef('m.user_id', '=', 'u.id');
  let pushed = eb
    .selectFrom('provisioning_users as p')
    .select('p.user_id')
    .where('p.application_id', 'in', eb.selectFrom('applications').select('id').where('organization_id', '=', organizationId))
    .whereRef('p.user_id', '=', 'u.id');
  if (runGroupId) {
    const bound = eb.selectFrom('application_groups as rg').select('rg.application_id').where('rg.group_id', '=', runGroupId);
    linked = linked.where((l) => l.or([l('l.origin', '<>', 'provision'), l('l.application_id', 'not in', bound)]));
    grouped = grouped.where('m.group_id', '<>', runGroupId);
    pushed = pushed.where('p.application_id', 'not in', bound);
  }
  return eb.or([eb.exists(linked), eb.exists(grouped), eb.exists(pushed)]);
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

/**
 * The users among these ids that still exist, with what decides whether an undo may remove them.
 * `runGroupId`: these users are ones the run put in that group (provisionedSomewhere).
 */
export async function findCreatedUsers(
  db: Db,
  organizationId: string,
  applicationId: string,
  ids: string[],
  runGroupId?: string,
): Promise<CreatedUserState[]> {
  const rows = await inChunks(ids, 500, (chunk) =>
    db
      .selectFrom('users as u')
      .select(['u.id', 'u.username', 'u.state', 'u.created_at', 'u.updated_at'])
      .select((eb) => provisionedSomewhere(eb, organizationId, applicationId, runGroupId).as('provisioned'))
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
function provisionedUserIds(db: Db, organizationId: string, applicationId: string, runGroupId?: string) {
  let linked = db.selectFrom('app_user_links as l').select('l.user_id').where('l.application_id', '<>', applicationId);
  let grouped = db.selectFrom('group_members as m').innerJoin('application_groups as ag', 'ag.group_id', 'm.group_id').select('m.user_id');
  let pushed = db
    .selectFrom('provisioning_users as p')
    .select('p.user_id')
    .where('p.application_id', 'in', db.selectFrom('applications').select('id').where('organization_id', '=', organizationId));
  if (runGroupId) {
    linked = linked.where((l) => l.or([l('l.origin', '<>', 'provision'), l('l.application_id', 'not in', boundTo(db, runGroupId))]));
    grouped = grouped.where('m.group_id', '<>', runGroupId);
    pushed = pushed.where('p.application_id', 'not in', boundTo(db, runGroupId));
  }
  return linked.union(grouped).union(pushed);
}

/** The users the run put in its group (import_run_group_joins). */
const joinedBy = (db: Db, runId: string) => db.selectFrom('import_run_group_joins').select('user_id').where('run_id', '=', runId);

/** Those of these users whom the run put in its group. */
export async function findGroupJoins(db: Db, runId: string, userIds: string[]): Promise<Set<string>> {
  const rows = await inChunks(userIds, 500, (chunk) => joinedBy(db, runId).where('user_id', 'in', chunk).execute());
  return new Set(rows.map((r) => r.user_id));
}

/** How many of the memberships the run added to its group are still there (what an undo would remove). */
export async function countGroupJoins(db: Db, organizationId: string, runId: string, groupId: string): Promise<number> {
  const r = await db
    .selectFrom('import_run_group_joins as j')
    .innerJoin('group_members as m', 'm.user_id', 'j.user_id')
    .select(sql<number>`count(*)`.as('n'))
    .where('j.run_id', '=', runId)
    .where('m.organization_id', '=', organizationId)
    .where('m.group_id', '=', groupId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * Whether user `u` (unchanged since the run created him) is provisioned somewhere, as one SQL
 * condition; for the users the run put in its group `runGroupId`, without that membership.
 */
function provisionedCondition(db: Db, organizationId: string, applicationId: string, runId: string, runGroupId?: string) {
  const all = provisionedUserIds(db, organizationId, applicationId);
  if (!runGroupId) return sql<boolean>`u.id in (${all})`;
  const joined = joinedBy(db, runId);
  const without = provisionedUserIds(db, organizationId, applicationId, runGroupId);
  return sql<boolean>`((u.id in (${joined}) and u.id in (${without})) or (u.id not in (${joined}) and u.id in (${all})))`;
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
  runGroupId?: string,
): Promise<{ present: number; changed: number; provisioned: number }> {
  const provisioned = provisionedCondition(db, organizationId, applicationId, runId, runGroupId);
  const r = await db
    .selectFrom('users as u')
    .select([
      sql<number>`count(*)`.as('present'),
      sql<number>`coalesce(sum(case when u.updated_at > u.created_at then 1 else 0 end), 0)`.as('changed'),
      sql<number>`coalesce(sum(case when u.updated_at <= u.created_at and ${provisioned} then 1 else 0 end), 0)`.as('provisioned'),
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
