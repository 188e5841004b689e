// The group half of a sync (group management on), after the users so that members have accounts.
import type { PlanContext, SyncContext, SyncCounts, Unfinished } from './context.ts';
import { applyGroupOp, planGroups, unfinishedGroup, type GroupOp } from './apply-groups.ts';
import * as accounts from './accounts.repository.ts';
import * as repo from './groups.repository.ts';

/** Whether the group operation would change anything in the application, from the database alone. */
async function hasPendingWork(ctx: PlanContext, op: GroupOp): Promise<boolean> {
  if (op.kind === 'unbind') return ctx.settings.unboundGroups === 'delete' && op.link.remote_id !== null;
  if (!op.link?.remote_id || op.link.pushed_name !== op.group.name || op.link.status === 'failed') return true;
  const desired = new Set(await repo.listDesiredMembers(ctx.db, ctx.application.id, op.group.id));
  const pushed = new Set(await repo.listPushedMembers(ctx.db, ctx.application.id, op.group.id));
  return desired.size !== pushed.size || [...desired].some((m) => !pushed.has(m));
}

/** Group operations still owed, for the "integration deactivated" events. */
export async function pendingGroupWork(ctx: PlanContext, ops?: GroupOp[]): Promise<Unfinished[]> {
  if (!ctx.settings.groupManagement) return [];
  const out: Unfinished[] = [];
  for (const op of ops ?? (await planGroups(ctx))) if (await hasPendingWork(ctx, op)) out.push(unfinishedGroup(op));
  return out;
}

export async function runGroupsPhase(ctx: SyncContext, full: boolean, counts: SyncCounts, unfinished: Unfinished[]): Promise<void> {
  if (!ctx.settings.groupManagement) return;
  const ops = await planGroups(ctx);
  if (ops.length === 0) return;
  const known = await accounts.listKnownRemoteIds(ctx.db, ctx.application.id);
  for (let i = 0; i < ops.length; i++) {
    if (ctx.signal.aborted) {
      unfinished.push(...(await pendingGroupWork(ctx, ops.slice(i))));
      return;
    }
    const r = await applyGroupOp(ctx, ops[i], full, known, counts);
    if (r.status === 'aborted') unfinished.push(unfinishedGroup(ops[i]));
    if (r.status === 'failed') counts.failed++;
  }
}
