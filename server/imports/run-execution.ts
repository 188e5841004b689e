// Running (or resuming) an import run: the users are read from the selection's snapshot or from the
// application, gathered into batches, and each batch written in one transaction while the next page
// is read. The run ends completed or failed, with its event and its email, in one transaction.
import { getApplication } from '../applications/index.ts';
import { onDb } from '../db/context.ts';
import { analyzeTables, type Db, inTransaction } from '../db/database.ts';
import { storageProblem } from '../db/errors.ts';
import { record } from '../insights/index.ts';
import { integrationState, loadScimConfig, STOP_MESSAGES, stopReasonOf } from '../integrations/index.ts';
import { isScimClientError, isScimError, type ScimUser } from '../scim/index.ts';
import type { Actor } from '../shared/actor.ts';
import { AppError, notFound } from '../shared/errors.ts';
import { inSlices } from '../shared/slices.ts';
import { batchWriter } from './batch-writer.ts';
import { Batcher } from './batcher.ts';
import { type Candidate, toCandidate } from './candidate.ts';
import type { ImportContext } from './context.ts';
import { notifyRunFinished } from './notify.ts';
import { type ImportRun, RunReconnecting, type RunProgress, RunStopped, toRun } from './runs.model.ts';
import * as repo from './runs.repository.ts';
import * as snapshots from './snapshot.repository.ts';
import { candidateOf, readAhead, scimFailure } from './snapshot.service.ts';

const SELECTION_BATCH = 500;
/** Tables an import grows and then looks up by username, email and remote id. */
const GROWING_TABLES = ['users', 'app_user_links', 'import_run_results', 'import_run_created'] as const;
const ANALYZE_FIRST_AT = 1000;

type StopReason = 'deactivated' | 'reconfigured' | undefined;

