// The SCIM side of one user operation: create (or adopt on 409), update by PATCH of the changed
// attributes (PUT of the whole resource when PATCH is refused), deprovision, delete. Returns what
// happened; persist.ts writes it down. No database writes here, except reading a link on adoption.
import {
  buildUserPatch,
  ENTERPRISE_USER,
  fromScimUser,
  replaceOp,
  toScimUser,
  type DirectoryAttributeName,
  type DirectoryUserAttributes,
  type LookupAttribute,
  type PatchOperation,
  type ScimUser,
} from '../scim/index.ts';
import { links } from '../integrations/index.ts';
import type { SyncContext } from './context.ts';
import { isConflict, isNotFound, isOutcomeUnknown, isUnsupported, orphanedError, ProvisioningError, unlessNotFound } from './errors.ts';
import {
  changedAttributes,
  desiredAttributes,
  EVENT_OF,
  pushedAttributes,
  remoteView,
  type Candidate,
  type RemoteView,
  type UserOp,
} from './plan.ts';

export type UserResult =
  | { kind: 'created'; remote: ScimUser; adoptedVia?: string; recreated?: boolean; changed?: DirectoryAttributeName[] }
  | { kind: 'updated'; remoteId: string; changed: DirectoryAttributeName[]; reactivated: boolean; method: 'PATCH' | 'PUT' }
  | { kind: 'unchanged'; remoteId: string }
  | { kind: 'deprovisioned'; remoteId: string; method: 'PATCH' | 'PUT' }
  | { kind: 'deleted'; remoteId: string }
  /** The account was already gone when we came to deprovision or delete it. */
  | { kind: 'gone'; remoteId: string }
  | { kind: 'forgotten' }
  | { kind: 'failed'; error: unknown }
  | { kind: 'aborted' };

const READ_ONLY = new Set(['id', 'meta', 'groups']);
// Everything Roster maps; on PUT these come from the directory only, the rest is kept as read (T11).
const MAPPED = new Set([
  'username',
  'name',
  'displayname',
  'title',
  'usertype',
  'active',
  'externalid',
  'emails',
  'phonenumbers',
  'addresses',
]);
const MAPPED_ENTERPRISE = new Set(['employeenumber', 'costcenter', 'organization', 'department']);

/** A full representation for PUT: the directory's attributes over what the server has that Roster doesn't map. */
export function mergeForPut(current: ScimUser, desired: ScimUser): ScimUser {
  const out: ScimUser = { schemas: [] };
  for (const [key, value] of Object.entries(current)) {
    const k = key.toLowerCase();
    if (READ_ONLY.has(k) || MAPPED.has(k) || k === 'schemas' || k === ENTERPRISE_USER.toLowerCase()) continue;
    out[key] = value;
  }
  const keptEnterprise = Object.fromEntries(
    Object.entries(current[ENTERPRISE_USER] ?? {}).filter(([k]) => !MAPPED_ENTERPRISE.has(k.toLowerCase())),
  );
  const enterprise = { ...keptEnterprise, ...(desired[ENTERPRISE_USER] ?? {}) };
  Object.assign(out, desired);
  delete out[ENTERPRISE_USER];
  if (Object.keys(enterprise).length) out[ENTERPRISE_USER] = enterprise;
  const schemas = new Set([...current.schemas, ...desired.schemas]);
  if (!Object.keys(enterprise).length) schemas.delete(ENTERPRISE_USER);
  else schemas.add(ENTERPRISE_USER);
  out.schemas = [...schemas];
  return out;
}

function stripReadOnly(user: ScimUser): ScimUser {
  return Object.fromEntries(Object.entries(user).filter(([k]) => !READ_ONLY.has(k.toLowerCase()))) as ScimUser;
}

const getRemote = (ctx: SyncContext, remoteId: string): Promise<ScimUser | null> =>
  unlessNotFound(ctx.client.getUser(remoteId, { signal: ctx.signal }));

