// /scim/v2/Groups: a source creates, reads, replaces, patches, deletes and lists groups. Membership
// changes go through the directory one member at a time, so each has its Insights event and reaches
// provisioning; a PATCH never loads the member list it does not need (core/patch.ts hands back the
// membership changes instead of a patched member array).
import { onDb } from '../db/context.ts';
import { type Db, inTransaction } from '../db/database.ts';
import { addGroupMember, createGroup, deleteGroup, removeGroupMember, updateGroup } from '../directory/index.ts';
import { applyPatch, getCI, isRecord, type MemberOp, project, ScimRequestError } from '../scim/index.ts';
import * as repo from './scim-data.repository.ts';
import { checkIfMatch, type ScimContext, scimNotFound } from './scim-context.ts';
import { type ListParams, listIds, listResponse, type ListSource, pathKey } from './scim-list.ts';
import { GROUP_SCHEMA, versionOf } from './scim-user.mapping.ts';
import type { Projection } from './scim-users.service.ts';

type Json = Record<string, unknown>;

interface GroupForScim {
  group: repo.GroupRow;
  externalId: string | null;
  attributes: Json;
  /** Undefined when not loaded (a projection that leaves members out). */
  members?: repo.MemberRow[];
}

function groupsRefused(ctx: ScimContext): void {
  if (!ctx.source.settings.groups)
    throw new ScimRequestError(403, undefined, 'This SCIM source is not allowed to manage groups (its settings say groups: false)');
}

const wantsMembers = (p: Projection) => {
  const names = (s: string | undefined) =>
    (s ?? '').split(',').map((x) =>
      x
        .trim()
        .toLowerCase()
        .replace(/^urn:ietf:params:scim:schemas:core:2\.0:group:/, ''),
    );
  if (p.attributes) return names(p.attributes).some((n) => n === 'members' || n.startsWith('members.'));
  return !names(p.excludedAttributes).includes('members');
};

async function loadGroups(ctx: ScimContext, db: Db, ids: string[], withMembers: boolean): Promise<GroupForScim[]> {
  const org = ctx.source.organizationId;
  const [rows, data, members] = await Promise.all([
    repo.findGroups(db, org, ids),
    repo.findGroupData(db, org, ids),
    withMembers ? repo.membersOfGroups(db, org, ids) : Promise.resolve(undefined),
  ]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => {
    const group = byId.get(id);
    if (!group) return [];
    const d = data.get(id);
    return [
      {
        group,
        externalId: d?.external_id ?? null,
        attributes: d ? JSON.parse(d.attributes) : {},
        members: members && (members.get(id) ?? []),
      },
    ];
  });
}

function groupToScim(g: GroupForScim, baseUrl: string): Json {
  const out: Json = {
    schemas: [GROUP_SCHEMA],
    id: g.group.id,
    ...(g.externalId !== null ? { externalId: g.externalId } : {}),
    displayName: g.group.name,
    ...g.attributes,
  };
  if (g.members)
    out.members = g.members.map((m) => ({ value: m.user_id, display: m.username, type: 'User', $ref: `${baseUrl}/Users/${m.user_id}` }));
  out.meta = {
    resourceType: 'Group',
    created: g.group.created_at,
    lastModified: g.group.updated_at,
    location: `${baseUrl}/Groups/${g.group.id}`,
  };
  // The version covers the members: without them (a list that leaves them out) there is none to give.
  if (g.members) (out.meta as Json).version = versionOf(out);
  return out;
}

/** The group's version (its ETag): the members must have been loaded. */
const versionOfGroup = (ctx: ScimContext, g: GroupForScim) => (groupToScim(g, ctx.baseUrl).meta as { version: string }).version;

async function visibleGroup(ctx: ScimContext, db: Db, id: string, withMembers = true): Promise<GroupForScim> {
  const [found] = await loadGroups(ctx, db, [id], withMembers);
  if (!found) throw scimNotFound('Group', id);
  return found;
}

interface GroupFromScim {
  displayName: string;
  externalId: string | null;
  members: string[] | undefined;
  attributes: Json;
}

const invalid = (attribute: string, message: string) => new ScimRequestError(400, 'invalidValue', `${attribute}: ${message}`);

function memberIds(raw: unknown): string[] {
  if (!Array.isArray(raw)) throw invalid('members', 'must be an array');
  return raw.map((m, i) => {
    const value = isRecord(m) ? getCI(m, 'value') : undefined;
    if (typeof value !== 'string' || value.trim() === '') throw invalid(`members[${i}].value`, 'must be the id of a user');
    return value;
  });
}

