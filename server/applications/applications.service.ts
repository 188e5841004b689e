// Applications: what Roster manages users in. Names are unique per organization in any letter case
// (the directory's named-resources rules, shared with groups).
import type { DbContext } from '../db/context.ts';
import { inTransaction } from '../db/database.ts';
import {
  deleteNamedRow,
  findNamedRow,
  listBoundNames,
  type NamedInput,
  namedItem,
  type NamedKind,
  namedOperations,
  namedResource,
  type NamedQuery,
  type NamedWithCount,
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

const toApplication = (r: NamedWithCount): Application => namedItem(r, 'groupCount');

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

const applications = namedOperations(APPLICATIONS);

export const createApplication = applications.create;
export const getApplication = applications.get;
/** For the CLI: an application named by id or by name (any letter case). */
export const findApplicationByIdOrName = applications.findByIdOrName;
/** Applications by name, case-insensitively. */
export const listApplications = applications.list;
/** Applications a group is bound to, by name. The caller checks that the group exists. */
export const listApplicationsOfGroup = applications.listBoundTo;

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