interface Write {
  remoteId: string;
  userId: string;
  desired: DirectoryUserAttributes;
  changed: DirectoryAttributeName[];
  activate: boolean;
  /** Set externalId to the directory id (an adopted account). */
  externalId: boolean;
  /** The resource as last read; `complete` when it came from a GET (a list may leave attributes out). */
  current?: ScimUser;
  complete: boolean;
}

/** PATCH of what changed, reactivation first (C16); PUT of the whole resource when PATCH is refused. */
async function writeUpdate(ctx: SyncContext, w: Write): Promise<'PATCH' | 'PUT'> {
  if (ctx.mode.patch) {
    const ops: PatchOperation[] = [];
    if (w.activate) ops.push(replaceOp('active', true));
    ops.push(...buildUserPatch(w.changed, w.desired, { current: w.current }));
    if (w.externalId) ops.push(replaceOp('externalId', w.userId));
    try {
      await ctx.client.patchUser(w.remoteId, ops, { signal: ctx.signal });
      return 'PATCH';
    } catch (err) {
      if (!isUnsupported(err)) throw err;
      await ctx.learnPutOnly();
    }
  }
  const current = w.complete && w.current ? w.current : await ctx.client.getUser(w.remoteId, { signal: ctx.signal });
  await ctx.client.replaceUser(w.remoteId, mergeForPut(current, toScimUser({ ...w.desired, id: w.userId, active: true })), {
    signal: ctx.signal,
  });
  return 'PUT';
}

/** After a 409 (or a POST whose outcome is unknown): the account by userName, externalId, then email (F3, F5, C19). */
async function findExisting(ctx: SyncContext, c: Candidate): Promise<{ user: ScimUser; via: string } | null> {
  const u = c.user;
  if (!u) return null;
  const tries: Array<[LookupAttribute, string, 'if-filter-unusable' | 'if-not-found']> = [
    ['userName', u.username, 'if-filter-unusable'],
    ['externalId', u.id, 'if-filter-unusable'],
    // The last try may read the whole list: filters that find nothing are not proof (F5).
    ['email', u.email, 'if-not-found'],
  ];
  for (const [attribute, value, fullScan] of tries) {
    const r = await ctx.client.lookupUser(attribute, value, { signal: ctx.signal, fullScan, maxScan: 20_000 });
    if (r.user?.id) return { user: r.user, via: `${attribute} (${r.via})` };
  }
  return null;
}

async function create(ctx: SyncContext, c: Candidate, recreated: boolean): Promise<UserResult> {
  const u = c.user;
  if (!u) throw new ProvisioningError('USER_MISSING', 'The user no longer exists in the directory.');
  const desired = desiredAttributes(u);
  try {
    const remote = await ctx.client.createUser(toScimUser({ ...desired, id: u.id, active: true }), { signal: ctx.signal });
    return { kind: 'created', remote, recreated };
  } catch (err) {
    if (!isConflict(err) && !isOutcomeUnknown(err)) throw err;
    const found = await findExisting(ctx, c);
    if (!found) throw isConflict(err) ? orphanedError(u.username) : err;
    const other = await links.findLinkByRemoteId(ctx.db, ctx.application.id, found.user.id as string);
    if (other && other.user_id !== u.id) {
      throw new ProvisioningError(
        'LINKED_ELSEWHERE',
        `The application's account ${found.user.userName ?? found.user.id} is already linked to another directory user.`,
      );
    }
    const changed = changedAttributes(desired, fromScimUser(found.user), false);
    const activate = found.user.active === false;
    const externalId = found.user.externalId !== u.id;
    if (changed.length || activate || externalId) {
      await writeUpdate(ctx, {
        remoteId: found.user.id as string,
        userId: u.id,
        desired,
        changed,
        activate,
        externalId,
        current: found.user,
        complete: false,
      });
    }
    return { kind: 'created', remote: found.user, adoptedVia: found.via, recreated, changed };
  }
}

