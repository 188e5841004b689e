// What every kind of run shares (users, groups, undo): starting or resuming it, telling it to stop
// (deactivation, a new connection, a shutdown), and ending it completed or failed with its event and
// its email in one transaction. execute.ts picks the kind.
import { getApplication } from '../applications/index.ts';
import { onDb } from '../db/context.ts';
import { type Db, inTransaction } from '../db/database.ts';
import { storageProblem } from '../db/errors.ts';
import { record } from '../insights/index.ts';
import { integrationState, STOP_MESSAGES, stopReasonOf } from '../integrations/index.ts';
import { isScimClientError, isScimError } from '../scim/index.ts';
import type { Actor } from '../shared/actor.ts';
import { AppError, notFound } from '../shared/errors.ts';
import type { ImportContext } from './context.ts';
import { notifyRunFinished, notifyRunPaused } from './notify.ts';
import { type ImportRun, RunPaused, RunReconnecting, type RunProgress, RunStopped, runEvent, toRun } from './runs.model.ts';
import * as repo from './runs.repository.ts';
import { scimFailure } from './snapshot.service.ts';

export type StopReason = 'deactivated' | 'reconfigured' | undefined;

export interface RunContext {
  run: repo.RunRow;
  app: { id: string; name: string };
  actor: Actor;
}

/**
 * Must the run stop? When the integration was deactivated (or deleted) since the run was created, or,
 * for a run reading the application (`generation`: the one it read the connection at), when the
 * connection changed since (see integrationStop).
 */
async function runStop(db: Db, applicationId: string, since: string, generation: number | undefined): Promise<StopReason> {
  const row = await integrationState({ db }, applicationId);
  if (!row || (row.status === 'inactive' && row.deactivated_at !== null && row.deactivated_at >= since)) return 'deactivated';
  return generation !== undefined && row.generation !== generation ? 'reconfigured' : undefined;
}

/**
 * Loads the run and marks it running (one more attempt); the run as it is when it has ended, or when
 * the guardrail paused it (an admin's confirmation queues it again).
 */
export async function startRun(deps: ImportContext, runId: string): Promise<RunContext | ImportRun> {
  const run = await repo.findRun(deps.db, null, runId);
  if (!run) throw notFound('Import run', runId);
  if (run.status === 'completed' || run.status === 'failed' || run.status === 'paused') return toRun(run);
  const app = await getApplication({ db: deps.db }, run.organization_id, run.application_id);
  const now = deps.clock.now().toISOString();
  // Conditional: a run an admin cancelled (queued) or the guardrail paused meanwhile is not started again.
  const patch = { status: 'running' as const, started_at: run.started_at ?? now, attempt: run.attempt + 1, updated_at: now };
  if (!(await repo.updateRunIn(deps.db, runId, ['queued', 'running'], patch))) return toRun((await repo.findRun(deps.db, null, runId))!);
  return { run, app: { id: app.id, name: app.name }, actor: runActor(run) };
}

/** Who started the run (a scheduled run: the admin who saved the schedule). */
export function runActor(run: repo.RunRow): Actor {
  return {
    type: run.initiated_by_type as Actor['type'],
    id: run.initiated_by_id,
    email: run.initiated_by_email,
    organizationId: run.organization_id,
  };
}

export interface RunOpts {
  signal?: AbortSignal;
  onProgress?: (p: RunProgress) => void;
}

/**
 * Why the run must stop, if it must: a shutdown throws (the job resumes the run later); a new
 * connection matters only to a run reading the application (`generation()`: the connection's
 * generation once it has loaded it; a selection reads the snapshot).
 */
export function stopChecker(deps: ImportContext, run: repo.RunRow, opts: RunOpts, generation: () => number | undefined) {
  const idmSignal = deps.idm.signalFor(run.application_id);
  const signal = AbortSignal.any(opts.signal ? [idmSignal, opts.signal] : [idmSignal]);
  const stopOf = async (): Promise<StopReason> => {
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
    const told = stopReasonOf(idmSignal);
    if (told && told !== 'reconfigured') return 'deactivated';
    const g = generation();
    const found = await runStop(deps.db, run.application_id, run.created_at, g);
    return found ?? (told && g !== undefined ? told : undefined);
  };
  return { signal, stopOf };
}

