// The guardrail: one sync that would deprovision too many accounts waits for an admin.
import { record } from '../insights/index.ts';
import * as accounts from './accounts.repository.ts';
import type { SyncContext } from './context.ts';
import { applicationEvent } from './events.ts';
import * as state from './state.repository.ts';

/**
 * The guardrail: deprovisioning more than guardrailPercent of the application's active accounts, and
 * at least guardrailMinimum of them, in one sync waits for an admin. While paused, incremental syncs
 * hold their deprovisions too; a full reconcile clears the pause when the numbers are fine again.
 */
export async function guardrail(ctx: SyncContext, full: boolean, deprovisions: number, syncId: string): Promise<'proceed' | 'hold'> {
  const app = ctx.application.id;
  const st = (await state.findState(ctx.db, app)) as state.StateRow;
  if (!full && st.pause) return 'hold';
  const s = ctx.settings;
  const linked = await accounts.countActiveAccounts(ctx.db, app);
  const over = deprovisions >= s.guardrailMinimum && deprovisions * 100 > linked * s.guardrailPercent;
  const now = ctx.clock.now().toISOString();
  if (!over || (st.confirmed_count !== null && deprovisions <= st.confirmed_count)) {
    if (st.pause) {
      await state.updateState(ctx.db, app, { pause: null, paused_at: null, updated_at: now });
      const message = over ? 'an admin confirmed the deprovisioning' : 'the deprovisions no longer exceed the guardrail';
      await record(ctx, applicationEvent('provisioning_resumed', ctx.actor, ctx.application, { message }));
    }
    return 'proceed';
  }
  const pause = { syncId, deprovisions, linked, percent: s.guardrailPercent, minimum: s.guardrailMinimum };
  await state.updateState(ctx.db, app, { pause: JSON.stringify(pause), paused_at: st.pause ? st.paused_at : now, updated_at: now });
  if (!st.pause) {
    const message =
      `Provisioning paused: this sync would deprovision ${deprovisions} of ${linked} accounts ` +
      `(more than ${s.guardrailPercent}% and at least ${s.guardrailMinimum}). ` +
      'Users are still created and updated; confirm with POST /api/v1/applications/:id/idm/sync/confirm to deprovision.';
    await record(ctx, applicationEvent('provisioning_paused', ctx.actor, ctx.application, { changes: pause, message }));
  }
  return 'hold';
}