async function update(
  ctx: SyncContext,
  c: Candidate,
  remoteId: string,
  listed: RemoteView | undefined,
  fromGet = false,
): Promise<UserResult> {
  const u = c.user;
  if (!u) throw new ProvisioningError('USER_MISSING', 'The user no longer exists in the directory.');
  const desired = desiredAttributes(u);
  const a = c.account;
  const pushed = a && a.status === 'ok' && a.remote_id === remoteId ? pushedAttributes(a) : undefined;
  let view = listed;
  let complete = fromGet;
  if (!view && !pushed) {
    const current = await getRemote(ctx, remoteId);
    if (!current) return create(ctx, c, true);
    view = remoteView(current);
    complete = true;
  }
  const base = view ? view.attributes : (pushed as DirectoryUserAttributes);
  const changed = changedAttributes(desired, base, view !== undefined && !complete);
  const activate = view ? view.active === false : a?.pushed_active === 0;
  if (!changed.length && !activate) return { kind: 'unchanged', remoteId };
  try {
    const method = await writeUpdate(ctx, {
      remoteId,
      userId: u.id,
      desired,
      changed,
      activate,
      externalId: false,
      current: view?.user,
      complete,
    });
    return { kind: 'updated', remoteId, changed, reactivated: activate, method };
  } catch (err) {
    // Deleted in the application by someone else: create him again.
    if (isNotFound(err)) return create(ctx, c, true);
    throw err;
  }
}

async function verify(ctx: SyncContext, c: Candidate, remoteId: string): Promise<UserResult> {
  const current = await getRemote(ctx, remoteId);
  if (!current) return create(ctx, c, true);
  return update(ctx, c, remoteId, remoteView(current), true);
}

async function deprovision(ctx: SyncContext, remoteId: string): Promise<UserResult> {
  try {
    if (ctx.mode.patch) {
      try {
        await ctx.client.patchUser(remoteId, [replaceOp('active', false)], { signal: ctx.signal });
        return { kind: 'deprovisioned', remoteId, method: 'PATCH' };
      } catch (err) {
        if (!isUnsupported(err)) throw err;
        await ctx.learnPutOnly();
      }
    }
    const current = await ctx.client.getUser(remoteId, { signal: ctx.signal });
    await ctx.client.replaceUser(remoteId, { ...stripReadOnly(current), active: false }, { signal: ctx.signal });
    return { kind: 'deprovisioned', remoteId, method: 'PUT' };
  } catch (err) {
    if (isNotFound(err)) return { kind: 'gone', remoteId };
    throw err;
  }
}

async function remove(ctx: SyncContext, remoteId: string): Promise<UserResult> {
  try {
    await ctx.client.deleteUser(remoteId, { signal: ctx.signal });
    return { kind: 'deleted', remoteId };
  } catch (err) {
    if (isNotFound(err)) return { kind: 'gone', remoteId };
    throw err;
  }
}

export async function applyUserOp(ctx: SyncContext, op: UserOp): Promise<UserResult> {
  if (ctx.signal.aborted) return { kind: 'aborted' };
  try {
    switch (op.kind) {
      case 'create':
        return await create(ctx, op.candidate, false);
      case 'update':
        return await update(ctx, op.candidate, op.remoteId as string, op.remote);
      case 'verify':
        return await verify(ctx, op.candidate, op.remoteId as string);
      case 'deprovision':
        return await deprovision(ctx, op.remoteId as string);
      case 'delete':
        return await remove(ctx, op.remoteId as string);
      case 'forget':
        return { kind: 'forgotten' };
    }
  } catch (err) {
    // Whatever an aborted request threw, the cause is the abort (deactivation or shutdown).
    if (ctx.signal.aborted) return { kind: 'aborted' };
    return { kind: 'failed', error: err };
  }
}

/** The Insights event type of the operation as it turned out (a 404 on update became a create). */
export function eventTypeOf(op: UserOp, result: UserResult): string {
  if (result.kind === 'created') return EVENT_OF.create;
  return EVENT_OF[op.kind];
}
