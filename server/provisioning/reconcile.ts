// One sync of one application: take the application's lock (syncs of an application run one at a
// time, in every process), work out what is owed (hints, or everything on a full reconcile), push
// it, write the run down, and schedule the next periodic reconcile. Deactivation is noticed at once
// in this process (the runtime's abort signal) and within WATCH_MS in others (generation check).
import type { Db } from '../db/database.ts';
import { getApplication } from '../applications/index.ts';
import { getIntegration, integrationStop, loadScimConfig, type ScimConfig, STOP_MESSAGES, stopReasonOf } from '../integrations/index.ts';
import type { TransportMetrics } from '../scim/index.ts';
import { AppError } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import * as accounts from './accounts.repository.ts';
import { emptyCounts, type ProvisioningContext, type SyncOptions, type SyncContext, type SyncCounts, type Unfinished } from './context.ts';
import { DEACTIVATED_MESSAGE } from './errors.ts';
import { pendingGroupWork, runGroupsPhase } from './groups-phase.ts';
import { guardrail } from './guardrail.ts';
import { pendingFromHints } from './pending.ts';
import { recordDeactivated } from './persist.ts';
import { actorOfSync, listRemote, openSyncs, syncContext } from './pass.ts';
import * as state from './state.repository.ts';
import { dueNow, enqueueSync } from './triggers.ts';
import { runUsersPhase } from './users-phase.ts';

const LOCK_MS = 60_000;
const WATCH_MS = 200;
const RENEW_EVERY = 25;
const MAX_HINTS = 5000;
const RETRY_MS = 60_000;
const MAX_PASSES = 3;

export type { SyncOptions } from './context.ts';

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