function groupFromScim(raw: unknown): GroupFromScim {
  if (!isRecord(raw)) throw new ScimRequestError(400, 'invalidSyntax', 'The request body must be a JSON object (a SCIM Group)');
  const attributes: Json = {};
  let displayName: unknown;
  let externalId: unknown = null;
  let members: string[] | undefined;
  for (const [k, v] of Object.entries(raw)) {
    const key = k.toLowerCase();
    if (key === 'displayname') displayName = v;
    else if (key === 'externalid') externalId = v;
    else if (key === 'members') members = v === null ? [] : memberIds(v);
    else if (!['schemas', 'id', 'meta', '__proto__', 'constructor', 'prototype'].includes(key)) attributes[k] = v;
  }
  if (typeof displayName !== 'string' || displayName.trim() === '') throw invalid('displayName', 'is required');
  if (externalId !== null && externalId !== undefined && typeof externalId !== 'string') throw invalid('externalId', 'must be a string');
  return { displayName, externalId: (externalId as string | null | undefined) ?? null, members, attributes };
}

/** Member ids must be users of the organization. */
async function requireUsers(ctx: ScimContext, db: Db, ids: string[]): Promise<void> {
  const known = await repo.existingUserIds(db, ctx.source.organizationId, ids);
  const missing = ids.find((id) => !known.has(id));
  if (missing !== undefined) throw invalid('members', `no user has the id ${JSON.stringify(missing.slice(0, 100))}`);
}

async function setMembers(ctx: ScimContext, db: Db, groupId: string, current: string[], wanted: string[]): Promise<void> {
  const have = new Set(current);
  const want = new Set(wanted);
  await requireUsers(
    ctx,
    db,
    [...want].filter((id) => !have.has(id)),
  );
  const dctx = onDb(ctx, db);
  for (const id of have) if (!want.has(id)) await removeGroupMember(dctx, ctx.actor, groupId, id);
  for (const id of want) if (!have.has(id)) await addGroupMember(dctx, ctx.actor, groupId, id);
}

async function saveData(ctx: ScimContext, db: Db, groupId: string, parsed: Pick<GroupFromScim, 'externalId' | 'attributes'>) {
  await repo.saveGroupData(db, {
    group_id: groupId,
    organization_id: ctx.source.organizationId,
    external_id: parsed.externalId,
    attributes: JSON.stringify(parsed.attributes),
    updated_at: ctx.clock.now().toISOString(),
  });
}

export async function getScimGroup(ctx: ScimContext, id: string, projection: Projection): Promise<Json> {
  groupsRefused(ctx);
  const found = await visibleGroup(ctx, ctx.db, id);
  const out = groupToScim(found, ctx.baseUrl);
  return project(out, projection, 'Group');
}

export async function createScimGroup(ctx: ScimContext, body: unknown): Promise<Json> {
  groupsRefused(ctx);
  const parsed = groupFromScim(body);
  const id = await inTransaction(ctx.db, async (trx) => {
    const group = await createGroup(onDb(ctx, trx), ctx.actor, { name: parsed.displayName });
    await repo.markGroupSource(trx, ctx.source.organizationId, group.id, ctx.source.id);
    await saveData(ctx, trx, group.id, parsed);
    if (parsed.members?.length) await setMembers(ctx, trx, group.id, [], parsed.members);
    return group.id;
  });
  return getScimGroup(ctx, id, {});
}

export async function replaceScimGroup(ctx: ScimContext, id: string, body: unknown, ifMatch: string | undefined): Promise<Json> {
  groupsRefused(ctx);
  const parsed = groupFromScim(body);
  await inTransaction(ctx.db, async (trx) => {
    const current = await visibleGroup(ctx, trx, id);
    checkIfMatch(ifMatch, versionOfGroup(ctx, current));
    if (parsed.displayName !== current.group.name) await updateGroup(onDb(ctx, trx), ctx.actor, id, { name: parsed.displayName });
    await saveData(ctx, trx, id, parsed);
    // PUT replaces the members it sends; a PUT without members leaves them (clients rename with PUT).
    if (parsed.members !== undefined)
      await setMembers(
        ctx,
        trx,
        id,
        (current.members ?? []).map((m) => m.user_id),
        parsed.members,
      );
  });
  return getScimGroup(ctx, id, {});
}

