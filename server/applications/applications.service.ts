// Applications: what Roster manages users in. Names are unique per organization in any letter case
// (the directory's named-resources rules, shared with groups).
import type { DbContext } from '../db/context.ts';
import {
  deleteNamed,
  type NamedInput,
  type NamedItem,
  namedKind,
  type NamedKind,
  namedOperations,
  type NamedQuery,
  updateNamed,
} from '../directory/index.ts';
import type { Actor } from '../shared/actor.ts';

/** An application as the API shows it, with the number of groups bound to it. */
export type Application = NamedItem<'groupCount'>;

export type ApplicationInput = NamedInput;
export type ApplicationPatch = Partial<ApplicationInput>;
export type ApplicationQuery = NamedQuery;

/** The `application` of an Insights event. */
export const applicationRef = (a: { id: string; name: string }) => ({ id: a.id, name: a.name });

// An application's own events carry it, so its trail in Insights lists them.
export const APPLICATIONS: NamedKind<Application> = namedKind('applications', 'groupCount', (a) => ({ application: applicationRef(a) }));

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
  await deleteNamed(ctx, APPLICATIONS, actor, id, { changes: (_application, groups) => ({ groups }) });
}