export async function runSync(deps: ProvisioningContext, o: SyncOptions): Promise<SyncOutcome> {
  const { db } = deps;
  let cfg: ScimConfig;
  try {
    cfg = await loadScimConfig({ db, secretKey: deps.secretKey }, o.organizationId, o.applicationId);
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
        const stopped = await integrationStop({ db }, app, cfg.generation);
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
 * marked running, and claims held by another sync, were left by that one. Its sync is ended as
 * failed, and its users are free for this one, which owes their work (the full reconcile it was
 * doing is still requested). Without this, the claims made the next syncs
 * skip those users for ten minutes and report themselves complete.
 */
async function takeOver(deps: ProvisioningContext, applicationId: string, owner: string): Promise<void> {
  const { db } = deps;
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

async function followUp(deps: ProvisioningContext, organizationId: string, applicationId: string): Promise<void> {
  const { db } = deps;
  if (!(await state.isIntegrationActive(db, organizationId, applicationId))) return;
  const st = await state.findState(db, applicationId);
  const hints = await state.countHints(db, applicationId);
  const queued = await state.listSyncsByStatus(db, applicationId, ['queued']);
  if (st?.full_token || hints.users + hints.groups > 0 || queued.length > 0)
    await enqueueSync(deps, organizationId, applicationId, 'change', dueNow(deps.clock));
}

interface PassControl {
  owner: string;
  signal: AbortSignal;
  stop: AbortController;
  idmSignal: AbortSignal;
  halt(reason: StopReason, message: string): void;
  progress: Array<() => Promise<void>>;
}

type PassStatus = Extract<SyncOutcome['status'], 'cancelled' | 'interrupted' | 'failed' | 'paused' | 'completed'>;

interface PassEnd {
  status: PassStatus;
  error: string | null;
  deactivated: boolean;
  reconfigured: boolean;
}

/** A pass that ran to its end: the hints it read are done, and a full reconcile is no longer owed. */
async function completedPass(
  db: Db,
  app: string,
  full: boolean,
  st: state.StateRow,
  hints: state.HintRow[],
  counts: SyncCounts,
): Promise<PassEnd> {
  await state.deleteHints(db, app, hints);
  if (full && st.full_token) await state.clearFullToken(db, app, st.full_token);
  return { status: counts.held > 0 ? 'paused' : 'completed', error: null, deactivated: false, reconfigured: false };
}

/** A pass that was stopped: why (deactivated, a new connection, unreachable, a shutdown), and what it left undone. */
async function stoppedPass(
  ctx: SyncContext,
  cfg: ScimConfig,
  ctl: PassControl,
  pass: { hints: state.HintRow[]; unfinished: Unfinished[]; groupsDone: boolean; counts: SyncCounts },
): Promise<PassEnd> {
  const app = ctx.application.id;
  const reason = ctl.stop.signal.aborted ? (ctl.stop.signal.reason as Stopped).reason : undefined;
  // What this sync was told (its own halt, the runtime's signal) and what the database says now.
  const reasons = [reason, stopReasonOf(ctl.idmSignal), await integrationStop({ db: ctx.db }, app, cfg.generation)];
  const deactivated = reasons.some((r) => r === 'deactivated' || r === 'deleted');
  // A new connection ends this sync only: the next one, at once, reads the new settings and goes on.
  const reconfigured = !deactivated && reasons.includes('reconfigured');
  const end = (status: PassStatus, error: string): PassEnd => ({ status, error, deactivated, reconfigured });
  if (deactivated) {
    const { unfinished } = pass;
    if (!pass.groupsDone)
      unfinished.push(...(await pendingGroupWork(ctx)).filter((g) => !unfinished.some((u) => u.resource.id === g.resource.id)));
    const readTokens = new Set(pass.hints.map((h) => h.token));
    const later = await pendingFromHints(
      ctx,
      (await state.deleteAllHints(ctx.db, app)).filter((h) => !readTokens.has(h.token)),
      new Set(unfinished.map((u) => u.resource.id)),
    );
    const all = [...unfinished, ...later];
    await recordDeactivated(ctx, ctx.actor, ctx.application, all);
    pass.counts.cancelled = all.length;
    return end('cancelled', DEACTIVATED_MESSAGE);
  }
  if (reconfigured)
    return end('interrupted', "interrupted: the integration's connection settings changed; the sync runs again with the new ones");
  if (reason === 'unreachable') return end('failed', (ctl.stop.signal.reason as Stopped).message);
  return end('interrupted', 'interrupted (the worker stopped); the sync will run again');
}

async function syncPass(deps: ProvisioningContext, cfg: ScimConfig, o: SyncOptions, ctl: PassControl): Promise<SyncOutcome> {
  const { db } = deps;
  const { applicationId: app, organizationId: org } = o;
  const started = deps.clock.now();
  const startedIso = started.toISOString();
  const st = (await state.findState(db, app)) as state.StateRow;
  const hints = await state.listHints(db, app, MAX_HINTS);
  const queued = await state.listSyncsByStatus(db, app, ['queued']);
  const full = st.full_token !== null || queued.length > 0 || st.next_full_at === null || st.next_full_at <= startedIso;
  const retry = full ? [] : await accounts.listDueFailures(db, app, startedIso, 500);
  if (!full && hints.length === 0 && retry.length === 0) return { status: 'idle' };

  const actor = actorOfSync(queued[0], org);
  const syncIds = await openSyncs(db, o, actor, full, queued, startedIso);
  const application = await getApplication({ db }, org, app);
  const integration = await getIntegration({ db }, org, app);
  const client = deps.idm.client(app, cfg.client, cfg.settings);
  const counts = emptyCounts();
  const unfinished: Unfinished[] = [];
  let processed = 0;
  const ctx = syncContext(deps, o, { settings: cfg.settings, actor, signal: ctl.signal, client }, application, {
    stored: st.update_mode,
    patchCapable: integration.capabilities?.patch !== false,
  });
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
  const end = ctl.signal.aborted
    ? await stoppedPass(ctx, cfg, ctl, { hints, unfinished, groupsDone, counts })
    : await completedPass(db, app, full, st, hints, counts);
  const { status, error, deactivated, reconfigured } = end;
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
    const nextMs = nextFull ? Date.parse(nextFull) : started.getTime() + cfg.settings.syncIntervalMinutes * 60_000;
    const failures = counts.failed > 0 || status === 'failed' || status === 'interrupted';
    await enqueueNextPass(deps, o, { nextMs, failures, reconfigured });
  }
  return { status, syncId: syncIds[0], counts, http, error: error ?? undefined };
}

/** The next pass: at once after a new connection, soon after failures, otherwise at the next full sync. */
async function enqueueNextPass(
  deps: ProvisioningContext,
  o: SyncOptions,
  next: { nextMs: number; failures: boolean; reconfigured?: boolean },
): Promise<void> {
  const nowMs = deps.clock.now().getTime();
  const at = next.reconfigured ? nowMs : next.failures ? Math.min(next.nextMs, nowMs + RETRY_MS) : next.nextMs;
  await enqueueSync(deps, o.organizationId, o.applicationId, next.failures ? 'retry' : 'scheduled', new Date(at));
}
