// Reading provisioning: sync runs and the status of an application (what runs, what is owed, what failed).
import type { ProvisioningContext } from './context.ts';
import { getApplication } from '../applications/index.ts';
import { getIntegration } from '../integrations/index.ts';
import { notFound } from '../shared/errors.ts';
import * as accounts from './accounts.repository.ts';
import { listProblemGroups } from './groups.repository.ts';
import type { ProvisioningStatus, SyncView } from './provisioning.schemas.ts';
import * as state from './state.repository.ts';

export function toSyncView(r: state.SyncRow): SyncView {
  const v: SyncView = {
    id: r.id,
    kind: r.kind,
    trigger: r.trigger,
    status: r.status,
    processed: r.processed,
    counts: JSON.parse(r.counts) as Record<string, number>,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    initiatedBy: { type: r.initiated_by_type, id: r.initiated_by_id },
  };
  if (r.error) v.error = r.error;
  if (r.initiated_by_email) v.initiatedBy.email = r.initiated_by_email;
  return v;
}

export async function getSync(deps: ProvisioningContext, organizationId: string, applicationId: string, syncId: string): Promise<SyncView> {
  await getApplication({ db: deps.db }, organizationId, applicationId);
  const row = await state.findSync(deps.db, applicationId, syncId);
  if (!row) throw notFound('Sync', syncId);
  return toSyncView(row);
}

export async function listSyncs(
  deps: ProvisioningContext,
  organizationId: string,
  applicationId: string,
  limit: number,
): Promise<SyncView[]> {
  await getApplication({ db: deps.db }, organizationId, applicationId);
  return (await state.listSyncs(deps.db, applicationId, limit)).map(toSyncView);
}

export async function getStatus(deps: ProvisioningContext, organizationId: string, applicationId: string): Promise<ProvisioningStatus> {
  const { db } = deps;
  await getApplication({ db }, organizationId, applicationId);
  const integration = await getIntegration({ db }, organizationId, applicationId);
  const st = await state.findState(db, applicationId);
  const now = deps.clock.now().toISOString();
  const running = Boolean(st?.lock_owner && st.lock_until && st.lock_until > now);
  const current = running ? (await state.listSyncsByStatus(db, applicationId, ['running'])).at(-1) : undefined;
  const last = await state.findLatestSync(db, applicationId, true);
  const hints = await state.countHints(db, applicationId);
  const queued = await state.listSyncsByStatus(db, applicationId, ['queued']);
  const users = await accounts.listProblemAccounts(db, applicationId, 100);
  const groups = await listProblemGroups(db, applicationId, 100);
  const pause = st?.pause
    ? (JSON.parse(st.pause) as { syncId: string; deprovisions: number; linked: number; percent: number; minimum: number })
    : null;
  return {
    applicationId,
    integrationStatus: integration.status,
    running,
    currentSync: current ? toSyncView(current) : null,
    lastSync: last ? toSyncView(last) : null,
    nextReconcileAt: st?.next_full_at ?? null,
    paused: pause
      ? { since: st?.paused_at ?? null, ...pause, confirmed: st?.confirmed_count !== null && st?.confirmed_count !== undefined }
      : null,
    pending: { users: hints.users, groups: hints.groups, fullReconcile: Boolean(st?.full_token), queuedSyncs: queued.length },
    failed: {
      total: (await accounts.countProblemAccounts(db, applicationId)) + groups.length,
      items: [
        ...users.map((u) => ({
          type: 'user' as const,
          id: u.user_id,
          name: u.user_name,
          status: u.status,
          operation: u.last_operation,
          error: u.last_error,
          attempts: u.attempts,
          nextAttemptAt: u.next_attempt_at,
          updatedAt: u.updated_at,
        })),
        ...groups.map((g) => ({
          type: 'group' as const,
          id: g.group_id,
          name: g.group_name,
          status: g.status,
          operation: g.last_operation,
          error: g.last_error,
          attempts: g.attempts,
          nextAttemptAt: null,
          updatedAt: g.updated_at,
        })),
      ],
    },
  };
}
