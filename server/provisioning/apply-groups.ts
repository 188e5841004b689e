// Groups in the application (group management on): each bound group as a SCIM Group, adopted by
// displayName when the application already has one (G8); renames follow; members move in add/remove
// PATCHes of at most memberChunkSize (G1), never replace-all (G2). What Roster put in each group is
// kept, because some servers never show members (P17); a full reconcile compares with the server
// when it does show them, and leaves members Roster does not manage alone.
import { inTransaction } from '../db/database.ts';
import { record, type InsightEventInput } from '../insights/index.ts';
import { eq, isScimError, replaceOp, SCHEMAS, type ScimGroup } from '../scim/index.ts';
import type { PlanContext, SyncContext, SyncCounts, Unfinished } from './context.ts';
import { describe, isConflict, isNotFound, isUnsupported, unlessNotFound } from './errors.ts';
import * as repo from './groups.repository.ts';

export type GroupOp =
  { kind: 'ensure'; group: { id: string; name: string }; link?: repo.GroupLinkRow } | { kind: 'unbind'; link: repo.GroupLinkRow };

export async function planGroups(ctx: PlanContext): Promise<GroupOp[]> {
  const bound = await repo.listBoundGroups(ctx.db, ctx.organizationId, ctx.application.id);
  const links = new Map((await repo.listGroupLinks(ctx.db, ctx.application.id)).map((l) => [l.group_id, l]));
  const ops: GroupOp[] = bound.map((group) => ({ kind: 'ensure', group, link: links.get(group.id) }));
  const boundIds = new Set(bound.map((g) => g.id));
  for (const link of links.values()) if (!boundIds.has(link.group_id)) ops.push({ kind: 'unbind', link });
  return ops;
}

export function unfinishedGroup(op: GroupOp): Unfinished {
  if (op.kind === 'unbind')
    return { eventType: 'group_delete_provision', resource: { type: 'group', id: op.link.group_id, username: op.link.group_name } };
  const eventType = !op.link?.remote_id
    ? 'group_create_provision'
    : op.link.pushed_name !== op.group.name
      ? 'group_update_provision'
      : 'group_membership_provision';
  return { eventType, resource: { type: 'group', id: op.group.id, username: op.group.name } };
}

const fold = (s: string | undefined) => (s ?? '').normalize('NFC').trim().toLowerCase();

/** The application's group with this displayName, compared case-insensitively on our side (G8). */
async function findRemoteGroup(ctx: SyncContext, name: string): Promise<ScimGroup | null> {
  try {
    for await (const g of ctx.client.listGroups({ filter: eq('displayName', name), signal: ctx.signal, pageSize: 20, maxPages: 5 })) {
      if (fold(g.displayName) === fold(name)) return g;
    }
    return null;
  } catch (err) {
    if (!(isScimError(err) && [400, 403, 500, 501].includes(err.status))) throw err;
  }
  for await (const g of ctx.client.listGroups({ signal: ctx.signal, maxResources: 100_000 })) {
    if (fold(g.displayName) === fold(name)) return g;
  }
  return null;
}

const getGroup = (ctx: SyncContext, remoteId: string): Promise<ScimGroup | null> =>
  unlessNotFound(ctx.client.getGroup(remoteId, { signal: ctx.signal }));

function memberIds(g: ScimGroup | null): string[] | undefined {
  return g?.members?.map((m) => m.value).filter((v): v is string => typeof v === 'string' && v !== '');
}

export interface GroupOpResult {
  status: 'ok' | 'failed' | 'aborted';
}

type Ensure = Extract<GroupOp, { kind: 'ensure' }>;
type GroupEvent = (e: Partial<InsightEventInput> & { eventType: string }) => InsightEventInput;

/** One ensure operation as it goes: the step it is at (for the failure event) and what the application has. */
interface GroupWork {
  ctx: SyncContext;
  op: Ensure;
  groupId: string;
  name: string;
  known: Set<string>;
  counts: SyncCounts;
  event: GroupEvent;
  step: string;
  remoteId: string | null;
  pushedName: string | null;
  fetched: ScimGroup | null | undefined;
  /** Created or adopted by this operation: its members are known without reading them again. */
  fresh: boolean;
}

