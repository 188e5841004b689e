// Directory users: the rules (uniqueness in any letter case, validation, Insights on every change).
import type { DbContext } from '../db/context.ts';
import type { Db } from '../db/database.ts';
import { inTransaction } from '../db/database.ts';
import { uniqueViolation } from '../db/errors.ts';
import { record } from '../insights/index.ts';
import type { Actor } from '../shared/actor.ts';
import { decodeCursor, likeContains, keysetPage } from '../shared/cursor.ts';
import { AppError, conflict, notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import type { CountCache } from '../shared/count-cache.ts';
import type { DirectoryContext } from './context.ts';
import * as repo from './users.repository.ts';
import type { Address, CreateUserInput, PhoneNumber, UpdateUserInput, User, UserSortField } from './users.schemas.ts';

/** Attribute name in the API -> column (the JSON ones, addresses and phone numbers, apart). */
export const ATTRIBUTE_COLUMNS = {
  username: 'username',
  email: 'email',
  firstname: 'firstname',
  middlename: 'middlename',
  lastname: 'lastname',
  displayname: 'displayname',
  jobTitle: 'job_title',
  department: 'department',
  costCenter: 'cost_center',
  employeeType: 'employee_type',
  employeeIdentifier: 'employee_identifier',
  organization: 'organization',
  state: 'state',
} as const satisfies Record<string, keyof repo.UserRecord>;

type TextAttribute = keyof typeof ATTRIBUTE_COLUMNS;

const normalizeAddress = (a: Address) => ({
  type: a.type,
  streetAddress: a.streetAddress ?? '',
  locality: a.locality ?? '',
  region: a.region ?? '',
  postalCode: a.postalCode ?? '',
  country: a.country ?? '',
  ...(a.poBox ? { poBox: a.poBox } : {}),
  ...(a.extendedAddress ? { extendedAddress: a.extendedAddress } : {}),
});
const normalizePhone = (p: PhoneNumber) => ({ type: p.type, number: p.number });

export function searchTextOf(r: Pick<repo.UserRecord, 'username' | 'email' | 'firstname' | 'lastname' | 'displayname'>): string {
  return [r.username, r.email, r.firstname, r.lastname, r.displayname].filter(Boolean).join(' ').toLowerCase();
}

export function toUser(r: repo.UserRecord): User {
  const u: User = {
    id: r.id,
    username: r.username,
    email: r.email,
    firstname: r.firstname,
    middlename: r.middlename,
    lastname: r.lastname,
    displayname: r.displayname,
    jobTitle: r.job_title,
    department: r.department,
    costCenter: r.cost_center,
    employeeType: r.employee_type,
    employeeIdentifier: r.employee_identifier,
    organization: r.organization,
    addresses: JSON.parse(r.addresses),
    phoneNumbers: JSON.parse(r.phone_numbers),
    state: r.state,
    passwordStatus: r.password_status,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
  if (r.source_type === 'import' && r.source_application_id && r.source_import_run_id) {
    u.source = { type: 'import', applicationId: r.source_application_id, importRunId: r.source_import_run_id };
  } else if (r.source_type === 'scim' && r.source_scim_source_id) {
    u.source = { type: 'scim', sourceId: r.source_scim_source_id };
  }
  return u;
}

/** Where a new user comes from: an import run, or a SCIM source (inbound SCIM). */
export type UserSource = { applicationId: string; importRunId: string } | { scimSourceId: string };

/** Builds the row for a validated new user (no I/O): imports batch these. */
export function newUserRecord(organizationId: string, input: CreateUserInput, now: string, source?: UserSource): repo.UserRecord {
  const r: repo.UserRecord = {
    id: newId(),
    organization_id: organizationId,
    username: input.username,
    username_lower: input.username.toLowerCase(),
    email: input.email,
    email_lower: input.email.toLowerCase(),
    firstname: input.firstname ?? '',
    middlename: input.middlename ?? '',
    lastname: input.lastname ?? '',
    displayname: input.displayname ?? '',
    job_title: input.jobTitle ?? '',
    department: input.department ?? '',
    cost_center: input.costCenter ?? '',
    employee_type: input.employeeType ?? '',
    employee_identifier: input.employeeIdentifier ?? '',
    organization: input.organization ?? '',
    addresses: JSON.stringify((input.addresses ?? []).map(normalizeAddress)),
    phone_numbers: JSON.stringify((input.phoneNumbers ?? []).map(normalizePhone)),
    state: input.state,
    password_status: 'PENDING',
    source_type: source ? ('scimSourceId' in source ? 'scim' : 'import') : null,
    source_application_id: source && 'applicationId' in source ? source.applicationId : null,
    source_import_run_id: source && 'importRunId' in source ? source.importRunId : null,
    source_scim_source_id: source && 'scimSourceId' in source ? source.scimSourceId : null,
    search_text: '',
    created_at: now,
    updated_at: now,
  };
  r.search_text = searchTextOf(r);
  return r;
}

function takenError(which: 'username' | 'email', value: string) {
  return conflict(
    which === 'username' ? 'USERNAME_TAKEN' : 'EMAIL_TAKEN',
    `A user with ${which} ${value} already exists (compared in any letter case)`,
    [{ path: `body.${which}`, message: 'already taken' }],
  );
}

async function assertUnique(db: Db, organizationId: string, username: string | undefined, email: string | undefined, exceptId?: string) {
  const values = [username, email].filter((v): v is string => v !== undefined).map((v) => v.toLowerCase());
  const clashes = (await repo.findUsersByUsernameOrEmail(db, organizationId, values)).filter((c) => c.id !== exceptId);
  if (username !== undefined && clashes.some((c) => c.username_lower === username.toLowerCase())) throw takenError('username', username);
  if (email !== undefined && clashes.some((c) => c.email_lower === email.toLowerCase())) throw takenError('email', email);
  // A username equal to another user's email (or the reverse) would make sign-in by either ambiguous.
  if (clashes.length > 0) throw takenError(username !== undefined ? 'username' : 'email', username ?? email ?? '');
}

/** Maps a unique-index race (two requests at once) to the same 409 the pre-check gives. */
function mapUniqueRace(err: unknown, input: { username?: string; email?: string }): never {
  const v = uniqueViolation(err);
  if (v?.includes('email')) throw takenError('email', input.email ?? '');
  if (v) throw takenError('username', input.username ?? '');
  throw err;
}

export async function createUser(
  ctx: DbContext,
  actor: Actor,
  input: CreateUserInput,
  opts: { source?: { scimSourceId: string } } = {},
): Promise<User> {
  try {
    return await inTransaction(ctx.db, async (trx) => {
      await assertUnique(trx, actor.organizationId, input.username, input.email);
      const row = newUserRecord(actor.organizationId, input, ctx.clock.now().toISOString(), opts.source);
      await repo.insertUsers(trx, [row]);
      const user = toUser(row);
      await record(
        { db: trx, clock: ctx.clock },
        {
          eventType: 'user_create',
          service: 'directory',
          actor,
          resource: { type: 'user', id: user.id, username: user.username },
          changes: creationChanges(user),
        },
      );
      return user;
    });
  } catch (err) {
    if (err instanceof AppError) throw err;
    mapUniqueRace(err, input);
  }
}

/** The attributes a new user was created with, for Insights. */
export function creationChanges(user: User): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(user)) {
    if (['id', 'createdAt', 'updatedAt', 'source'].includes(k)) continue;
    if (v === '' || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = v;
  }
  return out;
}

/**
 * The attributes an imported user was created with, for his user_create event: what creationChanges
 * says, less the username (the event's resource carries it). An import writes 100,000 of these.
 */
export function importedUserChanges(user: repo.UserRecord): Record<string, unknown> {
  const { username: _, ...out } = creationChanges(toUser(user));
  return out;
}

export async function getUser({ db }: Pick<DbContext, 'db'>, organizationId: string, id: string): Promise<User> {
  const row = await repo.findUser(db, organizationId, id);
  if (!row) throw notFound('User', id);
  return toUser(row);
}

export async function updateUser(ctx: DirectoryContext, actor: Actor, id: string, input: UpdateUserInput): Promise<User> {
  try {
    return await inTransaction(ctx.db, async (trx) => {
      const before = await repo.findUser(trx, actor.organizationId, id);
      if (!before) throw notFound('User', id);
      const patch: Partial<repo.UserRecord> = {};
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      for (const [attr, col] of Object.entries(ATTRIBUTE_COLUMNS) as [TextAttribute, keyof repo.UserRecord][]) {
        const v = input[attr];
        if (v === undefined || v === before[col]) continue;
        (patch as Record<string, unknown>)[col] = v;
        changes[attr] = { from: before[col], to: v };
      }
      if (input.addresses !== undefined) {
        const v = JSON.stringify(input.addresses.map(normalizeAddress));
        if (v !== before.addresses) {
          patch.addresses = v;
          changes.addresses = { from: JSON.parse(before.addresses), to: JSON.parse(v) };
        }
      }
      if (input.phoneNumbers !== undefined) {
        const v = JSON.stringify(input.phoneNumbers.map(normalizePhone));
        if (v !== before.phone_numbers) {
          patch.phone_numbers = v;
          changes.phoneNumbers = { from: JSON.parse(before.phone_numbers), to: JSON.parse(v) };
        }
      }
      if (Object.keys(patch).length === 0) return toUser(before);
      const usernameChanged = patch.username !== undefined && patch.username.toLowerCase() !== before.username_lower;
      const emailChanged = patch.email !== undefined && patch.email.toLowerCase() !== before.email_lower;
      if (usernameChanged || emailChanged) {
        await assertUnique(
          trx,
          actor.organizationId,
          usernameChanged ? patch.username : undefined,
          emailChanged ? patch.email : undefined,
          id,
        );
      }
      if (patch.username !== undefined) patch.username_lower = patch.username.toLowerCase();
      if (patch.email !== undefined) patch.email_lower = patch.email.toLowerCase();
      const after = { ...before, ...patch, updated_at: ctx.clock.now().toISOString() };
      after.search_text = searchTextOf(after);
      await repo.updateUser(trx, actor.organizationId, id, { ...patch, search_text: after.search_text, updated_at: after.updated_at });
      await record(
        { db: trx, clock: ctx.clock },
        {
          eventType: 'user_update',
          service: 'directory',
          actor,
          resource: { type: 'user', id, username: after.username },
          changes,
        },
      );
      await ctx.changes.userChanged(trx, actor.organizationId, id);
      return toUser(after);
    });
  } catch (err) {
    if (err instanceof AppError) throw err;
    mapUniqueRace(err, input);
  }
}

export async function deleteUser(ctx: DirectoryContext, actor: Actor, id: string): Promise<void> {
  await inTransaction(ctx.db, async (trx) => {
    const row = await repo.findUser(trx, actor.organizationId, id);
    if (!row) throw notFound('User', id);
    // Before the delete: the applications he is in are found through his memberships.
    await ctx.changes.userChanged(trx, actor.organizationId, id);
    await repo.deleteUser(trx, actor.organizationId, id);
    await record(
      { db: trx, clock: ctx.clock },
      { eventType: 'user_delete', service: 'directory', actor, resource: { type: 'user', id, username: row.username } },
    );
  });
}

export interface UserListQuery {
  organizationId: string;
  q?: string;
  state?: User['state'];
  passwordStatus?: User['passwordStatus'];
  sort: UserSortField;
  order: 'asc' | 'desc';
  limit: number;
  cursor?: string;
}

/** `ctx.counts`: where a large total may come from a count made a few seconds ago (count-cache.ts). */
export async function listUsers(
  { db, counts }: Pick<DbContext, 'db'> & { counts?: CountCache },
  query: UserListQuery,
): Promise<{ items: User[]; nextCursor: string | null; total: number }> {
  const sort = repo.SORT_COLUMNS[query.sort];
  const q = query.q?.trim().toLowerCase();
  const filter: repo.UserListFilter = {
    organizationId: query.organizationId,
    searchPattern: q ? likeContains(q) : undefined,
    state: query.state,
    passwordStatus: query.passwordStatus,
  };
  let after: { value: string; tie: string | number } | undefined;
  // The cursor's last element is the row's rowid (a number) on SQLite, its id on PostgreSQL. A SQLite
  // cursor made before 2026-12-06-002 (an id where a rowid is due) is refused.
  const tie = repo.tieBreakOf(db, sort);
  if (query.cursor) {
    const [s, value, last] = decodeCursor(query.cursor, ['string', 'string', tie === 'id' ? 'string' : 'number']);
    // A cursor is only valid for the sort it was made with.
    if (s !== `${query.sort}:${query.order}` || (typeof last === 'number' && !Number.isSafeInteger(last))) {
      throw new AppError('INVALID_CURSOR', 400, 'cursor belongs to a different sort order', [
        { path: 'cursor', message: 'invalid cursor' },
      ]);
    }
    after = { value: String(value), tie: last };
  }
  const [rows, total] = await Promise.all([
    repo.listUsers(db, filter, sort, query.order, after, query.limit + 1),
    counts ? counts.get(`users:${JSON.stringify(filter)}`, () => repo.countUsers(db, filter)) : repo.countUsers(db, filter),
  ]);
  return {
    ...keysetPage(rows, query.limit, toUser, (l) => [`${query.sort}:${query.order}`, String(l[sort]), tie === 'id' ? l.id : l.row_key]),
    total,
  };
}