/** Throws what a stop means: a new connection resumes the run with it, anything else ends it. */
export function throwIfStopped(stop: StopReason): void {
  if (stop === 'reconfigured') throw new RunReconnecting();
  if (stop) throw new RunStopped(STOP_MESSAGES.deactivated);
}

/** How a run that threw ends: failed with its reason, or thrown again for the queue to retry. */
export async function endOnError(
  deps: ImportContext,
  ctx: RunContext,
  err: unknown,
  stopOf: () => Promise<StopReason>,
): Promise<ImportRun> {
  if (err instanceof RunStopped) return finishRun(deps, ctx, 'failed', err.message);
  if (err instanceof RunPaused) return pauseRun(deps, ctx, err.message);
  if (err instanceof RunReconnecting) throw err;
  const stop = await stopOf().catch(() => {
    throw err; // shutdown: the job resumes later
  });
  if (stop === 'reconfigured') throw new RunReconnecting();
  if (stop) return finishRun(deps, ctx, 'failed', STOP_MESSAGES.deactivated);
  if (err instanceof AppError && err.code === 'IDM_NOT_CONFIGURED') return finishRun(deps, ctx, 'failed', err.message);
  // The application's fault ends the run with its reason; a database that cannot store anything
  // more ends it too, saying so; anything else (a lost database connection) is retried by the queue.
  if (isScimError(err) || isScimClientError(err))
    return finishRun(deps, ctx, 'failed', scimFailure(err, "reading the application's users").message);
  const storage = storageProblem(err);
  if (storage) {
    return finishRun(
      deps,
      ctx,
      'failed',
      `Roster could not write to its database: ${storage}. ` +
        'The users imported so far are kept; import again once this is fixed (they are skipped).',
    );
  }
  throw err;
}
export async function finishRun(
  deps: ImportContext,
  ctx: RunContext,
  status: 'completed' | 'failed',
  error: string | null,
): Promise<ImportRun> {
  const { db } = deps;
  return inTransaction(db, async (trx) => {
    const current = await repo.findRun(trx, null, ctx.run.id);
    // Deleted with its application while it ran: nothing is left to finish or to tell.
    if (!current) throw notFound('Import run', ctx.run.id);
    if (current.status === 'completed' || current.status === 'failed') return toRun(current);
    const now = deps.clock.now().toISOString();
    const patch = {
      status,
      error,
      finished_at: now,
      updated_at: now,
      total: status === 'completed' ? current.processed : Math.max(current.total, current.processed),
    };
    await repo.updateRun(trx, ctx.run.id, patch);
    const finished = { ...current, ...patch };
    // A dry run leaves no trace but its results: no event, no email.
    if (finished.dry_run === 1) return toRun(finished);
    const { total, processed, created, linked, updated, reverted, skipped, failed } = finished;
    await record(
      { db: trx, clock: deps.clock },
      runEvent('import_completed', ctx.actor, ctx.app, ctx.run.id, {
        success: status === 'completed',
        changes: { total, processed, created, linked, updated, reverted, skipped, failed },
        message: error,
      }),
    );
    await notifyRunFinished(onDb(deps, trx), finished, ctx.app);
    return toRun(finished);
  });
}

/**
 * The guardrail paused the run: it waits, unfinished (still the application's one run), for an admin
 * to confirm or cancel it (run-control.service.ts). The pause, its event and every admin's email
 * commit together.
 */
export async function pauseRun(deps: ImportContext, ctx: RunContext, reason: string): Promise<ImportRun> {
  return inTransaction(deps.db, async (trx) => {
    const now = deps.clock.now().toISOString();
    const paused = await repo.updateRunIn(trx, ctx.run.id, ['queued', 'running'], {
      status: 'paused',
      paused_reason: reason,
      updated_at: now,
    });
    const current = await repo.findRun(trx, null, ctx.run.id);
    if (!current) throw notFound('Import run', ctx.run.id);
    if (!paused) return toRun(current);
    const { processed, created, linked, updated } = current;
    await record(
      { db: trx, clock: deps.clock },
      runEvent('import_paused', ctx.actor, ctx.app, ctx.run.id, { changes: { processed, created, linked, updated }, message: reason }),
    );
    await notifyRunPaused(onDb(deps, trx), current, ctx.app, reason);
    return toRun(current);
  });
}