interface RunContext {
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

/** Loads the run and marks it running (one more attempt); the run as it ended when it has already. */
async function startRun(deps: ImportContext, runId: string): Promise<RunContext | ImportRun> {
  const run = await repo.findRun(deps.db, null, runId);
  if (!run) throw notFound('Import run', runId);
  if (run.status === 'completed' || run.status === 'failed') return toRun(run);
  const app = await getApplication({ db: deps.db }, run.organization_id, run.application_id);
  const actor: Actor = {
    type: run.initiated_by_type as Actor['type'],
    id: run.initiated_by_id,
    email: run.initiated_by_email,
    organizationId: run.organization_id,
  };
  const now = deps.clock.now().toISOString();
  await repo.updateRun(deps.db, runId, { status: 'running', started_at: run.started_at ?? now, attempt: run.attempt + 1, updated_at: now });
  return { run, app: { id: app.id, name: app.name }, actor };
}

/**
 * The write side of a run: batches of config.importBatchSize users per transaction (each commit
 * rewrites every index page the batch touched, and new users land all over the username, email and
 * name indexes, so a few large commits write far less than many small ones; a crash redoes at most one
 * batch). At most one batch is being written while the next page is fetched and mapped.
 */
async function runWriter(
  deps: ImportContext,
  ctx: RunContext,
  checkStop: () => Promise<StopReason>,
  onProgress?: (p: RunProgress) => void,
) {
  const { run } = ctx;
  let seq = (await repo.maxResultSeq(deps.db, run.id)) + 1;
  let processed = run.processed;
  let total = run.total;
  // Planner statistics are refreshed each time the run has doubled what it wrote (PostgreSQL).
  let analyzeAt = Math.max(processed * 2, ANALYZE_FIRST_AT);
  const writer = batchWriter(deps.database, ctx);
  let writing: Promise<void> = Promise.resolve();
  let writeError: unknown;
  const drain = async () => {
    await writing;
    if (writeError) throw writeError;
  };
  const written = async (n: number) => {
    processed += n;
    onProgress?.({ processed, total: Math.max(total, processed) });
    if (processed < analyzeAt) return;
    analyzeAt = processed * 2;
    // Only a help to the planner: the run goes on without it.
    await analyzeTables(deps.database, GROWING_TABLES).catch((err) =>
      deps.logger.warn({ err, runId: run.id }, 'could not refresh planner statistics'),
    );
  };
  const step = async (candidates: Candidate[]) => {
    await drain();
    const stop = await checkStop();
    if (stop === 'reconfigured') throw new RunReconnecting();
    if (stop) throw new RunStopped(STOP_MESSAGES.deactivated);
    const firstSeq = seq;
    seq += candidates.length;
    writing = writer.write(candidates, firstSeq, deps.clock.now().toISOString()).then(written, (err) => {
      writeError = err;
    });
  };
  const batcher = new Batcher<Candidate>(deps.config.importBatchSize);
  return {
    add: async (candidates: Candidate[]) => {
      const batch = batcher.add(candidates);
      if (batch) await step(batch);
    },
    finish: async () => {
      const last = batcher.take();
      if (last) await step(last);
      await drain();
    },
    /** How many users the application says it has: the run's total from now on (a hint: it only grows). */
    expect: async (n: number) => {
      if (n <= total) return;
      total = n;
      await repo.raiseRunTotal(deps.db, run.id, n, deps.clock.now().toISOString());
    },
    /** Waits for the batch being written, whatever its outcome. */
    settled: () => writing,
    close: () => writer.close(),
  };
}

/** A selection's users, from the snapshot the admin picked them in. */
async function readSelection(deps: ImportContext, run: repo.RunRow, add: (c: Candidate[]) => Promise<void>): Promise<void> {
  const ids: string[] = JSON.parse(run.selection ?? '[]');
  for (let i = 0; i < ids.length; i += SELECTION_BATCH) {
    const chunk = ids.slice(i, i + SELECTION_BATCH);
    const rows = run.snapshot_id ? await snapshots.findSnapshotUsers(deps.db, run.snapshot_id, chunk) : [];
    const byId = new Map(rows.map((r) => [r.remote_id, r]));
    // A snapshot cleaned up under a running import is a bug elsewhere: report per user rather than guess.
    await add(chunk.map((id) => (byId.has(id) ? candidateOf(byId.get(id)!) : vanished(id))));
  }
}

const vanished = (remoteId: string): Candidate => ({
  remoteId,
  userName: '',
  email: '',
  firstname: '',
  lastname: '',
  displayname: '',
  remoteActive: true,
  attributes: {},
  problems: ['the remote user data is no longer available; import again'],
});

/**
 * Every user of the application, read over SCIM; `loaded` gets the connection's generation, `expect`
 * the application's count once its first page has told it (the run's progress is measured against it).
 */
async function readApplication(
  deps: ImportContext,
  run: repo.RunRow,
  signal: AbortSignal,
  loaded: (generation: number) => void,
  writer: { add: (c: Candidate[]) => Promise<void>; expect: (total: number) => Promise<void> },
): Promise<void> {
  const cfg = await loadScimConfig({ db: deps.db, secretKey: deps.secretKey }, run.organization_id, run.application_id);
  loaded(cfg.generation);
  const client = deps.idm.client(run.application_id, cfg.client, cfg.settings);
  try {
    // One page ahead: the listing reads further ahead itself when it pages in parallel, and every page
    // held costs memory while the writer is the slower side.
    const listing = client.listUsers({ signal });
    let told = false;
    for await (const page of readAhead(listing.pages(), 1)) {
      if (!told && listing.stats.totalResults !== undefined) {
        told = true;
        await writer.expect(listing.stats.totalResults);
      }
      await writer.add((await inSlices(page as ScimUser[], (slice) => slice.map(runCandidate))).flat());
    }
  } finally {
    await client.close();
  }
}

/**
 * Runs (or resumes) an import until it completes or fails. Throws only when it should be retried
 * later (shutdown, database trouble); every other ending is recorded on the run and emailed.
 */
export async function executeRun(
  deps: ImportContext,
  runId: string,
  opts: { signal?: AbortSignal; onProgress?: (p: RunProgress) => void } = {},
): Promise<ImportRun> {
  const started = await startRun(deps, runId);
  if (!('run' in started)) return started;
  const ctx = started;
  const { run } = ctx;
  const idmSignal = deps.idm.signalFor(run.application_id);
  const signal = AbortSignal.any(opts.signal ? [idmSignal, opts.signal] : [idmSignal]);
  // The connection's generation once a run reading the application has loaded it.
  let generation: number | undefined;
  // Why the run must stop, if it must: a shutdown throws (the job resumes the run later); a new
  // connection matters only to a run reading the application (a selection reads the snapshot).
  const stopOf = async (): Promise<StopReason> => {
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
    const told = stopReasonOf(idmSignal);
    if (told && told !== 'reconfigured') return 'deactivated';
    const found = await runStop(deps.db, run.application_id, run.created_at, generation);
    return found ?? (told && generation !== undefined ? told : undefined);
  };
  const writer = await runWriter(deps, ctx, stopOf, opts.onProgress);
  try {
    if (run.mode === 'selection') await readSelection(deps, run, writer.add);
    else await readApplication(deps, run, signal, (g) => (generation = g), writer);
    await writer.finish();
    return await finishRun(deps, ctx, 'completed', null);
  } catch (err) {
    await writer.settled();
    return endOnError(deps, ctx, err, stopOf);
  } finally {
    await writer.close();
  }
}

/** How a run that threw ends: failed with its reason, or thrown again for the queue to retry. */
async function endOnError(deps: ImportContext, ctx: RunContext, err: unknown, stopOf: () => Promise<StopReason>): Promise<ImportRun> {
  if (err instanceof RunStopped) return finishRun(deps, ctx, 'failed', err.message);
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
async function finishRun(deps: ImportContext, ctx: RunContext, status: 'completed' | 'failed', error: string | null): Promise<ImportRun> {
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
    await record(
      { db: trx, clock: deps.clock },
      {
        eventType: 'import_completed',
        service: 'import',
        success: status === 'completed',
        actor: ctx.actor,
        resource: { type: 'import_run', id: ctx.run.id },
        application: ctx.app,
        importRunId: ctx.run.id,
        changes: {
          total: finished.total,
          processed: finished.processed,
          created: finished.created,
          skipped: finished.skipped,
          failed: finished.failed,
        },
        message: error,
      },
    );
    await notifyRunFinished(onDb(deps, trx), finished, ctx.app);
    return toRun(finished);
  });
}

/** A candidate as a run needs it: the raw mapped attributes are only for the preview's snapshot. */
function runCandidate(user: ScimUser): Candidate {
  const c = toCandidate(user);
  c.attributes = {};
  return c;
}
