// Applications: what Roster manages users in. Names are unique per organization in any letter case.
import type { Db } from '../db/database.ts';
import { inTransaction } from '../db/database.ts';
import type { Page, PageQuery } from '../directory/groups.service.ts';
import { record } from '../insights/index.ts';
import type { Actor } from '../shared/actor.ts';
import { type Clock, systemClock } from '../shared/clock.ts';
import { decodeCursor, encodeCursor } from '../shared/cursor.ts';
import { conflict, notFound } from '../shared/errors.ts';
import { guardName, namedChanges, normalizeDescription, normalizeName } from '../shared/named.ts';
import { newId, UUID_RE } from '../shared/ids.ts';
import * as repo from './applications.repository.ts';
import { listBoundGroups } from './bindings.repository.ts';

export interface Application {
  id: string;
  name: string;
  description: string;
  groupCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface ApplicationInput {
  name: string;
  description?: string;
}

export type ApplicationPatch = Partial<ApplicationInput>;

export interface ApplicationQuery extends PageQuery {
  /** Case-insensitive substring of the name. */
  q?: string;
}

export const toApplication = (r: repo.ApplicationWithCount): Application => ({
  id: r.id,
  name: r.name,
  description: r.description,
  groupCount: r.group_count,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** The `application` of an Insights event. */
export const applicationRef = (a: { id: string; name: string }) => ({ id: a.id, name: a.name });
const applicationResource = (a: { id: string; name: string }) => ({ type: 'application', id: a.id, username: a.name });

const nameTaken = (name: string) =>
  conflict('APPLICATION_NAME_TAKEN', `An application named "${name}" already exists`, [{ path: 'body.name', message: 'already taken' }]);

export async function createApplication(db: Db, actor: Actor, input: ApplicationInput, clock: Clock = systemClock): Promise<Application> {
  const name = normalizeName(input.name);
  const description = normalizeDescription(input.description ?? '');
  return inTransaction(db, async (trx) => {
    if (await repo.findApplicationByName(trx, actor.organizationId, name.toLowerCase())) throw nameTaken(name);
    const now = clock.now().toISOString();
    const row: repo.ApplicationRow = {
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
      () => repo.insertApplication(trx, row),
    );
    await record(trx, {
      eventType: 'application_create',
      service: 'directory',
      actor,
      resource: applicationResource(row),
      application: applicationRef(row),
      changes: { name, description },
    });
    return toApplication({ ...row, group_count: 0 });
  });
}

export async function findApplication(db: Db, organizationId: string, id: string): Promise<Application | undefined> {
  const row = await repo.findApplicationById(db, organizationId, id);
  return row && toApplication(row);
}

export async function getApplication(db: Db, organizationId: string, id: string): Promise<Application> {
  const application = await findApplication(db, organizationId, id);
  if (!application) throw notFound('Application', id);
  return application;
}

/** For the CLI: an application named by id or by name (any letter case). */
export async function findApplicationByIdOrName(db: Db, organizationId: string, idOrName: string): Promise<Application | undefined> {
  const byId = UUID_RE.test(idOrName) ? await repo.findApplicationById(db, organizationId, idOrName) : undefined;
  const row = byId ?? (await repo.findApplicationByName(db, organizationId, idOrName.trim().toLowerCase()));
  return row && toApplication(row);
}

async function pageOfApplications(db: Db, filter: repo.ApplicationFilter, query: PageQuery): Promise<Page<Application>> {
  let from: repo.ApplicationKey | undefined;
  if (query.cursor) {
    const [nameLower, id] = decodeCursor(query.cursor, ['string', 'string']) as [string, string];
    from = { nameLower, id };
  }
  const rows = await repo.listApplications(db, filter, query.limit + 1, from);
  const total = await repo.countApplications(db, filter);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(toApplication),
    nextCursor: rows.length > query.limit && last ? encodeCursor([last.name_lower, last.id]) : null,
    total,
  };
}

/** Applications by name, case-insensitively. */
export async function listApplications(db: Db, organizationId: string, query: ApplicationQuery): Promise<Page<Application>> {
  return pageOfApplications(db, { organizationId, q: query.q?.trim() || undefined }, query);
}

/** Applications a group is bound to, by name. The caller checks that the group exists. */
export async function listApplicationsOfGroup(
  db: Db,
  organizationId: string,
  groupId: string,
  query: ApplicationQuery,
): Promise<Page<Application>> {
  return pageOfApplications(db, { organizationId, groupId, q: query.q?.trim() || undefined }, query);
}

/** Records application_update with only the fields that really changed; a no-op patch records nothing. */
export async function updateApplication(
  db: Db,
  actor: Actor,
  id: string,
  patch: ApplicationPatch,
  clock: Clock = systemClock,
): Promise<Application> {
  const name = patch.name === undefined ? undefined : normalizeName(patch.name);
  const description = patch.description === undefined ? undefined : normalizeDescription(patch.description);
  return inTransaction(db, async (trx) => {
    const current = await repo.findApplicationById(trx, actor.organizationId, id);
    if (!current) throw notFound('Application', id);
    if (name !== undefined && name !== current.name) {
      const other = await repo.findApplicationByName(trx, actor.organizationId, name.toLowerCase());
      if (other && other.id !== id) throw nameTaken(name);
    }
    const { set, changes } = namedChanges(current, name, description);
    if (Object.keys(changes).length === 0) return toApplication(current);
    const updatedAt = clock.now().toISOString();
    await guardName(
      () => nameTaken(name ?? current.name),
      () => repo.updateApplication(trx, actor.organizationId, id, { ...set, updated_at: updatedAt }),
    );
    const updated = { ...current, ...set, updated_at: updatedAt };
    await record(trx, {
      eventType: 'application_update',
      service: 'directory',
      actor,
      resource: applicationResource(updated),
      application: applicationRef(updated),
      changes,
    });
    return toApplication(updated);
  });
}

/** Group bindings go with the application; the event lists them, as the groups themselves stay. */
export async function deleteApplication(db: Db, actor: Actor, id: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    const application = await repo.findApplicationById(trx, actor.organizationId, id);
    if (!application) throw notFound('Application', id);
    const groups = await listBoundGroups(trx, actor.organizationId, id);
    await repo.deleteApplication(trx, actor.organizationId, id);
    await record(trx, {
      eventType: 'application_delete',
      service: 'directory',
      actor,
      resource: applicationResource(application),
      application: applicationRef(application),
      changes: { name: application.name, groups },
    });
  });
}
