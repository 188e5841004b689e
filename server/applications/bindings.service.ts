// Binding user groups to applications decides who is managed in each application. Binding is
// idempotent (PUT semantics); unbinding a group that is not bound is 404 NOT_BOUND, like
// NOT_A_MEMBER for memberships. Events name the group as the resource and carry the application, so
// both the group's and the application's trail in Insights show them.
import { type DbContext, onHandle } from '../db/context.ts';
import {
  addRelation,
  findGroup,
  findNamedRow,
  type Group,
  type NamedWithCount,
  type RelationKind,
  removeRelation,
} from '../directory/index.ts';
import type { Actor } from '../shared/actor.ts';
import { AppError } from '../shared/errors.ts';
import { APPLICATIONS, applicationRef } from './applications.service.ts';
import * as repo from './bindings.repository.ts';
import type { ApplicationChanges } from './changes.ts';
import type { ApplicationContext } from './context.ts';

const BINDINGS: RelationKind<NamedWithCount, Group, ApplicationChanges> = {
  table: 'application_groups',
  columns: { owner: 'application_id', item: 'group_id' },
  labels: { owner: 'Application', item: 'Group' },
  findOwner: (db, organizationId, id) => findNamedRow(db, APPLICATIONS, organizationId, id),
  findItem: (db, organizationId, id) => findGroup({ db }, organizationId, id),
  notRelated: (application, groupId) =>
    new AppError('NOT_BOUND', 404, `Group ${groupId} is not bound to application "${application.name}"`),
  event: (bound, application, group) => ({
    eventType: bound ? 'application_group_bind' : 'application_group_unbind',
    resource: { type: 'group', id: group.id, username: group.name },
    application: applicationRef(application),
  }),
  changed: (changes, db, organizationId, applicationId) => changes.bindingChanged(db, organizationId, applicationId),
};

/** `bound` is false when the group already was bound; then nothing is written or recorded. */
export async function bindGroup(
  ctx: ApplicationContext,
  actor: Actor,
  applicationId: string,
  groupId: string,
): Promise<{ group: Group; bound: boolean }> {
  const { item, added } = await addRelation(ctx, BINDINGS, actor, applicationId, groupId);
  return { group: item, bound: added };
}

export async function unbindGroup(ctx: ApplicationContext, actor: Actor, applicationId: string, groupId: string): Promise<void> {
  await removeRelation(ctx, BINDINGS, actor, applicationId, groupId);
}

/** Applications a user is managed in, through membership of any bound group. */
export const listApplicationIdsOfUser = onHandle(repo.listApplicationIdsOfUser);

/** Whether the user is managed in the application (a member of at least one bound group). */
export const isUserInScope = onHandle(repo.isUserInScope);

/**
 * The users managed in an application, by id, a batch at a time: pass the last id of a batch as
 * `afterId` to get the next. Each user appears once, however many bound groups he is in.
 */
export async function listUserIdsInScope(
  { db }: Pick<DbContext, 'db'>,
  organizationId: string,
  applicationId: string,
  batch: { limit: number; afterId?: string },
): Promise<string[]> {
  return repo.listUserIdsInScope(db, organizationId, applicationId, batch.limit, batch.afterId);
}
