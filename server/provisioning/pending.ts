// What deactivation leaves undone, from the database alone: hinted changes no sync has read yet.
import type { PlanContext, Unfinished } from './context.ts';
import { pendingGroupWork } from './groups-phase.ts';
import { unfinishedOf } from './persist.ts';
import { planUser } from './plan.ts';
import type * as state from './state.repository.ts';
import { loadCandidates } from './users-phase.ts';

/** Operations owed by hints no sync read yet (they never ran), for the deactivation events. */
export async function pendingFromHints(ctx: PlanContext, hints: state.HintRow[], exclude: Set<string>): Promise<Unfinished[]> {
  const userIds = [...new Set(hints.filter((h) => h.kind === 'user' && !exclude.has(h.item_id)).map((h) => h.item_id))];
  const out: Unfinished[] = [];
  for (let i = 0; i < userIds.length; i += 500) {
    for (const c of await loadCandidates(ctx, userIds.slice(i, i + 500))) {
      const op = planUser(c, { deprovision: ctx.settings.deprovision, retryOrphaned: true });
      if (op && op.kind !== 'forget') out.push(unfinishedOf(op));
    }
  }
  if (hints.some((h) => h.kind === 'group')) {
    out.push(...(await pendingGroupWork(ctx)).filter((g) => !exclude.has(g.resource.id)));
  }
  return out;
}