/** A group no longer bound: deleted in the application, or left there and no longer managed. */
async function applyUnbind(ctx: SyncContext, link: repo.GroupLinkRow, event: GroupEvent, counts: SyncCounts): Promise<void> {
  const app = ctx.application.id;
  const remoteId = link.remote_id;
  if (ctx.settings.unboundGroups === 'delete' && remoteId) {
    try {
      await ctx.client.deleteGroup(remoteId, { signal: ctx.signal });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    await inTransaction(ctx.db, async (trx) => {
      await repo.deleteGroupLink(trx, app, link.group_id);
      await record({ db: trx, clock: ctx.clock }, event({ eventType: 'group_delete_provision', changes: { remoteId } }));
    });
    counts.groupsDeleted++;
    return;
  }
  // 'leave': the remote group stays as it is; Roster just stops managing it, and says so.
  await inTransaction(ctx.db, async (trx) => {
    await repo.deleteGroupLink(trx, app, link.group_id);
    const message = 'the group stays in the application; Roster no longer manages it';
    await record({ db: trx, clock: ctx.clock }, event({ eventType: 'group_unlink_provision', changes: { remoteId }, message }));
  });
}

/** Creates the group in the application, or adopts the one it already has with this name (G8). */
async function createOrAdopt(w: GroupWork): Promise<void> {
  const { ctx, name, groupId } = w;
  w.step = 'group_create_provision';
  let g = await findRemoteGroup(ctx, name);
  const adopted = g !== null;
  if (!g) {
    try {
      g = await ctx.client.createGroup({ schemas: [SCHEMAS.group], displayName: name, externalId: groupId }, { signal: ctx.signal });
    } catch (err) {
      // A concurrent creation, or a name that differs only in case on a case-insensitive server (G8).
      if (!isConflict(err)) throw err;
      g = await findRemoteGroup(ctx, name);
      if (!g) throw err;
    }
  }
  const remoteId = g.id as string;
  w.remoteId = remoteId;
  w.pushedName = g.displayName ?? name;
  // An adopted group's members come from the server (fetched when the list left them out).
  const members = adopted ? (memberIds(g) ?? memberIds(await getGroup(ctx, remoteId)) ?? []) : [];
  w.fetched = { ...g, members: members.map((value) => ({ value })) };
  w.fresh = true;
  const ts = ctx.clock.now().toISOString();
  await inTransaction(ctx.db, async (trx) => {
    await repo.upsertGroupLink(trx, {
      application_id: ctx.application.id,
      organization_id: ctx.organizationId,
      group_id: groupId,
      group_name: name,
      remote_id: remoteId,
      pushed_name: w.pushedName,
      origin: adopted ? 'adopt' : 'provision',
      status: 'ok',
      last_operation: 'create',
      last_error: null,
      attempts: 0,
      created_at: ts,
      updated_at: ts,
    });
    await repo.replacePushedMembers(
      trx,
      ctx.application.id,
      groupId,
      members.filter((m) => w.known.has(m)),
    );
    await record(
      { db: trx, clock: ctx.clock },
      w.event({
        eventType: 'group_create_provision',
        changes: { remoteId, displayName: w.pushedName, adopted },
        message: adopted ? 'linked to the group that already existed in the application with this name' : undefined,
      }),
    );
  });
  w.counts.groupsCreated++;
}

/** The group was renamed in the directory: by PATCH, else by PUT; made again when it is gone. */
async function rename(w: GroupWork): Promise<void> {
  const { ctx, name, groupId } = w;
  const app = ctx.application.id;
  w.step = 'group_update_provision';
  const from = w.pushedName;
  const remoteId = w.remoteId as string;
  try {
    if (ctx.mode.patch) {
      try {
        await ctx.client.patchGroup(remoteId, [replaceOp('displayName', name)], { signal: ctx.signal });
      } catch (err) {
        if (!isUnsupported(err)) throw err;
        await ctx.learnPutOnly();
      }
    }
    if (!ctx.mode.patch) {
      const current = await ctx.client.getGroup(remoteId, { signal: ctx.signal });
      const { id: _id, meta: _meta, ...rest } = current;
      // A server that hides members (P17) must not have them wiped by the PUT: send what Roster put there.
      const members = current.members?.length
        ? current.members
        : (await repo.listPushedMembers(ctx.db, app, groupId)).map((value) => ({ value }));
      await ctx.client.replaceGroup(remoteId, { ...rest, displayName: name, members }, { signal: ctx.signal });
    }
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await createOrAdopt(w);
    return;
  }
  await inTransaction(ctx.db, async (trx) => {
    const now = ctx.clock.now().toISOString();
    const patch = {
      group_name: name,
      pushed_name: name,
      status: 'ok' as const,
      last_operation: 'rename',
      last_error: null,
      updated_at: now,
    };
    await repo.updateGroupLink(trx, app, groupId, patch);
    await record(
      { db: trx, clock: ctx.clock },
      w.event({ eventType: 'group_update_provision', changes: { remoteId, displayName: { from, to: name } } }),
    );
  });
  w.pushedName = name;
  w.counts.groupsUpdated++;
}

/** Members added and removed to match the directory (compared with the server's list on a full reconcile). */
async function syncMembers(w: GroupWork, full: boolean): Promise<void> {
  const { ctx, groupId } = w;
  const app = ctx.application.id;
  w.step = 'group_membership_provision';
  const desired = new Set(await repo.listDesiredMembers(ctx.db, app, groupId));
  let pushed = new Set(await repo.listPushedMembers(ctx.db, app, groupId));
  if (full && !w.fresh) {
    w.fetched = await getGroup(ctx, w.remoteId as string);
    if (w.fetched === null) {
      // Deleted in the application: make it again, then add everyone.
      await createOrAdopt(w);
      pushed = new Set(await repo.listPushedMembers(ctx.db, app, groupId));
    } else {
      const actual = memberIds(w.fetched);
      // An empty answer while we put members there proves nothing on some servers (P17, G6).
      if (actual && (actual.length > 0 || pushed.size === 0)) {
        pushed = new Set(actual.filter((m) => w.known.has(m)));
        await repo.replacePushedMembers(ctx.db, app, groupId, [...pushed]);
      }
    }
  }
  const add = [...desired].filter((m) => !pushed.has(m));
  const remove = [...pushed].filter((m) => !desired.has(m));
  const remoteId = w.remoteId as string;
  const { added, removed, requests } = await moveMembers(ctx, remoteId, groupId, add, remove);
  w.counts.membershipRequests += requests;
  if (added + removed > 0) {
    await record(ctx, w.event({ eventType: 'group_membership_provision', changes: { remoteId, added, removed, requests } }));
  }
}

/** A failed operation: the link says so (an ensure's), and the step that failed is recorded. */
async function recordGroupFailure(ctx: SyncContext, op: GroupOp, step: string, event: GroupEvent, err: unknown): Promise<void> {
  const groupId = op.kind === 'unbind' ? op.link.group_id : op.group.id;
  const f = describe(err);
  if (f.unexpected) ctx.logger.error({ err, applicationId: ctx.application.id, groupId }, 'group provisioning failed unexpectedly');
  await inTransaction(ctx.db, async (trx) => {
    if (op.kind === 'ensure') {
      const ts = ctx.clock.now().toISOString();
      await repo.upsertGroupLink(trx, {
        application_id: ctx.application.id,
        organization_id: ctx.organizationId,
        group_id: groupId,
        group_name: op.group.name,
        remote_id: op.link?.remote_id ?? null,
        pushed_name: op.link?.pushed_name ?? null,
        origin: op.link?.origin ?? 'provision',
        status: 'failed',
        last_operation: step,
        last_error: f.message,
        attempts: (op.link?.attempts ?? 0) + 1,
        created_at: op.link?.created_at ?? ts,
        updated_at: ts,
      });
    }
    await record({ db: trx, clock: ctx.clock }, event({ eventType: step, success: false, message: f.message, changes: { code: f.code } }));
  });
}

export async function applyGroupOp(
  ctx: SyncContext,
  op: GroupOp,
  full: boolean,
  known: Set<string>,
  counts: SyncCounts,
): Promise<GroupOpResult> {
  const groupId = op.kind === 'unbind' ? op.link.group_id : op.group.id;
  const groupName = op.kind === 'unbind' ? op.link.group_name : op.group.name;
  const event: GroupEvent = (e) => ({
    service: 'provisioning',
    actor: ctx.actor,
    resource: { type: 'group', id: groupId, username: groupName },
    application: ctx.application,
    ...e,
  });
  let step = unfinishedGroup(op).eventType;
  try {
    if (op.kind === 'unbind') {
      step = 'group_delete_provision';
      await applyUnbind(ctx, op.link, event, counts);
      return { status: 'ok' };
    }
    const name = op.group.name;
    const w: GroupWork = {
      ctx,
      op,
      groupId,
      name,
      known,
      counts,
      event,
      step,
      remoteId: op.link?.remote_id ?? null,
      pushedName: op.link?.pushed_name ?? null,
      fetched: undefined,
      fresh: false,
    };
    try {
      if (!w.remoteId) await createOrAdopt(w);
      if (w.pushedName !== name) await rename(w);
      await syncMembers(w, full);
    } finally {
      step = w.step;
    }
    if (op.link?.status === 'failed' || op.link?.group_name !== name) {
      const patch = { group_name: name, status: 'ok' as const, last_error: null, attempts: 0, updated_at: ctx.clock.now().toISOString() };
      await repo.updateGroupLink(ctx.db, ctx.application.id, groupId, patch);
    }
    return { status: 'ok' };
  } catch (err) {
    if (ctx.signal.aborted) return { status: 'aborted' };
    await recordGroupFailure(ctx, op, step, event, err);
    return { status: 'failed' };
  }
}

/** Member deltas in chunks, each one PATCH, recorded as it lands so a failure mid-way loses nothing. */
async function moveMembers(ctx: SyncContext, remoteId: string, groupId: string, add: string[], remove: string[]) {
  const app = ctx.application.id;
  const size = ctx.settings.memberChunkSize;
  let added = 0;
  let removed = 0;
  let requests = 0;
  for (let i = 0; i < add.length; i += size) {
    const chunk = add.slice(i, i + size);
    requests += await ctx.client.addGroupMembers(remoteId, chunk, { signal: ctx.signal });
    await repo.addPushedMembers(ctx.db, app, groupId, chunk);
    added += chunk.length;
  }
  for (let i = 0; i < remove.length; i += size) {
    const chunk = remove.slice(i, i + size);
    requests += await ctx.client.removeGroupMembers(remoteId, chunk, { signal: ctx.signal });
    await repo.removePushedMembers(ctx.db, app, groupId, chunk);
    removed += chunk.length;
  }
  return { added, removed, requests };
}
