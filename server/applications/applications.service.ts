// Applications: what Roster manages users in. Names are unique per organization in any letter case
// (the directory's named-resources rules, shared with groups).
import type { DbContext } from '../db/context.ts';
import { inTransaction } from '../db/database.ts';
import {
  createNamed,
  deleteNamedRow,
  findNamed,
  findNamedByIdOrName,
  findNamedRow,
  getNamed,
  listBoundNames,
  listNamed,
  type NamedInput,
  type NamedKind,
  namedResource,
  type NamedQuery,
  type NamedWithCount,
  type Page,
  updateNamed,
} from '../directory/index.ts';
import { record } from '../insights/index.ts';
import type { Actor } from '../shared/actor.ts';
import { conflict, notFound } from '../shared/errors.ts';

export interface Application {
  id: string;
  name: string;
  description: string;
  groupCount: number;
  createdAt: string;
  updatedAt: string;
}

export type ApplicationInput = NamedInput;
export type ApplicationPatch = Partial<ApplicationInput>;
export type ApplicationQuery = NamedQuery;

type Read = Pick<DbContext, 'db'>;

export const toApplication = (r: NamedWithCount): Application => ({
  id: r.id,
  name: r.name,
  description: r.description,
  groupCount: r.count,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** The `application` of an Insights event. */
export const applicationRef = (a: { id: string; name: string }) => ({ id: a.id, name: a.name });

export const APPLICATIONS: NamedKind<Application> = {
  table: 'applications',
  counted: { table: 'application_groups', column: 'application_id' },
  binding: { own: 'application_id', other: 'group_id' },
  label: 'Application',
  resourceType: 'application',
  nameTaken: (name) =>
    conflict('APPLICATION_NAME_TAKEN', `An application named "${name}" already exists`, [{ path: 'body.name', message: 'already taken' }]),
  toItem: toApplication,
  // An application's own events carry it, so its trail in Insights lists them.
  eventExtras: (a) => ({ application: applicationRef(a) }),
};

export async function createApplication(ctx: DbContext, actor: Actor, input: ApplicationInput): Promise<Application> {
  return createNamed(ctx, APPLICATIONS, actor, input);
}

export async function findApplication(ctx: Read, organizationId: string, id: string): Promise<Application | undefined> {
  return findNamed(ctx, APPLICATIONS, organizationId, id);
}

export async function getApplication(ctx: Read, organizationId: string, id: string): Promise<Application> {
  return getNamed(ctx, APPLICATIONS, organizationId, id);
}

/** For the CLI: an application named by id or by name (any letter case). */
export async function findApplicationByIdOrName(ctx: Read, organizationId: string, idOrName: string): Promise<Application | undefined> {
  return findNamedByIdOrName(ctx, APPLICATIONS, organizationId, idOrName);
}

/** Applications by name, case-insensitively. */
export async function listApplications(ctx: Read, organizationId: string, query: ApplicationQuery): Promise<Page<Application>> {
  return listNamed(ctx, APPLICATIONS, organizationId, query);
}

/** Applications a group is bound to, by name. The caller checks that the group exists. */
export async function listApplicationsOfGroup(
  ctx: Read,
  organizationId: string,
  groupId: string,
  query: ApplicationQuery,
): Promise<Page<Application>> {
  return listNamed(ctx, APPLICATIONS, organizationId, query, groupId);
}

/** Records application_update with only the fields that really changed; a no-op patch records nothing. */
export async function updateApplication(ctx: DbContext, actor: Actor, id: string, patch: ApplicationPatch): Promise<Application> {
  return updateNamed(ctx, APPLICATIONS, actor, id, patch);
}

/** Group bindings go with the application; the event lists them, as the groups themselves stay. */
export async function deleteApplication(ctx: DbContext, actor: Actor, id: string): Promise<void> {
  await inTransaction(ctx.db, async (trx) => {
    const application = await findNamedRow(trx, APPLICATIONS, actor.organizationId, id);
    if (!application) throw notFound('Application', id);
    const groups = await listBoundNames(trx, APPLICATIONS, actor.organizationId, id);
    await deleteNamedRow(trx, APPLICATIONS, actor.organizationId, id);
    await record(
      { db: trx, clock: ctx.clock },
      {
        eventType: 'application_delete',
        service: 'directory',
        actor,
        resource: namedResource(APPLICATIONS, application),
        application: applicationRef(application),
        changes: { name: application.name, groups },
      },
    );
  });
}
