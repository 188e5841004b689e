// Import runs: create only the new users (ACTIVE, password PENDING, bound to nothing, linked to the
// remote id), in batches where a user, its link, its Insights event and its result commit together.
// The results table is the checkpoint: a resumed run skips every remote id it already answered.
import { getApplication } from '../applications/index.ts';
import type { Db } from '../db/database.ts';
import { analyzeTables, inTransaction } from '../db/database.ts';
import { storageProblem, uniqueViolation } from '../db/errors.ts';
import type { Deps } from '../deps.ts';
import { record } from '../insights/index.ts';
import { loadScimConfig, STOP_MESSAGES, stopReasonOf } from '../integrations/index.ts';
import { isScimClientError, isScimError, type ScimUser } from '../scim/index.ts';
import type { Actor } from '../shared/actor.ts';
import { decodeCursor, encodeCursor } from '../shared/cursor.ts';
import { AppError, badRequest, conflict, notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { batchWriter } from './batch-writer.ts';
import { Batcher } from './batcher.ts';
import { type Candidate, toCandidate } from './candidate.ts';
import { notifyRunFinished } from './notify.ts';
import * as repo from './runs.repository.ts';
import * as snapshots from './snapshot.repository.ts';
import { candidateOf, ensureSnapshot, readAhead, scimFailure } from './snapshot.service.ts';

/** Fewer selected users than this are imported within the request. */
export const SYNC_LIMIT = 100;
export const MAX_SELECTION = 10_000;
export const IMPORT_JOB = 'import.run';
/** A request-time run that dies with its process is finished by this job later. */
const SAFETY_NET_MS = 5 * 60_000;
const SELECTION_BATCH = 500;
/** Tables an import grows and then looks up by username, email and remote id. */
const GROWING_TABLES = ['users', 'app_user_links', 'import_run_results'] as const;
const ANALYZE_FIRST_AT = 1000;

export interface ImportRun {
  id: string;
  applicationId: string;
  status: repo.RunRow['status'];
  mode: repo.RunRow['mode'];
  total: number;
  processed: number;
  created: number;
  skipped: number;
  failed: number;
  startedAt: string | null;
  finishedAt: string | null;
  createdAt: string;
  initiatedBy: { type: string; id: string | null; email?: string };
  error?: string;
}

export interface ImportResult {
  remoteId: string;
  userName: string;
  email: string;
  outcome: repo.ResultRow['outcome'];
  reason?: string;
  userId?: string;
}

export function toRun(r: repo.RunRow): ImportRun {
  const run: ImportRun = {
    id: r.id,
    applicationId: r.application_id,
    status: r.status,
    mode: r.mode,
    total: r.total,
    processed: r.processed,
    created: r.created,
    skipped: r.skipped,
    failed: r.failed,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    createdAt: r.created_at,
    initiatedBy: { type: r.initiated_by_type, id: r.initiated_by_id },
  };
  if (r.initiated_by_email) run.initiatedBy.email = r.initiated_by_email;
  if (r.error) run.error = r.error;
  return run;
}

export function toResult(r: repo.ResultRow): ImportResult {
  const out: ImportResult = { remoteId: r.remote_id, userName: r.user_name, email: r.email, outcome: r.outcome };
  if (r.reason) out.reason = r.reason;
  if (r.user_id) out.userId = r.user_id;
  return out;
}

/** Stops a run for good (not retried): the run ends failed with this reason. */
export class RunStopped extends Error {
  readonly retryable = false;
}

/** The integration's connection changed under a run reading the application: its job resumes it with the new one. */
export class RunReconnecting extends Error {
  constructor() {
    super("the integration's connection settings changed; the import resumes with the new ones");
  }
}

export type CreateRunInput = { remoteIds: string[]; all?: undefined } | { all: true; remoteIds?: undefined };

export interface CreatedRun {
  run: ImportRun;
  /** Processed in the request: every result is in `results`. */
  results?: ImportResult[];
}

/** Who gets the email: the admin, or for an API key the admin who created it. */
async function notifyEmailOf(db: Db, actor: Actor): Promise<string | null> {
  if (actor.type === 'admin') return actor.email ?? null;
  if (actor.type === 'api_key' && actor.id) {
    const row = await db
      .selectFrom('api_keys')
      .innerJoin('admins', 'admins.id', 'api_keys.created_by_admin_id')
      .select('admins.email')
      .where('api_keys.id', '=', actor.id)
      .executeTakeFirst();
    return row?.email ?? null;
  }
  return actor.email ?? null;
}

async function countAtLeast(deps: Deps, organizationId: string, applicationId: string, n: number): Promise<number> {
  const cfg = await loadScimConfig(deps.database.db, deps.secretKey, organizationId, applicationId);
  const client = deps.idm.client(applicationId, cfg.client, cfg.settings);
  let count = 0;
  try {
    for await (const page of client.listUsers({ pageSize: n, signal: deps.idm.signalFor(applicationId) }).pages()) {
      count += page.length;
      if (count >= n) break;
    }
    return count;
  } catch (err) {
    throw scimFailure(err, "counting the application's users");
  } finally {
    await client.close();
  }
}

export interface CreateRunOptions {
  /** Run in this process whatever the size (the CLI), reporting progress. */
  inline?: boolean;
  onProgress?: (p: RunProgress) => void;
}

export async function createImportRun(
  deps: Deps,
  actor: Actor,
  applicationId: string,
  input: CreateRunInput,
  opts: CreateRunOptions = {},
): Promise<CreatedRun> {
  const { db } = deps.database;
  const app = await getApplication({ db }, actor.organizationId, applicationId);
  await loadScimConfig(db, deps.secretKey, actor.organizationId, applicationId); // 409 when not configured
  let selection: string[] | null = null;
  let snapshotId: string | null = null;
  let total: number;
  if (input.all) {
    // The whole list is read again by the run itself; only learn whether it is small.
    const latest = await snapshots.findLatestSnapshot(db, applicationId);
    total =
      latest?.status === 'ready' && latest.expires_at > deps.clock.now().toISOString()
        ? latest.total
        : await countAtLeast(deps, actor.organizationId, applicationId, SYNC_LIMIT);
  } else {
    selection = [...new Set(input.remoteIds)];
    if (selection.length === 0)
      throw badRequest('EMPTY_SELECTION', 'Select at least one user to import', [{ path: 'body.remoteIds', message: 'must not be empty' }]);
    if (selection.length > MAX_SELECTION) {
      throw badRequest('SELECTION_TOO_LARGE', `At most ${MAX_SELECTION} users can be selected in one run; use all: true for more`, [
        { path: 'body.remoteIds', message: `at most ${MAX_SELECTION}` },
      ]);
    }
    const snapshot = await ensureSnapshot(deps, actor.organizationId, applicationId);
    const found = new Set((await snapshots.findSnapshotUsers(db, snapshot.id, selection)).map((r) => r.remote_id));
    const missing = selection.filter((id) => !found.has(id));
    if (missing.length) {
      throw badRequest(
        'REMOTE_IDS_NOT_FOUND',
        `${missing.length} selected user(s) are not in the application's list (refresh the preview and select again): ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', ...' : ''}`,
        missing.slice(0, 100).map((id) => ({ path: 'body.remoteIds', message: `not found: ${id}` })),
      );
    }
    snapshotId = snapshot.id;
    total = selection.length;
  }
  const sync = total < SYNC_LIMIT;
  const inline = sync || opts.inline === true;
  const now = deps.clock.now();
  const row: repo.RunRow = {
    id: newId(),
    organization_id: actor.organizationId,
    application_id: applicationId,
    status: inline ? 'running' : 'queued',
    mode: input.all ? 'all' : 'selection',
    selection: selection ? JSON.stringify(selection) : null,
    snapshot_id: snapshotId,
    total,
    processed: 0,
    created: 0,
    skipped: 0,
    failed: 0,
    initiated_by_type: actor.type,
    initiated_by_id: actor.id,
    initiated_by_email: actor.email ?? null,
    notify_email: await notifyEmailOf(db, actor),
    error: null,
    attempt: 0,
    created_at: now.toISOString(),
    started_at: inline ? now.toISOString() : null,
    finished_at: null,
    updated_at: now.toISOString(),
  };
  try {
    await db.transaction().execute(async (trx) => {
      await repo.insertRun(trx, row);
      await record(
        { db: trx },
        {
          eventType: 'import_started',
          service: 'import',
          actor,
          resource: { type: 'import_run', id: row.id },
          application: { id: app.id, name: app.name },
          importRunId: row.id,
          changes: { mode: row.mode, total },
        },
      );
      await enqueueRunJob(deps, trx, row.id, inline ? SAFETY_NET_MS : 0);
    });
  } catch (err) {
    if (uniqueViolation(err))
      throw conflict('IMPORT_ALREADY_RUNNING', 'An import from this application is already running; wait for it to finish');
    throw err;
  }
  if (!inline) return { run: toRun(row) };
  // The job enqueued above finishes the run if this process dies; while we work it keeps being pushed back.
  const heartbeat = setInterval(() => {
    enqueueRunJob(deps, db, row.id, SAFETY_NET_MS).catch((err) =>
      deps.logger.warn({ err, runId: row.id }, 'could not push back the import safety net'),
    );
  }, SAFETY_NET_MS / 10);
  try {
    await executeRun(deps, row.id, { onProgress: opts.onProgress });
  } finally {
    clearInterval(heartbeat);
  }
  const finished = await repo.findRun(db, actor.organizationId, row.id);
  return { run: toRun(finished!), results: sync ? (await repo.listResults(db, row.id, -1, SYNC_LIMIT * 2)).map(toResult) : undefined };
}

/** One job per run (coalesced by key): it runs the import, or resumes it after a crash. */
function enqueueRunJob(deps: Deps, db: Db, runId: string, delayMs: number): Promise<string> {
  return deps.queue.enqueue(
    db,
    IMPORT_JOB,
    { runId },
    {
      runAt: delayMs ? new Date(deps.clock.now().getTime() + delayMs) : undefined,
      singletonKey: `import-run:${runId}`,
      maxAttempts: 20,
      backoffMs: 2000,
    },
  );
}

export interface RunProgress {
  processed: number;
  total: number;
}

/**
 * Must the run stop? When the integration was deactivated (or deleted) since the run was created, or,
 * for a run reading the application (`generation`: the one it read the connection at), when the
 * connection changed since (see integrationStop).
 */
async function runStop(
  db: Db,
  applicationId: string,
  since: string,
  generation: number | undefined,
): Promise<'deactivated' | 'reconfigured' | undefined> {
  const row = await db
    .selectFrom('idm_integrations')
    .select(['status', 'deactivated_at', 'generation'])
    .where('application_id', '=', applicationId)
    .executeTakeFirst();
  if (!row || (row.status === 'inactive' && row.deactivated_at !== null && row.deactivated_at >= since)) return 'deactivated';
  return generation !== undefined && row.generation !== generation ? 'reconfigured' : undefined;
}

/**
 * Runs (or resumes) an import until it completes or fails. Throws only when it should be retried
 * later (shutdown, database trouble); every other ending is recorded on the run and emailed.
 */
export async function executeRun(
  deps: Deps,
  runId: string,
  opts: { signal?: AbortSignal; onProgress?: (p: RunProgress) => void } = {},
): Promise<ImportRun> {
  const { db } = deps.database;
  const run = await repo.findRun(db, null, runId);
  if (!run) throw notFound('Import run', runId);
  if (run.status === 'completed' || run.status === 'failed') return toRun(run);
  const app = await getApplication({ db }, run.organization_id, run.application_id);
  const actor: Actor = {
    type: run.initiated_by_type as Actor['type'],
    id: run.initiated_by_id,
    email: run.initiated_by_email,
    organizationId: run.organization_id,
  };
  const now = deps.clock.now().toISOString();
  await repo.updateRun(db, runId, { status: 'running', started_at: run.started_at ?? now, attempt: run.attempt + 1, updated_at: now });

  const idmSignal = deps.idm.signalFor(run.application_id);
  const signal = AbortSignal.any(opts.signal ? [idmSignal, opts.signal] : [idmSignal]);
  // The connection's generation once a run reading the application has loaded it.
  let generation: number | undefined;
  // Why the run must stop, if it must: a shutdown throws (the job resumes the run later); a new
  // connection matters only to a run reading the application (a selection reads the snapshot).
  const stopOf = async (): Promise<'deactivated' | 'reconfigured' | undefined> => {
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
    const told = stopReasonOf(idmSignal);
    if (told && told !== 'reconfigured') return 'deactivated';
    const found = await runStop(db, run.application_id, run.created_at, generation);
    return found ?? (told && generation !== undefined ? told : undefined);
  };
  let seq = (await repo.maxResultSeq(db, runId)) + 1;
  let processed = run.processed;
  // Planner statistics are refreshed each time the run has doubled what it wrote (PostgreSQL).
  let analyzeAt = Math.max(processed * 2, ANALYZE_FIRST_AT);
  const ctx = { deps, run, app: { id: app.id, name: app.name }, actor };
  const writer = batchWriter(deps.database, { run, app: ctx.app, actor });
  // At most one batch is being written while the next page is fetched and mapped.
  let writing: Promise<void> = Promise.resolve();
  let writeError: unknown;
  const drain = async () => {
    await writing;
    if (writeError) throw writeError;
  };
  const step = async (candidates: Candidate[]) => {
    await drain();
    const stop = await stopOf();
    if (stop === 'reconfigured') throw new RunReconnecting();
    if (stop) throw new RunStopped(STOP_MESSAGES.deactivated);
    const firstSeq = seq;
    seq += candidates.length;
    writing = writer.write(candidates, firstSeq, deps.clock.now().toISOString()).then(
      async (n) => {
        processed += n;
        opts.onProgress?.({ processed, total: Math.max(run.total, processed) });
        if (processed >= analyzeAt) {
          analyzeAt = processed * 2;
          // Only a help to the planner: the run goes on without it.
          await analyzeTables(deps.database, GROWING_TABLES).catch((err) =>
            deps.logger.warn({ err, runId }, 'could not refresh planner statistics'),
          );
        }
      },
      (err) => {
        writeError = err;
      },
    );
  };
  // Pages are gathered into batches of config.importBatchSize users per transaction: each commit
  // rewrites every index page the batch touched, and new users land all over the username, email
  // and name indexes, so a few large commits write far less than many small ones. A crash redoes
  // at most one batch.
  const batcher = new Batcher<Candidate>(deps.config.importBatchSize);
  const add = async (candidates: Candidate[]) => {
    const batch = batcher.add(candidates);
    if (batch) await step(batch);
  };

  try {
    if (run.mode === 'selection') {
      const ids: string[] = JSON.parse(run.selection ?? '[]');
      for (let i = 0; i < ids.length; i += SELECTION_BATCH) {
        const chunk = ids.slice(i, i + SELECTION_BATCH);
        const rows = run.snapshot_id ? await snapshots.findSnapshotUsers(db, run.snapshot_id, chunk) : [];
        const byId = new Map(rows.map((r) => [r.remote_id, r]));
        // A snapshot cleaned up under a running import is a bug elsewhere: report per user rather than guess.
        await add(
          chunk.map((id) => {
            const r = byId.get(id);
            return r
              ? candidateOf(r)
              : {
                  remoteId: id,
                  userName: '',
                  email: '',
                  firstname: '',
                  lastname: '',
                  displayname: '',
                  remoteActive: true,
                  attributes: {},
                  problems: ['the remote user data is no longer available; import again'],
                };
          }),
        );
      }
    } else {
      const cfg = await loadScimConfig(db, deps.secretKey, run.organization_id, run.application_id);
      generation = cfg.generation;
      const client = deps.idm.client(run.application_id, cfg.client, cfg.settings);
      try {
        for await (const page of readAhead(client.listUsers({ signal }).pages())) {
          await add((page as ScimUser[]).map(runCandidate));
        }
      } finally {
        await client.close();
      }
    }
    const last = batcher.take();
    if (last) await step(last);
    await drain();
    return await finishRun(deps, ctx, 'completed', null);
  } catch (err) {
    await writing;
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
        `Roster could not write to its database: ${storage}. The users imported so far are kept; import again once this is fixed (they are skipped).`,
      );
    }
    throw err;
  }
}

