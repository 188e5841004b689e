// Groups of users: what applications are bound to. Names are unique per organization in any letter case.
// The public face of groups for other modules (memberships are re-exported at the end).
import type { Db } from '../db/database.ts';
import { inTransaction } from '../db/database.ts';
import { type InsightEventInput, record, recordMany } from '../insights/index.ts';
import type { Actor } from '../shared/actor.ts';
import { type Clock, systemClock } from '../shared/clock.ts';
import { decodeCursor, encodeCursor } from '../shared/cursor.ts';
import { conflict, type FieldProblem, notFound } from '../shared/errors.ts';
import { guardName, namedChanges, normalizeDescription, normalizeName } from '../shared/named.ts';
import { newId, UUID_RE } from '../shared/ids.ts';
import * as repo from './groups.repository.ts';
import { notifyGroupChanged, notifyGroupDeleted } from '../provisioning/triggers.ts';

export interface Group {
  id: string;
  name: string;
  description: string;
  memberCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface GroupInput {
  name: string;
  description?: string;
}

export type GroupPatch = Partial<GroupInput>;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  total: number;
}

export interface PageQuery {
  limit: number;
  cursor?: string;
}

export interface GroupQuery extends PageQuery {
  /** Case-insensitive substring of the name. */
  q?: string;
}

export const toGroup = (r: repo.GroupWithCount): Group => ({
  id: r.id,
  name: r.name,
  description: r.description,
  memberCount: r.member_count,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const groupResource = (g: { id: string; name: string }) => ({ type: 'group', id: g.id, username: g.name });

const nameTaken = (name: string) => {
  const details: FieldProblem[] = [{ path: 'body.name', message: 'already taken' }];
  return conflict('GROUP_NAME_TAKEN', `A group named "${name}" already exists`, details);
};

export async function createGroup(db: Db, actor: Actor, input: GroupInput, clock: Clock = systemClock): Promise<Group> {
  const name = normalizeName(input.name);
  const description = normalizeDescription(input.description ?? '');
  return inTransaction(db, async (trx) => {
    if (await repo.findGroupByName(trx, actor.organizationId, name.toLowerCase())) throw nameTaken(name);
    const now = clock.now().toISOString();
    const row: repo.GroupRow = {
      id: newId(),
      organization_id: actor.organizationId,
      name,
      name_lower: name.toLowerCase(),
      description,
      created_at: now,
      updated_at: now,
    };
    await guardName(
      () => nameTaken(name),
      () => repo.insertGroup(trx, row),
    );
    await record(trx, {
      eventType: 'group_create',
      service: 'directory',
      actor,
      resource: groupResource(row),
      changes: { name, description },
    });
    return toGroup({ ...row, member_count: 0 });
  });
}

export async function findGroup(db: Db, organizationId: string, id: string): Promise<Group | undefined> {
  const row = await repo.findGroupById(db, organizationId, id);
  return row && toGroup(row);
}

export async function getGroup(db: Db, organizationId: string, id: string): Promise<Group> {
  const group = await findGroup(db, organizationId, id);
  if (!group) throw notFound('Group', id);
  return group;
}

/** For the CLI: a group named by id or by name (any letter case). */
export async function findGroupByIdOrName(db: Db, organizationId: string, idOrName: string): Promise<Group | undefined> {
  const byId = UUID_RE.test(idOrName) ? await repo.findGroupById(db, organizationId, idOrName) : undefined;
  const row = byId ?? (await repo.findGroupByName(db, organizationId, idOrName.trim().toLowerCase()));
  return row && toGroup(row);
}

async function pageOfGroups(db: Db, filter: repo.GroupFilter, query: PageQuery): Promise<Page<Group>> {
  let from: repo.GroupKey | undefined;
  if (query.cursor) {
    const [nameLower, id] = decodeCursor(query.cursor, ['string', 'string']) as [string, string];
    from = { nameLower, id };
  }
  const rows = await repo.listGroups(db, filter, query.limit + 1, from);
  const total = await repo.countGroups(db, filter);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(toGroup),
    nextCursor: rows.length > query.limit && last ? encodeCursor([last.name_lower, last.id]) : null,
    total,
  };
}

/** Groups by name, case-insensitively. */
export async function listGroups(db: Db, organizationId: string, query: GroupQuery): Promise<Page<Group>> {
  return pageOfGroups(db, { organizationId, q: query.q?.trim() || undefined }, query);
}

/** Groups bound to an application, by name. The caller checks that the application exists. */
export async function listGroupsOfApplication(
  db: Db,
  organizationId: string,
  applicationId: string,
  query: GroupQuery,
): Promise<Page<Group>> {
  return pageOfGroups(db, { organizationId, applicationId, q: query.q?.trim() || undefined }, query);
}

/** Records group_update with only the fields that really changed; a no-op patch records nothing. */
export async function updateGroup(db: Db, actor: Actor, id: string, patch: GroupPatch, clock: Clock = systemClock): Promise<Group> {
  const name = patch.name === undefined ? undefined : normalizeName(patch.name);
  const description = patch.description === undefined ? undefined : normalizeDescription(patch.description);
  return inTransaction(db, async (trx) => {
    const current = await repo.findGroupById(trx, actor.organizationId, id);
    if (!current) throw notFound('Group', id);
    if (name !== undefined && name !== current.name) {
      const other = await repo.findGroupByName(trx, actor.organizationId, name.toLowerCase());
      if (other && other.id !== id) throw nameTaken(name);
    }
    const { set, changes } = namedChanges(current, name, description);
    if (Object.keys(changes).length === 0) return toGroup(current);
    const updatedAt = clock.now().toISOString();
    await guardName(
      () => nameTaken(name ?? current.name),
      () => repo.updateGroup(trx, actor.organizationId, id, { ...set, updated_at: updatedAt }),
    );
    const updated = { ...current, ...set, updated_at: updatedAt };
    await record(trx, { eventType: 'group_update', service: 'directory', actor, resource: groupResource(updated), changes });
    if (changes.name) await notifyGroupChanged(trx, actor.organizationId, id);
    return toGroup(updated);
  });
}

/**
 * Memberships and bindings go with the group. Each application that loses the group gets its own
 * application_group_unbind event, so the application's trail in Insights stays complete.
 */
export async function deleteGroup(db: Db, actor: Actor, id: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    const group = await repo.findGroupById(trx, actor.organizationId, id);
    if (!group) throw notFound('Group', id);
    const applications = await repo.listApplicationsBoundTo(trx, actor.organizationId, id);
    // Before the delete, while its bindings still say which applications it was in.
    await notifyGroupDeleted(trx, actor.organizationId, id);
    await repo.deleteGroup(trx, actor.organizationId, id);
    const resource = groupResource(group);
    const events: InsightEventInput[] = [
      {
        eventType: 'group_delete',
        service: 'directory',
        actor,
        resource,
        changes: { name: group.name, memberCount: group.member_count, applications },
      },
      ...applications.map((application): InsightEventInput => ({
        eventType: 'application_group_unbind',
        service: 'directory',
        actor,
        resource,
        application,
        message: 'the group was deleted',
      })),
    ];
    await recordMany(trx, events);
  });
}

export * from './memberships.service.ts';
