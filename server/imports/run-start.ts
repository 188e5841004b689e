// Starting a run of any kind: its row, its import_started event (none for a dry run) and its job in one
// transaction (one unfinished run per application: a second is 409), and working a run in this process
// (small runs in the request, the CLI) with its job kept as the safety net.
import type { Db, Tx } from '../db/database.ts';
import { uniqueViolation } from '../db/errors.ts';
import { apiKeyCreatorEmail } from '../auth/index.ts';
import { record } from '../insights/index.ts';
import type { Actor } from '../shared/actor.ts';
import { conflict } from '../shared/errors.ts';
import type { ImportContext } from './context.ts';
import { executeRun } from './execute.ts';
import { IMPORT_JOB, type ImportRun, type RunProgress, runEvent } from './runs.model.ts';
import * as repo from './runs.repository.ts';

/** A run worked in this process that dies with it is finished by its job this much later. */
export const INLINE_SAFETY_NET_MS = 5 * 60_000;

/** Who gets the email: the admin, or for an API key the admin who created it. */
export async function notifyEmailOf(db: Db, actor: Actor): Promise<string | null> {
  if (actor.type === 'admin') return actor.email ?? null;
  if (actor.type === 'api_key' && actor.id) return (await apiKeyCreatorEmail({ db }, actor.organizationId, actor.id)) ?? null;
  return actor.email ?? null;
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

export interface StartOptions {
  /** Worked in this process: the job waits as the safety net. */
  inline: boolean;
  /** Also in the transaction, before the event (an undo marks its original). */
  within?: (trx: Tx) => Promise<void>;
  /** Added to the event's changes. */
  changes?: Record<string, unknown>;
}

/** Stores the new run with its import_started event and its job. A dry run leaves no trace but its results. */
export async function insertStartedRun(
  deps: ImportContext,
  actor: Actor,
  app: { id: string; name: string },
  row: repo.RunRow,
  opts: StartOptions,
): Promise<void> {
  try {
    await deps.db.transaction().execute(async (trx) => {
      await repo.insertRun(trx, row);
      await opts.within?.(trx);
      if (row.dry_run !== 1)
        await record(
          { db: trx, clock: deps.clock },
          runEvent('import_started', actor, app, row.id, {
            changes: { mode: row.mode, total: row.total, ...(row.kind === 'users' ? {} : { kind: row.kind }), ...opts.changes },
          }),
        );
      await enqueueRunJob(deps, trx, row.id, opts.inline ? INLINE_SAFETY_NET_MS : 0);
    });
  } catch (err) {
    if (uniqueViolation(err))
      throw conflict('IMPORT_ALREADY_RUNNING', 'An import from this application is already running; wait for it to finish');
    throw err;
  }
}

/** Executes a run in this process, keeping its job (the safety net) pushed back while it works. */
export async function executeInline(deps: ImportContext, runId: string, onProgress?: (p: RunProgress) => void): Promise<ImportRun> {
  const heartbeat = setInterval(() => {
    enqueueRunJob(deps, deps.db, runId, INLINE_SAFETY_NET_MS).catch((err) =>
      deps.logger.warn({ err, runId }, 'could not push back the import safety net'),
    );
  }, INLINE_SAFETY_NET_MS / 10);
  try {
    return await executeRun(deps, runId, { onProgress });
  } finally {
    clearInterval(heartbeat);
  }
}
