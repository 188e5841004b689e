// What inbound SCIM keeps beside the directory (scim_user_data, scim_group_data: the attributes a source
// sent that have no directory field, externalId, and who deleted a user with onDelete "suspend"), and the
// read-only queries the SCIM endpoint answers lists with. Those read users, groups and memberships
// (owned by the directory) because a SCIM filter becomes SQL here; every write to them goes through
// the directory's services, so its rules, events and provisioning hints hold.
import { type Expression, type SqlBool, sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { isPostgres } from '../db/pg-client.ts';
import { equalsUnindexed, inChunks } from '../db/queries.ts';
import type { ScimGroupDataTable, ScimUserDataTable } from '../db/schema.ts';

export type UserDataRow = ScimUserDataTable;
export type GroupDataRow = ScimGroupDataTable;

export async function findUserData(db: Db, organizationId: string, userIds: readonly string[]): Promise<Map<string, UserDataRow>> {
  const rows = await inChunks(userIds, 400, (chunk) =>
    db
      .selectFrom('scim_user_data')
      .selectAll()
      .where(equalsUnindexed(db, 'organization_id', organizationId))
      .where('user_id', 'in', chunk)
      .execute(),
  );
  return new Map(rows.map((r) => [r.user_id, r]));
}

export async function saveUserData(db: Db, row: UserDataRow): Promise<void> {
  await db
    .insertInto('scim_user_data')
    .values(row)
    .onConflict((oc) =>
      oc.column('user_id').doUpdateSet({
        external_id: row.external_id,
        deleted_by_source_id: row.deleted_by_source_id,
        attributes: row.attributes,
        updated_at: row.updated_at,
      }),
    )
    .execute();
}

export async function findGroupData(db: Db, organizationId: string, groupIds: readonly string[]): Promise<Map<string, GroupDataRow>> {
  const rows = await inChunks(groupIds, 400, (chunk) =>
    db.selectFrom('scim_group_data').selectAll().where('organization_id', '=', organizationId).where('group_id', 'in', chunk).execute(),
  );
  return new Map(rows.map((r) => [r.group_id, r]));
}

export async function saveGroupData(db: Db, row: GroupDataRow): Promise<void> {
  await db
    .insertInto('scim_group_data')
    .values(row)
    .onConflict((oc) =>
      oc.column('group_id').doUpdateSet({ external_id: row.external_id, attributes: row.attributes, updated_at: row.updated_at }),
    )
    .execute();
}

/** Marks a group as created by a SCIM source (the directory's create knows nothing of sources). */
export async function markGroupSource(db: Db, organizationId: string, groupId: string, sourceId: string): Promise<void> {
  await db
    .updateTable('groups')
    .set({ source_type: 'scim', source_scim_source_id: sourceId })
    .where('organization_id', '=', organizationId)
    .where('id', '=', groupId)
    .execute();
}

// --- Users as a source sees them -----------------------------------------------------------------

/**
 * A condition on `u` (users); `byUsername` when it is the username, which the organization's unique
 * (organization_id, username_lower) index answers.
 */
export interface UserCondition {
  expr: Expression<SqlBool>;
  byUsername?: boolean;
}

/** The conditions SQL decides exactly for a SCIM filter's `eq` terms (scim-list.ts). */
export const userCondition = {
  // userName is not case-exact; usernames are stored NFC with their lower-case form beside them.
  usernameIs: (v: string): UserCondition => ({
    expr: sql<SqlBool>`u.username_lower = ${v.normalize('NFC').toLowerCase()}`,
    byUsername: true,
  }),
  idIs: (v: string): UserCondition => ({ expr: sql<SqlBool>`u.id = ${v}` }),
  // Through its own index: as a condition on a joined row SQLite would read every user first.
  externalIdIs: (organizationId: string, v: string): UserCondition => ({
    expr: sql<SqlBool>`u.id in (select x.user_id from scim_user_data x
      where x.organization_id = ${organizationId} and x.external_id = ${v})`,
  }),
  active: (v: boolean): UserCondition => ({ expr: v ? sql<SqlBool>`u.state = 'ACTIVE'` : sql<SqlBool>`u.state <> 'ACTIVE'` }),
};

export const groupCondition = {
  displayNameIs: (v: string): GroupCondition => sql<SqlBool>`g.name_lower = ${v.toLowerCase()}`,
  idIs: (v: string): GroupCondition => sql<SqlBool>`g.id = ${v}`,
  externalIdIs: (organizationId: string, v: string): GroupCondition =>
    sql<SqlBool>`g.id in (select x.group_id from scim_group_data x where x.organization_id = ${organizationId} and x.external_id = ${v})`,
};

/**
 * Users of the organization a source sees: all but those it deleted with onDelete "suspend" (a short
 * list from a partial index, not a join: a page deep into 100,000 users would probe scim_user_data for
 * every row it skips).
 *
 * The organization, on SQLite, where the users' sort indexes hold none (migration 2026-12-06-002, see
 * users.repository.ts) and the planner's statistics may be an hour old (a source can create 100,000
 * users in minutes; measured with statistics of the empty tables): `organization_id = ?` makes SQLite
 * read the whole organization through its unique index, 70-140 ms at 100,000 users. So a plain page or
 * count leaves the condition out while there is one organization (the rows are then loaded by id with
 * it, so nothing of another organization could show; the migration that allows a second organization
 * must put it back), a lookup by username keeps it (the unique (organization_id, username_lower) index
 * answers it), and any other filter writes it `+u.organization_id`, which no index serves, so that the
 * filter's own index is used. PostgreSQL's indexes lead with the organization and its statistics are
 * kept by autovacuum.
 */
function visibleUsers(db: Db, organizationId: string, sourceId: string, where: readonly UserCondition[], byUsername = false) {
  let q = db.selectFrom('users as u');
  if (isPostgres(db) || byUsername || where.some((w) => w.byUsername)) q = q.where('u.organization_id', '=', organizationId);
  else if (where.length > 0) q = q.where(sql<SqlBool>`+u.organization_id = ${organizationId}`);
  q = q.where(
    sql<SqlBool>`u.id not in (select h.user_id from scim_user_data h
      where h.deleted_by_source_id = ${sourceId} and h.deleted_by_source_id is not null)`,
  );
  for (const w of where) q = q.where(w.expr);
  return q;
}

/** The sort keys SQL can order users by (a SCIM attribute -> a column of u); others are sorted on the representation. */
export const USER_SORT_COLUMNS = {
  id: 'u.id',
  userName: 'u.username_lower',
  displayName: 'u.displayname',
  'name.givenName': 'u.firstname',
  'name.familyName': 'u.lastname',
  'name.middleName': 'u.middlename',
  emails: 'u.email_lower',
  'emails.value': 'u.email_lower',
  title: 'u.job_title',
  userType: 'u.employee_type',
  active: 'u.state',
  'meta.created': 'u.created_at',
  'meta.lastModified': 'u.updated_at',
} as const;
export type UserSortColumn = (typeof USER_SORT_COLUMNS)[keyof typeof USER_SORT_COLUMNS];

export interface UserIdQuery {
  organizationId: string;
  sourceId: string;
  where: readonly UserCondition[];
  sort?: { column: UserSortColumn; order: 'asc' | 'desc' };
  offset: number;
  limit: number;
}

/** One page of the ids of the users a source sees, in the order asked (then by id). */
export async function pageUserIds(db: Db, q: UserIdQuery): Promise<string[]> {
  const byUsername = q.sort?.column === 'u.username_lower';
  let query = visibleUsers(db, q.organizationId, q.sourceId, q.where, byUsername).select('u.id');
  if (q.sort && q.sort.column !== 'u.id') query = query.orderBy(sql.ref(q.sort.column), q.sort.order);
  // Unsorted, PostgreSQL walks (organization_id, created_at, id): the id alone is an index without the
  // organization, and each row it skipped had to be read to test it (74 ms a page at 100,000 users).
  else if (!q.sort && isPostgres(db)) query = query.orderBy('u.created_at');
  // The id breaks ties, except between usernames (unique in the organization: a tie-break would cost a sort).
  if (!byUsername) query = query.orderBy('u.id', q.sort?.column === 'u.id' ? q.sort.order : 'asc');
  const rows = await query.limit(q.limit).offset(q.offset).execute();
  return rows.map((r) => r.id);
}

export async function countUsers(db: Db, organizationId: string, sourceId: string, where: readonly UserCondition[]): Promise<number> {
  const r = await visibleUsers(db, organizationId, sourceId, where)
    .select(sql<number>`count(*)`.as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Every id of the users a source sees and `where` selects, after `afterId`, in id order: for filters SQL cannot decide. */
export async function userIdsAfter(
  db: Db,
  organizationId: string,
  sourceId: string,
  where: readonly UserCondition[],
  afterId: string | undefined,
  limit: number,
): Promise<string[]> {
  let q = visibleUsers(db, organizationId, sourceId, where).select('u.id');
  if (afterId !== undefined) q = q.where('u.id', '>', afterId);
  return (await q.orderBy('u.id').limit(limit).execute()).map((r) => r.id);
}

/** The user a source deleted with onDelete "suspend" whose username this is (a POST restores him). */
export async function findDeletedByUsername(
  db: Db,
  organizationId: string,
  sourceId: string,
  usernameLower: string,
): Promise<string | undefined> {
  // The user by his username (its unique index), then his SCIM data by primary key.
  const r = await db
    .selectFrom('scim_user_data as d')
    .select('d.user_id')
    .where('d.deleted_by_source_id', '=', sourceId)
    .where(
      'd.user_id',
      '=',
      db.selectFrom('users').select('id').where('organization_id', '=', organizationId).where('username_lower', '=', usernameLower),
    )
    .executeTakeFirst();
  return r?.user_id;
}

/** The groups of each user (id and name), for the User resource's read-only `groups`. */
export async function groupsOfUsers(
  db: Db,
  organizationId: string,
  userIds: readonly string[],
): Promise<Map<string, { id: string; name: string }[]>> {
  const rows = await inChunks(userIds, 400, (chunk) =>
    db
      .selectFrom('group_members as m')
      .innerJoin('groups as g', 'g.id', 'm.group_id')
      .select(['m.user_id', 'g.id', 'g.name'])
      .where('m.organization_id', '=', organizationId)
      .where('m.user_id', 'in', chunk)
      .orderBy('g.name_lower')
      .execute(),
  );
  const out = new Map<string, { id: string; name: string }[]>();
  for (const r of rows) {
    const list = out.get(r.user_id) ?? [];
    list.push({ id: r.id, name: r.name });
    out.set(r.user_id, list);
  }
  return out;
}

// --- Groups ------------------------------------------------------------------------------------------

export type GroupCondition = Expression<SqlBool>;

export const GROUP_SORT_COLUMNS = {
  id: 'g.id',
  displayName: 'g.name_lower',
  'meta.created': 'g.created_at',
  'meta.lastModified': 'g.updated_at',
} as const;
export type GroupSortColumn = (typeof GROUP_SORT_COLUMNS)[keyof typeof GROUP_SORT_COLUMNS];

function groupsOf(db: Db, organizationId: string, where: readonly GroupCondition[]) {
  let q = db.selectFrom('groups as g').where('g.organization_id', '=', organizationId);
  for (const w of where) q = q.where(w);
  return q;
}

export interface GroupIdQuery {
  organizationId: string;
  where: readonly GroupCondition[];
  sort?: { column: GroupSortColumn; order: 'asc' | 'desc' };
  offset: number;
  limit: number;
}

export async function pageGroupIds(db: Db, q: GroupIdQuery): Promise<string[]> {
  let query = groupsOf(db, q.organizationId, q.where).select('g.id');
  if (q.sort && q.sort.column !== 'g.id') query = query.orderBy(sql.ref(q.sort.column), q.sort.order);
  query = query.orderBy('g.id', q.sort?.column === 'g.id' ? q.sort.order : 'asc');
  return (await query.limit(q.limit).offset(q.offset).execute()).map((r) => r.id);
}

export async function countGroups(db: Db, organizationId: string, where: readonly GroupCondition[]): Promise<number> {
  const r = await groupsOf(db, organizationId, where)
    .select(sql<number>`count(*)`.as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function groupIdsAfter(
  db: Db,
  organizationId: string,
  where: readonly GroupCondition[],
  afterId: string | undefined,
  limit: number,
): Promise<string[]> {
  let q = groupsOf(db, organizationId, where).select('g.id');
  if (afterId !== undefined) q = q.where('g.id', '>', afterId);
  return (await q.orderBy('g.id').limit(limit).execute()).map((r) => r.id);
}

export interface GroupRow {
  id: string;
  name: string;
  created_at: string;
  updated_at: string;
}

export async function findGroups(db: Db, organizationId: string, ids: readonly string[]): Promise<GroupRow[]> {
  return inChunks(ids, 400, (chunk) =>
    db
      .selectFrom('groups')
      .select(['id', 'name', 'created_at', 'updated_at'])
      .where('organization_id', '=', organizationId)
      .where('id', 'in', chunk)
      .execute(),
  );
}

export interface MemberRow {
  group_id: string;
  user_id: string;
  username: string;
}

/** The members of these groups (user id and username), in username order. */
export async function membersOfGroups(db: Db, organizationId: string, groupIds: readonly string[]): Promise<Map<string, MemberRow[]>> {
  const rows = await inChunks(groupIds, 100, (chunk) =>
    db
      .selectFrom('group_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['m.group_id', 'm.user_id', 'u.username'])
      .where('m.organization_id', '=', organizationId)
      .where('m.group_id', 'in', chunk)
      .orderBy('u.username_lower')
      .execute(),
  );
  const out = new Map<string, MemberRow[]>();
  for (const r of rows) {
    const list = out.get(r.group_id) ?? [];
    list.push(r);
    out.set(r.group_id, list);
  }
  return out;
}

/** Which of these ids are users of the organization (members must be). */
export async function existingUserIds(db: Db, organizationId: string, ids: readonly string[]): Promise<Set<string>> {
  const rows = await inChunks(ids, 400, (chunk) =>
    db.selectFrom('users').select('id').where('organization_id', '=', organizationId).where('id', 'in', chunk).execute(),
  );
  return new Set(rows.map((r) => r.id));
}
