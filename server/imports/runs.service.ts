// Import runs: create only the new users (ACTIVE, password PENDING, bound to nothing, linked to the
// remote id), in batches where a user, its link, its Insights event and its result commit together
// (run-execution.ts). The results table is the checkpoint: a resumed run skips every remote id it
// already answered. Here: starting a run, and reading runs.
import type { DbContext } from '../db/context.ts';
import { getApplication } from '../applications/index.ts';
import { findGroup } from '../directory/index.ts';
import { apiKeyCreatorEmail } from '../auth/index.ts';
import type { Db } from '../db/database.ts';
import { uniqueViolation } from '../db/errors.ts';
import { record } from '../insights/index.ts';
import { loadScimConfig } from '../integrations/index.ts';
import type { Actor } from '../shared/actor.ts';
import { decodeCursor, keysetPage } from '../shared/cursor.ts';
import { badRequest, conflict, notFound } from '../shared/errors.ts';
import type { ImportContext } from './context.ts';
import { executeRun } from './execute.ts';
import {
  IMPORT_JOB,
  type ImportResult,
  type ImportRun,
  MAX_SELECTION,
  newRunRow,
  type RunProgress,
  SYNC_LIMIT,
  toResult,
  toRun,
} from './runs.model.ts';
import * as repo from './runs.repository.ts';
import type { UpdatableField } from './diff.ts';
import * as snapshots from './snapshot.repository.ts';
import { ensureSnapshot, scimFailure } from './snapshot.service.ts';

export * from './runs.model.ts';
export { executeRun } from './execute.ts';

/** A request-time run that dies with its process is finished by this job later. */
const SAFETY_NET_MS = 5 * 60_000;

/** What a users run does beyond creating the new users (issue 14; see RunOptions). */
export interface RunRequest {
  update?: { fields: UpdatableField[] | 'all' };
  /** Link matching users to their remote accounts (default true). */
  link?: boolean;
  groupId?: string;
  dryRun?: boolean;
  resolve?: { remoteId: string; userId: string }[];
  exclude?: string[];
}

export type CreateRunInput = RunRequest & ({ remoteIds: string[]; all?: undefined } | { all: true; remoteIds?: undefined });

export interface CreatedRun {
  run: ImportRun;
  /** Processed in the request: every result is in `results`. */
  results?: ImportResult[];
}

/** Who gets the email: the admin, or for an API key the admin who created it. */
export async function notifyEmailOf(db: Db, actor: Actor): Promise<string | null> {
  if (actor.type === 'admin') return actor.email ?? null;
  if (actor.type === 'api_key' && actor.id) return (await apiKeyCreatorEmail({ db }, actor.organizationId, actor.id)) ?? null;
  return actor.email ?? null;
}

async function countAtLeast(deps: ImportContext, organizationId: string, applicationId: string, n: number): Promise<number> {
  const cfg = await loadScimConfig({ db: deps.db, secretKey: deps.secretKey }, organizationId, applicationId);
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
  /** A schedule started it (the scheduler's runs); default manual. */
  trigger?: 'manual' | 'schedule';
  /** Scheduled runs: the guardrail's share of the directory (RunOptions.guardrailPercent). */
  guardrailPercent?: number;
  /** Always in the background job, however few users (the scheduler never waits for a run). */
  background?: boolean;
}

/** What a run imports: its selection (checked against the preview's snapshot) or all, and how many users. */
async function whatToImport(
  deps: ImportContext,
  organizationId: string,
  applicationId: string,
  input: CreateRunInput,
): Promise<{ selection: string[] | null; snapshotId: string | null; total: number }> {
  if (input.all) {
    // The whole list is read again by the run itself; only learn whether it is small.
    const latest = await snapshots.findLatestSnapshot(deps.db, applicationId);
    const total =
      latest?.status === 'ready' && latest.expires_at > deps.clock.now().toISOString()
        ? latest.total
        : await countAtLeast(deps, organizationId, applicationId, SYNC_LIMIT);
    return { selection: null, snapshotId: null, total };
  }
  const selection = [...new Set(input.remoteIds)];
  if (selection.length === 0)
    throw badRequest('EMPTY_SELECTION', 'Select at least one user to import', [{ path: 'body.remoteIds', message: 'must not be empty' }]);
  if (selection.length > MAX_SELECTION) {
    throw badRequest('SELECTION_TOO_LARGE', `At most ${MAX_SELECTION} users can be selected in one run; use all: true for more`, [
      { path: 'body.remoteIds', message: `at most ${MAX_SELECTION}` },
    ]);
  }
  const snapshot = await ensureSnapshot(deps, organizationId, applicationId);
  const found = new Set((await snapshots.findSnapshotUsers(deps.db, snapshot.id, selection)).map((r) => r.remote_id));
  const missing = selection.filter((id) => !found.has(id));
  if (missing.length) {
    throw badRequest(
      'REMOTE_IDS_NOT_FOUND',
      `${missing.length} selected user(s) are not in the application's list (refresh the preview and select again): ` +
        `${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', ...' : ''}`,
      missing.slice(0, 100).map((id) => ({ path: 'body.remoteIds', message: `not found: ${id}` })),
    );
  }
  return { selection, snapshotId: snapshot.id, total: selection.length };
}

