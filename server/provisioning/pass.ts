// The opening of one sync pass: who it runs for, the syncs it carries out, what its operations carry,
// and the application's list for the drift check of a full reconcile.
import type { Db } from '../db/database.ts';
import { type Actor, systemActor } from '../shared/actor.ts';
import { newId } from '../shared/ids.ts';
import * as accounts from './accounts.repository.ts';
import type { ProvisioningContext, SyncContext, SyncOptions } from './context.ts';
import { remoteView, type RemoteView } from './plan.ts';
import * as state from './state.repository.ts';

export function actorOfSync(row: state.SyncRow | undefined, organizationId: string): Actor {
  if (!row || row.initiated_by_type === 'system') return systemActor(organizationId);
  return { type: row.initiated_by_type as Actor['type'], id: row.initiated_by_id, email: row.initiated_by_email, organizationId };
}

export async function listRemote(ctx: SyncContext): Promise<Map<string, RemoteView> | undefined> {
  const known = await accounts.listKnownRemoteIds(ctx.db, ctx.application.id);
  const out = new Map<string, RemoteView>();
  if (known.size === 0) return out;
  try {
    for await (const page of ctx.client.listUsers({ signal: ctx.signal }).pages()) {
      for (const u of page) if (u.id && known.has(u.id)) out.set(u.id, remoteView(u));
    }
    return out;
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    // Without the list, accounts are compared with what was last pushed; drift waits for the next run.
    ctx.logger.warn(
      { err, applicationId: ctx.application.id },
      "could not list the application's users; reconciling without a drift check",
    );
    return undefined;
  }
}

/** The queued syncs this pass carries out, marked running (a new one when none was queued), the first remembered as the last. */
export async function openSyncs(
  db: Db,
  o: SyncOptions,
  actor: Actor,
  full: boolean,
  queued: state.SyncRow[],
  startedIso: string,
): Promise<string[]> {
  const app = o.applicationId;
  const org = o.organizationId;
  const syncIds = queued.map((s) => s.id);
  if (syncIds.length) {
    await state.updateSyncs(db, syncIds, { status: 'running', kind: 'full', started_at: startedIso });
  } else {
    const id = newId();
    syncIds.push(id);
    const kind = full ? 'full' : 'incremental';
    const row = { id, organization_id: org, application_id: app, kind, trigger: o.trigger, status: 'running' } as const;
    await state.insertSync(db, state.newSyncRow(row, actor, startedIso));
  }
  await state.updateState(db, app, { last_sync_id: syncIds[0], updated_at: startedIso });
  return syncIds;
}

/** What the operations of one pass carry: the client, the application, and PATCH or PUT. */
export function syncContext(
  deps: ProvisioningContext,
  o: SyncOptions,
  given: Pick<SyncContext, 'settings' | 'actor' | 'signal' | 'client'>,
  application: { id: string; name: string },
  updates: { stored: state.StateRow['update_mode']; patchCapable: boolean },
): SyncContext {
  const ctx: SyncContext = {
    db: deps.db,
    logger: deps.logger,
    clock: deps.clock,
    ...given,
    organizationId: o.organizationId,
    application: { id: application.id, name: application.name },
    mode: { patch: updates.stored ? updates.stored === 'patch' : updates.patchCapable },
    learnPutOnly: async () => {
      if (!ctx.mode.patch) return;
      ctx.mode.patch = false;
      await state.updateState(deps.db, o.applicationId, { update_mode: 'put' });
    },
  };
  return ctx;
}
