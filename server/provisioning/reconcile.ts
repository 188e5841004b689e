// One sync of one application: take the application's lock (syncs of an application run one at a
// time, in every process), work out what is owed (hints, or everything on a full reconcile), push
// it, write the run down, and schedule the next periodic reconcile. Deactivation is noticed at once
// in this process (the runtime's abort signal) and within WATCH_MS in others (generation check).
import { getApplication } from '../applications/index.ts';
import type { Deps } from '../deps.ts';
import { getIntegration, integrationStop, loadScimConfig, type ScimConfig, STOP_MESSAGES, stopReasonOf } from '../integrations/index.ts';
import type { TransportMetrics } from '../scim/index.ts';
import { type Actor, systemActor } from '../shared/actor.ts';
import { AppError } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import * as accounts from './accounts.repository.ts';
import { emptyCounts, type SyncContext, type SyncCounts, type Unfinished } from './context.ts';
import { DEACTIVATED_MESSAGE } from './errors.ts';
import { pendingGroupWork, runGroupsPhase } from './groups-phase.ts';
import { guardrail } from './guardrail.ts';
import { pendingFromHints } from './pending.ts';
import { recordDeactivated } from './persist.ts';
import { remoteView, type RemoteView } from './plan.ts';
import * as state from './state.repository.ts';
import { dueNow, enqueueSync, type SyncTrigger } from './triggers.ts';
import { runUsersPhase } from './users-phase.ts';

const LOCK_MS = 60_000;
const WATCH_MS = 200;
const RENEW_EVERY = 25;
const MAX_HINTS = 5000;
const RETRY_MS = 60_000;
const MAX_PASSES = 3;

export interface SyncOptions {
  organizationId: string;
  applicationId: string;
  trigger: SyncTrigger;
  /** The job's signal: aborted on shutdown, cancellation, lease loss. */
  signal?: AbortSignal;
}

export interface SyncOutcome {
  /** busy: another sync of the application holds its lock; idle: nothing was owed; interrupted: stopped by a shutdown. */
  status: 'busy' | 'inactive' | 'idle' | 'completed' | 'paused' | 'failed' | 'cancelled' | 'interrupted';
  /** busy: when the holder's lock runs out unless renewed. */
  lockUntil?: string;
  syncId?: string;
  counts?: SyncCounts;
  http?: TransportMetrics;
  error?: string;
}

type StopReason = 'deactivated' | 'reconfigured' | 'lock-lost' | 'unreachable';