interface RunContext {
  deps: Deps;
  run: repo.RunRow;
  app: { id: string; name: string };
  actor: Actor;
}

async function finishRun(deps: Deps, ctx: RunContext, status: 'completed' | 'failed', error: string | null): Promise<ImportRun> {
  const { db } = deps.database;
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
      { db: trx },
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
    await notifyRunFinished(trx, deps, finished, ctx.app);
    return toRun(finished);
  });
}

/** Whether the run still exists (a run goes with its application). */
export async function runExists(db: Db, id: string): Promise<boolean> {
  return (await repo.findRun(db, null, id)) !== undefined;
}

export async function getRun(db: Db, organizationId: string, id: string): Promise<ImportRun> {
  const row = await repo.findRun(db, organizationId, id);
  if (!row) throw notFound('Import run', id);
  return toRun(row);
}

export async function listRuns(db: Db, organizationId: string, q: { applicationId?: string; limit: number; cursor?: string }) {
  let before: { createdAt: string; id: string } | undefined;
  if (q.cursor) {
    const [createdAt, id] = decodeCursor(q.cursor, ['string', 'string']) as string[];
    before = { createdAt, id };
  }
  const rows = await repo.listRuns(db, organizationId, q.applicationId, before, q.limit + 1);
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return { items: page.map(toRun), nextCursor: rows.length > q.limit && last ? encodeCursor([last.created_at, last.id]) : null };
}

/** A candidate as a run needs it: the raw mapped attributes are only for the preview's snapshot. */
function runCandidate(user: ScimUser): Candidate {
  const c = toCandidate(user);
  c.attributes = {};
  return c;
}
