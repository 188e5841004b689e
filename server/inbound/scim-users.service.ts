// /scim/v2/Users: a source creates, reads, replaces, patches, deletes and lists users. Each request is
// one transaction: the user, his SCIM data, his Insights event (naming the source) and the provisioning
// hints of the change commit together. Directory rules hold because every change goes through the
// directory's services.
import { sendActivationEmail } from '../accounts/index.ts';
import { onDb } from '../db/context.ts';
import { type Db, inTransaction } from '../db/database.ts';
import { createUser, deleteUser, findUsersByIds, toUser, updateUser, type UpdateUserInput, type User } from '../directory/index.ts';
import { applyPatch, project } from '../scim/index.ts';
import * as repo from './scim-data.repository.ts';
import { checkIfMatch, type ScimContext, scimNotFound } from './scim-context.ts';
import { type ListParams, listIds, listResponse, type ListSource, pathKey } from './scim-list.ts';
import { type UserForScim, type UserFromScim, userFromScim, userToScim } from './scim-user.mapping.ts';

type Json = Record<string, unknown>;

export interface Projection {
  attributes?: string;
  excludedAttributes?: string;
}

/** A user with his SCIM data, and the source that deleted him if one did (onDelete "suspend"). */
type LoadedUser = UserForScim & { deletedBy: string | null };

async function loadUsers(ctx: Pick<ScimContext, 'source'>, db: Db, ids: string[]): Promise<LoadedUser[]> {
  const org = ctx.source.organizationId;
  const [rows, data, groups] = await Promise.all([
    findUsersByIds(db, org, ids),
    repo.findUserData(db, org, ids),
    repo.groupsOfUsers(db, org, ids),
  ]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    if (!row) return [];
    const d = data.get(id);
    return [
      {
        user: toUser(row),
        externalId: d?.external_id ?? null,
        attributes: d ? JSON.parse(d.attributes) : {},
        groups: groups.get(id) ?? [],
        deletedBy: d?.deleted_by_source_id ?? null,
      },
    ];
  });
}

/** The user as this source sees him, or 404 (unknown, or deleted by this source). */
async function visibleUser(ctx: ScimContext, db: Db, id: string): Promise<UserForScim> {
  const [found] = await loadUsers(ctx, db, [id]);
  if (!found || found.deletedBy === ctx.source.id) throw scimNotFound('User', id);
  return found;
}

export async function getScimUser(ctx: ScimContext, id: string, projection: Projection): Promise<Json> {
  const found = await visibleUser(ctx, ctx.db, id);
  return project(userToScim(found, ctx.baseUrl), projection, 'User');
}

async function saveData(
  ctx: ScimContext,
  db: Db,
  userId: string,
  parsed: Pick<UserFromScim, 'externalId' | 'attributes'>,
  deletedBy: string | null,
): Promise<void> {
  await repo.saveUserData(db, {
    user_id: userId,
    organization_id: ctx.source.organizationId,
    external_id: parsed.externalId,
    deleted_by_source_id: deletedBy,
    attributes: JSON.stringify(parsed.attributes),
    updated_at: ctx.clock.now().toISOString(),
  });
}

/** The state `active` asks for: unchanged when absent or when it already holds (a STAGED user is not active either). */
function stateFor(current: User['state'], active: boolean | undefined): User['state'] {
  if (active === undefined || active === (current === 'ACTIVE')) return current;
  return active ? 'ACTIVE' : 'SUSPENDED';
}

/**
 * Replaces the user's attributes with the parsed ones (PUT, PATCH, and a POST that restores a deleted
 * user); the user as he is now (his groups are not the source's to change here).
 */
async function applyUser(
  ctx: ScimContext,
  db: Db,
  current: UserForScim,
  parsed: UserFromScim,
  deletedBy: string | null,
): Promise<UserForScim> {
  const { state: _, ...attributes } = parsed.input;
  const state = stateFor(current.user.state, parsed.active);
  if (state === 'SUSPENDED' && current.user.state !== 'SUSPENDED') await ctx.beforeRemoval(db, current.user.id, 'suspend');
  const input: UpdateUserInput = { ...attributes, state };
  const user = await updateUser(onDb(ctx, db), ctx.actor, current.user.id, input);
  await saveData(ctx, db, current.user.id, parsed, deletedBy);
  return { user, externalId: parsed.externalId, attributes: parsed.attributes, groups: current.groups };
}

export async function createScimUser(ctx: ScimContext, body: unknown): Promise<Json> {
  const parsed = userFromScim(body);
  const org = ctx.source.organizationId;
  const created = await inTransaction(ctx.db, async (trx): Promise<UserForScim> => {
    // A user this source deleted with onDelete "suspend" comes back under his old id (API.md).
    const deleted = await repo.findDeletedByUsername(trx, org, ctx.source.id, parsed.input.username.normalize('NFC').toLowerCase());
    if (deleted) {
      const [current] = await loadUsers(ctx, trx, [deleted]);
      return applyUser(ctx, trx, current, { ...parsed, active: parsed.active ?? true }, null);
    }
    const state = parsed.active === false ? 'SUSPENDED' : 'ACTIVE';
    const user = await createUser(onDb(ctx, trx), ctx.actor, { ...parsed.input, state }, { source: { scimSourceId: ctx.source.id } });
    await saveData(ctx, trx, user.id, parsed, null);
    if (state === 'ACTIVE' && ctx.source.settings.activationEmail === 'on_create') {
      await sendActivationEmail(onDb(ctx.activation, trx), ctx.actor, user.id);
    }
    return { user, externalId: parsed.externalId, attributes: parsed.attributes, groups: [] };
  });
  return userToScim(created, ctx.baseUrl);
}

