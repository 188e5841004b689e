// Named directory objects (groups, applications): a name unique per organization in any letter case,
// a description, a count of what hangs on each (a group's members, an application's groups), lists
// by name with search, and Insights on every change. Groups and applications are the same shape with
// other words; this file holds that shape once, each service says its words (NamedKind).
import { type Expression, sql, type SqlBool } from 'kysely';
import type { DbContext } from '../db/context.ts';
import type { Db } from '../db/database.ts';
import { inTransaction } from '../db/database.ts';
import { keysetAfter } from '../db/keyset.ts';
import { inChunks } from '../db/queries.ts';
import { uniqueViolation } from '../db/errors.ts';
import type { NamedResourceTable } from '../db/schema.ts';
import { type InsightEventInput, record, recordMany } from '../insights/index.ts';
import type { Actor } from '../shared/actor.ts';
import { decodeCursor, likeContains, keysetPage } from '../shared/cursor.ts';
import { type AppError, conflict, notFound } from '../shared/errors.ts';
import { newId, UUID_RE } from '../shared/ids.ts';
import { namedChanges, normalizeDescription, normalizeName } from '../shared/named.ts';

/** A row of `groups` or `applications`: the two tables have the same columns (schema.ts). */
export type NamedRow = NamedResourceTable;
/** With the count of what hangs on it: a group's members, an application's bound groups. */
export type NamedWithCount = NamedRow & { count: number };

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  total: number;
}

export interface PageQuery {
  limit: number;
  cursor?: string;
}

export interface NamedQuery extends PageQuery {
  /** Case-insensitive substring of the name. */
  q?: string;
}

export interface NamedInput {
  name: string;
  description?: string;
}

/** The words of one kind of named object. */
export interface NamedKind<T> {
  table: 'groups' | 'applications';
  /** What is counted for each: rows of this table whose `column` is the object's id. */
  counted: { table: 'group_members' | 'application_groups'; column: 'group_id' | 'application_id' };
  /** Its column in application_groups (the bindings), and the column of the other side. */
  binding: { own: 'group_id' | 'application_id'; other: 'group_id' | 'application_id' };
  /** For notFound: 'Group', 'Application'. */
  label: string;
  /** The Insights resource type and the prefix of its event types (`group_create`, ...). */
  resourceType: 'group' | 'application';
  nameTaken(name: string): AppError;
  toItem(row: NamedWithCount): T;
  /** What the events of this kind carry besides the resource (applications name themselves). */
  eventExtras?(row: { id: string; name: string }): Partial<InsightEventInput>;
}

/** Each kind's words; its column in the bindings, and in what is counted for it, is `<resourceType>_id`. */
const KIND_WORDS = {
  groups: { resourceType: 'group', article: 'A', nameTaken: 'GROUP_NAME_TAKEN', counted: 'group_members' },
  applications: { resourceType: 'application', article: 'An', nameTaken: 'APPLICATION_NAME_TAKEN', counted: 'application_groups' },
} as const;

const otherTable = (table: NamedKind<unknown>['table']) => (table === 'groups' ? 'applications' : 'groups');

/** The kind stored in `table`, whose API items carry their count as `countKey` (memberCount, groupCount). */
export function namedKind<K extends string>(
  table: NamedKind<unknown>['table'],
  countKey: K,
  eventExtras?: NamedKind<unknown>['eventExtras'],
): NamedKind<NamedItem<K>> {
  const { resourceType, article, nameTaken, counted } = KIND_WORDS[table];
  const own = `${resourceType}_id` as const;
  return {
    table,
    counted: { table: counted, column: own },
    binding: { own, other: `${KIND_WORDS[otherTable(table)].resourceType}_id` },
    label: resourceType[0].toUpperCase() + resourceType.slice(1),
    resourceType,
    nameTaken: (name) =>
      conflict(nameTaken, `${article} ${resourceType} named "${name}" already exists`, [{ path: 'body.name', message: 'already taken' }]),
    toItem: (r) => namedItem(r, countKey),
    ...(eventExtras ? { eventExtras } : {}),
  };
}

export const namedResource = (kind: NamedKind<unknown>, row: { id: string; name: string }) => ({
  type: kind.resourceType,
  id: row.id,
  username: row.name,
});

// --- SQL ---------------------------------------------------------------------------------------

// Typed against `groups`, which has the same columns as `applications`; the real table is kind.table.
const base = (db: Db, kind: NamedKind<unknown>) => db.selectFrom(`${kind.table} as n` as 'groups as n');

