// Pairs of directory objects: a group's members (group_members) and an application's groups
// (application_groups). Adding is idempotent (PUT semantics): a pair that exists already writes and
// records nothing, also under concurrent requests. Removing a pair that does not exist is a 404 that
// names it (NOT_A_MEMBER, NOT_BOUND), so a typo in a script is reported instead of silently passing.
// The change, its Insights event and what it tells provisioning commit together.
import type { DbContext } from '../db/context.ts';
import { type Db, inTransaction } from '../db/database.ts';
import { inChunks } from '../db/queries.ts';
import type { GroupMembersTable } from '../db/schema.ts';
import { type InsightEventInput, record, recordMany } from '../insights/index.ts';
import type { Actor } from '../shared/actor.ts';
import { type AppError, notFound } from '../shared/errors.ts';

type Column = 'group_id' | 'user_id' | 'application_id';

/** One kind of pair: the owner (group, application) holds items (users, groups); `C` says what is told of a change. */
export interface RelationKind<Owner, Item, C> {
  table: 'group_members' | 'application_groups';
  columns: { owner: Column; item: Column };
  /** For notFound: 'Group', 'Application'; 'User', 'Group'. */
  labels: { owner: string; item: string };
  findOwner(db: Db, organizationId: string, id: string): Promise<Owner | undefined>;
  findItem(db: Db, organizationId: string, id: string): Promise<Item | undefined>;
  /** Many items at once (addRelations): those of the ids that exist, with their ids. */
  findItems?(db: Db, organizationId: string, ids: string[]): Promise<Array<Item & { id: string }>>;
  notRelated(owner: Owner, itemId: string): AppError;
  /** The Insights event of an add (true) or a remove (false), without actor and service. */
  event(added: boolean, owner: Owner, item: Item): Omit<InsightEventInput, 'actor' | 'service'>;
  /** Tells the modules above, in the transaction. */
  changed(changes: C, db: Db, organizationId: string, ownerId: string, itemId: string): Promise<void>;
  /** The same for many items of one owner (addRelations, removeRelations): what is told is read once, not per item. */
  changedMany?(changes: C, db: Db, organizationId: string, ownerId: string, itemIds: string[]): Promise<void>;
}

type RelationContext<C> = DbContext & { changes: C };

// The two tables have the same shape with other column names: typed against group_members.
type PairTable = 'group_members';
type PairColumns = ['group_id', 'user_id'];