export async function replaceScimUser(ctx: ScimContext, id: string, body: unknown, ifMatch: string | undefined): Promise<Json> {
  const parsed = userFromScim(body);
  const after = await inTransaction(ctx.db, async (trx) => {
    const current = await visibleUser(ctx, trx, id);
    checkIfMatch(ifMatch, versionOfUser(ctx, current));
    return applyUser(ctx, trx, current, parsed, null);
  });
  return userToScim(after, ctx.baseUrl);
}

const versionOfUser = (ctx: ScimContext, u: UserForScim) => (userToScim(u, ctx.baseUrl).meta as { version: string }).version;

export async function patchScimUser(ctx: ScimContext, id: string, body: unknown, ifMatch: string | undefined, projection: Projection) {
  const after = await inTransaction(ctx.db, async (trx) => {
    const current = await visibleUser(ctx, trx, id);
    const resource = userToScim(current, ctx.baseUrl);
    checkIfMatch(ifMatch, (resource.meta as { version: string }).version);
    const result = applyPatch(resource, body, 'User');
    return result.changed ? applyUser(ctx, trx, current, userFromScim(result.resource), null) : current;
  });
  return project(userToScim(after, ctx.baseUrl), projection, 'User');
}

export async function deleteScimUser(ctx: ScimContext, id: string, ifMatch: string | undefined): Promise<void> {
  await inTransaction(ctx.db, async (trx) => {
    const current = await visibleUser(ctx, trx, id);
    checkIfMatch(ifMatch, versionOfUser(ctx, current));
    if (ctx.source.settings.onDelete === 'delete') {
      await ctx.beforeRemoval(trx, id, 'delete');
      await deleteUser(onDb(ctx, trx), ctx.actor, id);
      return;
    }
    // "suspend": SUSPENDED, then hidden from this source (404, out of its lists) until it POSTs him again.
    if (current.user.state !== 'SUSPENDED') {
      await ctx.beforeRemoval(trx, id, 'suspend');
      await updateUser(onDb(ctx, trx), ctx.actor, id, { state: 'SUSPENDED' });
    }
    await saveData(ctx, trx, id, current, ctx.source.id);
  });
}

const SQL_SORT: Record<string, repo.UserSortColumn> = Object.fromEntries(
  Object.entries(repo.USER_SORT_COLUMNS).map(([k, v]) => [k.toLowerCase(), v]),
);

const isCore = (schema: string | undefined) =>
  schema === undefined || schema.toLowerCase() === 'urn:ietf:params:scim:schemas:core:2.0:user';

function userListSource(ctx: ScimContext): ListSource<repo.UserCondition, repo.UserSortColumn> {
  const { db } = ctx;
  const org = ctx.source.organizationId;
  return {
    resourceType: 'User',
    equality: (path, value) => {
      if (!isCore(path.schema) || (typeof value !== 'string' && typeof value !== 'boolean')) return undefined;
      const key = pathKey(path);
      if (typeof value === 'boolean') return key === 'active' ? repo.userCondition.active(value) : undefined;
      if (key === 'username') return repo.userCondition.usernameIs(value);
      if (key === 'id') return repo.userCondition.idIs(value);
      if (key === 'externalid') return repo.userCondition.externalIdIs(org, value);
      return undefined;
    },
    sortColumn: (path) => (isCore(path.schema) ? SQL_SORT[pathKey(path)] : undefined),
    pageIds: (where, sort, offset, limit) =>
      repo.pageUserIds(db, { organizationId: org, sourceId: ctx.source.id, where, sort, offset, limit }),
    count: (where) => {
      const count = () => repo.countUsers(db, org, ctx.source.id, where);
      return where.length === 0 && ctx.counts ? ctx.counts.get(`scim-users:${ctx.source.id}`, count) : count();
    },
    idsAfter: (where, afterId, limit) => repo.userIdsAfter(db, org, ctx.source.id, where, afterId, limit),
    load: async (ids) => (await loadUsers(ctx, db, ids)).map((u) => userToScim(u, ctx.baseUrl)),
  };
}

export async function listScimUsers(ctx: ScimContext, params: ListParams, projection: Projection): Promise<Json> {
  const answer = await listIds(userListSource(ctx), params);
  const users = await loadUsers(ctx, ctx.db, answer.ids);
  return listResponse(
    answer,
    users.map((u) => project(userToScim(u, ctx.baseUrl), projection, 'User')),
  );
}