class Stopped extends Error {
  readonly reason: StopReason;
  constructor(reason: StopReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

export async function runSync(deps: Deps, o: SyncOptions): Promise<SyncOutcome> {
  const { db } = deps.database;
  let cfg: ScimConfig;
  try {
    cfg = await loadScimConfig(db, deps.secretKey, o.organizationId, o.applicationId);
  } catch (err) {
    if (err instanceof AppError && (err.status === 404 || err.status === 409)) return { status: 'inactive' };
    throw err;
  }
  if (cfg.status === 'inactive') return { status: 'inactive' };
  const app = o.applicationId;
  const now = () => deps.clock.now();
  await state.ensureState(db, o.organizationId, app, now().toISOString());
  const owner = newId();
  // A lock still owned when it is taken ran out: its sync never released it (see takeOver).
  const previousOwner = (await state.findState(db, app))?.lock_owner;
  if (!(await state.acquireLock(db, app, owner, now().toISOString(), new Date(now().getTime() + LOCK_MS).toISOString()))) {
    return { status: 'busy', lockUntil: (await state.findState(db, app))?.lock_until ?? undefined };
  }
  if (previousOwner) await takeOver(deps, app, owner);

  const stop = new AbortController();
  const idmSignal = deps.idm.signalFor(app);
  const signal = AbortSignal.any([stop.signal, idmSignal, ...(o.signal ? [o.signal] : [])]);
  const halt = (reason: StopReason, message: string) => {
    if (!stop.signal.aborted) stop.abort(new Stopped(reason, message));
  };
  let ticks = 0;
  let checking = false;
  const progress: Array<() => Promise<void>> = [];
  const watch = setInterval(() => {
    if (checking || signal.aborted) return;
    checking = true;
    void (async () => {
      try {
        const stopped = await integrationStop(db, app, cfg.generation);
        if (stopped === 'reconfigured') halt('reconfigured', STOP_MESSAGES.reconfigured);
        else if (stopped) halt('deactivated', DEACTIVATED_MESSAGE);
        if (++ticks % RENEW_EVERY === 0 && !(await state.renewLock(db, app, owner, new Date(now().getTime() + LOCK_MS).toISOString()))) {
          halt('lock-lost', 'another worker took over the sync');
        }
        if (ticks % 5 === 0) for (const p of progress) await p();
      } catch (err) {
        deps.logger.warn({ err, applicationId: app }, 'provisioning watch failed');
      } finally {
        checking = false;
      }
    })();
  }, WATCH_MS);
  watch.unref();

  let outcome: SyncOutcome = { status: 'idle' };
  try {
    for (let pass = 0; pass < MAX_PASSES && !signal.aborted; pass++) {
      const r = await syncPass(
        deps,
        cfg,
        { ...o, trigger: pass === 0 ? o.trigger : 'change' },
        { owner, signal, stop, idmSignal, halt, progress },
      );
      if (r.status === 'idle') break;
      outcome = r;
      if (r.status !== 'completed' && r.status !== 'paused') break;
    }
    return outcome;
  } finally {
    clearInterval(watch);
    await state
      .releaseLock(db, app, owner)
      .catch((err: unknown) => deps.logger.warn({ err, applicationId: app }, 'could not release the provisioning lock'));
    // Work that arrived while we held the lock had its jobs find us busy: run it now. Checked after
    // the release, so nothing committed before it is missed.
    if (outcome.status !== 'interrupted' && outcome.status !== 'cancelled') {
      await followUp(deps, o.organizationId, app).catch((err: unknown) =>
        deps.logger.warn({ err, applicationId: app }, 'could not enqueue the follow-up sync'),
      );
    }
  }
}

/**
 * Called when the lock was taken over from a sync that never released it (it died, or lost its
 * database before it could end). With the lock, nothing else syncs this application: a sync still
 * marked running, and claims held by another sync, were left by that one. Its sync is ended as failed, and its users are free for this one, which owes their work
 * (the full reconcile it was doing is still requested). Without this, the claims made the next syncs
 * skip those users for ten minutes and report themselves complete.
 */
async function takeOver(deps: Deps, applicationId: string, owner: string): Promise<void> {
  const { db } = deps.database;
  const stale = await state.listSyncsByStatus(db, applicationId, ['running']);
  await state.updateSyncs(
    db,
    stale.map((s) => s.id),
    {
      status: 'failed',
      error: 'interrupted (its worker stopped or lost the database); a later sync took over',
      finished_at: deps.clock.now().toISOString(),
    },
  );
  const released = await accounts.releaseClaimsOfOtherSyncs(db, applicationId, owner);
  if (stale.length || released)
    deps.logger.info({ applicationId, staleSyncs: stale.length, releasedClaims: released }, 'took over from a sync that did not finish');
}

async function followUp(deps: Deps, organizationId: string, applicationId: string): Promise<void> {
  const { db } = deps.database;
  if (!(await state.isIntegrationActive(db, organizationId, applicationId))) return;
  const st = await state.findState(db, applicationId);
  const hints = await state.countHints(db, applicationId);
  const queued = await state.listSyncsByStatus(db, applicationId, ['queued']);
  if (st?.full_token || hints.users + hints.groups > 0 || queued.length > 0)
    await enqueueSync(db, organizationId, applicationId, 'change', dueNow());
}

interface PassControl {
  owner: string;
  signal: AbortSignal;
  stop: AbortController;
  idmSignal: AbortSignal;
  halt(reason: StopReason, message: string): void;
  progress: Array<() => Promise<void>>;
}

function actorOfSync(row: state.SyncRow | undefined, organizationId: string): Actor {
  if (!row || row.initiated_by_type === 'system') return systemActor(organizationId);
  return { type: row.initiated_by_type as Actor['type'], id: row.initiated_by_id, email: row.initiated_by_email, organizationId };
}

async function listRemote(ctx: SyncContext): Promise<Map<string, RemoteView> | undefined> {
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

async function syncPass(deps: Deps, cfg: ScimConfig, o: SyncOptions, ctl: PassControl): Promise<SyncOutcome> {
  const { db } = deps.database;
  const app = o.applicationId;
  const org = o.organizationId;
  const started = deps.clock.now();
  const startedIso = started.toISOString();
  const st = (await state.findState(db, app)) as state.StateRow;
  const hints = await state.listHints(db, app, MAX_HINTS);
  const queued = await state.listSyncsByStatus(db, app, ['queued']);
  const full = st.full_token !== null || queued.length > 0 || st.next_full_at === null || st.next_full_at <= startedIso;
  const retry = full ? [] : await accounts.listDueFailures(db, app, startedIso, 500);
  if (!full && hints.length === 0 && retry.length === 0) return { status: 'idle' };

  const actor = actorOfSync(queued[0], org);
  const syncIds = queued.map((s) => s.id);
  if (syncIds.length) {
    await state.updateSyncs(db, syncIds, { status: 'running', kind: 'full', started_at: startedIso });
  } else {
    const id = newId();
    syncIds.push(id);
    await state.insertSync(db, {
      id,
      organization_id: org,
      application_id: app,
      kind: full ? 'full' : 'incremental',
      trigger: o.trigger,
      status: 'running',
      processed: 0,
      counts: '{}',
      error: null,
      initiated_by_type: actor.type,
      initiated_by_id: actor.id,
      initiated_by_email: actor.email ?? null,
      created_at: startedIso,
      started_at: startedIso,
      finished_at: null,
    });
  }
  await state.updateState(db, app, { last_sync_id: syncIds[0], updated_at: startedIso });

  const application = await getApplication({ db }, org, app);
  const integration = await getIntegration(db, org, app);
  const client = deps.idm.client(app, cfg.client, cfg.settings);
  const counts = emptyCounts();
  const unfinished: Unfinished[] = [];
  let processed = 0;
  const ctx: SyncContext = {
    db,
    logger: deps.logger,
    clock: deps.clock,
    client,
    organizationId: org,
    application: { id: application.id, name: application.name },
    settings: cfg.settings,
    actor,
    signal: ctl.signal,
    mode: { patch: st.update_mode ? st.update_mode === 'patch' : integration.capabilities?.patch !== false },
    learnPutOnly: async () => {
      if (!ctx.mode.patch) return;
      ctx.mode.patch = false;
      await state.updateState(db, app, { update_mode: 'put' });
    },
  };
  const flush = async () => state.updateSyncs(db, syncIds, { processed, counts: JSON.stringify(counts) });
  ctl.progress.push(flush);

  let groupsDone = false;
  try {
    const remote = full ? await listRemote(ctx) : undefined;
    await runUsersPhase({
      ctx,
      full,
      remote,
      owner: ctl.owner,
      counts,
      unfinished,
      hinted: hints.filter((h) => h.kind === 'user').map((h) => h.item_id),
      retry,
      stop: (reason, message) => ctl.halt(reason, message),
      onProcessed: () => {
        processed++;
      },
      guardrail: (n) => guardrail(ctx, full, n, syncIds[0]),
    });
    if (!ctl.signal.aborted) {
      await runGroupsPhase(ctx, full, counts, unfinished);
      groupsDone = true;
    }
  } catch (err) {
    if (!ctl.signal.aborted) throw err;
  } finally {
    ctl.progress.splice(ctl.progress.indexOf(flush), 1);
    await client.close();
  }

  const http = client.metrics;
  const finishedIso = deps.clock.now().toISOString();
  const nextFull = full ? new Date(started.getTime() + cfg.settings.syncIntervalMinutes * 60_000).toISOString() : st.next_full_at;
  let status: SyncOutcome['status'];
  let error: string | null = null;
  let deactivated = false;
  let reconfigured = false;
  if (ctl.signal.aborted) {
    const reason = ctl.stop.signal.aborted ? (ctl.stop.signal.reason as Stopped).reason : undefined;
    // What this sync was told (its own halt, the runtime's signal) and what the database says now.
    const reasons = [reason, stopReasonOf(ctl.idmSignal), await integrationStop(db, app, cfg.generation)];
    deactivated = reasons.some((r) => r === 'deactivated' || r === 'deleted');
    // A new connection ends this sync only: the next one, at once, reads the new settings and goes on.
    reconfigured = !deactivated && reasons.includes('reconfigured');
    if (deactivated) {
      if (!groupsDone)
        unfinished.push(...(await pendingGroupWork(ctx)).filter((g) => !unfinished.some((u) => u.resource.id === g.resource.id)));
      const readTokens = new Set(hints.map((h) => h.token));
      const later = await pendingFromHints(
        ctx,
        (await state.deleteAllHints(db, app)).filter((h) => !readTokens.has(h.token)),
        new Set(unfinished.map((u) => u.resource.id)),
      );
      const all = [...unfinished, ...later];
      await recordDeactivated(db, actor, ctx.application, all);
      counts.cancelled = all.length;
      status = 'cancelled';
      error = DEACTIVATED_MESSAGE;
    } else if (reconfigured) {
      status = 'interrupted';
      error = "interrupted: the integration's connection settings changed; the sync runs again with the new ones";
    } else if (reason === 'unreachable') {
      status = 'failed';
      error = (ctl.stop.signal.reason as Stopped).message;
    } else {
      status = 'interrupted';
      error = 'interrupted (the worker stopped); the sync will run again';
    }
  } else {
    await state.deleteHints(db, app, hints);
    if (full && st.full_token) await state.clearFullToken(db, app, st.full_token);
    status = counts.held > 0 ? 'paused' : 'completed';
  }
  await state.updateSyncs(db, syncIds, {
    status: status === 'interrupted' ? 'failed' : status,
    processed,
    counts: JSON.stringify(counts),
    error,
    finished_at: finishedIso,
  });
  await accounts.releaseClaims(db, app, ctl.owner);
  if (full && !ctl.signal.aborted)
    await state.updateState(db, app, { next_full_at: nextFull, confirmed_count: null, updated_at: finishedIso });
  if (!deactivated) {
    const failures = counts.failed > 0 || status === 'failed' || status === 'interrupted';
    const nextMs = nextFull ? Date.parse(nextFull) : started.getTime() + cfg.settings.syncIntervalMinutes * 60_000;
    const at = reconfigured ? Date.now() : failures ? Math.min(nextMs, Date.now() + RETRY_MS) : nextMs;
    await enqueueSync(db, org, app, failures ? 'retry' : 'scheduled', new Date(at));
  }
  return { status, syncId: syncIds[0], counts, http, error: error ?? undefined };
}