export async function createImportRun(
  deps: ImportContext,
  actor: Actor,
  applicationId: string,
  input: CreateRunInput,
  opts: CreateRunOptions = {},
): Promise<CreatedRun> {
  const { db } = deps;
  const app = await getApplication({ db }, actor.organizationId, applicationId);
  await loadScimConfig({ db, secretKey: deps.secretKey }, actor.organizationId, applicationId); // 409 when not configured
  await checkGroup(deps, actor.organizationId, input.groupId);
  const { selection, snapshotId, total } = await whatToImport(deps, actor.organizationId, applicationId, input);
  const sync = total < SYNC_LIMIT;
  const inline = !opts.background && (sync || opts.inline === true);
  const now = deps.clock.now();
  const row = newRunRow({
    applicationId,
    actor,
    mode: input.all ? 'all' : 'selection',
    total,
    now: now.toISOString(),
    running: inline,
    selection: selection ? JSON.stringify(selection) : null,
    snapshotId,
    notifyEmail: await notifyEmailOf(db, actor),
    trigger: opts.trigger,
    dryRun: input.dryRun,
    options: {
      link: input.link ?? true,
      ...(input.update ? { update: input.update } : {}),
      ...(input.groupId ? { groupId: input.groupId } : {}),
      ...(input.resolve?.length ? { resolve: input.resolve } : {}),
      ...(input.exclude?.length ? { exclude: input.exclude } : {}),
      ...(opts.guardrailPercent !== undefined ? { guardrailPercent: opts.guardrailPercent } : {}),
    },
  });
  try {
    await db.transaction().execute(async (trx) => {
      await repo.insertRun(trx, row);
      // A dry run leaves no trace but its results (and the job that computes them).
      if (!row.dry_run) await recordStarted(deps, trx, actor, app, row);
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

async function recordStarted(deps: ImportContext, trx: Db, actor: Actor, app: { id: string; name: string }, row: repo.RunRow) {
  await record(
    { db: trx, clock: deps.clock },
    {
      eventType: 'import_started',
      service: 'import',
      actor,
      resource: { type: 'import_run', id: row.id },
      application: { id: app.id, name: app.name },
      importRunId: row.id,
      changes: { mode: row.mode, total: row.total },
    },
  );
}

/** The group a run's users are to join must be one of the organization's (400 naming body.groupId). */
async function checkGroup(deps: ImportContext, organizationId: string, groupId: string | undefined): Promise<void> {
  if (groupId === undefined || (await findGroup(deps, organizationId, groupId))) return;
  throw badRequest('VALIDATION_FAILED', `Group ${groupId} does not exist`, [{ path: 'body.groupId', message: 'no such group' }]);
}

/** One job per run (coalesced by key): it runs the import, or resumes it after a crash (or a confirmed pause). */
export function enqueueRunJob(deps: ImportContext, db: Db, runId: string, delayMs: number): Promise<string> {
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

/** Whether the run still exists (a run goes with its application). */
export async function runExists(ctx: Pick<DbContext, 'db'>, id: string): Promise<boolean> {
  return (await repo.findRun(ctx.db, null, id)) !== undefined;
}

export async function getRun(ctx: Pick<DbContext, 'db'>, organizationId: string, id: string): Promise<ImportRun> {
  const row = await repo.findRun(ctx.db, organizationId, id);
  if (!row) throw notFound('Import run', id);
  return toRun(row);
}

export async function listRuns(
  ctx: Pick<DbContext, 'db'>,
  organizationId: string,
  q: { applicationId?: string; limit: number; cursor?: string },
) {
  let before: { createdAt: string; id: string } | undefined;
  if (q.cursor) {
    const [createdAt, id] = decodeCursor(q.cursor, ['string', 'string']) as string[];
    before = { createdAt, id };
  }
  const rows = await repo.listRuns(ctx.db, organizationId, q.applicationId, before, q.limit + 1);
  return keysetPage(rows, q.limit, toRun, (l) => [l.created_at, l.id]);
}

/** The safety net's delay: a run executed in the request (or the CLI) that dies with its process is finished by its job then. */
export const INLINE_SAFETY_NET_MS = SAFETY_NET_MS;

/**
 * Executes a run in this process (the CLI), keeping its job (enqueued with INLINE_SAFETY_NET_MS)
 * pushed back while it works, as createImportRun does for the runs it executes in the request.
 */
export async function executeInline(deps: ImportContext, runId: string, onProgress?: (p: RunProgress) => void): Promise<ImportRun> {
  const heartbeat = setInterval(() => {
    enqueueRunJob(deps, deps.db, runId, SAFETY_NET_MS).catch((err) =>
      deps.logger.warn({ err, runId }, 'could not push back the import safety net'),
    );
  }, SAFETY_NET_MS / 10);
  try {
    return await executeRun(deps, runId, { onProgress });
  } finally {
    clearInterval(heartbeat);
  }
}
