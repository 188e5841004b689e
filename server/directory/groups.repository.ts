import { type Expression, type ExpressionBuilder, sql, type SqlBool } from 'kysely';
import type { Db } from '../db/database.ts';
import type { DB, GroupsTable } from '../db/schema.ts';
import { likeContains } from '../shared/cursor.ts';

export type GroupRow = GroupsTable;
export type GroupWithCount = GroupRow & { member_count: number };

type GroupsEb = ExpressionBuilder<DB & { g: GroupsTable }, 'g'>;

/** Keyset position: groups are listed by (name_lower, id). */
export interface GroupKey {
  nameLower: string;
  id: string;
}

// A correlated count rather than a stored counter: membership writes then never contend on the group row.
function memberCount(eb: GroupsEb) {
  return eb
    .selectFrom('group_members as m')
    .select(eb.fn.countAll<number>().as('n'))
    .whereRef('m.group_id', '=', 'g.id')
    .as('member_count');
}

const withCount = (db: Db) => db.selectFrom('groups as g').selectAll('g').select(memberCount);

const normalize = (r: GroupRow & { member_count: number | string | null }): GroupWithCount => ({
  ...r,
  member_count: Number(r.member_count ?? 0),
});

const nameContains = (q: string) => sql<SqlBool>`${sql.ref('g.name_lower')} like ${likeContains(q.toLowerCase())} escape '\\'`;

const after = (k: GroupKey) => (eb: GroupsEb) =>
  eb.or([eb('g.name_lower', '>', k.nameLower), eb.and([eb('g.name_lower', '=', k.nameLower), eb('g.id', '>', k.id)])]);

export async function insertGroup(db: Db, row: GroupRow): Promise<void> {
  await db.insertInto('groups').values(row).execute();
}

export async function findGroupById(db: Db, organizationId: string, id: string): Promise<GroupWithCount | undefined> {
  const r = await withCount(db).where('g.organization_id', '=', organizationId).where('g.id', '=', id).executeTakeFirst();
  return r && normalize(r);
}

export async function findGroupByName(db: Db, organizationId: string, nameLower: string): Promise<GroupWithCount | undefined> {
  const r = await withCount(db).where('g.organization_id', '=', organizationId).where('g.name_lower', '=', nameLower).executeTakeFirst();
  return r && normalize(r);
}

export interface GroupFilter {
  organizationId: string;
  q?: string;
  /** Only groups bound to this application. */
  applicationId?: string;
}

function matching(f: GroupFilter) {
  return (eb: GroupsEb) => {
    const conds: Expression<SqlBool>[] = [eb('g.organization_id', '=', f.organizationId)];
    if (f.q) conds.push(nameContains(f.q));
    if (f.applicationId) {
      conds.push(
        eb.exists(
          eb
            .selectFrom('application_groups as ag')
            .select('ag.group_id')
            .whereRef('ag.group_id', '=', 'g.id')
            .where('ag.application_id', '=', f.applicationId),
        ),
      );
    }
    return eb.and(conds);
  };
}

export async function listGroups(db: Db, f: GroupFilter, limit: number, from?: GroupKey): Promise<GroupWithCount[]> {
  let q = withCount(db).where(matching(f));
  if (from) q = q.where(after(from));
  return (await q.orderBy('g.name_lower').orderBy('g.id').limit(limit).execute()).map(normalize);
}

export async function countGroups(db: Db, f: GroupFilter): Promise<number> {
  const r = await db
    .selectFrom('groups as g')
    .select(sql<number>`count(*)`.as('n'))
    .where(matching(f))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function updateGroup(
  db: Db,
  organizationId: string,
  id: string,
  patch: Partial<Omit<GroupRow, 'id' | 'organization_id'>>,
): Promise<void> {
  await db.updateTable('groups').set(patch).where('organization_id', '=', organizationId).where('id', '=', id).execute();
}

/** Memberships and application bindings go with the group (ON DELETE CASCADE). */
export async function deleteGroup(db: Db, organizationId: string, id: string): Promise<number> {
  const r = await db.deleteFrom('groups').where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Applications a group is bound to, by name: deleting the group unbinds them and says so in Insights. */
export async function listApplicationsBoundTo(
  db: Db,
  organizationId: string,
  groupId: string,
): Promise<Array<{ id: string; name: string }>> {
  return db
    .selectFrom('application_groups as ag')
    .innerJoin('applications as a', 'a.id', 'ag.application_id')
    .select(['a.id', 'a.name'])
    .where('ag.organization_id', '=', organizationId)
    .where('ag.group_id', '=', groupId)
    .orderBy('a.name_lower')
    .execute();
}