// A correlated count rather than a stored counter: membership and binding writes never contend on the row.
const withCount = (db: Db, kind: NamedKind<unknown>) =>
  base(db, kind)
    .selectAll('n')
    .select(
      sql<number>`(select count(*) from ${sql.table(kind.counted.table)} c where ${sql.ref(`c.${kind.counted.column}`)} = n.id)`.as(
        'count',
      ),
    );

const normalize = (r: NamedRow & { count: number | string | null }): NamedWithCount => ({ ...r, count: Number(r.count ?? 0) });

export interface NamedFilter {
  organizationId: string;
  q?: string;
  /** Only the objects bound to this one of the other kind (an application's groups, a group's applications). */
  boundTo?: string;
}

function matching(kind: NamedKind<unknown>, f: NamedFilter): Expression<SqlBool>[] {
  const conds: Expression<SqlBool>[] = [sql<SqlBool>`n.organization_id = ${f.organizationId}`];
  if (f.q) conds.push(sql<SqlBool>`n.name_lower like ${likeContains(f.q.toLowerCase())} escape '\\'`);
  if (f.boundTo) {
    const own = sql.ref(`ag.${kind.binding.own}`);
    const other = sql.ref(`ag.${kind.binding.other}`);
    conds.push(sql<SqlBool>`exists (select ${own} from application_groups ag where ${own} = n.id and ${other} = ${f.boundTo})`);
  }
  return conds;
}

export async function findNamedRow(db: Db, kind: NamedKind<unknown>, organizationId: string, id: string) {
  const r = await withCount(db, kind).where('n.organization_id', '=', organizationId).where('n.id', '=', id).executeTakeFirst();
  return r && normalize(r);
}

async function findNamedRowByName(db: Db, kind: NamedKind<unknown>, organizationId: string, nameLower: string) {
  const r = await withCount(db, kind)
    .where('n.organization_id', '=', organizationId)
    .where('n.name_lower', '=', nameLower)
    .executeTakeFirst();
  return r && normalize(r);
}

/** The objects with these lower-cased names (any letter case of the name finds its object). */
async function findNamedRowsByNames(db: Db, kind: NamedKind<unknown>, organizationId: string, namesLower: string[]) {
  return inChunks(namesLower, 500, async (chunk) =>
    (await withCount(db, kind).where('n.organization_id', '=', organizationId).where('n.name_lower', 'in', chunk).execute()).map(normalize),
  );
}

async function listNamedRows(db: Db, kind: NamedKind<unknown>, f: NamedFilter, limit: number, from?: { nameLower: string; id: string }) {
  let q = withCount(db, kind).where((eb) => eb.and(matching(kind, f)));
  if (from) q = q.where(keysetAfter(['n.name_lower', 'n.id'], '>', [from.nameLower, from.id]));
  return (await q.orderBy('n.name_lower').orderBy('n.id').limit(limit).execute()).map(normalize);
}

