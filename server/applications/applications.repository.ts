import { type Expression, type ExpressionBuilder, sql, type SqlBool } from 'kysely';
import type { Db } from '../db/database.ts';
import type { ApplicationsTable, DB } from '../db/schema.ts';
import { likeContains } from '../shared/cursor.ts';

export type ApplicationRow = ApplicationsTable;
export type ApplicationWithCount = ApplicationRow & { group_count: number };

type AppsEb = ExpressionBuilder<DB & { a: ApplicationsTable }, 'a'>;

/** Keyset position: applications are listed by (name_lower, id). */
export interface ApplicationKey {
  nameLower: string;
  id: string;
}

export interface ApplicationFilter {
  organizationId: string;
  q?: string;
  /** Only applications this group is bound to. */
  groupId?: string;
}

function groupCount(eb: AppsEb) {
  return eb
    .selectFrom('application_groups as ag')
    .select(eb.fn.countAll<number>().as('n'))
    .whereRef('ag.application_id', '=', 'a.id')
    .as('group_count');
}

const withCount = (db: Db) => db.selectFrom('applications as a').selectAll('a').select(groupCount);

const normalize = (r: ApplicationRow & { group_count: number | string | null }): ApplicationWithCount => ({
  ...r,
  group_count: Number(r.group_count ?? 0),
});

function matching(f: ApplicationFilter) {
  return (eb: AppsEb) => {
    const conds: Expression<SqlBool>[] = [eb('a.organization_id', '=', f.organizationId)];
    if (f.q) conds.push(sql<SqlBool>`${sql.ref('a.name_lower')} like ${likeContains(f.q.toLowerCase())} escape '\\'`);
    if (f.groupId) {
      conds.push(
        eb.exists(
          eb
            .selectFrom('application_groups as ag')
            .select('ag.application_id')
            .whereRef('ag.application_id', '=', 'a.id')
            .where('ag.group_id', '=', f.groupId),
        ),
      );
    }
    return eb.and(conds);
  };
}

export async function insertApplication(db: Db, row: ApplicationRow): Promise<void> {
  await db.insertInto('applications').values(row).execute();
}

export async function findApplicationById(db: Db, organizationId: string, id: string): Promise<ApplicationWithCount | undefined> {
  const r = await withCount(db).where('a.organization_id', '=', organizationId).where('a.id', '=', id).executeTakeFirst();
  return r && normalize(r);
}

export async function findApplicationByName(db: Db, organizationId: string, nameLower: string): Promise<ApplicationWithCount | undefined> {
  const r = await withCount(db).where('a.organization_id', '=', organizationId).where('a.name_lower', '=', nameLower).executeTakeFirst();
  return r && normalize(r);
}

export async function listApplications(
  db: Db,
  f: ApplicationFilter,
  limit: number,
  from?: ApplicationKey,
): Promise<ApplicationWithCount[]> {
  let q = withCount(db).where(matching(f));
  if (from) {
    q = q.where((eb) =>
      eb.or([eb('a.name_lower', '>', from.nameLower), eb.and([eb('a.name_lower', '=', from.nameLower), eb('a.id', '>', from.id)])]),
    );
  }
  return (await q.orderBy('a.name_lower').orderBy('a.id').limit(limit).execute()).map(normalize);
}

export async function countApplications(db: Db, f: ApplicationFilter): Promise<number> {
  const r = await db
    .selectFrom('applications as a')
    .select(sql<number>`count(*)`.as('n'))
    .where(matching(f))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function updateApplication(
  db: Db,
  organizationId: string,
  id: string,
  patch: Partial<Omit<ApplicationRow, 'id' | 'organization_id'>>,
): Promise<void> {
  await db.updateTable('applications').set(patch).where('organization_id', '=', organizationId).where('id', '=', id).execute();
}

/** Group bindings go with the application (ON DELETE CASCADE). */
export async function deleteApplication(db: Db, organizationId: string, id: string): Promise<number> {
  const r = await db.deleteFrom('applications').where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows);
}
