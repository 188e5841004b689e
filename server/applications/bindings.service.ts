// Binding user groups to applications decides who is managed in each application. Binding is
// idempotent (PUT semantics); unbinding a group that is not bound is 404 NOT_BOUND, like
// NOT_A_MEMBER for memberships. Events name the group as the resource and carry the application, so
// both the group's and the application's trail in Insights show them.
import type { DbContext } from '../db/context.ts';
import type { Db } from '../db/database.ts';
import { inTransaction } from '../db/database.ts';
import { findGroup, findNamedRow, type Group } from '../directory/index.ts';
import { record } from '../insights/index.ts';
import type { Actor } from '../shared/actor.ts';
import { AppError, notFound } from '../shared/errors.ts';
import { APPLICATIONS, applicationRef } from './applications.service.ts';
import * as repo from './bindings.repository.ts';
import type { ApplicationContext } from './context.ts';

async function requireApplication(db: Db, organizationId: string, applicationId: string) {
  const application = await findNamedRow(db, APPLICATIONS, organizationId, applicationId);
  if (!application) throw notFound('Application', applicationId);
  return application;
}

/** `bound` is false when the group already was bound; then nothing is written or recorded. */
export async function bindGroup(
  ctx: ApplicationContext,
  actor: Actor,
  applicationId: string,
  groupId: string,
): Promise<{ group: Group; bound: boolean }> {
  return inTransaction(ctx.db, async (trx) => {
    const application = await requireApplication(trx, actor.organizationId, applicationId);
    const group = await findGroup({ db: trx }, actor.organizationId, groupId);
    if (!group) throw notFound('Group', groupId);
    const bound = await repo.insertBinding(trx, {
      organization_id: actor.organizationId,
      application_id: applicationId,
      group_id: groupId,
      created_at: ctx.clock.now().toISOString(),
    });
    if (bound) {
      await record(
        { db: trx, clock: ctx.clock },
        {
          eventType: 'application_group_bind',
          service: 'directory',
          actor,
          resource: { type: 'group', id: group.id, username: group.name },
          application: applicationRef(application),
        },
      );
      await ctx.changes.bindingChanged(trx, actor.organizationId, applicationId);
    }
    return { group, bound };
  });
}

export async function unbindGroup(ctx: ApplicationContext, actor: Actor, applicationId: string, groupId: string): Promise<void> {
  await inTransaction(ctx.db, async (trx) => {
    const application = await requireApplication(trx, actor.organizationId, applicationId);
    const group = await findGroup({ db: trx }, actor.organizationId, groupId);
    if (!group || !(await repo.deleteBinding(trx, actor.organizationId, applicationId, groupId))) {
      throw new AppError('NOT_BOUND', 404, `Group ${groupId} is not bound to application "${application.name}"`);
    }
    await record(
      { db: trx, clock: ctx.clock },
      {
        eventType: 'application_group_unbind',
        service: 'directory',
        actor,
        resource: { type: 'group', id: group.id, username: group.name },
        application: applicationRef(application),
      },
    );
    await ctx.changes.bindingChanged(trx, actor.organizationId, applicationId);
  });
}

/** Applications a user is managed in, through membership of any bound group. */
export async function listApplicationIdsOfUser({ db }: Pick<DbContext, 'db'>, organizationId: string, userId: string): Promise<string[]> {
  return repo.listApplicationIdsOfUser(db, organizationId, userId);
}

/** Whether the user is managed in the application (a member of at least one bound group). */
export async function isUserInScope(
  { db }: Pick<DbContext, 'db'>,
  organizationId: string,
  applicationId: string,
  userId: string,
): Promise<boolean> {
  return repo.isUserInScope(db, organizationId, applicationId, userId);
}

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