async function insertPair(db: Db, kind: RelationKind<unknown, unknown, unknown>, row: Record<string, string>): Promise<boolean> {
  const r = await db
    .insertInto(kind.table as PairTable)
    .values(row as unknown as GroupMembersTable)
    .onConflict((oc) => oc.columns([kind.columns.owner, kind.columns.item] as PairColumns).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
}

async function deletePair(db: Db, kind: RelationKind<unknown, unknown, unknown>, organizationId: string, ownerId: string, itemId: string) {
  const r = await db
    .deleteFrom(kind.table as PairTable)
    .where('organization_id', '=', organizationId)
    .where(kind.columns.owner as 'group_id', '=', ownerId)
    .where(kind.columns.item as 'user_id', '=', itemId)
    .executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

/** Pairs per statement: 4 values each, well under both databases' limits on parameters. */
const PAIR_CHUNK = 500;

/** Inserts the pairs of these items that do not exist yet; answers those items' ids. */
async function insertPairs(
  db: Db,
  kind: RelationKind<unknown, unknown, unknown>,
  row: { organization_id: string; ownerId: string; created_at: string },
  itemIds: string[],
): Promise<Set<string>> {
  const { owner, item } = kind.columns;
  const inserted = await inChunks(itemIds, PAIR_CHUNK, (chunk) =>
    db
      .insertInto(kind.table as PairTable)
      .values(
        chunk.map(
          (id) =>
            ({
              organization_id: row.organization_id,
              [owner]: row.ownerId,
              [item]: id,
              created_at: row.created_at,
            }) as unknown as GroupMembersTable,
        ),
      )
      .onConflict((oc) => oc.columns([owner, item] as PairColumns).doNothing())
      .returning(item as 'user_id')
      .execute(),
  );
  return new Set(inserted.map((r) => (r as Record<string, string>)[item]));
}

/** Deletes the pairs of these items that exist; answers those items' ids. */
async function deletePairs(
  db: Db,
  kind: RelationKind<unknown, unknown, unknown>,
  organizationId: string,
  ownerId: string,
  itemIds: string[],
): Promise<Set<string>> {
  const deleted = await inChunks(itemIds, PAIR_CHUNK, (chunk) =>
    db
      .deleteFrom(kind.table as PairTable)
      .where('organization_id', '=', organizationId)
      .where(kind.columns.owner as 'group_id', '=', ownerId)
      .where(kind.columns.item as 'user_id', 'in', chunk)
      .returning(kind.columns.item as 'user_id')
      .execute(),
  );
  return new Set(deleted.map((r) => (r as Record<string, string>)[kind.columns.item]));
}

/** Tells the modules above of these items' pairs, by sets when the kind can. */
async function tellMany<O, I, C>(
  ctx: RelationContext<C>,
  kind: RelationKind<O, I, C>,
  db: Db,
  org: string,
  ownerId: string,
  ids: string[],
) {
  if (ids.length === 0) return;
  if (kind.changedMany) return kind.changedMany(ctx.changes, db, org, ownerId, ids);
  for (const id of ids) await kind.changed(ctx.changes, db, org, ownerId, id);
}

async function requireOwner<O>(db: Db, kind: RelationKind<O, unknown, unknown>, organizationId: string, ownerId: string): Promise<O> {
  const owner = await kind.findOwner(db, organizationId, ownerId);
  if (!owner) throw notFound(kind.labels.owner, ownerId);
  return owner;
}

/** `added` is false when the pair existed already; then nothing is written or recorded. */
export async function addRelation<O, I, C>(
  ctx: RelationContext<C>,
  kind: RelationKind<O, I, C>,
  actor: Actor,
  ownerId: string,
  itemId: string,
): Promise<{ item: I; added: boolean }> {
  const org = actor.organizationId;
  return inTransaction(ctx.db, async (trx) => {
    const owner = await requireOwner(trx, kind, org, ownerId);
    const item = await kind.findItem(trx, org, itemId);
    if (!item) throw notFound(kind.labels.item, itemId);
    const row = {
      organization_id: org,
      [kind.columns.owner]: ownerId,
      [kind.columns.item]: itemId,
      created_at: ctx.clock.now().toISOString(),
    };
    const added = await insertPair(trx, kind, row);
    if (added) {
      await record({ db: trx, clock: ctx.clock }, { ...kind.event(true, owner, item), service: 'directory', actor });
      await kind.changed(ctx.changes, trx, org, ownerId, itemId);
    }
    return { item, added };
  });
}

/**
 * Adds many items to one owner in one transaction (the caller's, when it has one): the items that
 * exist and are not related yet, each with its event, as addRelation does one at a time; the modules
 * above are told of them by sets (changedMany). Returns the ids of the items added, in the order found.
 */
export function addRelations<O, I, C>(
  ctx: RelationContext<C>,
  kind: RelationKind<O, I, C>,
  actor: Actor,
  ownerId: string,
  itemIds: string[],
): Promise<string[]> {
  return changeRelations(ctx, kind, actor, ownerId, itemIds, true);
}

/**
 * Removes many items from one owner in one transaction (the caller's, when it has one): only the pairs
 * that exist (no NOT_A_MEMBER for the others), each with its event; the modules above are told of them
 * by sets. Returns the ids of the items removed.
 */
export function removeRelations<O, I, C>(
  ctx: RelationContext<C>,
  kind: RelationKind<O, I, C>,
  actor: Actor,
  ownerId: string,
  itemIds: string[],
): Promise<string[]> {
  return changeRelations(ctx, kind, actor, ownerId, itemIds, false);
}

async function changeRelations<O, I, C>(
  ctx: RelationContext<C>,
  kind: RelationKind<O, I, C>,
  actor: Actor,
  ownerId: string,
  itemIds: string[],
  add: boolean,
): Promise<string[]> {
  const org = actor.organizationId;
  if (!kind.findItems) throw new Error(`${add ? 'addRelations' : 'removeRelations'}: ${kind.table} cannot find many items`);
  const findItems = kind.findItems;
  return inTransaction(ctx.db, async (trx) => {
    const owner = await requireOwner(trx, kind, org, ownerId);
    const items = await findItems(trx, org, itemIds);
    const found = items.map((i) => i.id);
    const changed = add
      ? await insertPairs(trx, kind, { organization_id: org, ownerId, created_at: ctx.clock.now().toISOString() }, found)
      : await deletePairs(trx, kind, org, ownerId, found);
    const done = items.filter((i) => changed.has(i.id));
    await recordMany(
      { db: trx, clock: ctx.clock },
      done.map((item) => ({ ...kind.event(add, owner, item), service: 'directory', actor })),
    );
    const ids = done.map((i) => i.id);
    await tellMany(ctx, kind, trx, org, ownerId, ids);
    return ids;
  });
}

export async function removeRelation<O, I, C>(
  ctx: RelationContext<C>,
  kind: RelationKind<O, I, C>,
  actor: Actor,
  ownerId: string,
  itemId: string,
): Promise<void> {
  const org = actor.organizationId;
  await inTransaction(ctx.db, async (trx) => {
    const owner = await requireOwner(trx, kind, org, ownerId);
    const item = await kind.findItem(trx, org, itemId);
    if (!item || !(await deletePair(trx, kind, org, ownerId, itemId))) throw kind.notRelated(owner, itemId);
    await record({ db: trx, clock: ctx.clock }, { ...kind.event(false, owner, item), service: 'directory', actor });
    await kind.changed(ctx.changes, trx, org, ownerId, itemId);
  });
}