async function countNamedRows(db: Db, kind: NamedKind<unknown>, f: NamedFilter): Promise<number> {
  const r = await base(db, kind)
    .select(sql<number>`count(*)`.as('n'))
    .where((eb) => eb.and(matching(kind, f)))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Bindings (and a group's memberships) go with the row (ON DELETE CASCADE). */
async function deleteNamedRow(db: Db, kind: NamedKind<unknown>, organizationId: string, id: string): Promise<void> {
  await db
    .deleteFrom(kind.table as 'groups')
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .execute();
}

// --- rules -------------------------------------------------------------------------------------

/** What a `<type>_create` event may say besides (an import names its application and run). */
type CreateExtras = Pick<InsightEventInput, 'application' | 'importRunId'>;

async function createNamed<T>(ctx: DbContext, kind: NamedKind<T>, actor: Actor, input: NamedInput, extras?: CreateExtras): Promise<T> {
  const name = normalizeName(input.name);
  const description = normalizeDescription(input.description ?? '');
  return inTransaction(ctx.db, async (trx) => {
    if (await findNamedRowByName(trx, kind, actor.organizationId, name.toLowerCase())) throw kind.nameTaken(name);
    const now = ctx.clock.now().toISOString();
    const row: NamedRow = {
      id: newId(),
      organization_id: actor.organizationId,
      name,
      name_lower: name.toLowerCase(),
      description,
      created_at: now,
      updated_at: now,
    };
    await guardName(
      () => kind.nameTaken(name),
      async () => void (await trx.insertInto(kind.table).values(row).execute()),
    );
    await record(
      { db: trx, clock: ctx.clock },
      {
        eventType: `${kind.resourceType}_create`,
        service: 'directory',
        actor,
        resource: namedResource(kind, row),
        ...kind.eventExtras?.(row),
        ...extras,
        changes: { name, description },
      },
    );
    return kind.toItem({ ...row, count: 0 });
  });
}

async function findNamed<T>(ctx: Pick<DbContext, 'db'>, kind: NamedKind<T>, organizationId: string, id: string) {
  const row = await findNamedRow(ctx.db, kind, organizationId, id);
  return row && kind.toItem(row);
}

async function getNamed<T>(ctx: Pick<DbContext, 'db'>, kind: NamedKind<T>, organizationId: string, id: string): Promise<T> {
  const row = await findNamedRow(ctx.db, kind, organizationId, id);
  if (!row) throw notFound(kind.label, id);
  return kind.toItem(row);
}

/** For the CLI: an object named by id or by name (any letter case). */
async function findNamedByIdOrName<T>(ctx: Pick<DbContext, 'db'>, kind: NamedKind<T>, organizationId: string, idOrName: string) {
  const byId = UUID_RE.test(idOrName) ? await findNamedRow(ctx.db, kind, organizationId, idOrName) : undefined;
  const row = byId ?? (await findNamedRowByName(ctx.db, kind, organizationId, idOrName.trim().toLowerCase()));
  return row && kind.toItem(row);
}

/** By name, case-insensitively; `boundTo`: only those bound to this object of the other kind. */
async function listNamed<T>(
  ctx: Pick<DbContext, 'db'>,
  kind: NamedKind<T>,
  organizationId: string,
  query: NamedQuery,
  boundTo?: string,
): Promise<Page<T>> {
  const filter: NamedFilter = { organizationId, q: query.q?.trim() || undefined, boundTo };
  let from: { nameLower: string; id: string } | undefined;
  if (query.cursor) {
    const [nameLower, id] = decodeCursor(query.cursor, ['string', 'string']) as [string, string];
    from = { nameLower, id };
  }
  const rows = await listNamedRows(ctx.db, kind, filter, query.limit + 1, from);
  const total = await countNamedRows(ctx.db, kind, filter);
  return {
    ...keysetPage(rows, query.limit, kind.toItem, (l) => [l.name_lower, l.id]),
    total,
  };
}

/**
 * Records `<type>_update` with only the fields that really changed; a no-op patch records nothing.
 * `changed` runs in the transaction after the event, with what changed.
 */
export async function updateNamed<T>(
  ctx: DbContext,
  kind: NamedKind<T>,
  actor: Actor,
  id: string,
  patch: Partial<NamedInput>,
  changed?: (trx: Db, changes: Record<string, unknown>) => Promise<void>,
): Promise<T> {
  const name = patch.name === undefined ? undefined : normalizeName(patch.name);
  const description = patch.description === undefined ? undefined : normalizeDescription(patch.description);
  return inTransaction(ctx.db, async (trx) => {
    const current = await findNamedRow(trx, kind, actor.organizationId, id);
    if (!current) throw notFound(kind.label, id);
    if (name !== undefined && name !== current.name) {
      const other = await findNamedRowByName(trx, kind, actor.organizationId, name.toLowerCase());
      if (other && other.id !== id) throw kind.nameTaken(name);
    }
    const { set, changes } = namedChanges(current, name, description);
    if (Object.keys(changes).length === 0) return kind.toItem(current);
    const updatedAt = ctx.clock.now().toISOString();
    await guardName(
      () => kind.nameTaken(name ?? current.name),
      async () =>
        void (await trx
          .updateTable(kind.table as 'groups')
          .set({ ...set, updated_at: updatedAt })
          .where('organization_id', '=', actor.organizationId)
          .where('id', '=', id)
          .execute()),
    );
    const updated = { ...current, ...set, updated_at: updatedAt };
    const event = {
      eventType: `${kind.resourceType}_update`,
      service: 'directory' as const,
      actor,
      resource: namedResource(kind, updated),
    };
    await record({ db: trx, clock: ctx.clock }, { ...event, ...kind.eventExtras?.(updated), changes });
    await changed?.(trx, changes);
    return kind.toItem(updated);
  });
}

/** What a delete records besides the object's own fields, given the objects of the other kind it was bound to. */
export interface NamedDeletion {
  /** Runs in the transaction before the row goes, while its bindings still say what it was bound to. */
  before?(trx: Db): Promise<void>;
  /** The changes of the `<type>_delete` event after the name. */
  changes(row: NamedWithCount, bound: Array<{ id: string; name: string }>): Record<string, unknown>;
  /** Events recorded with it (an application's trail of losing a group). */
  moreEvents?(row: NamedWithCount, bound: Array<{ id: string; name: string }>): InsightEventInput[];
}

/** Deletes the object with what hangs on it (bindings, a group's memberships) and records `<type>_delete`. */
export async function deleteNamed<T>(ctx: DbContext, kind: NamedKind<T>, actor: Actor, id: string, deletion: NamedDeletion): Promise<void> {
  await inTransaction(ctx.db, async (trx) => {
    const row = await findNamedRow(trx, kind, actor.organizationId, id);
    if (!row) throw notFound(kind.label, id);
    const bound = await listBoundNames(trx, kind, actor.organizationId, id);
    await deletion.before?.(trx);
    await deleteNamedRow(trx, kind, actor.organizationId, id);
    const event: InsightEventInput = {
      eventType: `${kind.resourceType}_delete`,
      service: 'directory',
      actor,
      resource: namedResource(kind, row),
      ...kind.eventExtras?.(row),
      changes: { name: row.name, ...deletion.changes(row, bound) },
    };
    await recordMany({ db: trx, clock: ctx.clock }, [event, ...(deletion.moreEvents?.(row, bound) ?? [])]);
  });
}

/** The objects of the other kind this one is bound to, by name (what a delete unbinds, for Insights). */
async function listBoundNames(
  db: Db,
  kind: NamedKind<unknown>,
  organizationId: string,
  id: string,
): Promise<Array<{ id: string; name: string }>> {
  const other = otherTable(kind.table);
  return db
    .selectFrom('application_groups as ag')
    .innerJoin(`${other} as o` as 'groups as o', 'o.id', `ag.${kind.binding.other}`)
    .select(['o.id', 'o.name'])
    .where('ag.organization_id', '=', organizationId)
    .where(`ag.${kind.binding.own}`, '=', id)
    .orderBy('o.name_lower')
    .execute();
}

/** A kind's public functions, each taking a context first (groups.service.ts and applications.service.ts name them). */
export function namedOperations<T>(kind: NamedKind<T>) {
  type Read = Pick<DbContext, 'db'>;
  return {
    create: (ctx: DbContext, actor: Actor, input: NamedInput, extras?: CreateExtras): Promise<T> =>
      createNamed(ctx, kind, actor, input, extras),
    find: (ctx: Read, organizationId: string, id: string): Promise<T | undefined> => findNamed(ctx, kind, organizationId, id),
    get: (ctx: Read, organizationId: string, id: string): Promise<T> => getNamed(ctx, kind, organizationId, id),
    findByNames: async (ctx: Read, organizationId: string, namesLower: string[]): Promise<T[]> =>
      (await findNamedRowsByNames(ctx.db, kind, organizationId, namesLower)).map(kind.toItem),
    findByIdOrName: (ctx: Read, organizationId: string, idOrName: string): Promise<T | undefined> =>
      findNamedByIdOrName(ctx, kind, organizationId, idOrName),
    list: (ctx: Read, organizationId: string, query: NamedQuery): Promise<Page<T>> => listNamed(ctx, kind, organizationId, query),
    listBoundTo: (ctx: Read, organizationId: string, otherId: string, query: NamedQuery): Promise<Page<T>> =>
      listNamed(ctx, kind, organizationId, query, otherId),
  };
}

interface NamedFields {
  id: string;
  name: string;
  description: string;
  createdAt: string;
  updatedAt: string;
}

/** The API's view of a row: its count under the kind's own name (memberCount, groupCount). */
export type NamedItem<K extends string> = NamedFields & Record<K, number>;

function namedItem<K extends string>(r: NamedWithCount, countKey: K): NamedItem<K> {
  const item = { id: r.id, name: r.name, description: r.description, createdAt: r.created_at, updatedAt: r.updated_at };
  return { ...item, [countKey]: r.count } as NamedItem<K>;
}

/** Runs a write that the unique name constraint may refuse when a concurrent request took the name. */
async function guardName(taken: () => AppError, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (uniqueViolation(err)) throw taken();
    throw err;
  }
}