export async function patchScimGroup(ctx: ScimContext, id: string, body: unknown, ifMatch: string | undefined, projection: Projection) {
  groupsRefused(ctx);
  await inTransaction(ctx.db, async (trx) => {
    // The version needs the members; the patch itself is applied to the group without them.
    const current = await visibleGroup(ctx, trx, id, ifMatch !== undefined);
    if (ifMatch !== undefined) checkIfMatch(ifMatch, versionOfGroup(ctx, current));
    const { members: _, ...withoutMembers } = groupToScim({ ...current, members: undefined }, ctx.baseUrl);
    const result = applyPatch(withoutMembers, body, 'Group');
    if (result.changed) {
      const parsed = groupFromScim(result.resource);
      if (parsed.displayName !== current.group.name) await updateGroup(onDb(ctx, trx), ctx.actor, id, { name: parsed.displayName });
      await saveData(ctx, trx, id, parsed);
    }
    await applyMemberOps(ctx, trx, id, result.memberOps);
  });
  return getScimGroup(ctx, id, projection);
}

/**
 * A PATCH's membership changes in order. Adding needs no member list (adding a member is idempotent);
 * the first removal or replacement reads it once, and it is kept up to date from then on.
 */
async function applyMemberOps(ctx: ScimContext, db: Db, groupId: string, ops: readonly MemberOp[]): Promise<void> {
  const dctx = onDb(ctx, db);
  let members: Set<string> | undefined;
  const memberIds = async () =>
    (members ??= new Set(
      ((await repo.membersOfGroups(db, ctx.source.organizationId, [groupId])).get(groupId) ?? []).map((m) => m.user_id),
    ));
  for (const op of ops) {
    if (op.kind === 'add') {
      await requireUsers(ctx, db, op.ids);
      for (const userId of op.ids) await addGroupMember(dctx, ctx.actor, groupId, userId);
      for (const userId of op.ids) members?.add(userId);
    } else if (op.kind === 'remove') {
      const present = await memberIds();
      // Removing someone who is not a member is no error in SCIM: the end state is what was asked.
      for (const userId of op.ids) {
        if (!present.delete(userId)) continue;
        await removeGroupMember(dctx, ctx.actor, groupId, userId);
      }
    } else {
      const wanted = op.kind === 'replace' ? op.ids : [];
      await setMembers(ctx, db, groupId, [...(await memberIds())], wanted);
      members = new Set(wanted);
    }
  }
}

export async function deleteScimGroup(ctx: ScimContext, id: string, ifMatch: string | undefined): Promise<void> {
  groupsRefused(ctx);
  await inTransaction(ctx.db, async (trx) => {
    const current = await visibleGroup(ctx, trx, id, ifMatch !== undefined);
    if (ifMatch !== undefined) checkIfMatch(ifMatch, versionOfGroup(ctx, current));
    await deleteGroup(onDb(ctx, trx), ctx.actor, id);
  });
}

const isCore = (schema: string | undefined) => schema === undefined || schema.toLowerCase() === GROUP_SCHEMA.toLowerCase();
const SQL_SORT: Record<string, repo.GroupSortColumn> = Object.fromEntries(
  Object.entries(repo.GROUP_SORT_COLUMNS).map(([k, v]) => [k.toLowerCase(), v]),
);

function groupListSource(ctx: ScimContext): ListSource<repo.GroupCondition, repo.GroupSortColumn> {
  const { db } = ctx;
  const org = ctx.source.organizationId;
  return {
    resourceType: 'Group',
    equality: (path, value) => {
      if (!isCore(path.schema) || typeof value !== 'string') return undefined;
      const key = pathKey(path);
      if (key === 'displayname') return repo.groupCondition.displayNameIs(value);
      if (key === 'id') return repo.groupCondition.idIs(value);
      if (key === 'externalid') return repo.groupCondition.externalIdIs(org, value);
      return undefined;
    },
    sortColumn: (path) => (isCore(path.schema) ? SQL_SORT[pathKey(path)] : undefined),
    pageIds: (where, sort, offset, limit) => repo.pageGroupIds(db, { organizationId: org, where, sort, offset, limit }),
    count: (where) => repo.countGroups(db, org, where),
    idsAfter: (where, afterId, limit) => repo.groupIdsAfter(db, org, where, afterId, limit),
    load: async (ids) => (await loadGroups(ctx, db, ids, true)).map((g) => groupToScim(g, ctx.baseUrl)),
  };
}

export async function listScimGroups(ctx: ScimContext, params: ListParams, projection: Projection): Promise<Json> {
  groupsRefused(ctx);
  const answer = await listIds(groupListSource(ctx), params);
  const groups = await loadGroups(ctx, ctx.db, answer.ids, wantsMembers(projection));
  return listResponse(
    answer,
    groups.map((g) => project(groupToScim(g, ctx.baseUrl), projection, 'Group')),
  );
}
